"""Choosing a span inside a segment: whole sentences, widened or narrowed a word at a time.

Spans are character offsets into the segment text, end exclusive, exactly as
``qcode codings add --span START:END`` takes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\S+")
# A sentence ends at . ! ? or … followed by white space and a capital, a digit or an opening
# quote or bracket; "bijv. de gemeente" and "eh... dat" stay one sentence.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Þ])")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def as_tuple(self) -> tuple[int, int]:
        return self.start, self.end


def word_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end()) for m in _WORD.finditer(text)]


def sentence_spans(text: str) -> list[Span]:
    """The sentences of ``text``, without the white space between them."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append(Span(start, match.end()))
        start = match.end()
    spans.append(Span(start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, span)) is not None]


def _trim(text: str, span: Span) -> Span | None:
    chunk = text[span.start:span.end]
    if not chunk.strip():
        return None
    start = span.start + (len(chunk) - len(chunk.lstrip()))
    return Span(start, span.start + len(chunk.rstrip()))


def next_sentence(text: str, current: Span | None, step: int = 1) -> Span | None:
    """The sentence after (``step`` 1) or before (-1) the one selected; past the last (or
    before the first) the selection is cleared, meaning the whole segment again."""
    sentences = sentence_spans(text)
    if not sentences:
        return None
    if current is None:
        return sentences[0] if step > 0 else sentences[-1]
    index = next((i for i, s in enumerate(sentences) if s.start >= current.start), None)
    if index is None:
        index = len(sentences)
    elif sentences[index].start > current.start and step > 0:
        # The selection started inside a sentence: "next" is the one it runs into.
        index -= 1
    target = index + step
    return sentences[target] if 0 <= target < len(sentences) else None


def move_end(text: str, current: Span | None, step: int) -> Span | None:
    """Widen (``step`` 1) or narrow (-1) the selection by a word at its end. Without a
    selection, widening selects the first word."""
    words = word_spans(text)
    if not words:
        return None
    if current is None:
        return words[0] if step > 0 else None
    ends = [w.end for w in words if w.end > current.start]
    position = _index_at_or_before(ends, current.end)
    target = min(max(position + step, 0), len(ends) - 1)
    return Span(current.start, ends[target])


def move_start(text: str, current: Span | None, step: int) -> Span | None:
    """Move the selection's start a word later (``step`` 1) or earlier (-1); a selection
    always keeps at least one word."""
    words = word_spans(text)
    if not words or current is None:
        return current
    starts = [w.start for w in words if w.start < current.end]
    position = _index_at_or_before(starts, current.start)
    target = min(max(position + step, 0), len(starts) - 1)
    return Span(starts[target], current.end)


def _index_at_or_before(offsets: list[int], offset: int) -> int:
    index = 0
    for i, value in enumerate(offsets):
        if value <= offset:
            index = i
    return index
