"""Cross-validation folds by transcript, shared by training (calibration) and evaluation."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

from qcode.nlp.errors import NlpError

DEFAULT_FOLDS = 5


@dataclass(frozen=True)
class Fold:
    """One cross-validation fold: which transcripts train and which test."""

    number: int
    train: frozenset[str]
    test: frozenset[str]



def folds(groups: Iterable[str], *, k: int = DEFAULT_FOLDS, seed: int = 0) -> list[Fold]:
    """Split transcripts into ``k`` folds of about equal size in segments.

    ``groups`` holds the transcript of every segment (repeats give a transcript its size).
    With fewer transcripts than ``k`` every transcript becomes its own test fold.
    """
    sizes: dict[str, int] = {}
    for group in groups:
        sizes[group] = sizes.get(group, 0) + 1
    if len(sizes) < 2:
        raise NlpError(
            "Cross-validation by transcript needs coded segments in at least two "
            f"transcripts; there {'is' if len(sizes) == 1 else 'are'} {len(sizes)}."
        )
    if k < 2:
        raise NlpError(f"Cross-validation needs at least 2 folds, not {k}.")
    k = min(k, len(sizes))
    rng = random.Random(seed)
    tie = {name: rng.random() for name in sorted(sizes)}
    order = sorted(sizes, key=lambda name: (-sizes[name], tie[name]))
    members: list[set[str]] = [set() for _ in range(k)]
    load = [0] * k
    for name in order:
        target = min(range(k), key=lambda i: (load[i], i))
        members[target].add(name)
        load[target] += sizes[name]
    everything = frozenset(sizes)
    return [
        Fold(number=i + 1, train=everything - frozenset(test), test=frozenset(test))
        for i, test in enumerate(members)
    ]
