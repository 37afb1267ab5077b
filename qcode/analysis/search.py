"""Keyword in context: where respondents use a word, by Dutch lemma and inside compounds.

``search`` finds every place a query's terms occur (see :mod:`qcode.nlp.wordsearch` for
what a word matches) in the respondent turns of the chosen transcripts, or every match
of a regular expression, and returns each as a :class:`Hit` with its context and the
codes already on its segment, so uncoded mentions stand out. ``count_hits`` tallies
hits per case, respondent, role or any attribute; ``propose_code`` turns the segments
hit into pending suggestions that a coder accepts or rejects in ``qcode review``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.analysis.matrix import MISSING_GROUP, check_attribute
from qcode.analysis.textindex import refresh_index
from qcode.errors import UsageError
from qcode.exports.passages import PASSAGE_FORMATS, Passage, write_passages
from qcode.exports.table import TABLE_FORMATS, Cell, write_rows
from qcode.files import output_format
from qcode.nlp import wordsearch
from qcode.store import codings as codings_store
from qcode.store import search as search_store
from qcode.store import suggestions as suggestions_store
from qcode.store.project import Project
from qcode.store.transcripts import select_transcripts, transcript_attributes
from qcode.values import Condition

if TYPE_CHECKING:
    import regex

MODES: tuple[str, ...] = ("words", "exact", "regex")
CONTEXT_WORDS = 8
SEARCH_METHOD = suggestions_store.SEARCH_METHOD
SEARCH_SCORE = 0.5
"""The score of a suggestion made from a search hit: the researcher's own query, no
model, so neither likely nor unlikely; the coder decides."""

_CHUNK = re.compile(r"\S+")


@dataclass(frozen=True)
class Hit:
    """One occurrence: where, who said it, the words around it and the segment's codes.

    ``start``/``end`` are character offsets of ``match`` in the segment text; ``left``
    and ``right`` are the exact text before and after it (``context`` words each).
    """

    transcript: str
    segment: int
    respondent: str
    case: str
    role: str
    speaker: str
    interviewer: bool
    start: int
    end: int
    left: str
    match: str
    right: str
    codes: tuple[str, ...]
    length: int = 0
    """Characters in the segment (to tell whether the context reaches its end)."""


@dataclass(frozen=True)
class ProposalOutcome:
    code: str
    segments: int
    new: int
    kept: int
    interviewer_hits: int
    """Hits in interviewer turns: never coded, so never proposed."""


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    transcripts: tuple[str, ...]
    """The transcripts searched."""
    indexed: tuple[str, ...]
    """Transcripts indexed first because their index was missing or out of date."""
    proposals: ProposalOutcome | None = None
    """What ``propose`` did, when a code was given."""


@dataclass(frozen=True)
class GroupCount:
    """Hits in one group, the segments and respondents they come from, and how many
    transcripts of the group were searched."""

    group: str
    hits: int
    segments: int
    respondents: int
    transcripts: int


def search(
    project: Project,
    query: str,
    *,
    transcripts: Sequence[str] = (),
    where: Sequence[Condition] = (),
    mode: str = "words",
    all_turns: bool = False,
    context: int = CONTEXT_WORDS,
    propose: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Every hit of ``query`` in the respondent turns (``all_turns``: interviewer turns
    too) of ``transcripts`` (default all) that meet ``where``.

    ``mode`` is ``words`` (lemmas and compounds), ``exact`` (written forms only, case
    ignored) or ``regex`` (a regular expression over the text, case ignored, stopped
    when it runs away). ``propose`` names a code: every respondent segment with a hit
    becomes a pending suggestion of it (see :func:`propose_code`). ``progress`` hears
    (done, total) while transcripts without an index are indexed first. Raises UsageError for
    a malformed query or pattern, QcodeError for an unknown transcript, attribute or code.
    """
    if mode not in MODES:
        raise UsageError(f"unknown search mode '{mode}'; use one of {', '.join(MODES)}")
    if context < 0:
        raise UsageError(f"--context {context}: give a number of words, 0 or more")
    if propose is not None:
        codings_store.References(project).check_code(propose)
    chosen = select_transcripts(project, transcripts, where)
    if mode == "regex":
        compiled = wordsearch.compile_pattern(query)
        indexed: list[str] = []
        spans = _pattern_spans(project, compiled, chosen, all_turns)
    else:
        terms = wordsearch.parse_query(query)
        indexed = refresh_index(project, progress=progress)
        spans = _word_spans(project, terms, chosen, all_turns, exact=mode == "exact")
    hits = _hits(project, spans, context)
    searched = chosen if chosen is not None else sorted(transcript_attributes(project))
    result = SearchResult(tuple(hits), tuple(searched), tuple(indexed))
    if propose is not None:
        return replace(result, proposals=propose_code(project, result, propose))
    return result


