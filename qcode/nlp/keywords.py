"""A codebook's keywords, compiled: what each distinct word form says about the codes.

For every distinct lowercase word form it meets, a :class:`KeywordTable` works out once
which keywords the form carries (as the word itself, as an inflection of it, or as a part
of a compound), which phrase words it can stand for, and whether it is a negation.

Compound matching (``informatie`` in ``informatiedeling``, ``vertrouwen`` in
``vertrouwensband``, ``partner`` in ``ketenpartners``) accepts a keyword inside a longer
word only at a plausible compound boundary:

- as the last part, the part before it must be a known word of at least
  :data:`~qcode.nlp.lexicon.MIN_MODIFIER_PART` letters, optionally with a linking ``s``,
  ``e`` or ``en``, and not a particle (``voor``-zorg, ``t``-huis do not count);
- as the first or a middle part, the keyword needs
  :data:`~qcode.nlp.lexicon.MIN_MODIFIER_KEYWORD` letters and the rest must be a known
  word (or a compound of known words) of at least four letters that is not a derivational
  ending (belang-``rijk``, regel-``matig``); a four-letter keyword is not looked for at
  the start of words the dictionary lists whole (``huishouden``, ``doelgroep``), which are
  mostly lexicalised with a meaning of their own.

Multi-word keywords are phrases over lemmas whose words may stand in any order close
together ("informatie delen", "delen we informatie", "informatie wordt gedeeld"); a
two- or three-word phrase also matches written as one word (``eigen belang``,
``eigenbelang``).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, TypeVar

from qcode.models import Codebook
from qcode.nlp import lexicon
from qcode.nlp.levels import ancestors

T = TypeVar("T")

KEYWORD = "keyword"
COMPOUND = "compound"
PHRASE = "phrase"
PATTERN = "pattern"


@dataclass(frozen=True)
class Keyword:
    code: str
    keyword: str
    columns: tuple[int, ...]
    """The codebook positions of the code and its ancestors."""


@dataclass(frozen=True)
class Phrase:
    code: str
    keyword: str
    term: int
    term_text: str
    words: tuple[int, ...]
    """Word ids, one per word of the phrase."""
    content: frozenset[int]
    """The ids of the words that are not function words: all must be in the document."""
    all_words: frozenset[int]
    columns: tuple[int, ...]
    reach: int = 0
    """How far (in tokens) from the anchor the other words may stand; 0: the number of
    words plus one."""
    ordered: bool = False
    """The words must come in the phrase's order (a separated verb before its particle)."""


SEPARABLE_PARTICLES: tuple[str, ...] = (
    "terug", "samen", "tegen", "door", "mee", "aan", "uit", "weg", "bij", "toe", "op",
    "af", "in", "na", "om", "over", "voor", "vast",
)  # fmt: skip
"""Particles of Dutch separable verbs: "aanmelden" is written "meldt ... aan" in a main
clause, "terugkoppelen" as "koppelt ... terug"."""

SEPARABLE_REACH = 8

NOT_SEPARABLE: frozenset[str] = frozenset(
    ["voorkomen", "overbelasten", "informeren", "innoveren", "overleggen", "ondersteunen"]
)
"""Verbs that look separable but are not (overbelasten), or whose split form means
something else (het komt voor: it happens, not: it is prevented)."""

CLAUSE_ENDS: frozenset[str] = frozenset(
    [",", ".", "!", "?", ";", ":", ")", "…", "-", "en", "maar", "want", "of", "dan", "omdat",
     "zodat", "als", "wanneer", "terwijl", "die", "dat", "waar", "hoor", "toch", "hè",
     "naar", "met", "bij", "voor", "tot", "van", "in", "op", "aan", "uit", "over", "door",
     "tegen", "zonder", "om", "na", "richting"]
)  # fmt: skip
"""Tokens that may follow the particle of a split verb: it ends its clause ("meldt het
aan, en ...") or a phrase follows it ("schalen op naar de burgemeester"), unlike the same
word used as a preposition ("komen na de vergadering")."""


@dataclass(frozen=True)
class FormInfo:
    """What one lowercase word form carries."""

    keywords: tuple[tuple[int, str], ...]
    """(keyword index, KEYWORD or COMPOUND)."""
    anchors: tuple[int, ...]
    """Phrases this form may anchor."""
    content: frozenset[int]
    """Content words of phrases this form can stand for."""
    negation: bool
    lemma: str
    term: int
    """Id of the lemma: repeated mentions of one word count once."""
    columns: tuple[int, ...]
    """Codebook positions of every code (and ancestor) its keywords point to."""


