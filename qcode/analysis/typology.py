"""The Provan & Kenis typology per case: which governance form the coded conditions
predict, which form was coded as observed, and whether the two fit.

Provan & Kenis (2007, table 1) name four conditions under which each form of network
governance is effective. The study codebook codes the evidence for each condition with
sub-codes that carry a ``level`` (``trust.high``, ``members.few``, ``consensus.moderate``,
``competences.high``) and the observed form with ``governance.shared``,
``governance.lead_organisation`` and ``governance.nao``.

The rules, in the order they are applied:

1. **Evidence.** Per case (or case and wave) and condition, count the distinct coded
   segments for each level: a segment coded with one level by two coders counts once,
   and a sub-code under a level code (``trust.high.x``) counts for that level.
2. **Level.** A level wins when it holds more than half of the condition's level-coded
   segments *and* at least twice as many as any other level (a clear majority: 3 against
   1 wins, 3 against 2 does not). Otherwise the condition is ``mixed``; without any
   level-coded segment it has ``no evidence``. The observed form follows the same rule.
3. **Prediction.** A form is predicted when the level of every condition that has a
   clear level is one the table allows for that form. Where the table puts a form
   between two of the codebook's levels ("moderately low" consensus, "moderate to many"
   members) both levels count as compatible. Mixed conditions and conditions without
   evidence rule no form out. The prediction is one form, several forms (the evidence
   cannot tell them apart), none (no form fits every condition; the closest forms are
   those that fit the most) or no evidence at all.
4. **Fit.** ``fits`` when one form is predicted and it is the one observed;
   ``compatible`` when the observed form is one of several predicted; ``misfit`` when
   the observed form is not among the predicted ones (or none is predicted);
   ``undetermined`` when the observed form is mixed or uncoded, or nothing is predicted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qcode.analysis.matrix import MISSING_GROUP, check_attribute, group_of
from qcode.models import Codebook
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import select_transcripts, transcript_attributes
from qcode.values import Condition

CONDITIONS: tuple[str, ...] = ("trust", "members", "consensus", "competences")
FORMS: tuple[str, ...] = ("shared", "lead_organisation", "nao")
OBSERVED = "governance"
MIXED = "mixed"
NO_EVIDENCE = "no evidence"

# Provan & Kenis (2007), table 1, in the codebook's levels. The table's own words are
# kept beside each row in TABLE_WORDS so the report can show what it compares against.
PROVAN_KENIS: dict[str, dict[str, frozenset[str]]] = {
    "shared": {
        "trust": frozenset({"high"}),                   # high density
        "members": frozenset({"few"}),                  # few
        "consensus": frozenset({"high"}),               # high
        "competences": frozenset({"low"}),              # low
    },
    "lead_organisation": {
        "trust": frozenset({"low"}),                    # low density, highly centralised
        "members": frozenset({"moderate"}),             # moderate number
        "consensus": frozenset({"low", "moderate"}),    # moderately low
        "competences": frozenset({"moderate"}),         # moderate
    },
    "nao": {
        "trust": frozenset({"moderate"}),               # moderate density, NAO monitored
        "members": frozenset({"moderate", "many"}),     # moderate to many
        "consensus": frozenset({"moderate", "high"}),   # moderately high
        "competences": frozenset({"high"}),             # high
    },
}

MAJORITY_SHARE = 0.5   # the winner holds more than this share of the segments ...
MAJORITY_RATIO = 2     # ... and at least this many times the runner-up's segments


@dataclass(frozen=True)
class Evidence:
    """One coded segment that supports a level of a condition (or an observed form)."""

    transcript: str
    segment: int
    respondent: str
    code: str
    level: str


@dataclass(frozen=True)
class Finding:
    """What the coded evidence says about one condition (or the observed form).

    ``level`` is a level (``high``, ``few``, a form for the observed governance), or
    ``mixed``, or ``no evidence``. ``segments`` and ``respondents`` count the support
    for that level; for ``mixed`` they count all the condition's level-coded evidence.
    ``counts`` has the distinct segments per level, ``evidence`` every level-coded
    segment (once per level), so counter-evidence stays visible beside the support.
    """

    condition: str
    level: str
    segments: int
    respondents: int
    counts: dict[str, int]
    evidence: tuple[Evidence, ...]

    @property
    def clear(self) -> bool:
        return self.level not in (MIXED, NO_EVIDENCE)

    @property
    def support(self) -> tuple[Evidence, ...]:
        """The evidence for the winning level (all of it when mixed)."""
        if not self.clear:
            return self.evidence
        return tuple(e for e in self.evidence if e.level == self.level)


@dataclass(frozen=True)
class Prediction:
    """The forms the conditions with a clear level point to.

    ``status`` is ``single``, ``several``, ``none`` or ``no evidence``; ``matches`` counts
    per form how many clear conditions it is compatible with; ``closest`` are the forms
    with the most matches when none fits them all.
    """

    status: str
    forms: tuple[str, ...]
    clear_conditions: int
    matches: dict[str, int]
    closest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Typology:
    """The typology table of one case (or one case in one wave)."""

    unit: str
    case: str
    subgroup: str | None
    respondents: int
    conditions: tuple[Finding, ...]
    prediction: Prediction
    observed: Finding
    fit: str


def decide_level(counts: Mapping[str, int]) -> str:
    """The level with a clear majority of segments, else ``mixed`` (``no evidence`` when
    nothing was coded)."""
    total = sum(counts.values())
    if total == 0:
        return NO_EVIDENCE
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    winner, most = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if most > MAJORITY_SHARE * total and most >= MAJORITY_RATIO * runner_up:
        return winner
    return MIXED


def find_level(condition: str, evidence: Iterable[Evidence]) -> Finding:
    """Weigh the evidence for one condition: distinct segments per level, then the rule."""
    by_level: dict[str, dict[tuple[str, int], Evidence]] = {}
    for item in evidence:
        by_level.setdefault(item.level, {}).setdefault((item.transcript, item.segment), item)
    # Most supported level first, so the report lists the evidence in that order.
    counts = dict(sorted(((level, len(segments)) for level, segments in by_level.items()),
                         key=lambda item: -item[1]))
    level = decide_level(counts)
    everything = [item for lvl in counts for item in
                  sorted(by_level[lvl].values(), key=lambda e: (e.transcript, e.segment))]
    support = [e for e in everything if e.level == level] if level in by_level else everything
    return Finding(
        condition=condition, level=level,
        segments=len({(e.transcript, e.segment) for e in support}),
        respondents=len({e.respondent for e in support}),
        counts=counts, evidence=tuple(everything),
    )


def predict_form(levels: Mapping[str, str]) -> Prediction:
    """The governance forms compatible with every condition that has a clear level."""
    clear = {c: levels[c] for c in CONDITIONS if levels.get(c, NO_EVIDENCE) not in
             (MIXED, NO_EVIDENCE)}
    matches = {
        form: sum(1 for c, level in clear.items() if level in PROVAN_KENIS[form][c])
        for form in FORMS
    }
    if not clear:
        return Prediction(NO_EVIDENCE, (), 0, matches)
    forms = tuple(form for form in FORMS if matches[form] == len(clear))
    if len(forms) == 1:
        return Prediction("single", forms, len(clear), matches)
    if forms:
        return Prediction("several", forms, len(clear), matches)
    best = max(matches.values())
    closest = tuple(form for form in FORMS if best and matches[form] == best)
    return Prediction("none", (), len(clear), matches, closest)


def judge_fit(prediction: Prediction, observed: str) -> str:
    """``fits``, ``compatible``, ``misfit`` or ``undetermined`` (see the module doc)."""
    if observed not in FORMS or prediction.status == NO_EVIDENCE:
        return "undetermined"
    if observed not in prediction.forms:
        return "misfit"
    return "fits" if prediction.status == "single" else "compatible"


def typology_of(
    unit: str, evidence: Sequence[Evidence], *, case: str = "", subgroup: str | None = None,
    respondents: int = 0,
) -> Typology:
    """The whole table for one unit from its evidence (conditions and ``governance``)."""
    conditions = tuple(
        find_level(c, [e for e in evidence if _condition(e.code) == c]) for c in CONDITIONS
    )
    observed = find_level(OBSERVED, [e for e in evidence if _condition(e.code) == OBSERVED])
    prediction = predict_form({f.condition: f.level for f in conditions})
    return Typology(unit=unit, case=case or unit, subgroup=subgroup, respondents=respondents,
                    conditions=conditions, prediction=prediction, observed=observed,
                    fit=judge_fit(prediction, observed.level))


def level_codes(codebook: Codebook) -> dict[str, str]:
    """Every code that counts as evidence, mapped to its level (or observed form).

    A condition's code takes the level of itself or its nearest ancestor with one; the
    observed form is the child of ``governance`` the code sits under.
    """
    levels: dict[str, str] = {}
    own = {code.id: code.level for code in codebook.codes}
    for code in codebook.codes:
        top = code.top
        if top in CONDITIONS:
            parts = code.id.split(".")
            for depth in range(len(parts), 1, -1):
                level = own.get(".".join(parts[:depth]))
                if level:
                    levels[code.id] = level
                    break
        elif top == OBSERVED and code.depth >= 1:
            form = code.id.split(".")[1]
            if form in FORMS:
                levels[code.id] = form
    return levels


def case_typologies(
    project: Project, *, coders: Sequence[str] = (), then_by: str | None = None,
    where: Sequence[Condition] = (),
) -> list[Typology]:
    """One typology per case (per case and ``then_by`` value, e.g. wave), in case order,
    of the transcripts that meet ``where``."""
    codebook = require_codebook(project)
    attributes = transcript_attributes(project)
    if then_by is not None:
        check_attribute(attributes, then_by, option="--then-by")
    chosen = select_transcripts(project, (), where)
    if chosen is not None:
        attributes = {t: attributes[t] for t in chosen}
    levels = level_codes(codebook)
    units: dict[str, list[Evidence]] = {}
    parts: dict[str, tuple[str, str | None]] = {}
    people: dict[str, set[str]] = {}
    for attrs in attributes.values():
        unit = group_of(attrs, "case", then_by)
        units.setdefault(unit, [])
        parts[unit] = (attrs.get("case") or MISSING_GROUP,
                       (attrs.get(then_by) or MISSING_GROUP) if then_by else None)
        people.setdefault(unit, set()).add(attrs["respondent"])
    coded = sorted({(c.transcript, c.segment, c.code)
                    for c in codings_store.select(project, coders=coders,
                                                  transcripts=chosen)})
    for transcript, segment, code in coded:
        level = levels.get(code)
        if level is None:
            continue
        attrs = attributes[transcript]
        units[group_of(attrs, "case", then_by)].append(
            Evidence(transcript, segment, attrs["respondent"], code, level)
        )
    return [
        typology_of(unit, units[unit], case=parts[unit][0], subgroup=parts[unit][1],
                    respondents=len(people[unit]))
        for unit in sorted(units, key=lambda u: (parts[u][0], parts[u][1] or ""))
    ]


def _condition(code: str) -> str:
    return code.split(".", 1)[0]
