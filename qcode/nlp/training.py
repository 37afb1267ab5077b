"""Training the code classifier from coded segments.

Labels are the codes at a level (see :mod:`qcode.nlp.levels`): ``"top"`` or ``"full"``;
the store can train both and keep both. A :class:`TrainingExample` lists the codes a
segment has (positive) and the codes a coder ruled out by rejecting a suggestion
(negative: an explicit 0 for that code). An *exhaustive* example is a segment of a coded
transcript: every code it does not have counts as a negative. A non-exhaustive one (a
rejected suggestion in a transcript nobody has coded yet) teaches only its negatives;
the codes it says nothing about are left out of the loss.

Training is deterministic (fixed seed, fixed order of examples per epoch). After the
model itself, the same recipe is trained on parts of the data to predict the rest
(folds by transcript), and the out-of-fold predictions fit the model's
:class:`~qcode.nlp.calibration.Combiner` of model and rule evidence.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qcode.models import Codebook
from qcode.nlp import calibration, levels
from qcode.nlp.context import question_columns
from qcode.nlp.errors import NlpError, NothingToTrainError, TooFewExamplesError
from qcode.nlp.examples import TrainingExample
from qcode.nlp.features import Bags
from qcode.nlp.model import ModelInfo, TrainedModel, _layers, blank_classifier
from qcode.nlp.reading import read

if TYPE_CHECKING:
    from spacy.language import Language

MIN_EXAMPLES = 3
"""Fewest positive examples a code needs before a model may learn it."""

EPOCHS = 16
"""Most passes over the data for up to :data:`FULL_EPOCHS_UP_TO` examples; larger sets get
proportionally fewer (at least 4), which keeps 5,000 segments within a minute. How many
of them a model gets is chosen on the calibration folds (:data:`EPOCH_CANDIDATES`)."""
FULL_EPOCHS_UP_TO = 1500
LEARN_RATE = 0.005
"""Small steps, so that the numbers of epochs tried are a fine grid of how far the model
fits its data: at 0.02 even two passes fitted the sample's coding too closely."""
L2 = 0.0
BATCH_SIZE = 32
UPDATES_PER_EPOCH = 100
CALIBRATION_FOLDS = 5
"""Folds for fitting the combiner; 3 above :data:`FULL_EPOCHS_UP_TO` examples."""
ONE_SPLIT_FROM = 5000
"""From this many examples on, the combiner and thresholds are fitted on one held-out
third only (one extra training instead of three): a third of such a project is ample
for four weights and a threshold per code."""
MIN_CALIBRATION_EXAMPLES = 10
"""Below this many examples the combiner is not fitted; the default one is used."""


@dataclass
class _Prepared:
    """What training reads: the bags, and per example and label (columns in the order
    of the labels trained) the truth (0 or 1) and its weight (0 where unknown)."""

    bags: Bags
    truth: Any
    mask: Any
    groups: list[str]
    tokens: Any
    """The length of each example in tokens."""
    question: Any = None
    """Per example and label, whether the question before it has keywords of the
    label; None when no example has a question."""

    def __len__(self) -> int:
        return len(self.groups)


