"""Matrices split by a second attribute (waves), and matrices drawn as heatmap pictures."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.analysis.matrix import build_matrix
from qcode.cli import app
from qcode.errors import ExportError, QcodeError
from qcode.exports.plot import write_matrix_plot
from qcode.models import Coding
from qcode.store import Project
from qcode.store.codings import add as add_codings
from qcode.store.transcripts import set_respondent_attributes
from tests.conftest import snapshot

runner = CliRunner()
DARKEST_BLUE = (8, 48, 107)  # the top of matplotlib's "Blues" scale


@pytest.fixture()
def waves(project: Project) -> Project:
    """Both interviews in one house, one in 2018 and one in 2026."""
    set_respondent_attributes(project, "R01", {"wave": "2018"})
    set_respondent_attributes(project, "R02", {"wave": "2026", "case": "Veiligheidshuis Noord"})
    add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans"),
        Coding("noord-r01", 4, "trust.high", "bob"),
        Coding("noord-r01", 2, "governance.nao", "ans"),
        Coding("zuid-r02", 4, "trust.low", "ans"),
        Coding("zuid-r02", 2, "trust.low", "ans"),
    ])
    return project


def test_then_by_splits_each_group(waves: Project) -> None:
    frame = build_matrix(waves, by="case", then_by="wave", level="top")
    assert list(frame.columns) == ["label", "Veiligheidshuis Noord / 2018",
                                   "Veiligheidshuis Noord / 2026"]
    assert frame.loc["trust", "Veiligheidshuis Noord / 2018"] == 1
    assert frame.loc["trust", "Veiligheidshuis Noord / 2026"] == 2
    # Without --then-by the same codings add up in one column, as before.
    plain = build_matrix(waves, by="case", level="top")
    assert list(plain.columns) == ["label", "Veiligheidshuis Noord"]
    assert plain.loc["trust", "Veiligheidshuis Noord"] == 3


def test_then_by_a_missing_value_and_errors(waves: Project) -> None:
    set_respondent_attributes(waves, "R02", {"wave": ""})
    frame = build_matrix(waves, by="case", then_by="wave")
    assert "Veiligheidshuis Noord / (missing)" in frame.columns
    with pytest.raises(QcodeError, match="--then-by jaar: no transcript or respondent has"):
        build_matrix(waves, by="case", then_by="jaar")
    with pytest.raises(QcodeError, match="--then-by case: the same attribute as --by"):
        build_matrix(waves, by="case", then_by="case")


def test_png_heatmap_is_drawn_with_the_colour_scale(waves: Project, tmp_path: Path) -> None:
    from PIL import Image

    frame = build_matrix(waves, by="respondent")
    target = tmp_path / "matrix.png"
    write_matrix_plot(frame, target, title="Codes per respondent")
    with Image.open(target) as image:
        assert image.format == "PNG"
        colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 20) or []}
    # The largest count is drawn in the darkest colour of the scale.
    assert any(all(abs(a - b) <= 2 for a, b in zip(c, DARKEST_BLUE, strict=True))
               for c in colours)
    # More codes make a taller picture.
    with Image.open(target) as image:
        tall = image.size[1]
    write_matrix_plot(build_matrix(waves, by="respondent", level="top"), target)
    with Image.open(target) as image:
        assert image.size[1] < tall


def test_svg_and_pdf_are_reproducible(waves: Project, tmp_path: Path) -> None:
    frame = build_matrix(waves, by="case", then_by="wave", level="top")
    for suffix, magic in ((".svg", b"<?xml"), (".pdf", b"%PDF")):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        write_matrix_plot(frame, first, title="t")
        write_matrix_plot(frame, second, title="t")
        assert first.read_bytes().startswith(magic)
        assert first.read_bytes() == second.read_bytes(), suffix


def test_plot_errors(waves: Project, tmp_path: Path) -> None:
    frame = build_matrix(waves, by="case")
    with pytest.raises(ExportError, match="unknown picture format '.gif'; use .png, .svg or .pdf"):
        write_matrix_plot(frame, tmp_path / "matrix.gif")
    with pytest.raises(ExportError, match="folder .*nowhere does not exist"):
        write_matrix_plot(frame, tmp_path / "nowhere" / "matrix.png")
    with pytest.raises(ExportError, match="no codes or no groups; nothing to draw"):
        write_matrix_plot(frame.iloc[0:0], tmp_path / "matrix.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["interviews", "mini.yaml", "project"]


def test_cli_plot_and_then_by(waves: Project, tmp_path: Path) -> None:
    picture = tmp_path / "matrix.png"
    result = runner.invoke(app, ["--project", str(waves.root), "export", "matrix", "--by", "case",
                                 "--then-by", "wave", "--level", "top", "--plot", str(picture),
                                 "--csv"])
    assert result.exit_code == 0, result.output
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert "drew 3 codes x 2 groups (case / wave)" in result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["code", "label", "Veiligheidshuis Noord / 2018",
                       "Veiligheidshuis Noord / 2026"]
    assert rows[1][0] == "trust" and rows[1][2:] == ["1", "2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plot", "matrix.gif"], "matrix.gif: unknown picture format '.gif'"),
        (["--plot", "matrix.png", "-o", "matrix.pdf"], "unknown matrix format '.pdf'"),
        (["--by", "case", "--then-by", "jaar", "--plot", "matrix.png"],
         "--then-by jaar: no transcript or respondent has that attribute"),
    ],
)
def test_cli_plot_errors_leave_nothing_behind(
    waves: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    before = snapshot(waves)
    result = runner.invoke(app, ["--project", str(waves.root), "export", "matrix", *args])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["interviews", "mini.yaml", "project"]
    assert snapshot(waves) == before


def test_matplotlib_is_imported_only_to_draw() -> None:
    code = "import sys, qcode.cli, qcode.exports; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
