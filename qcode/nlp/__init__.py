"""Dutch NLP for assisted coding: rule and model suggestions, training, evaluation.

Importing this package is cheap: spaCy, simplemma and numpy are imported only when a
function that needs them runs, so the CLI can name these types without paying for spaCy.

Public API::

    suggest(codebook, segments, *, model=None, min_score=0.5, rules=True, matcher=None)
        -> list[Suggestion]      (iter_suggestions: the same, batch by batch)
    train_model(examples, codebook, *, level="top", min_examples=3, skip_rare=False,
                epochs=None, seed=0, calibrate=True) -> TrainedModel
        TrainedModel.to_bytes() / TrainedModel.from_bytes(data); .info: ModelInfo
    evaluate(codebook, coded_segments, *, level="top", k=5, seed=0, min_score=0.5)
        -> EvaluationReport
    folds(transcript_of_each_segment, *, k=5, seed=0) -> list[Fold]
    RuleMatcher(codebook).match(doc) -> list[Hit];  get_pipeline() -> spaCy Language

``segments`` are ``(transcript, segment number, text)`` of respondent turns only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from qcode.nlp.errors import (
    ModelMismatchError,
    NlpError,
    NothingToTrainError,
    TooFewExamplesError,
)

if TYPE_CHECKING:
    from qcode.nlp.calibration import DEFAULT_MIN_SCORE
    from qcode.nlp.crossval import Fold, folds
    from qcode.nlp.evaluation import CodedSegment, EvaluationReport, evaluate
    from qcode.nlp.examples import TrainingExample
    from qcode.nlp.model import ModelInfo, TrainedModel
    from qcode.nlp.pipeline import get_pipeline
    from qcode.nlp.rules import Hit, RuleMatcher
    from qcode.nlp.suggestions import Suggestion, iter_suggestions, suggest
    from qcode.nlp.training import train_model

_LAZY: dict[str, str] = {
    "DEFAULT_MIN_SCORE": "qcode.nlp.calibration",
    "CodedSegment": "qcode.nlp.evaluation",
    "EvaluationReport": "qcode.nlp.evaluation",
    "Fold": "qcode.nlp.crossval",
    "evaluate": "qcode.nlp.evaluation",
    "folds": "qcode.nlp.crossval",
    "ModelInfo": "qcode.nlp.model",
    "TrainedModel": "qcode.nlp.model",
    "TrainingExample": "qcode.nlp.examples",
    "train_model": "qcode.nlp.training",
    "get_pipeline": "qcode.nlp.pipeline",
    "Hit": "qcode.nlp.rules",
    "RuleMatcher": "qcode.nlp.rules",
    "Suggestion": "qcode.nlp.suggestions",
    "iter_suggestions": "qcode.nlp.suggestions",
    "suggest": "qcode.nlp.suggestions",
}

__all__ = [
    "DEFAULT_MIN_SCORE",
    "CodedSegment",
    "EvaluationReport",
    "Fold",
    "Hit",
    "ModelInfo",
    "ModelMismatchError",
    "NlpError",
    "NothingToTrainError",
    "RuleMatcher",
    "Suggestion",
    "TooFewExamplesError",
    "TrainedModel",
    "TrainingExample",
    "evaluate",
    "folds",
    "get_pipeline",
    "iter_suggestions",
    "suggest",
    "train_model",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qcode.nlp' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
