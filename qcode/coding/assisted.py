"""Assisted coding in the store: suggest, review, train and evaluate.

The NLP work is done by :mod:`qcode.nlp`; this module feeds it the project's segments
and codings and keeps its results: pending suggestions apart from confirmed codings,
trained models beside the codebook version they were trained on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qcode.errors import CodingError, QcodeError
from qcode.models import Codebook, Coding
from qcode.store import codings as codings_store
from qcode.store import models as models_store
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.suggestions import Proposal, StoredSuggestion
from qcode.store.transcripts import require_transcripts, respondent_segments, segments_of
from qcode.values import parse_reference

if TYPE_CHECKING:
    from qcode.nlp import CodedSegment, EvaluationReport, ModelInfo, Suggestion, TrainedModel
    from qcode.nlp.curve import LearningCurve

MODEL_LEVELS = ("top", "full")
CHUNK = 512

__all__ = ["StoredSuggestion", "SuggestOutcome"]


@dataclass(frozen=True)
class SuggestOutcome:
    """What one ``suggest`` run did, and the pending list of the coder who ran it."""

    segments: int
    words: int
    new: int
    updated: int
    withdrawn: int
    models: tuple[str, ...]
    suggestions: tuple[StoredSuggestion, ...]
    notes: tuple[str, ...] = ()
    """Codebook patterns stopped because they ran too long, one message each."""


# -- models ------------------------------------------------------------------------------


def load_models(project: Project, codebook: Codebook) -> list[TrainedModel]:
    """The project's trained models (full level first), refused when the codebook changed
    since they were trained."""
    from qcode.nlp import TrainedModel

    stored = models_store.load(project)
    for model in stored:
        if model.codebook_version != codebook.version:
            raise QcodeError(
                f"the {model.level}-level model was trained on codebook version "
                f"{model.codebook_version}, but the codebook is now version "
                f"{codebook.version}; run 'qcode train' again (or suggest with --rules-only)"
            )
    return [TrainedModel.from_bytes(model.data) for model in stored]


def coded_segments(project: Project, *, coders: Sequence[str] = ()) -> list[CodedSegment]:
    """Respondent segments of every transcript that has confirmed codings, each with its
    codes (empty for a segment the coders left uncoded) and the suggestions the same
    coders rejected there."""
    from qcode.nlp import CodedSegment

    codings_store.require_coders(project, coders)
    codes: dict[tuple[str, int], set[str]] = {}
    for coding in codings_store.select(project, coders=coders):
        codes.setdefault((coding.transcript, coding.segment), set()).add(coding.code)
    rejected: dict[tuple[str, int], set[str]] = {}
    for decision in suggestions_store.decisions(project, status="rejected", coders=coders):
        rejected.setdefault((decision.transcript, decision.segment), set()).add(decision.code)
    coded_transcripts = sorted({transcript for transcript, _ in codes})
    if not coded_transcripts:
        return []
    asked = questions(project, coded_transcripts)
    return [
        CodedSegment(transcript=t, segment=n, text=text,
                     codes=frozenset(codes.get((t, n), ())),
                     rejected=frozenset(rejected.get((t, n), set()) - codes.get((t, n), set())),
                     context=asked.get((t, n), ""))
        for t, n, text in respondent_segments(project, coded_transcripts)
    ]


def questions(project: Project, transcripts: Sequence[str]) -> dict[tuple[str, int], str]:
    """The interviewer's question each respondent turn answers, by (transcript, segment):
    the interviewer turns right before it (a respondent turn that follows another
    respondent turn answers no question of its own)."""
    segments = segments_of(project, transcripts)
    found: dict[tuple[str, int], str] = {}
    for (transcript, number), segment in segments.items():
        if segment.interviewer:
            continue
        asked: list[str] = []
        before = segments.get((transcript, number - 1))
        while before is not None and before.interviewer:
            asked.append(before.text)
            before = segments.get((transcript, number - 1 - len(asked)))
        if asked:
            found[(transcript, number)] = " ".join(reversed(asked))
    return found


def train(
    project: Project,
    *,
    levels: Sequence[str] = MODEL_LEVELS,
    coders: Sequence[str] = (),
    skip_rare: bool = False,
    min_examples: int | None = None,
) -> list[ModelInfo]:
    """Train and store one model per level from the confirmed codings and the codebook.

    Rejected suggestions are negative evidence. The codebook's own texts (labels,
    descriptions, include and exclude text, examples, keywords) are seed examples, so a
    project without codings gets a model too. Refuses (naming the codes) when a code has
    too few examples, unless ``skip_rare`` leaves those codes out. A level at which no code
    has enough examples is left out (and a model stored for it before is dropped, so a
    stale one is never used); only when no level can be trained is that an error.
    """
    from qcode.nlp import NothingToTrainError, TrainingExample, train_model

    codebook = require_codebook(project)
    segments = coded_segments(project, coders=coders)
    examples = [
        TrainingExample(text=s.text, positive=s.codes, negative=s.rejected, group=s.transcript,
                        context=s.context)
        for s in segments
    ]
    options = {} if min_examples is None else {"min_examples": min_examples}
    # the project's text (never its coding) is the base line of a model too small to
    # be calibrated on the coding, such as one trained on the codebook alone
    texts = ([s.text for s in segments] if segments
             else [text for _, _, text in respondent_segments(project)])
    texts = texts[:: max(1, len(texts) // 2000)]
    models = []
    untrainable: list[NothingToTrainError] = []
    for level in levels:
        try:
            models.append(train_model(examples, codebook, level=level, skip_rare=skip_rare,
                                      unlabeled=texts, **options))  # type: ignore[arg-type]
        except NothingToTrainError as exc:
            untrainable.append(exc)
    if not models:
        raise untrainable[0]
    models_store.save(project, [
        models_store.StoredModel(level=model.level, codebook_version=codebook.version,
                                 trained_at="", examples=model.info.examples,
                                 labels=tuple(model.labels), data=model.to_bytes())
        for model in models
    ], drop=[missing.level for missing in untrainable])
    return [model.info for model in models]


def evaluate_project(
    project: Project, *, level: str = "top", k: int = 5, coders: Sequence[str] = (),
    min_score: float | None = None,
) -> EvaluationReport:
    """Cross-validate suggestions on the confirmed codings, split by transcript."""
    from qcode.nlp import evaluate

    codebook = require_codebook(project)
    segments = coded_segments(project, coders=coders)
    if len({s.transcript for s in segments}) < 2:
        raise QcodeError(
            "evaluation needs confirmed codings in at least two transcripts (it tests on "
            "transcripts the model has not seen)"
        )
    options = {} if min_score is None else {"min_score": min_score}
    return evaluate(codebook, segments, level=level, k=k, **options)  # type: ignore[arg-type]


def curve_project(
    project: Project, *, level: str = "top", coders: Sequence[str] = (), orderings: int = 5,
    min_score: float | None = None,
) -> LearningCurve:
    """F1 of the suggestions after 0, 1, 2, ... coded transcripts (see
    :func:`qcode.nlp.curve.learning_curve`)."""
    from qcode.nlp.curve import learning_curve

    codebook = require_codebook(project)
    segments = coded_segments(project, coders=coders)
    if len({s.transcript for s in segments}) < 2:
        raise QcodeError(
            "a learning curve needs confirmed codings in at least two transcripts (it trains "
            "on some and tests on the others)"
        )
    return learning_curve(codebook, segments, level=level, orderings=orderings,
                          min_score=min_score)


# -- suggest -----------------------------------------------------------------------------


def suggest_for_project(
    project: Project,
    *,
    coder: str,
    transcripts: Sequence[str] | None = None,
    min_score: float | None = None,
    rules_only: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SuggestOutcome:
    """Suggest codes for respondent turns and keep them as suggestions.

    Idempotent: a second run updates scores and evidence in place and withdraws what it
    no longer suggests. Confirmed codings and decisions are never touched; the outcome
    lists ``coder``'s pending suggestions (leaving out what they already coded or decided).
    """
    from qcode.nlp import RuleMatcher, iter_suggestions

    codebook = require_codebook(project)
    if not transcripts:
        require_transcripts(project)
    chosen = list(transcripts) if transcripts else None
    models = [] if rules_only else load_models(project, codebook)
    segments = respondent_segments(project, chosen)
    # None: each code's threshold as its model learnt it (0.5 without a model)
    threshold = min_score
    matcher = RuleMatcher(codebook)
    # a model fitted on turns with their questions reads them (the rules alone do not)
    reads = any(any(model.combiner.question_weights) for model in models)
    asked = questions(project, sorted({t for t, _, _ in segments})) if reads else None
    found: list[Suggestion] = []
    progress(0, len(segments))
    for start in range(0, len(segments), CHUNK):
        chunk = segments[start:start + CHUNK]
        found.extend(iter_suggestions(codebook, chunk, model=models or None,
                                      min_score=threshold, matcher=matcher, questions=asked))
        progress(min(start + CHUNK, len(segments)), len(segments))
    counts = suggestions_store.store_run(
        project,
        [Proposal(transcript=s.transcript, segment=s.segment, code=s.code, score=s.score,
                  method=s.method, evidence=tuple(s.evidence), spans=tuple(s.spans))
         for s in found],
        codebook_version=codebook.version,
        transcripts={t for t, _, _ in segments},
    )
    stored = suggestions_store.pending(project, coder=coder, transcripts=chosen)
    return SuggestOutcome(
        segments=len(segments), words=sum(len(text.split()) for _, _, text in segments),
        new=counts.new, updated=counts.updated, withdrawn=counts.withdrawn,
        models=tuple(m.level for m in models), suggestions=tuple(stored),
        notes=tuple(matcher.stopped),
    )


# -- review ------------------------------------------------------------------------------


def pending_suggestions(
    project: Project, *, coder: str, transcripts: Sequence[str] | None = None,
    min_score: float = 0.0,
) -> list[StoredSuggestion]:
    """``coder``'s pending suggestions in transcript and segment order, best score first."""
    return suggestions_store.pending(project, coder=coder, transcripts=transcripts,
                                     min_score=min_score)


