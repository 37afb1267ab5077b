"""Was a group's sample of interviews enough? Saturation after Guest, Namey & Chen (2020).

Guest, G., Namey, E. & Chen, M. (2020). A simple method to assess and report thematic
saturation in qualitative research. *PLoS ONE* 15(5): e0232076.

The method, as qcode computes it per group (a house, or all interviews):

1. Order the interviews: by ``date`` (front matter or respondents.csv), else by id, or by
   the attribute the researcher names. Only interviews with at least one coding count
   (by the chosen coders): an interview nobody has coded yet would look like one that
   brought nothing new.
2. The **base** is the first *B* interviews (default 4); the number of distinct codes in
   it is the denominator.
3. A **run** is *R* consecutive interviews after the base (default 2); runs move one
   interview at a time (5-6, 6-7, 7-8, ...). A run's **new information** is the number of
   codes first seen in that run (seen in none of the interviews before it), divided by the
   number of distinct codes in the base.
4. Saturation is reached at the last interview of the first run whose new information is
   at or below the **threshold** (default 5%). If no run gets there, it is not reached;
   if the group has fewer than *B* + *R* coded interviews, there is no run to judge.

Codes are counted as coded (``--level full``) or rolled up into their top-level code
(``--level top``). The method counts codes, not meaning, and its answer depends on the
order of the interviews.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from qcode.analysis.matrix import MISSING_GROUP, check_attribute
from qcode.errors import QcodeError
from qcode.models import CODE_LEVELS, at_level
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import transcript_attributes, transcripts_where
from qcode.values import Condition

DEFAULT_BASE = 4
DEFAULT_RUN = 2
DEFAULT_THRESHOLD = 5.0
"""Percent."""
DEFAULT_ORDER = "date"
ALL_INTERVIEWS = "all interviews"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Parameters:
    """Base size, run length and new-information threshold (percent)."""

    base: int = DEFAULT_BASE
    run: int = DEFAULT_RUN
    threshold: float = DEFAULT_THRESHOLD

    def check(self) -> None:
        if self.base < 1:
            raise QcodeError(f"--base {self.base}: the base needs at least one interview")
        if self.run < 1:
            raise QcodeError(f"--run {self.run}: a run needs at least one interview")
        if not 0 <= self.threshold <= 100:  # also refuses nan
            raise QcodeError(f"--threshold {self.threshold:g}: a percentage from 0 to 100")

    def describe(self) -> str:
        return f"base {self.base}, run {self.run}, ≤ {percent(self.threshold / 100)}"


@dataclass(frozen=True)
class Interview:
    """One coded interview in its place in the order."""

    position: int
    """1 for the first interview of the group."""
    transcript: str
    respondent: str
    order_value: str
    """The value the interviews were ordered by (a date), empty when it has none."""
    codes: tuple[str, ...]
    new_codes: tuple[str, ...]
    """Codes no earlier interview of the group had."""
    cumulative: int
    """Distinct codes in this interview and every one before it."""


@dataclass(frozen=True)
class Run:
    """R consecutive interviews after the base, and the new information they bring."""

    first: int
    last: int
    new_codes: int
    base_codes: int

    @property
    def ratio(self) -> Fraction:
        return Fraction(self.new_codes, self.base_codes) if self.base_codes else Fraction(0)


@dataclass(frozen=True)
class Saturation:
    """The assessment of one group: its interviews in order, every run and the verdict.

    ``status`` is ``saturated`` (at ``saturated_at``, a position in ``interviews``),
    ``not_reached`` (every run stays above the threshold) or ``too_few`` (fewer coded
    interviews than base plus run, so no run can be judged)."""

    group: str
    parameters: Parameters
    interviews: tuple[Interview, ...]
    base_codes: int
    runs: tuple[Run, ...]
    status: str
    saturated_at: int | None
    left_out: tuple[str, ...] = ()
    """Transcripts of the group without codings (by the chosen coders): not counted."""

    def run_ending_at(self, position: int) -> Run | None:
        return next((run for run in self.runs if run.last == position), None)

    @property
    def verdict(self) -> str:
        """The verdict in one line, e.g. "saturated at interview 7 of 10 (base 4, run 2,
        ≤ 5%)" or "not reached: the last run still adds 12%"."""
        p = self.parameters
        if self.status == "saturated":
            return (f"saturated at interview {self.saturated_at} of {len(self.interviews)} "
                    f"({p.describe()})")
        if self.status == "not_reached":
            return f"not reached: the last run still adds {percent(self.runs[-1].ratio)}"
        return (f"too few interviews: {len(self.interviews)} coded, the method needs at least "
                f"{p.base + p.run} (base {p.base} + run {p.run})")


