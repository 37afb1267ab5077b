"""Inter-coder agreement per code: percent agreement, Cohen's kappa, Krippendorff's alpha.

The unit is a respondent turn (segment) of a transcript that every compared coder has
coded, that is: in which each of them has at least one coding. Each code is a binary
judgement per unit: present (the coder applied it, to the whole segment or a span in
it) or absent. At ``level="top"`` a sub-code counts as its top-level code.

Krippendorff's alpha comes from the ``krippendorff`` package. Cohen's kappa is the
textbook formula, ``(p_o - p_e) / (1 - p_e)``, written out below because for two coders
it is a few lines of counting (see README: "Why each dependency is there").
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from qcode.errors import QcodeError
from qcode.models import CODE_LEVELS, Code, at_level, within
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.codings import transcripts_by_coder
from qcode.store.project import Project
from qcode.store.transcripts import respondent_segments, select_transcripts
from qcode.values import Condition

LEVELS: tuple[str, ...] = CODE_LEVELS
CONSENSUS_CODER = "consensus"
"""The coder name for reconciled codings; left out of agreement unless named."""

NO_VARIATION = "no variation"
NO_UNITS = "no units"
TWO_CODERS_ONLY = "only for two coders"

Unit = tuple[str, int]
"""A segment: (transcript id, segment number)."""


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code (or the pooled / mean figures over all codes).

    A statistic is None when it is undefined; ``*_undefined`` then says why (for
    example "no variation": every coder gave every unit the same judgement).
    ``percent_agreement`` is the percentage (0-100) of units on which all coders agree.
    """

    code: str
    label: str
    n_units: int
    coded_units: int
    percent_agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None
    percent_undefined: str = ""
    kappa_undefined: str = ""
    alpha_undefined: str = ""


@dataclass(frozen=True)
class AgreementReport:
    """Agreement between ``coders`` on ``n_units`` segments of ``transcripts``.

    ``codes`` has a row per code that some coder applied on these units (and per code
    named explicitly); ``unused_codes`` are the other codes at this level. ``pooled``
    treats every code x unit pair as one decision (its ``n_units`` counts decisions);
    ``mean`` averages the per-code figures over the codes where each is defined.
    """

    coders: tuple[str, ...]
    level: str
    transcripts: tuple[str, ...]
    n_units: int
    codes: tuple[CodeAgreement, ...]
    pooled: CodeAgreement
    mean: CodeAgreement
    unused_codes: tuple[str, ...]

    @property
    def overall(self) -> CodeAgreement:
        """The overall figure: the pooled row."""
        return self.pooled

    @property
    def rows(self) -> tuple[CodeAgreement, ...]:
        """Every code's row, then the pooled and the mean row."""
        return (*self.codes, self.pooled, self.mean)


# -- the statistics ----------------------------------------------------------------------


def percent_agreement(ratings: Sequence[Sequence[Hashable]]) -> float | None:
    """The percentage of units on which every coder gave the same value.

    ``ratings`` has one row per coder and one column per unit, no missing values.
    """
    columns = list(zip(*ratings, strict=True))
    if not columns:
        return None
    agreed = sum(1 for column in columns if len(set(column)) == 1)
    return 100.0 * agreed / len(columns)


def cohen_kappa(
    first: Sequence[Hashable], second: Sequence[Hashable]
) -> tuple[float | None, str]:
    """Cohen's kappa for two coders' nominal values on the same units.

    Returns (kappa, "") or (None, reason) when kappa is undefined: no units, or no
    variation (both coders gave every unit one and the same value, so chance
    agreement is 1 and the ratio is 0/0).
    """
    if len(first) != len(second):
        raise ValueError("both coders need a value for every unit")
    n = len(first)
    if n == 0:
        return None, NO_UNITS
    observed = sum(1 for a, b in zip(first, second, strict=True) if a == b)
    counts_first, counts_second = Counter(first), Counter(second)
    # Everything is kept in whole numbers scaled by n * n, so "chance agreement is
    # exactly 1" is an exact test, not a floating-point one.
    chance = sum(counts_first[value] * counts_second[value] for value in counts_first)
    if chance == n * n:
        return None, NO_VARIATION
    return (observed * n - chance) / (n * n - chance), ""


