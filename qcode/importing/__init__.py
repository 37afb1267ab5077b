"""Bring transcripts into a project: files and folders with their respondents.csv, or a
REFI-QDA project, each in one transaction. This sits above the transcript parsers, the
REFI-QDA reader and the store, and is the only place that combines them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qcode.analysis.textindex import refresh_index
from qcode.errors import TranscriptError, UsageError
from qcode.importing.outcome import ImportReport
from qcode.models import Transcript
from qcode.store.project import Project
from qcode.store.reimport import save_transcript
from qcode.store.transcripts import (
    assign_respondent,
    drop_unused_respondents,
    remembered_interviewer_labels,
    respondent_of,
    set_interview_attributes,
    set_respondent_attributes,
)
from qcode.transcripts import find_transcripts, skipped_notes
from qcode.transcripts.respondents import (
    INTERVIEW_ATTRIBUTES,
    RESPONDENTS_FILE,
    RespondentRow,
    read_respondents_csv,
)

REFI_PROJECT_SUFFIX = ".qdpx"
SHOWN = 5


@dataclass
class RespondentPlan:
    """What the respondents files say, sorted out: each respondent's own attributes, each
    interview's own attributes, and which transcript belongs to whom (with the row)."""

    respondents: dict[str, dict[str, str]] = field(default_factory=dict)
    interviews: dict[str, dict[str, str]] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)


def plan_respondents(
    rows: Sequence[tuple[Path, RespondentRow]], renamed: Mapping[str, str] | None = None
) -> RespondentPlan:
    """Sort respondents-file rows into respondent and interview attributes.

    A row that names a transcript keeps its interview attributes (wave, date, ...) with
    that transcript, so one respondent interviewed in two waves keeps both; every other
    attribute is the respondent's and must agree across all of their rows.
    """
    renamed = renamed or {}
    plan = RespondentPlan()
    given: dict[tuple[str, str], tuple[str, str]] = {}
    for path, row in rows:
        where = f"{path}:{row.line}"
        own = plan.respondents.setdefault(row.respondent, {})
        transcript = renamed.get(row.transcript, row.transcript) if row.transcript else None
        for name, value in row.attributes.items():
            if transcript is not None and name.lower() in INTERVIEW_ATTRIBUTES:
                plan.interviews.setdefault(transcript, {})[name] = value
                continue
            earlier = given.get((row.respondent, name))
            if earlier is not None and earlier[1] != value:
                raise TranscriptError(
                    f"{earlier[0]} and {where}: respondent '{row.respondent}' has {name} "
                    f"'{earlier[1]}' and '{value}'; a respondent's {name} is the same in every "
                    f"interview (what differs per interview goes in a column such as "
                    f"{', '.join(INTERVIEW_ATTRIBUTES[:3])}); correct one of the rows"
                )
            given[(row.respondent, name)] = (where, value)
            own[name] = value
        if transcript is not None:
            plan.links.append((transcript, row.respondent, where))
    return plan


def import_paths(
    project: Project,
    paths: Sequence[Path],
    *,
    meta: Path | None = None,
    interviewer_labels: Sequence[str] | None = None,
    screen: Callable[[Sequence[Path]], None] | None = None,
    id_prefix: str | None = None,
    renames: Mapping[str, str] | None = None,
) -> ImportReport:
    """Parse every file first, then store them all (and the respondent attributes) in
    one transaction: a bad file anywhere leaves the project unchanged.

    A REFI-QDA project (``.qdpx``) is imported on its own, with its codebook, codings and
    cases (see :mod:`qcode.refi.reader`); ``renames`` (old code id -> new) map codes of
    the project that its codebook lacks."""
    from qcode.transcripts import parse_file

    if any(Path(p).suffix.lower() == REFI_PROJECT_SUFFIX for p in paths):
        if len(paths) != 1 or meta is not None:
            raise TranscriptError(
                "a .qdpx project is imported on its own: run 'qcode import FILE.qdpx' "
                "without other files or --meta"
            )
        from qcode.importing.qdpx import import_qdpx

        return import_qdpx(project, Path(paths[0]), interviewer_labels=interviewer_labels,
                           renames=renames)
    if renames:
        raise UsageError(
            "--rename maps codes when importing a .qdpx project; to map codes of a codebook "
            "use 'qcode codebook load FILE --rename OLD=NEW'"
        )
    found = find_transcripts(paths)
    files = found.files
    given = tuple(interviewer_labels) if interviewer_labels is not None else None
    remembered = remembered_interviewer_labels(project)
    transcripts: list[Transcript] = []
    origin: dict[str, Path] = {}
    renamed: dict[str, str] = {}
    notes: list[str] = skipped_notes(found.skipped)
    for path in files:
        transcript = parse_file(path, interviewer_labels=given)
        if id_prefix:
            renamed[transcript.id] = id_prefix + transcript.id
            transcript = dataclasses.replace(transcript, id=id_prefix + transcript.id)
        if given is None and transcript.id in remembered:
            # The labels named at an earlier import still hold: read the file the same way.
            labels = remembered[transcript.id]
            transcript = dataclasses.replace(
                parse_file(path, interviewer_labels=labels), id=transcript.id)
            notes.append(f"{path}: interviewer label(s) {', '.join(labels)} as named at an "
                         "earlier import (--interviewer changes them)")
        elif given is not None:
            transcript = dataclasses.replace(transcript, interviewer_labels=given)
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
    plan = plan_respondents(
        [(f, row) for f in meta_files for row in read_respondents_csv(f)], renamed
    )
    outcomes = []
    with project.atomic():
        before = respondent_of(project)
        for transcript in transcripts:
            outcome = save_transcript(project, transcript)
            outcomes.append(outcome)
            notes.extend(outcome.notes)
        for respondent, attributes in plan.respondents.items():
            set_respondent_attributes(project, respondent, attributes)
        missing = []
        for transcript_id, respondent, where in plan.links:
            if not assign_respondent(project, transcript_id, respondent):
                missing.append(f"{where} ('{transcript_id}')")
        for transcript_id, attributes in plan.interviews.items():
            set_interview_attributes(project, transcript_id, attributes)
        # Respondents named after a file until a respondents file said whose it is.
        stale = {t.id for t in transcripts} | {
            before[t] for t, _, _ in plan.links if t in before}
        removed = drop_unused_respondents(project, stale - set(plan.respondents))
        refresh_index(project, [outcome.transcript for outcome in outcomes])
    if missing:
        notes.append(
            f"{len(missing)} row(s) of the respondents file name a transcript that is not in "
            f"the project (yet): {', '.join(missing[:SHOWN])}"
            + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
            + "; import those transcripts and run the import again to link them"
        )
    if removed:
        notes.append(
            f"removed {len(removed)} respondent(s) named after a transcript that now belongs "
            f"to the respondent the respondents file names: {', '.join(removed[:SHOWN])}"
            + (f" and {len(removed) - SHOWN} more" if len(removed) > SHOWN else "")
        )
    warnings = tuple(w for t in transcripts for w in t.warnings)
    return ImportReport(tuple(outcomes), tuple(str(f) for f in meta_files),
                        len(plan.respondents), tuple(notes), warnings)


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
