"""Values a researcher types, read one way everywhere: ``OLD=NEW`` mappings, spans,
segment references, attribute filters, and the names qcode accepts as ids.

A value that cannot be read is a usage mistake (:class:`~qcode.errors.UsageError`, exit
2); a well-formed value that names something the project lacks is the caller's to refuse.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from qcode.errors import UsageError
from qcode.models import MemoTarget

# Categories of characters that have no place in an id or a name: controls, invisible
# formatting (bidi overrides, zero-width), line and paragraph separators, surrogates and
# unassigned code points (U+FFFE and U+FFFF are "Cn").
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def unreadable_character(name: str) -> str | None:
    """The first character of ``name`` that would be invisible, reorder the text around
    it, or break a line, described as ``U+202E (RIGHT-TO-LEFT OVERRIDE)``; else None."""
    for char in name:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            label = unicodedata.name(char, "control character")
            return f"U+{ord(char):04X} ({label})"
    return None


def check_name(name: str, *, what: str) -> str:
    """``name`` stripped, or a UsageError when it is empty or holds a character that
    would hide or garble it in listings (a newline, a control or a bidi override)."""
    stripped = name.strip()
    if not stripped:
        raise UsageError(f"empty {what}; give a name with at least one visible character")
    bad = unreadable_character(stripped)
    if bad:
        raise UsageError(
            f"{what} {stripped!r} contains {bad}, which would hide or garble it in listings; "
            "use letters, digits and punctuation"
        )
    return stripped


def parse_mapping(
    values: Iterable[str], *, option: str, example: str = "trust.laag=trust.low"
) -> dict[str, str]:
    """``OLD=NEW`` pairs as a mapping applied all at once. Refuses a malformed pair, and
    one OLD mapped to two different NEW values."""
    mapping: dict[str, str] = {}
    for value in values:
        old, sep, new = value.partition("=")
        old, new = old.strip(), new.strip()
        if not sep or not old or not new:
            raise UsageError(
                f"{option} {value}: expected OLD=NEW, e.g. {option} {example}"
            )
        if old in mapping and mapping[old] != new:
            raise UsageError(
                f"{option} {old}={new}: '{old}' is already mapped to '{mapping[old]}'; "
                "map each old name once"
            )
        mapping[old] = new
    return mapping


def merge_mappings(first: dict[str, str], second: dict[str, str], *, what: str) -> dict[str, str]:
    """Two mappings as one, refusing an old name that the two map differently."""
    merged = dict(first)
    for old, new in second.items():
        if old in merged and merged[old] != new:
            raise UsageError(
                f"{what}: '{old}' would become both '{merged[old]}' and '{new}'; "
                "keep one of the two mappings"
            )
        merged[old] = new
    return merged


def parse_span(value: str) -> tuple[int, int]:
    """``START:END`` character offsets into a segment (END exclusive)."""
    start_text, sep, end_text = value.partition(":")
    # isascii(): str.isdigit() also accepts "²", which int() refuses.
    if not sep or not all(t.strip().isascii() and t.strip().isdigit()
                          for t in (start_text, end_text)):
        raise UsageError(
            f"--span {value}: expected START:END as character offsets, e.g. --span 0:120"
        )
    start, end = int(start_text), int(end_text)
    if end <= start:
        raise UsageError(f"--span {value}: END must be greater than START")
    return start, end


def parse_segment(value: str) -> int:
    """A segment number as typed (``12``), or a UsageError in qcode's own words."""
    text = value.strip()
    # isascii(): str.isdigit() also accepts "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise UsageError(f"segment {value!r} is not a segment number: segments are numbered "
                         "1, 2, 3 ... (see 'qcode show TRANSCRIPT')")
    return int(text)