def percent(ratio: Fraction | float) -> str:
    """A share as a percentage with at most one decimal: 0.125 -> "12.5%", 1/3 -> "33.3%"."""
    text = f"{float(ratio) * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def assess_saturation(
    project: Project,
    *,
    by: str | None = None,
    order: str | None = None,
    level: str = "full",
    coders: Sequence[str] = (),
    where: Sequence[Condition] = (),
    parameters: Parameters | None = None,
) -> list[Saturation]:
    """Saturation per group of interviews (``by`` an attribute such as ``case``; None: all
    interviews as one group), groups in name order.

    ``order`` names the attribute that orders the interviews (default: ``date`` when any
    interview has one, else the transcript id); ``coders`` limits the codings counted
    (their interviews only); ``where`` limits the interviews.
    """
    parameters = parameters or Parameters()
    parameters.check()
    if level not in CODE_LEVELS:
        raise QcodeError(f"--level {level}: use one of {', '.join(CODE_LEVELS)}")
    require_codebook(project)
    codings_store.require_coders(project, coders)
    attributes = transcript_attributes(project)
    if by is not None:
        check_attribute(attributes, by, option="--by")
    if order is not None:
        check_attribute(attributes, order, option="--order")
    chosen = transcripts_where(project, where)
    if chosen is not None:
        attributes = {t: attributes[t] for t in chosen}
    order_by = order or DEFAULT_ORDER
    codes: dict[str, set[str]] = {}
    for coding in codings_store.select(project, coders=coders):
        codes.setdefault(coding.transcript, set()).add(at_level(coding.code, level))
    groups: dict[str, list[str]] = {}
    for transcript, attrs in attributes.items():
        group = (attrs.get(by) or MISSING_GROUP) if by else ALL_INTERVIEWS
        groups.setdefault(group, []).append(transcript)
    results = []
    for name, members in sorted(groups.items()):
        ordered = sorted(members, key=lambda t: _order_key(attributes[t], order_by, t))
        coded = [InterviewCodes(t, attributes[t]["respondent"], attributes[t].get(order_by, ""),
                                frozenset(codes[t])) for t in ordered if codes.get(t)]
        left_out = tuple(t for t in ordered if not codes.get(t))
        results.append(assess_group(name, coded, parameters, left_out=left_out))
    return results


@dataclass(frozen=True)
class InterviewCodes:
    """An interview, in order, with the codes it has."""

    transcript: str
    respondent: str
    order_value: str
    codes: frozenset[str]


def _order_key(attrs: dict[str, str], attribute: str, transcript: str) -> tuple[object, ...]:
    """Interviews with a value first, in the value's natural order (dates as dates, also
    written 14-06-2018; numbers as numbers), then those without, by id."""
    value = attrs.get(attribute, "").strip()
    if not value:
        return (1, 0, "", transcript)
    parsed = _as_date(value)
    if parsed is not None:
        return (0, 0, parsed.isoformat(), transcript)
    if _NUMBER.match(value):
        # Kinds never compare with each other: the second item already differs.
        return (0, 1, float(value), transcript)
    return (0, 2, value.casefold(), transcript)


def _as_date(value: str) -> date | None:
    for pattern, order in ((_ISO_DATE, (1, 2, 3)), (_DUTCH_DATE, (3, 2, 1))):
        match = pattern.match(value)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def assess_group(
    group: str, interviews: Sequence[InterviewCodes], parameters: Parameters | None = None,
    *, left_out: tuple[str, ...] = (),
) -> Saturation:
    """The saturation of one group whose coded interviews are given in order."""
    parameters = parameters or Parameters()
    parameters.check()
    seen: set[str] = set()
    first_seen: dict[str, int] = {}
    ordered = []
    for position, interview in enumerate(interviews, start=1):
        new = sorted(interview.codes - seen)
        for code in new:
            first_seen[code] = position
        seen |= interview.codes
        ordered.append(Interview(
            position=position, transcript=interview.transcript,
            respondent=interview.respondent, order_value=interview.order_value,
            codes=tuple(sorted(interview.codes)), new_codes=tuple(new), cumulative=len(seen),
        ))
    count = len(ordered)
    base, length = parameters.base, parameters.run
    base_codes = len({c for c, at in first_seen.items() if at <= base})
    runs = []
    for first in range(base + 1, count - length + 2):
        last = first + length - 1
        brought = sum(1 for at in first_seen.values() if first <= at <= last)
        runs.append(Run(first, last, brought, base_codes))
    limit = Fraction(str(parameters.threshold)) / 100
    saturated = next((run for run in runs if run.ratio <= limit), None)
    if count < base + length:
        status = "too_few"
    elif saturated is not None:
        status = "saturated"
    else:
        status = "not_reached"
    return Saturation(
        group=group, parameters=parameters, interviews=tuple(ordered),
        base_codes=base_codes, runs=tuple(runs), status=status,
        saturated_at=saturated.last if saturated is not None else None, left_out=left_out,
    )
