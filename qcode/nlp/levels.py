"""Codes at a level: top-level codes only, or the full tree with sub-codes.

At level ``"top"`` every code counts as its top-level code. At level ``"full"`` a code
counts as itself and implies all its ancestors: a segment coded
``trust.information_sharing`` is also about ``trust``.
"""

from __future__ import annotations

from collections.abc import Iterable

from qcode.models import Codebook
from qcode.nlp.errors import NlpError

LEVELS: tuple[str, ...] = ("top", "full")


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise NlpError(f"Unknown level {level!r}: use 'top' (top-level codes) or 'full'.")
    return level


def labels(codebook: Codebook, level: str) -> list[str]:
    """The codes a model or an evaluation at ``level`` distinguishes, in codebook order."""
    check_level(level)
    if level == "top":
        return [code.id for code in codebook.codes if code.parent is None]
    return list(codebook.ids)


def ancestors(code: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def at_level(codes: Iterable[str], level: str) -> set[str]:
    """The codes at ``level`` that a set of assigned codes stands for."""
    check_level(level)
    result: set[str] = set()
    for code in codes:
        if level == "top":
            result.add(code.split(".", 1)[0])
        else:
            result.add(code)
            result.update(ancestors(code))
    return result


def negatives_at_level(codes: Iterable[str], level: str, all_codes: Iterable[str]) -> set[str]:
    """The codes at ``level`` that rejected codes rule out.

    Rejecting a code rules out its sub-codes too (if a segment is not about ``trust`` it
    is not about ``trust.colocation``); rejecting a sub-code says nothing about its parent.
    """
    check_level(level)
    rejected = set(codes)
    result: set[str] = set()
    for code in all_codes:
        ruled_out = code in rejected or any(a in rejected for a in ancestors(code))
        if ruled_out and (level == "full" or "." not in code):
            result.add(code)
    return result


def unknown_codes(codes: Iterable[str], codebook: Codebook) -> list[str]:
    known = set(codebook.ids)
    return sorted({code for code in codes if code not in known})