def parse_reference(value: str, *, option: str) -> tuple[str, int, str]:
    """``TRANSCRIPT:SEGMENT:CODE`` (a transcript id may itself hold colons)."""
    parts = value.rsplit(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[2] or not (
        parts[1].isascii() and parts[1].isdigit()
    ):
        raise UsageError(
            f"{option} {value}: expected TRANSCRIPT:SEGMENT:CODE, e.g. noordrand-r01:12:trust"
        )
    return parts[0], int(parts[1]), parts[2]


MEMO_TARGETS = "project, case:NAME, respondent:ID, transcript:ID, code:ID or segment:ID:SEG"


def parse_memo_target(value: str, *, span: tuple[int, int] | None = None) -> MemoTarget:
    """``project``, ``case:NAME``, ``respondent:ID``, ``transcript:ID``, ``code:ID`` or
    ``segment:ID:SEG`` (a transcript id may itself hold colons); ``span`` only with a
    segment. Whether the project has that case, code or segment is the store's to say."""
    kind, sep, rest = value.strip().partition(":")
    kind = kind.strip().lower()
    example = "e.g. case:'Veiligheidshuis Noordrand' or segment:noordrand-r01:4"
    if kind == "project" and not rest.strip():
        target = MemoTarget("project")
    elif kind in ("case", "respondent", "transcript", "code") and sep:
        name = rest.strip()
        if not name:
            raise UsageError(f"memo target {value!r}: {kind}: needs a name after the colon, "
                             f"{example}")
        target = MemoTarget(kind, check_name(name, what=f"{kind} in memo target"))
    elif kind == "segment" and sep:
        transcript, colon, number = rest.rpartition(":")
        number = number.strip()
        if not colon or not transcript.strip() or not (number.isascii() and number.isdigit()) \
                or int(number) < 1:
            raise UsageError(f"memo target {value!r}: expected segment:ID:SEG with a segment "
                             "number, e.g. segment:noordrand-r01:4")
        target = MemoTarget("segment", check_name(transcript, what="transcript in memo target"),
                            int(number))
    else:
        raise UsageError(f"memo target {value!r}: expected {MEMO_TARGETS}, {example}")
    if span is not None:
        if target.kind != "segment":
            raise UsageError(f"--span {span[0]}:{span[1]}: a span belongs to a segment; use "
                             f"segment:ID:SEG as the target, not {target}")
        target = MemoTarget("segment", target.name, target.segment, span[0], span[1])
    return target


def parse_memo_reference(value: str) -> int | MemoTarget:
    """A memo's number as ``qcode memo list`` shows it (``12``), or a memo target."""
    text = value.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    return parse_memo_target(value)


@dataclass(frozen=True)
class Condition:
    """One ``--where`` filter: ``attribute`` equals (or, ``negated``, differs from) one
    of ``values``."""

    attribute: str
    values: tuple[str, ...]
    negated: bool = False

    def holds(self, attributes: dict[str, str]) -> bool:
        found = attributes.get(self.attribute, "")
        return (found in self.values) != self.negated

    def __str__(self) -> str:
        return f"{self.attribute}{'!=' if self.negated else '='}{','.join(self.values)}"


def parse_where(values: Iterable[str]) -> tuple[Condition, ...]:
    """``ATTR=VALUE``, ``ATTR!=VALUE`` or ``ATTR=V1,V2`` (either value), as conditions that
    must all hold."""
    conditions = []
    for value in values:
        attribute, sep, wanted = value.partition("=")
        negated = attribute.endswith("!")
        attribute = attribute.removesuffix("!").strip()
        options = tuple(v.strip() for v in wanted.split(","))
        if not sep or not attribute or not any(options):
            raise UsageError(
                f"--where {value}: expected ATTRIBUTE=VALUE, ATTRIBUTE!=VALUE or "
                "ATTRIBUTE=V1,V2, e.g. --where role=politie"
            )
        conditions.append(Condition(attribute, tuple(v for v in options if v), negated))
    return tuple(conditions)


def parse_percent(value: str, *, option: str) -> float:
    """A percentage as typed: ``5``, ``5%`` or ``2.5`` (Dutch ``2,5`` too), from 0 to 100."""
    text = value.strip().removesuffix("%").strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not text or not 0 <= number <= 100 or text.lower() in ("nan", "inf", "infinity"):
        raise UsageError(f"{option} {value}: expected a percentage from 0 to 100, e.g. "
                         f"{option} 5")
    return number
