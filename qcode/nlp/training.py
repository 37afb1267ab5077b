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

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qcode.models import Codebook
from qcode.nlp import calibration, levels
from qcode.nlp.errors import NlpError, NothingToTrainError, TooFewExamplesError
from qcode.nlp.model import ModelInfo, TrainedModel, blank_classifier, textcat

if TYPE_CHECKING:
    from spacy.language import Language

MIN_EXAMPLES = 3
"""Fewest positive examples a code needs before a model may learn it."""

EPOCHS = 12
"""Passes over the data for up to :data:`FULL_EPOCHS_UP_TO` examples; larger sets get
proportionally fewer (at least 4), which keeps 5,000 segments within a minute."""
FULL_EPOCHS_UP_TO = 1500
LEARN_RATE = 0.02
BATCH_SIZE = 32
CALIBRATION_FOLDS = 5
"""Folds for fitting the combiner; 3 above :data:`FULL_EPOCHS_UP_TO` examples."""
MIN_CALIBRATION_EXAMPLES = 30
"""Below this many examples the combiner is not fitted; the default one is used."""


@dataclass(frozen=True)
class TrainingExample:
    """One segment to learn from."""

    text: str
    positive: frozenset[str] = frozenset()
    negative: frozenset[str] = frozenset()
    exhaustive: bool = True
    group: str = ""
    """The transcript the segment belongs to; keeps calibration folds apart by transcript."""


@dataclass
class _Prepared:
    words: list[list[str]]
    truths: list[dict[str, float]]
    groups: list[str]


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
) -> TrainedModel:
    """Train a classifier for the codes at ``level`` from coded segments.

    Refuses with :class:`~qcode.nlp.errors.TooFewExamplesError`, naming the codes, when
    a code has fewer than ``min_examples`` positive examples; with ``skip_rare=True`` it
    leaves those codes out instead (they are listed in ``model.info.skipped``). With
    ``calibrate`` (the default) it also fits the model's rule-and-model
    :class:`~qcode.nlp.calibration.Combiner` by cross-validation inside ``examples``.
    """
    import spacy

    started = time.perf_counter()
    levels.check_level(level)
    if not examples:
        raise NlpError("There are no coded segments to train on: code some segments first.")
    unknown = levels.unknown_codes(
        (c for e in examples for c in (*e.positive, *e.negative)), codebook
    )
    if unknown:
        raise NlpError(
            "The training examples use codes the codebook does not have: " + ", ".join(unknown)
        )
    if not any(example.positive for example in examples):
        raise NlpError(
            "None of the segments to train on has a confirmed code: code some segments first."
        )
    all_labels = levels.labels(codebook, level)
    truths = [_truth(example, level, all_labels) for example in examples]
    positives = {label: sum(1 for t in truths if t.get(label) == 1.0) for label in all_labels}
    rare = {label: n for label, n in positives.items() if n < min_examples}
    if rare and not skip_rare:
        raise TooFewExamplesError(rare, min_examples, level)
    labels = [label for label in all_labels if label not in rare]
    if not labels:
        raise NothingToTrainError(level, min_examples)
    if epochs is None:
        epochs = default_epochs(len(examples))
    words, evidence = _read([e.text for e in examples], codebook)
    prepared = _Prepared(
        words=words,
        truths=[{k: v for k, v in t.items() if k in labels} for t in truths],
        groups=[e.group for e in examples],
    )
    nlp = _fit(prepared, range(len(examples)), labels, epochs=epochs, seed=seed)
    reliability = _reliability(evidence, prepared.truths)
    combiner = calibration.DEFAULT_COMBINER
    if calibrate and len(examples) >= MIN_CALIBRATION_EXAMPLES:
        combiner = _calibrate(prepared, evidence, labels, epochs=epochs, seed=seed)
    info = ModelInfo(
        codebook_version=codebook.version,
        codebook_name=codebook.name,
        level=level,
        labels=tuple(labels),
        examples=len(examples),
        positives={label: positives[label] for label in all_labels},
        skipped=tuple(sorted(rare)),
        trained_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        seed=seed,
        epochs=epochs,
        seconds=round(time.perf_counter() - started, 2),
        spacy_version=spacy.__version__,
    )
    return TrainedModel(nlp, info, combiner, reliability)


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
    prepared: _Prepared, indexes: Iterable[int], labels: list[str], *, epochs: int, seed: int
) -> Language:
    from spacy.tokens import Doc
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import Adam

    from qcode.nlp.features import EMPTY

    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = blank_classifier(labels)
    vocab = nlp.vocab

    def example(i: int) -> Example:
        doc = Doc(vocab, words=prepared.words[i] or [EMPTY])
        return Example.from_dict(doc, {"cats": prepared.truths[i]})

    train = [i for i in indexes if prepared.truths[i]]
    if not train:
        raise NlpError("None of the training examples says anything about the codes to learn.")
    # Examples are built per batch, not all at once: a replication-size corpus (2.5
    # million words) as spaCy documents takes gigabytes. The labels are already added,
    # so initializing looks at a sample only: the first ten, as spaCy itself does.
    nlp.initialize(lambda: [example(i) for i in train[:10]])
    optimizer = Adam(learn_rate=LEARN_RATE)
    component = textcat(nlp)
    for _ in range(epochs):
        rng.shuffle(train)
        for batch in minibatch(train, size=BATCH_SIZE):
            component.update([example(i) for i in batch], sgd=optimizer)
    return nlp


