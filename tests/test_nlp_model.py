"""Training the classifier: refusals, levels, negatives, saving, determinism."""

from __future__ import annotations

import numpy
import pytest
from test_nlp_data import CODEBOOK, coded_segments

from qcode.models import Code, Codebook
from qcode.nlp import (
    ModelMismatchError,
    NlpError,
    TooFewExamplesError,
    TrainedModel,
    TrainingExample,
    calibration,
    suggest,
    train_model,
)


def examples(**kwargs: int) -> list[TrainingExample]:
    return [
        TrainingExample(text=text, positive=codes, group=transcript)
        for transcript, _, text, codes in coded_segments(**kwargs)
    ]


@pytest.fixture(scope="module")
def top_model() -> TrainedModel:
    return train_model(examples(), CODEBOOK, level="top", epochs=4, skip_rare=True)


def test_too_few_examples_are_refused_naming_the_codes() -> None:
    with pytest.raises(TooFewExamplesError) as caught:
        train_model(examples(), CODEBOOK, level="full", epochs=1, calibrate=False)
    error = caught.value
    assert error.counts == {"trust.colocation": 0}
    assert "trust.colocation (0)" in str(error) and "at least 3" in str(error)
    few = [e for e in examples() if "capacity" not in e.positive]
    few += [e for e in examples() if "capacity" in e.positive][:2]
    with pytest.raises(TooFewExamplesError, match=r"capacity \(2\)"):
        train_model(few, CODEBOOK, level="top", epochs=1, calibrate=False, seeds=False)
    # the codebook's own seed (capacity's keywords) makes up the third example
    model = train_model(few, CODEBOOK, level="top", epochs=1, calibrate=False)
    assert "capacity" in model.labels and model.info.positives["capacity"] == 2


def test_rare_codes_can_be_skipped() -> None:
    model = train_model(
        examples(), CODEBOOK, level="full", epochs=2, skip_rare=True, calibrate=False
    )
    assert model.info.skipped == ("trust.colocation",)
    assert "trust.colocation" not in model.labels
    assert set(model.labels) == {"trust", "trust.sharing", "capacity", "dialogue"}


def test_no_examples_and_unknown_codes_are_refused() -> None:
    with pytest.raises(NlpError, match="no coded segments"):
        train_model([], CODEBOOK, seeds=False)
    bad = [TrainingExample("Tekst.", frozenset({"nope"}))]
    with pytest.raises(NlpError, match="nope"):
        train_model(bad, CODEBOOK)
    with pytest.raises(NlpError, match="Unknown level"):
        train_model(examples(), CODEBOOK, level="middle")


def test_levels_roll_sub_codes_up() -> None:
    from qcode.nlp.training import _truth

    example = TrainingExample("x", frozenset({"trust.sharing"}))
    assert _truth(example, "top", ["trust", "capacity"]) == {"trust": 1.0, "capacity": 0.0}
    full = _truth(example, "full", ["trust", "trust.sharing", "trust.colocation"])
    assert full == {"trust": 1.0, "trust.sharing": 1.0, "trust.colocation": 0.0}


def test_rejected_suggestions_are_explicit_negatives_and_nothing_else() -> None:
    from qcode.nlp.training import _truth

    rejected = TrainingExample("x", negative=frozenset({"trust"}), exhaustive=False)
    labels = ["trust", "trust.sharing", "capacity"]
    # rejecting trust rules out its sub-codes; capacity stays unknown (left out of the loss)
    assert _truth(rejected, "full", labels) == {"trust": 0.0, "trust.sharing": 0.0}
    sub = TrainingExample("x", negative=frozenset({"trust.sharing"}), exhaustive=False)
    assert _truth(sub, "top", ["trust", "capacity"]) == {}


def test_training_learns_and_is_deterministic(top_model: TrainedModel) -> None:
    texts = ["De werkdruk is enorm en er is geen capaciteit.", "Nou ja, zo gaat dat."]
    [busy, idle] = top_model.predict(texts, CODEBOOK)
    assert busy["capacity"] > idle["capacity"]
    again = train_model(examples(), CODEBOOK, level="top", epochs=4, skip_rare=True)
    assert again.predict(texts, CODEBOOK) == top_model.predict(texts, CODEBOOK)
    assert again.combiner == top_model.combiner