def train_model(
    examples: Sequence[TrainingExample],
    codebook: Codebook,
    *,
    level: str = "top",
    min_examples: int = MIN_EXAMPLES,
    skip_rare: bool = False,
    epochs: int | None = None,
    seed: int = 0,
    calibrate: bool = True,
    seeds: bool = True,
    unlabeled: Sequence[str] = (),
) -> TrainedModel:
    """Train a classifier for the codes at ``level`` from coded segments.

    Refuses with :class:`~qcode.nlp.errors.TooFewExamplesError`, naming the codes, when
    a code has fewer than ``min_examples`` positive examples; with ``skip_rare=True`` it
    leaves those codes out instead (they are listed in ``model.info.skipped``). With
    ``calibrate`` (the default) it also fits the model's rule-and-model
    :class:`~qcode.nlp.calibration.Combiner` by cross-validation inside ``examples``.
    """
    import numpy
    import spacy

    from qcode.nlp.seeds import seed_examples, seed_weight

    started = time.perf_counter()
    levels.check_level(level)
    real = list(examples)
    if not real and not seeds:
        raise NlpError("There are no coded segments to train on: code some segments first.")
    unknown = levels.unknown_codes(
        (c for e in real for c in (*e.positive, *e.negative)), codebook
    )
    if unknown:
        raise NlpError(
            "The training examples use codes the codebook does not have: " + ", ".join(unknown)
        )
    if not seeds and not any(example.positive for example in real):
        raise NlpError(
            "None of the segments to train on has a confirmed code: code some segments first."
        )
    extra = seed_examples(codebook, weight=seed_weight(len(real))) if seeds else []
    everything = real + extra
    all_labels = levels.labels(codebook, level)
    # arrays, not a dict per example: 37,000 segments x 58 codes as dicts take 100 MB
    truth, known = _truth_arrays(everything, level, all_labels)
    coded = (truth[: len(real)] > 0).sum(axis=0).tolist()
    from_seeds = (truth[len(real) :] > 0).sum(axis=0).tolist()
    positives = dict(zip(all_labels, coded, strict=True))
    seeded = dict(zip(all_labels, from_seeds, strict=True))
    rare = {
        label: n for label, n in positives.items() if n + seeded[label] < min_examples
    }
    if rare and not skip_rare:
        raise TooFewExamplesError(rare, min_examples, level)
    labels = [label for label in all_labels if label not in rare]
    if not labels:
        raise NothingToTrainError(level, min_examples)
    chosen_epochs = epochs is not None
    if epochs is None:
        epochs = default_epochs(len(everything))
    bags, evidence, tokens = read([e.text for e in everything], codebook)
    kept = [all_labels.index(label) for label in labels]
    weights = numpy.asarray([e.weight for e in everything], dtype="float32")
    prepared = _Prepared(
        bags=bags,
        truth=truth[:, kept],
        mask=known[:, kept] * weights[:, None],
        groups=[e.group for e in everything],
        tokens=tokens,
        question=question_columns(everything, codebook, labels),
    )
    del truth, known
    combiner = calibration.DEFAULT_COMBINER
    thresholds: dict[str, float] = {}
    asked_thresholds: dict[str, float] = {}
    if calibrate and len(real) >= MIN_CALIBRATION_EXAMPLES:
        candidates = [epochs] if chosen_epochs else epoch_candidates(epochs)
        combiner, thresholds, asked_thresholds, epochs = _calibrate(
            prepared, evidence, labels, len(real), candidates=candidates, seed=seed
        )
    nlp = _fit(prepared, range(len(everything)), labels, epochs=epochs, seed=seed)
    # rule reliabilities are learnt from the coders' decisions only: a seed made of a
    # code's keywords would make every keyword look right
    reliability = _reliability(evidence, prepared, labels, range(len(real)))
    info = ModelInfo(
        codebook_version=codebook.version,
        codebook_name=codebook.name,
        level=level,
        labels=tuple(labels),
        examples=len(real),
        positives={label: positives[label] for label in all_labels},
        seeds=len(extra),
        skipped=tuple(sorted(rare)),
        trained_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        seed=seed,
        epochs=epochs,
        seconds=round(time.perf_counter() - started, 2),
        spacy_version=spacy.__version__,
    )
    truth, mask = prepared.truth, prepared.mask
    weight = mask.sum(axis=0)
    rates = (truth * mask).sum(axis=0) / numpy.maximum(weight, 1e-9)
    if combiner.fitted_on == 0 and unlabeled:
        rates = _typical(nlp, labels, unlabeled, codebook)
    return TrainedModel(
        nlp,
        info,
        combiner,
        reliability,
        thresholds=thresholds,
        asked_thresholds=asked_thresholds,
        base_rates={label: round(float(r), 6) for label, r in zip(labels, rates, strict=True)},
    )


MAX_UNLABELED = 2000