def _calibration_folds(groups: list[str], seed: int) -> list[list[int]]:
    """Held-out index sets for fitting the combiner: by transcript when there are enough
    transcripts, else by shuffled position."""
    from qcode.nlp.crossval import folds

    k = CALIBRATION_FOLDS if len(groups) <= FULL_EPOCHS_UP_TO else 3
    distinct = sorted(set(groups))
    if len(distinct) >= 2 and all(distinct):
        return [
            [i for i, g in enumerate(groups) if g in fold.test]
            for fold in folds(groups, k=k, seed=seed)
        ]
    order = list(range(len(groups)))
    random.Random(seed).shuffle(order)
    return [sorted(order[n::k]) for n in range(k)]


def _read(
    texts: Sequence[str], codebook: Codebook
) -> tuple[list[list[str]], tuple[Any, list[str], list[str]]]:
    """The model words of every text, and the distinct (document, code column, term) rule
    evidence with the term names and the code of each column. Texts are read 256 at a
    time so that only one batch of spaCy documents is in memory at once."""
    import numpy

    from qcode.nlp.features import model_words
    from qcode.nlp.pipeline import get_pipeline
    from qcode.nlp.rules import RuleMatcher

    matcher = RuleMatcher(codebook)
    pipeline = get_pipeline()
    words: list[list[str]] = []
    parts = []
    for start in range(0, len(texts), 256):
        docs = list(pipeline.pipe(texts[start : start + 256], batch_size=256))
        words.extend(model_words(doc) for doc in docs)
        triples = matcher.scan(docs).triples
        triples[:, 0] += start
        parts.append(triples)
    names = [""] * len(matcher.table.terms)
    for name, index in matcher.table.terms.items():
        names[index] = name
    found = numpy.concatenate(parts) if parts else numpy.zeros((0, 3), dtype="int64")
    return words, (found, names, matcher.codes)


def _reliability(
    evidence: tuple[Any, list[str], list[str]],
    truths: list[dict[str, float]],
    rows: Sequence[int] | None = None,
) -> calibration.RuleReliability:
    triples, names, codes = evidence
    return calibration.fit_reliability(triples, names, codes, truths, rows)


def _calibrate(
    prepared: _Prepared,
    evidence: tuple[Any, list[str], list[str]],
    labels: list[str],
    *,
    epochs: int,
    seed: int,
) -> calibration.Combiner:
    triples, names, codes = evidence
    columns = [codes.index(label) for label in labels]
    found: dict[str, list[float]] = {"p": [], "r": [], "y": []}
    for held_out in _calibration_folds(prepared.groups, seed):
        held = set(held_out)
        training = [i for i in range(len(prepared.words)) if i not in held]
        if not held_out or not training:
            continue
        try:
            nlp = _fit(prepared, training, labels, epochs=epochs, seed=seed)
        except NlpError:
            continue
        fold_model = TrainedModel(nlp, _scratch_info(labels), calibration.DEFAULT_COMBINER)
        scores = fold_model.predict_words([prepared.words[i] for i in held_out]).tolist()
        reliability = _reliability(evidence, prepared.truths, training)
        mask = numpy_isin(triples[:, 0], held_out)
        local = triples[mask].copy()
        position = {row: n for n, row in enumerate(held_out)}
        local[:, 0] = [position[row] for row in local[:, 0].tolist()]
        rules = reliability.probabilities(local, names, codes, len(held_out))[:, columns]
        for n, (i, row) in enumerate(zip(held_out, scores, strict=True)):
            for j, (label, probability) in enumerate(zip(labels, row, strict=True)):
                truth = prepared.truths[i].get(label)
                if truth is None:
                    continue
                found["p"].append(float(probability))
                found["r"].append(float(rules[n, j]))
                found["y"].append(truth)
    return calibration.fit_combiner(found["p"], found["r"], [int(y) for y in found["y"]])


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
