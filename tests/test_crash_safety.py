"""Crash safety: ``qcode import``, ``suggest`` and ``merge`` killed with SIGKILL part-way.

Each command runs as a real subprocess on a corpus large enough that its one transaction
spills pages into the WAL file before it commits. It is killed in two ways:

- *inside its transaction*: a small harness (the real CLI, with a SQLite trace hook) stops
  the command at the n-th write of its transaction and reports that it got there; the test
  then kills it with SIGKILL. Deterministic, so the all-or-nothing promise is tested
  exactly where it matters: the project must be as it was before the command.
- *at a moment of the test's choosing*: the plain ``qcode`` command is killed when its
  WAL file starts to grow or half-way through its reference run time, whichever comes
  first. Either nothing or everything may have been saved, nothing in between.

Marked slow (about 40 s together); they still run in the plain ``python -m pytest``.

After every kill the project passes SQLite's integrity and foreign key checks, every
transcript is there with all its segments or not at all, and no suggestion is
half-applied. Running the command again then gives exactly what an uninterrupted run gives.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qcode.demo import sample_root

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]

TRANSCRIPTS = 120
EXCHANGES = 60  # interviewer question + respondent answer pairs per transcript
SUGGEST_TRANSCRIPTS = 24
SEED = 20260312
# Columns that hold the time a command ran: they differ between two runs by design.
VOLATILE = {"imported_at", "created_at", "applied_at", "decided_at", "trained_at"}

# The real CLI with a SQLite trace hook: inside a transaction, at the n-th statement that
# starts with QCODE_TEST_PAUSE_AT, it writes QCODE_TEST_MARKER and waits to be killed.
HARNESS = """
import os, sqlite3, sys, time
from pathlib import Path

marker = Path(os.environ["QCODE_TEST_MARKER"])
prefix = os.environ["QCODE_TEST_PAUSE_AT"].upper()
pause_after = int(os.environ["QCODE_TEST_PAUSE_AFTER"])
real_connect = sqlite3.connect

def connect(*args, **kwargs):
    db = real_connect(*args, **kwargs)
    state = {"in_transaction": False, "seen": 0}

    def trace(statement):
        word = statement.lstrip().upper()
        if word.startswith("BEGIN"):
            state["in_transaction"] = True
        elif word.startswith(("COMMIT", "ROLLBACK")):
            state["in_transaction"] = False
        elif state["in_transaction"] and word.startswith(prefix):
            state["seen"] += 1
            if state["seen"] == pause_after:
                marker.write_text(str(os.getpid()))
                time.sleep(300)

    db.set_trace_callback(trace)
    return db

