"""Everything the replication report shows, read from the project as plain data.

Nothing here formats HTML: :mod:`qcode.report.render` does that from a :class:`ReportData`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from qcode.analysis.cooccur import condition_form_links
from qcode.analysis.matrix import build_matrix, group_names, group_of
from qcode.analysis.saturation import Saturation, assess_saturation
from qcode.analysis.typology import Typology, case_typologies
from qcode.errors import QcodeError
from qcode.models import Codebook, Memo
from qcode.report.memos_html import ReportMemos
from qcode.report.quotes import CodeQuotes, collect_report_quotes
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import list_transcripts, select_transcripts, transcript_attributes
from qcode.values import Condition

if TYPE_CHECKING:
    import pandas as pd

    from qcode.analysis.agreement import AgreementReport
    from qcode.analysis.cooccur import CaseLinks

# The codes of the second research question: the police's flexibility agenda.
AGENDA_CODES: tuple[str, ...] = ("dialogue", "talking_back", "capacity", "learning", "frameworks")


@dataclass(frozen=True)
class CaseRow:
    """One case (or case / wave) with its respondents counted per role."""

    unit: str
    respondents: int
    by_role: dict[str, int]


@dataclass(frozen=True)
class CoderRow:
    coder: str
    codings: int
    transcripts: int
    by_provenance: dict[str, int]


@dataclass(frozen=True)
class Overview:
    project: str
    transcripts: int
    respondents: int
    words: int
    respondent_segments: int
    codings: int
    cases: tuple[CaseRow, ...]
    roles: tuple[str, ...]
    coders: tuple[CoderRow, ...]


@dataclass(frozen=True)
class ComparisonRow:
    """One agenda code: per unit, (distinct coded segments, respondents mentioning it)."""

    code: str
    label: str
    depth: int
    cells: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Comparison:
    units: tuple[str, ...]
    respondents: dict[str, int]
    rows: tuple[ComparisonRow, ...]


@dataclass(frozen=True)
class ReportData:
    """The report's content. ``agreement`` is None when fewer than two coders coded, or
    when the figures cannot be computed (``agreement_error`` then says why)."""

    made_on: str
    then_by: str | None
    coders: tuple[str, ...]
    codebook: Codebook
    overview: Overview
    by_case: pd.DataFrame
    by_respondent: pd.DataFrame
    respondent_cases: dict[str, tuple[str, str]]
    typologies: tuple[Typology, ...]
    quotes: tuple[CodeQuotes, ...]
    comparison: Comparison
    agreement: AgreementReport | None
    agreement_error: str
    memos: ReportMemos = field(default_factory=ReportMemos)
    """Every coder's memos on cases and codes, and the project journal."""
    unit_cases: Mapping[str, str] = field(default_factory=dict)
    """The case of each typology unit (a case, or a case / wave)."""
    saturation: tuple[Saturation, ...] = ()
    """Saturation per case with the method's default parameters."""
    where: tuple[str, ...] = ()
    """The --where conditions the report was limited to, as typed."""
    links: tuple[CaseLinks, ...] = ()
    """Per case, the condition levels coded in the same interviews as each form."""


def gather_report(
    project: Project, *, coders: Sequence[str] = (), then_by: str | None = None,
    where: Sequence[Condition] = (),
) -> ReportData:
    """Read what the report needs: counts, matrices, typologies, quotes, agreement.

    ``coders`` limits every figure to those coders' codings (default: everyone's);
    ``then_by`` splits each case by a second attribute (``wave``, ``year``); ``where``
    keeps the transcripts whose attributes meet every condition.
    """
    codebook = require_codebook(project)
    coders = tuple(dict.fromkeys(coders))
    # build_matrix checks --coder and --then-by and names the choices when they are wrong.
    # Transcripts without a case (plain files, another program's .qdpx) are reported
    # under "(missing)" rather than not at all.
    by_case = build_matrix(project, by="case", coders=coders, then_by=then_by,
                           missing_ok=True, where=where)
    by_respondent = build_matrix(project, by="respondent", coders=coders, where=where)
    chosen = select_transcripts(project, (), where)
    attributes = transcript_attributes(project)
    if chosen is not None:
        attributes = {t: attributes[t] for t in chosen}
    respondent_cases = {
        attrs["respondent"]: (attrs.get("case", ""), attrs.get("role", ""))
        for attrs in attributes.values()
    }
    # Respondents of one case side by side, so the heatmap reads case by case.
    ordered = sorted(respondent_cases, key=lambda r: (respondent_cases[r][0], r))
    by_respondent = by_respondent[["label", *ordered]]
    agreement, agreement_error = _agreement(project, coders, where)
    return ReportData(
        made_on=date.today().isoformat(),
        then_by=then_by,
        coders=coders,
        codebook=codebook,
        overview=_overview(project, attributes, coders, then_by),
        by_case=by_case,
        by_respondent=by_respondent,
        respondent_cases=respondent_cases,
        typologies=tuple(case_typologies(project, coders=coders, then_by=then_by,
                                         where=where)),
        quotes=tuple(collect_report_quotes(project, codebook, attributes, coders=coders,
                                           transcripts=chosen)),
        comparison=_comparison(project, codebook, attributes, coders, then_by, chosen),
        agreement=agreement,
        agreement_error=agreement_error,
        memos=_memos(project),
        unit_cases={group_of(attrs, "case", then_by): attrs.get("case") or ""
                    for attrs in attributes.values()},
        saturation=_saturation(project, attributes, coders),
        where=tuple(str(condition) for condition in where),
        links=tuple(condition_form_links(project, coders=coders, then_by=then_by,
                                         where=where)),
    )