@dataclass(frozen=True)
class _Span:
    transcript: str
    segment: int
    speaker: str
    interviewer: bool
    text: str
    start: int
    end: int


def _word_spans(
    project: Project, terms: Sequence[wordsearch.Term], transcripts: Sequence[str] | None,
    all_turns: bool, *, exact: bool,
) -> list[_Span]:
    lookups = [[_lookup(project, word, exact) for word in term.words] for term in terms]
    found = search_store.find(project, lookups, transcripts=transcripts,
                              interviewer_turns=all_turns)
    spans: list[_Span] = []
    for segment in found:
        streams = wordsearch.token_lemmas(segment.text, segment.words)
        places = _places(lookups, segment.text, *streams) if streams else None
        if places is None:  # indexed by another tokenizer: read the text as it is now
            forms = [token.form for token in wordsearch.tokens(segment.text)]
            places = _places(lookups, segment.text, forms,
                             [wordsearch.lemma_of(form) for form in forms]) or []
        spans.extend(_Span(segment.transcript, segment.segment, segment.speaker,
                           segment.interviewer, segment.text, start, end)
                     for start, end in _without_overlaps(places))
    return spans


def _places(
    lookups: Sequence[Sequence[search_store.WordLookup]], text: str, forms: Sequence[str],
    lemmas: Sequence[str],
) -> list[tuple[int, int]] | None:
    """The (start, end) in ``text`` of every run of tokens that matches a term; None when
    the token streams do not line up with the text."""
    runs = [run for words in lookups
            for run in wordsearch.find_runs([w.matching(forms, lemmas) for w in words])]
    if not runs:
        return []
    # Offsets only as far as the last hit: most of a long turn is never looked at.
    offsets = wordsearch.spans(text, upto=max(last for _, last in runs) + 1)
    if len(offsets) < max(last for _, last in runs) + 1 or any(
        wordsearch.normalise(text[offsets[i][0]:offsets[i][1]]) != forms[i]
        for run in runs for i in run
    ):
        return None
    return sorted({(offsets[first][0], offsets[last][1]) for first, last in runs})


def _lookup(project: Project, word: wordsearch.Word, exact: bool) -> search_store.WordLookup:
    """The index terms a query word stands for: itself, its lemma as the index has it,
    and the compounds that hold either (as worked out when they were indexed)."""
    if word.prefix:
        return search_store.WordLookup(prefix=word.text, exact=exact)
    if exact:
        return search_store.WordLookup(terms=frozenset((word.text,)), exact=True)
    variants = wordsearch.variants(word, exact=False, lemmas=_known_lemmas(project, word.text))
    terms = frozenset(variants) | search_store.compounds_with(project, variants)
    return search_store.WordLookup(terms=terms)


