"""qcode cooccur: counts and Jaccard worked out by hand from tests/questions_fixture.py.

ann's codes per respondent turn (9 turns):
noord 2 {trust.low, governance.lead_organisation}  noord 4 {trust, dialogue}
noord 6 {governance.nao}  zuid2 2 {trust.high}  zuid2 4 {trust.low,
governance.lead_organisation, dialogue}  zuid2 6 {}  zuid3 2 {trust.high, governance.nao}
zuid3 4 {dialogue}  zuid3 6 {trust.low}
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qcode.analysis.cooccur import cooccurrence, cooccurrence_frame, pair_rows
from qcode.store import Project
from qcode.values import parse_where
from tests.conftest import assert_usage_error, assert_user_error, qcode, snapshot
from tests.questions_fixture import build


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    project = build(tmp_path)
    yield project
    project.close()


def pairs(tables: list, by: str | None = None) -> list[tuple[object, ...]]:
    return [tuple(row.values()) for row in pair_rows(tables, by)]


def test_top_level_segments(project: Project) -> None:
    [table] = cooccurrence(project, coders=["ann"])
    assert table.units == 9
    assert table.codes == ("trust", "governance", "dialogue")
    assert table.counts == {"trust": 6, "governance": 4, "dialogue": 3}
    assert pairs([table]) == [
        ("trust", "governance", 3, round(3 / 7, 4)),      # noord 2, zuid2 4, zuid3 2
        ("trust", "dialogue", 2, round(2 / 7, 4)),        # noord 4, zuid2 4
        ("governance", "dialogue", 1, round(1 / 6, 4)),   # zuid2 4
    ]


def test_full_level_segments(project: Project) -> None:
    [table] = cooccurrence(project, level="full", coders=["ann"])
    assert table.codes == ("trust", "trust.high", "trust.low",
                           "governance.lead_organisation", "governance.nao", "dialogue")
    assert pairs([table]) == [
        ("trust", "dialogue", 1, round(1 / 3, 4)),
        ("trust.high", "governance.nao", 1, round(1 / 3, 4)),
        ("trust.low", "governance.lead_organisation", 2, round(2 / 3, 4)),
        ("trust.low", "dialogue", 1, 0.2),
        ("governance.lead_organisation", "dialogue", 1, 0.25),
    ]
    assert table.count("trust.low", "governance.nao") == 0
    assert table.jaccard("trust.low", "governance.nao") == 0.0


def test_transcript_unit(project: Project) -> None:
    [table] = cooccurrence(project, unit="transcript", level="full", coders=["ann"])
    assert table.units == 3
    assert table.count("trust.low", "governance.nao") == 2  # noord and zuid3
    assert table.jaccard("trust.low", "governance.nao") == round(2 / 3, 4)
    assert table.jaccard("trust.low", "dialogue") == 1.0


def test_one_table_per_group(project: Project) -> None:
    noord, zuid = cooccurrence(project, by="case", coders=["ann"])
    assert (noord.group, noord.units, zuid.group, zuid.units) == ("Noord", 3, "Zuid", 6)
    assert pairs([noord, zuid], "case") == [
        ("trust", "governance", "Noord", 1, round(1 / 3, 4)),
        ("trust", "dialogue", "Noord", 1, 0.5),
        ("trust", "governance", "Zuid", 2, 0.5),
        ("trust", "dialogue", "Zuid", 1, 0.2),
        ("governance", "dialogue", "Zuid", 1, round(1 / 3, 4)),
    ]
    assert noord.codes == zuid.codes  # the groups' tables line up


def test_jaccard_is_undefined_when_neither_code_occurs(project: Project) -> None:
    manager, police = cooccurrence(project, by="role", level="full", coders=["ann"])
    assert manager.group == "manager" and manager.counts.get("trust") is None
    assert manager.jaccard("trust", "governance.nao") is None
    assert manager.jaccard("trust.high", "governance.nao") == 0.0
    assert police.jaccard("trust", "governance.nao") == 0.0


def test_coders_and_where(project: Project) -> None:
    [both] = cooccurrence(project, level="full")
    assert both.count("trust.high", "governance.lead_organisation") == 1  # ann + ben, noord 2
    [zuid] = cooccurrence(project, coders=["ann"], where=parse_where(["case=Zuid"]))
    assert zuid.units == 6 and zuid.count("trust", "governance") == 2


def test_frame_for_the_plot(project: Project) -> None:
    [table] = cooccurrence(project, coders=["ann"])
    frame = cooccurrence_frame(table, "jaccard")
    assert list(frame.columns) == ["label", "trust", "governance", "dialogue"]
    assert frame.loc["trust", "governance"] == 0.43 and frame.loc["trust", "trust"] == 0


# -- the command ------------------------------------------------------------------------


def test_cli_table_numbers_the_columns(project: Project) -> None:
    result = qcode(project, "cooccur", "--coder", "ann")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "trust" in line]
    assert lines and all(ch in lines[0] for ch in ("6", "3", "2", "—"))
    assert "segments in all: 9" in result.stderr


def test_cli_csv_and_jsonl_rows(project: Project) -> None:
    result = qcode(project, "cooccur", "--coder", "ann", "--by", "case", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["code_a,code_b,case,count,jaccard",
                                              "trust,governance,Noord,1,0.3333"]
    result = qcode(project, "cooccur", "--coder", "ann", "--format", "jsonl")
    assert json.loads(result.stdout.splitlines()[0]) == {
        "code_a": "trust", "code_b": "governance", "count": 3, "jaccard": 0.4286}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".md"])
def test_cli_writes_tables(project: Project, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"c{suffix}"
    result = qcode(project, "cooccur", "--coder", "ann", "--by", "case", "--measure",
                   "jaccard", "-o", str(target))
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        rows = list(csv.reader(target.open(encoding="utf-8")))
        assert rows[0] == ["code_a", "code_b", "case", "count", "jaccard"] and len(rows) == 6
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(target)
        assert book.sheetnames == ["Noord", "Zuid", "info"]
        assert [c.value for c in book["Zuid"][2]] == [
            "trust", "Onderling vertrouwen", 4, None, 0.5, 0.2]
    else:
        text = target.read_text(encoding="utf-8")
        assert "## Noord" in text and "## Zuid" in text
        assert "| trust | Onderling vertrouwen | 4 |  | 0.5 | 0.2 |" in text


def test_cli_plot(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "c.png"
    result = qcode(project, "cooccur", "--coder", "ann", "--plot", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_errors(project: Project, tmp_path: Path) -> None:
    assert_usage_error(qcode(project, "cooccur", "--by", "case", "--plot",
                             str(tmp_path / "c.png")), "--plot draws one table")
    before = snapshot(project)
    for args, message in [
        (["--by", "huis"], "--by huis: no transcript or respondent has that attribute"),
        (["--coder", "bob"], "--coder bob: no codings by that coder"),
        (["-o", "c.docx"], "unknown co-occurrence table format '.docx'"),
        (["--plot", "c.gif"], "unknown picture format '.gif'"),
    ]:
        assert_user_error(qcode(project, "cooccur", *args), message)
    assert snapshot(project) == before


# -- the report: conditions beside the observed form --------------------------------------


def test_condition_levels_beside_the_forms_per_case(project: Project) -> None:
    """trust.high/low carry a level and governance.lead_organisation/nao are forms; per
    case, an interview links every level coded in it with every form coded in it."""
    from qcode.analysis.cooccur import condition_form_links

    noord, zuid = condition_form_links(project, coders=["ann"])
    assert (noord.unit, noord.rows) == ("Noord", (("trust", "low"),))
    assert {k: v.respondents for k, v in noord.cells.items()} == {
        ("trust", "low", "lead_organisation"): ("R01",), ("trust", "low", "nao"): ("R01",)}
    cell = noord.cells[("trust", "low", "lead_organisation")]
    assert [(e.segment, e.code) for e in cell.evidence] == [
        (2, "governance.lead_organisation"), (2, "trust.low")]
    assert cell.expected and not noord.cells[("trust", "low", "nao")].expected
    assert zuid.rows == (("trust", "low"), ("trust", "high"))
    assert {k: v.respondents for k, v in zuid.cells.items()} == {
        ("trust", "high", "lead_organisation"): ("R02",),
        ("trust", "low", "lead_organisation"): ("R02",),
        ("trust", "high", "nao"): ("R03",), ("trust", "low", "nao"): ("R03",)}


def test_the_report_shows_them_beside_the_typology(project: Project) -> None:
    from qcode.report import build_report

    html = build_report(project, coders=["ann"], lang="en")
    section = html[html.index('id="case-1"'):html.index('id="case-2"')]
    assert "Conditions and form in the same interviews" in section
    assert '✓ <a href="#case-1-link-trust-low-lead_organisation">1 int.</a>' in section
    target = section[section.index('id="case-1-link-trust-low-lead_organisation"'):]
    assert '<a href="#q' in target.split("</div>")[0]  # each segment links to its quote
