"""Errors raised by the Dutch NLP layer (suggest, train, evaluate)."""

from __future__ import annotations

from collections.abc import Mapping

from qcode.errors import QcodeError


class NlpError(QcodeError):
    """Suggestions, training or evaluation cannot run as asked."""


class TooFewExamplesError(NlpError):
    """Some codes have fewer confirmed examples than training needs.

    ``counts`` maps each such code to the number of positive examples it has.
    """

    def __init__(self, counts: Mapping[str, int], minimum: int, level: str) -> None:
        self.counts = dict(counts)
        self.minimum = minimum
        self.level = level
        listed = ", ".join(f"{code} ({n})" for code, n in sorted(self.counts.items()))
        super().__init__(
            f"Too few examples to train a {level}-level model: each code needs at least "
            f"{minimum}, counting coded segments and its codebook texts (label, description, "
            f"include, examples, keywords), and these have fewer (coded segments in "
            f"brackets): {listed}. Code more segments with them, or train without them "
            "(skip rare codes)."
        )


class NothingToTrainError(NlpError):
    """No code at a level has enough confirmed examples: there is no model to train."""

    def __init__(self, level: str, minimum: int) -> None:
        self.level = level
        self.minimum = minimum
        super().__init__(
            f"No code has {minimum} or more coded segments: nothing to train at {level} level."
        )


class ModelMismatchError(NlpError):
    """A trained model does not belong to the codebook it is used with."""
