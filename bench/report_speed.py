"""How long the replication report takes on a corpus the size of a real replication round.

The corpus is built from the shipped sample with a fixed seed: the sentences of the
sample's respondent turns, reshuffled into new turns of the sample's own lengths, each
after an interviewer question from the sample, make about 160 transcripts of about 1,900
words (300,000 words in all) from 32 houses, 5 respondents each, in two waves. 5,000
codings of the study codebook are spread over their respondent turns: about 4,500 by
coder ``ref`` and 500 by coder ``b`` on 16 transcripts ``ref`` coded too (so the report
computes agreement), some of them accepted suggestions with evidence to mark.

The corpus is imported into a temporary project (not timed); then ``build_report`` (read
everything, build matrices, typologies, quotes and agreement, render the HTML) is timed
``--repeat`` times, once plain and once with ``then_by="wave"``, and the best time of each
is printed. The issue's target is under 10 seconds.

Run: ``python bench/report_speed.py [--words N] [--codings N] [--seed S] [--repeat R]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts_sample"
CODEBOOK = ROOT / "codebooks" / "veiligheidshuis.yaml"
HOUSES = 32
PER_HOUSE = 5
ROLES = ("manager", "politie-huis", "politie-basisteam", "procesregisseur", "gemeente")
SECOND_CODER_TRANSCRIPTS = 16
SECOND_CODER_SHARE = 0.1


def add_random_codings(project: object, codings: int, seed: int) -> dict[str, int]:
    """Spread ``codings`` over the respondent turns; return the count per coder."""
    from qcode.models import Coding
    from qcode.store.codebook import require_codebook
    from qcode.store.codings import add as add_codings

    rng = random.Random(seed + 1)
    db = project._db
    turns = [(r[0], r[1]) for r in db.execute(
        "SELECT transcript_id, number FROM segments WHERE interviewer = 0 ORDER BY 1, 2")]
    codes = require_codebook(project).ids  # type: ignore[arg-type]
    transcripts = sorted({t for t, _ in turns})
    doubled = set(rng.sample(transcripts, SECOND_CODER_TRANSCRIPTS))
    doubled_turns = [turn for turn in turns if turn[0] in doubled]
    chosen: set[tuple[str, int, str, str]] = set()
    second = int(codings * SECOND_CODER_SHARE)
    while len(chosen) < codings - second:
        transcript, segment = rng.choice(turns)
        chosen.add((transcript, segment, rng.choice(codes), "ref"))
    while len(chosen) < codings:
        transcript, segment = rng.choice(doubled_turns)
        chosen.add((transcript, segment, rng.choice(codes), "b"))
    batch = []
    for transcript, segment, code, coder in sorted(chosen):
        # One in ten of ref's codings came from an accepted suggestion.
        suggested = coder == "ref" and rng.random() < 0.1
        batch.append(Coding(transcript, segment, code, coder,
                            provenance="suggestion" if suggested else "imported"))
    add_codings(project, batch)  # type: ignore[arg-type]
    with project.atomic():  # type: ignore[attr-defined]
        for c in batch:
            if c.provenance == "suggestion":
                db.execute(
                    "INSERT OR IGNORE INTO suggestions(transcript_id, segment, code_id, score, "
                    "method, evidence, status, codebook_version, created_at) "
                    "VALUES (?, ?, ?, 0.8, 'rules', ?, 'accepted', 'bench', 'bench')",
                    (c.transcript, c.segment, c.code,
                     json.dumps({"evidence": ["x"], "spans": [[0, 12]]})),
                )
    return {coder: sum(1 for c in batch if c.coder == coder) for coder in ("ref", "b")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--codings", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20260312)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="Also keep the (plain) report in this file.")
    args = parser.parse_args()

    from qcode.codebook import load_codebook
    from qcode.importing import import_paths
    from qcode.report import build_report
    from qcode.store import init_project
    from qcode.store.codebook import save_codebook

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        words = write_corpus(corpus, transcripts=HOUSES * PER_HOUSE, words=args.words,
                             seed=args.seed, per_house=PER_HOUSE, roles=ROLES,
                             count_questions=False)
        project = init_project(Path(tmp) / "project")
        import_paths(project, [corpus])
        save_codebook(project, load_codebook(CODEBOOK))
        by_coder = add_random_codings(project, args.codings, args.seed)
        transcripts = project._db.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        print(f"corpus: {transcripts} transcripts, {words:,} respondent words, "
              f"{sum(by_coder.values()):,} codings ({by_coder['ref']} ref, {by_coder['b']} b)")
        for label, options in (("report", {}), ("report --then-by wave", {"then_by": "wave"})):
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                html = build_report(project, **options)  # type: ignore[arg-type]
                times.append(time.perf_counter() - start)
            size = len(html.encode("utf-8"))
            # The first run also pays for importing pandas and friends, as a command does.
            print(f"{label}: {min(times):.2f} s (best of {args.repeat}; first {times[0]:.2f} s),"
                  f" {size / 1e6:.1f} MB of HTML")
            if args.out and not options:
                args.out.write_text(html, encoding="utf-8")
        project.close()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
