"""The Dutch spaCy pipeline: blank tokenizer, sentence starts and simplemma lemmas.

No pretrained Dutch model can be installed here, so the pipeline is built from parts that
install from the package index: ``spacy.blank("nl")`` and one small component that sets
``token.lemma_`` from :mod:`qcode.nlp.lexicon` and sentence starts by the rule of spaCy's
``sentencizer`` (plus line breaks), both computed on arrays a batch at a time. It is built
once per process; spaCy is imported only when it is first asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qcode.nlp import lexicon

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LEMMA_COMPONENT = "qcode_lemmas"
TOKEN_TABLE = "qcode_tokens"
"""``doc.user_data`` key of the array of LOWER, SENT_START, IDX, LENGTH, IS_SPACE per
token (as ``Doc.to_array`` gives them) that the pipeline leaves for the rule scan."""


class _LemmasAndSentences:
    """Sets ``token.lemma_`` and sentence starts, a batch of documents at a time.

    Lemmas: the distinct lowercase forms of a batch are looked up once each in a table
    (filled from :func:`qcode.nlp.lexicon.lemma` as forms are met) and spread back with
    numpy. Sentences: spaCy's ``sentencizer`` rule (a sentence starts at the first token
    that is not punctuation after a token such as ``.``, ``!`` or ``?``), computed on
    arrays, plus a start after every line break. The per-token Python loops of the
    sentencizer and of a token-by-token lemmatiser cost more than the tokenizer itself;
    this keeps the whole pipeline within a small factor of bare tokenising.
    """

    def __init__(self) -> None:
        self.by_orth: dict[int, tuple[int, ...]] = {}
        self.generation = lexicon.generation

    def __call__(self, doc: Doc) -> Doc:
        self._set([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                self._set(batch)
                yield from batch
                batch = []
        if batch:
            self._set(batch)
            yield from batch

    def _kind(self, form: str) -> int:
        if form in PUNCT_CHARS:
            return _ENDS
        if "\n" in form and not form.strip():
            return _LINE_BREAK
        return 0

    def _set(self, docs: list[Doc]) -> None:
        import numpy
        from spacy.attrs import IDX, LEMMA, ORTH, SENT_START

        if self.generation != lexicon.generation:
            self.by_orth.clear()
            self.generation = lexicon.generation
        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return
        # spaCy gives each token's form and offset; everything else depends on the form
        # alone and is looked up once per distinct form
        arrays = [doc.to_array([ORTH, IDX]) for doc in docs]
        together = numpy.concatenate(arrays)
        forms, inverse = numpy.unique(together[:, 0], return_inverse=True)
        table = self.by_orth
        vocab = docs[0].vocab
        found = []
        for orth in forms.tolist():
            known = table.get(orth)
            if known is None:
                known = table[orth] = self._form(vocab, orth)
            found.append(known)
        per_form = numpy.asarray(found, dtype="int64").view("uint64")
        per_token = per_form[inverse.reshape(-1)]
        kinds = per_token[:, _KIND].astype("int8")
        punct = per_token[:, _PUNCT].astype(bool)
        starts = _sentence_starts(kinds, punct, [len(a) for a in arrays])
        sent_start = numpy.where(starts, 1, -1).astype("int64").view("uint64")
        # the token table the rule scan reads: LOWER, SENT_START, IDX, LENGTH, IS_SPACE
        tokens: Any = numpy.empty((len(together), 5), dtype="uint64")
        tokens[:, 0] = per_token[:, _LOWER]
        tokens[:, 1] = sent_start
        tokens[:, 2] = together[:, 1]
        tokens[:, 3] = per_token[:, _LENGTH]
        tokens[:, 4] = per_token[:, _SPACE]
        columns: Any = numpy.empty((len(together), 2), dtype="uint64")
        columns[:, 0] = per_token[:, _LEMMA]
        columns[:, 1] = sent_start
        offset = 0
        for doc, array in zip(docs, arrays, strict=True):
            size = len(array)
            doc.from_array([LEMMA, SENT_START], columns[offset : offset + size])
            doc.user_data[TOKEN_TABLE] = tokens[offset : offset + size]
            offset += size

    def _form(self, vocab: Any, orth: int) -> tuple[int, ...]:
        """What a form (by its ORTH hash) gives every token of it, in the order of
        :data:`_LOWER` and the other column names."""
        lexeme = vocab[orth]
        text = lexeme.orth_
        lower = lexeme.lower
        lemma = vocab.strings.add(lexicon.lemma(lexicon.normalise(lexeme.lower_)))
        return (_signed(lower), _signed(lemma), len(text), int(lexeme.is_punct),
                int(lexeme.is_space), self._kind(lexeme.lower_))


_LOWER, _LEMMA, _LENGTH, _PUNCT, _SPACE, _KIND = range(6)


def _signed(value: int) -> int:
    """A 64-bit hash as the signed integer with the same bits."""
    return value - (1 << 64) if value >= 1 << 63 else value


PUNCT_CHARS: frozenset[str] = frozenset(
    [".", "!", "?", "…", "?!", "!?", "!!", "??", "‼", "⁇", "⁈", "⁉"]
)
"""Tokens that end a sentence: spaCy's sentencizer list narrowed to the Latin script, and
runs of them as the tokenizer leaves them. Like the sentencizer, ``...`` is not among
them: in transcripts it marks a hesitation more often than an end."""

_ENDS = 1
_LINE_BREAK = 2


def _sentence_starts(kinds: Any, punct: Any, sizes: list[int]) -> Any:
    """Sentence starts for a batch of documents laid end to end.

    A token starts a sentence when it is the first of its document, or is neither
    punctuation nor a line break and the run of punctuation before it holds a sentence
    end, or it follows a line break.
    """
    import numpy

    n = len(kinds)
    index = numpy.arange(n)
    doc_start = numpy.zeros(n, dtype=bool)
    doc_start[numpy.cumsum([0, *sizes[:-1]])] = True
    ends = kinds == _ENDS
    breaks = kinds == _LINE_BREAK
    plain = ~punct & ~ends & ~breaks
    # the last plain token (or document start) before each position
    barrier = numpy.where(plain | doc_start, index, -1)
    last_barrier = numpy.maximum.accumulate(numpy.concatenate(([-1], barrier[:-1])))
    last_end = numpy.maximum.accumulate(
        numpy.concatenate(([-1], numpy.where(ends, index, -1)[:-1]))
    )
    last_break = numpy.maximum.accumulate(
        numpy.concatenate(([-1], numpy.where(breaks, index, -1)[:-1]))
    )
    after_end = last_end > last_barrier
    after_break = last_break > last_barrier
    return doc_start | (plain & (after_end | after_break))


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The process-wide Dutch pipeline (tokenizer, sentencizer, lemmas)."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(LEMMA_COMPONENT):
        Language.factory(LEMMA_COMPONENT, func=lambda nlp, name: _LemmasAndSentences())
    nlp = spacy.blank("nl")
    nlp.add_pipe(LEMMA_COMPONENT)
    return nlp


def lemmatise_phrase(text: str) -> list[str]:
    """The lemmas of a keyword or phrase, tokenised as transcripts are."""
    nlp = get_pipeline()
    return [
        lexicon.lemma(lexicon.normalise(token.text))
        for token in nlp.tokenizer(text)
        if not token.is_space
    ]
