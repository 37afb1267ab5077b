"""codings add | remove | list | import | export."""

from __future__ import annotations

from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    WHERE_OPTION,
    ListFormat,
    emit,
    note,
    open_project,
    segment_number,
)
from qcode.coding.manual import default_coder
from qcode.models import Coding
from qcode.neutralise import terminal_text
from qcode.store import codings as codings_store
from qcode.store.transcripts import get_segments, select_transcripts
from qcode.values import parse_span, parse_where
from qcode.words import plural

codings_app = typer.Typer(help="Add, remove, list, import and export codings.",
                          no_args_is_help=True)
app.add_typer(codings_app, name="codings")

CODER_OPTION = typer.Option(None, "--coder", "-c",
                            help="Coder name (default: QCODE_CODER, else your user name).")


@codings_app.command("add")
def add(
    ctx: typer.Context,
    transcript: str = typer.Argument(..., help="Transcript id."),
    segment: str = typer.Argument(..., help="Segment number (see 'qcode show ID')."),
    codes: list[str] = typer.Argument(..., help="One or more code ids."),
    coder: str | None = CODER_OPTION,
    memo: str = typer.Option("", "--memo", "-m", help="A memo on the coding."),
    span: str | None = typer.Option(None, "--span", help="Character span START:END inside "
                                    "the segment (END exclusive)."),
) -> None:
    """Code a segment (or a span in it) with one or more codes.

    Example: qcode codings add noordrand-r01 12 trust.high --memo "korte lijntjes" --coder ref
    """
    number = segment_number(segment)
    start, end = parse_span(span) if span else (None, None)
    who = default_coder(coder)
    with open_project(ctx) as project:
        outcome = codings_store.add(project, [
            Coding(transcript=transcript, segment=number, code=code, coder=who, memo=memo,
                   start=start, end=end)
            for code in codes
        ])
        spanned = ""
        if start is not None:
            text = next(s.text for s in get_segments(project, transcript) if s.number == number)
            spanned = f' [{start}:{end}] "{terminal_text(text[start:end])}"'
    for coding in outcome.added:
        note(f"added {coding.transcript}:{coding.segment} {coding.code} ({coding.coder})"
             f"{spanned}")
    for coding in outcome.memo_updated:
        note(f"already coded {coding.transcript}:{coding.segment} {coding.code} "
             f"({coding.coder}); memo updated")
    for coding in outcome.already_present:
        note(f"already coded {coding.transcript}:{coding.segment} {coding.code} "
             f"({coding.coder}); unchanged")


@codings_app.command("remove")
def remove(
    ctx: typer.Context,
    transcript: str = typer.Argument(..., help="Transcript id."),
    segment: str = typer.Argument(..., help="Segment number."),
    codes: list[str] = typer.Argument(..., help="Code ids to remove."),
    coder: str | None = typer.Option(None, "--coder", "-c",
                                     help="Whose codings to remove (default: QCODE_CODER, "
                                     "else your user name)."),
    all_coders: bool = typer.Option(False, "--all-coders",
                                    help="Remove the codes for every coder who applied them."),
    span: str | None = typer.Option(None, "--span", help="Only the coding of this span."),
) -> None:
    """Remove codes from a segment: your own codings, unless you name another coder.

    Example: qcode codings remove noordrand-r01 8 consensus.goal --coder ref
    """
    if all_coders and coder:
        from qcode.errors import UsageError

        raise UsageError("--coder and --all-coders: give one of the two")
    from qcode.coding.blind import is_blind

    who = None if all_coders else default_coder(coder)
    with open_project(ctx) as project:
        removed = codings_store.remove(project, transcript, segment_number(segment), codes,
                                       coder=who, span=parse_span(span) if span else None,
                                       name_others=not is_blind(project))
    note(f"removed {plural(removed, 'coding')}" + (f" by {who}" if who else " (every coder's)"))


@codings_app.command("list")
def list_(
    ctx: typer.Context,
    transcripts: list[str] = typer.Argument(None, help="Transcript ids (default: all)."),
    code: list[str] = typer.Option([], "--code", help="Only this code and its sub-codes."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Only these coders."),
    where: list[str] = WHERE_OPTION,
    fmt: ListFormat = FORMAT_OPTION,
    blind: bool = typer.Option(False, "--blind", help="Only your own codings (a blind "
                               "round; also QCODE_BLIND=1 or 'qcode settings blind on')."),
) -> None:
    """List codings (blind: only your own).

    Example: qcode codings list noordrand-r01 --code trust --format jsonl
    """
    from qcode.coding.blind import coder_view

    conditions = parse_where(where)
    with open_project(ctx) as project:
        view = coder_view(project, coder, flag=blind)
        if view.blind_as is None:
            codings_store.require_coders(project, coder)
        chosen = select_transcripts(project, transcripts or (), conditions)
        codings = codings_store.select(project, transcripts=chosen, codes=code,
                                       coders=view.coders)
    if view.blind_as is not None:
        note(f"blind: only the codings of {view.blind_as} are listed")
    rows = [
        {"transcript": c.transcript, "segment": c.segment, "code": c.code, "coder": c.coder,
         "provenance": c.provenance, "memo": c.memo, "start": c.start, "end": c.end,
         "created_at": c.created_at}
        for c in codings
    ]
    columns = ["transcript", "segment", "code", "coder", "provenance", "memo", "start", "end",
               "created_at"]
    if fmt is ListFormat.table:
        for row in rows:
            row["span"] = f"{row['start']}:{row['end']}" if row["start"] is not None else None
        columns = ["transcript", "segment", "code", "coder", "provenance", "span", "memo"]
    emit(rows, fmt, columns=columns, title=f"Codings ({len(rows)})", empty="no codings")


@codings_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with transcript, segment, code columns "
                                "(optional coder, provenance, memo, start, end, created_at)."),
    coder: str | None = typer.Option(None, "--coder", "-c",
                                     help="Coder for rows without a coder column value."),
) -> None:
    """Import codings from a CSV file, all or nothing.

    Example: qcode codings import transcripts_sample/codings.csv
    """
    from qcode.coding.csvio import import_codings_csv

    with open_project(ctx) as project:
        outcome = import_codings_csv(project, file, coder=default_coder(coder))
    note(f"imported {plural(len(outcome.added), 'coding')} from {file}"
         + (f"; {len(outcome.already_present)} were already present" if outcome.already_present
            else ""))


@codings_app.command("export")
def export(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV file to write."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Only these coders."),
    code: list[str] = typer.Option([], "--code", help="Only this code and its sub-codes."),
) -> None:
    """Export codings to CSV (the same columns 'codings import' reads).

    Example: qcode codings export codings-backup.csv
    """
    from qcode.coding.csvio import write_codings_csv

    with open_project(ctx) as project:
        codings_store.require_coders(project, coder)
        codings = codings_store.select(project, codes=code, coders=coder)
    write_codings_csv(codings, file)
    note(f"wrote {plural(len(codings), 'coding')} to {file}")
