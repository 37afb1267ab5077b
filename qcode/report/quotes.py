"""The report's quotes: one per coded text and code, most typical first, with the
evidence words of accepted suggestions marked.

*Typical* is decided by three keys, in order:

1. coder agreement: the more coders gave this text this code, the more typical;
2. the code's keywords: the more of the code's distinct keywords (its own, else its
   nearest ancestor's) occur in the quote, the more typical. A keyword occurs when
   each of its words starts a word of the quote, in order ("kort lijn" finds "korte
   lijnen") - a cheap approximation of the lemma matching ``qcode suggest`` does;
3. length: the closer the quote's word count to the median of the code's quotes, the
   more typical (neither a one-line aside nor a monologue).

Remaining ties keep transcript and segment order.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.models import Code, Codebook
from qcode.store import codings as codings_store
from qcode.store import suggestions as suggestions_store
from qcode.store.project import Project
from qcode.store.transcripts import segments_of

SUGGESTED = frozenset({"suggestion", "bulk"})


@dataclass(frozen=True)
class ReportQuote:
    """A coded text (segment or span) for one code, with everyone who coded it so.

    ``highlights`` are character ranges in ``text`` of the words that triggered an
    accepted suggestion for this code.
    """

    anchor: str
    code: str
    transcript: str
    respondent: str
    case: str
    role: str
    segment: int
    start: int | None
    end: int | None
    text: str
    coders: tuple[str, ...]
    provenances: tuple[str, ...]
    memos: tuple[str, ...]
    highlights: tuple[tuple[int, int], ...]
    keyword_hits: int
    words: int


@dataclass(frozen=True)
class CodeQuotes:
    code: str
    label: str
    quotes: tuple[ReportQuote, ...]


@dataclass
class _Draft:
    code: str
    transcript: str
    segment: int
    start: int | None
    end: int | None
    text: str
    segment_text: str
    coders: list[str]
    provenances: list[str]
    memos: list[str]


def collect_report_quotes(
    project: Project, codebook: Codebook, attributes: dict[str, dict[str, str]],
    *, coders: Sequence[str] = (), transcripts: Sequence[str] | None = None,
) -> list[CodeQuotes]:
    """The quotes of every code that has any, in codebook order, most typical first
    (of ``transcripts``, default all)."""
    codings = sorted(codings_store.select(project, coders=coders, transcripts=transcripts),
                     key=lambda c: c.coder)
    segments = segments_of(project, {c.transcript for c in codings})
    drafts: dict[tuple[str, str, int, int | None, int | None], _Draft] = {}
    for coding in codings:
        key = (coding.code, coding.transcript, coding.segment, coding.start, coding.end)
        draft = drafts.get(key)
        if draft is None:
            whole = segments[(coding.transcript, coding.segment)].text
            text = whole if coding.start is None else whole[coding.start:coding.end]
            draft = drafts[key] = _Draft(*key, text=text, segment_text=whole, coders=[],
                                         provenances=[], memos=[])
        draft.coders.append(coding.coder)
        draft.provenances.append(coding.provenance)
        if coding.memo and coding.memo not in draft.memos:
            draft.memos.append(coding.memo)
    evidence = suggestions_store.accepted_spans(project)
    by_code: dict[str, list[_Draft]] = {}
    for draft in drafts.values():
        by_code.setdefault(draft.code, []).append(draft)
    result = []
    counter = 0
    for code in codebook.codes:
        found = by_code.get(code.id)
        if not found:
            continue
        matcher = _keyword_matcher(code, codebook)
        ranked = _rank(found, matcher)
        quotes = []
        for draft, hits in ranked:
            counter += 1
            attrs = attributes[draft.transcript]
            marks: tuple[tuple[int, int], ...] = ()
            if SUGGESTED.intersection(draft.provenances):
                spans = evidence.get((draft.transcript, draft.segment, draft.code), ())
                marks = highlight_ranges(spans, draft.start, len(draft.text))
            quotes.append(ReportQuote(
                anchor=f"q{counter}", code=draft.code, transcript=draft.transcript,
                respondent=attrs["respondent"], case=attrs.get("case", ""),
                role=attrs.get("role", ""), segment=draft.segment, start=draft.start,
                end=draft.end, text=draft.text, coders=tuple(draft.coders),
                provenances=tuple(dict.fromkeys(draft.provenances)), memos=tuple(draft.memos),
                highlights=marks, keyword_hits=hits, words=len(draft.text.split()),
            ))
        result.append(CodeQuotes(code.id, code.label, tuple(quotes)))
    return result


def _rank(drafts: list[_Draft], matcher: re.Pattern[str] | None) -> list[tuple[_Draft, int]]:
    hits = [keyword_hits(matcher, d.text) for d in drafts]
    lengths = [len(d.text.split()) for d in drafts]
    middle = statistics.median(lengths)
    order = sorted(
        range(len(drafts)),
        key=lambda i: (-len(set(drafts[i].coders)), -hits[i], abs(lengths[i] - middle),
                       drafts[i].transcript, drafts[i].segment, drafts[i].start or 0),
    )
    return [(drafts[i], hits[i]) for i in order]


def _keyword_matcher(code: Code, codebook: Codebook) -> re.Pattern[str] | None:
    """One pattern with a group per keyword of the code (or its nearest ancestor)."""
    current: Code | None = code
    while current is not None and not current.keywords:
        current = codebook.get(current.parent) if current.parent else None
    if current is None:
        return None
    alternatives = []
    for keyword in current.keywords:
        parts = [re.escape(word) + r"\w*" for word in keyword.split()]
        if parts:
            alternatives.append("(" + r"\W+".join(parts) + ")")
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def keyword_hits(matcher: re.Pattern[str] | None, text: str) -> int:
    """How many distinct keywords of the pattern occur in ``text``."""
    if matcher is None:
        return 0
    return len({match.lastindex for match in matcher.finditer(text)})


def highlight_ranges(
    spans: Sequence[tuple[int, int]], offset: int | None, length: int
) -> tuple[tuple[int, int], ...]:
    """Segment offsets moved into a quote that starts at ``offset``: clipped to the
    quote, overlaps merged, in order."""
    shift = offset or 0
    moved = sorted(
        (max(start - shift, 0), min(end - shift, length)) for start, end in spans
    )
    merged: list[tuple[int, int]] = []
    for start, end in moved:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
