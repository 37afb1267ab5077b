"""Synthetic corpora for the benchmarks, built from the shipped sample with a fixed seed.

Each transcript is new: interviewer questions from the sample, and respondent turns of
the sample's own lengths made of its sentences reshuffled. Used by ``scale.py`` and
``report_speed.py`` (run them as ``python bench/NAME.py`` so this module is importable).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sample_turns() -> tuple[list[str], list[str], list[int]]:
    """The sample's interviewer questions, respondent sentences and turn lengths."""
    from qcode.demo import sample_root
    from qcode.transcripts import parse_file

    questions, sentences, lengths = [], [], []
    for path in sorted((sample_root() / "transcripts_sample").glob("*.txt")):
        for segment in parse_file(path).segments:
            if segment.interviewer:
                questions.append(" ".join(segment.text.split()))
            else:
                parts = [s for s in SENTENCE_END.split(" ".join(segment.text.split())) if s]
                sentences.extend(parts)
                lengths.append(max(1, len(parts)))
    return questions, sentences, lengths


def write_corpus(
    folder: Path, *, transcripts: int, words: int, seed: int, per_house: int,
    roles: Sequence[str], count_questions: bool = True,
) -> int:
    """Write ``transcripts`` interviews (``per_house`` per Veiligheidshuis) and a
    respondents.csv into ``folder``; return the number of words written (respondent
    words only when ``count_questions`` is False). Houses alternate between the waves
    2018 and 2026, so a second grouping has something to compare."""
    rng = random.Random(seed)
    questions, sentences, lengths = sample_turns()
    per_transcript = words // transcripts + 1
    total = 0
    rows = ["respondent,transcript,case,role,wave"]
    for number in range(transcripts):
        house, seat = divmod(number, per_house)
        transcript = f"vh{house + 1:02d}-r{seat + 1:02d}"
        case = f"Veiligheidshuis {house + 1:02d}"
        role = roles[seat % len(roles)]
        respondent = f"R{number + 1:04d}"
        rows.append(f"{respondent},{transcript},{case},{role},{2026 if house % 2 else 2018}")
        lines = ["---", f"respondent: {respondent}", f"case: {case}", f"role: {role}",
                 "interviewer: [I]", "---", ""]
        written = 0
        while written < per_transcript:
            question = rng.choice(questions)
            turn = " ".join(rng.choice(sentences) for _ in range(rng.choice(lengths)))
            lines += [f"I: {question}", "", f"R: {turn}", ""]
            written += len(turn.split()) + (len(question.split()) if count_questions else 0)
        total += written
        (folder / f"{transcript}.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "respondents.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return total
