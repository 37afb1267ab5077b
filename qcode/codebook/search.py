"""Find a code by typing part of its id, its Dutch label or one of its keywords.

Researchers know their codebook by its Dutch labels ("vertrouwen", "informatiedeling") as
often as by its ids, and type fast and sloppily, so matching ignores case and diacritics
(``cooperatie`` finds ``coöperatie``) and tolerates a typo or a skipped letter.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from qcode.models import Code, Codebook

# Lower is better: the code's own id or label, then a keyword, then parts of words. A query
# is ranked by its worst-matching word, so every word must match.
EXACT, EXACT_KEYWORD, PREFIX, CONTAINS, KEYWORD, ABBREVIATION, COMPOUND, FUZZY = range(8)
NO_MATCH = 99
FUZZY_CUTOFF = 0.84

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without diacritics: ``Coöperatie`` -> ``cooperatie``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class CodeMatch:
    code: Code
    rank: int
    matched: str
    """What the query matched: ``id/label``, ``id`` (initials), ``spelling`` (a near miss)
    or the keyword, as the codebook writes it."""


@dataclass(frozen=True)
class _Fields:
    id: str
    label: str
    keywords: tuple[str, ...]
    words: tuple[str, ...]
    original: dict[str, str]
    """Folded keyword -> the keyword as the codebook writes it."""


def _fields(code: Code) -> _Fields:
    label = fold(code.label)
    keywords = tuple(fold(k) for k in code.keywords)
    words = tuple(_WORD.findall(fold(code.id) + " " + label + " " + " ".join(keywords)))
    original = dict(zip(keywords, code.keywords, strict=True))
    return _Fields(fold(code.id), label, keywords, words, original)


def _rank_word(word: str, fields: _Fields) -> tuple[int, str]:
    id_parts = re.split(r"[._]", fields.id)
    label_words = _WORD.findall(fields.label)
    if word in (fields.id, fields.label):
        return EXACT, "id/label"
    if word in fields.keywords:
        return EXACT_KEYWORD, fields.original[word]
    if any(p.startswith(word) for p in id_parts) or any(w.startswith(word) for w in label_words):
        return PREFIX, "id/label"
    if word in fields.id or word in fields.label:
        return CONTAINS, "id/label"
    for keyword in fields.keywords:
        if any(w.startswith(word) for w in _WORD.findall(keyword)):
            return KEYWORD, fields.original[keyword]
    # "tis" finds trust.information_sharing: the first letters of the id's parts.
    initials = "".join(p[:1] for p in id_parts)
    if len(word) >= 2 and word in initials:
        return ABBREVIATION, "id"
    # Inside a Dutch compound ("regie" in "ketenregie"); short words would hit everywhere.
    if len(word) >= 4:
        for keyword in fields.keywords:
            if word in keyword:
                return COMPOUND, fields.original[keyword]
    if len(word) >= 4 and difflib.get_close_matches(word, fields.words, n=1,
                                                    cutoff=FUZZY_CUTOFF):
        return FUZZY, "spelling"
    return NO_MATCH, ""


def search_codes(codebook: Codebook, query: str, *, limit: int | None = None) -> list[CodeMatch]:
    """Codes matching ``query``, best first; the whole codebook in file order when the
    query is empty. Ties go to the shallower code (a top-level code before its sub-codes),
    then to codebook order."""
    words = _WORD.findall(fold(query))
    if not words:
        matches = [CodeMatch(code, EXACT, "") for code in codebook.codes]
        return matches[:limit] if limit else matches
    # Matching a whole multi-word keyword or label ("informatie delen") is exact.
    phrase = " ".join(words)
    exact_id = fold(query.strip())
    scored: list[tuple[int, int, int, CodeMatch]] = []
    for position, code in enumerate(codebook.codes):
        fields = _fields(code)
        if exact_id == fields.id or phrase == fields.label:
            rank, matched = EXACT, "id/label"
        elif phrase in fields.keywords:
            rank, matched = EXACT_KEYWORD, fields.original[phrase]
        else:
            ranks = [_rank_word(word, fields) for word in words]
            rank, matched = max(ranks, key=lambda r: r[0])
        if rank == NO_MATCH:
            continue
        scored.append((rank, code.depth, position, CodeMatch(code, rank, matched)))
    scored.sort(key=lambda item: item[:3])
    matches = [item[3] for item in scored]
    return matches[:limit] if limit else matches
