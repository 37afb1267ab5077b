"""Code co-occurrence: how often two codes are on the same segment (or interview).

For every pair of codes, ``count`` is the number of units (respondent turns, or whole
interviews) that carry both, and ``jaccard`` is that count divided by the number of
units that carry either (both ÷ either: ATLAS.ti's c-coefficient), from 0 (never
together) to 1 (always together). At ``level="top"`` a sub-code counts as its top-level
code; at ``"full"`` every code counts as coded. A unit's codes are those of the chosen
coders (default everyone), a code given twice to one unit counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.analysis.matrix import MISSING_GROUP, check_attribute, group_of
from qcode.analysis.typology import (
    CONDITIONS,
    OBSERVED,
    PROVAN_KENIS,
    Evidence,
    level_codes,
)
from qcode.errors import QcodeError
from qcode.exports.table import Cell, write_rows
from qcode.models import CODE_LEVELS, at_level
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import (
    respondent_segments,
    select_transcripts,
    transcript_attributes,
)
from qcode.values import Condition

if TYPE_CHECKING:
    import pandas as pd

UNITS: tuple[str, ...] = ("segment", "transcript")
MEASURES: tuple[str, ...] = ("count", "jaccard")
COOCCUR_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md")


@dataclass(frozen=True)
class Pair:
    code_a: str
    code_b: str
    group: str | None
    count: int
    jaccard: float


@dataclass(frozen=True)
class Cooccurrence:
    """The code-by-code table of one group (``group`` None: all units together).

    ``codes`` are the codes found in any group, in codebook order, so the tables of
    several groups line up; ``counts`` has the units per code, ``units`` all the units
    of the group.
    """

    group: str | None
    codes: tuple[str, ...]
    labels: dict[str, str]
    units: int
    counts: dict[str, int]
    together: dict[frozenset[str], int]

    def count(self, a: str, b: str) -> int:
        return self.together.get(frozenset((a, b)), 0) if a != b else self.counts.get(a, 0)

    def jaccard(self, a: str, b: str) -> float | None:
        """Both ÷ either; None when neither code is in the group (0 ÷ 0)."""
        both = self.count(a, b)
        either = self.counts.get(a, 0) + self.counts.get(b, 0) - both
        return round(both / either, 4) if either else None

    def value(self, a: str, b: str, measure: str) -> float | None:
        return float(self.count(a, b)) if measure == "count" else self.jaccard(a, b)

    def pairs(self) -> list[Pair]:
        """Every pair of different codes that occur together, in codebook order."""
        return [
            Pair(a, b, self.group, self.count(a, b), self.jaccard(a, b) or 0.0)
            for a, b in combinations(self.codes, 2) if self.count(a, b)
        ]


def cooccurrence(
    project: Project,
    *,
    unit: str = "segment",
    level: str = "top",
    coders: Sequence[str] = (),
    where: Sequence[Condition] = (),
    by: str | None = None,
) -> list[Cooccurrence]:
    """One code-by-code table, or one per value of ``by`` (case, role, any attribute),
    over the respondent turns (``unit="transcript"``: interviews) of the transcripts
    that meet ``where``."""
    if unit not in UNITS:
        raise QcodeError(f"--unit {unit}: use one of {', '.join(UNITS)}")
    if level not in CODE_LEVELS:
        raise QcodeError(f"--level {level}: use one of {', '.join(CODE_LEVELS)}")
    codebook = require_codebook(project)
    attributes = transcript_attributes(project)
    if by is not None:
        check_attribute(attributes, by, option="--by")
    codings_store.require_coders(project, coders)
    chosen = select_transcripts(project, (), where)
    transcripts = chosen if chosen is not None else sorted(attributes)
    coded: dict[tuple[str, int], set[str]] = {}
    for coding in codings_store.select(project, transcripts=chosen, coders=coders):
        key = (coding.transcript, coding.segment if unit == "segment" else 0)
        coded.setdefault(key, set()).add(at_level(coding.code, level))
    if unit == "segment":
        keys = [(t, n) for t, n, _ in respondent_segments(project, chosen)]
    else:
        keys = [(t, 0) for t in transcripts]

    def group_of(transcript: str) -> str | None:
        return None if by is None else attributes[transcript].get(by) or MISSING_GROUP

    groups: dict[str | None, list[tuple[str, int]]] = {}
    if by is not None:
        for transcript in transcripts:
            groups.setdefault(group_of(transcript), [])
    for key in keys:
        groups.setdefault(group_of(key[0]), []).append(key)
    if not groups:
        groups[None] = []
    present = {code for codes in coded.values() for code in codes}
    order = [c.id for c in codebook.codes if level == "full" or c.parent is None]
    codes = tuple(c for c in order if c in present)
    labels = {c.id: c.label for c in codebook.codes}
    tables = []
    for group in sorted(groups, key=lambda g: g or ""):
        counts: dict[str, int] = {}
        together: dict[frozenset[str], int] = {}
        for key in groups[group]:
            found = sorted(coded.get(key, ()))
            for code in found:
                counts[code] = counts.get(code, 0) + 1
            for a, b in combinations(found, 2):
                pair = frozenset((a, b))
                together[pair] = together.get(pair, 0) + 1
        tables.append(Cooccurrence(group, codes, labels, len(groups[group]), counts, together))
    return tables


# -- tables and files --------------------------------------------------------------------

def pair_columns(by: str | None) -> list[str]:
    return ["code_a", "code_b", *([by] if by else []), "count", "jaccard"]


def pair_rows(tables: Sequence[Cooccurrence], by: str | None) -> list[dict[str, object]]:
    """Every pair that occurs together, as rows of :func:`pair_columns`."""
    return [
        {"code_a": p.code_a, "code_b": p.code_b, **({by: p.group} if by else {}),
         "count": p.count, "jaccard": p.jaccard}
        for table in tables for p in table.pairs()
    ]


def matrix_rows(table: Cooccurrence, measure: str) -> tuple[list[str], list[list[Cell]]]:
    """The table as a header and rows: code, label, units with the code, then one cell
    per code (empty on the diagonal and where the measure is undefined)."""
    header = ["code", "label", "units", *table.codes]
    rows: list[list[Cell]] = []
    for a in table.codes:
        cells: list[Cell] = []
        for b in table.codes:
            value = None if a == b else table.value(a, b, measure)
            cells.append(int(value) if measure == "count" and value is not None else value)
        rows.append([a, table.labels.get(a, ""), table.counts.get(a, 0), *cells])
    return header, rows


def check_cooccurrence_target(path: Path) -> str:
    from qcode.files import output_format

    return output_format(path, "co-occurrence table", COOCCUR_FORMATS)


def write_cooccurrence(
    tables: Sequence[Cooccurrence], path: Path, *, measure: str, by: str | None,
    title: str,
) -> None:
    """.xlsx: one code-by-code sheet per group; .md: one table per group (cells hold
    ``measure``); .csv: the pairs, ``code_a, code_b, [group,] count, jaccard``."""
    suffix = check_cooccurrence_target(path)
    if suffix == ".csv":
        rows: list[list[Cell]] = [
            [p.code_a, p.code_b, *([p.group] if by else []), p.count, p.jaccard]
            for table in tables for p in table.pairs()
        ]
        write_rows(pair_columns(by), [("pairs", rows)], path, what="co-occurrence table",
                   title=title)
        return
    sheets: list[tuple[str, list[list[Cell]]]] = []
    header: list[str] = []
    for table in tables:
        header, rows = matrix_rows(table, measure)
        sheets.append((table.group if table.group is not None else measure, rows))
    write_rows(header, sheets, path, what="co-occurrence table", title=title)


def cooccurrence_frame(table: Cooccurrence, measure: str) -> pd.DataFrame:
    """The table as a frame with a ``label`` column and one column per code (the
    diagonal 0), the shape :func:`qcode.exports.plot.write_matrix_plot` draws."""
    import pandas as pd

    data = {
        b: [0.0 if a == b else round(table.value(a, b, measure) or 0.0, 2)
            for a in table.codes]
        for b in table.codes
    }
    frame = pd.DataFrame(data, index=list(table.codes))
    frame.insert(0, "label", [table.labels.get(c, "") for c in table.codes])
    return frame


# -- conditions beside the observed form (the replication report) ------------------------

LEVEL_ORDER: tuple[str, ...] = ("few", "low", "moderate", "high", "many")


@dataclass(frozen=True)
class ConditionFormLink:
    """The interviews of a case in which a condition was coded at ``level`` and the
    governance ``form`` was coded too, with the segments behind both."""

    condition: str
    level: str
    form: str
    respondents: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    @property
    def expected(self) -> bool:
        """Whether Provan & Kenis expect this level of the condition for this form."""
        return self.level in PROVAN_KENIS[self.form][self.condition]


@dataclass(frozen=True)
class CaseLinks:
    """Per case (or case and wave): which condition levels occur in the same interviews
    as which coded governance form. ``rows`` are the (condition, level) pairs coded in
    the case, ``cells`` the combinations found in at least one interview."""

    unit: str
    rows: tuple[tuple[str, str], ...]
    cells: dict[tuple[str, str, str], ConditionFormLink]


def condition_form_links(
    project: Project, *, coders: Sequence[str] = (), then_by: str | None = None,
    where: Sequence[Condition] = (),
) -> list[CaseLinks]:
    """For every case, each Provan & Kenis condition at each coded level beside each
    coded governance form, counted in interviews (respondents): in the replication's
    interviews conditions and forms come up in different answers of one interview,
    seldom in the same turn. Levels are read from the codebook as the typology reads
    them (:func:`qcode.analysis.typology.level_codes`)."""
    codebook = require_codebook(project)
    levels = level_codes(codebook)
    attributes = transcript_attributes(project)
    chosen = select_transcripts(project, (), where)
    if chosen is not None:
        attributes = {t: attributes[t] for t in chosen}
    by_transcript: dict[str, set[Evidence]] = {t: set() for t in attributes}
    for coding in codings_store.select(project, coders=coders, transcripts=chosen):
        level = levels.get(coding.code)
        if level is not None:
            by_transcript[coding.transcript].add(Evidence(
                coding.transcript, coding.segment, attributes[coding.transcript]["respondent"],
                coding.code, level))
    units: dict[str, list[str]] = {}
    for transcript, attrs in attributes.items():
        units.setdefault(group_of(attrs, "case", then_by), []).append(transcript)
    result = []
    for unit in sorted(units):
        rows: set[tuple[str, str]] = set()
        found: dict[tuple[str, str, str], tuple[set[str], set[Evidence]]] = {}
        for transcript in sorted(units[unit]):
            evidence = by_transcript[transcript]
            conditions = [e for e in evidence if e.code.split(".", 1)[0] in CONDITIONS]
            forms = [e for e in evidence if e.code.split(".", 1)[0] == OBSERVED]
            rows.update((e.code.split(".", 1)[0], e.level) for e in conditions)
            for c in conditions:
                for f in forms:
                    key = (c.code.split(".", 1)[0], c.level, f.level)
                    people, segments = found.setdefault(key, (set(), set()))
                    people.add(c.respondent)
                    segments.update((c, f))
        ordered = tuple(sorted(rows, key=lambda r: (CONDITIONS.index(r[0]),
                                                    LEVEL_ORDER.index(r[1])
                                                    if r[1] in LEVEL_ORDER else 99, r[1])))
        cells = {
            key: ConditionFormLink(*key, respondents=tuple(sorted(people)),
                                   evidence=tuple(sorted(segments, key=lambda e: (
                                       e.transcript, e.segment, e.code))))
            for key, (people, segments) in found.items()
        }
        result.append(CaseLinks(unit, ordered, cells))
    return result
