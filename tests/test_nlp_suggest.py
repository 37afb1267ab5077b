"""Rule suggestions: scores, methods, evidence, sub-codes, determinism, cheap import."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from test_nlp_data import CODEBOOK, coded_segments

from qcode.nlp import NlpError, Suggestion, suggest
from qcode.nlp.calibration import rule_score


def test_suggestions_carry_score_method_and_evidence_from_the_segment() -> None:
    text = "Het vertrouwen is groot. We delen informatie via het convenant."
    [found] = suggest(CODEBOOK, [("t1", 4, text)])
    assert isinstance(found, Suggestion)
    assert (found.transcript, found.segment, found.code) == ("t1", 4, "trust.sharing")
    assert found.method == "rules"
    assert 0.5 <= found.score <= 1.0
    assert found.evidence == (
        "delen informatie",
        "convenant",
        "We delen informatie via het convenant.",
    )
    for start, end in found.spans:
        assert text[start:end] in found.evidence


def test_a_sub_code_suggestion_stands_for_its_parent() -> None:
    text = "We delen informatie via het convenant, dat is een kwestie van vertrouwen."
    codes = [s.code for s in suggest(CODEBOOK, [("t1", 2, text)])]
    assert codes == ["trust.sharing"]  # not trust beside it
    only_parent = "Vertrouwen en wantrouwen wisselen elkaar af."
    assert [s.code for s in suggest(CODEBOOK, [("t1", 2, only_parent)], min_score=0.3)] == [
        "trust"
    ]


def test_scores_follow_the_amount_of_evidence() -> None:
    assert rule_score(0, 0) == 0.0
    assert rule_score(1, 0) < rule_score(2, 0) < rule_score(3, 0) < 1.0
    assert rule_score(1, 1) > rule_score(1, 0)
    one = "De werkdruk is hoog."
    two = "De werkdruk is hoog en de capaciteit is op."
    assert suggest(CODEBOOK, [("t", 1, one)], min_score=0.0)[0].score < suggest(
        CODEBOOK, [("t", 1, two)], min_score=0.0
    )[0].score
    assert suggest(CODEBOOK, [("t", 1, one)], min_score=0.5) == []


def test_negated_evidence_still_suggests_but_shows_the_negation() -> None:
    text = "Vertrouwen? Nee, vertrouwen en wantrouwen spelen hier niet."
    [found] = suggest(CODEBOOK, [("t1", 2, text)], min_score=0.0)
    assert found.code == "trust"
    assert found.evidence[:2] == ("Vertrouwen", "vertrouwen en wantrouwen spelen hier niet")


def test_suggest_is_deterministic_and_keeps_segment_order() -> None:
    segments = [(t, n, text) for t, n, text, _ in coded_segments()]
    first = suggest(CODEBOOK, segments, min_score=0.1)
    assert first and first == suggest(CODEBOOK, segments, min_score=0.1)
    # a segment's suggestions do not depend on the other segments in its batch
    one_by_one = [s for segment in segments for s in suggest(CODEBOOK, [segment], min_score=0.1)]
    assert one_by_one == first
    keys = [(t, n) for t, n, _ in segments]
    order = [keys.index((s.transcript, s.segment)) for s in first]
    assert order == sorted(order)
    for a, b in itertools.pairwise(first):
        if (a.transcript, a.segment) == (b.transcript, b.segment):
            assert a.score >= b.score


def test_segments_without_evidence_get_nothing() -> None:
    empty = [("t", 1, ""), ("t", 2, "Ja."), ("t", 3, "Nou ja.")]
    assert suggest(CODEBOOK, empty, min_score=0.0) == []
    assert suggest(CODEBOOK, []) == []


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(NlpError, match="between 0 and 1"):
        suggest(CODEBOOK, [("t", 1, "x")], min_score=1.5)
    with pytest.raises(NlpError, match="needs a trained model"):
        suggest(CODEBOOK, [("t", 1, "x")], rules=False)


def test_importing_qcode_nlp_does_not_import_spacy() -> None:
    modules = [
        "qcode.nlp",
        "qcode.nlp.calibration",
        "qcode.nlp.errors",
        "qcode.nlp.evaluation",
        "qcode.nlp.features",
        "qcode.nlp.keywords",
        "qcode.nlp.levels",
        "qcode.nlp.lexicon",
        "qcode.nlp.model",
        "qcode.nlp.pipeline",
        "qcode.nlp.rules",
        "qcode.nlp.suggestions",
        "qcode.nlp.training",
    ]
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in modules)
        + "from qcode.nlp import Suggestion, TrainedModel, NlpError\n"
        + "heavy = [m for m in ('spacy', 'simplemma', 'numpy', 'thinc') if m in sys.modules]\n"
        + "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_garbage_collector_is_paused_per_batch_and_always_restored() -> None:
    import gc

    from qcode.nlp.suggestions import iter_suggestions

    segments = [(t, n, text) for t, n, text, _ in coded_segments(transcripts=2)]
    seen: list[bool] = []
    for _ in iter_suggestions(CODEBOOK, segments):
        seen.append(gc.isenabled())  # the caller's code runs with the collector on
    assert seen and all(seen) and gc.isenabled()
    gc.disable()
    try:
        suggest(CODEBOOK, segments)
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()
    # a batch that fails while the collector is paused (spaCy refuses a text that is
    # not a string) leaves it on again
    with pytest.raises(ValueError):
        suggest(CODEBOOK, [("t1", 2, None)])  # type: ignore[list-item]
    assert gc.isenabled()
