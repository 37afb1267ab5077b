"""The demo on the shipped sample, and the round trips it promises."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.demo import REFERENCE_CODER, run_demo, sample_root
from qcode.errors import QcodeError
from qcode.store import find_project
from qcode.store.codings import select as list_codings
from qcode.store.transcripts import get_segments

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "qcode-demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "codings by ref" in result.stdout
    return out


def test_demo_writes_every_export(demo_dir: Path) -> None:
    for name in ("matrix-respondent.xlsx", "matrix-respondent.md", "matrix-case-top.md",
                 "quotes.docx", "quotes.csv", "rapport.html"):
        assert (demo_dir / "exports" / name).stat().st_size > 0, name


def test_sample_meets_its_promises(demo_dir: Path) -> None:
    with find_project(demo_dir) as project:
        codings = list_codings(project, coders=[REFERENCE_CODER])
        transcripts = {c.transcript for c in codings}
        assert len(transcripts) == 6
        assert len(codings) >= 120
        assert {c.code.split(".")[0] for c in codings} == {
            "governance", "trust", "members", "consensus", "competences", "dialogue",
            "frameworks", "learning", "capacity", "talking_back",
        }
        second = list_codings(project, coders=["b"])
        assert len({c.transcript for c in second}) == 2
        for transcript in transcripts:
            words = sum(len(s.text.split()) for s in get_segments(project, transcript))
            assert words >= 1500, transcript


def test_quotes_equal_transcript_text_byte_for_byte(demo_dir: Path) -> None:
    with find_project(demo_dir) as project:
        texts = {}
        for path in (demo_dir / "transcripts_sample").glob("*.txt"):
            for segment in get_segments(project, path.stem):
                texts[(path.stem, segment.number)] = segment.text
            raw = path.read_text(encoding="utf-8")
            for segment in get_segments(project, path.stem):
                assert segment.text in raw  # the stored text is a slice of the file
    with (demo_dir / "exports" / "quotes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    diacritics = 0
    for row in rows:
        full = texts[(row["transcript"], int(row["segment"]))]
        expected = full[int(row["start"]):int(row["end"])] if row["start"] else full
        assert row["text"].encode("utf-8") == expected.encode("utf-8")
        diacritics += any(ch in row["text"] for ch in "ëïéöü")
    assert diacritics > 0


def test_matrix_sums_equal_codings(demo_dir: Path) -> None:
    with find_project(demo_dir) as project:
        from qcode.analysis.matrix import build_matrix

        codings = list_codings(project, coders=[REFERENCE_CODER])
        frame = build_matrix(project, by="respondent", coders=[REFERENCE_CODER])
        distinct = {(c.transcript, c.segment, c.code) for c in codings}
        assert int(frame.drop(columns="label").to_numpy().sum()) == len(distinct)


def test_demo_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "bezet.txt").write_text("iets", encoding="utf-8")
    for force in (False, True):  # --force replaces only a demo's own folder
        with pytest.raises(QcodeError, match="exists and is not empty; choose a new folder"):
            run_demo(tmp_path, force=force)
    assert [p.name for p in tmp_path.iterdir()] == ["bezet.txt"]


def test_demo_run_twice_says_how_and_force_makes_it_again(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "qcode-demo"
    shutil.copytree(demo_dir, out)
    again = runner.invoke(app, ["demo", "--out", str(out)])
    assert again.exit_code == 1
    assert again.stderr.strip().splitlines()[-1] == (
        f"error: {out}: exists and is not empty; 'qcode demo --out {out} --force' replaces the "
        "demo made there before, or choose a new folder with --out NEW-FOLDER")
    (out / "exports" / "rapport.html").unlink()
    forced = runner.invoke(app, ["demo", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (out / "exports" / "rapport.html").is_file()


def test_demo_merges_the_second_coders_own_project_and_leaves_suggestions(demo_dir: Path) -> None:
    with find_project(demo_dir / "coder-b") as second:
        theirs = {(c.transcript, c.segment, c.code, c.memo) for c in list_codings(second)}
    with find_project(demo_dir) as project:
        merged = {(c.transcript, c.segment, c.code, c.memo)
                  for c in list_codings(project, coders=["b"])}
        assert merged == theirs and len(theirs) == 102
        from qcode.coding.assisted import pending_suggestions

        assert len(pending_suggestions(project, coder="ref")) > 50


def test_sample_root_is_found() -> None:
    assert (sample_root() / "codebooks" / "veiligheidshuis.yaml").is_file()
