"""Training examples written by the codebook itself, for a model before (and beside) codings.

A codebook already says what each code is about: its label and description, what it
includes, its example quotes and its keywords. Each of these becomes a short training
text that has the code (and, by the level rules of :mod:`qcode.nlp.levels`, its
ancestors) and not the codes of other branches; a code's ``exclude`` text becomes a text
that does *not* have the code (and says nothing about the others, since it usually
describes what another code is for).

Seeds weigh less as real codings arrive: each counts :func:`seed_weight` of a coded
segment, so on an empty project they are all there is, and on a coded project the
coder's own decisions dominate.
"""

from __future__ import annotations

import re

from qcode.models import Code, Codebook
from qcode.nlp.examples import TrainingExample
from qcode.nlp.levels import ancestors

SEED_GROUP = "\x00codebook"
"""The group of every seed example: never a transcript name, so seeds are never held out."""

SEED_WEIGHT = 1.0
"""What one seed counts for on a project with no codings, against one coded segment."""
SEED_HALF_LIFE = 50
"""After this many coded segments a seed counts half of :data:`SEED_WEIGHT`."""

_REFERENCE = re.compile(r"\((?:gebruik|use|zie|see)\b[^)]*\)", re.IGNORECASE)


def seed_weight(coded_segments: int) -> float:
    """The weight of one seed example beside ``coded_segments`` real ones."""
    return SEED_WEIGHT * SEED_HALF_LIFE / (SEED_HALF_LIFE + max(0, coded_segments))


def seed_examples(codebook: Codebook, *, weight: float = SEED_WEIGHT) -> list[TrainingExample]:
    """The codebook's own training examples (see the module docstring)."""
    found: list[TrainingExample] = []
    for code in codebook.codes:
        positive = frozenset({code.id})
        # not the codes of other branches; the code's own sub-codes stay open (a
        # description of trust says nothing about which kind of trust)
        lineage = {code.id, *ancestors(code.id)}
        others = frozenset(
            c for c in codebook.ids if c not in lineage and not c.startswith(code.id + ".")
        )
        for text in _positive_texts(code):
            found.append(
                TrainingExample(
                    text=text,
                    positive=positive,
                    negative=others,
                    exhaustive=False,
                    group=SEED_GROUP,
                    weight=weight,
                )
            )
        exclude = _without_references(code.exclude)
        if exclude:
            found.append(
                TrainingExample(
                    text=exclude,
                    negative=positive,
                    exhaustive=False,
                    group=SEED_GROUP,
                    weight=weight,
                )
            )
    return found


def _positive_texts(code: Code) -> list[str]:
    texts = [f"{code.label}. {code.description}".strip(" ."), code.include, *code.examples]
    if code.keywords:
        texts.append(", ".join(code.keywords))
    return [text.strip() for text in texts if text and text.strip()]


def _without_references(text: str) -> str:
    """Exclude text without its pointers to other codes ("(gebruik members)"): the code
    ids are not Dutch words and would only teach the model noise."""
    return " ".join(_REFERENCE.sub(" ", text).split())
