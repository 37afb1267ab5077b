"""What a model learns from: one segment with the codes it has and has not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainingExample:
    """One segment to learn from."""

    text: str
    positive: frozenset[str] = frozenset()
    negative: frozenset[str] = frozenset()
    exhaustive: bool = True
    group: str = ""
    """The transcript the segment belongs to; keeps calibration folds apart by transcript."""
    weight: float = 1.0
    """How much the example counts in training (codebook seeds count less)."""
    context: str = ""
    """The interviewer's question the segment answers, if known (see
    :mod:`qcode.nlp.context`)."""
