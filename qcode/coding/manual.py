"""Add, remove and list confirmed codings, with every reference checked."""

from __future__ import annotations

import difflib
import getpass
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from qcode.errors import CodingError
from qcode.models import PROVENANCES, Codebook, Coding
from qcode.neutralise import undecodable
from qcode.store.codebook import require_codebook
from qcode.store.project import Project, now_iso
from qcode.store.transcripts import require_transcript

CODER_ENV = "QCODE_CODER"


def default_coder(explicit: str | None = None) -> str:
    """The coder's name: ``--coder``, else ``QCODE_CODER``, else the OS user."""
    if explicit:
        return explicit
    from_env = os.environ.get(CODER_ENV)
    if from_env:
        if undecodable(from_env):
            raise CodingError(
                f"{CODER_ENV} is not valid UTF-8 text (byte {undecodable(from_env)}); set it "
                "again in a UTF-8 terminal, or pass --coder NAME"
            )
        return from_env
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
    return "unknown" if undecodable(user) else user


def parse_span(value: str) -> tuple[int, int]:
    """Parse ``START:END`` (character offsets into the segment, END exclusive)."""
    start_text, sep, end_text = value.partition(":")
    # isascii(): str.isdigit() also accepts "²", which int() refuses.
    if not sep or not all(t.strip().isascii() and t.strip().isdigit()
                          for t in (start_text, end_text)):
        raise CodingError(
            f"--span {value}: expected START:END as character offsets, e.g. --span 0:120"
        )
    start, end = int(start_text), int(end_text)
    if end <= start:
        raise CodingError(f"--span {value}: END must be greater than START")
    return start, end


@dataclass(frozen=True)
class AddOutcome:
    added: tuple[Coding, ...]
    already_present: tuple[Coding, ...]


class CodingValidator:
    """Checks codings against the project: transcript, segment, code, span, provenance."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.codebook: Codebook = require_codebook(project)
        self._code_ids = set(self.codebook.ids)
        self._segments: dict[str, dict[int, tuple[bool, str]]] = {}

    def segment_text(self, transcript: str, segment: int) -> str:
        return self._segment(transcript, segment)[1]

    def _segment(self, transcript: str, segment: int) -> tuple[bool, str]:
        if transcript not in self._segments:
            require_transcript(self.project, transcript)
            self._segments[transcript] = {
                row["number"]: (bool(row["interviewer"]), row["text"])
                for row in self.project.db.execute(
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
        if coding.start is not None and coding.end is not None and coding.end > len(text):
            raise CodingError(
                f"{coding.transcript}:{coding.segment}: span {coding.start}:{coding.end} runs "
                f"past the end of the segment ({len(text)} characters)"
            )

    def check_code(self, code: str) -> None:
        if code in self._code_ids:
            return
        close = difflib.get_close_matches(code, sorted(self._code_ids), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "see 'qcode codebook show'"
        raise CodingError(f"unknown code '{code}'; {hint}")


def add_codings(project: Project, codings: Iterable[Coding]) -> AddOutcome:
    """Add codings in one transaction; each is validated first. Exact duplicates of an
    existing coding are reported back, not added twice."""
    validator = CodingValidator(project)
    added: list[Coding] = []
    present: list[Coding] = []
    with project.atomic() as db:
        for coding in codings:
            validator.check(coding)
            stamped = coding if coding.created_at else replace(coding, created_at=now_iso())
            cursor = db.execute(
                "INSERT OR IGNORE INTO codings(transcript_id, segment, code_id, coder, provenance,"
                " memo, start, end, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stamped.transcript, stamped.segment, stamped.code, stamped.coder,
                 stamped.provenance, stamped.memo, stamped.start, stamped.end,
                 stamped.created_at),
            )
            (added if cursor.rowcount else present).append(stamped)
    return AddOutcome(tuple(added), tuple(present))


def remove_codings(
    project: Project,
    transcript: str,
    segment: int,
    codes: Sequence[str],
    *,
    coder: str | None = None,
    span: tuple[int, int] | None = None,
) -> int:
    """Remove the named codes from a segment (for one coder, or all). Removing a code that
    is not on the segment is an error, so a typo never passes silently."""
    validator = CodingValidator(project)
    validator.segment_text(transcript, segment)
    removed = 0
    with project.atomic() as db:
        for code in codes:
            validator.check_code(code)
            query = "DELETE FROM codings WHERE transcript_id = ? AND segment = ? AND code_id = ?"
            params: list[object] = [transcript, segment, code]
            if coder is not None:
                query += " AND coder = ?"
                params.append(coder)
            if span is not None:
                query += " AND start = ? AND end = ?"
                params.extend(span)
            count = db.execute(query, params).rowcount
            if count == 0:
                who = f" by {coder}" if coder else ""
                raise CodingError(
                    f"{transcript}:{segment} has no coding {code}{who}; "
                    f"see 'qcode codings list {transcript}'"
                )
            removed += count
    return removed


def list_codings(
    project: Project,
    *,
    transcripts: Sequence[str] = (),
    codes: Sequence[str] = (),
    coders: Sequence[str] = (),
) -> list[Coding]:
    """Codings in transcript, segment, code order. ``codes`` match a code and its sub-codes."""
    for transcript in transcripts:
        require_transcript(project, transcript)
    query = "SELECT * FROM codings WHERE 1 = 1"
    params: list[object] = []
    if transcripts:
        query += f" AND transcript_id IN ({','.join('?' * len(transcripts))})"
        params.extend(transcripts)
    if coders:
        query += f" AND coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    if codes:
        validator = CodingValidator(project)
        clauses = []
        for code in codes:
            validator.check_code(code)
            clauses.append("(code_id = ? OR code_id LIKE ? ESCAPE '\\')")
            params.extend([code, code.replace("_", "\\_") + ".%"])
        query += " AND (" + " OR ".join(clauses) + ")"
    query += " ORDER BY transcript_id, segment, code_id, coder, start"
    return [_row_to_coding(row) for row in project.db.execute(query, params)]


def _row_to_coding(row: sqlite3.Row) -> Coding:
    return Coding(
        transcript=row["transcript_id"], segment=row["segment"], code=row["code_id"],
        coder=row["coder"], provenance=row["provenance"], memo=row["memo"],
        start=row["start"], end=row["end"], created_at=row["created_at"],
    )
