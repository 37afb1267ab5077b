"""Coding queries: the segments (or interviews) whose codes meet an expression.

``run_query(project, "trust.low AND governance.lead_organisation")`` answers "where does
low trust come up together with a lead organisation?". The units are the respondent
turns of the chosen transcripts (``unit="segment"``), or whole interviews
(``unit="transcript"``: the codes anywhere in it); a unit's codes are those of the
chosen coders (default everyone). NOT counts units without a code, coded or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qcode.analysis.expression import check_codes, holds, parse_expression, refers_to
from qcode.analysis.matrix import MISSING_GROUP, check_attribute
from qcode.errors import QcodeError
from qcode.exports.passages import PASSAGE_FORMATS, Passage, write_passages
from qcode.exports.table import TABLE_FORMATS, Cell, write_rows
from qcode.files import output_format
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import (
    respondent_segments,
    segments_of,
    select_transcripts,
    transcript_attributes,
)
from qcode.values import Condition

UNITS: tuple[str, ...] = ("segment", "transcript")


@dataclass(frozen=True)
class QueryMatch:
    """A unit that meets the expression. For a segment, ``codes`` are all its codes and
    ``text`` its text; for a transcript, ``codes`` are the codes the expression names
    that occur in it, ``segments`` the turns that carry them, and ``text`` is empty."""

    transcript: str
    segment: int | None
    respondent: str
    case: str
    role: str
    codes: tuple[str, ...]
    text: str
    segments: tuple[int, ...] = ()


@dataclass(frozen=True)
class QueryResult:
    expression: str
    unit: str
    matches: tuple[QueryMatch, ...]
    units: dict[str, int]
    """Units looked at, per transcript (respondent turns, or 1 per interview)."""


@dataclass(frozen=True)
class QueryCount:
    group: str
    matching: int
    total: int
    respondents: int

    @property
    def share(self) -> float:
        return round(self.matching / self.total, 3) if self.total else 0.0


def run_query(
    project: Project,
    expression: str,
    *,
    unit: str = "segment",
    coders: Sequence[str] = (),
    where: Sequence[Condition] = (),
    transcripts: Sequence[str] = (),
) -> QueryResult:
    """The units of ``transcripts`` (default all) meeting ``where`` whose codes by
    ``coders`` (default everyone) meet ``expression``, in transcript and segment order.

    Raises UsageError for a malformed expression or unit, and CodingError for a code the
    codebook lacks (both naming the position), a QcodeError for an unknown coder.
    """
    if unit not in UNITS:
        raise QcodeError(f"--unit {unit}: use one of {', '.join(UNITS)}")
    parsed = parse_expression(expression)
    codebook = require_codebook(project)
    check_codes(expression, parsed, codebook.ids)
    codings_store.require_coders(project, coders)
    chosen = select_transcripts(project, transcripts, where)
    attributes = transcript_attributes(project)
    turns = respondent_segments(project, chosen)
    coded: dict[tuple[str, int], set[str]] = {}
    for coding in codings_store.select(project, transcripts=chosen, coders=coders):
        coded.setdefault((coding.transcript, coding.segment), set()).add(coding.code)
    units: dict[str, int] = {t: 0 for t in (chosen if chosen is not None else attributes)}
    matches: list[QueryMatch] = []
    if unit == "segment":
        for transcript, number, text in turns:
            units[transcript] += 1
            codes = coded.get((transcript, number), set())
            if holds(parsed, codes):
                matches.append(_match(attributes[transcript], transcript, number,
                                      tuple(sorted(codes)), text))
    else:
        by_transcript: dict[str, dict[int, set[str]]] = {t: {} for t in units}
        for (transcript, number), codes in coded.items():
            by_transcript[transcript][number] = codes
        for transcript in sorted(units):
            units[transcript] = 1
            turns_coded = by_transcript[transcript]
            codes = set().union(*turns_coded.values()) if turns_coded else set()
            if holds(parsed, codes):
                named = tuple(sorted(c for c in codes if refers_to(parsed, c)))
                where_named = tuple(sorted(n for n, found in turns_coded.items()
                                           if any(refers_to(parsed, c) for c in found)))
                matches.append(_match(attributes[transcript], transcript, None, named, "",
                                      where_named))
    return QueryResult(expression, unit, tuple(matches), units)


def _match(
    attrs: dict[str, str], transcript: str, segment: int | None, codes: tuple[str, ...],
    text: str, segments: tuple[int, ...] = (),
) -> QueryMatch:
    return QueryMatch(transcript=transcript, segment=segment, respondent=attrs["respondent"],
                      case=attrs.get("case", ""), role=attrs.get("role", ""), codes=codes,
                      text=text, segments=segments)


def count_matches(project: Project, result: QueryResult, by: str) -> list[QueryCount]:
    """Matching units per value of ``by`` (case, role or any attribute), beside all the
    units of that group; every group of the queried transcripts is listed."""
    attributes = transcript_attributes(project)
    check_attribute(attributes, by, option="--count-by")
    totals: dict[str, int] = {}
    for transcript, count in result.units.items():
        group = attributes[transcript].get(by) or MISSING_GROUP
        totals[group] = totals.get(group, 0) + count
    found: dict[str, list[QueryMatch]] = {}
    for match in result.matches:
        found.setdefault(attributes[match.transcript].get(by) or MISSING_GROUP,
                         []).append(match)
    return [
        QueryCount(group, len(found.get(group, [])), totals[group],
                   len({m.respondent for m in found.get(group, [])}))
        for group in sorted(totals)
    ]


# -- writing -----------------------------------------------------------------------------

SEGMENT_COLUMNS: tuple[str, ...] = ("transcript", "segment", "respondent", "case", "role",
                                    "codes", "text")
TRANSCRIPT_COLUMNS: tuple[str, ...] = ("transcript", "respondent", "case", "role", "codes",
                                       "segments")
QUERY_FORMATS: tuple[str, ...] = (*TABLE_FORMATS, *PASSAGE_FORMATS)


def columns(unit: str) -> tuple[str, ...]:
    return SEGMENT_COLUMNS if unit == "segment" else TRANSCRIPT_COLUMNS


def check_query_target(path: Path) -> str:
    return output_format(path, "query results", QUERY_FORMATS)


def match_row(match: QueryMatch, unit: str) -> dict[str, object]:
    """A match as a row of :func:`columns` (codes and segments as lists)."""
    if unit == "segment":
        return {"transcript": match.transcript, "segment": match.segment,
                "respondent": match.respondent, "case": match.case, "role": match.role,
                "codes": list(match.codes), "text": match.text}
    return {"transcript": match.transcript, "respondent": match.respondent,
            "case": match.case, "role": match.role, "codes": list(match.codes),
            "segments": list(match.segments)}


def _cells(match: QueryMatch, unit: str) -> list[Cell]:
    codes = " ".join(match.codes)
    if unit == "segment":
        return [match.transcript, match.segment, match.respondent, match.case, match.role,
                codes, match.text]
    return [match.transcript, match.respondent, match.case, match.role, codes,
            " ".join(str(number) for number in match.segments)]


def write_matches(project: Project, result: QueryResult, path: Path) -> None:
    """Write the matches to ``path``: a table (.csv, .xlsx, .md) like ``export quotes``,
    or a document to read (.docx, .html) with each matching segment's text (for whole
    interviews: the turns that carry the expression's codes)."""
    suffix = check_query_target(path)
    title = f"Codeerzoekvraag: {result.expression}"
    if suffix in TABLE_FORMATS:
        rows = [_cells(match, result.unit) for match in result.matches]
        write_rows(columns(result.unit), [("matches", rows)], path, what="query results",
                   title=title, wide={"text": 80})
        return
    passages = []
    texts = segments_of(project, {m.transcript for m in result.matches}) if (
        result.unit == "transcript") else {}
    for match in result.matches:
        who = ", ".join(part for part in (match.case, match.role) if part)
        group = f"{match.transcript} — {match.respondent}" + (f" ({who})" if who else "")
        if match.segment is not None:
            passages.append(Passage(group, match.text, (), f"segment {match.segment}; codes: "
                                    f"{', '.join(match.codes) or 'none'}"))
            continue
        for number in match.segments:
            passages.append(Passage(group, texts[(match.transcript, number)].text, (),
                                    f"segment {number}"))
    write_passages(passages, path, title=title,
                   intro=f"{len(result.matches)} of {sum(result.units.values())} "
                   f"{result.unit}(s) meet the query.", empty="Nothing meets the query.")
