"""One calibrated score per segment and code from rule and model evidence.

The score is meant as the probability that a coder would apply the code, so that the
default threshold (:data:`DEFAULT_MIN_SCORE`, 0.5) means "more likely right than wrong".

- **Rules only** (no trained model). The evidence is summarised as the number of distinct
  matched terms (different keyword lemmas or phrases; repeats of one word count once)
  and whether a codebook pattern matched. :func:`rule_score` maps that onto a
  probability with a fixed logistic curve set from measurements on the shipped sample
  (see :data:`RULE_WEIGHTS`): one keyword alone is right only about one time in five, so
  at the default threshold a code needs two distinct terms.
- **Model and rules.** Training measures, per code and per term, how often that term's
  evidence for the code was right in the training data (:class:`RuleReliability`,
  smoothed towards the code's overall rate, so one-off terms count little); a segment's
  rule probability for a code is the noisy-or of its terms' reliabilities. A logistic
  :class:`Combiner` on ``[1, logit(model probability), logit(rule probability), any
  rule evidence]`` then gives the score. It is fitted when the model is trained, on
  out-of-fold predictions (the model and the reliabilities trained without the held-out
  transcripts), so it learns how far to trust each source on this project's own coding.
  Without enough data for that it falls back to :data:`DEFAULT_COMBINER`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MIN_SCORE = 0.5

RULE_WEIGHTS: tuple[float, float, float] = (-3.75, 3.42, 1.4)
"""Bias, weight of ``log(1 + distinct terms)`` and weight of a pattern match.

