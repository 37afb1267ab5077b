"""Bring another coder's project into this one: codings, suggestion decisions and memos.

Transcripts are matched by their content hash (speakers and text of every segment), not
by file name or id, so two researchers who imported the same interview under different
names still line up, and segment numbers mean the same on both sides. Everything is
checked before anything is written, and the whole merge is one transaction: a transcript
whose text matches nothing here, or a code this codebook lacks, stops it with nothing
merged. A coding or decision that is already here is left as it is (its memo too), so
merging twice changes nothing. Decisions belong to their coder: a coder's decision here
is never replaced by the same coder's different decision there (it is reported).
Memos come along on the same terms: on transcripts and segments by the matched
transcript, on codes, cases and respondents by name (each must be here too); a memo
already here (same place, coder and time) is left as it is, its text too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from qcode.errors import ProjectError, QcodeError
from qcode.models import Coding, Memo, MemoTarget
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import require_codebook
from qcode.store.problems import translated_errors
from qcode.store.project import DB_NAME, Project, open_copy
from qcode.store.suggestions import Decision
from qcode.store.transcripts import content_hashes

SHOWN = 5


class MergeError(QcodeError):
    """The other project does not fit this one; nothing was merged."""


@dataclass(frozen=True)
class CoderCounts:
    added: int = 0
    already_present: int = 0


@dataclass(frozen=True)
class DecisionConflict:
    """A suggestion one coder decided differently in the two projects; this project's
    decision stays."""

    transcript: str
    segment: int
    code: str
    coder: str
    here: str
    other: str


@dataclass(frozen=True)
class MergeOutcome:
    """What a merge brought in (or, with ``dry_run``, would have brought in).

    ``transcripts`` pairs each transcript of the other project that has codings or
    decisions with the transcript here that has the same text (other id, id here).
    ``memo_differs`` counts codings that were already here with another memo: the memo
    here is kept.
    """

    other: Path
    transcripts: tuple[tuple[str, str], ...]
    added: int
    already_present: int
    by_coder: dict[str, CoderCounts]
    memo_differs: int
    decisions_added: int
    decisions_present: int
    conflicts: tuple[DecisionConflict, ...] = field(default_factory=tuple)
    dry_run: bool = False
    memos_added: int = 0
    memos_present: int = 0
    memos_differ: int = 0
    """Memos there that are here too (same place, coder and time) with another text; the
    text here is kept."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def merge_project(
    project: Project,
    other: Path,
    *,
    rename_coders: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> MergeOutcome:
    """Merge the codings (coder, provenance, memo, span, created_at) and the suggestion
    decisions of the project at ``other`` into ``project``.

    ``rename_coders`` maps a coder name of the other project to the name to record here
    (for two coders who both coded as, say, their shared user name). The other project
    is read from a copy and never changed. Raises MergeError, naming every mismatching
    transcript and unknown code, before anything is written.
    """
    renames = dict(rename_coders or {})
    source = _open_other(project, other)
    where = source.root
    try:
        # A damaged page there reads as damage to the other project, never as a bug here.
        with translated_errors(source.db_path, whose="the other project",
                               then="nothing was merged"):
            original = codings_store.select(source)
            memos = [replace(m, coder=renames.get(m.coder, m.coder), id=None)
                     for m in memos_store.select(source)]
            known_coders = set(codings_store.coders(source)) | {
                d.coder for d in suggestions_store.decisions(source)} | set(
                memos_store.coders(source))
            for old in renames:
                if old not in known_coders:
                    raise MergeError(
                        f"--rename-coder {old}={renames[old]}: no codings by '{old}' in {where}; "
                        f"its coders are {', '.join(sorted(known_coders)) or 'none'}"
                    )
            codings = [_renamed(coding, renames) for coding in original]
            decisions = [replace(d, coder=renames.get(d.coder, d.coder))
                         for d in suggestions_store.decisions(source)]
            hashes = content_hashes(source)
    finally:
        source.close()
    mapping = _match_transcripts(project, where, hashes, codings, decisions, memos)
    _check_codes(project, where, codings, decisions)
    memos = [_memo_here(memo, mapping) for memo in memos]
    _check_memo_targets(project, where, memos)
    try:
        with project.atomic():
            outcome = _write(project, other, mapping, codings, decisions, dry_run=dry_run)
            outcome = _write_memos(project, memos, outcome)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome


def _open_other(project: Project, other: Path) -> Project:
    db_path = other if other.name == DB_NAME or other.is_file() else other / DB_NAME
    if not db_path.is_file():
        raise ProjectError(f"{other}: no qcode project there (no {DB_NAME})")
    if db_path.resolve() == project.db_path.resolve():
        raise MergeError(f"{other}: that is this project; name another coder's project")
    return open_copy(db_path)


def _renamed(coding: Coding, renames: Mapping[str, str]) -> Coding:
    if coding.coder not in renames:
        return coding
    return replace(coding, coder=renames[coding.coder])


# -- checks ------------------------------------------------------------------------------


