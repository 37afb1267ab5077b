"""Asking the corpus questions at replication scale: search, query and cooccur.

Builds the corpus of ``scale.py`` (``--transcripts 320``: 32 houses x 10 respondents,
about 2.5 million words, from the shipped sample with a fixed seed) and its codings,
imports it into a fresh project (timed: the import now also fills the search index),
then times each question as its own ``python -m qcode`` process, start-up included, as a
researcher waits for it: searches by lemma, inside compounds, a phrase, a prefix, the
exact form and a regular expression, coding queries per segment and per interview, and
co-occurrence tables. It also times indexing a whole project made before the index
existed (the first search does that once), and reports the size of the index.

Target (issue 12): every search under 1 s.

Run: ``python bench/questions.py [--transcripts 320] [--out DIR] [--keep]``; exit status
1 when a search misses the target.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus
from scale import PER_HOUSE, ROLES, Measured, Step, sample_root, write_codings

SEARCH_TARGET_S = 1.0

SEARCHES: list[tuple[str, list[str]]] = [
    ("search vertrouwen (lemma)", ["search", "vertrouwen", "--format", "csv"]),
    ("search informatie (compounds)", ["search", "informatie", "--format", "csv"]),
    ("search ketenpartner --count-by case", ["search", "ketenpartner", "--count-by", "case"]),
    ("search casusregie (in no interview)", ["search", "casusregie", "--format", "csv"]),
    ('search "informatie delen" (phrase)', ["search", '"informatie delen"', "--format", "csv"]),
    ("search casus* (prefix)", ["search", "casus*", "--format", "csv"]),
    ("search partners --exact", ["search", "partners", "--exact", "--format", "csv"]),
    ("search huis --where role=politie-huis", ["search", "huis", "--where",
                                               "role=politie-huis", "--format", "csv"]),
    ("search privacy\\w* --regex", ["search", "privacy\\w*", "--regex", "--format", "csv"]),
]
QUESTIONS: list[tuple[str, list[str]]] = [
    ("query trust.low AND governance.lead_organisation",
     ["query", "trust.low AND governance.lead_organisation", "--format", "csv"]),
    ("query ... --unit transcript --count-by case",
     ["query", "trust.low AND governance.lead_organisation", "--unit", "transcript",
      "--count-by", "case", "--format", "csv"]),
    ("query (trust OR consensus) AND NOT dialogue",
     ["query", "(trust OR consensus) AND NOT dialogue", "--format", "csv"]),
    ("cooccur (top, segments)", ["cooccur"]),
    ("cooccur --level full --measure jaccard", ["cooccur", "--level", "full", "--measure",
                                                "jaccard", "--format", "csv"]),
    ("cooccur --by case --format csv", ["cooccur", "--by", "case", "--format", "csv"]),
    ("cooccur --unit transcript --level full", ["cooccur", "--unit", "transcript", "--level",
                                                "full", "--format", "csv"]),
    ("report -o r.html (with co-occurrence)", ["report", "-o", "r.html"]),
]


CPU: dict[str, float] = {}
"""Seconds of processor time (user and system) each command took: unlike the wall clock,
not inflated when other work shares the machine."""


def run_measured(step: Step, cwd: Path, logs: Path) -> Measured:
    """As ``scale.run_measured``, also keeping the command's own processor time."""
    name = re.sub(r"[^a-z0-9]+", "-", step.label.lower()).strip("-")
    with (logs / f"{name}.out").open("wb") as out, (logs / f"{name}.err").open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qcode", *step.args], cwd=cwd,
                                   stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        tail = (logs / f"{name}.err").read_text(encoding="utf-8", errors="replace")[-2000:]
        raise SystemExit(f"`qcode {' '.join(step.args)}` failed:\n{tail}")
    CPU[step.label] = usage.ru_utime + usage.ru_stime
    return Measured(step.label, seconds, usage.ru_maxrss / 1024, step.seconds_target)


def drop_index(project: Path) -> None:
    """Make the project look as if it was made before the index: empty index tables."""
    db = sqlite3.connect(project / "qcode.db")
    db.execute("DELETE FROM search_rows")
    db.execute("DELETE FROM search_sources")
    db.commit()
    db.execute("VACUUM")
    db.close()


def index_bytes(project: Path) -> tuple[int, int]:
    """(bytes of the whole database, bytes of the index tables), via SQLite's dbstat
    when it is compiled in, else (size, 0)."""
    db = sqlite3.connect(project / "qcode.db")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = (project / "qcode.db").stat().st_size
    try:
        index = db.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search%'").fetchone()[0] or 0
    except sqlite3.OperationalError:
        index = 0
    db.close()
    return total, index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=320)
    parser.add_argument("--words", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20260312)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    words = args.words or round(2_500_000 * args.transcripts / 320)
    work = args.out or Path(tempfile.mkdtemp(prefix="qcode-questions-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, project, logs = work / "corpus", work / "project", work / "logs"
    for folder in (corpus, project, logs):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
    rows = []
    try:
        total = write_corpus(corpus, transcripts=args.transcripts, words=words, seed=args.seed,
                             per_house=PER_HOUSE, roles=ROLES)
        write_codings(corpus, work / "codings.csv", args.seed)
        print(f"corpus: {args.transcripts} transcripts, {total:,} words in {work}", flush=True)
        codebook = sample_root() / "codebooks" / "veiligheidshuis.yaml"
        for step in (Step("init", ["init", "."]), Step("import (and index)", ["import",
                                                                              str(corpus)]),
                     Step("codebook load", ["codebook", "load", str(codebook)]),
                     Step("codings import", ["codings", "import", str(work / "codings.csv")])):
            measured = run_measured(step, project, logs)
            print(f"  {step.label}: {measured.seconds:.2f} s ({CPU[step.label]:.2f} s cpu), "
                  f"{measured.peak_mb:.0f} MB", flush=True)
        size, index = index_bytes(project)
        print(f"  database {size / 1e6:.1f} MB, of which the search index {index / 1e6:.1f} MB")
        for label, command in SEARCHES:
            rows.append((run_measured(Step(label, command, SEARCH_TARGET_S), project, logs),
                         _hits(logs, label)))
        for label, command in QUESTIONS:
            rows.append((run_measured(Step(label, command), project, logs), _hits(logs, label)))
        drop_index(project)
        start = time.perf_counter()
        first = run_measured(Step("first search, indexing everything", ["search",
                                  "vertrouwen", "--format", "csv"]), project, logs)
        rows.append((first, ""))
        print(f"  (wall {time.perf_counter() - start:.2f} s)")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command':<50} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  {'target':<7} "
          f"{'result':<6} output")
    for row, hits in rows:
        target = f"< {row.seconds_target:g} s" if row.seconds_target else ""
        verdict = ("pass" if row.seconds < row.seconds_target else "FAIL") if target else ""
        print(f"{'qcode ' + row.label:<50} {row.seconds:>7.2f} {CPU[row.label]:>6.2f} "
              f"{row.peak_mb:>8.0f}  {target:<7} {verdict:<6} {hits}")
    missed = [row.label for row, _ in rows
              if row.seconds_target and row.seconds >= row.seconds_target]
    if missed:
        print("missed: " + ", ".join(missed))
        raise SystemExit(1)


def _hits(logs: Path, label: str) -> str:
    """What the command said it found (its last line on stderr)."""
    name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    lines = (logs / f"{name}.err").read_text(encoding="utf-8").strip().splitlines()
    return lines[-1][:60] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
