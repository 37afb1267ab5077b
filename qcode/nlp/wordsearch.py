"""Dutch words for text search: the tokens of a segment with their lemmas, what a search
query asks for, and which words of the corpus each search word stands for.

A segment is cut into tokens (runs of letters and digits, with any combining accents),
each kept as its lowercase NFC form and its lemma from :func:`qcode.nlp.lexicon.lemma`,
the lemmas ``suggest`` uses. The index stores both streams, one token a position.

A search word then matches, in the default mode:

- a token whose lemma is the word or its lemma (``vertrouwen`` finds *vertrouwde*,
  *vertrouw*), or whose form is the word as typed;
- a token that holds the word (or its lemma) as a part of a compound, by the boundary
  rules codebook keywords follow (:func:`qcode.nlp.keywords.compound_parts`):
  ``informatie`` finds *informatiedeling*, ``huis`` finds *veiligheidshuis* but not
  *thuis* or *huishouden*.

``casus*`` matches forms and lemmas that start with ``casus``; ``"informatie delen"``
matches the words in that order, next to each other (punctuation between them aside).
With ``exact`` only the written form counts, ignoring case: no lemmas, no compounds.

Which words of the corpus a search word stands for is worked out per distinct word at
indexing (:func:`compound_parts_of`) and looked up at search time, so a search loads no
dictionary; the index finds the segments and the same word sets confirm every hit.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from qcode.errors import QcodeError, UsageError
from qcode.nlp import lexicon
from qcode.nlp.keywords import compound_parts

if TYPE_CHECKING:
    import regex

INDEX_FORMAT = 1
"""Bump when what the index holds changes, so every project indexes itself again."""

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
TOKEN = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*")
"""A token: letters and digits, with combining accents (text in NFD form) kept inside.
The index's FTS5 tokenizer counts exactly these characters as parts of a word, so every
token is one index term."""

PREFIX_MIN = 2
"""A prefix search needs this many letters: ``c*`` would match a fifth of the corpus."""


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    form: str


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` with their character offsets and lowercase NFC forms."""
    return [Token(m.start(), m.end(), normalise(m.group())) for m in TOKEN.finditer(text)]


