"""The interviewer's question before a respondent's turn, as context for its codes.

A respondent mostly answers what was asked, so the question says which codes a turn is
likely about: on the shipped sample, a code the question's words point to (by the
codebook's keywords and patterns, as in :mod:`qcode.nlp.rules`) is given to the answer
far more often than other codes, and most often when the answer takes those words up.
The question is only context: it is never coded and never suggested, and it enters a
turn's score through two weights of the :class:`~qcode.nlp.calibration.Combiner`
(fitted on the project's own coding), so a turn without a known question (a quote on
its own) is scored as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qcode.nlp.rules import RuleMatcher

BATCH_SIZE = 256


def question_evidence(questions: Sequence[str], matcher: RuleMatcher) -> Any:
    """Per question (rows) and code of ``matcher`` (columns), whether the question has
    rule evidence for the code; an empty question has none."""
    import numpy

    from qcode.nlp.pipeline import get_pipeline

    found = numpy.zeros((len(questions), len(matcher.codes)), dtype=bool)
    asked = [row for row, question in enumerate(questions) if question and question.strip()]
    nlp = get_pipeline()
    for start in range(0, len(asked), BATCH_SIZE):
        rows = asked[start : start + BATCH_SIZE]
        docs = list(nlp.pipe([questions[row] for row in rows], batch_size=BATCH_SIZE))
        scan = matcher.scan(docs)
        found[rows] = (scan.terms > 0) | (scan.patterns > 0)
    return found
