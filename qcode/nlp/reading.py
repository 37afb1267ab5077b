"""What training reads from texts: bags of words, rule evidence and lengths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qcode.models import Codebook
from qcode.nlp.features import Bags

_Read = tuple[Bags, tuple[Any, list[str], list[str]], Any]
_last_read: dict[tuple[str, int, int], _Read] = {}


def read(texts: Sequence[str], codebook: Codebook) -> _Read:
    """The bag of words of every text, the distinct (document, code column, term) rule
    evidence with the term names and the code of each column, and each text's length in
    tokens. Texts are read 256 at a time so that only one batch of spaCy documents is in
    memory at once. The last result is kept: ``qcode train`` reads the same texts for
    both levels."""
    key = (codebook.version, len(texts), hash(tuple(texts)))
    found = _last_read.get(key)
    if found is None:
        found = _read_texts(texts, codebook)
        _last_read.clear()
        _last_read[key] = found
    return found


def _read_texts(texts: Sequence[str], codebook: Codebook) -> _Read:
    import numpy

    from qcode.nlp.features import bag_of_words
    from qcode.nlp.pipeline import get_pipeline
    from qcode.nlp.rules import RuleMatcher

    matcher = RuleMatcher(codebook)
    pipeline = get_pipeline()
    bags = []
    parts = []
    tokens: list[int] = []
    for start in range(0, len(texts), 256):
        docs = list(pipeline.pipe(texts[start : start + 256], batch_size=256))
        tokens.extend(len(doc) for doc in docs)
        scan = matcher.scan(docs)
        strings = docs[0].vocab.strings if docs else None
        bags.append(
            bag_of_words(scan.batch.lowers, scan.batch.rows, len(docs), strings,
                         evidence=(scan.terms, matcher.codes))
        )
        triples = scan.triples
        triples[:, 0] += start
        parts.append(triples)
    names = [""] * len(matcher.table.terms)
    for name, index in matcher.table.terms.items():
        names[index] = name
    found = numpy.concatenate(parts) if parts else numpy.zeros((0, 3), dtype="int64")
    return Bags(bags), (found, names, matcher.codes), numpy.asarray(tokens, dtype="int64")
