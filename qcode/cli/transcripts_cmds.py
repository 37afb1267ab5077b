"""init, import, transcripts, show."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    ListFormat,
    console,
    emit,
    inert,
    json_line,
    note,
    open_project,
    screen_text,
)
from qcode.store import init_project
from qcode.store.transcripts import get_segments, list_transcripts
from qcode.values import check_name, parse_mapping


@app.command()
def init(
    folder: Path = typer.Argument(Path("."), help="Folder for the new project."),
) -> None:
    """Create an empty project (a qcode.db file) in FOLDER.

    Example: qcode init veiligheidshuizen
    """
    project = init_project(folder)
    project.close()
    note(f"created project {project.db_path}")


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders."),
    meta: Path | None = typer.Option(
        None, "--meta", help="respondents.csv with a respondent column and attributes."
    ),
    interviewer: list[str] = typer.Option(
        [], "--interviewer", help="Speaker label of the interviewer (repeatable); "
        "overrides the default I, Interviewer, Q.",
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse the import (nothing is stored) when the anonymity "
        "check finds identifiers; without it they are warnings.",
    ),
    id_prefix: str | None = typer.Option(
        None, "--id-prefix", help="Put PREFIX before every transcript id, e.g. the house: "
        "--id-prefix noordrand- for files that share names with another house's.",
    ),
    rename: list[str] = typer.Option(
        [], "--rename", help="With a .qdpx: map a code of this project that the file lacks "
        "onto one of the file's codes, OLD=NEW (repeatable).",
    ),
) -> None:
    """Import transcripts (.txt, .md, .docx, .vtt, .srt) from files or folders.

    Unchanged files are skipped; a changed file keeps its codings where their text still
    matches. A respondents.csv beside the files is read too. Text before the first speaker
    label (a title, "Datum: ...") is kept as the transcript's header, not as a turn.
    --interviewer is remembered per transcript for later imports.

    The files are checked for identifiers first (see check-anonymity): findings are
    warnings, or with --strict a reason to import nothing.

    A REFI-QDA project (.qdpx) is imported on its own; codes it names differently from
    this project can be mapped with --rename OLD=NEW.

    Example: qcode import interviews/ --meta interviews/respondents.csv
    """
    from qcode.cli.anonymity_cmd import import_screen
    from qcode.importing import import_paths

    renames = parse_mapping(rename, option="--rename", example="trust.hoog=trust.high")
    with open_project(ctx) as project:
        report = import_paths(
            project, paths, meta=meta, interviewer_labels=interviewer or None,
            screen=import_screen(strict=strict),
            id_prefix=check_name(id_prefix, what="--id-prefix") if id_prefix else None,
            renames=renames,
        )
    for message in report.notes:
        note(f"note: {message}")
    for message in report.warnings:
        note(f"warning: {message}")
    for outcome in report.outcomes:
        extra = f", {outcome.reanchored} codings re-anchored" if outcome.status == "updated" else ""
        note(f"{outcome.status:9} {outcome.transcript} ({outcome.segments} segments, "
             f"{outcome.words} words{extra})")
    note(
        f"imported {report.count('new')} new, {report.count('updated')} updated, "
        f"{report.count('unchanged')} unchanged"
        + (f"; respondent attributes from {', '.join(report.respondents_files)}"
           if report.respondents_files else "")
    )


@app.command()
def transcripts(ctx: typer.Context, fmt: ListFormat = FORMAT_OPTION) -> None:
    """List the project's transcripts with respondent, case, role and size.

    Example: qcode transcripts --format jsonl
    """
    with open_project(ctx) as project:
        summaries = list_transcripts(project)
    rows = [
        {"id": s.id, "respondent": s.respondent, "case": s.case, "role": s.role,
         "segments": s.segments, "respondent_segments": s.respondent_segments,
         "words": s.words, "format": s.format, "header": s.header}
        for s in summaries
    ]
    columns = ["id", "respondent", "case", "role", "segments", "respondent_segments", "words",
               "format", "header"]
    if fmt is ListFormat.table:
        columns = ["id", "respondent", "case", "role", "segments", "words"]
    emit(rows, fmt, columns=columns, title="Transcripts",
         empty="no transcripts yet; add some with 'qcode import PATH'")


class ShowFormat(str, Enum):
    text = "text"
    jsonl = "jsonl"
    csv = "csv"


BLIND_HELP = ("Show only your own codes (--coder or QCODE_CODER): a blind double-coding "
              "round; also QCODE_BLIND=1 or 'qcode settings blind on'.")


@app.command()
def show(
    ctx: typer.Context,
    transcript: str = typer.Argument(..., help="Transcript id (see 'qcode transcripts')."),
    fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f", help="text, jsonl or csv."),
    coder: list[str] = typer.Option([], "--coder", help="Only codes by these coders."),
    blind: bool = typer.Option(False, "--blind", help=BLIND_HELP),
) -> None:
    """Show a transcript as numbered segments with speaker, text and codes.

    The header (text before the first speaker label, such as a title or a date line) is
    printed above the segments. Blind (--blind, QCODE_BLIND=1, or a blind round the lead
    switched on) shows only your own codes.

    Example: qcode show noordrand-r01 -f jsonl   or   qcode show noordrand-r02 --blind --coder b
    """
    from qcode.coding.blind import coder_view
    from qcode.store import codings as codings_store
    from qcode.store.transcripts import transcript_header

    with open_project(ctx) as project:
        segments = get_segments(project, transcript)
        header = transcript_header(project, transcript)
        view = coder_view(project, coder, flag=blind)
        if view.blind_as is None:
            codings_store.require_coders(project, coder)
        codings = codings_store.select(project, transcripts=[transcript], coders=view.coders)
    if view.blind_as is not None:
        note(f"blind: only the codes of {view.blind_as} are shown")
    codes: dict[int, list[str]] = {}
    for coding in codings:
        listed = codes.setdefault(coding.segment, [])
        if coding.code not in listed:
            listed.append(coding.code)
    rows = [
        {"segment": s.number, "speaker": s.speaker, "interviewer": s.interviewer,
         "text": s.text, "codes": codes.get(s.number, []), "start_time": s.start_time,
         "end_time": s.end_time}
        for s in segments
    ]
    if fmt is ShowFormat.jsonl:
        for row in rows:
            sys.stdout.write(json_line(row))
        return
    if fmt is ShowFormat.csv:
        emit(rows, ListFormat.csv, columns=list(rows[0]))
        return
    if header:
        console.print(screen_text(header), style="dim")
    table = Table(title=transcript, show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("speaker", no_wrap=True)
    table.add_column("text", ratio=4)
    table.add_column("codes", ratio=1)
    for segment in segments:
        style = "dim" if segment.interviewer else None
        table.add_row(str(segment.number), screen_text(segment.speaker),
                      screen_text(segment.text),
                      screen_text("\n".join(codes.get(segment.number, []))), style=style)
    console.print(inert(table))
