"""Calibration: the reliability table and ECE, per-code thresholds, scores of uncalibrated
models, and the combiner, each on constructed data whose answer is known."""

from __future__ import annotations

import numpy
import pytest

from qcode.nlp import NlpError, calibration
from qcode.nlp.evaluation import reliability


def test_perfectly_calibrated_scores_have_no_calibration_error() -> None:
    # a quarter of the pairs scored 0.25 are right, three quarters of those scored 0.75
    scores = [0.25] * 20 + [0.75] * 20
    truths = [1] * 5 + [0] * 15 + [1] * 15 + [0] * 5
    found = reliability(scores, truths)
    assert found.ece == pytest.approx(0.0)
    assert found.pairs == 40 and found.distinct_scores == 2
    filled = [b for b in found.bins if b.count]
    assert [(b.low, b.count, b.share_correct) for b in filled] == [
        (0.2, 20, 0.25),
        (0.7, 20, 0.75),
    ]


def test_overconfident_scores_have_a_large_calibration_error() -> None:
    # scored 0.95 but right one time in ten: a gap of 0.85
    assert reliability([0.95] * 10, [1] + [0] * 9).ece == pytest.approx(0.85)
    # half the pairs calibrated, half off by 0.85: the error is weighted by count
    scores = [0.25] * 20 + [0.95] * 20
    truths = [1] * 5 + [0] * 15 + [1] * 2 + [0] * 18
    assert reliability(scores, truths).ece == pytest.approx(0.425)


def test_reliability_bins_cover_the_edges_and_refuse_bad_input() -> None:
    found = reliability([0.0, 1.0, 0.1, 0.999], [0, 1, 0, 1], bins=10)
    assert found.bins[0].count == 1 and found.bins[1].count == 1 and found.bins[9].count == 2
    with pytest.raises(NlpError, match="needs a truth"):
        reliability([0.5], [1, 0])
    with pytest.raises(NlpError, match="at least one bin"):
        reliability([0.5], [1], bins=0)


def test_each_code_gets_the_threshold_that_separates_it() -> None:
    rng = numpy.random.default_rng(3)
    # code a: positives score 0.55-0.65, negatives 0.05-0.35; code b: 0.75-0.9 / 0.1-0.6
    a = (numpy.r_[rng.uniform(0.55, 0.65, 30), rng.uniform(0.05, 0.35, 70)],
         numpy.r_[numpy.ones(30), numpy.zeros(70)])
    b = (numpy.r_[rng.uniform(0.75, 0.9, 30), rng.uniform(0.1, 0.6, 70)],
         numpy.r_[numpy.ones(30), numpy.zeros(70)])
    chosen = calibration.choose_thresholds({"a": a, "b": b, "never": (numpy.zeros(5),
                                                                       numpy.zeros(5))})
    assert 0.35 < chosen["a"] <= 0.55
    assert 0.575 < chosen["b"] <= 0.75 and chosen["b"] > chosen["a"]
    assert "never" not in chosen  # no positive example: no threshold of its own


def test_a_rare_code_leans_on_the_pooled_curve() -> None:
    common = (numpy.r_[numpy.full(40, 0.7), numpy.full(60, 0.3)],
              numpy.r_[numpy.ones(40), numpy.zeros(60)])
    # one positive at 0.25 and a negative at 0.28: alone, the best threshold is 0.25
    rare = (numpy.asarray([0.25, 0.28, 0.1]), numpy.asarray([1.0, 0.0, 0.0]))
    alone = calibration.choose_thresholds({"rare": rare}, prior=0.0)
    blended = calibration.choose_thresholds({"common": common, "rare": rare})
    assert alone["rare"] == pytest.approx(0.25)
    assert blended["rare"] > 0.3


def test_an_uncalibrated_model_moves_the_rule_score_by_its_evidence() -> None:
    rules = numpy.asarray([0.5, 0.5, 0.5, 0.0])
    model = numpy.asarray([0.2, 0.6, 0.05, 0.2])
    base = numpy.asarray([0.2, 0.2, 0.2, 0.2])
    found = calibration.prior_scores(rules, model, base)
    assert found[0] == pytest.approx(0.5)  # the model's usual output: the rules' score
    assert found[1] > 0.5 > found[2]
    assert found[3] == pytest.approx(calibration.NO_EVIDENCE_SCORE)


