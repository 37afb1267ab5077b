"""The README's session at a glance runs as written, on a fresh project."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.demo import sample_root
from qcode.store import find_project
from qcode.store.codings import select as list_codings

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()


def session_lines() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## A session at a glance", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_session_at_a_glance_runs_as_written(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # A source checkout: the sample and the codebook beside where the session starts.
    for folder in ("transcripts_sample", "codebooks"):
        shutil.copytree(sample_root() / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.delenv("QCODE_CODER", raising=False)
    ran = []
    for line in session_lines():
        for command in line.split("#", 1)[0].split("&&"):
            words = shlex.split(command)
            if words[0] == "export":
                name, value = words[1].split("=", 1)
                monkeypatch.setenv(name, value)
            elif words[0] == "cd":
                os.chdir(words[1])
            else:
                assert words[0] == "qcode", line
                result = runner.invoke(app, words[1:], input="")
                assert result.exit_code == 0, f"{command.strip()}\n{result.output}"
                ran.append(words[1])
    assert ran[0] == "init" and "train" in ran and ran[-1] == "report"
    with find_project(tmp_path / "vh-studie") as project:
        mine = list_codings(project, coders=["ans"])
        assert [(c.transcript, c.segment, c.code, c.memo) for c in mine] == [
            ("noordrand-r01", 12, "trust.high", "korte lijntjes")]
    assert (tmp_path / "vh-studie" / "rapport.html").is_file()