def krippendorff_alpha(ratings: Sequence[Sequence[float | None]]) -> tuple[float | None, str]:
    """Krippendorff's alpha for nominal values; None marks a missing value.

    ``ratings`` has one row per coder and one column per unit (numbers as category
    codes). Returns (alpha, "") or (None, reason) when alpha is undefined: no unit
    with values from two coders, or no variation among those values.
    """
    import krippendorff

    pairable = [
        [value for value in column if value is not None]
        for column in zip(*ratings, strict=True)
    ]
    pairable = [values for values in pairable if len(values) >= 2]
    if not pairable:
        return None, NO_UNITS
    domain = sorted({value for values in pairable for value in values})
    if len(domain) < 2:
        return None, NO_VARIATION
    matrix = [[math.nan if value is None else float(value) for value in row] for row in ratings]
    alpha = krippendorff.alpha(
        reliability_data=matrix, value_domain=domain, level_of_measurement="nominal"
    )
    return float(alpha), ""


def _mean(values: Sequence[float | None]) -> tuple[float | None, str]:
    defined = [value for value in values if value is not None]
    if not defined:
        return None, "undefined for every code" if values else NO_UNITS
    return sum(defined) / len(defined), ""


# -- the units ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CodedUnits:
    """What each coder coded on the shared units.

    ``applied[coder][unit]`` holds the full code ids the coder applied there (within
    the selected codes); ``judged(coder, unit)`` gives them at the chosen level.
    ``codes`` are the selected codes at that level, in codebook order.
    """

    coders: tuple[str, ...]
    level: str
    transcripts: tuple[str, ...]
    units: tuple[Unit, ...]
    codes: tuple[Code, ...]
    named_codes: tuple[str, ...]
    applied: dict[str, dict[Unit, frozenset[str]]]

    def judged(self, coder: str, unit: Unit) -> frozenset[str]:
        codes = self.applied[coder].get(unit, frozenset())
        return frozenset(at_level(code, self.level) for code in codes)


def project_coders(project: Project) -> list[str]:
    """Every coder with at least one coding, in name order."""
    return codings_store.coders(project)


def coded_units(
    project: Project,
    *,
    coders: Sequence[str] = (),
    codes: Sequence[str] = (),
    level: str = "top",
    where: Sequence[Condition] = (),
) -> CodedUnits:
    """The respondent segments of the transcripts every coder has coded (of those that
    meet ``where``), with each coder's codes on them. Raises QcodeError naming what is
    missing."""
    if level not in LEVELS:
        raise QcodeError(f"unknown level '{level}'; use one of {', '.join(LEVELS)}")
    codebook = require_codebook(project)
    chosen = _choose_coders(project, coders)
    selected = _select_codes(codebook.codes, codes, level)
    coded_by = transcripts_by_coder(project, chosen)
    kept = select_transcripts(project, (), where)
    if kept is not None:
        coded_by = {coder: found & set(kept) for coder, found in coded_by.items()}
    shared = sorted(set.intersection(*coded_by.values()))
    if not shared:
        counts = ", ".join(f"{c}: {len(coded_by[c])} transcript(s)" for c in chosen)
        if kept is not None:
            counts += f", among the {len(kept)} that meet --where"
        raise QcodeError(
            f"no transcript has codings by every one of {', '.join(chosen)} ({counts}); "
            "agreement compares transcripts that all named coders coded: choose coders "
            "with --coders"
        )
    units = tuple((t, n) for t, n, _ in respondent_segments(project, shared))
    selected_ids = {code.id for code in selected}
    applied: dict[str, dict[Unit, set[str]]] = {coder: {} for coder in chosen}
    for coding in codings_store.select(project, transcripts=shared, coders=chosen):
        if at_level(coding.code, level) in selected_ids:
            applied[coding.coder].setdefault((coding.transcript, coding.segment),
                                             set()).add(coding.code)
    return CodedUnits(
        coders=tuple(chosen), level=level, transcripts=tuple(shared), units=units,
        codes=selected, named_codes=tuple(codes),
        applied={c: {u: frozenset(s) for u, s in by_unit.items()}
                 for c, by_unit in applied.items()},
    )


def _choose_coders(project: Project, coders: Sequence[str]) -> list[str]:
    known = project_coders(project)
    if not known:
        raise QcodeError(
            "the project has no codings yet; agreement needs codings by two or more coders"
        )
    chosen = list(dict.fromkeys(coders))
    codings_store.require_coders(project, chosen, option="--coders")
    if not chosen:
        chosen = [coder for coder in known if coder != CONSENSUS_CODER]
    if len(chosen) < 2:
        who = ", ".join(chosen) or "none"
        raise QcodeError(
            f"agreement needs two or more coders, got {who} (coders in this project: "
            f"{', '.join(known)}); name them with --coders A B, or bring in another coder's "
            "work with 'qcode merge' or 'qcode codings import'"
        )
    return chosen


