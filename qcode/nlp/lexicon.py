"""Dutch word knowledge: lemmas, known words and compound boundaries.

Lemmas come from simplemma's Dutch data, with a small override list for forms it gets
wrong in ways that matter to a codebook (two forms of one word ending up with different
lemmas: ``zitten`` -> ``zit`` but ``zat`` -> ``zitten``). Compounds the dictionary does
not list (``zorgpartners``, ``veiligheidshuizen``) are lemmatised on their last part, so
they still meet their singular.

Every answer is cached per lowercase form: an interview corpus repeats a small vocabulary
many times, so each distinct word is looked up once per process.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

LEMMA_OVERRIDES: dict[str, str] = {
    # verbs whose infinitive simplemma maps onto a noun or a stem, while their other
    # forms get the infinitive
    "vertrouwde": "vertrouwen",
    "zitten": "zitten",
    "delen": "delen",
    "leren": "leren",
    "monitoren": "monitoren",
    "gemonitord": "monitoren",
    "teruggepraat": "terugpraten",
    "terugpraat": "terugpraten",
    "signaleer": "signaleren",
    "agent": "agent",
    "besluiten": "besluiten",
    "wisselend": "wisselen",
    # nouns simplemma does not know
    "overlast": "overlast",
    "casusoverleg": "casusoverleg",
    "veiligheidshuis": "veiligheidshuis",
    "veiligheidshuizen": "veiligheidshuis",
}
"""Forms whose simplemma lemma is wrong or inconsistent with the word's other forms."""

LINKS: tuple[str, ...] = ("", "s", "e", "en", "n", "-")
"""Linking morphemes that may join the parts of a Dutch compound (vertrouwen-s-band)."""

PARTICLES: frozenset[str] = frozenset(
    [
        "aan", "af", "bij", "door", "her", "in", "mee", "mis", "na", "om", "on", "onder", "ont",
        "op", "over", "samen", "tegen", "terug", "toe", "uit", "ver", "voor", "weg", "vast",
        "mede", "be", "ge", "er"
    ]
)
"""Prefixes and particles: a word that is one of these plus a keyword is a derivation
(voorzorg, verhuis), not a compound with that keyword as its head."""

DERIVATIONAL_HEADS: frozenset[str] = frozenset(
    [
        "rijk", "matig", "loos", "baar", "lijk", "achtig", "waardig", "zaam", "zuchtig", "halve",
        "halven", "waarts", "gewijs", "heid", "lijkheid", "ling", "ster", "tje", "tjes"
    ]
)
"""Endings that are words of their own in the dictionary but make derivations, not
compounds: belang-rijk is not about a belang, regel-matig not about a regel."""

SHORT_HEADS: frozenset[str] = frozenset(["wet", "rol", "lid", "weg", "dak", "top", "fte", "raad"])
"""Three-letter words that may close a compound. Other three-letter strings the
dictionary knows (den, ter, ijk, ...) are mostly word endings."""

NEGATIONS: frozenset[str] = frozenset(
    [
        "niet", "geen", "nooit", "nergens", "niemand", "niks", "niets", "allerminst", "geenszins",
        "nimmer", "noch", "evenmin", "nauwelijks", "amper", "zelden"
    ]
)
"""Words that negate (or all but negate) the sentence they stand in."""

MIN_HEAD_KEYWORD = 3
"""A keyword of at least this many letters is found as the last part of a compound."""
MIN_MODIFIER_KEYWORD = 4
"""A keyword of at least this many letters is found as the first or a middle part."""
MIN_MODIFIER_PART = 4
"""The part before a keyword found as a head must have at least this many letters."""
MIN_HEAD_PART = 4
"""The part after a keyword found as a modifier must have at least this many letters
(or be one of :data:`SHORT_HEADS`)."""

_ACCENTS = str.maketrans("áàéèíìóòúù", "aaeeiioouu")


def strip_emphasis(form: str) -> str:
    """Drop accents of emphasis (``géén`` -> ``geen``); keep the diaeresis (``ideeën``)."""
    return form.translate(_ACCENTS)


@lru_cache(maxsize=1)
def _simplemma() -> tuple[object, object]:
    import simplemma

    return simplemma.lemmatize, simplemma.is_known


EXTRA_WORDS: frozenset[str] = frozenset(
    [
        "privacy", "avg", "overlast", "casus", "casussen", "veiligheidshuis", "ketenpartner",
        "zorgpartner", "procesregisseur", "convenant", "fte", "toegang", "ggz", "reclassering"
    ]
)
"""Words of the field that simplemma's Dutch data does not list."""

