"""The learning curve on constructed data: it rises as a model gets more to learn from."""

from __future__ import annotations

import random

import pytest

from qcode.models import Code, Codebook
from qcode.nlp import CodedSegment, NlpError
from qcode.nlp.curve import curve_sizes, learning_curve

# No keywords: the rules can find nothing, so whatever the curve shows is learnt.
PLAIN = Codebook(
    name="plain",
    codes=(
        Code(id="capacity", label="Capaciteit"),
        Code(id="dialogue", label="Dialoog"),
    ),
)

TALK = {
    "capacity": [
        "De werkdruk bij het basisteam is enorm hoog.",
        "Agenten hebben er eigenlijk geen tijd voor, de roosters zitten vol.",
        "Er zijn te weinig mensen voor al die diensten.",
        "Het team draait overuren en de bezetting is krap.",
    ],
    "dialogue": [
        "Ik bel de wijkagent gewoon even op.",
        "We spreken elkaar elke week bij de koffie.",
        "Het contact met de reclassering loopt via de liaison.",
        "Als er iets is, appen we elkaar meteen.",
    ],
    "": [
        "Dat weet ik eigenlijk niet precies.",
        "Ik werk hier nu drie jaar.",
        "Nou ja, zo gaat dat hier.",
    ],
}


def segments(transcripts: int = 5, per_transcript: int = 9) -> list[CodedSegment]:
    rng = random.Random(4)
    found = []
    for t in range(transcripts):
        for n in range(per_transcript):
            code = ("capacity", "dialogue", "")[n % 3]
            text = f"{rng.choice(TALK[code])} {rng.choice(TALK[''])}"
            found.append(CodedSegment(f"t{t + 1}", 2 * n + 2, text,
                                      frozenset({code} if code else set())))
    return found


def test_the_curve_rises_with_coded_transcripts() -> None:
    curve = learning_curve(PLAIN, segments(), orderings=2, epochs=6)
    assert [p.transcripts for p in curve.points] == [0, 1, 2, 3, 4]
    assert curve.transcripts == 5 and curve.orderings == 2
    first, last = curve.points[1], curve.points[-1]
    assert last.micro_f1 > first.micro_f1
    assert last.micro_f1 >= 0.8
    for point in curve.points:
        assert point.rules_micro_f1 == 0.0  # no keywords: the rules find nothing
        assert point.lowest_micro_f1 <= point.micro_f1 <= point.highest_micro_f1
    assert curve.points[0].orderings == 1  # the codebook alone is the same in any order
    # one transcript (9 turns) is too little to trust the model much; two are enough
    assert curve.pays_off_after is not None and curve.pays_off_after <= 2


def test_curve_sizes_leave_a_transcript_to_test_on() -> None:
    assert curve_sizes(1) == [0]
    assert curve_sizes(6) == [0, 1, 2, 3, 4, 5]
    many = curve_sizes(320)
    assert many[0] == 0 and many[-1] == 319 and len(many) <= 15
    assert many == sorted(set(many))


def test_the_curve_refuses_what_it_cannot_measure() -> None:
    with pytest.raises(NlpError, match="at least two transcripts"):
        learning_curve(PLAIN, segments(transcripts=1))
    with pytest.raises(NlpError, match="leave a transcript"):
        learning_curve(PLAIN, segments(transcripts=3), sizes=[0, 3])
    with pytest.raises(NlpError, match="at least one ordering"):
        learning_curve(PLAIN, segments(transcripts=3), orderings=0)
