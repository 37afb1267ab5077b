"""Confirmed codings: the one place that adds, removes, changes and selects them.

Every rule about codings lives here: a coding refers to a respondent turn of a transcript
in the project and to a code of its codebook; an exact duplicate is never stored twice; a
memo given again updates the coding's memo; a rename moves every code at once and never
drops a memo. Commands combine these functions, they never repeat them.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from qcode.errors import CodingError
from qcode.models import PROVENANCES, Codebook, Coding
from qcode.store.codes import require_codebook
from qcode.store.project import Project, now_iso
from qcode.store.transcripts import require_transcript

MEMO_JOIN = "\n\n"
"""Between two memos that a rename folds into one coding."""

_EXACT = (
    "transcript_id = ? AND segment = ? AND code_id = ? AND coder = ? "
    "AND ifnull(start, -1) = ifnull(?, -1) AND ifnull(end, -1) = ifnull(?, -1)"
)


def _key(coding: Coding) -> tuple[object, ...]:
    return (coding.transcript, coding.segment, coding.code, coding.coder, coding.start,
            coding.end)


@dataclass(frozen=True)
class AddOutcome:
    """What adding codings did: new ones, exact duplicates left as they were, and
    existing codings whose memo was replaced by the one given."""

    added: tuple[Coding, ...]
    already_present: tuple[Coding, ...]
    memo_updated: tuple[Coding, ...] = ()


@dataclass(frozen=True)
class RenameOutcome:
    """What renaming codes did: codings moved per (old, new), and codings folded into
    an identical one on the new code (their memos joined)."""

    moved: dict[tuple[str, str], int]
    folded: tuple[Coding, ...]


class References:
    """Checks codings against the project: transcript, segment, code, span, coder.

    Caches the codebook and the segments it has looked at, so checking a thousand
    codings of one CSV file reads each transcript once.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.codebook: Codebook = require_codebook(project)
        self._code_ids = set(self.codebook.ids)
        self._segments: dict[str, dict[int, tuple[bool, str]]] = {}

    def segment_text(self, transcript: str, segment: int) -> str:
        """The segment's text; a CodingError when the transcript or segment is unknown."""
        return self._segment(transcript, segment)[1]

    def _segment(self, transcript: str, segment: int) -> tuple[bool, str]:
        if transcript not in self._segments:
            require_transcript(self.project, transcript)
            self._segments[transcript] = {
                row["number"]: (bool(row["interviewer"]), row["text"])
                for row in self.project._db.execute(
                    "SELECT number, interviewer, text FROM segments WHERE transcript_id = ?",
                    (transcript,),
                )
            }
        segments = self._segments[transcript]
        if segment not in segments:
            raise CodingError(
                f"{transcript}: no segment {segment} (it has segments 1 to {len(segments)}); "
                f"see 'qcode show {transcript}'"
            )
        return segments[segment]

    def check(self, coding: Coding) -> None:
        interviewer, text = self._segment(coding.transcript, coding.segment)
        if interviewer:
            raise CodingError(
                f"{coding.transcript}:{coding.segment} is an interviewer turn; only respondent "
                "turns can be coded"
            )
        self.check_code(coding.code)
        if coding.provenance not in PROVENANCES:
            raise CodingError(
                f"unknown provenance '{coding.provenance}'; use one of {', '.join(PROVENANCES)}"
            )
        if not coding.coder.strip():
            raise CodingError("empty coder name; pass --coder NAME or set QCODE_CODER")
        if (coding.start is None) != (coding.end is None):
            raise CodingError(
                f"{coding.transcript}:{coding.segment}: a span needs both a start and an end"
            )
        if coding.start is not None and coding.end is not None:
            if coding.start < 0 or coding.end <= coding.start:
                raise CodingError(
                    f"{coding.transcript}:{coding.segment}: span {coding.start}:{coding.end} "
                    "is empty or reversed; END must be greater than START"
                )
            if coding.end > len(text):
                raise CodingError(
                    f"{coding.transcript}:{coding.segment}: span {coding.start}:{coding.end} "
                    f"runs past the end of the segment ({len(text)} characters)"
                )

    def check_code(self, code: str) -> None:
        if code in self._code_ids:
            return
        close = difflib.get_close_matches(code, sorted(self._code_ids), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "see 'qcode codebook show'"
        raise CodingError(f"unknown code '{code}'; {hint}")


# -- writing -------------------------------------------------------------------------------


def add(project: Project, codings: Iterable[Coding]) -> AddOutcome:
    """Add codings in one transaction, each checked first (a bad one adds none).

    An exact duplicate of a stored coding (same segment, code, coder and span) is not
    stored twice; when it carries a memo that differs, the stored coding's memo is
    replaced by it and the coding is reported in ``memo_updated``.
    """
    references = References(project)
    added: list[Coding] = []
    present: list[Coding] = []
    updated: list[Coding] = []
    db = project._db
    with project.atomic():
        for coding in codings:
            references.check(coding)
            stamped = coding if coding.created_at else replace(coding, created_at=now_iso())
            cursor = db.execute(
                "INSERT OR IGNORE INTO codings(transcript_id, segment, code_id, coder, provenance,"
                " memo, start, end, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stamped.transcript, stamped.segment, stamped.code, stamped.coder,
                 stamped.provenance, stamped.memo, stamped.start, stamped.end,
                 stamped.created_at),
            )
            if cursor.rowcount:
                added.append(stamped)
                continue
            stored = db.execute(f"SELECT * FROM codings WHERE {_EXACT}", _key(coding)).fetchone()
            if coding.memo and stored["memo"] != coding.memo:
                db.execute("UPDATE codings SET memo = ? WHERE id = ?", (coding.memo, stored["id"]))
                updated.append(replace(_coding(stored), memo=coding.memo))
            else:
                present.append(_coding(stored))
    return AddOutcome(tuple(added), tuple(present), tuple(updated))


