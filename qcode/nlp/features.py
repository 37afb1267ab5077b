"""What the learned model reads: lemmas, with the parts of compounds.

The model sees lemmas, not raw words, so ``vertrouwden`` and ``vertrouwen`` are one
feature; a compound adds its parts as well (``informatiedeling`` also gives
``informatie`` and ``deling``), so what is learnt about one compound carries over to
others. Punctuation, numbers and spaces are left out.

Training builds spaCy ``Doc`` objects from these words (:func:`model_words`). Prediction
skips that step: :func:`bag_of_words` computes, for a whole batch with numpy, exactly the
``(keys, counts, lengths)`` that the bag-of-words model's ``extract_ngrams`` layer makes
from such documents (unigrams: the sorted distinct word hashes of each document with
their counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qcode.nlp import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from qcode.nlp.rules import RuleScan

EMPTY = "_"
"""The one word of a document that has no words, so that it still gets a prediction."""

_words_by_lower: dict[int, tuple[str, ...]] = {}
_hashes_by_lower: dict[int, tuple[int, ...]] = {}
_generation = [lexicon.generation]


def _check_generation() -> None:
    if _generation[0] != lexicon.generation:
        _words_by_lower.clear()
        _hashes_by_lower.clear()
        _words_of.cache_clear()
        _generation[0] = lexicon.generation


def model_words(doc: Doc) -> list[str]:
    """The words the model sees for a processed document."""
    from spacy.attrs import LOWER

    _check_generation()
    cache = _words_by_lower
    strings = doc.vocab.strings
    words: list[str] = []
    for lower in doc.to_array(LOWER).tolist():
        found = cache.get(lower)
        if found is None:
            found = _words_of(lexicon.normalise(strings[lower]))
            cache[lower] = found
        words.extend(found)
    return words


def token_words(form: str) -> tuple[str, ...]:
    """The model words one word form gives."""
    return _words_of(lexicon.normalise(form))


@lru_cache(maxsize=200_000)
def _words_of(form: str) -> tuple[str, ...]:
    if not any(ch.isalpha() for ch in form):
        return ()
    lemma = lexicon.lemma(form)
    found = [lemma]
    for part in lemma.split("-") if "-" in lemma else [lemma]:
        if part != lemma and part:
            found.append(lexicon.lemma(part))
        split = lexicon.split_compound(part) if part.isalpha() else None
        if split is not None:
            found.extend([split[0], lexicon.lemma(split[1])])
    return tuple(found)


@lru_cache(maxsize=200_000)
def word_hash(word: str) -> int:
    """The hash spaCy gives a word (its ``ORTH`` in any vocabulary)."""
    from spacy.strings import get_string_id

    return int(get_string_id(word))


def bag_of_words(
    lowers: Any,
    rows: Any,
    documents: int,
    strings: Any,
    *,
    evidence: tuple[Any, Sequence[str]] | None = None,
) -> tuple[Any, Any, Any]:
    """The model input for a batch of documents given as tokens laid end to end.

    ``lowers`` holds the lowercase-form hash of every token, ``rows`` the document each
    token belongs to (non-decreasing), ``strings`` a StringStore that knows the forms.
    With ``evidence`` (a scan's distinct term counts per document and code, and the
    codes), the rule evidence is a feature too (see :func:`evidence_keys`).
    """
    import numpy

    _check_generation()
    forms, inverse = numpy.unique(lowers, return_inverse=True)
    cache = _hashes_by_lower
    per_form: list[tuple[int, ...]] = []
    for lower in forms.tolist():
        found = cache.get(lower)
        if found is None:
            found = tuple(
                word_hash(w) for w in _words_of(lexicon.normalise(strings[lower]))
            )
            cache[lower] = found
        per_form.append(found)
    rows = numpy.asarray(rows, dtype="int64")
    extra = evidence_keys(*evidence) if evidence is not None else None
    return _bag(per_form, inverse, rows, documents, extra)


RULE_PREFIX = "\x00rule "
MAX_RULE_COUNT = 3


def evidence_keys(terms: Any, codes: Sequence[str]) -> tuple[Any, Any]:
    """Rule evidence as model features: per document and code with matched terms, the
    feature ``rule CODE`` repeated once per distinct term (at most
    :data:`MAX_RULE_COUNT`), so the model learns per code how far keywords go."""
    import numpy

    rows, columns = numpy.nonzero(terms)
    counts = numpy.minimum(terms[rows, columns], MAX_RULE_COUNT).astype("int64")
    hashes = numpy.asarray([word_hash(RULE_PREFIX + code) for code in codes], dtype="uint64")
    return numpy.repeat(hashes[columns], counts), numpy.repeat(rows, counts)


def form_hashes(lower: int, strings: Any) -> tuple[int, ...]:
    """The hashes of the model words of one lowercase form (by its hash), cached."""
    _check_generation()
    found = _hashes_by_lower.get(lower)
    if found is None:
        found = tuple(word_hash(w) for w in _words_of(lexicon.normalise(strings[lower])))
        _hashes_by_lower[lower] = found
    return found


def bag_of_word_lists(word_lists: Sequence[Sequence[str]]) -> tuple[Any, Any, Any]:
    """The model input for documents given as lists of model words (unigrams only)."""
    import numpy

    per_word: list[tuple[int, ...]] = [(word_hash(w),) for lst in word_lists for w in lst]
    rows = numpy.repeat(numpy.arange(len(word_lists)), [len(lst) for lst in word_lists])
    return _bag(per_word, numpy.arange(len(per_word)), rows, len(word_lists))


def _bag(
    per_form: list[tuple[int, ...]],
    inverse: Any,
    rows: Any,
    documents: int,
    extra: tuple[Any, Any] | None = None,
) -> tuple[Any, Any, Any]:
    import numpy

    width = numpy.asarray([len(f) for f in per_form], dtype="int64")
    flat = numpy.asarray([h for f in per_form for h in f], dtype="uint64")
    first = numpy.concatenate(([0], numpy.cumsum(width)[:-1])).astype("int64")
    counts = width[inverse] if len(inverse) else numpy.zeros(0, dtype="int64")
    total = int(counts.sum())
    starts = numpy.repeat(first[inverse] - numpy.cumsum(counts) + counts, counts)
    keys = flat[starts + numpy.arange(total)] if total else numpy.zeros(0, dtype="uint64")
    docs = numpy.repeat(rows, counts)
    if extra is not None and len(extra[0]):
        keys = numpy.concatenate([keys, extra[0]])
        docs = numpy.concatenate([docs, extra[1]])
    # a document without words reads as the one word EMPTY, as in training
    empty = numpy.setdiff1d(numpy.arange(documents), docs)
    if len(empty):
        keys = numpy.concatenate([keys, numpy.full(len(empty), word_hash(EMPTY), "uint64")])
        docs = numpy.concatenate([docs, empty])
    order = numpy.lexsort((keys, docs))
    keys, docs = keys[order], docs[order]
    fresh = numpy.ones(len(keys), dtype=bool)
    fresh[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
    starts_at = numpy.nonzero(fresh)[0]
    values = numpy.diff(numpy.append(starts_at, len(keys))).astype("float32")
    lengths = numpy.bincount(docs[starts_at], minlength=documents).astype("int32")
    return keys[starts_at], values, lengths


class Bags:
    """The bags of words of many documents, one after another (keys, values and the
    number of keys of each document, as :func:`bag_of_words` makes them), from which
    the bags of any selection of documents can be taken."""

    def __init__(self, parts: Sequence[tuple[Any, Any, Any]]) -> None:
        import numpy

        self.keys: Any = numpy.concatenate([p[0] for p in parts] or [numpy.zeros(0, "uint64")])
        self.values: Any = numpy.concatenate(
            [p[1] for p in parts] or [numpy.zeros(0, "float32")]
        )
        self.lengths: Any = numpy.concatenate(
            [p[2] for p in parts] or [numpy.zeros(0, "int32")]
        ).astype("int32")
        self.starts: Any = numpy.concatenate(([0], numpy.cumsum(self.lengths)[:-1])).astype(
            "int64"
        )

    def __len__(self) -> int:
        return len(self.lengths)

    def take(self, indexes: Any) -> tuple[Any, Any, Any]:
        """The bag of the documents at ``indexes``, in that order."""
        import numpy

        indexes = numpy.asarray(indexes, dtype="int64")
        lengths = self.lengths[indexes]
        total = int(lengths.sum())
        at = numpy.repeat(self.starts[indexes] - numpy.cumsum(lengths) + lengths, lengths)
        at = at + numpy.arange(total)
        return self.keys[at], self.values[at], lengths


def docs_bag(docs: list[Doc], scan: RuleScan | None) -> tuple[Any, Any, Any]:
    """The model input for a batch, from the rule scan's token arrays when there is one."""
    import numpy
    from spacy.attrs import LOWER

    if not docs:
        return bag_of_words(numpy.zeros(0, dtype="uint64"), [], 0, None)
    if scan is not None:
        lowers, rows = scan.batch.lowers, scan.batch.rows
    else:
        lowers = numpy.concatenate(
            [doc.to_array(LOWER) for doc in docs] + [numpy.zeros(0, dtype="uint64")]
        )
        rows = numpy.repeat(numpy.arange(len(docs)), [len(doc) for doc in docs])
    evidence = (scan.terms, scan.matcher.codes) if scan is not None else None
    return bag_of_words(lowers, rows, len(docs), docs[0].vocab.strings, evidence=evidence)
