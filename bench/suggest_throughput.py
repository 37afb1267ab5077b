"""Suggestion throughput against a bare floor, on a corpus built from the shipped sample.

The corpus (at least 300,000 words) is made of new respondent turns: the sentences of
the sample's respondent turns, reshuffled with a fixed seed into turns of the sample's
own lengths, so no turn is a copy of another. In the same run this times

- the floor: spaCy's blank Dutch tokenizer plus a simplemma lemma for every token;
- ``qcode.nlp.suggest``: rules, plus the models ``qcode train`` would make (top level and
  full level, with each turn's question) when the sample's reference codings exist, once
  on the turns alone and once with each turn after one of the sample's interviewer
  questions (which the models then read, as ``qcode suggest`` does in a project),

each once to warm caches on a slice and then ``--repeat`` times on the whole corpus (the
best time of each counts), and prints words per second of each, their ratio and the time
the 32-house replication corpus (about 2.5 million words) would take.

Run: ``python bench/suggest_throughput.py [--words N] [--seed S] [--repeat R]``
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "veiligheidshuis.yaml"
REPLICATION_WORDS = 2_500_000
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def respondent_turns() -> list[tuple[str, int, str]]:
    from qcode.transcripts import parse_file

    turns = []
    for path in sorted(SAMPLE.glob("*.txt")):
        transcript = parse_file(path)
        turns.extend(
            (transcript.id, segment.number, segment.text)
            for segment in transcript.segments
            if segment.codable
        )
    return turns


def sample_questions() -> dict[tuple[str, int], str]:
    """The interviewer's question before each respondent turn of the sample, as the store
    gives them to ``qcode train`` and ``qcode suggest``."""
    from qcode.transcripts import parse_file

    found: dict[tuple[str, int], str] = {}
    for path in sorted(SAMPLE.glob("*.txt")):
        transcript = parse_file(path)
        asked: list[str] = []
        for segment in transcript.segments:
            if segment.interviewer:
                asked.append(segment.text)
                continue
            if asked:
                found[(transcript.id, segment.number)] = " ".join(asked)
            asked = []
    return found


def build_corpus(turns: list[tuple[str, int, str]], words: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sentences = [s for _, _, text in turns for s in SENTENCE_END.split(text) if s.strip()]
    lengths = [max(1, len(SENTENCE_END.split(text))) for _, _, text in turns]
    corpus: list[str] = []
    total = 0
    while total < words:
        turn = " ".join(rng.choice(sentences) for _ in range(rng.choice(lengths)))
        corpus.append(turn)
        total += len(turn.split())
    return corpus


def train_models(turns: list[tuple[str, int, str]], codebook):  # type: ignore[no-untyped-def]
    from qcode.nlp import TrainingExample, train_model

    path = SAMPLE / "codings.csv"
    if not path.exists():
        return []
    codes: dict[tuple[str, int], set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            codes.setdefault((row["transcript"], int(row["segment"])), set()).add(row["code"])
    asked = sample_questions()
    examples = [
        TrainingExample(text, frozenset(codes.get((t, n), ())), group=t,
                        context=asked.get((t, n), ""))
        for t, n, text in turns
    ]
    return [
        train_model(examples, codebook, level="full", skip_rare=True),
        train_model(examples, codebook, level="top", skip_rare=True),
    ]


def floor(texts: list[str]) -> None:
    import simplemma
    import spacy

    nlp = spacy.blank("nl")
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        for token in doc:
            simplemma.lemmatize(token.text, lang="nl")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from qcode.codebook import load_codebook
    from qcode.nlp import suggest
    from qcode.nlp.rules import RuleMatcher

    codebook = load_codebook(CODEBOOK)
    turns = respondent_turns()
    texts = build_corpus(turns, args.words, args.seed)
    words = sum(len(text.split()) for text in texts)
    segments = [("bench", number, text) for number, text in enumerate(texts, start=1)]
    models = train_models(turns, codebook)
    matcher = RuleMatcher(codebook)
    warm = max(1, len(texts) // 50)
    # each turn after one of the sample's questions, as in an interview
    rng = random.Random(args.seed)
    pool = sorted(set(sample_questions().values()))
    questions = {("bench", number): rng.choice(pool) for _, number, _ in segments}

    floor(texts[:warm])
    suggest(codebook, segments[:warm], model=models, matcher=matcher, questions=questions)
    floor_seconds = suggest_seconds = asked_seconds = float("inf")
    suggestions = []
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        floor(texts)
        floor_seconds = min(floor_seconds, time.perf_counter() - started)
        started = time.perf_counter()
        suggestions = suggest(codebook, segments, model=models, matcher=matcher)
        suggest_seconds = min(suggest_seconds, time.perf_counter() - started)
        started = time.perf_counter()
        suggest(codebook, segments, model=models, matcher=matcher, questions=questions)
        asked_seconds = min(asked_seconds, time.perf_counter() - started)

    floor_rate = words / floor_seconds
    suggest_rate = words / suggest_seconds
    asked_rate = words / asked_seconds
    question_words = sum(len(questions[(t, n)].split()) for t, n, _ in segments)
    print(f"corpus: {len(texts):,} turns, {words:,} words (seed {args.seed})")
    print(f"models: {', '.join(m.level + ' (' + str(len(m.labels)) + ' codes)' for m in models)}"
          if models else "models: none (no reference codings): rules only")
    print(f"floor   (tokenizer + simplemma): {floor_rate:>10,.0f} words/s")
    print(f"suggest ({len(suggestions):,} suggestions): {suggest_rate:>10,.0f} words/s")
    print(f"ratio suggest/floor: {suggest_rate / floor_rate:.2f}")
    if models:
        print(f"suggest with each turn's question ({question_words:,} more words to read): "
              f"{asked_rate:>10,.0f} words/s of turns, ratio {asked_rate / floor_rate:.2f}")
    print(
        f"2.5 million words: suggest {REPLICATION_WORDS / suggest_rate:.0f} s, "
        f"floor {REPLICATION_WORDS / floor_rate:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