def remove(
    project: Project,
    transcript: str,
    segment: int,
    codes: Sequence[str],
    *,
    coder: str | None,
    span: tuple[int, int] | None = None,
    name_others: bool = True,
) -> int:
    """Remove the named codes from a segment: ``coder``'s codings, or every coder's when
    ``coder`` is None (the CLI asks for that explicitly). Removing a code that is not
    there is an error, so a typo never passes silently; it names the other coders who
    have the code there unless ``name_others`` is False (a blind round)."""
    references = References(project)
    references.segment_text(transcript, segment)
    removed = 0
    with project.atomic():
        for code in codes:
            references.check_code(code)
            query = "DELETE FROM codings WHERE transcript_id = ? AND segment = ? AND code_id = ?"
            params: list[object] = [transcript, segment, code]
            if coder is not None:
                query += " AND coder = ?"
                params.append(coder)
            if span is not None:
                query += " AND start = ? AND end = ?"
                params.extend(span)
            count = project._db.execute(query, params).rowcount
            if count == 0:
                who = f" by {coder}" if coder is not None else ""
                where = f" on span {span[0]}:{span[1]}" if span else ""
                others = _coders_on(project, transcript, segment, code) if name_others else []
                hint = (f" (it has {code} by {', '.join(others)}; pass --coder NAME or "
                        "--all-coders)") if others and coder is not None else ""
                raise CodingError(
                    f"{transcript}:{segment} has no coding {code}{who}{where}{hint}; "
                    f"see 'qcode codings list {transcript}'"
                )
            removed += count
    return removed


def _coders_on(project: Project, transcript: str, segment: int, code: str) -> list[str]:
    return [r[0] for r in project._db.execute(
        "SELECT DISTINCT coder FROM codings WHERE transcript_id = ? AND segment = ? "
        "AND code_id = ? ORDER BY coder", (transcript, segment, code))]


def remove_exact(project: Project, coding: Coding) -> Coding:
    """Remove exactly this coding (one coder, one span) and return it as it was stored,
    memo and time included, so it can be put back."""
    with project.atomic():
        stored = project._db.execute(
            f"SELECT * FROM codings WHERE {_EXACT}", _key(coding)
        ).fetchone()
        if stored is None:
            raise CodingError(f"{describe(coding)} by {coding.coder} is no longer there")
        project._db.execute("DELETE FROM codings WHERE id = ?", (stored["id"],))
    return _coding(stored)


def find_exact(project: Project, coding: Coding) -> Coding | None:
    """The stored coding with the same segment, code, coder and span, if there is one."""
    row = project._db.execute(f"SELECT * FROM codings WHERE {_EXACT}", _key(coding)).fetchone()
    return None if row is None else _coding(row)