def test_model_round_trips_through_bytes(top_model: TrainedModel) -> None:
    loaded = TrainedModel.from_bytes(top_model.to_bytes())
    assert loaded.info == top_model.info
    assert loaded.combiner == top_model.combiner
    assert loaded.reliability == top_model.reliability
    texts = [text for _, _, text, _ in coded_segments(transcripts=1)]
    assert loaded.predict(texts, CODEBOOK) == top_model.predict(texts, CODEBOOK)
    info = loaded.info
    assert info.codebook_version == CODEBOOK.version and info.level == "top"
    assert info.examples == 48 and info.labels == ("trust", "capacity", "dialogue")
    capacity = sum(1 for *_, codes in coded_segments() if "capacity" in codes)
    assert info.trained_at and info.positives["capacity"] == capacity


def test_unreadable_model_bytes_are_a_clear_error() -> None:
    with pytest.raises(NlpError, match="cannot be read"):
        TrainedModel.from_bytes(b"not a model")


def test_fast_prediction_equals_spacy_prediction(top_model: TrainedModel) -> None:
    from spacy.tokens import Doc

    from qcode.nlp.features import EMPTY, model_words
    from qcode.nlp.model import textcat
    from qcode.nlp.pipeline import get_pipeline

    texts = [text for _, _, text, _ in coded_segments(transcripts=2)] + ["", "..."]
    words = [model_words(doc) for doc in get_pipeline().pipe(texts)]
    nlp = top_model._nlp
    docs = [Doc(nlp.vocab, words=w or [EMPTY]) for w in words]
    expected = numpy.asarray(textcat(nlp).model.predict(docs))
    assert numpy.allclose(top_model.predict_words(words), expected, atol=1e-6)


def test_suggest_refuses_a_model_of_another_codebook(top_model: TrainedModel) -> None:
    changed = Codebook(name="mini", codes=(*CODEBOOK.codes, Code(id="new", label="Nieuw")))
    with pytest.raises(ModelMismatchError, match="train the model again"):
        suggest(changed, [("t1", 2, "Tekst.")], model=top_model)


def test_suggest_with_a_model_combines_rules_and_model(top_model: TrainedModel) -> None:
    text = "De werkdruk is hoog, de capaciteit is op."
    found = suggest(CODEBOOK, [("t9", 2, text)], model=top_model, min_score=0.0)
    capacity = next(s for s in found if s.code == "capacity")
    assert capacity.method == "rules+model"
    assert capacity.evidence == ("werkdruk", "capaciteit", text)
    assert 0.0 <= capacity.score <= 1.0
    only = suggest(CODEBOOK, [("t9", 2, text)], model=top_model, rules=False, min_score=0.0)
    assert {s.method for s in only} == {"model"}
    model_only = next(s for s in only if s.code == "capacity")
    assert model_only.evidence and all(word in text for word in model_only.evidence)


def test_segments_without_any_code_are_refused() -> None:
    uncoded = [TrainingExample("Ja.", group="t1"), TrainingExample("Nee.", group="t2")]
    with pytest.raises(NlpError, match="has a confirmed code"):
        train_model(uncoded, CODEBOOK, seeds=False)


def test_the_codebook_writes_seed_examples() -> None:
    from qcode.nlp.seeds import seed_examples, seed_weight

    book = Codebook(
        name="seeds",
        codes=(
            Code(id="trust", label="Vertrouwen", description="Hoe partners elkaar vertrouwen.",
                 include="Openheid en informatie delen.",
                 exclude="Regels over privacy (gebruik frameworks).",
                 examples=("Je moet elkaar kunnen vertrouwen.",), keywords=("vertrouwen",)),
            Code(id="trust.high", label="Veel vertrouwen", parent="trust"),
            Code(id="frameworks", label="Knellende kaders"),
        ),
    )
    found = {(e.text, e.positive, e.negative) for e in seed_examples(book)}
    lineage_free = frozenset({"frameworks"})
    assert ("Vertrouwen. Hoe partners elkaar vertrouwen", frozenset({"trust"}),
            lineage_free) in found
    assert ("Je moet elkaar kunnen vertrouwen.", frozenset({"trust"}), lineage_free) in found
    assert ("vertrouwen", frozenset({"trust"}), lineage_free) in found
    # the exclude text rules the code out, without its pointer to another code
    assert ("Regels over privacy .", frozenset(), frozenset({"trust"})) in found
    # a sub-code's seed rules out the other branches, not its parent
    assert ("Veel vertrouwen", frozenset({"trust.high"}), lineage_free) in found
    assert seed_weight(0) > seed_weight(50) > seed_weight(500) > 0


