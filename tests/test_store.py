"""The project store: creating, finding, migrating, and all-or-nothing writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qcode.errors import ProjectError, QcodeError
from qcode.store import DB_NAME, find_project, init_project
from qcode.store.migrations import MIGRATIONS


def test_init_creates_database_with_migrations_recorded(tmp_path: Path) -> None:
    project = init_project(tmp_path / "p")
    assert (tmp_path / "p" / DB_NAME).is_file()
    assert project.schema_version == MIGRATIONS[-1].number
    applied = [r[0] for r in project._db.execute("SELECT number FROM migrations")]
    assert applied == [m.number for m in MIGRATIONS]
    assert project._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert project._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    project.close()


def test_init_refuses_existing_project(tmp_path: Path) -> None:
    init_project(tmp_path).close()
    with pytest.raises(ProjectError, match="a project already exists here"):
        init_project(tmp_path)


def test_find_project_walks_up_like_git(tmp_path: Path) -> None:
    init_project(tmp_path).close()
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    with find_project(start=nested) as project:
        assert project.root == tmp_path


def test_find_project_uses_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_project(tmp_path / "p").close()
    monkeypatch.setenv("QCODE_PROJECT", str(tmp_path / "p"))
    with find_project(start=tmp_path) as project:
        assert project.root == tmp_path / "p"


def test_find_project_explicit_path_without_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="no qcode project there"):
        find_project(tmp_path / "nowhere")


def test_find_project_outside_any_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    with pytest.raises(ProjectError, match="not inside a qcode project"):
        find_project(start=tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    init_project(tmp_path).close()
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute("PRAGMA user_version = 999")
    db.close()
    with pytest.raises(ProjectError, match="made by a newer qcode"):
        find_project(tmp_path)


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ProjectError, match="not a qcode project database"):
        find_project(tmp_path)


def test_atomic_rolls_back_on_error(tmp_path: Path) -> None:
    project = init_project(tmp_path)
    with pytest.raises(QcodeError), project.atomic():
        project._db.execute("INSERT INTO respondents(id) VALUES ('R01')")
        raise QcodeError("boom")
    assert project._db.execute("SELECT count(*) FROM respondents").fetchone()[0] == 0
    project.close()
