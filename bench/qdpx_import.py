"""`qcode import FILE.qdpx` of a large project from another program: time and memory.

Writes a REFI-QDA project as ATLAS.ti or MAXQDA would (no qcode.json beside it): one text
source of ``--segments`` speaker turns, ``--codes`` codes and ``--selections`` coded
selections at random places (a turn, part of a turn, or across two turns), then imports it
into a new project with its own ``python -m qcode`` process and prints its wall time and
peak memory (``ru_maxrss`` from ``os.wait4``). Target (issue 11): linear in selections and
segments, the default file (4,000 segments, 40,000 selections) in under 5 s.

    python bench/qdpx_import.py
    python bench/qdpx_import.py --segments 8000 --selections 80000
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

SEED = 11
NAMESPACE = uuid.UUID("6f1d3c2e-8a57-4d0b-9e61-2a7c4b9d0f13")


def guid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def write_qdpx(path: Path, segments: int, selections: int, codes: int) -> None:
    rng = random.Random(SEED)
    turns, places = [], []
    position = 0
    for number in range(segments):
        speaker = "I" if number % 2 == 0 else "R"
        words = " ".join(rng.choice(("we", "delen", "informatie", "in", "het", "casusoverleg",
                                     "met", "de", "partners", "vertrouwen", "regie"))
                         for _ in range(rng.randint(8, 40)))
        turn = f"{speaker}: {words}."
        start = position + len(speaker) + 2
        places.append((start, position + len(turn), speaker == "I"))
        turns.append(turn)
        position += len(turn) + 2  # the blank line between turns
    text = "\n\n".join(turns) + "\n"
    code_xml = "".join(f'<Code guid="{guid("code", n)}" name="Thema {n}" isCodable="true"/>'
                       for n in range(codes))
    user = guid("user")
    respondent_turns = [p for p in places if not p[2]]
    selection_xml = []
    for number in range(selections):
        start, end, _ = rng.choice(respondent_turns)
        kind = rng.random()
        if kind < 0.5:
            low, high = start, end
        elif kind < 0.9:
            low = rng.randint(start, end - 1)
            high = rng.randint(low + 1, end)
        else:  # across this turn and the next two
            low, high = rng.randint(start, end - 1), min(len(text), end + 300)
        selection_xml.append(
            f'<PlainTextSelection guid="{guid("selection", number)}" startPosition="{low}" '
            f'endPosition="{high}" creatingUser="{user}"><Coding guid="{guid("coding", number)}"'
            f' creatingUser="{user}"><CodeRef targetGUID="{guid("code", number % codes)}"/>'
            "</Coding></PlainTextSelection>")
    source = guid("source")
    project = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="bench" origin="bench/qdpx_import.py">'
        f'<Users><User guid="{user}" name="ans"/></Users>'
        f"<CodeBook><Codes>{code_xml}</Codes></CodeBook>"
        f'<Sources><TextSource guid="{source}" name={quoteattr("groot interview")} '
        f'plainTextPath="internal://{source}.txt">{"".join(selection_xml)}</TextSource>'
        "</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        archive.writestr(f"sources/{source}.txt", text)


def measured(args: list[str]) -> tuple[float, float, int, str]:
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qcode", *args],
                                   stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip().splitlines()
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), \
        (message[0] if message else "")[:300]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=4000)
    parser.add_argument("--selections", type=int, default=40000)
    parser.add_argument("--codes", type=int, default=40)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qcode-qdpx-bench-") as name:
        folder = Path(name)
        qdpx = folder / "groot.qdpx"
        write_qdpx(qdpx, options.segments, options.selections, options.codes)
        subprocess.run([sys.executable, "-m", "qcode", "init", str(folder / "project")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds, megabytes, status, message = measured(
            ["--project", str(folder / "project"), "import", str(qdpx)])
    print(f"qcode import groot.qdpx: {options.segments:,} segments, "
          f"{options.selections:,} selections, {options.codes} codes")
    print(f"  exit {status}: {message}")
    print(f"  time {seconds:.1f} s (target 5 s), peak memory {megabytes:,.0f} MB")


if __name__ == "__main__":
    main()
