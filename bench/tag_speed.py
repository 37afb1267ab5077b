"""How fast the coding screen (``qcode tag``) opens and answers on a long interview.

One interview of 800 turns (400 questions, 400 answers, about 60,000 words) is built from
the shipped sample's sentences with a fixed seed, imported into a temporary project with
the study codebook, given rule-based suggestions and a coding on every fifth answer (not
timed). Then, headless at the given terminal size:

- ``open``: from creating the coding session (reading the transcript, codings and
  suggestions from the store) until the first screen is drawn;
- ``key``: each key of a realistic run (next and previous answer, next uncoded, jump to
  the end and back, a suggestion highlighted, a search typed) from the press until the
  screen has been redrawn: the processor time it costs (what the key itself does) and the
  wall-clock time through Textual's test pilot (which also waits for the next frame, about
  the same for a key that does nothing; that key is timed too, as the floor); medians
  and the slowest are printed.

The issue's targets: the first screen in under 0.5 s at 140x40 for any interview length,
a key press under 50 ms.

Run: ``python bench/tag_speed.py [--turns N] [--words N] [--size 140x40] [--repeat R]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import sample_turns

ROOT = Path(__file__).resolve().parent.parent
CODEBOOK = ROOT / "codebooks" / "veiligheidshuis.yaml"
KEYS = ("n", "n", "n", "p", "j", "k", "right_square_bracket", "right_square_bracket",
        "left_square_bracket", "end", "home", "n", "slash", "v", "e", "r", "t", "r", "o",
        "u", "w", "escape", "n", "n", "p")


def write_interview(folder: Path, *, turns: int, words: int, seed: int) -> int:
    """One long interview: questions from the sample, answers made of its sentences so
    that the whole has about ``words`` words. Returns the number of words written."""
    rng = random.Random(seed)
    questions, sentences, _ = sample_turns()
    answers = turns // 2
    question_words = sum(len(q.split()) for q in questions) / len(questions)
    per_answer = max(1, round((words - answers * question_words) / answers))
    lines = ["---", "respondent: R900", "case: Veiligheidshuis Lang", "role: manager",
             "interviewer: [I]", "---", ""]
    total = 0
    for _ in range(answers):
        question = rng.choice(questions)
        answer: list[str] = []
        while sum(len(s.split()) for s in answer) < per_answer:
            answer.append(rng.choice(sentences))
        text = " ".join(answer)
        lines += [f"I: {question}", "", f"R: {text}", ""]
        total += len(question.split()) + len(text.split())
    (folder / "lang-r900.txt").write_text("\n".join(lines), encoding="utf-8")
    return total


def build_project(folder: Path, *, turns: int, words: int, seed: int) -> int:
    from qcode.codebook import load_codebook
    from qcode.coding.assisted import suggest_for_project
    from qcode.importing import import_paths
    from qcode.models import Coding
    from qcode.store import init_project
    from qcode.store.codebook import save_codebook
    from qcode.store.codings import add as add_codings
    from qcode.store.transcripts import get_segments

    interviews = folder / "interviews"
    interviews.mkdir()
    written = write_interview(interviews, turns=turns, words=words, seed=seed)
    with init_project(folder / "project") as project:
        import_paths(project, [interviews])
        save_codebook(project, load_codebook(CODEBOOK))
        suggest_for_project(project, coder="ans", rules_only=True)
        answers = [s.number for s in get_segments(project, "lang-r900") if s.codable]
        add_codings(project, [Coding("lang-r900", n, "trust", "ans") for n in answers[::5]])
    return written


async def measure(project_dir: Path, size: tuple[int, int]
                  ) -> tuple[float, list[tuple[float, float]], list[tuple[float, float]]]:
    from qcode.cli.tag.app import TagApp
    from qcode.session.session import CodingSession
    from qcode.store import find_project

    with find_project(project_dir) as project:
        started = time.perf_counter()
        session = CodingSession(project, "lang-r900", "ans")
        app = TagApp(session)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            opened = time.perf_counter() - started
            async def timed(key: str) -> tuple[float, float]:
                wall, cpu = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                return time.process_time() - cpu, time.perf_counter() - wall

            times = [await timed(key) for key in KEYS]
            floor = [await timed("z") for _ in range(5)]  # bound to nothing
            await pilot.press("q")
    return opened, times, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=800)
    parser.add_argument("--words", type=int, default=60_000)
    parser.add_argument("--size", default="140x40", help="terminal WIDTHxHEIGHT")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.lower().split("x"))
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="qcode-tag-bench-") as tmp:
        folder = Path(tmp)
        written = build_project(folder, turns=args.turns, words=args.words, seed=args.seed)
        print(f"interview: {args.turns} turns, {written:,} words; screen {width}x{height}")
        openings, keys, floors = [], [], []
        for _ in range(args.repeat):
            opened, times, floor = asyncio.run(measure(folder / "project", (width, height)))
            openings.append(opened)
            keys.extend(times)
            floors.extend(floor)
        print(f"first screen: best {min(openings):.3f} s, worst {max(openings):.3f} s "
              f"({args.repeat} runs; target under 0.5 s)")

        def ms(values: list[float]) -> str:
            return (f"median {statistics.median(values) * 1000:.1f} ms, slowest "
                    f"{max(values) * 1000:.1f} ms")

        print(f"key press:    processor {ms([cpu for cpu, _ in keys])}; wall clock "
              f"{ms([wall for _, wall in keys])} over {len(keys)} presses (target under 50 ms)")
        print(f"a key bound to nothing: processor {ms([cpu for cpu, _ in floors])}; wall "
              f"clock {ms([wall for _, wall in floors])}")


if __name__ == "__main__":
    main()
