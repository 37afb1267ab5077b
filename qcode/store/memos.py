"""Memos: the one place that adds, changes, removes, moves and selects them.

A memo is a researcher's note on the project (a journal entry), a case, a respondent, a
transcript, a code or a segment (optionally a span of it: an annotation on text that
carries no code). Every memo has a coder, like a coding, and the same rules hold: a memo
refers to something the project has; an identical memo (same target, coder, time and
text) is never stored twice, so importing a memo file twice or merging twice changes
nothing; a coder changes their own memos unless they name another coder; a codebook
rename moves code memos all at once; a re-import moves segment memos with their text (see
:mod:`qcode.store.reimport`).
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from qcode.errors import MemoError
from qcode.models import MEMO_KINDS, Memo, MemoTarget
from qcode.store.codes import require_codebook
from qcode.store.project import Project, now_iso
from qcode.store.transcripts import require_transcript, transcript_attributes

_KIND_ORDER = "CASE kind " + " ".join(
    f"WHEN '{kind}' THEN {i}" for i, kind in enumerate(MEMO_KINDS)) + " END"
_ORDER = f"ORDER BY {_KIND_ORDER}, target, segment, start, created_at, id"


@dataclass(frozen=True)
class AddOutcome:
    """Memos added, and identical ones (same target, coder, time and text) already there."""

    added: tuple[Memo, ...]
    already_present: tuple[Memo, ...]


# -- checking targets --------------------------------------------------------------------


class Targets:
    """Checks memo targets against the project, reading each kind of thing once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._cases: list[str] | None = None
        self._respondents: list[str] | None = None
        self._codes: list[str] | None = None
        self._segments: dict[str, dict[int, str]] = {}

    def check(self, target: MemoTarget) -> None:
        """A MemoError naming the target and what the project has instead, when the
        project lacks it."""
        if target.kind == "project":
            return
        if target.kind == "case":
            self._require(target, self.cases(), "case", "cases",
                          "see 'qcode transcripts' for the case of each interview")
        elif target.kind == "respondent":
            self._require(target, self.respondents(), "respondent", "respondents",
                          "see 'qcode transcripts'")
        elif target.kind == "code":
            self._require(target, self.codes(), "code", "codes", "see 'qcode codebook show'")
        elif target.kind == "transcript":
            require_transcript(self.project, target.name)
        elif target.kind == "segment":
            self._check_segment(target)
        else:
            raise MemoError(f"memo target {target}: unknown kind '{target.kind}'")

    def cases(self) -> list[str]:
        if self._cases is None:
            self._cases = sorted({attrs["case"] for attrs in
                                  transcript_attributes(self.project).values()
                                  if attrs.get("case")})
        return self._cases

    def respondents(self) -> list[str]:
        if self._respondents is None:
            self._respondents = [r[0] for r in self.project._db.execute(
                "SELECT id FROM respondents ORDER BY id")]
        return self._respondents

    def codes(self) -> list[str]:
        if self._codes is None:
            self._codes = require_codebook(self.project).ids
        return self._codes

    def segment_text(self, transcript: str, number: int) -> str:
        if transcript not in self._segments:
            require_transcript(self.project, transcript)
            self._segments[transcript] = {
                r[0]: r[1] for r in self.project._db.execute(
                    "SELECT number, text FROM segments WHERE transcript_id = ?", (transcript,))
            }
        segments = self._segments[transcript]
        if number not in segments:
            raise MemoError(
                f"memo target segment:{transcript}:{number}: {transcript} has segments 1 to "
                f"{len(segments)}; see 'qcode show {transcript}'"
            )
        return segments[number]

    def _check_segment(self, target: MemoTarget) -> None:
        assert target.segment is not None
        text = self.segment_text(target.name, target.segment)
        span = target.span
        if span is not None:
            start, end = span
            if start < 0 or end <= start:
                raise MemoError(f"memo target {target.describe()}: the span is empty or "
                                "reversed; END must be greater than START")
            if end > len(text):
                raise MemoError(f"memo target {target.describe()}: the span runs past the end "
                                f"of the segment ({len(text)} characters)")

    @staticmethod
    def _require(target: MemoTarget, known: Sequence[str], what: str, plural: str,
                 hint: str) -> None:
        if target.name in known:
            return
        close = difflib.get_close_matches(target.name, list(known), n=1, cutoff=0.6)
        if close:
            advice = f"did you mean '{close[0]}'?"
        else:
            shown = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
            advice = f"{plural} in this project: {shown or 'none yet'}; {hint}"
        raise MemoError(f"memo target {target}: no {what} '{target.name}' in this project; "
                        f"{advice}")


# -- writing -----------------------------------------------------------------------------