sqlite3.connect = connect
sys.argv = ["qcode", *sys.argv[1:]]
from qcode.cli import main
main()
"""


# -- the corpus ---------------------------------------------------------------------------


def _sample_turns() -> tuple[list[str], list[str]]:
    from qcode.transcripts import parse_file

    questions: list[str] = []
    answers: list[str] = []
    for path in sorted((sample_root() / "transcripts_sample").glob("*.txt")):
        for segment in parse_file(path).segments:
            (questions if segment.interviewer else answers).append(segment.text)
    return questions, answers


def write_corpus(folder: Path, *, extra_turn: bool = False) -> None:
    """Reshuffled sample turns (fixed seed) as TRANSCRIPTS interviews in 32 houses, with a
    respondents.csv beside them. ``extra_turn`` appends one exchange to every interview,
    the kind of change a re-import must apply without losing codings."""
    questions, answers = _sample_turns()
    rng = random.Random(SEED)
    folder.mkdir(parents=True)
    rows = []
    for n in range(TRANSCRIPTS):
        house = n % 32
        name = f"huis{house:02d}-r{n:03d}"
        lines = ["---", f"respondent: R{n:03d}", f"case: Veiligheidshuis {house:02d}",
                 "interviewer: [I]", "---"]
        for _ in range(EXCHANGES):
            lines += [f"I: {rng.choice(questions)}", "", f"R: {rng.choice(answers)}", ""]
        if extra_turn:
            lines += ["I: Nog een laatste vraag: wat zou u anders doen?", "",
                      "R: Eerder de ketenpartners bellen, en vaker samen aan één tafel.", ""]
        (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
        rows.append({"respondent": f"R{n:03d}", "transcript": name,
                     "role": rng.choice(["manager", "politie-huis", "politie-basisteam"]),
                     "wave": "2026"})
    with (folder / "respondents.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def expected_transcripts(folder: Path) -> dict[str, tuple[str, int]]:
    """transcript id -> (content hash, number of segments), as parsing the files gives."""
    from qcode.transcripts import parse_file

    return {
        t.id: (t.content_hash, len(t.segments))
        for t in (parse_file(p) for p in sorted(folder.glob("*.txt")))
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "interviews"
    write_corpus(folder)
    return folder


# -- running and killing qcode --------------------------------------------------------------


def qcode(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "qcode", "--project", str(project), *args],
        capture_output=True, text=True, timeout=timeout, env=_env(),
    )
    assert result.returncode == 0, result.stderr
    return result


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QCODE_")}
    return {**env, "QCODE_CODER": "ans", **extra}


def kill_inside_transaction(
    project: Path, args: list[str], *, statement: str, after: int, tmp: Path
) -> int:
    """Run ``qcode ARGS`` until it executes the ``after``-th ``statement`` inside its
    transaction, then SIGKILL it. Returns the WAL file's size at that moment."""
    marker = tmp / f"paused-{time.monotonic_ns()}"
    env = _env(QCODE_TEST_MARKER=str(marker), QCODE_TEST_PAUSE_AT=statement,
               QCODE_TEST_PAUSE_AFTER=str(after))
    process = subprocess.Popen(
        [sys.executable, "-c", HARNESS, "--project", str(project), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"qcode {' '.join(args)} ended (exit {process.returncode}) before "
                            f"its {after}th {statement}: {stderr}")
            assert time.monotonic() < deadline, "the command never reached the pause"
            time.sleep(0.01)
        wal = _wal_size(project)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        _reap(process)
    return wal


def kill_part_way(
    source: Path, target: Path, args: list[str], *, reference_seconds: float
) -> Path:
    """Copy the project ``source`` to ``target`` and run the plain ``qcode ARGS`` on it,
    SIGKILLing it as soon as its WAL file grows, or half-way through the time an
    uninterrupted run took. On a busy machine the command may finish just before the
    kill; then it is tried again on a fresh copy (three times at most)."""
    for attempt in range(3):
        project = copy_project(source, target.with_name(f"{target.name}-{attempt}"))
        start_wal = _wal_size(project)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "qcode", "--project", str(project), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
        )
        try:
            while process.poll() is None:
                elapsed = time.monotonic() - started
                if _wal_size(project) > start_wal or elapsed > reference_seconds / 2:
                    os.kill(process.pid, signal.SIGKILL)
                    break
                time.sleep(0.002)
            if process.wait(timeout=30) == -signal.SIGKILL:
                return project
            assert process.returncode == 0, f"qcode {' '.join(args)} failed"
        finally:
            _reap(process)
    pytest.fail(f"qcode {' '.join(args)} always finished before it could be killed")