def _match_transcripts(
    project: Project,
    where: Path,
    hashes: Mapping[str, str],
    codings: list[Coding],
    decisions: list[Decision],
    memos: Sequence[Memo] = (),
) -> dict[str, str]:
    """Other transcript id -> transcript id here, for every transcript with work in it."""
    here: dict[str, list[str]] = {}
    for transcript, digest in sorted(content_hashes(project).items()):
        here.setdefault(digest, []).append(transcript)
    work = Counter(c.transcript for c in codings)
    work.update(d.transcript for d in decisions)
    noted = Counter(m.target.transcript for m in memos if m.target.transcript)
    work.update(noted)
    mapping: dict[str, str] = {}
    unmatched: list[str] = []
    for transcript, count in sorted(work.items()):
        candidates = here.get(hashes.get(transcript, ""), [])
        if transcript in candidates:
            mapping[transcript] = transcript
        elif len(candidates) == 1:
            mapping[transcript] = candidates[0]
        elif candidates:
            raise MergeError(
                f"{where}: transcript '{transcript}' has the same text as "
                f"{', '.join(candidates)} here, so its codings have no single place; "
                "nothing was merged"
            )
        else:
            what = "coding(s), decision(s) and memo(s)" if noted[transcript] else \
                "coding(s) and decision(s)"
            unmatched.append(f"{transcript} ({count} {what})")
    if unmatched:
        shown = ", ".join(unmatched[:SHOWN]) + _more(unmatched)
        raise MergeError(
            f"{where}: {len(unmatched)} transcript(s) there have a text that matches no "
            f"transcript here: {shown}; import the same text here first (transcripts are "
            "matched by their text, not their name); nothing was merged"
        )
    return mapping


def _check_codes(
    project: Project, where: Path, codings: list[Coding], decisions: list[Decision]
) -> None:
    known = set(require_codebook(project).ids)
    used = Counter(c.code for c in codings)
    used.update(d.code for d in decisions)
    unknown = [f"{code} ({count})" for code, count in sorted(used.items()) if code not in known]
    if unknown:
        raise MergeError(
            f"{where}: {len(unknown)} code(s) used there are not in this project's codebook: "
            f"{', '.join(unknown[:SHOWN])}{_more(unknown)}; load a codebook that has them "
            "('qcode codebook load'), or rename them there; nothing was merged"
        )


def _memo_here(memo: Memo, mapping: Mapping[str, str]) -> Memo:
    """The memo with its transcript's id here."""
    target = memo.target
    if target.transcript is None:
        return memo
    return replace(memo, target=MemoTarget(target.kind, mapping[target.name], target.segment,
                                           target.start, target.end))


def _check_memo_targets(project: Project, where: Path, memos: list[Memo]) -> None:
    """Every memo's case, respondent, code or segment must be here as well."""
    targets = memos_store.Targets(project)
    missing: list[str] = []
    for memo in memos:
        try:
            targets.check(memo.target)
        except QcodeError:
            missing.append(f"{memo.target.describe()} ({memo.coder})")
    if missing:
        shown = ", ".join(dict.fromkeys(missing[:SHOWN]))
        raise MergeError(
            f"{where}: {len(missing)} memo(s) there are about something this project lacks: "
            f"{shown}{_more(missing)}; add the case, respondent or code here first, or remove "
            "those memos there ('qcode memo remove'); nothing was merged"
        )


def _more(items: list[str]) -> str:
    return f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""


# -- writing -----------------------------------------------------------------------------


def _write(
    project: Project,
    other: Path,
    mapping: Mapping[str, str],
    codings: list[Coding],
    decisions: list[Decision],
    *,
    dry_run: bool,
) -> MergeOutcome:
    new: list[Coding] = []
    counts: dict[str, list[int]] = {}
    memo_differs = 0
    for coding in codings:
        local = replace(coding, transcript=mapping[coding.transcript])
        present = codings_store.find_exact(project, local)
        tally = counts.setdefault(local.coder, [0, 0])
        if present is None:
            new.append(local)
            tally[0] += 1
        else:
            tally[1] += 1
            memo_differs += present.memo != local.memo
    codings_store.add(project, new)
    added, present_decisions, clashes = suggestions_store.add_decisions(
        project, [replace(d, transcript=mapping[d.transcript]) for d in decisions]
    )
    return MergeOutcome(
        other=other,
        transcripts=tuple(sorted(mapping.items())),
        added=len(new),
        already_present=len(codings) - len(new),
        by_coder={c: CoderCounts(*counts[c]) for c in sorted(counts)},
        memo_differs=memo_differs,
        decisions_added=added,
        decisions_present=present_decisions,
        conflicts=tuple(
            DecisionConflict(transcript=d.transcript, segment=d.segment, code=d.code,
                             coder=d.coder, here=here, other=d.status)
            for d, here in clashes
        ),
        dry_run=dry_run,
    )


def _write_memos(project: Project, memos: list[Memo], outcome: MergeOutcome) -> MergeOutcome:
    new: list[Memo] = []
    present = differ = 0
    for memo in memos:
        if memos_store.find_identical(project, memo) is not None:
            present += 1
        elif memos_store.find_identical(project, memo, same_text=False) is not None:
            differ += 1
        else:
            new.append(memo)
    memos_store.add(project, new)
    return replace(outcome, memos_added=len(new), memos_present=present, memos_differ=differ)