def _known_lemmas(project: Project, word: str) -> set[str]:
    """The lemma(s) the index gave ``word`` where it occurs written so; the word itself
    when it occurs only as a lemma; nothing when the index lacks it (then the lemmatiser
    decides, and its dictionary takes half a second to load)."""
    samples = search_store.containing(project, word)
    found: set[str] = set()
    for text, words in samples:
        streams = wordsearch.token_lemmas(text, words.split(" "))
        if streams is not None:
            found.update(lemma for form, lemma in zip(*streams, strict=True) if form == word)
    return found or ({word} if samples else set())


def _pattern_spans(
    project: Project, compiled: regex.Pattern[str], transcripts: Sequence[str] | None,
    all_turns: bool,
) -> list[_Span]:
    deadline = time.monotonic() + wordsearch.REGEX_TIME_LIMIT
    spans: list[_Span] = []
    for transcript, number, speaker, interviewer, text in search_store.scan(
        project, transcripts=transcripts, interviewer_turns=all_turns
    ):
        places = wordsearch.pattern_spans(compiled, text, deadline=deadline,
                                          where=f"{transcript} segment {number}")
        spans.extend(_Span(transcript, number, speaker, interviewer, text, start, end)
                     for start, end in places)
    return spans


def _without_overlaps(places: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Places in text order, each overlapping an earlier one dropped (a phrase and one of
    its own words are one hit)."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(places, key=lambda p: (p[0], -p[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _hits(project: Project, spans: Sequence[_Span], context: int) -> list[Hit]:
    attributes = transcript_attributes(project)
    touched = sorted({span.transcript for span in spans})
    codes: dict[tuple[str, int], set[str]] = {}
    for coding in codings_store.select(project, transcripts=touched):
        codes.setdefault((coding.transcript, coding.segment), set()).add(coding.code)
    hits = []
    for span in spans:
        attrs = attributes[span.transcript]
        left, right = _context(span.text, span.start, span.end, context)
        hits.append(Hit(
            transcript=span.transcript, segment=span.segment, respondent=attrs["respondent"],
            case=attrs.get("case", ""), role=attrs.get("role", ""), speaker=span.speaker,
            interviewer=span.interviewer, start=span.start, end=span.end, left=left,
            match=span.text[span.start:span.end], right=right,
            codes=tuple(sorted(codes.get((span.transcript, span.segment), ()))),
            length=len(span.text),
        ))
    return hits


def _context(text: str, start: int, end: int, words: int) -> tuple[str, str]:
    """The text of up to ``words`` whitespace-separated words before and after a match,
    exactly as written."""
    if words == 0:
        return "", ""
    reach = 40 * words  # a window, widened in the rare case it holds too few words
    while True:
        window = max(0, start - reach)
        before = [m.start() for m in _CHUNK.finditer(text, window, start)]
        if len(before) > words or window == 0:
            break
        reach *= 4
    left_start = before[-words] if len(before) >= words else window
    after = []
    for match in _CHUNK.finditer(text, end):
        after.append(match.end())
        if len(after) == words:
            break
    right_end = after[-1] if len(after) == words else len(text)
    return text[left_start:start], text[end:right_end]


# -- counting and coding ----------------------------------------------------------------


def count_hits(
    project: Project, result: SearchResult, by: str
) -> list[GroupCount]:
    """Hits per value of ``by`` (``case``, ``respondent``, ``role`` or any attribute),
    every group of the searched transcripts listed, those without hits with 0."""
    attributes = transcript_attributes(project)
    check_attribute(attributes, by, option="--count-by")
    groups: dict[str, list[str]] = {}
    for transcript in result.transcripts:
        groups.setdefault(attributes[transcript].get(by) or MISSING_GROUP, []).append(transcript)
    counts = []
    for group in sorted(groups):
        members = set(groups[group])
        hits = [h for h in result.hits if h.transcript in members]
        counts.append(GroupCount(
            group=group, hits=len(hits),
            segments=len({(h.transcript, h.segment) for h in hits}),
            respondents=len({h.respondent for h in hits}),
            transcripts=len(members),
        ))
    return counts


def propose_code(project: Project, result: SearchResult, code: str) -> ProposalOutcome:
    """Make every segment with a hit a pending suggestion of ``code`` (method ``search``,
    the matched words as evidence, the hits as spans), to be accepted or rejected in
    ``qcode review`` or ``qcode tag``. A suggestion already pending for the segment and
    code is kept as it is."""
    references = codings_store.References(project)
    references.check_code(code)
    by_segment: dict[tuple[str, int], list[Hit]] = {}
    interviewer = 0
    for hit in result.hits:
        if hit.interviewer:
            interviewer += 1
            continue
        by_segment.setdefault((hit.transcript, hit.segment), []).append(hit)
    proposals = [
        suggestions_store.Proposal(
            transcript=transcript, segment=segment, code=code, score=SEARCH_SCORE,
            method=SEARCH_METHOD,
            evidence=tuple(dict.fromkeys(h.match for h in hits)),
            spans=tuple((h.start, h.end) for h in hits),
        )
        for (transcript, segment), hits in by_segment.items()
    ]
    counts = suggestions_store.add_proposals(project, proposals,
                                             codebook_version=references.codebook.version)
    return ProposalOutcome(code=code, segments=len(proposals), new=counts.new,
                           kept=len(proposals) - counts.new, interviewer_hits=interviewer)


# -- writing hits ------------------------------------------------------------------------

HIT_COLUMNS: tuple[str, ...] = ("transcript", "segment", "respondent", "case", "left", "match",
                                "right", "codes", "start", "end")
HIT_FORMATS: tuple[str, ...] = (*TABLE_FORMATS, *PASSAGE_FORMATS)


def check_hits_target(path: Path) -> str:
    """The format of a file to write hits to, or an ExportError naming the choices."""
    return output_format(path, "search results", HIT_FORMATS)


def hit_row(hit: Hit) -> dict[str, object]:
    """A hit as one row of :data:`HIT_COLUMNS` (codes as a list)."""
    return {"transcript": hit.transcript, "segment": hit.segment,
            "respondent": hit.respondent, "case": hit.case, "left": hit.left,
            "match": hit.match, "right": hit.right, "codes": list(hit.codes),
            "start": hit.start, "end": hit.end}


def write_hits(result: SearchResult, path: Path, *, query: str) -> None:
    """Write the hits to ``path``: a table (.csv, .xlsx, .md, one row per hit) or a
    document to read (.docx, .html: each hit in its context, grouped by transcript)."""
    suffix = check_hits_target(path)
    title = f"Zoekresultaten: {query}"
    if suffix in TABLE_FORMATS:
        rows: list[list[Cell]] = [
            [hit.transcript, hit.segment, hit.respondent, hit.case, hit.left, hit.match,
             hit.right, " ".join(hit.codes), hit.start, hit.end]
            for hit in result.hits
        ]
        write_rows(HIT_COLUMNS, [("hits", rows)], path, what="search results", title=title,
                   wide={"left": 50, "right": 50})
        return
    passages = [
        Passage(
            group=f"{hit.transcript} — {_who(hit)}", text=hit.left + hit.match + hit.right,
            marks=((len(hit.left), len(hit.left) + len(hit.match)),),
            caption=f"segment {hit.segment}"
            + (f" ({hit.speaker}, interviewer)" if hit.interviewer else "")
            + f"; codes: {', '.join(hit.codes) or 'none'}",
            lead_in=hit.start > len(hit.left),
            lead_out=hit.end + len(hit.right) < hit.length,
        )
        for hit in result.hits
    ]
    searched = len(result.transcripts)
    write_passages(passages, path, title=title,
                   intro=f"{len(result.hits)} hit(s) in {searched} transcript(s).",
                   empty="No hits.")


def _who(hit: Hit) -> str:
    context = ", ".join(part for part in (hit.case, hit.role) if part)
    return f"{hit.respondent} ({context})" if context else hit.respondent
