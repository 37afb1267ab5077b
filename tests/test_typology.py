"""The Provan & Kenis typology: levels from coded evidence, predicted form, fit."""

from __future__ import annotations

import pytest

from qcode.analysis.typology import (
    MIXED,
    NO_EVIDENCE,
    PROVAN_KENIS,
    Evidence,
    case_typologies,
    decide_level,
    find_level,
    judge_fit,
    level_codes,
    predict_form,
    typology_of,
)
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.store import Project
from qcode.store.codebook import require_codebook
from qcode.store.codings import add as add_codings
from qcode.store.transcripts import set_respondent_attributes


def evidence(code: str, level: str, *segments: tuple[str, int], respondent: str = "") -> list[Evidence]:
    return [Evidence(t, s, respondent or t, code, level) for t, s in segments]


# -- the level rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, NO_EVIDENCE),
        ({"high": 1}, "high"),
        ({"high": 3, "low": 1}, "high"),            # 75 %, three times the runner-up
        ({"high": 3, "low": 1, "moderate": 1}, "high"),  # 60 %, three times the runner-up
        ({"high": 3, "low": 2}, MIXED),             # a majority, but not a clear one
        ({"high": 2, "low": 2}, MIXED),
        ({"high": 2, "low": 1, "moderate": 1}, MIXED),   # half, not more than half
        ({"many": 4, "few": 2}, "many"),            # exactly twice the runner-up wins
    ],
)
def test_a_level_needs_a_clear_majority(counts: dict[str, int], expected: str) -> None:
    assert decide_level(counts) == expected


def test_segments_count_once_per_level_and_respondents_are_counted() -> None:
    items = [
        *evidence("trust.high", "high", ("r1", 4), ("r1", 9), respondent="R01"),
        # The same segment coded trust.high by a second coder (or via a sub-code): once.
        *evidence("trust.high.x", "high", ("r1", 4), respondent="R01"),
        *evidence("trust.high", "high", ("r2", 3), respondent="R02"),
        *evidence("trust.low", "low", ("r3", 7), respondent="R03"),
    ]
    finding = find_level("trust", items)
    assert finding.level == "high"
    assert (finding.segments, finding.respondents) == (3, 2)
    assert finding.counts == {"high": 3, "low": 1}
    assert [e.level for e in finding.support] == ["high"] * 3
    # Counter-evidence stays in the finding, after the support.
    assert [e.level for e in finding.evidence] == ["high", "high", "high", "low"]


def test_mixed_evidence_supports_nothing_and_keeps_everything() -> None:
    items = [*evidence("trust.high", "high", ("r1", 1), ("r1", 2)),
             *evidence("trust.low", "low", ("r2", 1), ("r2", 2))]
    finding = find_level("trust", items)
    assert finding.level == MIXED and not finding.clear
    assert (finding.segments, finding.respondents) == (4, 2)
    assert len(finding.support) == 4


# -- prediction and fit, against the table in DOMAIN.md -----------------------------------


def test_the_table_rows_as_levels() -> None:
    assert PROVAN_KENIS["shared"] == {"trust": {"high"}, "members": {"few"},
                                      "consensus": {"high"}, "competences": {"low"}}
    assert PROVAN_KENIS["lead_organisation"]["trust"] == {"low"}
    # "moderately low" / "moderately high" lie between two of the codebook's levels.
    assert PROVAN_KENIS["lead_organisation"]["consensus"] == {"low", "moderate"}
    assert PROVAN_KENIS["nao"]["consensus"] == {"moderate", "high"}
    assert PROVAN_KENIS["nao"]["members"] == {"moderate", "many"}


@pytest.mark.parametrize(
    ("levels", "form"),
    [
        ({"trust": "high", "members": "few", "consensus": "high", "competences": "low"},
         "shared"),
        ({"trust": "low", "members": "moderate", "consensus": "low", "competences": "moderate"},
         "lead_organisation"),
        ({"trust": "moderate", "members": "many", "consensus": "high", "competences": "high"},
         "nao"),
    ],
)
def test_each_row_of_the_table_predicts_its_form(levels: dict[str, str], form: str) -> None:
    prediction = predict_form(levels)
    assert (prediction.status, prediction.forms, prediction.clear_conditions) == (
        "single", (form,), 4)
    assert judge_fit(prediction, form) == "fits"


def test_misfit_when_the_observed_form_is_not_predicted() -> None:
    prediction = predict_form({"trust": "moderate", "members": "many",
                               "consensus": "moderate", "competences": "high"})
    assert prediction.forms == ("nao",)
    assert judge_fit(prediction, "lead_organisation") == "misfit"


