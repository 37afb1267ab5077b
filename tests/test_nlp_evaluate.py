"""Cross-validation by transcript: split discipline and the report."""

from __future__ import annotations

import pytest
from test_nlp_data import CODEBOOK, coded_segments

from qcode.nlp import CodedSegment, EvaluationReport, NlpError, evaluate, folds
from qcode.nlp.evaluation import Scores


def segments(**kwargs: int) -> list[CodedSegment]:
    return [
        CodedSegment(transcript=t, segment=n, text=text, codes=codes)
        for t, n, text, codes in coded_segments(**kwargs)
    ]


def test_folds_keep_transcripts_apart_and_test_each_once() -> None:
    groups = [f"t{i % 7}" for i in range(70)] + ["t0"] * 10
    split = folds(groups, k=3)
    assert len(split) == 3
    tested: list[str] = []
    for fold in split:
        assert not fold.train & fold.test
        assert fold.train | fold.test == set(groups)
        tested.extend(fold.test)
    assert sorted(tested) == sorted(set(groups))
    assert split == folds(list(reversed(groups)), k=3)


def test_fewer_transcripts_than_folds_leaves_one_transcript_out() -> None:
    split = folds(["a", "a", "b", "c"], k=5)
    assert [sorted(fold.test) for fold in split] == [["a"], ["b"], ["c"]] or sorted(
        tuple(sorted(fold.test)) for fold in split
    ) == [("a",), ("b",), ("c",)]
    assert all(len(fold.test) == 1 for fold in split)


def test_cross_validation_needs_two_transcripts() -> None:
    with pytest.raises(NlpError, match="at least two"):
        folds(["a", "a"], k=5)
    with pytest.raises(NlpError, match="at least two"):
        evaluate(CODEBOOK, segments(transcripts=1))


def test_no_test_transcript_is_seen_in_training(monkeypatch: pytest.MonkeyPatch) -> None:
    import qcode.nlp.training as training

    real = training.train_model
    seen: list[set[str]] = []

    def recording(examples, codebook, **kwargs):  # type: ignore[no-untyped-def]
        if examples:  # the codebook-only model of method "codebook" sees no coding
            seen.append({example.group for example in examples})
        return real(examples, codebook, **kwargs)

    monkeypatch.setattr(training, "train_model", recording)
    data = segments(transcripts=4, per_transcript=8)
    report = evaluate(CODEBOOK, data, k=4, epochs=2)
    assert len(seen) == len(report.folds) == 4
    for fold, trained_on in zip(report.folds, seen, strict=True):
        assert trained_on == set(fold.train)
        assert not trained_on & fold.test


def test_report_has_every_method_and_honest_counts() -> None:
    data = segments(transcripts=4, per_transcript=8)
    report = evaluate(CODEBOOK, data, level="top", k=4, epochs=3)
    assert isinstance(report, EvaluationReport)
    assert set(report.methods) == {"baseline", "rules", "codebook", "model", "combined"}
    assert report.transcripts == 4 and report.segments == len(data)
    truth_per_code = {
        code: sum(1 for s in data if any(c.split(".")[0] == code for c in s.codes))
        for code in ("trust", "capacity", "dialogue")
    }
    for method in report.methods.values():
        assert set(method.per_code) == {"trust", "capacity", "dialogue"}
        for code, scores in method.per_code.items():
            assert scores.support == truth_per_code[code]
        assert 0.0 <= method.micro.f1 <= 1.0
    # on these easy, keyword-rich segments the rules must do well
    assert report.methods["combined"].micro.f1 > 0.8
    # the calibration error of every method counts every (segment, code) pair, also
    # those the rules score 0
    for method in ("rules", "codebook", "model", "combined"):
        assert report.calibration[method].pairs == len(data) * 3


def test_full_level_reports_sub_codes() -> None:
    report = evaluate(CODEBOOK, segments(transcripts=3), level="full", k=3, epochs=2)
    assert "trust.sharing" in report.methods["rules"].per_code
    assert any("too few training examples" in note for note in report.notes)


def test_baseline_is_plain_whole_word_keyword_search() -> None:
    from qcode.nlp.evaluation import _Baseline

    baseline = _Baseline(CODEBOOK)
    assert baseline.codes("Het vertrouwen groeit.") == {"trust"}
    # no lemmas and no compounds: inflections and compounds are missed
    assert baseline.codes("We vertrouwden elkaar; de informatiedeling loopt.") == set()
    assert baseline.codes("Informatie   delen doen we.") == {"trust.sharing"}


def test_scores_are_computed_from_counts() -> None:
    scores = Scores(true_positives=3, false_positives=1, false_negatives=3)
    assert scores.precision == 0.75 and scores.recall == 0.5
    assert scores.f1 == pytest.approx(0.6)
    assert Scores(0, 0, 0).f1 == 0.0


def test_unknown_codes_and_methods_are_refused() -> None:
    data = segments(transcripts=2)
    bad = [*data, CodedSegment("t1", 99, "x", frozenset({"nope"}))]
    with pytest.raises(NlpError, match="nope"):
        evaluate(CODEBOOK, bad)
    with pytest.raises(NlpError, match="Unknown evaluation method"):
        evaluate(CODEBOOK, data, methods=("magic",))
