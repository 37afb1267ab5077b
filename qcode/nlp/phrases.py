"""Phrases of a codebook found in a batch of documents (see :mod:`qcode.nlp.keywords`).

A phrase ("informatie delen") is anchored on one of its words; the others must stand
near it, in the same sentence, in any order (Dutch word order moves them) or in order
for a separated verb and its particle. Most (anchor, phrase) candidates of a document
miss a word altogether, so those are dropped for a whole batch at once with numpy
before anything is looked for word by word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qcode.nlp.keywords import FormInfo, KeywordTable, Phrase

if TYPE_CHECKING:
    from qcode.nlp.rules import RuleScan


class PhraseFinder:
    """The phrases of a :class:`~qcode.nlp.keywords.KeywordTable`, compiled for search."""

    def __init__(self, table: KeywordTable) -> None:
        self.table = table
        self._words: tuple[Any, Any, int] | None = None

    def find(
        self,
        scan: RuleScan,
        anchored: Any,
        inverse: Any,
        infos: list[FormInfo],
        fills: list[frozenset[int]],
    ) -> None:
        """Find the phrases of a batch (into ``scan.phrases``). ``anchored`` are the
        batch positions of tokens that may anchor a phrase, ``inverse`` the form of every
        token, ``infos`` and ``fills`` each form's analysis and the phrase words it can
        stand for.

        Every (anchor, phrase) pair is a candidate; with numpy over the whole batch, a
        candidate is kept only when every word of its phrase stands somewhere in the
        document (most are not). Only for the documents with candidates left are the
        places of the words they need gathered and the phrases looked for near their
        anchors."""
        import numpy

        batch = scan.batch
        words_of, word_ptr, word_count = self._words_laid_out()
        # candidates: each anchoring token with each phrase it anchors, in text order
        phrase, position = _expand([info.anchors for info in infos], inverse, anchored)
        row = batch.rows[position]
        # which phrase words each document has
        has_fill = numpy.asarray([bool(f) for f in fills])
        filled = numpy.nonzero(has_fill[inverse])[0]
        pair_words, pair_positions = _expand([tuple(f) for f in fills], inverse, filled)
        present = numpy.zeros((len(batch.offsets) - 1, word_count), dtype=bool)
        present[batch.rows[pair_positions], pair_words] = True
        # a candidate whose phrase misses a word in its document is dropped
        sizes = word_ptr[phrase + 1] - word_ptr[phrase]
        starts = numpy.repeat(word_ptr[phrase] - numpy.cumsum(sizes) + sizes, sizes)
        needed = words_of[starts + numpy.arange(int(sizes.sum()))]
        there = present[numpy.repeat(row, sizes), needed]
        bounds = numpy.concatenate(([0], numpy.cumsum(sizes)[:-1]))
        kept = numpy.logical_and.reduceat(there, bounds) if len(there) else there
        if not kept.any():
            return
        cuts = numpy.searchsorted(filled, batch.offsets).tolist()
        phrases = self.table.phrases
        candidates: dict[int, list[tuple[int, Phrase]]] = {}
        for r, p, index in zip(row[kept].tolist(), position[kept].tolist(),
                               phrase[kept].tolist(), strict=True):
            candidates.setdefault(r, []).append((p, phrases[index]))
        for r, found in candidates.items():
            at = filled[cuts[r] : cuts[r + 1]]
            scan.phrases[r] = self._find(
                scan, r, found, at.tolist(), [fills[k] for k in inverse[at].tolist()]
            )

    def _words_laid_out(self) -> tuple[Any, Any, int]:
        """The words of every phrase laid end to end, where each phrase's start, and
        one more than the highest word id."""
        import numpy

        if self._words is None:
            phrases = self.table.phrases
            flat = [w for phrase in phrases for w in sorted(phrase.all_words)]
            ptr = numpy.concatenate(
                ([0], numpy.cumsum([len(phrase.all_words) for phrase in phrases]))
            ).astype("int64")
            top = max(flat, default=-1) + 1
            self._words = (numpy.asarray(flat, dtype="int64"), ptr, top)
        return self._words

    def _find(
        self,
        scan: RuleScan,
        row: int,
        candidates: list[tuple[int, Phrase]],
        positions: list[int],
        fills: list[frozenset[int]],
    ) -> list[tuple[Phrase, int, int]]:
        """The phrases of ``candidates`` (anchor position, phrase) found in document
        ``row``; ``positions`` are the batch positions of its tokens that can stand for a
        phrase word, ``fills`` which words each can."""
        needed = frozenset().union(*(phrase.all_words for _, phrase in candidates))
        start = scan.batch.span(row)[0]
        # where each phrase word that is needed can stand, in text order
        where: dict[int, list[int]] = {}
        for position, ids in zip(positions, fills, strict=True):
            for word in ids & needed:
                where.setdefault(word, []).append(position - start)
        found = []
        for position, phrase in candidates:
            span = _phrase_span(phrase, position - start, where)
            if span is None:
                continue
            first, stop = start + span[0], start + span[1]
            if not scan.batch.same_sentence(first, stop - 1):
                continue
            if phrase.ordered and not scan.batch.ends_clause(stop - 1):
                continue
            found.append((phrase, first, stop))
        return found


def _expand(per_form: list[tuple[int, ...]], inverse: Any, positions: Any) -> tuple[Any, Any]:
    """For the tokens at batch ``positions`` (of forms ``inverse[positions]``), every
    value their form has in ``per_form``, and the position it came from, in order."""
    import numpy

    width = numpy.asarray([len(values) for values in per_form], dtype="int64")
    flat = numpy.asarray([v for values in per_form for v in values], dtype="int64")
    first = numpy.concatenate(([0], numpy.cumsum(width)[:-1]))
    forms = inverse[positions]
    counts = width[forms]
    total = int(counts.sum())
    starts = numpy.repeat(first[forms] - numpy.cumsum(counts) + counts, counts)
    return flat[starts + numpy.arange(total)], numpy.repeat(positions, counts)


def _phrase_span(
    phrase: Phrase, anchor: int, where: dict[int, list[int]]
) -> tuple[int, int] | None:
    """Find every word of ``phrase`` near ``anchor``: in any order, as Dutch word order
    moves them ("informatie delen", "delen we informatie", "informatie wordt gedeeld"),
    or in order for a separated verb and its particle. Each word is taken at its nearest
    free place within the phrase's reach of the anchor (the earlier one on a tie);
    ``where[word]`` lists the token positions that can stand for a phrase word."""
    reach = phrase.reach or len(phrase.words) + 1
    low, high = anchor - reach, anchor + reach
    used: list[int] = []
    for word in phrase.words:
        best = None
        for j in where.get(word, ()):
            if j < low or j in used:
                continue
            if j > high:
                break
            if phrase.ordered and used and j <= used[-1]:
                continue
            if best is None or abs(j - anchor) < abs(best - anchor):
                best = j
        if best is None:
            return None
        used.append(best)
    if anchor not in used:
        return None
    return min(used), max(used) + 1
