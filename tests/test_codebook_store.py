"""Reloading a codebook keeps every coding, or refuses and says which ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.codebook import load_codebook
from qcode.errors import CodebookError
from qcode.models import Coding
from qcode.store import Project
from qcode.store.codebook import load_stored_codebook, require_codebook, save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from tests.conftest import MINI_CODEBOOK, snapshot


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "changed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_stored_codebook_equals_loaded(project: Project, sample_files: Path) -> None:
    loaded = load_codebook(sample_files / "mini.yaml")
    stored = require_codebook(project)
    assert stored.codes == loaded.codes
    assert stored.version == loaded.version


def test_reload_same_codebook_is_unchanged(project: Project, sample_files: Path) -> None:
    change = save_codebook(project, load_codebook(sample_files / "mini.yaml"))
    assert change.unchanged and change.added == () and change.removed == ()


def test_removing_a_code_in_use_is_refused(project: Project, tmp_path: Path) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    before = snapshot(project)
    text = MINI_CODEBOOK.replace("      high:\n        label: Hoog vertrouwen\n        level: high\n", "")
    with pytest.raises(CodebookError) as caught:
        save_codebook(project, load_codebook(_write(tmp_path, text)))
    message = str(caught.value)
    assert "1 code in use would disappear: trust.high (1 coding)" in message
    assert "noord-r01:4 trust.high by ans" in message
    assert "--rename OLD=NEW" in message
    assert snapshot(project) == before


def test_rename_maps_codings_onto_new_code(project: Project, tmp_path: Path) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    text = MINI_CODEBOOK.replace("      high:\n", "      strong:\n")
    change = save_codebook(project, load_codebook(_write(tmp_path, text)),
                           renames={"trust.high": "trust.strong"})
    assert change.added == ("trust.strong",) and change.removed == ("trust.high",)
    assert [c.code for c in list_codings(project)] == ["trust.strong"]


def test_rename_to_unknown_code_is_refused(project: Project, tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="'trust.sterk' is not a code of"):
        save_codebook(project, load_codebook(_write(tmp_path, MINI_CODEBOOK)),
                      renames={"trust.high": "trust.sterk"})


def test_unused_code_can_disappear(project: Project, tmp_path: Path) -> None:
    text = MINI_CODEBOOK.replace("  dialogue:\n    label: Dialoog tussen politie en ketenpartners\n", "")
    change = save_codebook(project, load_codebook(_write(tmp_path, text)))
    assert change.removed == ("dialogue",)


def test_empty_project_has_no_codebook(empty_project: Project) -> None:
    assert load_stored_codebook(empty_project) is None
    with pytest.raises(CodebookError, match="no codebook yet; load one with"):
        require_codebook(empty_project)