def normalise(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower()


def lemma_of(form: str) -> str:
    """The lemma of a token's form, as one token (the form itself when the lemmatiser
    returns something that is not one word)."""
    found = lexicon.lemma(form)
    return found if found and TOKEN.fullmatch(found) else form


_lemmas: dict[str, str] = {}
_lemmas_generation = -1


def forms_of(text: str) -> list[str]:
    """The forms of the tokens of ``text`` (as :func:`tokens` gives them), found in the
    whole text at once: a corpus is millions of words."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return TOKEN.findall(text.lower())


def index_text(text: str) -> str:
    """What the search index stores for a segment: the lemma of every token in order,
    then the forms that differ from their lemma, separated by spaces. Every form and
    every lemma is a term of the index; the first len(tokens) words are the lemmas."""
    global _lemmas_generation
    if _lemmas_generation != lexicon.generation:
        _lemmas.clear()
        _lemmas_generation = lexicon.generation
    forms = forms_of(text)
    lemmas = []
    for form in forms:
        found = _lemmas.get(form)
        if found is None:
            found = _lemmas[form] = lemma_of(form)
        lemmas.append(found)
    return " ".join([*lemmas, *(f for f, lemma in zip(forms, lemmas, strict=True) if f != lemma)])


def token_lemmas(text: str, words: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The forms of the tokens of ``text`` and their lemmas from the index's ``words``;
    None when the two do not line up (the text was indexed by another tokenizer)."""
    forms = forms_of(text)
    if len(words) < len(forms):
        return None
    return forms, list(words[: len(forms)])


@lru_cache(maxsize=1)
def lemmatiser_version() -> str:
    """What the index was built with: this module's format, simplemma's version and
    qcode's own word lists. When it changes, transcripts are indexed again."""
    payload = json.dumps(
        [INDEX_FORMAT, _simplemma_version(), TOKEN.pattern,
         sorted(lexicon.LEMMA_OVERRIDES.items()), sorted(lexicon.EXTRA_WORDS)],
        ensure_ascii=False,
    )
    return f"{INDEX_FORMAT}-{hashlib.sha256(payload.encode('utf-8')).hexdigest()[:12]}"


def _simplemma_version() -> str:
    """simplemma's version from its installed metadata's folder name: importing it (or
    importlib.metadata) would cost a search a tenth of a second."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("simplemma")
    if spec is not None and spec.origin:
        for info in Path(spec.origin).parent.parent.glob("simplemma-*.dist-info"):
            return info.name.removeprefix("simplemma-").removesuffix(".dist-info")
    import simplemma

    return str(getattr(simplemma, "__version__", ""))


# -- what a query asks for -------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """One word of a query, lowercase; ``prefix`` for ``casus*``."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word, or a phrase of words next to each other."""

    written: str
    words: tuple[Word, ...]


def parse_query(query: str) -> tuple[Term, ...]:
    """The terms of a search query: words, ``"phrases in quotes"`` and ``prefix*``.

    A segment is a hit for every place any of the terms occurs. A word written with
    punctuation inside (``ggz-team``, ``AVG/privacy``) is a phrase of its parts.
    Raises UsageError for an empty query, an unclosed quote or a misplaced ``*``.
    """
    terms: list[Term] = []
    position = 0
    for match in re.finditer(r'"([^"]*)"?|[^\s"]+', query):
        position = match.start()
        chunk = match.group()
        if chunk.startswith('"'):
            if len(chunk) < 2 or not chunk.endswith('"'):
                raise UsageError(
                    f"search {query!r}: the quote at position {position + 1} is not closed; "
                    'put a phrase between two double quotes, e.g. \'"informatie delen"\''
                )
            inner = match.group(1)
            words = _words(inner, query, position + 1)
            if words:
                terms.append(Term(inner.strip(), words))
            continue
        words = _words(chunk, query, position)
        if words:
            terms.append(Term(chunk, words))
    if not terms:
        raise UsageError(
            f"search {query!r}: no word to look for; give a word, a \"phrase\" or a prefix*, "
            "e.g. qcode search casusregie"
        )
    return tuple(terms)


def _words(chunk: str, query: str, offset: int) -> tuple[Word, ...]:
    words: list[Word] = []
    found = list(TOKEN.finditer(chunk))
    for i, match in enumerate(found):
        after = chunk[match.end():match.end() + 1]
        prefix = after == "*"
        if prefix and len(normalise(match.group())) < PREFIX_MIN:
            raise UsageError(
                f"search {query!r}: the prefix at position {offset + match.start() + 1} is "
                f"too short; give at least {PREFIX_MIN} letters before '*', e.g. casus*"
            )
        if prefix and i + 1 < len(found) and found[i + 1].start() == match.end() + 1:
            raise UsageError(
                f"search {query!r}: '*' at position {offset + match.end() + 1} stands inside "
                "a word; '*' only ends a word (casus*), or use --regex"
            )
        words.append(Word(normalise(match.group()), prefix))
    stars = [i for i, char in enumerate(chunk) if char == "*"]
    ends = {m.end() for m in found}
    for star in stars:
        if star not in ends:
            raise UsageError(
                f"search {query!r}: '*' at position {offset + star + 1} follows no word; "
                "write it right after a word (casus*), or use --regex"
            )
    return tuple(words)


def variants(word: Word, *, exact: bool, lemmas: Iterable[str] = ()) -> tuple[str, ...]:
    """The strings a query word is looked for as: itself and, unless ``exact`` or a
    prefix, its lemmas (``lemmas`` as the index knows the word; else the lemmatiser's)."""
    if exact or word.prefix:
        return (word.text,)
    known = list(lemmas) or [lemma_of(word.text)]
    return tuple(dict.fromkeys([word.text, *known]))


class _EveryPart(Mapping[str, frozenset[str]]):
    """A keyword table that holds every string, each under its own name: given it,
    :func:`~qcode.nlp.keywords.compound_parts` names every part it would accept."""

    def __getitem__(self, key: str) -> frozenset[str]:
        return frozenset((key,))

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


_EVERY_PART = _EveryPart()


def compound_parts_of(word: str) -> set[str]:
    """Every search word that finds the lowercase ``word`` as a part of a compound, by
    the rules codebook keywords follow (``informatiedeling``: informatie, deling, ...;
    ``thuis``: none). Only words of letters are split, as ``suggest`` splits them."""
    if not word.isalpha():
        return set()
    return compound_parts(word, _EVERY_PART, _EVERY_PART)


def spans(text: str, *, upto: int | None = None) -> list[tuple[int, int]]:
    """The character offsets of the tokens of ``text`` (see :func:`tokens`), of the
    first ``upto`` only when given."""
    return [match.span() for match in islice(TOKEN.finditer(text), upto)]


def find_runs(matching: Sequence[Sequence[bool]]) -> list[tuple[int, int]]:
    """Where a term occurs in a segment: the (first, last) token indexes of every run of
    tokens that match the term's words one after the other; ``matching[k][i]`` says
    whether token ``i`` matches word ``k``."""
    if not matching:
        return []
    size = len(matching)
    first_word = matching[0]
    return [
        (first, first + size - 1)
        for first in range(len(first_word) - size + 1)
        if first_word[first] and all(matching[k][first + k] for k in range(1, size))
    ]


# -- regular expressions ----------------------------------------------------------------

REGEX_TIME_LIMIT = 10.0
"""Seconds a --regex search may take over the whole corpus before it is stopped."""


class PatternTooSlow(QcodeError):
    """A regular expression that backtracks without end on the corpus."""


def compile_pattern(pattern: str, *, option: str = "--regex") -> regex.Pattern[str]:
    """``pattern`` compiled to match ignoring case (``(?-i)`` at its start turns that off),
    or a UsageError that says where it is malformed."""
    import regex

    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as exc:
        where = f" at position {exc.pos + 1}" if getattr(exc, "pos", None) is not None else ""
        raise UsageError(
            f"{option} {pattern!r}: not a regular expression ({exc.msg}{where}); check "
            "brackets and escapes, or search words without --regex"
        ) from None


def pattern_spans(
    compiled: regex.Pattern[str], text: str, *, deadline: float, where: str,
    option: str = "--regex",
) -> list[tuple[int, int]]:
    """The (start, end) of every non-empty match of ``compiled`` in ``text``, giving up
    with :class:`PatternTooSlow` once the monotonic clock passes ``deadline``: a pattern
    such as ``(a+)+$`` can take longer than the age of the universe on one sentence."""
    remaining = deadline - time.monotonic()
    try:
        if remaining <= 0:
            raise TimeoutError
        return [m.span() for m in compiled.finditer(text, timeout=remaining) if m.end() > m.start()]
    except TimeoutError:
        raise PatternTooSlow(
            f"{option} {compiled.pattern!r}: stopped after {REGEX_TIME_LIMIT:g} s (reached "
            f"{where}); the pattern backtracks too much, usually a repetition inside a "
            "repetition such as (a+)+ or (\\w+\\s?)+; write it without the nesting"
        ) from None
