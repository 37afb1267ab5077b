"""Rule evidence from a codebook: keywords on lemmas and inside compounds, and patterns.

A :class:`RuleMatcher` is compiled once per codebook (see :mod:`qcode.nlp.keywords` for
how keywords, compounds and phrases are matched) and then scans batches of documents.
A scan first counts, for every document and code, the distinct terms and patterns that
point to the code, with numpy over the whole batch: each distinct word form of the batch
is looked up once, so the cost per token is a few array operations. The evidence itself
(which words, where, in which sentence) is worked out only for the documents and codes
that are asked for.

Codebook ``patterns`` run through spaCy's ``Matcher`` and count only inside one sentence;
so do phrases.

A hit in a sentence that also holds a negation still counts for the code ("spanningen merk
ik niet" is talk about consensus), but its evidence reaches from the negation to the
keyword, so a coder sees it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qcode.models import Codebook
from qcode.nlp import lexicon
from qcode.nlp.errors import NlpError
from qcode.nlp.keywords import (
    CLAUSE_ENDS,
    COMPOUND,
    KEYWORD,
    NOTHING,
    PATTERN,
    PHRASE,
    FormInfo,
    KeywordTable,
    Phrase,
)
from qcode.nlp.phrases import PhraseFinder
from qcode.nlp.timed_regex import RegexGuard

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

__all__ = ["COMPOUND", "KEYWORD", "PATTERN", "PHRASE", "Hit", "RuleMatcher", "RuleScan"]


@dataclass(frozen=True)
class Hit:
    """One piece of rule evidence for a code inside one document.

    Offsets are character offsets into the document's text: ``start``/``end`` for the
    matched words, ``evidence_start``/``evidence_end`` for the text to show (the matched
    words, reaching to the negation when their sentence has one) and
    ``sentence_start``/``sentence_end`` for their sentence. ``term`` identifies what
    matched (the lemma of the matched word, the phrase, or the pattern's name) so that
    repeated mentions of one word count once.
    """

    code: str
    kind: str
    keyword: str
    term: str
    start: int
    end: int
    evidence_start: int
    evidence_end: int
    sentence_start: int
    sentence_end: int
    negated: bool

    def evidence(self, text: str) -> str:
        return text[self.evidence_start : self.evidence_end]

    def sentence(self, text: str) -> str:
        return text[self.sentence_start : self.sentence_end]


class RuleMatcher:
    """A codebook's keywords and patterns, compiled for fast matching.

    >>> matcher = RuleMatcher(codebook)                     # doctest: +SKIP
    >>> matcher.match(get_pipeline()("We delen informatie."))  # doctest: +SKIP
    """

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.codes = list(codebook.ids)
        self.table = KeywordTable(codebook)
        self._forms: dict[int, FormInfo] = {}
        self._fills: dict[int, frozenset[int]] = {}
        self._generation = lexicon.generation
        self._regex = RegexGuard()
        self._matcher = _compile_patterns(codebook, self._regex)
        self._phrase_finder = PhraseFinder(self.table)

    @property
    def stopped(self) -> list[str]:
        """Patterns stopped because their REGEX ran out of time (one message each)."""
        return list(self._regex.stopped)

    def scan(self, docs: Sequence[Doc]) -> RuleScan:
        """Count the rule evidence per document and code for a batch of documents."""
        import numpy

        if self._generation != lexicon.generation:
            self._forms.clear()
            self._fills.clear()
            self._generation = lexicon.generation
        scan = RuleScan(self, docs)
        if not scan.batch.size:
            return scan
        batch = scan.batch
        forms, inverse = numpy.unique(batch.lowers, return_inverse=True)
        batch.unique = (forms, inverse)
        strings = docs[0].vocab.strings
        cache = self._forms
        infos: list[FormInfo] = []
        for lower in forms.tolist():
            info = cache.get(lower)
            if info is None:
                info = self.table.info(lexicon.normalise(strings[lower]))
                cache[lower] = info
            infos.append(info)
        flags = numpy.asarray(
            [(info is not NOTHING, info.negation, bool(info.anchors)) for info in infos],
            dtype=bool,
        )
        positions = numpy.nonzero(flags[inverse, 0])[0]
        token_rows = batch.rows[positions]
        scan.count_keywords(token_rows, inverse[positions], infos)
        scan.tokens_at(positions, [infos[k] for k in inverse[positions].tolist()])
        negations = numpy.nonzero(flags[inverse, 1])[0]
        batch.set_negations(negations.tolist())
        anchored = numpy.nonzero(flags[inverse, 2])[0]
        if len(anchored):
            fills = [self._token_fills(lower, strings) for lower in forms.tolist()]
            self._phrase_finder.find(scan, anchored, inverse, infos, fills)
            scan.count_phrases()
        if self._matcher is not None:
            for row, doc in enumerate(docs):
                scan.add_patterns(row, self._find_patterns(scan, row, doc))
        return scan

    def keyword_columns(self, doc: Doc) -> list[tuple[int, tuple[int, ...]]]:
        """For every token of ``doc`` that is a keyword (as its lemma or a part of a
        compound), its character offset and the codebook positions of the codes (and
        their ancestors) its keywords point to; phrases and patterns are not looked for."""
        import numpy
        from spacy.attrs import IDX, LOWER

        if not len(doc):
            return []
        table = doc.to_array([LOWER, IDX])
        forms, inverse = numpy.unique(table[:, 0], return_inverse=True)
        strings = doc.vocab.strings
        columns = [self._info(lower, strings).columns for lower in forms.tolist()]
        found = numpy.nonzero(numpy.asarray([bool(c) for c in columns])[inverse.reshape(-1)])[0]
        return [
            (int(table[position, 1]), columns[k])
            for position, k in zip(found.tolist(), inverse.reshape(-1)[found].tolist(),
                                   strict=True)
        ]

    def _info(self, lower: int, strings: Any) -> FormInfo:
        info = self._forms.get(lower)
        if info is None:
            info = self._forms[lower] = self.table.info(lexicon.normalise(strings[lower]))
        return info

    def match(self, doc: Doc) -> list[Hit]:
        """All rule hits in one processed document, in text order."""
        return self.scan([doc]).hits(0)

    def match_docs(self, docs: Sequence[Doc]) -> list[list[Hit]]:
        """All rule hits in each of a batch of processed documents."""
        scan = self.scan(docs)
        return [scan.hits(row) for row in range(len(docs))]

    def _token_fills(self, lower: int, strings: Any) -> frozenset[int]:
        found = self._fills.get(lower)
        if found is None:
            found = self.table.fills(lexicon.normalise(strings[lower]))
            self._fills[lower] = found
        return found

    def _find_patterns(self, scan: RuleScan, row: int, doc: Doc) -> list[tuple[str, int, int]]:
        assert self._matcher is not None
        start = scan.batch.span(row)[0]
        strings = doc.vocab.strings
        return [
            (strings[match_id], start + first, start + stop)
            for match_id, first, stop in self._matcher(doc)
            if scan.batch.same_sentence(start + first, start + stop - 1)
        ]

    def describe(self) -> dict[str, int]:
        """Counts of what was compiled, for reports and tests."""
        return {
            "keywords": len(self.table.keywords),
            "phrases": len(self.table.phrases),
            "patterns": len(self._matcher) if self._matcher is not None else 0,
        }


class _Batch:
    """The tokens of a batch of documents laid end to end: positions are batch-wide."""

    def __init__(self, docs: Sequence[Doc]) -> None:
        import numpy
        from spacy.attrs import IDX, IS_SPACE, LENGTH, LOWER, SENT_START

        from qcode.nlp.pipeline import TOKEN_TABLE

        arrays: list[Any] = []
        for doc in docs:
            kept = doc.user_data.get(TOKEN_TABLE)
            if kept is None:
                kept = doc.to_array([LOWER, SENT_START, IDX, LENGTH, IS_SPACE])
            arrays.append(kept)
        sizes = [len(doc) for doc in docs]
        self.size = sum(sizes)
        self.offsets = [0, *numpy.cumsum(sizes).tolist()]
        self.rows: Any = numpy.repeat(numpy.arange(len(docs)), sizes)
        self.negations: list[int] = []
        self._bounds: dict[int, tuple[int, int]] = {}
        self.unique: tuple[Any, Any] | None = None
        """The distinct lowercase forms of the batch and, per token, which (once read)."""
        if not self.size:
            self.lowers: Any = numpy.zeros(0, dtype="uint64")
            return
        table = numpy.concatenate([a for a in arrays if len(a)])
        self.lowers = table[:, 0]
        small = table[:, 1:].view("int64")
        starts = small[:, 0] == 1
        starts[numpy.asarray(self.offsets[:-1])[numpy.asarray(sizes) > 0]] = True
        # per token, read one at a time for the few tokens evidence is shown for: views
        # that give Python numbers, not lists of every token of the batch
        self.sentence: Sequence[int] = _view(numpy.cumsum(starts) - 1)
        first = numpy.nonzero(starts)[0]
        self.sentence_first = first.tolist()
        self.sentence_stop = [*first[1:].tolist(), self.size]
        self.idx: Sequence[int] = _view(small[:, 1])
        self.ends: Sequence[int] = _view(small[:, 1] + small[:, 2])
        self.space: Sequence[bool] = _view(small[:, 3].astype(bool))

    def span(self, row: int) -> tuple[int, int]:
        return self.offsets[row], self.offsets[row + 1]

    def set_negations(self, positions: list[int]) -> None:
        """Remember where the negations are (batch positions, ascending)."""
        self.negations = positions

    def negations_in(self, number: int) -> list[int]:
        """The positions of the negations in sentence ``number``."""
        low = bisect_left(self.negations, self.sentence_first[number])
        high = bisect_left(self.negations, self.sentence_stop[number], low)
        return self.negations[low:high]

    def same_sentence(self, first: int, last: int) -> bool:
        return bool(self.sentence[first] == self.sentence[last])

    def ends_clause(self, position: int) -> bool:
        """Is the token at ``position`` the last of its clause: at the end of its document
        or sentence, or before punctuation or a conjunction?"""
        following = position + 1
        if following >= self.size or self.rows[following] != self.rows[position]:
            return True
        if not self.same_sentence(position, following):
            return True
        return int(self.lowers[following]) in _clause_ends()

    def hit(self, code: str, kind: str, keyword: str, term: str, start: int, end: int) -> Hit:
        shown = self.shown(start, end)
        return Hit(
            code=code,
            kind=kind,
            keyword=keyword,
            term=term,
            start=self.idx[start],
            end=self.ends[end - 1],
            evidence_start=shown[0],
            evidence_end=shown[1],
            sentence_start=shown[2],
            sentence_end=shown[3],
            negated=shown[4],
        )

    def shown(self, start: int, end: int) -> tuple[int, int, int, int, bool]:
        """For the tokens ``start:end`` (batch positions), the character offsets of the
        evidence to show (reaching to the nearest negation in their sentence) and of
        their sentence, and whether the sentence has a negation."""
        number = self.sentence[start]
        low, high = start, end
        negations = self.negations_in(number)
        if negations:
            nearest = min(negations, key=lambda i: (abs(i - start), i))
            low, high = min(low, nearest), max(high, nearest + 1)
        bounds = self._bounds.get(number)
        if bounds is None:
            first, stop = self.sentence_first[number], self.sentence_stop[number]
            while first < stop - 1 and self.space[first]:
                first += 1
            last = stop - 1
            while last > first and self.space[last]:
                last -= 1
            bounds = self._bounds[number] = (self.idx[first], self.ends[last])
        return self.idx[low], self.ends[high - 1], bounds[0], bounds[1], bool(negations)


class RuleScan:
    """The rule evidence of a batch of documents.

    ``terms[row, column]`` counts the distinct terms (keyword lemmas and phrases) that
    point to code ``matcher.codes[column]`` (its own or a sub-code's) in document ``row``;
    ``patterns`` does the same for pattern matches. :meth:`hits` gives the evidence.
    """

    def __init__(self, matcher: RuleMatcher, docs: Sequence[Doc]) -> None:
        import numpy

        self.matcher = matcher
        self.batch = _Batch(docs)
        shape = (len(docs), len(matcher.codes))
        self.terms: Any = numpy.zeros(shape)
        self.patterns: Any = numpy.zeros(shape)
        self._triples: list[Any] = []
        self.phrases: list[list[tuple[Phrase, int, int]]] = [[] for _ in docs]
        self.pattern_matches: list[list[tuple[str, int, int]]] = [[] for _ in docs]
        self._positions: list[int] = []
        self._infos: list[FormInfo] = []
        self._cuts: list[int] = [0] * (len(docs) + 1)

    def tokens_at(self, positions: Any, infos: list[FormInfo]) -> None:
        """Remember the batch positions (sorted) of the tokens that carry a keyword, a
        phrase word or a negation, and their form analyses."""
        import numpy

        self._positions = positions.tolist()
        self._infos = infos
        self._cuts = numpy.searchsorted(positions, self.batch.offsets).tolist()

    def tokens(self, row: int) -> tuple[list[int], list[FormInfo]]:
        """Batch positions and form analyses of document ``row``'s interesting tokens."""
        low, high = self._cuts[row], self._cuts[row + 1]
        return self._positions[low:high], self._infos[low:high]

    def count_keywords(self, rows: Any, forms: Any, infos: list[FormInfo]) -> None:
        """Add the keyword terms of the tokens in documents ``rows`` with form indexes
        ``forms``: each distinct lemma counts once per document and code."""
        import numpy

        if not len(rows):
            return
        width = numpy.asarray([len(info.columns) for info in infos], dtype="int64")
        flat = numpy.asarray([c for info in infos for c in info.columns], dtype="int64")
        first = numpy.concatenate(([0], numpy.cumsum(width)[:-1]))
        term = numpy.asarray([info.term for info in infos], dtype="int64")
        counts = width[forms]
        total = int(counts.sum())
        if not total:
            return
        starts = numpy.repeat(first[forms] - numpy.cumsum(counts) + counts, counts)
        columns = flat[starts + numpy.arange(total)]
        self._add_distinct(
            self.terms, numpy.repeat(rows, counts), columns, numpy.repeat(term[forms], counts)
        )

    def count_phrases(self) -> None:
        """Add the phrases found (in :attr:`phrases`) to the term counts."""
        import numpy

        triples = [
            (row, c, phrase.term)
            for row, found in enumerate(self.phrases)
            for phrase, _, _ in found
            for c in phrase.columns
        ]
        if triples:
            table = numpy.asarray(triples, dtype="int64")
            self._add_distinct(self.terms, table[:, 0], table[:, 1], table[:, 2])

    def add_patterns(self, row: int, found: list[tuple[str, int, int]]) -> None:
        import numpy

        self.pattern_matches[row] = found
        triples = {
            (row, column, self.matcher.table.term_id(name))
            for name, _, _ in found
            for column in self.matcher.table.columns_of(name.rsplit("#", 1)[0])
        }
        if triples:
            table = numpy.asarray(sorted(triples), dtype="int64")
            self._add_distinct(self.patterns, table[:, 0], table[:, 1], table[:, 2])

    def _add_distinct(self, target: Any, rows: Any, columns: Any, terms: Any) -> None:
        """Count distinct terms per (row, column), and keep the distinct
        (row, column, term) triples in :attr:`triples`. Phrase and pattern terms never
        equal word terms, so counts from separate calls simply add up."""
        import numpy

        size = max(len(self.matcher.table.terms), 1) + 1
        keys = numpy.unique((rows * target.shape[1] + columns) * size + terms)
        cells = keys // size
        numpy.add.at(target.reshape(-1), cells, 1)
        width = target.shape[1]
        self._triples.append(
            numpy.stack([cells // width, cells % width, keys % size], axis=1)
        )

    @property
    def triples(self) -> Any:
        """Distinct (document row, code column, term id) evidence, one row each; term
        ids index :meth:`term_names`."""
        import numpy

        if not self._triples:
            return numpy.zeros((0, 3), dtype="int64")
        return numpy.concatenate(self._triples)

    def term_names(self) -> list[str]:
        """Term id -> term (lemma, phrase or pattern name)."""
        names = [""] * len(self.matcher.table.terms)
        for name, index in self.matcher.table.terms.items():
            names[index] = name
        return names

    def hits(self, row: int, codes: Collection[str] | None = None) -> list[Hit]:
        """The evidence in document ``row``, in text order; with ``codes``, only the
        evidence for those codes and their sub-codes."""
        return [self.batch.hit(*item) for item in self._found(row, codes)]

    def shown(
        self, row: int, codes: Collection[str]
    ) -> list[tuple[str, int, int, int, int]]:
        """What :meth:`hits` gives a suggestion to show, without making hits: per hit,
        in text order, its code and the character offsets of its evidence and of its
        sentence."""
        found = []
        for code, _, _, _, start, end in self._found(row, codes):
            shown = self.batch.shown(start, end)
            found.append((code, shown[0], shown[1], shown[2], shown[3]))
        return found

    def _found(
        self, row: int, codes: Collection[str] | None
    ) -> list[tuple[str, str, str, str, int, int]]:
        """(code, kind, keyword, term, start, end) of every hit in document ``row`` for
        ``codes`` (None: for every code), in text order."""
        table = self.matcher.table
        # evidence for a code or a sub-code: the code is among the evidence's columns
        # (those of its own code and that code's ancestors)
        wanted = None if codes is None else frozenset(
            table.column[code] for code in codes if code in table.column
        )
        keywords = table.keywords
        found: list[tuple[str, str, str, str, int, int]] = []
        for position, info in zip(*self.tokens(row), strict=True):
            for index, kind in info.keywords:
                keyword = keywords[index]
                if wanted is None or not wanted.isdisjoint(keyword.columns):
                    found.append(
                        (keyword.code, kind, keyword.keyword, info.lemma, position, position + 1)
                    )
        for phrase, start, end in self.phrases[row]:
            if wanted is None or not wanted.isdisjoint(phrase.columns):
                found.append((phrase.code, PHRASE, phrase.keyword, phrase.term_text, start, end))
        for name, start, end in self.pattern_matches[row]:
            code = name.rsplit("#", 1)[0]
            if wanted is None or not wanted.isdisjoint(table.columns_of(code)):
                found.append((code, PATTERN, name, name, start, end))
        # token order is text order
        found.sort(key=lambda item: (item[4], item[0], item[1], item[2]))
        return found


def _view(values: Any) -> Any:
    """A memoryview of a one-dimensional numpy array: indexing it gives Python ints or
    bools, as a list would, without making a Python object per element up front."""
    import numpy

    return numpy.ascontiguousarray(values).data


@lru_cache(maxsize=1)
def _clause_ends() -> frozenset[int]:
    from spacy.strings import get_string_id

    return frozenset(get_string_id(word) for word in CLAUSE_ENDS)


def _compile_patterns(codebook: Codebook, guard: RegexGuard) -> Matcher | None:
    from spacy.matcher import Matcher

    from qcode.nlp.pipeline import get_pipeline

    if not any(code.patterns for code in codebook.codes):
        return None
    matcher = Matcher(get_pipeline().vocab, validate=True)
    for code in codebook.codes:
        for number, pattern in enumerate(code.patterns, start=1):
            try:
                tokens = [guard.timed_token(token, code.id, number) for token in pattern]
                matcher.add(f"{code.id}#{number}", [tokens])
            except Exception as error:  # spaCy raises ValueError or MatchPatternError
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                raise NlpError(
                    f"Code {code.id}: pattern {number} is not a valid spaCy Matcher "
                    f"pattern: {first}"
                ) from error
    return matcher