def test_a_model_from_the_codebook_alone_knows_its_codes() -> None:
    book = Codebook(
        name="cold",
        codes=(
            Code(id="capacity", label="Capaciteit",
                 description="Druk op de capaciteit van de politie: werkdruk, roosters, tijd.",
                 examples=("De werkdruk is enorm, we hebben geen tijd.",
                           "Het rooster zit vol, er is te weinig capaciteit.")),
            Code(id="dialogue", label="Dialoog",
                 description="Hoe politie en partners contact hebben: bellen, overleggen.",
                 examples=("Ik bel de wijkagent gewoon even op.",
                           "We overleggen elke week met de partners.")),
        ),
    )
    model = train_model([], book, level="top", epochs=20)
    assert model.info.examples == 0 and model.info.seeds == 6
    assert model.combiner.fitted_on == 0 and not model.thresholds
    [busy, call] = model.predict(["Met die roosters is de werkdruk hoog.",
                                  "Dan bel ik even met de wijkagent."], book)
    assert busy["capacity"] > busy["dialogue"] and call["dialogue"] > call["capacity"]


def test_thresholds_and_base_rates_travel_with_the_model(top_model: TrainedModel) -> None:
    assert set(top_model.thresholds) == {"trust", "capacity", "dialogue"}
    assert all(0.2 <= t <= 0.8 for t in top_model.thresholds.values())
    loaded = TrainedModel.from_bytes(top_model.to_bytes())
    assert loaded.thresholds == top_model.thresholds
    assert loaded.base_rates == top_model.base_rates
    assert loaded.threshold("nope") == 0.5


def test_a_model_of_the_old_format_must_be_trained_again(top_model: TrainedModel) -> None:
    import srsly

    content = srsly.msgpack_loads(top_model.to_bytes())
    content["format"] = 1
    with pytest.raises(NlpError, match="train the model again"):
        TrainedModel.from_bytes(srsly.msgpack_dumps(content))


def test_fast_token_prediction_equals_the_bag_of_words(top_model: TrainedModel) -> None:
    from qcode.nlp.features import docs_bag
    from qcode.nlp.pipeline import get_pipeline
    from qcode.nlp.rules import RuleMatcher
    from qcode.nlp.suggestions import _tokens

    texts = [text for _, _, text, _ in coded_segments(transcripts=2)] + ["", "...", "Ja."]
    docs = list(get_pipeline().pipe(texts))
    scan = RuleMatcher(CODEBOOK).scan(docs)
    by_bag = top_model.predict_bag(docs_bag(docs, scan))
    by_tokens = top_model.predict_tokens(*_tokens(docs, scan))
    assert numpy.allclose(by_bag, by_tokens, atol=1e-5)


def test_a_saved_model_keeps_its_combiner_length_range(top_model: TrainedModel) -> None:
    loaded = TrainedModel.from_bytes(top_model.to_bytes())
    assert loaded.combiner.length_range == top_model.combiner.length_range
    assert loaded.combiner.length_range != calibration.LENGTH_RANGE