def _memos(project: Project) -> ReportMemos:
    cases: dict[str, list[Memo]] = {}
    codes: dict[str, list[Memo]] = {}
    for memo in memos_store.select(project, kinds=["case", "code"]):
        found = cases if memo.target.kind == "case" else codes
        found.setdefault(memo.target.name, []).append(memo)
    return ReportMemos(cases=cases, codes=codes,
                       journal=tuple(memos_store.select(project, kinds=["project"])))


def _saturation(
    project: Project, attributes: dict[str, dict[str, str]], coders: Sequence[str]
) -> tuple[Saturation, ...]:
    """Per case when the interviews have cases, else over all interviews."""
    by = "case" if any(attrs.get("case") for attrs in attributes.values()) else None
    return tuple(assess_saturation(project, by=by, coders=coders))


def _overview(
    project: Project, attributes: dict[str, dict[str, str]], coders: Sequence[str],
    then_by: str | None,
) -> Overview:
    summaries = [s for s in list_transcripts(project) if s.id in attributes]
    people: dict[str, dict[str, str]] = {}
    for attrs in attributes.values():
        people[attrs["respondent"]] = {"unit": group_of(attrs, "case", then_by),
                                       "role": attrs.get("role") or "—"}
    roles = tuple(sorted({p["role"] for p in people.values()}))
    cases = []
    for unit in group_names(attributes.values(), "case", then_by):
        here = [p for p in people.values() if p["unit"] == unit]
        cases.append(CaseRow(unit, len(here), dict(Counter(p["role"] for p in here))))
    rows: dict[str, dict[str, int]] = {}
    coded: dict[str, set[str]] = {}
    for coder, provenance, transcript, count in codings_store.tally(project, coders):
        if transcript not in attributes:
            continue
        by_provenance = rows.setdefault(coder, {})
        by_provenance[provenance] = by_provenance.get(provenance, 0) + count
        coded.setdefault(coder, set()).add(transcript)
    coder_rows = tuple(
        CoderRow(coder, sum(counts.values()), len(coded[coder]), counts)
        for coder, counts in rows.items()
    )
    return Overview(
        project=project.root.name,
        transcripts=len(summaries),
        respondents=len(people),
        words=sum(s.words for s in summaries),
        respondent_segments=sum(s.respondent_segments for s in summaries),
        codings=sum(row.codings for row in coder_rows),
        cases=tuple(cases),
        roles=roles,
        coders=coder_rows,
    )


def _comparison(
    project: Project, codebook: Codebook, attributes: dict[str, dict[str, str]],
    coders: Sequence[str], then_by: str | None, transcripts: Sequence[str] | None = None,
) -> Comparison:
    units = group_names(attributes.values(), "case", then_by)
    people: dict[str, set[str]] = {unit: set() for unit in units}
    for attrs in attributes.values():
        people[group_of(attrs, "case", then_by)].add(attrs["respondent"])
    codes = [c for top in AGENDA_CODES for c in codebook.codes if c.top == top]
    # Per code (rolled up over its sub-codes) and unit: segments, and who said it.
    segments: dict[tuple[str, str], set[tuple[str, int]]] = {}
    speakers: dict[tuple[str, str], set[str]] = {}
    wanted = {c.id for c in codes}
    for coding in codings_store.select(project, coders=coders, transcripts=transcripts):
        attrs = attributes[coding.transcript]
        unit = group_of(attrs, "case", then_by)
        parts = coding.code.split(".")
        for depth in range(1, len(parts) + 1):
            code = ".".join(parts[:depth])
            if code in wanted:
                segments.setdefault((code, unit), set()).add((coding.transcript,
                                                               coding.segment))
                speakers.setdefault((code, unit), set()).add(attrs["respondent"])
    rows = tuple(
        ComparisonRow(
            code=c.id, label=c.label, depth=c.depth,
            cells={unit: (len(segments.get((c.id, unit), ())),
                          len(speakers.get((c.id, unit), ()))) for unit in units},
        )
        for c in codes
    )
    return Comparison(tuple(units), {u: len(p) for u, p in people.items()}, rows)


def _agreement(
    project: Project, coders: Sequence[str], where: Sequence[Condition] = ()
) -> tuple[AgreementReport | None, str]:
    """Agreement figures when two or more coders coded, else None; with the error message
    when the figures cannot be computed (for example: no transcript coded by all)."""
    from qcode.analysis.agreement import CONSENSUS_CODER, agreement_report

    found = [c for c in codings_store.coders(project) if not coders or c in coders]
    if not coders:
        # Reconciled codings are not a coder of their own (agreement leaves them out too).
        found = [coder for coder in found if coder != CONSENSUS_CODER]
    if len(found) < 2:
        return None, ""
    try:
        return agreement_report(project, coders=tuple(coders), level="top", where=where), ""
    except QcodeError as err:
        # The report says why there are no figures instead of failing as a whole.
        return None, str(err)