REVIEW_ORDERS = ("transcript", "score", "uncertain")


def order_suggestions(
    suggestions: Sequence[StoredSuggestion], order: str = "transcript"
) -> list[StoredSuggestion]:
    """Suggestions in review order: ``transcript`` (transcript and segment order, best
    score first within a segment), ``score`` (most confident first, to go fast) or
    ``uncertain`` (scores closest to 0.5 first: a score is the chance the coder agrees,
    so these decisions teach the model most)."""
    if order not in REVIEW_ORDERS:
        raise QcodeError(f"unknown review order {order!r}; use one of {', '.join(REVIEW_ORDERS)}")
    # sorting is stable: equal scores keep transcript order
    if order == "score":
        return sorted(suggestions, key=lambda s: -s.score)
    if order == "uncertain":
        return sorted(suggestions, key=lambda s: abs(s.score - 0.5))
    return list(suggestions)


def find_suggestion(project: Project, spec: str, *, coder: str) -> StoredSuggestion:
    """``coder``'s pending suggestion named ``TRANSCRIPT:SEGMENT:CODE``."""
    transcript, segment, code = parse_reference(spec, option="--accept/--reject")
    found = suggestions_store.find(project, transcript, segment, code, coder=coder)
    if found is None:
        raise CodingError(
            f"{spec}: no such suggestion; see 'qcode review --list' for your pending ones"
        )
    if found.status != "pending":
        raise CodingError(f"{spec}: you already {found.status} this suggestion")
    return found


