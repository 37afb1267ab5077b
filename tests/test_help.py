"""Help that works the first time: every example runs as printed on the demo project, and
help reads in words, in the order of the work."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from qcode.cli import app
from qcode.cli.app import WORKFLOW
from qcode.cli.command import examples
from qcode.demo import run_demo
from tests.conftest import Terminal, command_paths

runner = CliRunner()
def command_help(path: list[str]) -> str | None:
    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command.help


def all_examples() -> list[tuple[list[str], str]]:
    found = [([], example) for example in examples(get_command(app).help)]
    for path in command_paths():
        found += [(path, example) for example in examples(command_help(path))]
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("help") / "vh-studie"
    run_demo(out)
    return out


def test_every_command_has_an_example_printed_on_one_line() -> None:
    for path in command_paths():
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
        assert shown.exit_code == 0, path
        found = examples(command_help(path))
        assert found, f"qcode {' '.join(path)} has no example"
        for example in found:
            assert example.startswith(f"qcode {' '.join(path)}"), example
            assert f"  Example: {example}\n" in shown.stdout, example


def test_help_names_values_in_words_not_python_types() -> None:
    for path in [[], *command_paths()]:
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"}).stdout
        for python in ("<", "list[", "float range", "<=x<=", "x>="):
            assert python not in shown, (path, python)
    review = runner.invoke(app, ["review", "--help"]).stdout
    assert re.search(r"--accept-above NUMBER .*\[from 0 to 1\]", " ".join(review.split()))
    assert "Usage: qcode review [OPTIONS] [TRANSCRIPT...]" in review
    assert "Usage: qcode codings add [OPTIONS] TRANSCRIPT SEGMENT CODES..." in runner.invoke(
        app, ["codings", "add", "--help"]).stdout


def test_export_help_names_every_format() -> None:
    shown = runner.invoke(app, ["export", "--help"]).stdout
    described = " ".join(shown.split("Options:")[0].split())  # the text above the lists
    for word in ("matrices", "quotes", "qdpx", "qdc", "REFI-QDA", "xlsx", "docx"):
        assert word in described, word


def test_commands_are_listed_in_the_order_of_the_work() -> None:
    shown = runner.invoke(app, ["--help"]).stdout
    work, other = shown.split("Commands, in the order of the work:")[1].split("Other commands:")
    listed = [line.split()[0] for line in work.splitlines() if line.startswith("  ")]
    assert listed[0] == "init" and listed[1] == "import" and listed[-1] == "report"
    assert listed == [name for name in WORKFLOW if name in listed]
    others = [line.split()[0] for line in other.splitlines() if line.startswith("  ")]
    registered = {path[0] for path in command_paths()}
    assert sorted(listed + others) == sorted(registered)


def test_project_works_after_the_command(demo: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    for args in (["transcripts", "--project", str(demo)], ["transcripts", "-P", str(demo)],
                 ["--project", str(demo), "transcripts"],
                 ["codings", "list", "--format", "jsonl", "--project", str(demo)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "noordrand-r01" in result.stdout, args
    wrong = runner.invoke(app, ["transcripts", "--project", str(tmp_path / "nergens")])
    assert wrong.exit_code == 1 and "no qcode project there" in wrong.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("path", "example"), all_examples(),
                         ids=[example for _, example in all_examples()])
def test_every_example_runs_as_printed_on_the_demo_project(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: list[str], example: str
) -> None:
    # A fresh copy each time, as a new user would have it after 'qcode demo'.
    project = tmp_path / demo.name
    shutil.copytree(demo, project)
    monkeypatch.chdir(project)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    words = shlex.split(example)
    assert words[0] == "qcode"
    if path == ["tag"]:
        terminal = Terminal(words[1:], cwd=project)
        try:
            terminal.read_until(b"search codes")
            terminal.type(b"q")
            terminal.read_until(b"everything is saved")
        finally:
            assert terminal.close() == 0
        return
    result = runner.invoke(app, words[1:], input="")
    assert result.exit_code == 0, f"{example}\n{result.output}"
    assert "error:" not in result.stderr, result.stderr


def test_every_listing_takes_table_csv_and_jsonl() -> None:
    listings = {"transcripts", "show", "codings list", "codebook show", "suggest", "train",
                "evaluate", "agreement", "disagreements", "export matrix", "check-anonymity"}
    with_format = set()
    for path in command_paths():
        command = get_command(app)
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        option = next((p for p in command.params if "--format" in getattr(p, "opts", ())), None)
        if option is None:
            continue
        with_format.add(" ".join(path))
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).stdout
        choices = re.search(r"--format \[([a-z|]+)\]", shown)
        assert choices, path
        assert {"table", "csv", "jsonl"} <= set(choices.group(1).split("|")), path
    assert listings <= with_format, listings - with_format
