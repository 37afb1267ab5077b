"""`qcode export matrix --plot` on a very large codebook: time and peak memory.

A codebook of ``--codes`` codes (50 top-level codes, the rest spread under them as
sub-codes), ``--transcripts`` short transcripts (one respondent each) and random codings.
The picture is drawn by its own ``python -m qcode`` process; its wall time and peak memory
(``ru_maxrss`` of that child, from ``os.wait4``) are printed. Target (issue 11): at most
10 s and 1 GB whatever the size of the codebook.

    python bench/plot_size.py                    # 5,000 codes, .png
    python bench/plot_size.py --codes 20000 --format svg
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP_CODES = 50
SEED = 11


def write_codebook(path: Path, codes: int) -> list[str]:
    """A two-level codebook of ``codes`` codes; returns the code ids."""
    lines = ["codebook: groot", "codes:"]
    ids: list[str] = []
    per_top = max(0, codes - TOP_CODES) // TOP_CODES
    extra = max(0, codes - TOP_CODES) % TOP_CODES
    for top in range(min(codes, TOP_CODES)):
        name = f"thema{top:02d}"
        ids.append(name)
        lines += [f"  {name}:", f"    label: Thema {top}"]
        children = per_top + (1 if top < extra else 0)
        if children:
            lines.append("    codes:")
        for sub in range(children):
            ids.append(f"{name}.sub{sub:04d}")
            lines += [f"      sub{sub:04d}:", f"        label: Deelcode {top}.{sub}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def write_project(folder: Path, codes: int, transcripts: int, codings: int) -> Path:
    rng = random.Random(SEED)
    interviews = folder / "interviews"
    interviews.mkdir()
    rows = ["respondent,transcript,case"]
    for number in range(transcripts):
        stem = f"vh{number // 10 + 1:02d}-r{number % 10 + 1:02d}"
        rows.append(f"R{number + 1:03d},{stem},Veiligheidshuis {number // 10 + 1:02d}")
        turns = "\n\n".join(f"I: Vraag {turn}?\n\nR: Antwoord {turn} over de samenwerking."
                            for turn in range(1, 21))
        (interviews / f"{stem}.txt").write_text(turns + "\n", encoding="utf-8")
    (interviews / "respondents.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ids = write_codebook(folder / "codebook.yaml", codes)
    lines = ["transcript,segment,code,coder"]
    chosen = {(f"vh{n // 10 + 1:02d}-r{n % 10 + 1:02d}", rng.randrange(1, 21) * 2,
               rng.choice(ids)) for n in (rng.randrange(transcripts) for _ in range(codings))}
    lines += [f"{t},{s},{c},ref" for t, s, c in sorted(chosen)]
    (folder / "codings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = folder / "project"
    for args in (["init", str(project)],
                 ["--project", str(project), "import", str(interviews)],
                 ["--project", str(project), "codebook", "load", str(folder / "codebook.yaml")],
                 ["--project", str(project), "codings", "import", str(folder / "codings.csv")]):
        subprocess.run([sys.executable, "-m", "qcode", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return project


def measured(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak MB, exit status and stderr of one ``python -m qcode`` run."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qcode", *args],
                                   stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip()
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=5000)
    parser.add_argument("--transcripts", type=int, default=40)
    parser.add_argument("--codings", type=int, default=2000)
    parser.add_argument("--format", choices=("png", "svg", "pdf"), default="png")
    parser.add_argument("--level", choices=("full", "top"), default="full")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qcode-plot-bench-") as name:
        folder = Path(name)
        project = write_project(folder, options.codes, options.transcripts, options.codings)
        picture = folder / f"matrix.{options.format}"
        args = ["--project", str(project), "export", "matrix", "--by", "respondent",
                "--level", options.level, "--plot", str(picture)]
        seconds, megabytes, status, message = measured(args)
        size = picture.stat().st_size / 1e6 if picture.exists() else 0.0
    print(f"qcode export matrix --by respondent --level {options.level} --plot "
          f"matrix.{options.format}")
    print(f"  codebook: {options.codes:,} codes; {options.transcripts} respondents; "
          f"{options.codings:,} codings drawn at random")
    print(f"  exit {status}: {message}")
    print(f"  time {seconds:.1f} s (target 10 s), peak memory {megabytes:,.0f} MB "
          f"(target 1,024 MB), picture {size:.1f} MB")


if __name__ == "__main__":
    main()
