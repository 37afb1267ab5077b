"""Honest suggestion accuracy: cross-validation by transcript.

The coded segments are split into folds by transcript, so no segment of a test transcript
is seen in training (segments of one interview share words and topics; splitting inside
a transcript would flatter the model). With fewer transcripts than folds, every
transcript is its own fold (leave one transcript out). For each fold a model is trained on
the other transcripts only, and four ways of suggesting are scored on the held-out one:

- ``baseline``: naive keyword search. A segment gets a code when one of the code's
  keywords, exactly as the codebook writes it, occurs in it as a whole word or phrase,
  ignoring case. No lemmas, no compounds, no patterns, no model: what a researcher gets
  from a word search with the codebook's lists.
- ``rules``: :func:`~qcode.nlp.suggestions.suggest` without a model (lemmas, compounds,
  phrases, patterns, calibrated rule score).
- ``codebook``: rules and a model trained on the codebook alone (its labels,
  descriptions, include text, examples and keywords; no coding at all): what a project
  gets before anyone has coded (the cold start). It is trained once, not per fold, as it
  never sees a coding.
- ``model``: the trained model's probability alone.
- ``combined``: :func:`~qcode.nlp.suggestions.suggest` with the model, the way
  ``qcode suggest`` runs after ``qcode train``.

Precision, recall and F1 are counted over (segment, code) pairs at the chosen level; a
suggested sub-code counts for its top-level code at level ``"top"``. Micro scores pool
all pairs; macro scores average the per-code F1 over the codes that occur in the coding.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from qcode.models import Codebook
from qcode.nlp import levels
from qcode.nlp.crossval import DEFAULT_FOLDS, Fold, folds
from qcode.nlp.errors import NlpError

METHODS: tuple[str, ...] = ("baseline", "rules", "codebook", "model", "combined")


@dataclass(frozen=True)
class CodedSegment:
    """A respondent segment of a coded transcript with its confirmed codes (and the
    codes a coder rejected as suggestions, used only as training negatives)."""

    transcript: str
    segment: int
    text: str
    codes: frozenset[str] = frozenset()
    rejected: frozenset[str] = frozenset()
    context: str = ""
    """The interviewer's question the segment answers, if known."""


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def predicted(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class MethodReport:
    method: str
    per_code: dict[str, Scores]
    micro: Scores
    macro_precision: float
    macro_recall: float
    macro_f1: float


@dataclass(frozen=True)
class ReliabilityBin:
    """Scores in ``[low, high)`` (the last bin includes 1): how many, their mean, and
    the share of them that the coder gave the code."""

    low: float
    high: float
    count: int
    mean_score: float
    share_correct: float


@dataclass(frozen=True)
class Reliability:
    """How far scores can be read as probabilities: a reliability table and the
    expected calibration error (the count-weighted mean gap between a bin's mean score
    and its share correct)."""

    bins: tuple[ReliabilityBin, ...]
    ece: float
    pairs: int
    distinct_scores: int
    ece_suggestible: float = 0.0
    """The error over the scores from :data:`SUGGESTIBLE` up only, where suggestions
    land: the many scores near 0 (rightly near 0) do not water it down."""


def reliability(scores: Sequence[float], truths: Sequence[int], *, bins: int = 10) -> Reliability:
    """The reliability table and expected calibration error of ``scores`` (each the
    claimed probability that the matching ``truths`` entry is 1), in ``bins`` equal-width
    bins of score."""
    if len(scores) != len(truths):
        raise NlpError("Each score needs a truth to be checked against.")
    if bins < 1:
        raise NlpError(f"A reliability table needs at least one bin, not {bins}.")
    table, ece = _binned(scores, truths, bins)
    high = [(score, truth) for score, truth in zip(scores, truths, strict=True)
            if score >= SUGGESTIBLE]
    return Reliability(
        bins=tuple(table),
        ece=ece,
        pairs=len(scores),
        distinct_scores=len({round(score, 4) for score in scores}),
        ece_suggestible=_binned([s for s, _ in high], [t for _, t in high], bins)[1],
    )


def _binned(
    scores: Sequence[float], truths: Sequence[int], bins: int
) -> tuple[list[ReliabilityBin], float]:
    counts = [0] * bins
    score_sums = [0.0] * bins
    right = [0] * bins
    for score, truth in zip(scores, truths, strict=True):
        index = min(int(score * bins), bins - 1) if score > 0 else 0
        counts[index] += 1
        score_sums[index] += score
        right[index] += int(truth)
    table = []
    ece = 0.0
    for index in range(bins):
        n = counts[index]
        mean = score_sums[index] / n if n else 0.0
        share = right[index] / n if n else 0.0
        table.append(ReliabilityBin(index / bins, (index + 1) / bins, n, mean, share))
        if n:
            ece += n / len(scores) * abs(mean - share)
    return table, ece


SUGGESTIBLE = 0.2
"""The lowest threshold a code can learn (:data:`qcode.nlp.calibration.THRESHOLDS`)."""


@dataclass(frozen=True)
class EvaluationReport:
    level: str
    min_score: float | None
    """The threshold asked for; None: each code's own (see :mod:`qcode.nlp.calibration`)."""
    transcripts: int
    segments: int
    folds: tuple[Fold, ...]
    methods: dict[str, MethodReport]
    notes: tuple[str, ...] = ()
    calibration: dict[str, Reliability] = field(default_factory=dict)
    """Per scoring method (rules, codebook, model, combined): the reliability of its
    out-of-fold scores over every (segment, code) pair (the standard expected calibration
    error: a score of 0, as the rules give without evidence, is a claim too)."""
    baseline: str = (
        "a code's keywords exactly as the codebook writes them, found as whole words or "
        "phrases (ignoring case); no lemmas, compounds, patterns or model"
    )


def evaluate(
    codebook: Codebook,
    segments: Sequence[CodedSegment],
    *,
    level: str = "top",
    k: int = DEFAULT_FOLDS,
    seed: int = 0,
    min_score: float | None = None,
    min_examples: int | None = None,
    epochs: int | None = None,
    methods: Sequence[str] = METHODS,
) -> EvaluationReport:
    """Cross-validate suggestions by transcript; see the module docstring."""
    from qcode.nlp.examples import TrainingExample
    from qcode.nlp.rules import RuleMatcher
    from qcode.nlp.suggestions import score_table, suggest
    from qcode.nlp.training import MIN_EXAMPLES, train_model

    levels.check_level(level)
    unknown_methods = [m for m in methods if m not in METHODS]
    if unknown_methods:
        raise NlpError(f"Unknown evaluation method(s): {', '.join(unknown_methods)}.")
    unknown = levels.unknown_codes((c for s in segments for c in s.codes), codebook)
    if unknown:
        raise NlpError("The codings use codes the codebook does not have: " + ", ".join(unknown))
    label_list = levels.labels(codebook, level)
    split = folds([s.transcript for s in segments], k=k, seed=seed)
    truth = {(s.transcript, s.segment): levels.at_level(s.codes, level) for s in segments}
    predicted: dict[str, dict[tuple[str, int], set[str]]] = {m: {} for m in methods}
    notes: list[str] = []
    matcher = RuleMatcher(codebook)
    baseline = _Baseline(codebook)
    columns = [codebook.ids.index(label) for label in label_list]
    scored: dict[str, tuple[list[float], list[int]]] = {
        m: ([], []) for m in methods if m != "baseline"
    }

    cold = None
    if "codebook" in methods:
        try:
            cold = train_model([], codebook, level=level, skip_rare=True, epochs=epochs,
                               seed=seed, unlabeled=[s.text for s in segments])
        except NlpError as error:
            notes.append(f"codebook: no model from the codebook alone ({error})")

    def keep_scores(method: str, test: list[CodedSegment], table: Any) -> None:
        found, truths = scored[method]
        for row, s in enumerate(test):
            expected = truth[(s.transcript, s.segment)]
            # every pair counts, a score of 0 too: it claims the code never applies there
            for column, label in zip(columns, label_list, strict=True):
                found.append(float(table[row, column]))
                truths.append(int(label in expected))

    for fold in split:
        overlap = fold.train & fold.test
        if overlap:  # folds() never does this; guard the promise anyway
            raise NlpError(f"Fold {fold.number} tests on training transcripts: {overlap}")
        test = [s for s in segments if s.transcript in fold.test]
        train = [s for s in segments if s.transcript in fold.train]
        inputs = [(s.transcript, s.segment, s.text) for s in test]
        questions = {(s.transcript, s.segment): s.context for s in test if s.context}
        asked = [s.context for s in test] if questions else None
        if "baseline" in methods:
            for s in test:
                found = levels.at_level(baseline.codes(s.text), level)
                predicted["baseline"][(s.transcript, s.segment)] = found
        texts = [s.text for s in test]
        if "rules" in methods:
            _collect(
                predicted["rules"],
                suggest(codebook, inputs, min_score=min_score, matcher=matcher),
                level,
            )
            keep_scores("rules", test, score_table(codebook, texts, matcher=matcher))
        if "codebook" in methods:
            _collect(
                predicted["codebook"],
                suggest(codebook, inputs, model=cold, min_score=min_score, matcher=matcher),
                level,
            )
            keep_scores(
                "codebook", test, score_table(codebook, texts, model=cold, matcher=matcher)
            )
        if "model" not in methods and "combined" not in methods:
            continue
        examples = [
            TrainingExample(text=s.text, positive=s.codes, negative=s.rejected, group=s.transcript,
                            context=s.context)
            for s in train
        ]
        try:
            model = train_model(
                examples,
                codebook,
                level=level,
                min_examples=MIN_EXAMPLES if min_examples is None else min_examples,
                skip_rare=True,
                epochs=epochs,
                seed=seed,
                unlabeled=[s.text for s in segments],
            )
        except NlpError as error:
            notes.append(f"fold {fold.number}: no model ({error})")
            model = None
        if model is not None and model.info.skipped:
            notes.append(
                f"fold {fold.number}: too few training examples for "
                + ", ".join(model.info.skipped)
                + " (rules only for these)"
            )
        if "model" in methods:
            if model is None:
                result = []
            else:
                result = suggest(codebook, inputs, model=model, min_score=min_score, rules=False)
                keep_scores("model", test, score_table(codebook, texts, model=model, rules=False))
            _collect(predicted["model"], result, level)
        if "combined" in methods:
            _collect(
                predicted["combined"],
                suggest(codebook, inputs, model=model, min_score=min_score, matcher=matcher,
                        questions=questions),
                level,
            )
            keep_scores(
                "combined", test,
                score_table(codebook, texts, model=model, matcher=matcher, questions=asked),
            )
    reports = {method: score_pairs(method, label_list, truth, predicted[method])
               for method in methods}
    return EvaluationReport(
        level=level,
        min_score=min_score,
        transcripts=len({s.transcript for s in segments}),
        segments=len(segments),
        folds=tuple(split),
        methods=reports,
        notes=(*notes, *matcher.stopped),
        calibration={m: reliability(*found) for m, found in scored.items()},
    )


def _collect(into: dict[tuple[str, int], set[str]], suggestions: Iterable, level: str) -> None:
    for suggestion in suggestions:
        key = (suggestion.transcript, suggestion.segment)
        into.setdefault(key, set()).update(levels.at_level([suggestion.code], level))


Item = TypeVar("Item", bound=Hashable)


def score_pairs(
    method: str,
    label_list: Sequence[str],
    truth: Mapping[Item, set[str]],
    predicted: Mapping[Item, set[str]],
) -> MethodReport:
    """Precision, recall and F1 over (item, code) pairs: per code, pooled (micro) and
    averaged over the codes that occur (macro)."""
    counts: dict[str, list[int]] = {label: [0, 0, 0] for label in label_list}
    for key, expected in truth.items():
        guessed = predicted.get(key, set())
        for label in label_list:
            if label in guessed and label in expected:
                counts[label][0] += 1
            elif label in guessed:
                counts[label][1] += 1
            elif label in expected:
                counts[label][2] += 1
    per_code = {label: Scores(*values) for label, values in counts.items()}
    micro = Scores(*(sum(values[i] for values in counts.values()) for i in range(3)))
    present = [s for s in per_code.values() if s.support]
    n = len(present) or 1
    return MethodReport(
        method=method,
        per_code=per_code,
        micro=micro,
        macro_precision=sum(s.precision for s in present) / n,
        macro_recall=sum(s.recall for s in present) / n,
        macro_f1=sum(s.f1 for s in present) / n,
    )


@dataclass
class _Baseline:
    """Whole-word, case-insensitive search for the keywords as written."""

    codebook: Codebook
    searches: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for code in self.codebook.codes:
            for keyword in code.keywords:
                words = keyword.lower().split()
                if not words:
                    continue
                body = r"\s+".join(re.escape(w) for w in words)
                self.searches.append((code.id, re.compile(rf"(?<!\w){body}(?!\w)")))

    def codes(self, text: str) -> set[str]:
        lowered = text.lower()
        return {code for code, search in self.searches if search.search(lowered)}