def add(project: Project, memos: Iterable[Memo], *, from_file: bool = False) -> AddOutcome:
    """Add memos in one transaction, each checked first (a bad one adds none).

    A memo without a time gets the current time; ``updated_at`` defaults to it. A memo
    identical to a stored one (same target and span, coder, time and text) is not stored
    twice and is reported in ``already_present``. ``from_file``: a memo read from a file
    that gives no time counts as present when one with the same place, coder and text is,
    whenever it was written, so importing that file twice adds nothing.
    """
    targets = Targets(project)
    added: list[Memo] = []
    present: list[Memo] = []
    with project.atomic():
        for memo in memos:
            _check_memo(memo)
            targets.check(memo.target)
            created = memo.created_at or now_iso()
            stamped = replace(memo, created_at=created, updated_at=memo.updated_at or created)
            same = (find_identical(project, memo, same_time=False)
                    if from_file and not memo.created_at else find_identical(project, stamped))
            if same is not None:
                present.append(same)
                continue
            t = stamped.target
            cursor = project._db.execute(
                "INSERT INTO memos(kind, target, segment, start, end, text, coder, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (t.kind, t.name, t.segment, t.start, t.end, stamped.text, stamped.coder,
                 stamped.created_at, stamped.updated_at),
            )
            added.append(replace(stamped, id=cursor.lastrowid))
    return AddOutcome(tuple(added), tuple(present))


def _check_memo(memo: Memo) -> None:
    if not memo.text.strip():
        raise MemoError(f"memo on {memo.target}: the text is empty; write what the memo says")
    if not memo.coder.strip():
        raise MemoError("empty coder name; pass --coder NAME or set QCODE_CODER")


def find_identical(project: Project, memo: Memo, *, same_text: bool = True,
                   same_time: bool = True) -> Memo | None:
    """The stored memo with the same target (and span), coder, time and text, if any;
    with ``same_text=False``, the one written at the same place and time by the same coder
    whatever its text says now; with ``same_time=False``, whenever it was written."""
    t = memo.target
    query = ("SELECT * FROM memos WHERE kind = ? AND target = ? AND segment IS ? "
             "AND start IS ? AND end IS ? AND coder = ?")
    params: list[object] = [t.kind, t.name, t.segment, t.start, t.end, memo.coder]
    if same_time:
        query += " AND created_at = ?"
        params.append(memo.created_at)
    if same_text:
        query += " AND text = ?"
        params.append(memo.text)
    row = project._db.execute(query + " ORDER BY id LIMIT 1", params).fetchone()
    return None if row is None else _memo(row)


def get(project: Project, memo_id: int) -> Memo:
    """The memo with this number, or a MemoError saying where to find the numbers."""
    row = project._db.execute("SELECT * FROM memos WHERE id = ?", (memo_id,)).fetchone()
    if row is None:
        raise MemoError(f"no memo {memo_id} in this project; 'qcode memo list' shows each "
                        "memo's number")
    return _memo(row)


def resolve(project: Project, reference: int | MemoTarget, *, coder: str | None) -> Memo:
    """The one memo a command means: by number (it must be ``coder``'s, unless ``coder``
    is None), or the only memo ``coder`` has on a target (and span, when one is given).
    Several or none is an error that lists the numbers to choose from."""
    if isinstance(reference, int):
        memo = get(project, reference)
        if coder is not None and memo.coder != coder:
            raise MemoError(
                f"memo {memo.id} on {memo.target.describe()} is {memo.coder}'s, not {coder}'s; "
                f"pass --coder {memo.coder} to change another coder's memo"
            )
        return memo
    found = [m for m in select(project, target=reference, coders=[coder] if coder else [],
                               exact=True)
             if reference.span is None or m.target.span == reference.span]
    who = f" by {coder}" if coder else ""
    if not found:
        others = sorted({m.coder for m in select(project, target=reference, exact=True)})
        hint = (f" (there are memos there by {', '.join(others)}; pass --coder NAME)"
                if others else f"; add one with 'qcode memo add {reference} TEXT'")
        raise MemoError(f"no memo{who} on {reference.describe()}{hint}")
    if len(found) > 1:
        numbers = ", ".join(str(m.id) for m in found[:10]) + (" ..." if len(found) > 10 else "")
        raise MemoError(f"{reference.describe()} has {len(found)} memos{who} (numbers "
                        f"{numbers}); name one by its number, e.g. 'qcode memo edit "
                        f"{found[0].id} TEXT'")
    return found[0]


def edit(project: Project, memo: Memo, text: str) -> Memo:
    """Replace a stored memo's text; its ``updated_at`` becomes now."""
    changed = replace(memo, text=text, updated_at=now_iso())
    _check_memo(changed)
    with project.atomic():
        count = project._db.execute(
            "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
            (changed.text, changed.updated_at, memo.id),
        ).rowcount
        if not count:
            raise MemoError(f"memo {memo.id} is no longer there")
    return changed


def remove(project: Project, memo: Memo) -> Memo:
    """Remove one stored memo and return it as it was, so it can be put back."""
    with project.atomic():
        count = project._db.execute("DELETE FROM memos WHERE id = ?", (memo.id,)).rowcount
        if not count:
            raise MemoError(f"memo {memo.id} is no longer there")
    return memo