NOTHING = FormInfo((), (), frozenset(), False, "", -1, ())


class KeywordTable:
    """The keywords and phrases of a codebook, with a cache of analysed word forms."""

    def __init__(self, codebook: Codebook) -> None:
        from spacy.lang.nl.stop_words import STOP_WORDS

        from qcode.nlp.pipeline import lemmatise_phrase

        self.column = {code: i for i, code in enumerate(codebook.ids)}
        self.keywords: list[Keyword] = []
        self.phrases: list[Phrase] = []
        self.terms: dict[str, int] = {}
        self._exact: dict[str, set[int]] = {}
        self._as_head: dict[str, set[int]] = {}
        self._as_modifier: dict[str, set[int]] = {}
        self._anchor: dict[str, set[int]] = {}
        self._word_ids: dict[frozenset[str], int] = {}
        self._filled_by: dict[str, set[int]] = {}
        self._content_words: set[int] = set()
        words: set[str] = set()
        for code in codebook.codes:
            for keyword in code.keywords:
                written = [w for w in lexicon.normalise(keyword).split() if w]
                lemmas = lemmatise_phrase(keyword)
                if not lemmas:
                    continue
                if len(lemmas) == 1:
                    self._add_keyword(code.id, keyword, {lemmas[0], *written})
                    words.update({lemmas[0], *written})
                    self._add_separable(code.id, keyword, lemmas[0])
                    continue
                forms = [
                    frozenset({lemma, written[i]} if len(written) == len(lemmas) else {lemma})
                    for i, lemma in enumerate(lemmas)
                ]
                self._add_phrase(code.id, keyword, forms, STOP_WORDS)
                if len(written) in (2, 3) and all(w.isalpha() for w in written):
                    joined = "".join(written)
                    self._add_keyword(code.id, keyword, {joined, lexicon.lemma(joined)})
        lexicon.add_words({w for w in words if len(w) >= 3})

    def term_id(self, term: str) -> int:
        return self.terms.setdefault(term, len(self.terms))

    def columns_of(self, code: str) -> tuple[int, ...]:
        return tuple(
            sorted(self.column[c] for c in (code, *ancestors(code)) if c in self.column)
        )

    # -- compiling -------------------------------------------------------------------

    def _add_keyword(self, code: str, keyword: str, forms: set[str]) -> None:
        index = len(self.keywords)
        self.keywords.append(Keyword(code, keyword, self.columns_of(code)))
        for form in forms:
            self._exact.setdefault(form, set()).add(index)
            if not form.isalpha():
                continue
            if len(form) >= lexicon.MIN_HEAD_KEYWORD:
                self._as_head.setdefault(form, set()).add(index)
            if len(form) >= lexicon.MIN_MODIFIER_KEYWORD:
                self._as_modifier.setdefault(form, set()).add(index)

    def _add_separable(self, code: str, keyword: str, lemma: str) -> None:
        """Let a separable verb keyword (``aanmelden``) match its split form ("meldt de
        gemeente het zelf aan"): the verb, then its particle later in the sentence."""
        if not lemma.isalpha() or not lemma.endswith("en") or lemma in NOT_SEPARABLE:
            return
        for particle in SEPARABLE_PARTICLES:
            verb = lemma[len(particle) :]
            if (
                lemma.startswith(particle)
                and len(verb) >= 4
                and lexicon.is_word(verb)
            ):
                self._add_phrase(
                    code,
                    keyword,
                    [frozenset({verb}), frozenset({particle})],
                    frozenset({particle}),
                    term=lemma,
                    reach=SEPARABLE_REACH,
                    ordered=True,
                )
                return

    def _add_phrase(
        self,
        code: str,
        keyword: str,
        words: list[frozenset[str]],
        stop_words: Any,
        *,
        term: str | None = None,
        reach: int = 0,
        ordered: bool = False,
    ) -> None:
        ids = []
        for forms in words:
            word_id = self._word_ids.setdefault(forms, len(self._word_ids))
            for form in forms:
                self._filled_by.setdefault(form, set()).add(word_id)
            ids.append(word_id)
        content = [i for i, forms in zip(ids, words, strict=True) if not forms & stop_words]
        if not content:
            content = ids
        self._content_words.update(content)
        # anchor on the longest content word: usually the rarest
        anchor = max(
            (forms for i, forms in zip(ids, words, strict=True) if i in content),
            key=lambda forms: (max(len(f) for f in forms), sorted(forms)),
        )
        index = len(self.phrases)
        self.phrases.append(
            Phrase(
                code=code,
                keyword=keyword,
                term=self.term_id(term or " ".join(sorted(min(forms) for forms in words))),
                term_text=term or lexicon.normalise(keyword),
                words=tuple(ids),
                content=frozenset(content),
                all_words=frozenset(ids),
                columns=self.columns_of(code),
                reach=reach,
                ordered=ordered,
            )
        )
        for form in anchor:
            self._anchor.setdefault(form, set()).add(index)

    # -- word forms ------------------------------------------------------------------

    def info(self, form: str) -> FormInfo:
        """Analyse one lowercase word form."""
        lemma = lexicon.lemma(form)
        found: dict[int, str] = {}
        for variant in (form, lemma):
            for index in self._exact.get(variant, ()):
                found[index] = KEYWORD
        if "-" in form:
            for part in form.split("-"):
                for variant in (part, lexicon.lemma(part)):
                    for index in self._exact.get(variant, ()):
                        found.setdefault(index, COMPOUND)
                    self._compound(variant, found)
        elif form.isalpha():
            self._compound(form, found)
            if lemma != form:
                self._compound(lemma, found)
        anchors: set[int] = set()
        for variant in (form, lemma):
            anchors.update(self._anchor.get(variant, ()))
        content = self.fills(form) & self._content_words
        negation = lexicon.strip_emphasis(form) in lexicon.NEGATIONS
        if not found and not anchors and not content and not negation:
            return NOTHING
        columns = sorted({c for index in found for c in self.keywords[index].columns})
        return FormInfo(
            keywords=tuple(sorted(found.items())),
            anchors=tuple(sorted(anchors)),
            content=content,
            negation=negation,
            lemma=lemma,
            term=self.term_id(lemma),
            columns=tuple(columns),
        )

    def fills(self, form: str) -> frozenset[int]:
        """The phrase words this lowercase form can stand for."""
        ids: set[int] = set()
        for variant in (form, lexicon.lemma(form)):
            ids.update(self._filled_by.get(variant, ()))
        return frozenset(ids)

    def _compound(self, word: str, found: dict[int, str]) -> None:
        for index in compound_parts(word, self._as_head, self._as_modifier):
            found.setdefault(index, COMPOUND)