def test_the_number_of_epochs_whose_out_of_fold_scores_are_best_is_chosen() -> None:
    from qcode.nlp.training import choose_epochs

    rng = numpy.random.default_rng(2)
    truth = (rng.random((300, 2)) < 0.3).astype(float)
    known = numpy.ones_like(truth, dtype=bool)
    tokens = numpy.full((300, 2), 70)
    rules = numpy.zeros_like(truth)
    sharp = numpy.where(truth > 0, 0.8, 0.1) + rng.uniform(-0.05, 0.05, truth.shape)
    blurred = numpy.clip(0.3 + rng.normal(0, 0.2, truth.shape), 0.01, 0.99)
    # the model after 3 epochs separates the codes; after 2 it had not yet, after 8
    # it learnt noise
    predicted = {2: blurred, 3: sharp, 8: numpy.clip(blurred[::-1], 0.01, 0.99)}
    epochs, combiner, scores = choose_epochs(predicted, rules, truth, known, tokens,
                                             ["a", "b"])
    assert epochs == 3
    assert combiner.weights[1] > 1.0
    assert (scores[truth > 0] > 0.5).all() and (scores[truth == 0] < 0.5).all()
    # identical predictions: the fewest epochs
    assert choose_epochs({4: sharp, 2: sharp}, rules, truth, known, tokens, ["a", "b"])[0] == 2


def test_a_code_learnt_from_one_clear_word_gets_the_most_epochs() -> None:
    book = Codebook(name="t", codes=(Code(id="alfa", label="Alfa"), Code(id="beta", label="Beta")))
    rng = numpy.random.default_rng(3)
    found = []
    for transcript in range(6):
        for turn in range(30):
            code = "alfa" if turn % 2 else "beta"
            filler = " ".join(f"woord{n}" for n in rng.integers(0, 400, 8))
            found.append(TrainingExample(f"{code}woord {filler}", frozenset({code}),
                                         group=f"t{transcript}"))
    model = train_model(found, book, seeds=False)
    # more passes only sharpen a clean signal
    from qcode.nlp.training import EPOCHS

    assert model.info.epochs == EPOCHS
    assert train_model(found, book, seeds=False, epochs=3).info.epochs == 3


def question_and_answer_examples() -> list[TrainingExample]:
    """Turns whose own words say nothing of their code; the question before them names it."""
    rng = numpy.random.default_rng(4)
    found = []
    for transcript in range(6):
        for turn in range(24):
            code = ("trust", "capacity", "dialogue")[turn % 3]
            question = {"trust": "Hoe is het vertrouwen?", "capacity": "En de capaciteit?",
                        "dialogue": "Hoe gaat het contact?"}[code]
            answer = " ".join(f"woord{n}" for n in rng.integers(0, 300, 12))
            found.append(TrainingExample(answer, frozenset({code}), group=f"t{transcript}",
                                         context=question))
    return found


def test_the_question_a_turn_answers_is_read_as_context() -> None:
    model = train_model(question_and_answer_examples(), CODEBOOK, level="top", seeds=False)
    assert model.combiner.question_weights[0] > 1.0
    assert model.asked_thresholds
    answer = "Dat gaat eigenlijk wel goed, zou ik zeggen."
    segments = [("t9", 2, answer)]
    without = {s.code: s.score for s in suggest(CODEBOOK, segments, model=model, min_score=0.0)}
    asked = {("t9", 2): "Hoe is het vertrouwen tussen de partners?"}
    found = suggest(CODEBOOK, segments, model=model, min_score=0.0, questions=asked)
    scored = {s.code: s.score for s in found}
    assert scored["trust"] > without["trust"] + 0.2
    assert scored["capacity"] == pytest.approx(without["capacity"], abs=1e-6)
    # the question is context, never evidence of the answer
    assert all(asked[("t9", 2)] not in s.evidence for s in found)
    # suggested at the thresholds for turns with their question, not without
    landed = {s.code for s in suggest(CODEBOOK, segments, model=model, questions=asked)}
    assert "trust" in landed
    assert "trust" not in {s.code for s in suggest(CODEBOOK, segments, model=model)}
    loaded = TrainedModel.from_bytes(model.to_bytes())
    assert loaded.combiner.question_weights == model.combiner.question_weights
    assert loaded.asked_thresholds == model.asked_thresholds


def test_a_model_trained_without_questions_ignores_them(top_model: TrainedModel) -> None:
    assert top_model.combiner.question_weights == (0.0, 0.0)
    segments = [("t9", 2, "De werkdruk is hoog.")]
    asked = {("t9", 2): "Hoe is het vertrouwen?"}
    assert suggest(CODEBOOK, segments, model=top_model, min_score=0.0, questions=asked) == \
        suggest(CODEBOOK, segments, model=top_model, min_score=0.0)
