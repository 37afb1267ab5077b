"""Lint and type checks run with the tests, so one command (pytest) checks everything."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> list[str]:
    if shutil.which(name, path=str(Path(sys.executable).parent)):
        return [str(Path(sys.executable).parent / name)]
    pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")


def test_ruff() -> None:
    folders = [name for name in ("qcode", "tests", "bench") if (ROOT / name).is_dir()]
    result = subprocess.run([*_tool("ruff"), "check", *folders], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    result = subprocess.run([*_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers() -> None:
    """cli -> workflows -> store and parsers -> models and errors, and no import cycles
    (the contracts are in pyproject.toml)."""
    result = subprocess.run([*_tool("lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_sql_outside_the_store() -> None:
    """The store is the one door: no module outside qcode/store/ runs SQL or touches the
    database handle."""
    offenders = []
    for path in sorted((ROOT / "qcode").rglob("*.py")):
        if (ROOT / "qcode" / "store") in path.parents:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "execute(" in line or "._db" in line or "sqlite3" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