def test_conditions_that_fit_no_single_form_name_the_closest() -> None:
    # High trust and few members say shared; high competences and many members say NAO.
    prediction = predict_form({"trust": "high", "members": "few", "consensus": "high",
                               "competences": "high"})
    assert prediction.status == "none" and prediction.forms == ()
    assert prediction.closest == ("shared",)
    assert prediction.matches == {"shared": 3, "lead_organisation": 0, "nao": 2}
    assert judge_fit(prediction, "shared") == "misfit"


def test_several_forms_when_the_evidence_cannot_tell_them_apart() -> None:
    prediction = predict_form({"consensus": "moderate", "trust": MIXED,
                               "members": NO_EVIDENCE})
    assert prediction.status == "several"
    assert prediction.forms == ("lead_organisation", "nao")
    assert prediction.clear_conditions == 1
    assert judge_fit(prediction, "nao") == "compatible"
    assert judge_fit(prediction, "shared") == "misfit"


def test_mixed_and_missing_evidence_rule_nothing_out() -> None:
    prediction = predict_form({"trust": MIXED, "members": NO_EVIDENCE,
                               "consensus": MIXED, "competences": "high"})
    assert (prediction.status, prediction.forms, prediction.clear_conditions) == (
        "single", ("nao",), 1)
    nothing = predict_form({"trust": MIXED, "members": MIXED})
    assert nothing.status == NO_EVIDENCE and nothing.forms == ()
    assert judge_fit(nothing, "nao") == "undetermined"


def test_fit_is_undetermined_when_the_observed_form_is_unclear() -> None:
    prediction = predict_form({"trust": "high"})
    assert judge_fit(prediction, MIXED) == "undetermined"
    assert judge_fit(prediction, NO_EVIDENCE) == "undetermined"


def test_a_unit_without_any_evidence() -> None:
    typology = typology_of("Veiligheidshuis Leeg", [])
    assert all(f.level == NO_EVIDENCE for f in typology.conditions)
    assert typology.observed.level == NO_EVIDENCE
    assert typology.prediction.status == NO_EVIDENCE
    assert typology.fit == "undetermined"


def test_observed_form_from_governance_codes() -> None:
    items = [*evidence("governance.nao", "nao", ("r1", 1), ("r1", 2), ("r2", 5)),
             *evidence("governance.lead_organisation", "lead_organisation", ("r3", 1)),
             *evidence("trust.moderate", "moderate", ("r1", 3)),
             *evidence("members.many", "many", ("r2", 4))]
    typology = typology_of("Veiligheidshuis Noord", items)
    assert typology.observed.level == "nao"
    assert typology.observed.counts == {"nao": 3, "lead_organisation": 1}
    assert typology.prediction.forms == ("nao",)
    assert typology.fit == "fits"


# -- from a project --------------------------------------------------------------------


def test_level_codes_of_the_mini_codebook(project: Project) -> None:
    levels = level_codes(require_codebook(project))
    assert levels == {"trust.high": "high", "trust.low": "low", "governance.nao": "nao"}


def test_case_typologies_from_codings(project: Project) -> None:
    add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans"),
        Coding("noord-r01", 4, "trust.high", "bob"),
        Coding("noord-r01", 2, "governance.nao", "ans"),
        Coding("zuid-r02", 4, "trust.low", "ans"),
        Coding("zuid-r02", 2, "trust.high", "bob"),
        Coding("zuid-r02", 2, "trust.information_sharing", "ans"),
    ])
    noord, zuid = case_typologies(project)
    assert (noord.unit, noord.respondents) == ("Veiligheidshuis Noord", 1)
    trust = noord.conditions[0]
    assert (trust.condition, trust.level, trust.segments) == ("trust", "high", 1)
    # Trust high is the shared row; the house was coded as an NAO.
    assert noord.prediction.forms == ("shared",) and noord.observed.level == "nao"
    assert noord.fit == "misfit"
    assert zuid.conditions[0].level == MIXED
    assert zuid.fit == "undetermined"
    # Only ans's codings: zuid's trust is low (lead organisation), no form observed.
    zuid_ans = case_typologies(project, coders=["ans"])[1]
    assert zuid_ans.conditions[0].level == "low"
    assert zuid_ans.prediction.forms == ("lead_organisation",)


def test_case_typologies_split_by_wave(project: Project) -> None:
    set_respondent_attributes(project, "R01", {"wave": "2018"})
    set_respondent_attributes(project, "R02", {"wave": "2026", "case": "Veiligheidshuis Noord"})
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("zuid-r02", 4, "trust.low", "ans")])
    units = case_typologies(project, then_by="wave")
    assert [(u.unit, u.case, u.subgroup) for u in units] == [
        ("Veiligheidshuis Noord / 2018", "Veiligheidshuis Noord", "2018"),
        ("Veiligheidshuis Noord / 2026", "Veiligheidshuis Noord", "2026"),
    ]
    assert [u.conditions[0].level for u in units] == ["high", "low"]
    with pytest.raises(QcodeError, match="--then-by jaar: no transcript or respondent"):
        case_typologies(project, then_by="jaar")
