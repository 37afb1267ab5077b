"""Why a code was suggested, in a few words: the matched words once each, and the
sentences they stand in with the words marked.

A suggestion's evidence holds the matched words and then whole sentences, so the words
appear twice; shown as they are stored they repeat and run into each other. These
functions work from the character spans instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qcode.session.spans import Span, sentence_spans


@dataclass(frozen=True)
class MarkedSentence:
    sentence: Span
    marks: tuple[Span, ...]
    """The matched words inside the sentence, as offsets into the segment text."""


def matched_words(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """The words that triggered a suggestion, in text order, each once (ignoring case)."""
    seen: dict[str, str] = {}
    for start, end in sorted(spans):
        word = " ".join(text[start:end].split())
        if word and word.casefold() not in seen:
            seen[word.casefold()] = word
    return list(seen.values())


def marked_sentences(text: str, spans: Sequence[tuple[int, int]]) -> list[MarkedSentence]:
    """The sentences of ``text`` that hold a matched word, in order, with those words."""
    marked = []
    for sentence in sentence_spans(text):
        inside = tuple(
            Span(max(start, sentence.start), min(end, sentence.end))
            for start, end in sorted(set(spans))
            if start < sentence.end and end > sentence.start
        )
        if inside:
            marked.append(MarkedSentence(sentence, inside))
    return marked
