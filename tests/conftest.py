"""Small, realistic fixtures (a mini codebook and two short Dutch interviews) and the test
helpers every test file shares: the CLI runner, ``qcode``, ``assert_user_error``,
``assert_usage_error`` and ``snapshot``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qcode.store import Project, init_project

runner = CliRunner()


def pytest_configure(config: pytest.Config) -> None:
    # Rich fixes a console's width when it is made if COLUMNS is set then (pytest-xdist's
    # workers set it); without it each command is laid out for the COLUMNS it runs with.
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)


def qcode(project: Path | Project, *args: str, **env: str) -> Any:
    """Run ``qcode --project PROJECT ARGS`` in-process; returns click's Result."""
    root = project.root if isinstance(project, Project) else project
    return runner.invoke(_app(), ["--project", str(root), *args], env=env or None)


def _app() -> Any:
    from qcode.cli import app

    return app


def assert_user_error(result: Any, message: str, *, exit_code: int = 1) -> None:
    """Exit 1 (or ``exit_code``) with exactly one line on stderr, starting ``error:`` and
    saying ``message``; never a traceback."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert message in lines[0], lines[0]


def assert_usage_error(result: Any, message: str) -> None:
    """A value on the command line that cannot be read: exit 2, one line."""
    assert_user_error(result, message, exit_code=2)

MINI_CODEBOOK = """\
codebook: mini
description: Een kleine codeboom voor de tests.
codes:
  trust:
    label: Onderling vertrouwen
    description: Hoe partners elkaar vertrouwen en informatie delen.
    keywords: [vertrouwen, informatie delen]
    color: "#1f77b4"
    codes:
      high:
        label: Hoog vertrouwen
        level: high
      low:
        label: Laag vertrouwen
        level: low
      information_sharing:
        label: Informatiedeling
        keywords: [informatie]
        codes:
          oral:
            label: Mondeling delen
          written:
            label: Schriftelijk delen
  governance:
    label: Netwerkgovernance
    codes:
      nao:
        label: Netwerk administratieve organisatie
  dialogue:
    label: Dialoog tussen politie en ketenpartners
"""

INTERVIEW_ONE = """\
---
respondent: R01
case: Veiligheidshuis Noord
role: manager
date: 2026-03-12
interviewer: [I]
---
I: Wat is uw functie?

R: Ik ben hoofd van het Veiligheidshuis. Wij zijn een coöperatie van partners, en de casuïstiek
bespreken we aan één tafel.

I: Hoe is het vertrouwen tussen de partners?

R: Het vertrouwen is hoog. We delen veel mondeling, in het casusoverleg zelf.

I: En schriftelijk?

R: Schriftelijk delen is lastiger door de AVG en het convenant.
"""

INTERVIEW_TWO = """\
---
respondent: R02
case: Veiligheidshuis Zuid
role: politie
interviewer: [I]
---
I: Hoe werkt u samen met de ketenpartners?

R: Ik zit twee dagen per week in het huis. Informatie komt vaak te laat terug.

I: Vertrouwt u de partners?

R: Niet altijd, eerlijk gezegd. Afspraken worden niet altijd nagekomen.
"""


@pytest.fixture()
def sample_files(tmp_path: Path) -> Path:
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "noord-r01.txt").write_text(INTERVIEW_ONE, encoding="utf-8")
    (folder / "zuid-r02.txt").write_text(INTERVIEW_TWO, encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(MINI_CODEBOOK, encoding="utf-8")
    return tmp_path


@pytest.fixture()
def empty_project(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "project")
    yield project
    project.close()


@pytest.fixture()
def project(sample_files: Path) -> Project:
    """A project with both interviews imported and the mini codebook loaded."""
    from qcode.codebook import load_codebook
    from qcode.importing import import_paths
    from qcode.store.codebook import save_codebook

    project = init_project(sample_files / "project")
    import_paths(project, [sample_files / "interviews"])
    save_codebook(project, load_codebook(sample_files / "mini.yaml"))
    yield project
    project.close()


def snapshot(project: Project) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every row of every table, to assert that a failed command changed nothing."""
    tables = [
        r[0] for r in project._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return [
        (table, [tuple(row) for row in project._db.execute(f"SELECT * FROM {table} ORDER BY 1")])
        for table in tables
    ]


def command_paths() -> list[list[str]]:
    """Every command of ``qcode`` as its words (``["codings", "add"]``), found by walking the
    registered commands, so a command added later is covered without listing it."""
    from typer.main import get_command

    from qcode.cli import app

    def walk(command: object, path: list[str]) -> list[list[str]]:
        children = getattr(command, "commands", None)
        if not children:
            return [path]
        return [found for name, child in children.items() for found in walk(child, [*path, name])]

    return walk(get_command(app), [])


class Terminal:
    """A qcode process in a pseudo-terminal of a given size, read and typed into as a
    person would."""

    def __init__(self, args: list[str], *, cwd: Path | None = None, size: tuple[int, int] = (80, 24),
                 env: dict[str, str] | None = None) -> None:
        import fcntl
        import os
        import pty
        import struct
        import subprocess
        import sys
        import termios

        self.leader, follower = pty.openpty()
        columns, rows = size
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qcode", *args], stdin=follower, stdout=follower,
            stderr=follower, cwd=cwd, close_fds=True,
            env={**os.environ, "TERM": "xterm-256color", **(env or {})})
        os.close(follower)
        self.screen = b""

    def read_until(self, marker: bytes, timeout: float = 20.0) -> None:
        import os
        import select
        import time

        deadline = time.monotonic() + timeout
        while marker not in self.screen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.leader], [], [], 0.2)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            try:
                self.screen += os.read(self.leader, 65536)
            except OSError:
                break
        assert marker in self.screen, self.screen[-2000:]

    def type(self, *keys: bytes, pause: float = 0.3) -> None:
        import os
        import time

        for key in keys:
            os.write(self.leader, key)
            time.sleep(pause)

    def close(self, timeout: float = 20.0) -> int:
        """Wait for the process to end (killing it after ``timeout``); its exit status."""
        import os
        import select
        import subprocess

        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        # What the process wrote last (restoring the terminal) is read too.
        while select.select([self.leader], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.screen += chunk
        os.close(self.leader)
        return self.process.returncode
