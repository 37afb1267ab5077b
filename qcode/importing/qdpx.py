"""Store a REFI-QDA project file in the project: ``qcode import FILE.qdpx``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from qcode.analysis.textindex import refresh_index
from qcode.errors import QcodeError
from qcode.importing.outcome import ImportReport
from qcode.models import Codebook, Coding
from qcode.refi.codebook import save_refi_codebook
from qcode.refi.codes import code_guids
from qcode.refi.reader import QdpxContent, read_qdpx
from qcode.refi.xml import RefiError
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store.codebook import load_stored_codebook
from qcode.store.project import Project
from qcode.store.reimport import save_transcript
from qcode.store.transcripts import (
    remembered_interviewer_labels,
    segments_of,
    set_respondent_attributes,
)
from qcode.values import merge_mappings
from qcode.words import plural

SHOWN = 5


def import_qdpx(
    project: Project, path: Path, *, interviewer_labels: Sequence[str] | None = None,
    renames: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import a REFI-QDA project file into ``project``, all or nothing.

    Codes are matched to the project's by GUID, else by label path (see
    :mod:`qcode.refi.codes`); ``renames`` (old id -> new id) map the project's codes that
    the file has under another name, as ``qcode codebook load --rename`` does."""

    existing = load_stored_codebook(project)
    content = read_qdpx(path, known_codes=code_guids(existing),
                        interviewer_labels=interviewer_labels,
                        remembered_labels=remembered_interviewer_labels(project))
    all_renames = merge_mappings(
        content.renames, dict(renames or {}),
        what=f"{path}: --rename and the codes the file names by GUID or label path",
    )
    if content.codebook is not None:
        _check_codes_in_use(project, path, existing, content.codebook, all_renames)
    outcomes = []
    with project.atomic():
        if content.codebook is not None:
            save_refi_codebook(project, content.codebook, content.groups, all_renames)
        for respondent, attributes in content.respondents.items():
            set_respondent_attributes(project, respondent, attributes)
        for transcript in content.transcripts:
            outcomes.append(save_transcript(project, transcript))
        try:
            # A file without codings (and maybe without codes) adds none: no codebook needed.
            added = (codings_store.add(project, _as_stored(project, content.codings))
                     if content.codings else codings_store.AddOutcome((), ()))
            memos = memos_store.add(project, content.memos, from_file=True)
        except QcodeError as exc:
            raise RefiError(f"{path}: {exc}") from None
        refresh_index(project, [outcome.transcript for outcome in outcomes])
    return ImportReport(tuple(outcomes), (), len(content.respondents),
                        (_summary(path, content, added, memos), *content.notes),
                        tuple(content.warnings))


def _as_stored(project: Project, codings: Sequence[Coding]) -> list[Coding]:
    """Codings as the project holds them: a selection of a whole turn from another program
    is the coding of the whole segment, or, when the project has it so, of a span that
    covers all of the segment's text. Both are the same coding, never stored twice."""
    texts = segments_of(project, {c.transcript for c in codings if c.start is None})
    result = []
    for coding in codings:
        segment = texts.get((coding.transcript, coding.segment))
        if coding.start is None and segment is not None and segment.text:
            spanned = replace(coding, start=0, end=len(segment.text))
            if (codings_store.find_exact(project, coding) is None
                    and codings_store.find_exact(project, spanned) is not None):
                coding = spanned
        result.append(coding)
    return result


def _summary(
    path: Path, content: QdpxContent, added: codings_store.AddOutcome,
    memos: memos_store.AddOutcome,
) -> str:
    coders = sorted({c.coder for c in content.codings})
    return (
        f"{path}: REFI-QDA project '{content.name}' from {content.origin or 'an unknown program'}"
        f": {plural(len(content.codebook.codes) if content.codebook else 0, 'code')}, "
        f"{plural(len(content.groups), 'code group')}, "
        f"{plural(len(content.transcripts), 'transcript')}, "
        f"{plural(content.selections, 'coded selection')} -> "
        f"{plural(len(added.added), 'new coding')} "
        f"({len(added.already_present)} already present) by {plural(len(coders), 'coder')} "
        f"({', '.join(coders) or 'none'}), {plural(len(memos.added), 'new memo')} "
        f"({len(memos.already_present)} already present), "
        f"{plural(len(content.respondents), 'case')}; "
        f"users in the file: {', '.join(content.users) or 'none'}"
    )


def _check_codes_in_use(
    project: Project, path: Path, existing: Codebook | None, codebook: Codebook,
    renames: Mapping[str, str],
) -> None:
    """Refuse, naming the codes on both sides, when codes in use would disappear: those
    the file has under another label need --rename OLD=NEW to one of its new codes."""
    ids = set(codebook.ids)
    used = codings_store.codes_in_use(project)
    orphaned = sorted(c for c in used if c not in ids and c not in renames)
    if not orphaned:
        return
    known = set(existing.ids) if existing is not None else set()
    new = [c for c in codebook.codes if c.id not in known]
    offer = ", ".join(f"{c.id} ('{c.label}')" for c in new[:SHOWN]) + (
        f" and {len(new) - SHOWN} more" if len(new) > SHOWN else "")
    candidates = f"; codes of the file this project does not have: {offer}" if new else ""
    example = f"{orphaned[0]}={new[0].id}" if new else f"{orphaned[0]}=NEW"
    raise RefiError(
        f"{path}: {len(orphaned)} code(s) in use here are not in the file's codebook (by "
        "GUID or label path): "
        + ", ".join(f"{c} ({used[c]} codings)" for c in orphaned[:SHOWN])
        + (f" and {len(orphaned) - SHOWN} more" if len(orphaned) > SHOWN else "")
        + f"{candidates}; map each with --rename OLD=NEW (e.g. qcode import {path} "
        f"--rename {example}), or keep the code in the other program"
    )
