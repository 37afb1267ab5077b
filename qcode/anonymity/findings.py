"""What the anonymity check reports: the kinds of identifier and where each was found."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from qcode.errors import QcodeError


class AnonymityError(QcodeError):
    """Identifiers were found where none may be, or a masked copy cannot be written."""


KINDS: dict[str, str] = {
    "email": "EMAIL",
    "iban": "IBAN",
    "postcode": "POSTCODE",
    "address": "ADRES",
    "birth_date": "GEBOORTEDATUM",
    "bsn": "BSN",
    "phone": "TELEFOON",
    "licence_plate": "KENTEKEN",
    "name": "NAAM",
    "place": "PLAATS",
}
"""Every kind of identifier, in order of precedence when two findings overlap, with the
Dutch placeholder that replaces it in a masked copy (``[TELEFOON]``)."""

PRECEDENCE: dict[str, int] = {kind: rank for rank, kind in enumerate(KINDS)}


def placeholder(kind: str) -> str:
    """The text that replaces an identifier of ``kind`` in a masked copy."""
    return f"[{KINDS[kind]}]"


@dataclass(frozen=True)
class Span:
    """An identifier inside one passage of text: ``text == passage[start:end]``."""

    start: int
    end: int
    kind: str


Detector = Callable[[str], Iterable[Span]]
"""Anything that finds identifiers in a text; how names and places (deduce, or a fake in
the tests) plug into the check."""


@dataclass(frozen=True)
class Finding:
    """One identifier in a transcript file, located like a linter message.

    ``line`` and ``column`` are 1-based. In text files (.txt, .md, .vtt, .srt) they are the
    file's own lines and the character (not byte) column. In .docx files ``line`` is the
    paragraph number (body paragraphs and table-cell paragraphs in document order) and
    ``column`` the character in that paragraph. ``passage``, ``start`` and ``end`` say
    where the text sits in what was scanned, for masking.
    """

    source: str
    line: int
    column: int
    kind: str
    text: str
    passage: int
    start: int
    end: int

    def describe(self) -> str:
        """``file:line:col kind "text"``, the linter-style line the CLI prints."""
        import json

        return (f"{self.source}:{self.line}:{self.column} {self.kind} "
                f"{json.dumps(self.text, ensure_ascii=False)}")

    def as_row(self) -> dict[str, object]:
        return {"file": self.source, "line": self.line, "column": self.column,
                "kind": self.kind, "text": self.text, "placeholder": placeholder(self.kind)}


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep one finding for each stretch of text: the earliest, then the longest, then the
    kind listed first in :data:`KINDS` (an IBAN's digits are not also a phone number)."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), PRECEDENCE[s.kind]))
    kept: list[Span] = []
    for span in ordered:
        if span.end <= span.start:
            continue
        if kept and span.start < kept[-1].end:
            previous = kept[-1]
            # A later, longer or stronger finding that overlaps replaces the weaker one.
            if (PRECEDENCE[span.kind] < PRECEDENCE[previous.kind]
                    and span.end - span.start >= previous.end - previous.start):
                kept[-1] = span
            continue
        kept.append(span)
    return kept
