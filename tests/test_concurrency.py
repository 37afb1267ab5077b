"""Concurrent use: two coders writing to one project at once, a busy project, backups.

Two coders on a shared drive run qcode against one ``qcode.db`` at the same time. SQLite
serialises their transactions; these tests show that nothing is lost, that a command
facing a long write waits a while and then fails with one clear line (never a corrupt
file), and that ``qcode backup`` copies one consistent snapshot while others write.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.demo import sample_root
from qcode.errors import QcodeError
from qcode.store import find_project, init_project
from qcode.store.backup import backup_project
from qcode.store.codebook import save_codebook
from tests.conftest import snapshot

runner = CliRunner()

# One coder's session: wait for the starting signal (so both coders really overlap),
# then add two codes to each respondent turn, one coding transaction per turn, like a
# coder clicking through a transcript. Prints when the first and last write committed.
CODER = """
import sys, time
from pathlib import Path
from qcode.store.codings import add as add_codings
from qcode.models import Coding
from qcode.store import find_project

project_path, coder, go, codes = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4:]
project = find_project(Path(project_path))
turns = project._db.execute(
    "SELECT transcript_id, number FROM segments WHERE interviewer = 0 ORDER BY 1, 2"
).fetchall()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
first = None
for n, (transcript, segment) in enumerate(turns):
    add_codings(project, [
        Coding(transcript, segment, code, coder, memo=f"{coder} {n}") for code in codes
    ])
    first = first or time.time()