def compound_parts(
    word: str, as_head: Mapping[str, AbstractSet[T]], as_modifier: Mapping[str, AbstractSet[T]]
) -> set[T]:
    """The keywords (by index) that stand inside the lowercase ``word`` as a part of a
    compound, by the boundary rules of this module: ``as_head`` holds the keywords that
    may close a compound, ``as_modifier`` those that may open it or sit inside it.

    Text search (:func:`qcode.nlp.wordsearch.compound_parts_of`) lists every part a word
    could be found by, through these same rules.
    """
    found: set[T] = set()
    size = len(word)
    if size < lexicon.MIN_MODIFIER_PART + lexicon.MIN_HEAD_KEYWORD:
        return found
    listed = lexicon.is_word(word)
    # the keyword closes the compound: ketenpartner, veiligheidshuis
    for cut in range(lexicon.MIN_MODIFIER_PART, size - lexicon.MIN_HEAD_KEYWORD + 1):
        indexes = as_head.get(word[cut:])
        if indexes and lexicon.is_plausible_modifier(word[:cut]):
            found.update(indexes)
    # the keyword opens the compound or sits inside it: informatiedeling,
    # ketenpartneroverleg
    for start in range(0, size - lexicon.MIN_MODIFIER_KEYWORD - 2):
        if start and not lexicon.is_plausible_modifier(word[:start]):
            continue
        for end in range(start + lexicon.MIN_MODIFIER_KEYWORD, size - 2):
            indexes = as_modifier.get(word[start:end])
            if not indexes:
                continue
            if end - start < 5 and listed:
                continue
            if _closes(word[end:]):
                found.update(indexes)
    return found


def _closes(rest: str) -> bool:
    for link in lexicon.LINKS:
        if rest.startswith(link) and lexicon.is_plausible_head(rest[len(link) :]):
            return True
    return False
