"""Bring transcripts into a project: files and folders with their respondents.csv, or a
REFI-QDA project, each in one transaction. This sits above the transcript parsers, the
REFI-QDA reader and the store, and is the only place that combines them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from qcode.analysis.textindex import refresh_index
from qcode.errors import TranscriptError
from qcode.importing.outcome import ImportReport
from qcode.models import Transcript
from qcode.store.project import Project
from qcode.store.reimport import save_transcript
from qcode.store.transcripts import assign_respondent, set_respondent_attributes
from qcode.transcripts import collect_files
from qcode.transcripts.respondents import RESPONDENTS_FILE, read_respondents_csv

REFI_PROJECT_SUFFIX = ".qdpx"


def import_paths(
    project: Project,
    paths: Sequence[Path],
    *,
    meta: Path | None = None,
    interviewer_labels: Sequence[str] | None = None,
    screen: Callable[[Sequence[Path]], None] | None = None,
) -> ImportReport:
    """Parse every file first, then store them all (and the respondent attributes) in
    one transaction: a bad file anywhere leaves the project unchanged.

    A REFI-QDA project (``.qdpx``) is imported on its own, with its codebook, codings and
    cases (see :mod:`qcode.refi.reader`)."""
    from qcode.transcripts import parse_file

    if any(Path(p).suffix.lower() == REFI_PROJECT_SUFFIX for p in paths):
        if len(paths) != 1 or meta is not None:
            raise TranscriptError(
                "a .qdpx project is imported on its own: run 'qcode import FILE.qdpx' "
                "without other files or --meta"
            )
        from qcode.importing.qdpx import import_qdpx

        return import_qdpx(project, Path(paths[0]), interviewer_labels=interviewer_labels)
    files = collect_files(paths)
    transcripts: list[Transcript] = []
    origin: dict[str, Path] = {}
    for path in files:
        transcript = parse_file(path, interviewer_labels=interviewer_labels)
        if transcript.id in origin:
            raise TranscriptError(
                f"{path}: transcript id '{transcript.id}' is also the id of "
                f"{origin[transcript.id]}; rename one of the files"
            )
        origin[transcript.id] = path
        transcripts.append(transcript)
    if screen is not None:
        # e.g. the anonymity check: it sees every parsed file and may refuse the import.
        screen(files)
    meta_files = _respondents_files(paths, files, meta)
    respondent_rows = [(f, read_respondents_csv(f)) for f in meta_files]
    outcomes = []
    updated = 0
    notes: list[str] = []
    with project.atomic():
        for transcript in transcripts:
            outcomes.append(save_transcript(project, transcript))
            notes.extend(transcript.notes)
        for meta_file, rows in respondent_rows:
            for row in rows:
                set_respondent_attributes(project, row.respondent, row.attributes)
                updated += 1
                if row.transcript and not assign_respondent(project, row.transcript,
                                                            row.respondent):
                    notes.append(
                        f"{meta_file}:{row.line}: transcript '{row.transcript}' is not in the "
                        "project (yet); import it and run the import again to link it"
                    )
        refresh_index(project, [outcome.transcript for outcome in outcomes])
    return ImportReport(tuple(outcomes), tuple(str(f) for f in meta_files), updated, tuple(notes))


def _respondents_files(
    paths: Sequence[Path], files: Sequence[Path], meta: Path | None
) -> list[Path]:
    """The explicit --meta file, plus any respondents.csv beside the imported files."""
    found: list[Path] = []
    if meta is not None:
        if not meta.is_file():
            raise TranscriptError(f"{meta}: no such respondents file")
        found.append(meta)
    folders = {p for p in paths if p.is_dir()} | {f.parent for f in files}
    for folder in sorted(folders):
        candidate = folder / RESPONDENTS_FILE
        if candidate.is_file() and all(candidate.resolve() != f.resolve() for f in found):
            found.append(candidate)
    return found
