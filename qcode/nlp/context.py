"""The interviewer's question before a respondent's turn, as context for its codes.

A respondent mostly answers what was asked, so the question says which codes a turn is
likely about: on the shipped sample, a code the question's words point to (by the
codebook's keywords, as in :mod:`qcode.nlp.rules`) is given to the answer far more often
than other codes, and most often when the answer takes those words up.
The question is only context: it is never coded and never suggested, and it enters a
turn's score through two weights of the :class:`~qcode.nlp.calibration.Combiner`
(fitted on the project's own coding), so a turn without a known question (a quote on
its own) is scored as before.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qcode.models import Codebook
from qcode.nlp.examples import TrainingExample

if TYPE_CHECKING:
    from qcode.nlp.rules import RuleMatcher

BATCH_SIZE = 256
SEPARATOR = "\n\n"


def question_evidence(questions: Sequence[str], matcher: RuleMatcher) -> Any:
    """Per question (rows) and code of ``matcher`` (columns), whether the question has
    one of the code's keywords (or a sub-code's), as a lemma or inside a compound; an
    empty question has none. Phrases and patterns are not looked for: a question is
    short and its keywords say what it is about.

    spaCy's cost is mostly per document, so up to :data:`BATCH_SIZE` questions are read
    as one text, apart by :data:`SEPARATOR`, and each keyword is given to the question
    it stands in."""
    import numpy

    from qcode.nlp.pipeline import get_pipeline

    found = numpy.zeros((len(questions), len(matcher.codes)), dtype=bool)
    asked = [row for row, question in enumerate(questions) if question and question.strip()]
    nlp = get_pipeline()
    for start in range(0, len(asked), BATCH_SIZE):
        rows = asked[start : start + BATCH_SIZE]
        texts = [questions[row] for row in rows]
        begins = [0]
        for text in texts[:-1]:
            begins.append(begins[-1] + len(text) + len(SEPARATOR))
        # keywords are found by their forms: the tokenizer is all the pipeline needed
        doc = nlp.tokenizer(SEPARATOR.join(texts))
        for offset, columns in matcher.keyword_columns(doc):
            found[rows[bisect_right(begins, offset) - 1], list(columns)] = True
    return found


def question_columns(
    examples: Sequence[TrainingExample], codebook: Codebook, labels: list[str]
) -> Any:
    """Whether each example's question has keywords of each label (see
    :func:`question_evidence`); None when no example has a question."""
    if not any(example.context for example in examples):
        return None
    from qcode.nlp.rules import RuleMatcher

    matcher = RuleMatcher(codebook)
    found = question_evidence([example.context for example in examples], matcher)
    return found[:, [matcher.codes.index(label) for label in labels]]