print(first, time.time(), len(turns))
"""


@pytest.fixture()
def sample_project(tmp_path: Path) -> Path:
    """The shipped sample's six interviews with the study's codebook, nothing coded."""
    from qcode.codebook import load_codebook
    from qcode.importing import import_paths

    folder = tmp_path / "project"
    with init_project(folder) as project:
        import_paths(project, [sample_root() / "transcripts_sample"])
        save_codebook(project,
                      load_codebook(sample_root() / "codebooks" / "veiligheidshuis.yaml"))
    return folder


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QCODE_")}
    return {**env, **extra}


def _start_coder(project: Path, coder: str, go: Path, *codes: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CODER, str(project), coder, str(go), *codes],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )


def _finish(process: subprocess.Popen[str]) -> tuple[float, float, int]:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    first, last, turns = stdout.split()
    return float(first), float(last), int(turns)


def _integrity(db_path: Path) -> None:
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()


def qcode(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qcode", "--project", str(project), *args],
        capture_output=True, text=True, timeout=120, env=_env(**env),
    )


# -- two coders at once ---------------------------------------------------------------------


def test_two_coders_writing_at_once_lose_nothing(sample_project: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    ans = _start_coder(sample_project, "ans", go, "trust.high", "dialogue")
    bram = _start_coder(sample_project, "bram", go, "trust.low", "dialogue")
    time.sleep(0.5)  # both have opened the project and wait at the start line
    go.touch()
    ans_first, ans_last, turns = _finish(ans)
    bram_first, bram_last, _ = _finish(bram)
    # They really wrote at the same time: each started before the other was done.
    assert ans_first < bram_last and bram_first < ans_last

    _integrity(sample_project / "qcode.db")
    with find_project(sample_project) as project:
        rows = project._db.execute(
            "SELECT coder, code_id, count(*), count(DISTINCT memo) FROM codings "
            "GROUP BY coder, code_id ORDER BY 1, 2"
        ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("ans", "dialogue", turns, turns), ("ans", "trust.high", turns, turns),
        ("bram", "dialogue", turns, turns), ("bram", "trust.low", turns, turns),
    ]
    assert turns > 100


def test_two_coders_using_the_command_line_at_once(sample_project: Path) -> None:
    turns = [("noordrand-r01", n) for n in (2, 4, 6, 8, 10, 12)]

    def session(coder: str, code: str) -> subprocess.Popen[str]:
        # One shell per coder, each running qcode codings add once per turn.
        script = " && ".join(
            f"{sys.executable} -m qcode --project {sample_project} codings add "
            f"{transcript} {segment} {code} --coder {coder}"
            for transcript, segment in turns
        )
        return subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_env())

    sessions = [session("ans", "trust.high"), session("bram", "consensus")]
    for process in sessions:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert stderr.count("added ") == len(turns)
    _integrity(sample_project / "qcode.db")
    listed = qcode(sample_project, "codings", "list", "--format", "csv")
    rows = {tuple(line.split(",")[:4]) for line in listed.stdout.splitlines()[1:]}
    assert rows == {
        (t, str(n), code, coder)
        for t, n in turns for code, coder in (("trust.high", "ans"), ("consensus", "bram"))
    }


# -- a busy project -------------------------------------------------------------------------


def _hold_write_lock(project: Path) -> sqlite3.Connection:
    """Another coder in the middle of a long write: a transaction holding the write lock."""
    holder = sqlite3.connect(project / "qcode.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta(key, value) VALUES ('held', 'by the test')")
    return holder


@pytest.mark.parametrize(
    "args",
    [
        ["codings", "add", "noordrand-r01", "2", "trust.high", "--coder", "ans"],
        ["import", "{sample}/noordrand-r01.txt", "--interviewer", "I"],
        ["codebook", "load", "{codebooks}/veiligheidshuis.yaml"],
        ["codings", "import", "{sample}/codings.csv"],
    ],
    ids=["codings-add", "import", "codebook-load", "codings-import"],
)
def test_a_busy_project_waits_then_fails_with_one_clear_line(
    sample_project: Path, args: list[str]
) -> None:
    args = [a.format(sample=sample_root() / "transcripts_sample",
                     codebooks=sample_root() / "codebooks") for a in args]
    with find_project(sample_project) as project:
        before = snapshot(project)
    holder = _hold_write_lock(sample_project)
    try:
        started = time.monotonic()
        result = qcode(sample_project, *args, QCODE_BUSY_TIMEOUT="0.6")
        waited = time.monotonic() - started
        # Reading is never blocked by a writer (WAL): the project can still be browsed.
        assert qcode(sample_project, "transcripts", "--format", "csv").returncode == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {sample_project / 'qcode.db'}: the project is busy (another qcode command is "
        "writing to it; waited 0.6 s); wait for it to finish and run the command again, or "
        "set QCODE_BUSY_TIMEOUT to wait longer"
    ]
    assert waited >= 0.6
    _integrity(sample_project / "qcode.db")
    with find_project(sample_project) as project:
        assert snapshot(project) == before
    # Once the other write is done, the same command goes through.
    assert qcode(sample_project, *args).returncode == 0


def test_a_short_write_by_someone_else_is_waited_for(sample_project: Path) -> None:
    holder = _hold_write_lock(sample_project)
    process = subprocess.Popen(
        [sys.executable, "-m", "qcode", "--project", str(sample_project), "codings", "add",
         "noordrand-r01", "2", "trust.high", "--coder", "ans"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_env(QCODE_BUSY_TIMEOUT="30"),
    )
    try:
        time.sleep(1.5)  # the command has started and is waiting for the lock
        assert process.poll() is None
    finally:
        holder.execute("COMMIT")
        holder.close()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "added noordrand-r01:2 trust.high (ans)" in stderr
    with find_project(sample_project) as project:
        assert project.get_meta("held") == "by the test"
        assert project._db.execute("SELECT count(*) FROM codings").fetchone()[0] == 1


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "99999"])
def test_a_bad_busy_timeout_is_refused(sample_project: Path, value: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QCODE_BUSY_TIMEOUT", value)
    result = runner.invoke(app, ["--project", str(sample_project), "transcripts"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: QCODE_BUSY_TIMEOUT='{value}': expected the seconds to wait for a busy "
        "project, a number from 0 to 3600, e.g. 5"
    )


def test_busy_timeout_from_the_environment(sample_project: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QCODE_BUSY_TIMEOUT", "0.25")
    with find_project(sample_project) as project:
        assert project.busy_timeout == 0.25
    monkeypatch.delenv("QCODE_BUSY_TIMEOUT")
    with find_project(sample_project) as project:
        assert project.busy_timeout == 5.0


# -- backup ---------------------------------------------------------------------------------


def test_backup_while_another_coder_writes_is_a_consistent_snapshot(
    sample_project: Path, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    writer = _start_coder(sample_project, "ans", go, "trust.high", "dialogue")
    time.sleep(0.5)
    go.touch()
    copies = []
    try:
        while writer.poll() is None and len(copies) < 40:
            destination = tmp_path / f"backup-{len(copies)}.db"
            with find_project(sample_project) as project:
                backup_project(project, destination)
            copies.append(destination)
    finally:
        _, _, turns = _finish(writer)
    # A few more through the command line, now that the writer is done.
    result = qcode(sample_project, "backup", str(tmp_path / "final.db"))
    assert result.returncode == 0, result.stderr
    copies.append(tmp_path / "final.db")

    seen = []
    for copy in copies:
        assert not Path(f"{copy}-wal").exists()  # one self-contained file
        _integrity(copy)
        with find_project(copy) as project:  # opens as a project
            memos = [r[0] for r in project._db.execute(
                "SELECT memo FROM codings WHERE coder = 'ans' ORDER BY id")]
        # Both codes of every turn or neither: each of the writer's transactions is in the
        # copy entirely or not at all, and in order, with no gaps.
        n = len(memos) // 2
        assert sorted(memos) == sorted(f"ans {i}" for i in range(n) for _ in range(2))
        seen.append(n)
    assert seen[-1] == turns
    assert any(0 < n < turns for n in seen), f"no backup caught the writer mid-way: {seen}"


def test_backup_command(sample_project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copies" / "vh.db"
    copy.parent.mkdir()
    result = qcode(sample_project, "backup", str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"backed up {sample_project / 'qcode.db'} to {copy}: "
                                    "6 transcripts, 0 codings, ")
    assert sorted(p.name for p in copy.parent.iterdir()) == ["vh.db"]  # no temporary left
    listed = qcode(copy, "transcripts", "--format", "csv")
    original = qcode(sample_project, "transcripts", "--format", "csv")
    assert listed.stdout == original.stdout and listed.stdout.count("\n") == 7

    again = qcode(sample_project, "backup", str(copy))
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"error: {copy}: already exists; choose another name, or pass --force to replace it"
    )
    assert qcode(sample_project, "codings", "add", "noordrand-r01", "2", "trust.high",
                 "--coder", "ans").returncode == 0
    forced = qcode(sample_project, "backup", str(copy), "--force")
    assert forced.returncode == 0 and "6 transcripts, 1 coding, " in forced.stderr

    into_folder = qcode(sample_project, "backup", str(tmp_path / "copies"))
    assert into_folder.returncode == 0
    assert (tmp_path / "copies" / "qcode.db").is_file()


@pytest.mark.parametrize(
    "destination, message",
    [
        ("{project}/qcode.db", "is the project's own database; back it up to another file"),
        ("{tmp}/missing/vh.db", "missing: no such folder; create it first"),
    ],
)
def test_backup_refusals(sample_project: Path, tmp_path: Path, destination: str,
                         message: str) -> None:
    target = destination.format(project=sample_project, tmp=tmp_path)
    result = runner.invoke(app, ["--project", str(sample_project), "backup", target, "--force"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    _integrity(sample_project / "qcode.db")


def test_backup_library_refuses_to_overwrite(sample_project: Path, tmp_path: Path) -> None:
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"an older backup")
    with find_project(sample_project) as project, pytest.raises(QcodeError, match="--force"):
        backup_project(project, existing)
    assert existing.read_bytes() == b"an older backup"
    with find_project(sample_project) as project:
        report = backup_project(project, existing, force=True)
    assert report.transcripts == 6 and report.destination == existing
    assert report.size == existing.stat().st_size


def test_backup_never_replaces_a_project_that_is_open(sample_project: Path,
                                                      tmp_path: Path) -> None:
    other = tmp_path / "other"
    with init_project(other) as open_elsewhere:
        open_elsewhere.set_meta("note", "in use")
        assert (other / "qcode.db-wal").exists()
        result = qcode(sample_project, "backup", str(other), "--force")
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"error: {other / 'qcode.db'}: is open in qcode or was not closed cleanly "
            "(qcode.db-wal lies beside it); close it there, or choose another name"
        )
        assert open_elsewhere.get_meta("note") == "in use"
    assert qcode(sample_project, "backup", str(other), "--force").returncode == 0
