"""How long `qcode train` takes on 5,000 coded segments (issue target: at most a minute).

The segments are the shipped sample's respondent turns with their reference codes,
drawn with a fixed seed and with their sentences shuffled, spread over 100 pseudo
transcripts (so calibration folds by transcript work as in a real project). Prints the
seconds for the top-level model, the full-level model, and both.

Run: ``python bench/train_speed.py [--segments N] [--seed S]``
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2018)
    options = parser.parse_args()

    from qcode.codebook import load_codebook
    from qcode.nlp import TrainingExample, train_model
    from qcode.transcripts import parse_file

    codebook = load_codebook(ROOT / "codebooks" / "veiligheidshuis.yaml")
    codes: dict[tuple[str, int], set[str]] = {}
    with (SAMPLE / "codings.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes.setdefault((row["transcript"], int(row["segment"])), set()).add(row["code"])
    turns = [
        (s.text, frozenset(codes.get((path.stem, s.number), set())))
        for path in sorted(SAMPLE.glob("*.txt"))
        for s in parse_file(path).segments
        if not s.interviewer
    ]
    rng = random.Random(options.seed)
    examples = []
    for i in range(options.segments):
        text, positive = rng.choice(turns)
        sentences = SENTENCE_END.split(text)
        rng.shuffle(sentences)
        examples.append(TrainingExample(text=" ".join(sentences), positive=positive,
                                        group=f"t{i % 100:03d}"))
    words = sum(len(e.text.split()) for e in examples)
    print(f"training data: {len(examples):,} segments, {words:,} words (seed {options.seed})")
    total = 0.0
    for level in ("top", "full"):
        started = time.perf_counter()
        model = train_model(examples, codebook, level=level, skip_rare=True)
        seconds = time.perf_counter() - started
        total += seconds
        print(f"{level:4} level: {len(model.labels):3} codes, {seconds:5.1f} s")
    print(f"both levels (what 'qcode train' does): {total:.1f} s (target: at most 60 s)")


if __name__ == "__main__":
    main()