def _typical(nlp: Language, labels: list[str], texts: Sequence[str], codebook: Codebook) -> Any:
    """The probability (from the mean log odds) the model gives each code on the
    project's own, uncoded text: the base line an uncalibrated model's evidence is
    measured against (a model trained on short codebook texts reads every long interview
    turn as unlike any code)."""
    import numpy

    step = max(1, len(texts) // MAX_UNLABELED)
    bags, _, _ = read(list(texts[::step]), codebook)
    model = TrainedModel(nlp, _scratch_info(labels), calibration.DEFAULT_COMBINER,
)
    p = numpy.clip(model.predict_bag(bags.take(numpy.arange(len(bags)))), 1e-4, 1 - 1e-4)
    return 1.0 / (1.0 + numpy.exp(-numpy.log(p / (1 - p)).mean(axis=0)))


EPOCH_CANDIDATES: tuple[int, ...] = (2, 3, 4, 6, 8, 12, 16)
"""Numbers of passes the calibration folds try; the one whose out-of-fold scores have
the lowest log loss trains the model (see :func:`_calibrate`)."""


def epoch_candidates(most: int) -> list[int]:
    """The numbers of epochs to try, up to ``most``."""
    return sorted({e for e in EPOCH_CANDIDATES if e < most} | {most})


def default_epochs(examples: int) -> int:
    if examples <= FULL_EPOCHS_UP_TO:
        return EPOCHS
    return max(4, round(EPOCHS * FULL_EPOCHS_UP_TO / examples))


def _truth(example: TrainingExample, level: str, labels: list[str]) -> dict[str, float]:
    positive = levels.at_level(example.positive, level)
    negative = levels.negatives_at_level(example.negative, level, labels)
    truth: dict[str, float] = {}
    for label in labels:
        if label in positive:
            truth[label] = 1.0
        elif example.exhaustive or label in negative:
            truth[label] = 0.0
    return truth


def _fit(
    prepared: _Prepared,
    indexes: Iterable[int],
    labels: list[str],
    *,
    epochs: int,
    seed: int,
    checkpoint: Callable[[int, Language], None] | None = None,
) -> Language:
    """Train a classifier on the examples at ``indexes``.

    The bag-of-words model's linear layer is updated directly with the gradient of the
    log loss (codes an example says nothing about are left out of it, and each example
    counts with its weight), fed the bags :func:`~qcode.nlp.reading.read` computed once; no spaCy
    documents or examples are built per update. ``checkpoint`` is called with the
    number of epochs done and the model after every epoch.
    """
    import numpy
    from thinc.api import Adam

    truth, mask = prepared.truth, prepared.mask
    informative = mask.any(axis=1)
    train = [i for i in indexes if informative[i]]
    if not train:
        raise NlpError("None of the training examples says anything about the codes to learn.")
    nlp = blank_classifier(labels)
    _initialise(nlp, labels)
    linear, _ = _layers(nlp)
    optimizer = Adam(learn_rate=LEARN_RATE, L2=L2, use_averages=False)
    rng = random.Random(seed)
    size = batch_size(len(train))
    for done in range(1, epochs + 1):
        rng.shuffle(train)
        for start in range(0, len(train), size):
            batch = train[start : start + size]
            logits, backprop = linear.begin_update(prepared.bags.take(batch))
            probability = 1.0 / (1.0 + numpy.exp(-numpy.clip(logits, -30, 30)))
            backprop(((probability - truth[batch]) * mask[batch]).astype("float32"))
            linear.finish_update(optimizer)
        if checkpoint is not None:
            checkpoint(done, nlp)
    return nlp


def batch_size(examples: int) -> int:
    """Examples per update: :data:`BATCH_SIZE`, more for large sets so that an epoch
    takes at most about :data:`UPDATES_PER_EPOCH` updates (each update touches every
    weight of the model)."""
    return max(BATCH_SIZE, -(-examples // UPDATES_PER_EPOCH))


def _truth_arrays(
    examples: Sequence[TrainingExample], level: str, labels: list[str]
) -> tuple[Any, Any]:
    """Truth (1 or 0) and whether it is known, per example and label."""
    import numpy

    column = {label: j for j, label in enumerate(labels)}
    truth = numpy.zeros((len(examples), len(labels)), dtype="float32")
    known = numpy.zeros_like(truth)
    for row, example in enumerate(examples):
        for label, value in _truth(example, level, labels).items():
            truth[row, column[label]] = value
            known[row, column[label]] = 1.0
    return truth, known


def _initialise(nlp: Language, labels: list[str]) -> None:
    from spacy.tokens import Doc
    from spacy.training import Example

    from qcode.nlp.features import EMPTY

    doc = Doc(nlp.vocab, words=[EMPTY])
    sample = Example.from_dict(doc, {"cats": {label: 0.0 for label in labels}})
    nlp.initialize(lambda: [sample])


def _calibration_folds(groups: list[str], seed: int) -> list[list[int]]:
    """Held-out index sets for fitting the combiner: by transcript when there are enough
    transcripts, else by shuffled position."""
    from qcode.nlp.crossval import folds

    k = CALIBRATION_FOLDS if len(groups) <= FULL_EPOCHS_UP_TO else 3
    keep = 1 if len(groups) >= ONE_SPLIT_FROM else k
    distinct = sorted(set(groups))
    if len(distinct) >= 2 and all(distinct):
        return [
            [i for i, g in enumerate(groups) if g in fold.test]
            for fold in folds(groups, k=k, seed=seed)
        ][:keep]
    order = list(range(len(groups)))
    random.Random(seed).shuffle(order)
    return [sorted(order[n::k]) for n in range(k)][:keep]


def _reliability(
    evidence: tuple[Any, list[str], list[str]],
    prepared: _Prepared,
    labels: list[str],
    rows: Sequence[int],
) -> calibration.RuleReliability:
    """Rule reliabilities learnt from the documents at ``rows``."""
    import numpy

    triples, names, codes = evidence
    truth, mask = prepared.truth, prepared.mask
    label_of = numpy.full(len(codes), -1, dtype="int64")
    for j, label in enumerate(labels):
        label_of[codes.index(label)] = j
    allowed = numpy.zeros(len(prepared), dtype=bool)
    allowed[numpy.asarray(list(rows), dtype="int64")] = True
    row, label = triples[:, 0], label_of[triples[:, 1]]
    usable = allowed[row] & (label >= 0)
    outcomes = numpy.full(len(triples), -1.0)
    at = (row[usable], label[usable])
    outcomes[usable] = numpy.where(mask[at] > 0, truth[at], -1.0)
    return calibration.fit_reliability(triples, outcomes, names, codes)


def _calibrate(
    prepared: _Prepared,
    evidence: tuple[Any, list[str], list[str]],
    labels: list[str],
    real: int,
    *,
    candidates: Sequence[int],
    seed: int,
) -> tuple[calibration.Combiner, dict[str, float], dict[str, float], int]:
    """Choose the number of epochs, fit the combiner on out-of-fold model and rule
    probabilities, then choose each code's threshold on the combined out-of-fold scores.

    Each fold's model is trained once for the most ``candidates`` epochs and predicts
    its held-out segments after each candidate number; the candidate whose combined
    out-of-fold scores have the lowest log loss is chosen (too many passes over a small
    project's coding learn its accidents). This is a choice made inside the training
    data, so ``evaluate`` measures it on transcripts it never saw."""
    import numpy

    triples, names, codes = evidence
    columns = [codes.index(label) for label in labels]
    truth, mask = prepared.truth, prepared.mask
    found: dict[str, list[Any]] = {"r": [], "y": [], "known": [], "tokens": [], "q": []}
    predicted: dict[int, list[Any]] = {epochs: [] for epochs in candidates}
    for held_out in _calibration_folds(prepared.groups[:real], seed):
        held = set(held_out)
        training = [i for i in range(len(prepared)) if i not in held]
        if not held_out or not training:
            continue
        held_bag = prepared.bags.take(held_out)
        at: dict[int, Any] = {}

        def keep(done: int, nlp: Language, bag: Any = held_bag, at: dict[int, Any] = at) -> None:
            if done in predicted:
                model = TrainedModel(nlp, _scratch_info(labels), calibration.DEFAULT_COMBINER)
                at[done] = model.predict_bag(bag)

        try:
            _fit(prepared, training, labels, epochs=max(candidates), seed=seed, checkpoint=keep)
        except NlpError:
            continue
        for epochs in candidates:
            predicted[epochs].append(at[epochs])
        reliability = _reliability(evidence, prepared, labels, [i for i in training if i < real])
        local = triples[numpy_isin(triples[:, 0], held_out)].copy()
        position = numpy.full(len(prepared), -1, dtype="int64")
        position[held_out] = numpy.arange(len(held_out))
        local[:, 0] = position[local[:, 0]]
        found["r"].append(
            reliability.probabilities(local, names, codes, len(held_out))[:, columns]
        )
        found["y"].append(truth[held_out])
        found["tokens"].append(
            numpy.broadcast_to(prepared.tokens[held_out][:, None], (len(held_out), len(labels)))
        )
        found["known"].append(mask[held_out] > 0)
        if prepared.question is not None:
            found["q"].append(prepared.question[held_out])
    if not found["y"]:
        return calibration.DEFAULT_COMBINER, {}, {}, max(candidates)
    r, y, known, tokens = (numpy.concatenate(found[k]) for k in ("r", "y", "known", "tokens"))
    epochs, combiner, scores = choose_epochs(
        {epochs: numpy.concatenate(p) for epochs, p in predicted.items()},
        r, y, known, tokens, labels,
    )
    thresholds = _thresholds(scores, y, known, labels)
    asked_thresholds: dict[str, float] = {}
    if found["q"]:
        question = numpy.concatenate(found["q"])
        weights = calibration.fit_question_weights(scores[known], question[known], r[known] > 0,
                                                   y[known])
        combiner = dataclasses.replace(combiner, question_weights=weights)
        asked = combiner.scores(numpy.concatenate(predicted[epochs]), r, tokens, labels,
                                question)
        asked_thresholds = _thresholds(asked, y, known, labels)
    return combiner, thresholds, asked_thresholds, epochs


def _thresholds(scores: Any, truth: Any, known: Any, labels: list[str]) -> dict[str, float]:
    return calibration.choose_thresholds(
        {label: (scores[known[:, j], j], truth[known[:, j], j]) for j, label in enumerate(labels)}
    )


def choose_epochs(
    predicted: dict[int, Any], rules: Any, truth: Any, known: Any, tokens: Any,
    labels: list[str],
) -> tuple[int, calibration.Combiner, Any]:
    """Of out-of-fold model probabilities after several numbers of epochs (documents x
    labels each), the number whose combined scores have the lowest log loss (the
    fewest on a tie), with the combiner fitted for it and its scores."""
    import numpy

    columns_of = numpy.broadcast_to(numpy.arange(len(labels)), truth.shape)
    best: tuple[float, int, calibration.Combiner, Any] | None = None
    for epochs in sorted(predicted):
        p = predicted[epochs]
        combiner = calibration.fit_combiner(p[known], rules[known], truth[known], tokens[known],
                                            codes=columns_of[known], labels=labels)
        scores = combiner.scores(p, rules, tokens, labels)
        loss = log_loss(scores[known], truth[known])
        if best is None or loss < best[0] - 1e-9:
            best = (loss, epochs, combiner, scores)
    if best is None:
        raise NlpError("No number of epochs to choose from.")
    return best[1], best[2], best[3]


def log_loss(scores: Any, truths: Any) -> float:
    """The mean log loss of probabilities ``scores`` against 0/1 ``truths``."""
    import numpy

    p = numpy.clip(scores, 1e-6, 1 - 1e-6)
    return float(-numpy.mean(truths * numpy.log(p) + (1 - truths) * numpy.log(1 - p)))


def numpy_isin(values: Any, members: Sequence[int]) -> Any:
    import numpy

    return numpy.isin(values, numpy.asarray(members, dtype="int64"))


def _scratch_info(labels: list[str]) -> ModelInfo:
    return ModelInfo(
        codebook_version="",
        codebook_name="",
        level="",
        labels=tuple(labels),
        examples=0,
        positives={},
        skipped=(),
        trained_at="",
        seed=0,
        epochs=0,
        seconds=0.0,
        spacy_version="",
    )