def accept(
    project: Project, suggestion: StoredSuggestion, *, coder: str, code: str | None = None,
    provenance: str | None = None, memo: str = "", span: tuple[int, int] | None = None,
) -> Coding:
    """Confirm a suggestion as a coding (of ``span`` in the segment, when given). With
    another ``code`` the coder corrected the machine: the coding is manual and the
    suggested code counts as rejected by them."""
    chosen = code or suggestion.code
    if provenance is None:
        provenance = "suggestion" if chosen == suggestion.code else "manual"
    start, end = span if span is not None else (None, None)
    coding = Coding(transcript=suggestion.transcript, segment=suggestion.segment, code=chosen,
                    coder=coder, provenance=provenance, memo=memo, start=start, end=end)
    with project.atomic():
        codings_store.add(project, [coding])
        suggestions_store.decide(project, suggestion, coder=coder,
                                 status="accepted" if chosen == suggestion.code else "rejected")
    return coding


def reject(project: Project, suggestion: StoredSuggestion, *, coder: str) -> None:
    suggestions_store.decide(project, suggestion, coder=coder, status="rejected")


def reopen(project: Project, suggestion: StoredSuggestion, *, coder: str) -> bool:
    """Make a decided suggestion pending again for ``coder``."""
    return suggestions_store.reopen(project, suggestion.transcript, suggestion.segment,
                                    suggestion.code, coder=coder)


def accept_above(
    project: Project, score: float, *, coder: str, transcripts: Sequence[str] | None = None
) -> list[Coding]:
    """Accept every pending suggestion of ``coder`` scoring at least ``score``, as bulk."""
    if not 0.0 <= score <= 1.0:
        raise CodingError(f"--accept-above {score}: a score lies between 0 and 1")
    accepted = []
    with project.atomic():
        for suggestion in pending_suggestions(project, coder=coder, transcripts=transcripts,
                                              min_score=score):
            accepted.append(accept(project, suggestion, coder=coder, provenance="bulk"))
    return accepted


def check_code(project: Project, code: str) -> None:
    """Raise the usual unknown-code error (with a suggestion) for ``code``."""
    codings_store.References(project).check_code(code)