def set_memo(project: Project, coding: Coding, memo: str) -> None:
    """Replace the memo of exactly this coding."""
    with project.atomic():
        changed = project._db.execute(
            f"UPDATE codings SET memo = ? WHERE {_EXACT}", (memo, *_key(coding))
        ).rowcount
        if not changed:
            raise CodingError(f"{describe(coding)} by {coding.coder} is no longer there")


def describe(coding: Coding) -> str:
    span = f" [{coding.start}:{coding.end}]" if coding.start is not None else ""
    return f"{coding.code}{span} on {coding.transcript}:{coding.segment}"


def rename_codes(project: Project, mapping: Mapping[str, str]) -> RenameOutcome:
    """Move every coding of each old code to its new code, all mappings at once: a swap
    ``a=b b=a`` swaps, a chain ``a=b b=c`` moves a to b and b to c.

    Where a moved coding meets an identical one (same segment, coder and span) on the
    new code, the two become one: the earlier time and provenance are kept and both
    memos are joined, so no memo is lost. Runs inside the caller's transaction.
    """
    db = project._db
    if not mapping:
        return RenameOutcome({}, ())
    olds = sorted(mapping)
    rows = db.execute(
        f"SELECT * FROM codings WHERE code_id IN ({','.join('?' * len(olds))}) ORDER BY id",
        olds,
    ).fetchall()
    moved: dict[tuple[str, str], int] = {}
    with project.atomic():
        # Take the moving codings out first, so a swap never meets itself half-way.
        db.executemany("DELETE FROM codings WHERE id = ?", [(r["id"],) for r in rows])
        folded: list[Coding] = []
        for row in rows:
            coding = replace(_coding(row), code=mapping[row["code_id"]])
            pair = (row["code_id"], coding.code)
            moved[pair] = moved.get(pair, 0) + 1
            existing = db.execute(f"SELECT * FROM codings WHERE {_EXACT}",
                                  _key(coding)).fetchone()
            if existing is None:
                _insert(project, coding)
                continue
            memos = [m for m in (existing["memo"], coding.memo) if m]
            memo = MEMO_JOIN.join(dict.fromkeys(memos))
            keep_new = coding.created_at < existing["created_at"]
            db.execute(
                "UPDATE codings SET memo = ?, created_at = ?, provenance = ? WHERE id = ?",
                (memo, coding.created_at if keep_new else existing["created_at"],
                 coding.provenance if keep_new else existing["provenance"], existing["id"]),
            )
            folded.append(coding)
    return RenameOutcome(moved, tuple(folded))


def _insert(project: Project, coding: Coding) -> None:
    project._db.execute(
        "INSERT INTO codings(transcript_id, segment, code_id, coder, provenance, memo, start, "
        "end, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (coding.transcript, coding.segment, coding.code, coding.coder, coding.provenance,
         coding.memo, coding.start, coding.end, coding.created_at or now_iso()),
    )


def move(project: Project, moves: Iterable[tuple[Coding, int, int | None, int | None]]) -> None:
    """Put codings on another segment (and span) of their transcript: a re-import that
    found where each one's text now stands. Runs inside the caller's transaction."""
    db = project._db
    pending = list(moves)
    ids = []
    for coding, _, _, _ in pending:
        row = db.execute(f"SELECT id FROM codings WHERE {_EXACT}", _key(coding)).fetchone()
        ids.append(row["id"])
    # Park them first: a coding moving onto a number another one is leaving must not
    # collide with it on the unique index.
    db.executemany("UPDATE codings SET segment = -id WHERE id = ?", [(i,) for i in ids])
    db.executemany(
        "UPDATE codings SET segment = ?, start = ?, end = ? WHERE id = ?",
        [(segment, start, end, i) for i, (_, segment, start, end) in zip(ids, pending,
                                                                         strict=True)],
    )


# -- reading -------------------------------------------------------------------------------


def select(
    project: Project,
    *,
    transcripts: Sequence[str] | None = None,
    codes: Sequence[str] = (),
    coders: Sequence[str] = (),
) -> list[Coding]:
    """Codings in transcript, segment, code, coder order.

    ``transcripts`` limits to those transcripts (None: all; each must exist); ``codes``
    to a code and its sub-codes (each must be in the codebook); ``coders`` to those
    coders. Commands that take coders from the user check them first with
    :func:`require_coders`, so an unknown coder is the same error everywhere.
    """
    for transcript in transcripts or ():
        require_transcript(project, transcript)
    if transcripts is not None and not transcripts:
        return []
    query = "SELECT * FROM codings WHERE 1 = 1"
    params: list[object] = []
    if transcripts is not None:
        query += f" AND transcript_id IN ({','.join('?' * len(transcripts))})"
        params.extend(transcripts)
    if coders:
        query += f" AND coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    if codes:
        references = References(project)
        for code in codes:
            references.check_code(code)
        clause, code_params = within_clause("code_id", codes)
        query += f" AND {clause}"
        params.extend(code_params)
    query += " ORDER BY transcript_id, segment, code_id, coder, start"
    return [_coding(row) for row in project._db.execute(query, params)]


