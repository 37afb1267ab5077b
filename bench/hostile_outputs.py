"""The property test of tests/test_hostile_outputs.py with many more examples.

The normal test command runs a few examples (seconds); this runs ``--examples`` (default
300, about a second each) and prints how long it took. Every example builds a project
whose transcript, memo, case and coder name are generated hostile text and runs about
thirty exports and listings on it.

    python bench/hostile_outputs.py --examples 1000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300)
    options = parser.parse_args()
    env = {**os.environ, "QCODE_HOSTILE_OUTPUT_EXAMPLES": str(options.examples)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_hostile_outputs.py"], cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    verdict = "passed" if result.returncode == 0 else "FAILED"
    print(f"{options.examples} hostile examples, about 30 commands each: {verdict} in "
          f"{seconds:.0f} s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
