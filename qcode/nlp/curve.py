"""When do suggestions pay off? F1 after 0, 1, 2, ... coded transcripts.

A team replicating a study across houses wants to know after how many coded interviews
the suggestions are worth switching on. :func:`learning_curve` answers it on the
project's own coding: for several random orderings of the coded transcripts, a model is
trained on the first *n* transcripts (for *n* = 0 on the codebook alone) and scored on
all the others, exactly as :func:`~qcode.nlp.evaluation.evaluate` scores a fold; the F1
of each size is the mean over the orderings, with the lowest and highest beside it.
The rules alone, scored on the same held-out transcripts, are the line to beat.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qcode.models import Codebook
from qcode.nlp import levels
from qcode.nlp.errors import NlpError
from qcode.nlp.evaluation import CodedSegment, _collect, score_pairs

if TYPE_CHECKING:
    from qcode.nlp.model import TrainedModel

DEFAULT_ORDERINGS = 5
MAX_POINTS = 15


@dataclass(frozen=True)
class CurvePoint:
    """Suggestion accuracy after ``transcripts`` coded transcripts (mean over orderings)."""

    transcripts: int
    orderings: int
    micro_f1: float
    macro_f1: float
    lowest_micro_f1: float
    highest_micro_f1: float
    rules_micro_f1: float
    """The rules alone on the same held-out transcripts."""


@dataclass(frozen=True)
class LearningCurve:
    level: str
    transcripts: int
    segments: int
    orderings: int
    points: tuple[CurvePoint, ...]

    @property
    def pays_off_after(self) -> int | None:
        """The fewest coded transcripts after which rules and model together beat the
        rules alone (None when they never do on this coding)."""
        for point in self.points:
            if point.micro_f1 > point.rules_micro_f1:
                return point.transcripts
        return None


def curve_sizes(transcripts: int, *, most: int = MAX_POINTS) -> list[int]:
    """How many coded transcripts to train on: 0, 1, 2, ... up to one fewer than there
    are (something must be left to test on); beyond ``most`` points, spaced further
    apart as they grow."""
    if transcripts < 2:
        return [0]
    top = transcripts - 1
    if top + 1 <= most:
        return list(range(top + 1))
    sizes = set(range(min(10, top) + 1))
    size = 10.0
    while size < top:
        size *= 1.5
        sizes.add(min(top, round(size)))
    sizes.add(top)
    ordered = sorted(sizes)
    if len(ordered) > most:
        keep = [ordered[round(i * (len(ordered) - 1) / (most - 1))] for i in range(most)]
        ordered = sorted(set(keep))
    return ordered


def learning_curve(
    codebook: Codebook,
    segments: Sequence[CodedSegment],
    *,
    level: str = "top",
    orderings: int = DEFAULT_ORDERINGS,
    seed: int = 0,
    min_score: float | None = None,
    sizes: Sequence[int] | None = None,
    epochs: int | None = None,
) -> LearningCurve:
    """The learning curve of the suggestions on coded ``segments`` (see the module
    docstring)."""
    from qcode.nlp.examples import TrainingExample
    from qcode.nlp.rules import RuleMatcher
    from qcode.nlp.suggestions import suggest
    from qcode.nlp.training import train_model

    levels.check_level(level)
    if orderings < 1:
        raise NlpError(f"A learning curve needs at least one ordering, not {orderings}.")
    unknown = levels.unknown_codes((c for s in segments for c in s.codes), codebook)
    if unknown:
        raise NlpError("The codings use codes the codebook does not have: " + ", ".join(unknown))
    names = sorted({s.transcript for s in segments})
    if len(names) < 2:
        raise NlpError(
            "A learning curve needs coded segments in at least two transcripts (it trains on "
            "some and tests on the others)."
        )
    chosen = sorted(set(sizes if sizes is not None else curve_sizes(len(names))))
    if any(size < 0 or size >= len(names) for size in chosen):
        raise NlpError(
            f"Each point of the curve must leave a transcript to test on: sizes from 0 to "
            f"{len(names) - 1}."
        )
    label_list = levels.labels(codebook, level)
    truth = {(s.transcript, s.segment): levels.at_level(s.codes, level) for s in segments}
    by_transcript: dict[str, list[CodedSegment]] = {}
    for s in segments:
        by_transcript.setdefault(s.transcript, []).append(s)
    matcher = RuleMatcher(codebook)

    def predict(
        model: TrainedModel | None, test: list[CodedSegment]
    ) -> dict[tuple[str, int], set[str]]:
        found: dict[tuple[str, int], set[str]] = {}
        inputs = [(s.transcript, s.segment, s.text) for s in test]
        questions = {(s.transcript, s.segment): s.context for s in test if s.context}
        made = suggest(codebook, inputs, model=model, min_score=min_score, matcher=matcher,
                       questions=questions)
        _collect(found, made, level)
        return found

    everything = [s for name in names for s in by_transcript[name]]
    texts = [s.text for s in everything]  # the coding is never looked at: text only
    by_rules = predict(None, everything)
    try:
        cold = train_model([], codebook, level=level, skip_rare=True, epochs=epochs, seed=seed,
                           unlabeled=texts)
    except NlpError:
        cold = None
    rng = random.Random(seed)
    orders = []
    for _ in range(orderings):
        order = list(names)
        rng.shuffle(order)
        orders.append(order)
    points = []
    model: TrainedModel | None
    for size in chosen:
        micro, macro, rules = [], [], []
        for order in orders[: 1 if size == 0 else len(orders)]:
            test = [s for name in order[size:] for s in by_transcript[name]]
            if size == 0:
                model = cold
            else:
                train = [
                    TrainingExample(s.text, s.codes, s.rejected, group=s.transcript,
                                    context=s.context)
                    for name in order[:size]
                    for s in by_transcript[name]
                ]
                try:
                    model = train_model(
                        train, codebook, level=level, skip_rare=True, epochs=epochs, seed=seed,
                        unlabeled=texts,
                    )
                except NlpError:
                    model = None
            keys = {(s.transcript, s.segment) for s in test}
            held = {key: codes for key, codes in truth.items() if key in keys}
            combined = score_pairs("combined", label_list, held, predict(model, test))
            alone = score_pairs("rules", label_list, held,
                                {k: by_rules.get(k, set()) for k in keys})
            micro.append(combined.micro.f1)
            macro.append(combined.macro_f1)
            rules.append(alone.micro.f1)
        points.append(
            CurvePoint(
                transcripts=size,
                orderings=len(micro),
                micro_f1=sum(micro) / len(micro),
                macro_f1=sum(macro) / len(macro),
                lowest_micro_f1=min(micro),
                highest_micro_f1=max(micro),
                rules_micro_f1=sum(rules) / len(rules),
            )
        )
    return LearningCurve(
        level=level,
        transcripts=len(names),
        segments=len(segments),
        orderings=len(orders),
        points=tuple(points),
    )
