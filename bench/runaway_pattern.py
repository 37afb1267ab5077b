"""A codebook pattern that backtracks: what it cost before, and what `qcode suggest` takes.

Python's ``re`` (what spaCy's Matcher uses for a ``REGEX`` predicate) is timed on words of
growing length for ``^(a+)+$`` (the issue's example) and ``^(a|aa)+$``; then
``qcode suggest --rules-only`` runs, as its own process, on a transcript with a 40-letter
such word and a codebook holding both patterns and a sound one. Target (issue 11): no
pattern makes suggest hang; a stopped pattern is named.

    python bench/runaway_pattern.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PATTERNS = ("^(a+)+$", "^(a|aa)+$")
CODEBOOK = """\
codebook: regels
codes:
  trust:
    label: Vertrouwen
    patterns:
      - [{LOWER: {REGEX: "^(a+)+$"}}]
      - [{LOWER: {REGEX: "^(a|aa)+$"}}]
      - [{LOWER: {REGEX: "^vertrouw"}}]
"""


def python_re(pattern: str, letters: int) -> float:
    word = "a" * letters + "b"
    start = time.perf_counter()
    re.search(pattern, word)
    return time.perf_counter() - start


def main() -> None:
    print("Python re (spaCy's REGEX), one word of N letters a and one b:")
    for pattern in PATTERNS:
        lengths = range(20, 27, 2) if pattern == PATTERNS[0] else range(26, 33, 2)
        figures = ", ".join(f"{n}: {python_re(pattern, n):.2f} s" for n in lengths)
        print(f"  {pattern:12} {figures} (doubling per letter or so)")
    with tempfile.TemporaryDirectory(prefix="qcode-regex-bench-") as name:
        folder = Path(name)
        (folder / "interviews").mkdir()
        (folder / "interviews" / "t.txt").write_text(
            "I: Vraag?\n\nR: " + "a" * 40 + "b. Het vertrouwen is goed.\n", encoding="utf-8")
        (folder / "regels.yaml").write_text(CODEBOOK, encoding="utf-8")
        project = folder / "project"
        qcode = [sys.executable, "-m", "qcode"]
        for args in (["init", str(project)],
                     ["--project", str(project), "import", str(folder / "interviews")],
                     ["--project", str(project), "codebook", "load",
                      str(folder / "regels.yaml")]):
            subprocess.run([*qcode, *args], check=True, capture_output=True)
        start = time.perf_counter()
        result = subprocess.run([*qcode, "--project", str(project), "suggest", "--rules-only",
                                 "--format", "jsonl"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    print(f"qcode suggest --rules-only on a 41-letter word: exit {result.returncode} in "
          f"{seconds:.1f} s (most of it starting spaCy)")
    for line in result.stderr.splitlines():
        if line.startswith("note:"):
            print(f"  {line}")


if __name__ == "__main__":
    main()