def test_the_combiner_fitted_on_a_sample_of_many_pairs_matches_the_full_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = numpy.random.default_rng(7)
    n = 6000
    model = rng.uniform(0.01, 0.99, n)
    rule = numpy.where(rng.random(n) < 0.3, rng.uniform(0.05, 0.95, n), 0.0)
    z = -1.0 + 1.2 * numpy.log(model / (1 - model)) + 0.6 * (rule > 0)
    truths = (rng.random(n) < 1 / (1 + numpy.exp(-z))).astype(int)
    full = calibration.fit_combiner(model, rule, truths)
    monkeypatch.setattr(calibration, "MAX_COMBINER_PAIRS", 3000)
    sampled = calibration.fit_combiner(model, rule, truths)
    assert sampled.fitted_on == full.fitted_on == n
    assert numpy.allclose(sampled.weights[:2], full.weights[:2], atol=0.25)
    assert full.weights[1] == pytest.approx(1.2, abs=0.2)
    assert calibration.fit_combiner([0.5, 0.4], [0.0, 0.0], [1, 1]) == calibration.DEFAULT_COMBINER


def test_the_error_where_suggestions_land_is_not_watered_down() -> None:
    # many rightly low scores and a few overconfident high ones
    scores = [0.02] * 100 + [0.9] * 10
    truths = [0] * 98 + [1] * 2 + [1] * 5 + [0] * 5
    found = reliability(scores, truths)
    assert found.ece == pytest.approx((100 * 0.0 + 10 * 0.4) / 110)
    assert found.ece_suggestible == pytest.approx(0.4)


def test_each_code_gets_its_own_shift_when_the_evidence_says_less_for_it() -> None:
    rng = numpy.random.default_rng(11)
    n = 4000
    model = rng.uniform(0.05, 0.95, n)
    codes = rng.integers(0, 2, n)
    # the same model evidence: code 1 applies far more often than code 0
    z = numpy.log(model / (1 - model)) + numpy.where(codes == 1, 1.5, -1.5)
    truths = (rng.random(n) < 1 / (1 + numpy.exp(-z))).astype(int)
    fitted = calibration.fit_combiner(model, numpy.zeros(n), truths, codes=codes,
                                      labels=["rare", "common"])
    assert fitted.code_bias["common"] - fitted.code_bias["rare"] > 2.0
    both = fitted.scores(numpy.full((1, 2), 0.5), numpy.zeros((1, 2)), 70, ["rare", "common"])
    assert both[0, 1] > 0.7 > 0.3 > both[0, 0]
    plain = calibration.fit_combiner(model, numpy.zeros(n), truths)
    assert plain.code_bias == {}


def test_the_length_effect_is_held_within_the_lengths_it_was_fitted_on() -> None:
    rng = numpy.random.default_rng(5)
    n = 3000
    model = rng.uniform(0.05, 0.95, n)
    tokens = rng.integers(40, 121, n)  # turns of 40 to 120 tokens, evenly spread
    z = numpy.log(model / (1 - model)) + 1.5 * numpy.log(tokens / 70)
    truths = (rng.random(n) < 1 / (1 + numpy.exp(-z))).astype(int)
    fitted = calibration.fit_combiner(model, numpy.zeros(n), truths, tokens)
    low, high = fitted.length_range
    assert low == pytest.approx(48, abs=2) and high == pytest.approx(112, abs=2)
    assert fitted.weights[4] == pytest.approx(1.5, abs=0.4)
    at = numpy.full(4, 0.5)
    # a one-line quote and a monologue are scored as turns at the edges of the range
    short, edge, inside, long = fitted.scores(at, numpy.zeros(4), [8, low, 70, 2000])
    assert short == pytest.approx(edge)
    assert edge < inside < long
    assert long == pytest.approx(fitted.scores(at[:1], numpy.zeros(1), [high])[0])


def test_a_question_that_points_to_the_code_raises_the_score_and_no_question_changes_nothing(
) -> None:
    rng = numpy.random.default_rng(9)
    n = 4000
    scores = rng.uniform(0.05, 0.6, n)
    asked = rng.random(n) < 0.3
    ruled = rng.random(n) < 0.5
    # where the question points to the code, it applies with three times the odds
    z = numpy.log(scores / (1 - scores)) + numpy.where(asked, numpy.log(3.0), 0.0)
    truths = (rng.random(n) < 1 / (1 + numpy.exp(-z))).astype(int)
    weights = calibration.fit_question_weights(scores, asked, ruled, truths)
    assert weights[0] == pytest.approx(numpy.log(3.0), abs=0.3)
    assert abs(weights[1]) < 0.3
    assert calibration.fit_question_weights(scores, numpy.zeros(n), ruled, truths) == (0.0, 0.0)
    combiner = calibration.Combiner(weights=(0.0, 1.0, 0.0, 0.0, 0.0), fitted_on=n,
                                    question_weights=weights)
    model = numpy.full((1, 2), 0.3)
    plain = combiner.scores(model, numpy.zeros((1, 2)), 70)
    assert numpy.allclose(plain, 0.3)
    with_question = combiner.scores(model, numpy.zeros((1, 2)), 70,
                                    question=numpy.asarray([[True, False]]))
    assert with_question[0, 0] > 0.5 and with_question[0, 1] == pytest.approx(0.3)