One, two, three distinct terms score 0.20, 0.50, 0.73. How often rule evidence is right
depends on the codebook's keyword lists: on the shipped sample the reference coder gave
the code to 15%, 33% and 44% of segments with one, two and three distinct terms for it
under the study codebook as shipped, and to 25%, 62% and 89% with its generic keywords
pruned; the curve lies between the two. A pattern match counts about as much as two
more terms. A trained model replaces this with rates learnt per code and per term
(:class:`RuleReliability`)."""


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def rule_score(terms: int, patterns: int) -> float:
    """The rules-only score of a code with ``terms`` distinct matched terms and
    ``patterns`` pattern matches; 0 without evidence."""
    if terms <= 0 and patterns <= 0:
        return 0.0
    bias, per_term, per_pattern = RULE_WEIGHTS
    return _sigmoid(bias + per_term * math.log1p(terms) + per_pattern * (patterns > 0))


LENGTH_WEIGHT = -0.85
"""Change in log odds per unit of ``log(tokens / REFERENCE_TOKENS)``: the same keywords
say less in a long turn than in a short one, where they are most of what is said
(fitted on the shipped sample's rule evidence: -0.86; log loss 0.490 -> 0.483)."""
REFERENCE_TOKENS = 70
"""The turn length (in tokens) at which :data:`RULE_WEIGHTS` hold as they stand: the
median respondent turn of the shipped sample."""
LENGTH_RANGE = (20, 280)
"""Lengths are taken within this range (about that of the sample's turns), so the curve
is not stretched to a two-word answer or a page-long monologue."""


def rule_scores(terms: Any, patterns: Any, tokens: Any = None) -> Any:
    """:func:`rule_score` over arrays of counts (documents x codes); with ``tokens`` (the
    length of each document), adjusted for length by :data:`LENGTH_WEIGHT`."""
    import numpy

    bias, per_term, per_pattern = RULE_WEIGHTS
    z = bias + per_term * numpy.log1p(terms) + per_pattern * (patterns > 0)
    if tokens is not None:
        length = numpy.log(
            numpy.clip(numpy.asarray(tokens, dtype="float64"), *LENGTH_RANGE) / REFERENCE_TOKENS
        )
        z = z + LENGTH_WEIGHT * length[:, None]
    return numpy.where((terms > 0) | (patterns > 0), 1.0 / (1.0 + numpy.exp(-z)), 0.0)


MAX_COMBINER_PAIRS = 200_000


def feature_matrix(
    model_probabilities: Any,
    rule_probabilities: Any,
    tokens: Any,
    length_range: tuple[float, float] = LENGTH_RANGE,
) -> Any:
    """The combiner's inputs for pairs given as arrays of one shape (flattened into rows):
    1, the model's log odds, the rules' log odds (0 without rule evidence), whether there
    is rule evidence, and the log of the turn's length taken within ``length_range``."""
    import numpy

    p = numpy.clip(numpy.ravel(model_probabilities), 1e-4, 1 - 1e-4)
    rule = numpy.ravel(rule_probabilities)
    ruled = rule > 0
    r = numpy.clip(rule, 1e-4, 1 - 1e-4)
    x = numpy.empty((len(p), 5), dtype="float64")
    x[:, 0] = 1.0
    x[:, 1] = numpy.log(p / (1 - p))
    x[:, 2] = numpy.where(ruled, numpy.log(r / (1 - r)), 0.0)
    x[:, 3] = ruled
    x[:, 4] = numpy.log(
        numpy.clip(numpy.ravel(tokens).astype("float64"), *length_range) / REFERENCE_TOKENS
    )
    return x


LENGTH_QUANTILES = (0.1, 0.9)
"""A fitted combiner takes a turn's length within these quantiles of the lengths it was
fitted on: its length weight is learnt where the project's turns lie, and is not
stretched beyond them (to a one-line quote, or a page-long monologue)."""


def length_range(tokens: Any) -> tuple[float, float]:
    """The range of lengths a combiner fitted on turns of ``tokens`` tokens holds to."""
    import numpy

    low, high = numpy.quantile(numpy.asarray(tokens, dtype="float64"), LENGTH_QUANTILES)
    low = max(1.0, float(low))
    return round(low, 1), round(max(low, float(high)), 1)


@dataclass(frozen=True)
class Combiner:
    """Logistic combination of a model probability with a rule probability (and the
    turn's length)."""

    weights: tuple[float, ...]
    fitted_on: int = 0
    """How many (segment, code) pairs the weights were fitted on; 0 for the default."""
    code_bias: dict[str, float] = field(default_factory=dict)
    """Per code, a shift of the log odds learnt with the weights (shrunk towards 0)."""
    length_range: tuple[float, float] = LENGTH_RANGE
    """Turn lengths (in tokens) are taken within this range (see :func:`length_range`)."""
    question_weights: tuple[float, float] = (0.0, 0.0)
    """Change in log odds when the interviewer's question before the turn has keywords
    of the code, and again when the turn has rule evidence for it too (see
    :func:`fit_question_weights`); 0 and 0 until fitted on turns with known questions."""

    def scores(
        self,
        model_probabilities: Any,
        rule_probabilities: Any,
        tokens: Any,
        codes: Sequence[str] = (),
        question: Any = None,
    ) -> Any:
        """Scores for arrays of one shape (``tokens``: each pair's turn length; ``codes``:
        the code of each column of 2-d arrays; ``question``: whether the question before
        the turn has keywords of the code, None where no question is known: then
        the score is what it would be without :attr:`question_weights`)."""
        import numpy

        # the weights of feature_matrix's columns, applied column by column (no matrix:
        # it would hold five numbers per pair, and a product would start BLAS threads)
        w = [*self.weights, 0.0, 0.0, 0.0, 0.0, 0.0][:5]
        p = numpy.clip(model_probabilities, 1e-4, 1 - 1e-4)
        rule = numpy.asarray(rule_probabilities)
        r = numpy.clip(rule, 1e-4, 1 - 1e-4)
        length = numpy.log(
            numpy.clip(numpy.asarray(tokens, dtype="float64"), *self.length_range)
            / REFERENCE_TOKENS
        )
        z = w[0] + w[1] * numpy.log(p / (1 - p)) + w[4] * length
        z = z + numpy.where(rule > 0, w[2] * numpy.log(r / (1 - r)) + w[3], 0.0)
        if codes and self.code_bias:
            z = z + numpy.asarray([self.code_bias.get(code, 0.0) for code in codes])
        if question is not None and any(self.question_weights):
            asked, echoed = self.question_weights
            z = z + numpy.where(numpy.asarray(question) > 0, asked + echoed * (rule > 0), 0.0)
        return 1.0 / (1.0 + numpy.exp(-z))


DEFAULT_COMBINER = Combiner(weights=(-0.5, 0.8, 0.8, 0.3, 0.0))
"""Marks a model whose training data were too small to fit its own combiner; such a
model's scores come from :func:`prior_scores` instead."""

NO_EVIDENCE_SCORE = 0.05
"""How often a code applies to a segment that has no rule evidence for it, before a
model says more (on the shipped sample: 4% of such segment and code pairs)."""
MODEL_TRUST = 0.25
"""How far an uncalibrated model may move a score: the weight of its log odds against
its own base rate."""


def prior_scores(rule_probabilities: Any, model_probabilities: Any, base_rates: Any) -> Any:
    """Scores for a model that could not be calibrated on the project's coding (trained
    on the codebook alone, or on too few segments): the rules-only score (or
    :data:`NO_EVIDENCE_SCORE` without rule evidence), moved by :data:`MODEL_TRUST` times
    the model's log odds for the code against its base rate in the training data."""
    import numpy

    r = numpy.clip(numpy.where(rule_probabilities > 0, rule_probabilities, NO_EVIDENCE_SCORE),
                   1e-4, 1 - 1e-4)
    p = numpy.clip(model_probabilities, 1e-4, 1 - 1e-4)
    b = numpy.clip(base_rates, 1e-4, 1 - 1e-4)
    z = numpy.log(r / (1 - r)) + MODEL_TRUST * (numpy.log(p / (1 - p)) - numpy.log(b / (1 - b)))
    return 1.0 / (1.0 + numpy.exp(-z))


@dataclass(frozen=True)
class RuleReliability:
    """How often each term's rule evidence for a code was right in training data.

    ``counts[code][term]`` is ``(right, fired)``; ``prior[code]`` the code's smoothed rate
    over all its terms, used for terms never seen in training.
    """

    counts: dict[str, dict[str, tuple[int, int]]]
    prior: dict[str, float]
    strength: float = 2.0
    _known: dict[tuple[str, str], float] = field(default_factory=dict, compare=False,
                                                 repr=False)

    def term_probability(self, code: str, term: str) -> float:
        found = self._known.get((code, term))
        if found is None:
            prior = self.prior.get(code, GLOBAL_RULE_PRIOR)
            right, fired = self.counts.get(code, {}).get(term, (0, 0))
            found = self._known[(code, term)] = (right + self.strength * prior) / (
                fired + self.strength
            )
        return found

    def probabilities(
        self, triples: Any, term_names: Sequence[str], codes: Sequence[str], rows: int
    ) -> Any:
        """Rule probability per (document row, code column) from distinct
        (row, column, term) evidence: the noisy-or of the terms' reliabilities."""
        import numpy

        miss = numpy.zeros((rows, len(codes)))
        if not len(triples):
            return miss
        # one reliability per distinct (code, term) pair, then spread with numpy
        width = max(len(term_names), 1)
        pairs, inverse = numpy.unique(triples[:, 1] * width + triples[:, 2], return_inverse=True)
        chance = numpy.asarray(
            [
                self.term_probability(codes[key // width], term_names[key % width])
                for key in pairs.tolist()
            ]
        )
        logs = numpy.log1p(-numpy.minimum(chance, 0.999))[inverse.reshape(-1)]
        numpy.add.at(miss, (triples[:, 0], triples[:, 1]), logs)
        return numpy.where(miss < 0, 1.0 - numpy.exp(miss), 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {c: {t: list(v) for t, v in d.items()} for c, d in self.counts.items()},
            "prior": dict(self.prior),
            "strength": self.strength,
        }

    @classmethod
    def from_dict(cls, content: dict[str, Any]) -> RuleReliability:
        return cls(
            counts={
                c: {t: (int(v[0]), int(v[1])) for t, v in d.items()}
                for c, d in content["counts"].items()
            },
            prior={c: float(v) for c, v in content["prior"].items()},
            strength=float(content["strength"]),
        )


GLOBAL_RULE_PRIOR = 0.3
"""Reliability assumed for rule evidence before any training data says otherwise."""


def fit_reliability(
    triples: Any, outcomes: Any, term_names: Sequence[str], codes: Sequence[str]
) -> RuleReliability:
    """Count, per code and term, how often rule evidence agreed with the coding.

    ``outcomes`` holds, for each (document row, code column, term) triple, 1 when the
    document has the code, 0 when it has not, and -1 when that is unknown (not counted).
    """
    import numpy

    outcomes = numpy.asarray(outcomes, dtype="float64")
    counted = triples[outcomes >= 0]
    right_of = outcomes[outcomes >= 0]
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    if len(counted):
        pairs, where = numpy.unique(counted[:, 1:], axis=0, return_inverse=True)
        where = where.reshape(-1)
        fired = numpy.bincount(where, minlength=len(pairs))
        right = numpy.bincount(where, weights=right_of, minlength=len(pairs))
        for (column, term), r, f in zip(pairs.tolist(), right.tolist(), fired.tolist(),
                                        strict=True):
            counts.setdefault(codes[column], {})[term_names[term]] = (round(r), int(f))
    all_right = sum(c[0] for d in counts.values() for c in d.values())
    all_fired = sum(c[1] for d in counts.values() for c in d.values())
    overall = (all_right + 2 * GLOBAL_RULE_PRIOR) / (all_fired + 2)
    prior = {}
    for code, terms in counts.items():
        code_right = sum(c[0] for c in terms.values())
        code_fired = sum(c[1] for c in terms.values())
        prior[code] = (code_right + 5 * overall) / (code_fired + 5)
    return RuleReliability(counts=counts, prior=prior)


def fit_combiner(
    model_probabilities: Sequence[float] | Any,
    rule_probabilities: Sequence[float] | Any,
    truths: Sequence[int] | Any,
    tokens: Sequence[int] | Any = REFERENCE_TOKENS,
    *,
    codes: Any = None,
    labels: Sequence[str] = (),
    l2: float = 1.0,
    iterations: int = 50,
) -> Combiner:
    """Fit a :class:`Combiner` by L2-regularised logistic regression (damped Newton).

    With ``codes`` (the index in ``labels`` of each pair's code) each code also gets a
    shift of its own, held towards 0 by :data:`CODE_BIAS_PENALTY` times the penalty. The
    penalty (lighter on the shared bias) keeps the weights finite when the evidence
    separates the classes perfectly, as it can on small training sets.
    """
    import numpy

    model = numpy.asarray(model_probabilities, dtype="float64")
    rule = numpy.asarray(rule_probabilities, dtype="float64")
    y = numpy.asarray(truths, dtype="float64")
    length = numpy.broadcast_to(numpy.asarray(tokens, dtype="float64"), model.shape)
    if len(y) < 2 or y.min() == y.max():
        return DEFAULT_COMBINER
    fitted_on = len(y)
    size = len(labels) if codes is not None and len(labels) > 1 else 0
    which = numpy.asarray(codes, dtype="int64") if size else numpy.zeros(len(y), "int64")
    if len(y) > MAX_COMBINER_PAIRS:
        # a few dozen weights need no millions of pairs; a uniform sample keeps the rates
        chosen = numpy.random.default_rng(0).choice(len(y), MAX_COMBINER_PAIRS, replace=False)
        chosen.sort()
        model, rule, y = model[chosen], rule[chosen], y[chosen]
        length, which = length[chosen], which[chosen]
    held = length_range(length)
    x = feature_matrix(model, rule, length, held)
    shared = x.shape[1]
    penalty = numpy.full(shared + size, l2)
    penalty[0] = l2 / 100
    penalty[shared:] = l2 * CODE_BIAS_PENALTY

    def linear(w: Any) -> Any:
        z = x @ w[:shared]
        return z + w[shared:][which] if size else z

    def loss(w: Any) -> float:
        z = linear(w)
        return float(numpy.sum(numpy.logaddexp(0, z) - y * z) + 0.5 * penalty @ (w * w))

    w = numpy.zeros(shared + size)
    w[:shared] = DEFAULT_COMBINER.weights
    current = loss(w)
    for _ in range(iterations):
        p = 1.0 / (1.0 + numpy.exp(-numpy.clip(linear(w), -30, 30)))
        d = p * (1 - p)
        # the code shifts are one-hot columns, summed per code instead of stored
        hessian = numpy.diag(penalty)
        hessian[:shared, :shared] += (x * d[:, None]).T @ x
        gradient = penalty * w
        gradient[:shared] += x.T @ (p - y)
        if size:
            gradient[shared:] += numpy.bincount(which, p - y, minlength=size)
            hessian[shared:, shared:] += numpy.diag(numpy.bincount(which, d, minlength=size))
            cross = numpy.stack(
                [numpy.bincount(which, x[:, k] * d, minlength=size) for k in range(shared)]
            )
            hessian[:shared, shared:] += cross
            hessian[shared:, :shared] += cross.T
        step = numpy.linalg.solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-4:
            candidate = w - scale * step
            value = loss(candidate)
            if value <= current:
                break
            scale /= 2
        else:
            break
        w, improvement, current = candidate, current - value, value
        if improvement < 1e-9:
            break
    bias = {label: round(float(v), 6) for label, v in zip(labels, w[shared:], strict=False)}
    return Combiner(weights=tuple(round(float(v), 6) for v in w[:shared]), fitted_on=fitted_on,
                    code_bias=bias, length_range=held)


def fit_question_weights(
    scores: Any, question: Any, ruled: Any, truths: Any, *, l2: float = 1.0
) -> tuple[float, float]:
    """The :attr:`Combiner.question_weights` for pairs scored ``scores`` without their
    question: by L2-penalised logistic regression of ``truths`` on whether the question
    has keywords of the code and whether the turn has rule evidence for it too
    (``ruled``), with the scores' log odds as a fixed offset. The other weights stay as
    they are, so a turn whose question is not known is scored exactly as before."""
    import numpy

    s = numpy.clip(numpy.ravel(scores).astype("float64"), 1e-6, 1 - 1e-6)
    offset = numpy.log(s / (1 - s))
    asked = numpy.ravel(question) > 0
    x = numpy.stack([asked, asked & (numpy.ravel(ruled) > 0)], axis=1).astype("float64")
    y = numpy.ravel(truths).astype("float64")
    w = numpy.zeros(2)
    if not asked.any():
        return 0.0, 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + numpy.exp(-numpy.clip(offset + x @ w, -30, 30)))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * numpy.eye(2)
        step = numpy.linalg.solve(hessian, gradient)
        w = w - step
        if numpy.abs(step).max() < 1e-8:
            break
    return round(float(w[0]), 6), round(float(w[1]), 6)


CODE_BIAS_PENALTY = 5.0
"""How strongly a code's own shift is held to 0 against the shared weights."""


THRESHOLDS: tuple[float, ...] = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
"""Candidate thresholds per code: 0.2 to 0.8."""
THRESHOLD_PRIOR = 10.0
"""How many positive examples a code's own F1 curve must have to weigh as much as the
curve pooled over all codes."""


def choose_thresholds(
    outcomes: dict[str, tuple[Any, Any]], *, prior: float | None = None
) -> dict[str, float]:
    """Per code, the threshold that gives the best F1 on out-of-fold ``(scores, truths)``.

    A code with few positive examples has a ragged F1 curve, so each code's curve is
    blended with the curve of all codes pooled (micro F1), weighted by its number of
    positives against ``prior``; the blend's best threshold is the code's. Ties go to
    the higher threshold (fewer, surer suggestions).
    """
    import numpy

    candidates = numpy.asarray(THRESHOLDS)
    prior = THRESHOLD_PRIOR if prior is None else prior

    def counts(scores: Any, truths: Any) -> Any:
        chosen = scores[None, :] >= candidates[:, None]
        positive = truths[None, :] > 0.5
        tp = (chosen & positive).sum(axis=1)
        return numpy.stack([tp, chosen.sum(axis=1) - tp, positive.sum(axis=1) - tp])

    def f1(table: Any) -> Any:
        tp, fp, fn = table
        return numpy.where(tp > 0, 2 * tp / numpy.maximum(2 * tp + fp + fn, 1), 0.0)

    per_code = {
        label: counts(numpy.asarray(s, dtype=float), numpy.asarray(t, dtype=float))
        for label, (s, t) in outcomes.items()
    }
    if not per_code:
        return {}
    pooled = f1(sum(per_code.values()))
    chosen: dict[str, float] = {}
    for label, table in per_code.items():
        positives = float(table[0, 0] + table[2, 0])
        if not positives:
            continue
        blend = (positives * f1(table) + prior * pooled) / (positives + prior)
        best = numpy.flatnonzero(blend >= blend.max() - 1e-12)[-1]
        chosen[label] = float(candidates[best])
    return chosen