def _reap(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    if process.stderr:
        process.stderr.close()


def _wal_size(project: Path) -> int:
    wal = project / "qcode.db-wal"
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def timed(project: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    result = qcode(project, *args)
    return time.monotonic() - started, result


def copy_project(source: Path, target: Path) -> Path:
    assert not (source / "qcode.db-wal").exists(), "copy a project only when it is closed"
    target.mkdir()
    shutil.copy2(source / "qcode.db", target / "qcode.db")
    return target


# -- what a consistent project looks like ----------------------------------------------------


def state(project: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, without run times and row ids, sorted: two projects
    with equal states hold the same work, and a duplicate shows as an extra row."""
    db = sqlite3.connect(project / "qcode.db")
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        result = {}
        for table in tables:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")
                       if r[1] not in VOLATILE and not (r[1] == "id" and r[5])]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            if table == "meta":
                rows = [r for r in rows if r[0] != "created_at"]
            result[table] = sorted(rows, key=repr)
        return result
    finally:
        db.close()


def assert_consistent(project: Path, *versions: dict[str, tuple[str, int]]) -> None:
    """SQLite's own checks pass, and every stored transcript is one of the given versions
    of its file with all of that version's segments (absent is fine too)."""
    db = sqlite3.connect(project / "qcode.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for transcript, content_hash, count, first, last in db.execute(
            "SELECT t.id, t.content_hash, count(s.number), min(s.number), max(s.number) "
            "FROM transcripts t LEFT JOIN segments s ON s.transcript_id = t.id GROUP BY t.id"
        ):
            whole = [v[transcript] for v in versions if transcript in v]
            assert (content_hash, count) in whole, f"{transcript} is not whole"
            assert (first, last) == (1, count), transcript
        orphans = db.execute(
            "SELECT count(*) FROM segments WHERE transcript_id NOT IN (SELECT id FROM transcripts)"
        ).fetchone()[0]
        assert orphans == 0
    finally:
        db.close()


def assert_whole(project: Path, expected: dict[str, tuple[str, int]]) -> None:
    """Every stored transcript has exactly the segments its file gives."""
    db = sqlite3.connect(project / "qcode.db")
    try:
        for transcript, content_hash, count in db.execute(
            "SELECT t.id, t.content_hash, count(s.number) FROM transcripts t "
            "LEFT JOIN segments s ON s.transcript_id = t.id GROUP BY t.id"
        ):
            assert (content_hash, count) == expected[transcript], transcript
    finally:
        db.close()


# -- import -------------------------------------------------------------------------------


def test_import_killed_part_way_is_all_or_nothing(corpus: Path, tmp_path: Path) -> None:
    expected = expected_transcripts(corpus)
    segments = sum(n for _, n in expected.values())
    empty = tmp_path / "empty"
    qcode(empty, "init", str(empty))
    before = state(empty)

    reference = copy_project(empty, tmp_path / "reference")
    seconds, _ = timed(reference, "import", str(corpus))
    after = state(reference)
    assert len(after["transcripts"]) == TRANSCRIPTS and len(after["segments"]) == segments

    # Killed inside its transaction, half-way through the segments: nothing was saved,
    # although uncommitted pages had already reached the WAL file.
    paused = copy_project(empty, tmp_path / "paused")
    wal = kill_inside_transaction(paused, ["import", str(corpus)],
                                  statement="INSERT INTO segments", after=segments // 2,
                                  tmp=tmp_path)
    assert wal > 0, "the transaction had not written anything yet"
    assert_consistent(paused, expected)
    assert state(paused) == before
    rerun = qcode(paused, "import", str(corpus))
    assert f"imported {TRANSCRIPTS} new, 0 updated, 0 unchanged" in rerun.stderr
    assert state(paused) == after
    assert_whole(paused, expected)

    # Killed by the clock: all or nothing, and a second run completes it without duplicates.
    clocked = kill_part_way(empty, tmp_path / "clocked", ["import", str(corpus)],
                            reference_seconds=seconds)
    assert_consistent(clocked, expected)
    assert state(clocked) in (before, after)
    qcode(clocked, "import", str(corpus))
    assert state(clocked) == after
    assert_whole(clocked, expected)


def test_reimport_of_changed_transcripts_killed_part_way_keeps_the_old_version(
    corpus: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "changed"
    write_corpus(changed, extra_turn=True)
    old, new = expected_transcripts(corpus), expected_transcripts(changed)
    project = tmp_path / "project"
    qcode(project, "init", str(project))
    qcode(project, "import", str(corpus))
    qcode(project, "codebook", "load", str(sample_root() / "codebooks" / "veiligheidshuis.yaml"))
    codings = tmp_path / "codings.csv"
    with codings.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transcript", "segment", "code", "coder"])
        for transcript in sorted(old):
            writer.writerow([transcript, 2, "trust.high", "ans"])
            writer.writerow([transcript, 4, "dialogue", "ans"])
    qcode(project, "codings", "import", str(codings))
    before = state(project)

    reference = copy_project(project, tmp_path / "reference")
    qcode(reference, "import", str(changed))
    after = state(reference)
    assert after["codings"] == before["codings"]  # re-anchored on the same segments
    assert after != before

    paused = copy_project(project, tmp_path / "paused")
    kill_inside_transaction(paused, ["import", str(changed)], statement="DELETE FROM segments",
                            after=TRANSCRIPTS // 2, tmp=tmp_path)
    assert_consistent(paused, old, new)
    assert state(paused) == before
    assert_whole(paused, old)
    rerun = qcode(paused, "import", str(changed))
    assert f"imported 0 new, {TRANSCRIPTS} updated, 0 unchanged" in rerun.stderr
    assert state(paused) == after
    assert_whole(paused, new)


# -- suggest ------------------------------------------------------------------------------


def test_suggest_killed_part_way_leaves_no_half_applied_suggestions(
    corpus: Path, tmp_path: Path
) -> None:
    expected = expected_transcripts(corpus)
    ids = sorted(expected)[:SUGGEST_TRANSCRIPTS]
    project = tmp_path / "project"
    qcode(project, "init", str(project))
    qcode(project, "import", str(corpus))
    qcode(project, "codebook", "load", str(sample_root() / "codebooks" / "veiligheidshuis.yaml"))
    # Pending suggestions from an earlier, stricter run: the killed run would both add new
    # ones and update these, so a half-applied run would show.
    qcode(project, "suggest", *ids, "--rules-only", "--min-score", "0.8", "--format", "csv")
    before = state(project)
    assert before["suggestions"]

    reference = copy_project(project, tmp_path / "reference")
    seconds, _ = timed(reference, "suggest", *ids, "--rules-only", "--format", "csv")
    after = state(reference)
    added = len(after["suggestions"]) - len(before["suggestions"])
    assert added > 100

    paused = copy_project(project, tmp_path / "paused")
    kill_inside_transaction(paused, ["suggest", *ids, "--rules-only", "--format", "csv"],
                            statement="INSERT INTO suggestions",
                            after=len(after["suggestions"]) // 2, tmp=tmp_path)
    assert_consistent(paused, expected)
    assert state(paused) == before
    qcode(paused, "suggest", *ids, "--rules-only", "--format", "csv")
    assert state(paused) == after

    clocked = kill_part_way(project, tmp_path / "clocked",
                            ["suggest", *ids, "--rules-only", "--format", "csv"],
                            reference_seconds=seconds)
    assert_consistent(clocked, expected)
    assert state(clocked) in (before, after)
    qcode(clocked, "suggest", *ids, "--rules-only", "--format", "csv")
    assert state(clocked) == after


# -- merge --------------------------------------------------------------------------------


def _write_codings(path: Path, rows: list[tuple[str, int, str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transcript", "segment", "code", "coder", "memo"])
        for transcript, segment, code, coder in rows:
            writer.writerow([transcript, segment, code, coder, f"{coder} over {code}"])


def test_merge_killed_part_way_merges_all_or_nothing(corpus: Path, tmp_path: Path) -> None:
    from qcode.coding import assisted
    from qcode.store import find_project

    expected = expected_transcripts(corpus)
    ids = sorted(expected)
    codebook = sample_root() / "codebooks" / "veiligheidshuis.yaml"
    mine = tmp_path / "mine"
    qcode(mine, "init", str(mine))
    qcode(mine, "import", str(corpus))
    qcode(mine, "codebook", "load", str(codebook))
    _write_codings(tmp_path / "ans.csv", [(t, 2, "trust.high", "ans") for t in ids])
    qcode(mine, "codings", "import", str(tmp_path / "ans.csv"))

    # Another coder's copy of the project, with many codings and some decided suggestions.
    theirs = copy_project(mine, tmp_path / "theirs")
    codes = ["trust.high", "dialogue", "consensus", "members.many", "governance"]
    _write_codings(tmp_path / "bram.csv", [
        (t, segment, codes[(n + segment) % len(codes)], "bram")
        for n, t in enumerate(ids) for segment in range(2, 42, 2)
    ])
    qcode(theirs, "codings", "import", str(tmp_path / "bram.csv"))
    with find_project(theirs) as project:
        assisted.suggest_for_project(project, coder="bram", transcripts=ids[:6], rules_only=True)
        pending = assisted.pending_suggestions(project, coder="bram")
        for suggestion in pending[: len(pending) // 2]:
            assisted.reject(project, suggestion, coder="bram")
        assisted.accept_above(project, 0.0, coder="bram")
    before, other = state(mine), state(theirs)

    reference = copy_project(mine, tmp_path / "reference")
    seconds, _ = timed(reference, "merge", str(theirs))
    after = state(reference)
    added = len(after["codings"]) - len(before["codings"])
    assert added == len(other["codings"]) - len(before["codings"]) > len(ids) * 20
    assert sum(1 for row in after["decisions"] if "rejected" in row) > 0
    again = qcode(reference, "merge", str(theirs))  # merging twice changes nothing
    assert state(reference) == after, again.stderr

    paused = copy_project(mine, tmp_path / "paused")
    kill_inside_transaction(paused, ["merge", str(theirs)],
                            statement="INSERT OR IGNORE INTO codings", after=added // 2,
                            tmp=tmp_path)
    assert_consistent(paused, expected)
    assert state(paused) == before
    qcode(paused, "merge", str(theirs))
    assert state(paused) == after

    clocked = kill_part_way(mine, tmp_path / "clocked", ["merge", str(theirs)],
                            reference_seconds=seconds)
    assert_consistent(clocked, expected)
    assert state(clocked) in (before, after)
    qcode(clocked, "merge", str(theirs))
    assert state(clocked) == after
    assert state(theirs) == other  # the other project is only read