_extra_words: set[str] = set(EXTRA_WORDS)
generation = 0
"""Bumped whenever :func:`add_words` changes what counts as a word; caches built on
lemmas compare it to know they are stale."""
_known_cache: dict[str, bool] = {}


def is_word(form: str) -> bool:
    """True when simplemma's Dutch data lists this lowercase form (or it was added with
    :func:`add_words`)."""
    known = _known_cache.get(form)
    if known is None:
        _, is_known = _simplemma()
        known = form in _extra_words or (
            bool(form) and bool(is_known(form, lang="nl"))  # type: ignore[operator]
        )
        _known_cache[form] = known
    return known


def add_words(words: set[str] | frozenset[str]) -> None:
    """Count ``words`` (lowercase, e.g. a codebook's keywords) as known Dutch words."""
    new = {word for word in words if word.isalpha() and word not in _extra_words}
    if not new:
        return
    global generation
    generation += 1
    _extra_words.update(new)
    _known_cache.clear()
    _lemma_cache.clear()
    is_plausible_modifier.cache_clear()
    is_plausible_head.cache_clear()
    split_compound.cache_clear()


_lemma_cache: dict[str, str] = {}


def lemma(form: str) -> str:
    """The Dutch lemma of one lowercase word form."""
    cached = _lemma_cache.get(form)
    if cached is None:
        cached = _compute_lemma(form)
        _lemma_cache[form] = cached
    return cached


def _compute_lemma(form: str) -> str:
    if form in LEMMA_OVERRIDES:
        return LEMMA_OVERRIDES[form]
    if not form or not any(ch.isalpha() for ch in form):
        return form
    if "-" in form.strip("-"):
        parts = form.split("-")
        return "-".join([*parts[:-1], lemma(parts[-1])]) if parts[-1] else form
    plain = strip_emphasis(form)
    if plain != form and is_word(plain):
        form = plain
    if not is_word(form):
        split = split_compound(form)
        if split is not None:
            head = split[1]
            return form[: len(form) - len(head)] + lemma(head)
        return form
    lemmatize, _ = _simplemma()
    found = str(lemmatize(form, lang="nl"))  # type: ignore[operator]
    # separable verbs come back as af_spreken; the codebook writes afspreken
    return found.replace("_", "").lower()


def strip_link(part: str) -> str | None:
    """The known word inside a compound's first part (``vertrouwens`` -> ``vertrouwen``),
    or None when there is none."""
    for link in LINKS:
        if link and not part.endswith(link):
            continue
        base = part[: len(part) - len(link)] if link else part
        if len(base) >= 3 and is_word(base):
            return base
    return None


@lru_cache(maxsize=200_000)
def is_plausible_modifier(part: str) -> bool:
    """Can ``part`` be the first part of a compound (a known word plus a linking morpheme,
    not a particle such as ``voor`` or ``ver``)?"""
    if len(part) < MIN_MODIFIER_PART or part in PARTICLES:
        return False
    return strip_link(part) is not None


@lru_cache(maxsize=200_000)
def is_plausible_head(part: str, *, nested: bool = True) -> bool:
    """Can ``part`` close a compound: a known word (or, one level deep, a compound of
    known words) that is not a derivational ending such as ``rijk`` or ``matig``?"""
    if part in DERIVATIONAL_HEADS or part.startswith("-"):
        return False
    if len(part) < MIN_HEAD_PART and part not in SHORT_HEADS:
        return False
    if is_word(part):
        return True
    return nested and split_compound(part) is not None


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, str] | None:
    """Split a lowercase word into (first part, last part) when both are plausible words,
    preferring the longest last part: ``informatiedeling`` -> (``informatie``, ``deling``).

    The first part is returned without its linking morpheme. None when the word does
    not split.
    """
    if len(word) < MIN_MODIFIER_PART + MIN_HEAD_PART or not word.isalpha():
        return None
    for cut in range(MIN_MODIFIER_PART, len(word) - MIN_HEAD_PART + 1):
        head = word[cut:]
        if not is_plausible_head(head, nested=False):
            continue
        modifier = word[:cut]
        if modifier in PARTICLES:
            continue
        base = strip_link(modifier)
        if base is not None:
            return base, head
    return None


def normalise(text: str) -> str:
    """Lowercase, NFC-normalised text, as forms are cached."""
    return unicodedata.normalize("NFC", text).lower()
