"""Replication-scale benchmark: every step of a 32-house study, as the researcher runs it.

A corpus the size of the replication (``--transcripts 320``: 32 houses x 10 respondents,
about 2.5 million words) is generated with a fixed seed from the shipped sample: the
sentences of the sample's respondent turns reshuffled into new turns of the sample's own
lengths, each after one of the sample's interviewer questions. Each transcript has front
matter (respondent, case ``Veiligheidshuis NN``, role); a respondents.csv lies beside them.
A codings CSV holds about 10 codings per transcript by coder ``ref`` (codes of the study
codebook) and, on one transcript per house, coder ``b`` re-coding ``ref``'s turns (mostly
the same code, sometimes another), so ``qcode agreement`` has work to do.

Each step then runs as its own ``python -m qcode`` process in a fresh project, timed with
a wall clock. Peak memory is the process's own maximum resident set size, read from the
``rusage`` that ``os.wait4`` returns for exactly that child (Linux reports kilobytes):
it needs no polling, cannot miss a short peak and is not mixed up with earlier children,
as ``getrusage(RUSAGE_CHILDREN)`` (a maximum over all children so far) would be. Start-up
is ``qcode --help`` beside ``python -c pass``, best of ``--startup-runs`` each, in the same
run, so the difference is qcode's own import cost on this machine.

Targets (issue 7): import under 30 s, every export (matrix, quotes, report) under 5 s,
peak memory under 1 GB for every command, ``qcode --help`` under 0.3 s.

Run: ``python bench/scale.py [--transcripts 320] [--words 2500000] [--out DIR] [--keep]
[--no-train] [--seed S] [--startup-runs 5]``; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
PER_HOUSE = 10
ROLES = ("manager", "politie-huis", "politie-basisteam", "procesregisseur", "gemeente",
         "openbaar-ministerie", "reclassering", "ggz", "woningcorporatie", "jeugdzorg")
CODINGS_PER_TRANSCRIPT = 10
SECOND_CODER_SAME = 0.75  # share of b's codings that repeat ref's code on the same turn
MEMORY_TARGET_MB = 1024.0
IMPORT_TARGET_S = 30.0
EXPORT_TARGET_S = 5.0
STARTUP_TARGET_S = 0.3


@dataclass
class Step:
    label: str
    args: list[str]
    seconds_target: float | None = None


@dataclass
class Measured:
    label: str
    seconds: float
    peak_mb: float
    seconds_target: float | None

    @property
    def target(self) -> str:
        limit = f"< {MEMORY_TARGET_MB:.0f} MB"
        return f"< {self.seconds_target:g} s, {limit}" if self.seconds_target else limit

    @property
    def passed(self) -> bool:
        fast = self.seconds_target is None or self.seconds < self.seconds_target
        return fast and self.peak_mb < MEMORY_TARGET_MB


def sample_root() -> Path:
    from qcode.demo import sample_root as root

    return root()


def write_codings(corpus: Path, target: Path, seed: int) -> dict[str, int]:
    """Write ref's and b's codings as the CSV ``qcode codings import`` reads."""
    from qcode.codebook import load_codebook
    from qcode.transcripts import parse_file

    rng = random.Random(seed + 1)
    codes = [code.id for code in load_codebook(
        sample_root() / "codebooks" / "veiligheidshuis.yaml").codes]
    counts = {"ref": 0, "b": 0}
    with target.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["transcript", "segment", "code", "coder", "memo", "start", "end"])
        for path in sorted(corpus.glob("*.txt")):
            # The segment numbers come from the parser itself, so they match the import.
            turns = [s.number for s in parse_file(path).segments if not s.interviewer]
            chosen = sorted({(rng.choice(turns), rng.choice(codes))
                             for _ in range(CODINGS_PER_TRANSCRIPT)})
            second_coder = path.stem.endswith("-r01")  # one transcript per house
            for segment, code in chosen:
                memo = "korte lijntjes" if rng.random() < 0.1 else ""
                out.writerow([path.stem, segment, code, "ref", memo, "", ""])
                counts["ref"] += 1
                if second_coder:
                    other = code if rng.random() < SECOND_CODER_SAME else rng.choice(codes)
                    out.writerow([path.stem, segment, other, "b", "", "", ""])
                    counts["b"] += 1
    return counts


def run_measured(step: Step, cwd: Path, logs: Path) -> Measured:
    """Run one ``python -m qcode`` command; its wall time and its own peak memory."""
    name = re.sub(r"[^a-z0-9]+", "-", step.label.lower()).strip("-")
    with (logs / f"{name}.out").open("wb") as out, (logs / f"{name}.err").open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qcode", *step.args], cwd=cwd,
                                   stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        # wait4 reports the rusage of this child alone (ru_maxrss in KiB on Linux).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = (logs / f"{name}.err").read_text(encoding="utf-8", errors="replace")[-2000:]
        raise SystemExit(f"`qcode {' '.join(step.args)}` failed "
                         f"(exit {process.returncode}):\n{tail}")
    return Measured(step.label, seconds, usage.ru_maxrss / 1024, step.seconds_target)


def best_of(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def qcode_command() -> list[str]:
    """The installed ``qcode`` script beside this Python, else ``python -m qcode``."""
    script = Path(sys.executable).parent / "qcode"
    return [str(script)] if script.exists() else [sys.executable, "-m", "qcode"]


def steps(corpus: Path, codings: Path, train: bool) -> list[Step]:
    codebook = sample_root() / "codebooks" / "veiligheidshuis.yaml"
    listed = [
        Step("init", ["init", "."]),
        Step("import", ["import", str(corpus)], IMPORT_TARGET_S),
        Step("codebook load", ["codebook", "load", str(codebook)]),
        Step("codings import", ["codings", "import", str(codings)]),
        Step("suggest --rules-only", ["suggest", "--rules-only", "--format", "csv"]),
    ]
    if train:
        listed += [
            Step("train --coder ref --skip-rare", ["train", "--coder", "ref", "--skip-rare"]),
            Step("suggest", ["suggest", "--format", "csv"]),
        ]
    listed += [
        Step("export matrix -o m.xlsx", ["export", "matrix", "-o", "m.xlsx"], EXPORT_TARGET_S),
        Step("export matrix -o m.csv", ["export", "matrix", "-o", "m.csv"], EXPORT_TARGET_S),
        Step("export quotes -o q.csv", ["export", "quotes", "-o", "q.csv"], EXPORT_TARGET_S),
        Step("export quotes -o q.docx", ["export", "quotes", "-o", "q.docx"], EXPORT_TARGET_S),
        Step("report -o r.html", ["report", "-o", "r.html"], EXPORT_TARGET_S),
        Step("agreement", ["agreement"]),
    ]
    return listed


def print_table(rows: list[Measured], startup: tuple[float, float, int]) -> None:
    print(f"{'command':<38} {'seconds':>8} {'peak MB':>8}  {'target':<20} result")
    for row in rows:
        print(f"{'qcode ' + row.label:<38} {row.seconds:>8.2f} {row.peak_mb:>8.0f}  "
              f"{row.target:<20} {'pass' if row.passed else 'FAIL'}")
    qcode_help, python_pass, runs = startup
    print(f"{'qcode --help':<38} {qcode_help:>8.3f} {'':>8}  "
          f"{f'< {STARTUP_TARGET_S:g} s':<20} "
          f"{'pass' if qcode_help < STARTUP_TARGET_S else 'FAIL'}")
    print(f"{'python -c pass':<38} {python_pass:>8.3f}")
    print(f"start-up: qcode --help {qcode_help:.3f} s, python -c pass {python_pass:.3f} s, "
          f"difference {qcode_help - python_pass:.3f} s (best of {runs} each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=320,
                        help="Number of transcripts, 10 per house (default 320: 32 houses).")
    parser.add_argument("--words", type=int, default=None,
                        help="Words in all (default 2.5 million for 320 transcripts, scaled).")
    parser.add_argument("--seed", type=int, default=20260312)
    parser.add_argument("--out", type=Path, help="Work in this folder (corpus, project, logs).")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder afterwards.")
    parser.add_argument("--no-train", action="store_true",
                        help="Skip `qcode train` and the suggest that uses its model.")
    parser.add_argument("--startup-runs", type=int, default=5)
    args = parser.parse_args()
    words = args.words or round(2_500_000 * args.transcripts / 320)

    work = args.out or Path(tempfile.mkdtemp(prefix="qcode-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, project, logs = work / "corpus", work / "project", work / "logs"
    for folder in (corpus, project, logs):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
    try:
        start = time.perf_counter()
        total = write_corpus(corpus, transcripts=args.transcripts, words=words, seed=args.seed,
                             per_house=PER_HOUSE, roles=ROLES)
        by_coder = write_codings(corpus, work / "codings.csv", args.seed)
        print(f"corpus: {args.transcripts} transcripts ({args.transcripts / PER_HOUSE:g} "
              f"houses), {total:,} words, codings {by_coder['ref']:,} ref + "
              f"{by_coder['b']:,} b; generated in {time.perf_counter() - start:.1f} s "
              f"in {work}", flush=True)
        rows = []
        for step in steps(corpus, work / "codings.csv", not args.no_train):
            rows.append(run_measured(step, project, logs))
            print(f"  {step.label}: {rows[-1].seconds:.2f} s, {rows[-1].peak_mb:.0f} MB",
                  flush=True)
        startup = (best_of([*qcode_command(), "--help"], args.startup_runs),
                   best_of([sys.executable, "-c", "pass"], args.startup_runs),
                   args.startup_runs)
        print()
        print_table(rows, startup)
    finally:
        if args.keep:
            print(f"kept: {work}")
        elif args.out:  # only what this run made, never the rest of the user's folder
            for made in (corpus, project, logs):
                shutil.rmtree(made, ignore_errors=True)
            (work / "codings.csv").unlink(missing_ok=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    missed = [r.label for r in rows if not r.passed] + (
        ["qcode --help"] if startup[0] >= STARTUP_TARGET_S else [])
    if missed:
        print("missed: " + ", ".join(missed))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