def within_clause(column: str, codes: Sequence[str]) -> tuple[str, list[str]]:
    """SQL for "``column`` is one of ``codes`` or a sub-code of one" (see
    :func:`qcode.models.within`)."""
    clauses = []
    params: list[str] = []
    for code in codes:
        clauses.append(f"({column} = ? OR {column} LIKE ? ESCAPE '\\')")
        escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.extend([code, escaped + ".%"])
    return "(" + " OR ".join(clauses) + ")", params


def coders(project: Project) -> list[str]:
    """Every coder with at least one coding, in name order."""
    return [r[0] for r in project._db.execute("SELECT DISTINCT coder FROM codings ORDER BY 1")]


def require_coders(
    project: Project, names: Sequence[str], *, option: str = "--coder",
    known: Sequence[str] | None = None, what: str = "codings",
) -> None:
    """The one error for a coder who has no codings in the project, listing those who do.
    ``known`` and ``what`` name other work instead (the coders of memos, say)."""
    if not names:
        return
    known = coders(project) if known is None else list(known)
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise CodingError(
                f"{option} {name}: no {what} by that coder{hint}; coders in this project: "
                f"{', '.join(known) or 'none yet'}"
            )


def codes_in_use(project: Project) -> dict[str, int]:
    """Codings per code id, for the codes that have any."""
    return {r[0]: r[1] for r in project._db.execute(
        "SELECT code_id, count(*) FROM codings GROUP BY code_id")}


def examples(project: Project, codes: Sequence[str], limit: int = 5) -> list[Coding]:
    """A few codings of ``codes``, to show in an error message."""
    if not codes:
        return []
    rows = project._db.execute(
        f"SELECT * FROM codings WHERE code_id IN ({','.join('?' * len(codes))}) "
        "ORDER BY transcript_id, segment LIMIT ?",
        (*codes, limit),
    )
    return [_coding(row) for row in rows]


def transcripts_by_coder(
    project: Project, coders: Sequence[str] = ()
) -> dict[str, set[str]]:
    """The transcripts each coder has coded at least once."""
    found: dict[str, set[str]] = {coder: set() for coder in coders}
    query = "SELECT DISTINCT coder, transcript_id FROM codings"
    params: list[str] = []
    if coders:
        query += f" WHERE coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    for row in project._db.execute(query, params):
        found.setdefault(row[0], set()).add(row[1])
    return found


def tally(project: Project, coders: Sequence[str] = ()) -> list[tuple[str, str, str, int]]:
    """(coder, provenance, transcript, codings) for every combination that occurs."""
    query = "SELECT coder, provenance, transcript_id, count(*) FROM codings"
    params: list[str] = []
    if coders:
        query += f" WHERE coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    query += " GROUP BY coder, provenance, transcript_id ORDER BY coder, provenance, transcript_id"
    return [(r[0], r[1], r[2], r[3]) for r in project._db.execute(query, params)]


def uncoded_transcript(project: Project, coder: str) -> str | None:
    """The first transcript (by id) with a respondent turn ``coder`` has not coded."""
    row = project._db.execute(
        "SELECT s.transcript_id FROM segments s WHERE s.interviewer = 0 AND NOT EXISTS "
        "(SELECT 1 FROM codings c WHERE c.transcript_id = s.transcript_id AND "
        "c.segment = s.number AND c.coder = ?) ORDER BY s.transcript_id LIMIT 1",
        (coder,),
    ).fetchone()
    return None if row is None else str(row[0])


def _coding(row: sqlite3.Row) -> Coding:
    return Coding(
        transcript=row["transcript_id"], segment=row["segment"], code=row["code_id"],
        coder=row["coder"], provenance=row["provenance"], memo=row["memo"],
        start=row["start"], end=row["end"], created_at=row["created_at"],
    )
