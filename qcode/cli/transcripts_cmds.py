"""init, import, transcripts, show."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    ListFormat,
    console,
    emit,
    note,
    open_project,
    screen_text,
)
from qcode.cli.layout import ShownSegment, segments_listing
from qcode.store import init_project
from qcode.store.transcripts import get_segments, list_transcripts
from qcode.values import check_name, parse_mapping
from qcode.words import plural


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

    Example: qcode import transcripts_sample/ --meta transcripts_sample/respondents.csv
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
        extra = (f", {plural(outcome.reanchored, 'coding')} re-anchored"
                 if outcome.status == "updated" else "")
        note(f"{outcome.status:9} {outcome.transcript} ({plural(outcome.segments, 'segment')}, "
             f"{plural(outcome.words, 'word')}{extra})")
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
    emit(rows, fmt, columns=columns, title=f"Transcripts ({len(rows)})",
         empty="no transcripts yet; add some with 'qcode import PATH'")


class ShowFormat(str, Enum):
    text = "text"
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


BLIND_HELP = ("Show only your own codes (--coder or QCODE_CODER): a blind double-coding "
              "round; also QCODE_BLIND=1 or 'qcode settings blind on'.")


@app.command()
def show(
    ctx: typer.Context,
    transcript: str = typer.Argument(..., help="Transcript id (see 'qcode transcripts')."),
    fmt: ShowFormat = typer.Option(ShowFormat.text, "--format", "-f",
                                   help="text (or table) for people; csv or jsonl for scripts."),
    coder: list[str] = typer.Option([], "--coder", help="Only codes by these coders."),
    blind: bool = typer.Option(False, "--blind", help=BLIND_HELP),
) -> None:
    """Show a transcript as numbered segments with speaker, text, codes and who coded them.

    The header (text before the first speaker label, such as a title or a date line) is
    printed above the segments. Blind (--blind, QCODE_BLIND=1, or a blind round the lead
    switched on) shows only your own codes.

    Example: qcode show noordrand-r01 --coder ref
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
    coded_by: dict[int, dict[str, list[str]]] = {}
    for coding in codings:
        coders = coded_by.setdefault(coding.segment, {}).setdefault(coding.code, [])
        if coding.coder not in coders:
            coders.append(coding.coder)
    if fmt in (ShowFormat.text, ShowFormat.table):
        if header:
            console.print(screen_text(header), style="dim")
        shown = [
            ShownSegment(s.number, s.speaker, s.text, s.interviewer,
                         tuple((code, tuple(who)) for code, who in
                               coded_by.get(s.number, {}).items()))
            for s in segments
        ]
        console.print(segments_listing(f"{transcript} ({plural(len(segments), 'segment')})", shown,
                                       width=console.width), no_wrap=True, crop=False)
        return
    rows = [
        {"segment": s.number, "speaker": s.speaker, "interviewer": s.interviewer,
         "text": s.text, "codes": list(coded_by.get(s.number, {})),
         "coders": list(coded_by.get(s.number, {}).values()),
         "start_time": s.start_time, "end_time": s.end_time}
        for s in segments
    ]
    emit(rows, ListFormat(fmt.value), columns=list(rows[0]))
