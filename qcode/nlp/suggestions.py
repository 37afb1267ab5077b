"""Code suggestions for respondent segments, each with a score, a method and evidence.

For every segment and code, rule evidence (:mod:`qcode.nlp.rules`) and, when a trained
model is given, the model's probability are combined into one score (see
:mod:`qcode.nlp.calibration`). Suggestions at or above ``min_score`` are returned. A
suggestion names the most specific code that passes: when ``trust.information_sharing``
is suggested, ``trust`` is not suggested beside it (it follows from the sub-code, so
matrices at top level still count it); ``trust`` is suggested on its own when its
evidence passes but none of its sub-codes' does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qcode.models import Codebook
from qcode.nlp import calibration
from qcode.nlp.errors import NlpError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from qcode.nlp.model import TrainedModel
    from qcode.nlp.rules import RuleMatcher, RuleScan

RULES = "rules"
MODEL = "model"
RULES_AND_MODEL = "rules+model"
BATCH_SIZE = 256


@dataclass(frozen=True)
class Suggestion:
    """A suggested code for one segment.

    ``evidence`` holds the matched words (reaching to a negation in the same sentence),
    then the sentences they stand in, then words the model leaned on; each is text from
    the segment. ``spans`` are the character offsets of the matched words in the segment
    text, for highlighting.
    """

    transcript: str
    segment: int
    code: str
    score: float
    method: str
    evidence: tuple[str, ...]
    spans: tuple[tuple[int, int], ...] = ()


def suggest(
    codebook: Codebook,
    segments: Iterable[tuple[str, int, str]],
    *,
    model: TrainedModel | Sequence[TrainedModel] | None = None,
    min_score: float | None = None,
    rules: bool = True,
    matcher: RuleMatcher | None = None,
    questions: Mapping[tuple[str, int], str] | None = None,
) -> list[Suggestion]:
    """Suggest codes for ``(transcript, segment number, text)`` respondent segments.

    ``model`` may be one trained model or several (a full-level and a top-level one); a
    code's model probability comes from the first model that has the code. With
    ``rules=False`` only the model speaks (used by evaluation). ``questions`` gives, by
    (transcript, segment number), the interviewer's question a segment answers, which a
    trained model reads as context (see :mod:`qcode.nlp.context`). Results come in
    segment order, then by falling score. The same input always gives the same output.
    """
    return list(
        iter_suggestions(
            codebook, segments, model=model, min_score=min_score, rules=rules, matcher=matcher,
            questions=questions,
        )
    )


def iter_suggestions(
    codebook: Codebook,
    segments: Iterable[tuple[str, int, str]],
    *,
    model: TrainedModel | Sequence[TrainedModel] | None = None,
    min_score: float | None = None,
    rules: bool = True,
    matcher: RuleMatcher | None = None,
    questions: Mapping[tuple[str, int], str] | None = None,
) -> Iterator[Suggestion]:
    """Like :func:`suggest`, yielding suggestions batch by batch (for progress bars)."""
    from qcode.nlp.pipeline import get_pipeline

    if min_score is not None and not 0.0 <= min_score <= 1.0:
        raise NlpError(f"The minimum score must lie between 0 and 1, not {min_score}.")
    scorer, matcher = _prepare(codebook, model, min_score, rules, matcher)
    nlp = get_pipeline()
    for batch in _batches(segments, BATCH_SIZE):
        with _collector_paused():
            texts = [text for _, _, text in batch]
            docs = list(nlp.pipe(texts, batch_size=BATCH_SIZE))
            scan = matcher.scan(docs) if matcher is not None else None
            asked = None
            if questions and scorer.reads_questions and matcher is not None:
                asked = _asked([questions.get((t, n), "") for t, n, _ in batch], matcher)
            made = scorer.score_batch(batch, docs, scan, asked)
            # freed now, not walked by the collection that follows
            del docs, scan, asked
        yield from made


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one batch is scored.

    Scoring a batch makes tens of thousands of small objects (tuples, lists,
    suggestions) and no reference cycles worth collecting, but the collector counts
    them and, every so often, walks every object of the process (a tenth of suggest's
    time on the bench corpus). Paused per batch, it runs between batches instead, as
    often as the objects left over call for; it is never left off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def score_table(
    codebook: Codebook,
    texts: Sequence[str],
    *,
    model: TrainedModel | Sequence[TrainedModel] | None = None,
    rules: bool = True,
    matcher: RuleMatcher | None = None,
    questions: Sequence[str] | None = None,
) -> Any:
    """The score of every code (columns in codebook order) for every text (rows), as
    :func:`suggest` computes it before any threshold: for calibration and evaluation.
    ``questions`` holds the question each text answers ("" where none is known)."""
    import numpy

    from qcode.nlp.pipeline import get_pipeline

    scorer, matcher = _prepare(codebook, model, None, rules, matcher)
    nlp = get_pipeline()
    parts = [numpy.zeros((0, len(scorer.codes)))]
    for start in range(0, len(texts), BATCH_SIZE):
        docs = list(nlp.pipe(texts[start : start + BATCH_SIZE], batch_size=BATCH_SIZE))
        scan = matcher.scan(docs) if matcher is not None else None
        asked = None
        if questions and scorer.reads_questions and matcher is not None:
            asked = _asked(list(questions[start : start + BATCH_SIZE]), matcher)
        parts.append(scorer.scores(docs, scan, asked)[0])
    return numpy.concatenate(parts)


def _asked(questions: list[str], matcher: RuleMatcher) -> tuple[Any, Any] | None:
    """The questions' rule evidence (documents x codes) and which documents have a
    question; None when none has."""
    import numpy

    from qcode.nlp.context import question_evidence

    known = numpy.asarray([bool(question and question.strip()) for question in questions])
    if not known.any():
        return None
    return question_evidence(questions, matcher), known


def _prepare(
    codebook: Codebook,
    model: TrainedModel | Sequence[TrainedModel] | None,
    min_score: float | None,
    rules: bool,
    matcher: RuleMatcher | None,
) -> tuple[_Scorer, RuleMatcher | None]:
    from qcode.nlp.rules import RuleMatcher

    models = _as_list(model)
    for trained in models:
        trained.check_codebook(codebook)
    if not rules and not models:
        raise NlpError("Suggesting without rules needs a trained model.")
    if rules and matcher is None:
        matcher = RuleMatcher(codebook)
    return _Scorer(codebook, models, min_score, rules), matcher


def _as_list(model: TrainedModel | Sequence[TrainedModel] | None) -> list[TrainedModel]:
    if model is None:
        return []
    if isinstance(model, Sequence):
        return list(model)
    return [model]


def _batches(
    segments: Iterable[tuple[str, int, str]], size: int
) -> Iterator[list[tuple[str, int, str]]]:
    batch: list[tuple[str, int, str]] = []
    for segment in segments:
        batch.append(segment)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Scorer:
    """Scores a batch of segments against every code at once, with numpy."""

    def __init__(
        self,
        codebook: Codebook,
        models: list[TrainedModel],
        min_score: float | None,
        rules: bool,
    ) -> None:
        import numpy

        self.codes = list(codebook.ids)
        self.column = {code: i for i, code in enumerate(self.codes)}
        self.models = models
        self.rules = rules
        self.owner: dict[str, TrainedModel] = {}
        for trained in models:
            for label in trained.labels:
                if label in self.column:
                    self.owner.setdefault(label, trained)
        # each code's threshold: the one asked for, else the one its model learnt for
        # the combined score (a model's bare probability keeps the default)
        self.threshold = numpy.full(
            len(self.codes), calibration.DEFAULT_MIN_SCORE if min_score is None else min_score
        )
        if min_score is None and rules:
            for label, trained in self.owner.items():
                self.threshold[self.column[label]] = trained.threshold(label)
        size = len(self.codes)
        self.parent = [
            self.column.get(code.rsplit(".", 1)[0], -1) if "." in code else -1
            for code in self.codes
        ]
        # descendants[i, j]: code j lies below code i
        self.descendants = numpy.zeros((size, size), dtype=bool)
        for j, code in enumerate(self.codes):
            for i, other in enumerate(self.codes):
                if code.startswith(other + "."):
                    self.descendants[i, j] = True
        self.by_model = [
            (
                trained,
                [j for j, label in enumerate(trained.labels) if self.owner.get(label) is trained],
            )
            for trained in models
        ]
        self.reads_questions = rules and any(
            trained.combiner.fitted_on and any(trained.combiner.question_weights)
            for trained in models
        )
        self.asked_threshold = self.threshold.copy()
        if min_score is None and rules:
            for label, trained in self.owner.items():
                self.asked_threshold[self.column[label]] = trained.threshold(label, asked=True)
        """Whether a model weighs the question before a turn (else none is read)."""

    def scores(
        self, docs: list[Doc], scan: RuleScan | None, asked: Any = None
    ) -> tuple[Any, Any, Any, Any]:
        """Scores, model probabilities (-1 where no model speaks), distinct rule terms and
        pattern matches, each documents x codes; ``asked``: the rule evidence of each
        document's question (documents x codes) and which documents have a question
        (see :func:`_asked`), None when no question is known."""
        import numpy

        n, size = len(docs), len(self.codes)
        if scan is not None:
            terms, patterns = scan.terms, scan.patterns
        else:
            terms = patterns = numpy.zeros((n, size))
        lengths = numpy.asarray([len(doc) for doc in docs])
        if self.rules and scan is not None:
            scores = calibration.rule_scores(terms, patterns, lengths)
        else:
            scores = numpy.zeros((n, size))
        probability = numpy.full((n, size), -1.0)
        inputs = _tokens(docs, scan) if self.models else None
        names = scan.term_names() if scan is not None and self.models else []
        for trained, kept in self.by_model:
            if not kept or inputs is None:
                continue
            predicted = trained.predict_tokens(*inputs)[:, kept]
            columns = [self.column[trained.labels[j]] for j in kept]
            probability[:, columns] = predicted
            if scan is None:
                scores[:, columns] = predicted
            elif trained.combiner.fitted_on:
                rules = trained.reliability.probabilities(scan.triples, names, self.codes, n)
                scores[:, columns] = trained.combiner.scores(
                    predicted, rules[:, columns], lengths[:, None],
                    [trained.labels[j] for j in kept],
                    None if asked is None else asked[0][:, columns],
                )
            else:
                base = [trained.base_rate(trained.labels[j]) for j in kept]
                scores[:, columns] = calibration.prior_scores(
                    scores[:, columns], predicted, numpy.asarray(base)
                )
        # a sub-code is never more likely than its parent (codes come parents first)
        for column, parent in enumerate(self.parent):
            if parent >= 0:
                numpy.minimum(scores[:, column], scores[:, parent], out=scores[:, column])
        return scores, probability, terms, patterns

    def score_batch(
        self,
        batch: list[tuple[str, int, str]],
        docs: list[Doc],
        scan: RuleScan | None,
        asked: Any = None,
    ) -> list[Suggestion]:
        import numpy

        scores, probability, terms, patterns = self.scores(docs, scan, asked)
        threshold = numpy.broadcast_to(self.threshold, scores.shape)
        if asked is not None:
            # a turn whose question is known is held to the thresholds chosen for such turns
            threshold = numpy.where(asked[1][:, None], self.asked_threshold, self.threshold)
        passed = (scores >= threshold) & (scores > 0)
        # name the most specific code that passes: drop a code whose sub-code passes
        shown = passed & ~((passed.astype("int8") @ self.descendants.T.astype("int8")) > 0)
        hit_rows, hit_columns = numpy.nonzero(shown)
        # what each suggestion needs, read from the arrays at once
        at = (hit_rows, hit_columns)
        ruled_at = ((terms[at] > 0) | (patterns[at] > 0)).tolist()
        model_at = (probability[at] >= 0.5).tolist()
        score_at = [round(value, 4) for value in scores[at].tolist()]
        chosen: dict[int, list[int]] = {}
        for k, row in enumerate(hit_rows.tolist()):
            chosen.setdefault(row, []).append(k)
        columns_at = hit_columns.tolist()
        result: list[Suggestion] = []
        for row, ks in chosen.items():
            transcript, number, text = batch[row]
            ruled = [self.codes[columns_at[k]] for k in ks if ruled_at[k]]
            hits = scan.shown(row, ruled) if scan and ruled else []
            made = []
            for k in ks:
                column = columns_at[k]
                code = self.codes[column]
                by_rules = ruled_at[k]
                # the words a model leaned on are shown when no rule words are
                model_spans = self._model_spans(code, docs[row]) if not by_rules else []
                prefix = code + "."
                own = [h for h in hits if h[0] == code or h[0].startswith(prefix)]
                texts, spans = _evidence(own, model_spans, text)
                score = score_at[k]
                made.append(
                    (
                        -score,
                        column,
                        Suggestion(
                            transcript=transcript,
                            segment=number,
                            code=code,
                            score=score,
                            method=_method(by_rules, model_at[k]),
                            evidence=texts,
                            spans=spans,
                        ),
                    )
                )
            made.sort(key=lambda item: item[:2])
            result.extend(item[2] for item in made)
        return result

    def _model_spans(self, code: str, doc: Doc) -> list[tuple[int, int]]:
        from spacy.attrs import IDX, LENGTH, LOWER

        from qcode.nlp.features import model_words, token_words

        trained = self.owner.get(code)
        if trained is None:
            return []
        leaning = trained.supporting_words(model_words(doc), code)
        if not leaning:
            return []
        table = doc.to_array([LOWER, IDX, LENGTH]).tolist()
        strings = doc.vocab.strings
        spans: list[tuple[int, int]] = []
        for word in leaning:
            for lower, start, length in table:
                if word in token_words(strings[lower]):
                    spans.append((start, start + length))
                    break
        return spans


def _tokens(
    docs: list[Doc], scan: RuleScan | None
) -> tuple[Any, Any, int, Any, Any, Sequence[str], Any]:
    """What :meth:`TrainedModel.predict_tokens` reads: the tokens' lowercase forms and
    documents (from the rule scan's arrays when there is one, with the distinct forms
    it found) and the rule evidence."""
    import numpy
    from spacy.attrs import LOWER

    unique = None
    if scan is not None:
        lowers, rows = scan.batch.lowers, scan.batch.rows
        terms, codes = scan.terms, scan.matcher.codes
        unique = scan.batch.unique
    else:
        lowers = numpy.concatenate(
            [doc.to_array(LOWER) for doc in docs] + [numpy.zeros(0, dtype="uint64")]
        )
        rows = numpy.repeat(numpy.arange(len(docs)), [len(doc) for doc in docs])
        terms, codes = None, []
    strings = docs[0].vocab.strings if docs else None
    return lowers, rows, len(docs), strings, terms, codes, unique


def _method(by_rules: bool, by_model: bool) -> str:
    if by_rules and by_model:
        return RULES_AND_MODEL
    return RULES if by_rules else MODEL


def _evidence(
    hits: list[tuple[str, int, int, int, int]], model_spans: list[tuple[int, int]], text: str
) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """The matched words (a span inside another matched span is left out), then their
    sentences, then the words the model leaned on; and the character spans of the
    words. ``hits`` are as :meth:`~qcode.nlp.rules.RuleScan.shown` gives them."""
    spans: list[tuple[int, int]] = []
    # in order of start (longest first), a span lies inside an earlier one exactly when
    # it ends before the furthest end so far
    furthest = -1
    for start, end in sorted({(h[1], h[2]) for h in hits},
                             key=lambda span: (span[0], -span[1])):
        if end > furthest:
            spans.append((start, end))
            furthest = end
    texts = [text[start:end] for start, end in spans]
    for hit in hits:
        sentence = text[hit[3] : hit[4]]
        if sentence and sentence not in texts:
            texts.append(sentence)
    for start, end in model_spans:
        if (start, end) not in spans:
            spans.append((start, end))
            texts.append(text[start:end])
    unique = list(dict.fromkeys(texts))
    return tuple(unique), tuple(spans)