def restore(project: Project, memo: Memo) -> None:
    """Put back a removed memo under its old number (undo in the coding screen)."""
    t = memo.target
    with project.atomic():
        taken = project._db.execute("SELECT 1 FROM memos WHERE id = ?", (memo.id,)).fetchone()
        project._db.execute(
            "INSERT INTO memos(id, kind, target, segment, start, end, text, coder, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (None if taken else memo.id, t.kind, t.name, t.segment, t.start, t.end, memo.text,
             memo.coder, memo.created_at, memo.updated_at),
        )


def rename_codes(project: Project, mapping: Mapping[str, str]) -> dict[tuple[str, str], int]:
    """Move the memos on each old code to its new code, all at once (a swap swaps).
    Runs inside the caller's transaction; returns the memos moved per (old, new)."""
    if not mapping:
        return {}
    olds = sorted(mapping)
    marks = ",".join("?" * len(olds))
    counts = {(r[0], mapping[r[0]]): r[1] for r in project._db.execute(
        f"SELECT target, count(*) FROM memos WHERE kind = 'code' AND target IN ({marks}) "
        "GROUP BY target", olds)}
    cases = " ".join("WHEN ? THEN ?" for _ in olds)
    params = [value for old in olds for value in (old, mapping[old])]
    # One statement reads every old value before writing any new one: a swap swaps.
    project._db.execute(
        f"UPDATE memos SET target = CASE target {cases} END "
        f"WHERE kind = 'code' AND target IN ({marks})", [*params, *olds])
    return counts


def move_segment_memos(
    project: Project, moves: Iterable[tuple[Memo, int, int | None, int | None]]
) -> None:
    """Put segment memos on another segment (and span) of their transcript, or, with
    segment 0, on the transcript itself: a re-import that found where each one's text now
    stands. Runs inside the caller's transaction."""
    rows: list[tuple[str, int | None, int | None, int | None, int | None]] = []
    for memo, segment, start, end in moves:
        if segment == 0:
            rows.append(("transcript", None, None, None, memo.id))
        else:
            rows.append(("segment", segment, start, end, memo.id))
    project._db.executemany(
        "UPDATE memos SET kind = ?, segment = ?, start = ?, end = ? WHERE id = ?", rows)


# -- reading -----------------------------------------------------------------------------


def select(
    project: Project,
    *,
    target: MemoTarget | None = None,
    kinds: Sequence[str] = (),
    coders: Sequence[str] = (),
    exact: bool = False,
) -> list[Memo]:
    """Memos by kind (project first), target, segment and time.

    ``target`` limits to the memos on it; unless ``exact``, a transcript's include its
    segments' and a code's its sub-codes' (as ``--code`` does everywhere). ``kinds`` and
    ``coders`` limit further.
    """
    query = "SELECT * FROM memos WHERE 1 = 1"
    params: list[object] = []
    if target is not None:
        if target.kind == "transcript" and not exact:
            query += " AND kind IN ('transcript', 'segment') AND target = ?"
            params.append(target.name)
        elif target.kind == "code" and not exact:
            escaped = target.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query += " AND kind = 'code' AND (target = ? OR target LIKE ? ESCAPE '\\')"
            params.extend([target.name, escaped + ".%"])
        else:
            query += " AND kind = ? AND target = ?"
            params.extend([target.kind, target.name])
            if target.segment is not None:
                query += " AND segment = ?"
                params.append(target.segment)
    if kinds:
        query += f" AND kind IN ({','.join('?' * len(kinds))})"
        params.extend(kinds)
    if coders:
        query += f" AND coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    return [_memo(row) for row in project._db.execute(f"{query} {_ORDER}", params)]


def segment_memos(project: Project, transcript: str) -> list[Memo]:
    """The memos on segments of one transcript."""
    return select(project, target=MemoTarget("transcript", transcript), kinds=["segment"])


def coders(project: Project) -> list[str]:
    """Every coder with at least one memo, in name order."""
    return [r[0] for r in project._db.execute("SELECT DISTINCT coder FROM memos ORDER BY 1")]


def require_coders(project: Project, names: Sequence[str], *, option: str = "--coder") -> None:
    """The one unknown-coder error (see :func:`qcode.store.codings.require_coders`), for
    the coders of memos."""
    from qcode.store.codings import require_coders as require

    require(project, names, option=option, known=coders(project), what="memos")


def codes_with_memos(project: Project) -> dict[str, int]:
    """Memos per code id, for the codes that have any."""
    return {r[0]: r[1] for r in project._db.execute(
        "SELECT target, count(*) FROM memos WHERE kind = 'code' GROUP BY target")}


def _memo(row: sqlite3.Row) -> Memo:
    target = MemoTarget(row["kind"], row["target"], row["segment"], row["start"], row["end"])
    return Memo(target=target, text=row["text"], coder=row["coder"],
                created_at=row["created_at"], updated_at=row["updated_at"], id=row["id"])
