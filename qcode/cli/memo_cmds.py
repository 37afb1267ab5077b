"""memo add | list | edit | remove | import."""

from __future__ import annotations

from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import FORMAT_OPTION, ListFormat, emit, note, open_project
from qcode.coding.manual import default_coder
from qcode.errors import QcodeError, UsageError
from qcode.models import Memo
from qcode.neutralise import terminal_text
from qcode.store import memos as memos_store
from qcode.values import parse_memo_reference, parse_memo_target, parse_span

memo_app = typer.Typer(
    help="Memos on the project (the journal), cases, respondents, transcripts, codes and "
    "segments.", no_args_is_help=True)
app.add_typer(memo_app, name="memo")

TARGET_HELP = ("project, case:NAME, respondent:ID, transcript:ID, code:ID or segment:ID:SEG "
               "(quote a name with spaces).")
CODER_OPTION = typer.Option(None, "--coder", "-c",
                            help="Coder name (default: QCODE_CODER, else your user name).")
EDIT_OPTION = typer.Option(False, "--edit", "-e", help="Write the text in $EDITOR.")


def _text(text: str | None, *, edit: bool, start: str = "") -> str:
    """The memo text from the command line, or written in the editor."""
    if not edit:
        if text is None:
            raise UsageError("no memo text: give TEXT, or --edit to write it in $EDITOR")
        return text
    import click

    try:
        written = click.edit(text if text is not None else start, extension=".txt")
    except click.ClickException as exc:
        raise QcodeError(f"could not open the editor ({exc.message}); set EDITOR or VISUAL to "
                         "your editor, or give the text on the command line") from None
    if written is None:
        raise QcodeError("the editor closed without saving; no memo was written")
    return written.rstrip("\r\n")


@memo_app.command("add")
def add(
    ctx: typer.Context,
    target: str = typer.Argument(..., help=TARGET_HELP),
    text: str | None = typer.Argument(None, help="The memo (or --edit)."),
    span: str | None = typer.Option(None, "--span", help="Only part of a segment: START:END "
                                    "character offsets (an annotation on uncoded text)."),
    edit: bool = EDIT_OPTION,
    coder: str | None = CODER_OPTION,
) -> None:
    """Write a memo: a journal entry (project), or a note on a case, respondent,
    transcript, code or segment.

    Example: qcode memo add project "Interviews in Noordrand afgerond."
    """
    where = parse_memo_target(target, span=parse_span(span) if span else None)
    who = default_coder(coder)
    body = _text(text, edit=edit)
    with open_project(ctx) as project:
        outcome = memos_store.add(project, [Memo(target=where, text=body, coder=who)])
    for memo in outcome.added:
        note(f"added memo {memo.id} on {memo.target.describe()} ({memo.coder})")


@memo_app.command("list")
def list_(
    ctx: typer.Context,
    target: str | None = typer.Argument(None, help="Only the memos on this target (a "
                                        "transcript's include its segments', a code's its "
                                        "sub-codes'). " + TARGET_HELP),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Only these coders."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """List memos: number, target, span, text, coder, written and last changed.

    Example: qcode memo list project --format csv
    """
    where = parse_memo_target(target) if target else None
    with open_project(ctx) as project:
        memos_store.require_coders(project, coder)
        memos = memos_store.select(project, target=where, coders=coder)
        if where is not None and not memos:
            memos_store.Targets(project).check(where)
    rows = [
        {"id": m.id, "target": str(m.target),
         "span": f"{m.target.start}:{m.target.end}" if m.target.span else "",
         "text": m.text if fmt is not ListFormat.table else terminal_text(m.text),
         "coder": m.coder, "created_at": m.created_at, "updated_at": m.updated_at}
        for m in memos
    ]
    columns = ["id", "target", "span", "text", "coder", "created_at", "updated_at"]
    if fmt is ListFormat.table:
        for row in rows:
            row["date"] = str(row["created_at"])[:10]
        columns = ["id", "target", "span", "coder", "date", "text"]
    emit(rows, fmt, columns=columns, title="Memos", empty="no memos")


@memo_app.command("edit")
def edit_(
    ctx: typer.Context,
    memo: str = typer.Argument(..., help="The memo's number (see 'qcode memo list'), or its "
                               "target when you have one memo there."),
    text: str | None = typer.Argument(None, help="The new text (or --edit)."),
    edit: bool = EDIT_OPTION,
    coder: str | None = typer.Option(None, "--coder", "-c", help="Whose memo (default: "
                                     "QCODE_CODER, else your user name)."),
) -> None:
    """Change the text of one of your memos (another coder's with --coder NAME).

    Example: qcode memo edit 1 "Tweede ronde gepland in mei." --coder ref
    """
    reference = parse_memo_reference(memo)
    who = default_coder(coder)
    with open_project(ctx) as project:
        found = memos_store.resolve(project, reference, coder=who)
        body = _text(text, edit=edit, start=found.text)
        changed = memos_store.edit(project, found, body)
    note(f"changed memo {changed.id} on {changed.target.describe()} ({changed.coder})")


@memo_app.command("remove")
def remove(
    ctx: typer.Context,
    memo: str = typer.Argument(..., help="The memo's number (see 'qcode memo list'), or its "
                               "target when you have one memo there."),
    coder: str | None = typer.Option(None, "--coder", "-c", help="Whose memo (default: "
                                     "QCODE_CODER, else your user name)."),
) -> None:
    """Remove one of your memos (another coder's with --coder NAME).

    Example: qcode memo remove 2 --coder ref
    """
    reference = parse_memo_reference(memo)
    who = default_coder(coder)
    with open_project(ctx) as project:
        removed = memos_store.remove(project, memos_store.resolve(project, reference,
                                                                  coder=who))
    note(f"removed memo {removed.id} on {removed.target.describe()} ({removed.coder})")


@memo_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with target and text columns (optional span, "
                                "coder, created_at, updated_at): what 'memo list --format "
                                "csv' writes."),
    coder: str | None = typer.Option(None, "--coder", "-c",
                                     help="Coder for rows without a coder."),
) -> None:
    """Add memos from a CSV file, all or nothing; memos already there are left alone.

    Example: qcode memo import transcripts_sample/memos.csv
    """
    from qcode.importing.memos import import_memos_csv

    with open_project(ctx) as project:
        outcome = import_memos_csv(project, file, coder=default_coder(coder))
    note(f"imported {len(outcome.added)} memo(s) from {file}"
         + (f"; {len(outcome.already_present)} were already present"
            if outcome.already_present else ""))
