"""How good the suggestions are, measured three ways that a change must not trade off.

A change to the suggestions is judged on text it was not fitted on. ``qcode evaluate``
cross-validates by transcript, but one split of six interviews into five folds moves
micro F1 by about 0.015, and every choice made while looking at it fits the sample a
little. So this script reports, for the rules and model combined (what ``qcode
suggest`` does after ``qcode train``) on the shipped sample (coder ``ref``):

- **cross-validation**: ``qcode.nlp.evaluate`` over several fold seeds (each a different
  split and training order), at top level and at full level: mean micro and macro F1,
  the lowest and highest micro F1, and the expected calibration error over every
  (segment, code) score and over those of 0.2 and up;
- **leave one house out**: trained on one Veiligheidshuis's transcripts (with their
  questions), tested on the other house's, both ways, three training seeds: a new house
  is what a replication meets;
- **the codebook's example quotes** as unseen short text: both levels trained as ``qcode
  train`` does on the whole sample, with the examples left out of the codebook (so out
  of the seed examples), then each quote suggested on its own (no question) with both
  models, as ``qcode suggest`` runs: micro and macro F1 of what lands at top and full
  level, and how often the best-scored top-level code is the quote's.

Run: ``python bench/suggest_quality.py [--seeds 6] [--no-full]`` (about two minutes).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qcode.models import Codebook
    from qcode.nlp import TrainedModel

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "veiligheidshuis.yaml"


@dataclasses.dataclass(frozen=True)
class Turn:
    transcript: str
    house: str
    segment: int
    text: str
    question: str
    codes: frozenset[str]


def sample_turns() -> list[Turn]:
    """The sample's respondent turns with the reference coding and their questions."""
    from qcode.transcripts import parse_file

    codes: dict[tuple[str, int], set[str]] = {}
    with (SAMPLE / "codings.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["coder"] == "ref":
                codes.setdefault((row["transcript"], int(row["segment"])), set()).add(row["code"])
    turns = []
    for path in sorted(SAMPLE.glob("*.txt")):
        transcript = parse_file(path)
        house = transcript.metadata.get("case", "")
        asked: list[str] = []
        for segment in transcript.segments:
            if segment.interviewer:
                asked.append(segment.text)
                continue
            coded = frozenset(codes.get((transcript.id, segment.number), ()))
            turns.append(Turn(transcript.id, house, segment.number, segment.text,
                              " ".join(asked), coded))
            asked = []
    return turns


def cross_validation(
    codebook: Codebook, turns: list[Turn], level: str, seeds: int
) -> list[tuple[float, float, float, float]]:
    from qcode.nlp import evaluate
    from qcode.nlp.evaluation import CodedSegment

    segments = [CodedSegment(t.transcript, t.segment, t.text, t.codes, context=t.question)
                for t in turns]
    rows = []
    for seed in range(seeds):
        report = evaluate(codebook, segments, level=level, seed=seed, methods=("combined",))
        method, reliability = report.methods["combined"], report.calibration["combined"]
        rows.append((method.micro.f1, method.macro_f1, reliability.ece,
                     reliability.ece_suggestible))
    return rows


def f1_scores(truth: Sequence[set[str]], found: Sequence[set[str]],
              labels: Sequence[str]) -> tuple[float, float]:
    """Micro and macro F1 over (item, code) pairs, counted as ``qcode evaluate`` counts."""
    from qcode.nlp.evaluation import score_pairs

    report = score_pairs("check", labels, dict(enumerate(truth)), dict(enumerate(found)))
    return report.micro.f1, report.macro_f1


def suggested(
    codebook: Codebook, models: list[TrainedModel], items: list[tuple[str, str]], level: str
) -> list[set[str]]:
    from qcode.nlp import levels, suggest

    questions = {("q", n): question for n, (_, question) in enumerate(items) if question}
    found: list[set[str]] = [set() for _ in items]
    for s in suggest(codebook, [("q", n, text) for n, (text, _) in enumerate(items)],
                     model=models, questions=questions):
        found[s.segment].update(levels.at_level([s.code], level))
    return found


def one_house_out(
    codebook: Codebook, turns: list[Turn], seeds: int = 3
) -> list[tuple[float, float]]:
    from qcode.nlp import TrainingExample, levels, train_model

    rows = []
    houses = sorted({t.house for t in turns})
    for house in houses:
        train = [t for t in turns if t.house == house]
        test = [t for t in turns if t.house != house]
        for seed in range(seeds):
            model = train_model(
                [TrainingExample(t.text, t.codes, group=t.transcript, context=t.question)
                 for t in train],
                codebook, level="top", skip_rare=True, seed=seed,
                unlabeled=[t.text for t in turns],
            )
            found = suggested(codebook, [model], [(t.text, t.question) for t in test], "top")
            truth = [levels.at_level(t.codes, "top") for t in test]
            rows.append(f1_scores(truth, found, levels.labels(codebook, "top")))
    return rows


def example_quotes(
    codebook: Codebook, turns: list[Turn], seeds: int = 3
) -> tuple[list[list[float]], int]:
    import numpy

    from qcode.nlp import TrainingExample, levels, train_model
    from qcode.nlp.suggestions import score_table

    without = dataclasses.replace(
        codebook, codes=tuple(dataclasses.replace(c, examples=()) for c in codebook.codes)
    )
    quotes = [(example, code.id) for code in codebook.codes for example in code.examples]
    tops = levels.labels(codebook, "top")
    columns = [codebook.ids.index(code) for code in tops]
    rows = []
    for seed in range(seeds):
        examples = [TrainingExample(t.text, t.codes, group=t.transcript, context=t.question)
                    for t in turns]
        models = [train_model(examples, without, level=level, skip_rare=True, seed=seed,
                              unlabeled=[t.text for t in turns])
                  for level in ("full", "top")]
        row: list[float] = []
        for level in ("top", "full"):
            found = suggested(without, models, [(quote, "") for quote, _ in quotes], level)
            truth = [levels.at_level([code], level) for _, code in quotes]
            row.extend(f1_scores(truth, found, levels.labels(codebook, level)))
        table = score_table(without, [quote for quote, _ in quotes], model=models)
        best = [tops[int(numpy.argmax(scores[columns]))] for scores in table]
        row.append(statistics.mean(
            b == code.split(".", 1)[0] for b, (_, code) in zip(best, quotes, strict=True)
        ))
        rows.append(row)
    return rows, len(quotes)


def mean(rows: Sequence[Sequence[float]], column: int) -> float:
    return statistics.mean(row[column] for row in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6,
                        help="fold seeds at top level (full level: half as many)")
    parser.add_argument("--no-full", action="store_true", help="skip the full level")
    args = parser.parse_args()

    from qcode.codebook import load_codebook

    started = time.perf_counter()
    codebook = load_codebook(CODEBOOK)
    turns = sample_turns()
    print(f"sample: {len(turns)} respondent turns, {len({t.transcript for t in turns})} "
          f"transcripts, {len({t.house for t in turns})} houses (coder ref)")
    levels = ("top",) if args.no_full else ("top", "full")
    for level in levels:
        seeds = args.seeds if level == "top" else max(1, args.seeds // 2)
        rows = cross_validation(codebook, turns, level, seeds)
        micro = [row[0] for row in rows]
        print(f"cross-validation, {level} level, fold seeds 0-{seeds - 1}: micro F1 "
              f"{mean(rows, 0):.3f} ({min(micro):.3f}-{max(micro):.3f}), macro F1 "
              f"{mean(rows, 1):.3f}; calibration error {mean(rows, 2):.3f} over every "
              f"score, {mean(rows, 3):.3f} over scores of 0.2 and up")
    house = one_house_out(codebook, turns)
    print(f"one house out (top level, both ways, 3 training seeds): micro F1 "
          f"{mean(house, 0):.3f}, macro F1 {mean(house, 1):.3f}")
    quotes, count = example_quotes(codebook, turns)
    print(f"codebook example quotes ({count}, unseen, no question; 3 training seeds): "
          f"top micro/macro F1 {mean(quotes, 0):.3f}/{mean(quotes, 1):.3f}, full "
          f"{mean(quotes, 2):.3f}/{mean(quotes, 3):.3f}, best-scored top code right "
          f"{mean(quotes, 4):.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
