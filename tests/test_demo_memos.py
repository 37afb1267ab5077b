"""The sample's memos in the demo: loaded from transcripts_sample/memos.csv, shown in the
report (a memo per house at the top of its case, the journal, saturation per case), and
every help example of the memo, saturation and codebook export commands run as printed
on the demo project."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.store import find_project
from qcode.store import memos as memos_store

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "qcode-demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_sample_memos_are_loaded(demo_dir: Path) -> None:
    with find_project(demo_dir) as project:
        memos = memos_store.select(project)
    kinds = [m.target.kind for m in memos]
    assert kinds.count("project") >= 1
    assert sorted(m.target.name for m in memos if m.target.kind == "case") == [
        "Veiligheidshuis Noordrand", "Veiligheidshuis Rivierstad"]
    annotation = next(m for m in memos if m.target.kind == "segment")
    with find_project(demo_dir) as project:
        from qcode.store.transcripts import get_segments

        text = get_segments(project, annotation.target.name)[
            (annotation.target.segment or 0) - 1].text
    assert annotation.target.span is not None
    start, end = annotation.target.span
    assert text[start:end] == ("Wij zitten zelf nooit als partij aan tafel. We hebben geen "
                               "eigen casussen, we nemen niets over. We faciliteren.")


def test_the_sample_report_shows_case_memos_saturation_and_the_journal(demo_dir: Path) -> None:
    html = (demo_dir / "exports" / "rapport.html").read_text(encoding="utf-8")
    cases = re.findall(r'<section class="case" id="case-\d">(.*?)</section>', html, re.S)
    assert len(cases) == 2
    assert "Ondersteunend huis onder de veiligheidsregio" in cases[0]
    assert "Huis van één grote gemeente" in cases[1]
    saturation = html.split('<section id="saturation">', 1)[1].split("</section>", 1)[0]
    assert saturation.count("te weinig interviews: 3 gecodeerd, de methode vraagt er "
                            "minstens 6 (basis 4 + run 2)") == 2
    journal = html.split('<section id="journal">', 1)[1]
    assert "Eerste interview in Noordrand" in journal
    assert "Spanning tussen zorg en justitie" in html.split('id="code-consensus.tension"')[1]
    assert (demo_dir / "exports" / "codeboek.docx").stat().st_size > 0


def _example(path: list[str]) -> list[str]:
    result = runner.invoke(app, [*path, "--help"])
    line = next(line for line in result.stdout.splitlines() if "Example: qcode" in line)
    return shlex.split(line.split("Example: qcode", 1)[1])


@pytest.mark.parametrize("path", [
    ["memo", "list"], ["memo", "add"], ["memo", "edit"], ["memo", "import"],
    ["memo", "remove"], ["saturation"], ["codebook", "export"],
])
def test_every_new_help_example_runs_on_the_demo(demo_dir: Path, path: list[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo_dir)
    result = runner.invoke(app, _example(path))
    assert result.exit_code == 0, (path, result.output)
