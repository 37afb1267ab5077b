"""Plain dataclasses that flow from parsing through the store to analysis and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_INTERVIEWER_LABELS: tuple[str, ...] = ("I", "Interviewer", "Q")

PROVENANCES: tuple[str, ...] = ("manual", "suggestion", "bulk", "imported")
"""How a coding came about: typed by a coder, an accepted suggestion, a bulk
acceptance above a score, or read from a file (CSV, REFI-QDA)."""


@dataclass(frozen=True)
class Segment:
    """One speaker turn (or one paragraph in a file without speaker labels)."""

    number: int
    speaker: str
    text: str
    interviewer: bool = False
    start_time: str | None = None
    end_time: str | None = None

    @property
    def codable(self) -> bool:
        return not self.interviewer


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript, ready to be stored.

    ``metadata`` holds the front matter (``case``, ``role``, ``date``, anything else) as
    strings; ``respondent`` is the respondent id when the file names one. ``source`` is
    the file as the user named it (for messages); ``origin`` where it really is (the
    resolved path), so that two files that would share an id are told apart.

    ``header`` is the text before the first speaker label of a labelled file (a title, a
    line "Datum: 19 maart 2024, locatie ..."): kept with the transcript, never a segment.
    ``interviewer_labels`` are the interviewer's speaker labels the user named on import
    (``--interviewer``), remembered so a later plain import reads the file the same way;
    None when the user named none. ``warnings`` are notes the user should not miss.
    """

    id: str
    source: str
    format: str
    segments: tuple[Segment, ...]
    respondent: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    origin: str | None = None
    header: str = ""
    interviewer_labels: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """A hash of the segment texts and speakers: equal for equal content, whatever
        the file's name, encoding or line endings."""
        import hashlib

        digest = hashlib.sha256()
        for segment in self.segments:
            digest.update(f"{segment.speaker}\x1f{int(segment.interviewer)}\x1f".encode())
            digest.update(segment.text.encode("utf-8"))
            digest.update(b"\x1e")
        return digest.hexdigest()

    @property
    def word_count(self) -> int:
        return sum(len(segment.text.split()) for segment in self.segments)


LEVELS: tuple[str, ...] = ("low", "moderate", "high", "few", "many")
"""The ``level`` a typology code may carry in the codebook."""

CODE_LEVELS: tuple[str, ...] = ("top", "full")
"""How deep codes are compared or counted: top-level codes only (sub-codes roll up into
them), or every code as it is."""


def within(code: str, parent: str) -> bool:
    """True when ``code`` is ``parent`` or one of its sub-codes (``trust.high`` is within
    ``trust``; ``trusted`` is not)."""
    return code == parent or code.startswith(parent + ".")


def at_level(code: str, level: str) -> str:
    """The code as counted at ``level``: its top-level code for ``"top"``, else itself."""
    return code.split(".", 1)[0] if level == "top" else code


@dataclass(frozen=True)
class Code:
    """One code of a codebook. ``id`` is the dotted path, e.g. ``trust.information_sharing``."""

    id: str
    label: str
    parent: str | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    level: str | None = None
    color: str | None = None

    @property
    def top(self) -> str:
        """The top-level code this code belongs to."""
        return self.id.split(".", 1)[0]

    @property
    def depth(self) -> int:
        return self.id.count(".")


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. ``codes`` are in file order, every parent before its children."""

    name: str
    codes: tuple[Code, ...]
    description: str = ""
    source: str = ""

    @property
    def version(self) -> str:
        """A short hash of everything that defines the codes; changes when any code does."""
        import hashlib
        import json

        payload = json.dumps(
            [
                [c.id, c.label, c.description, c.include, c.exclude, list(c.examples),
                 list(c.keywords), [list(p) for p in c.patterns], c.level, c.color]
                for c in self.codes
            ],
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]

    def get(self, code_id: str) -> Code | None:
        for code in self.codes:
            if code.id == code_id:
                return code
        return None

    @property
    def ids(self) -> list[str]:
        return [code.id for code in self.codes]


@dataclass(frozen=True)
class Coding:
    """A confirmed coding of a segment (or of a character span inside it)."""

    transcript: str
    segment: int
    code: str
    coder: str
    provenance: str = "manual"
    memo: str = ""
    start: int | None = None
    end: int | None = None
    created_at: str = ""


@dataclass(frozen=True)
class Quote:
    """One coded segment or span, with who said it, ready for export.

    ``text`` is the exact quoted text: the span when the coding has one, else the whole
    segment, byte for byte as imported.
    """

    transcript: str
    respondent: str
    case: str
    role: str
    segment: int
    code: str
    label: str
    coder: str
    provenance: str
    memo: str
    start: int | None
    end: int | None
    text: str


MEMO_KINDS: tuple[str, ...] = ("project", "case", "respondent", "transcript", "code", "segment")
"""What a memo can be written about: the project (its journal), a case (a house), a
respondent, a transcript, a code, or a segment (optionally a span of it)."""


@dataclass(frozen=True)
class MemoTarget:
    """Where a memo belongs. ``name`` is the case name, respondent id, transcript id or
    code id (empty for the project); a segment memo also has ``segment`` and, when it is
    about part of the turn, the character span ``start:end`` (end exclusive)."""

    kind: str
    name: str = ""
    segment: int | None = None
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        if self.kind == "project":
            return "project"
        if self.kind == "segment":
            return f"segment:{self.name}:{self.segment}"
        return f"{self.kind}:{self.name}"

    @property
    def span(self) -> tuple[int, int] | None:
        if self.start is None or self.end is None:
            return None
        return self.start, self.end

    def describe(self) -> str:
        """The target as typed, with the span when it has one: ``segment:r01:4 [0:20]``."""
        span = self.span
        return str(self) + (f" [{span[0]}:{span[1]}]" if span else "")

    @property
    def transcript(self) -> str | None:
        """The transcript a transcript or segment memo is about."""
        return self.name if self.kind in ("transcript", "segment") else None


@dataclass(frozen=True)
class Memo:
    """A researcher's note on something in the project, by one coder.

    ``id`` is the stored memo's number in this project (None before it is stored)."""

    target: MemoTarget
    text: str
    coder: str
    created_at: str = ""
    updated_at: str = ""
    id: int | None = None