def _select_codes(all_codes: Sequence[Code], named: Sequence[str], level: str) -> tuple[Code, ...]:
    ids = {code.id for code in all_codes}
    candidates = [code for code in all_codes if level == "full" or code.parent is None]
    if not named:
        return tuple(candidates)
    for code in named:
        if code not in ids:
            close = difflib.get_close_matches(code, sorted(ids), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "see 'qcode codebook show'"
            raise QcodeError(f"--code {code}: unknown code; {hint}")
        if level == "top" and "." in code:
            raise QcodeError(
                f"--code {code}: at --level top only top-level codes are compared; use "
                f"--code {at_level(code, 'top')}, or --level full"
            )
    return tuple(
        code for code in candidates
        if any(within(code.id, name) for name in named)
    )


# -- the report --------------------------------------------------------------------------


def agreement_report(
    project: Project,
    *,
    coders: Sequence[str] = (),
    codes: Sequence[str] = (),
    level: str = "top",
    where: Sequence[Condition] = (),
) -> AgreementReport:
    """Segment-level agreement between ``coders`` (default: every coder but
    ``consensus``) per code and overall, on the transcripts all of them coded.

    ``codes`` limits the report to these codes (with their sub-codes at the full
    level); ``level`` is ``top`` (sub-codes count as their top-level code) or ``full``;
    ``where`` keeps the transcripts whose attributes meet every condition.
    """
    units = coded_units(project, coders=coders, codes=codes, level=level, where=where)
    judged = {c: [units.judged(c, u) for u in units.units] for c in units.coders}
    rows: list[CodeAgreement] = []
    unused: list[str] = []
    pooled: list[list[int]] = [[] for _ in units.coders]
    for code in units.codes:
        ratings = [[int(code.id in codes_) for codes_ in judged[c]] for c in units.coders]
        coded = sum(1 for column in zip(*ratings, strict=True) if any(column))
        if coded == 0 and code.id not in units.named_codes:
            unused.append(code.id)
            continue
        rows.append(_figures(code.id, code.label, ratings, coded))
        if coded:
            for row, values in zip(pooled, ratings, strict=True):
                row.extend(values)
    used = [row for row in rows if row.coded_units]
    pooled_row = _figures(
        "(pooled)", f"alle codes samen ({len(units.units)} segmenten × {_codes(len(used))})",
        pooled, sum(row.coded_units for row in used),
    )
    percent, percent_why = _mean([row.percent_agreement for row in used])
    kappa, kappa_why = (
        _mean([row.cohen_kappa for row in used]) if len(units.coders) == 2
        else (None, TWO_CODERS_ONLY)
    )
    alpha, alpha_why = _mean([row.krippendorff_alpha for row in used])
    mean_row = CodeAgreement(
        code="(mean)", label=f"gemiddelde over {_codes(len(used))}", n_units=len(units.units),
        coded_units=len(
            {u for c in units.coders for u, found in zip(units.units, judged[c], strict=True)
             if found}
        ),
        percent_agreement=percent, cohen_kappa=kappa, krippendorff_alpha=alpha,
        percent_undefined=percent_why, kappa_undefined=kappa_why, alpha_undefined=alpha_why,
    )
    return AgreementReport(
        coders=units.coders, level=level, transcripts=units.transcripts,
        n_units=len(units.units), codes=tuple(rows), pooled=pooled_row, mean=mean_row,
        unused_codes=tuple(unused),
    )


def _codes(count: int) -> str:
    return f"{count} code" if count == 1 else f"{count} codes"


def _figures(code: str, label: str, ratings: list[list[int]], coded: int) -> CodeAgreement:
    n_units = len(ratings[0]) if ratings else 0
    percent = percent_agreement(ratings)
    if len(ratings) == 2:
        kappa, kappa_why = cohen_kappa(ratings[0], ratings[1])
    else:
        kappa, kappa_why = None, TWO_CODERS_ONLY
    alpha, alpha_why = krippendorff_alpha([[float(v) for v in row] for row in ratings])
    return CodeAgreement(
        code=code, label=label, n_units=n_units, coded_units=coded,
        percent_agreement=percent, cohen_kappa=kappa, krippendorff_alpha=alpha,
        percent_undefined="" if percent is not None else NO_UNITS,
        kappa_undefined=kappa_why, alpha_undefined=alpha_why,
    )
