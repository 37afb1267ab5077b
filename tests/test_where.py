"""--where on every command that selects: one filter over transcript and respondent
attributes, the same answers as selecting the transcripts by hand, one error for an
unknown attribute. The project is tests/questions_fixture.py: noord-r01 (Noord, politie,
wave 2018), zuid-r02 (Zuid, manager, 2026), zuid-r03 (Zuid, politie, 2026)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qcode.analysis.agreement import agreement_report
from qcode.analysis.matrix import build_matrix
from qcode.analysis.quotes import collect_quotes
from qcode.errors import QcodeError
from qcode.report import gather_report
from qcode.store import Project
from qcode.store.transcripts import select_transcripts
from qcode.values import parse_where
from tests.conftest import assert_usage_error, assert_user_error, qcode, snapshot
from tests.questions_fixture import build


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    project = build(tmp_path)
    yield project
    project.close()


def test_select_transcripts_combines_ids_and_conditions(project: Project) -> None:
    assert select_transcripts(project) is None
    assert select_transcripts(project, (), parse_where(["role=politie"])) == [
        "noord-r01", "zuid-r03"]
    assert select_transcripts(project, ["zuid-r03", "zuid-r02"],
                              parse_where(["wave=2026"])) == ["zuid-r03", "zuid-r02"]
    assert select_transcripts(project, ["noord-r01"], parse_where(["wave=2026"])) == []
    assert select_transcripts(project, (), parse_where(["case=Noord,Zuid", "role!=manager"])
                              ) == ["noord-r01", "zuid-r03"]


def test_matrix_keeps_only_the_groups_of_the_transcripts_kept(project: Project) -> None:
    frame = build_matrix(project, by="case", level="top", coders=["ann"],
                         where=parse_where(["role=politie"]))
    assert list(frame.columns) == ["label", "Noord", "Zuid"]
    assert frame.loc["trust", "Noord"] == 2 and frame.loc["trust", "Zuid"] == 2
    zuid = build_matrix(project, by="case", coders=["ann"], where=parse_where(["case!=Noord"]))
    assert list(zuid.columns) == ["label", "Zuid"]


def test_quotes_agreement_and_report_follow_the_filter(project: Project) -> None:
    quotes = collect_quotes(project, where=parse_where(["case=Noord"]))
    assert {q.transcript for q in quotes} == {"noord-r01"} and len(quotes) == 6
    report = agreement_report(project, coders=["ann", "ben"], where=parse_where(["case=Noord"]))
    assert report.transcripts == ("noord-r01",) and report.n_units == 3
    with pytest.raises(QcodeError, match="among the 1 that meet --where"):
        agreement_report(project, coders=["ann", "ben"], where=parse_where(["role=manager"]))
    data = gather_report(project, where=parse_where(["case=Zuid"]))
    assert [t.unit for t in data.typologies] == ["Zuid"]
    assert data.overview.transcripts == 2 and data.where == ("case=Zuid",)
    assert {q.transcript for group in data.quotes for q in group.quotes} == {
        "zuid-r02", "zuid-r03"}


def test_cli_export_quotes_and_matrix(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    result = qcode(project, "export", "quotes", "-o", str(target), "--where", "case=Noord")
    assert result.exit_code == 0, result.output
    assert {row["transcript"] for row in csv.DictReader(target.open(encoding="utf-8"))} == {
        "noord-r01"}
    result = qcode(project, "export", "matrix", "--by", "role", "--csv", "--where", "wave=2026",
                   "--coder", "ann", "--level", "top")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["code,label,manager,politie",
                                              "trust,Onderling vertrouwen,2,2"]


def test_cli_codings_list_agreement_and_report(project: Project, tmp_path: Path) -> None:
    result = qcode(project, "codings", "list", "--where", "wave=2026", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 9 and {r["transcript"] for r in rows} == {"zuid-r02", "zuid-r03"}
    result = qcode(project, "agreement", "--coders", "ann", "ben", "--where", "case=Zuid")
    assert result.exit_code == 0, result.output
    assert "on 3 respondent segments of 1 transcript: zuid-r03" in result.stderr
    target = tmp_path / "r.html"
    result = qcode(project, "report", "-o", str(target), "--where", "case=Zuid")
    assert result.exit_code == 0, result.output
    assert "Alleen interviews waarvoor geldt: case=Zuid" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [
    ["export", "quotes", "-o", "q.csv"], ["export", "matrix"], ["codings", "list"],
    ["agreement"], ["report", "-o", "r.html"], ["search", "partners"], ["query", "trust"],
    ["cooccur"],
])
def test_every_selecting_command_refuses_an_unknown_attribute_the_same_way(
    project: Project, command: list[str]
) -> None:
    before = snapshot(project)
    assert_user_error(qcode(project, *command, "--where", "huis=Zuid"),
                      "--where huis=Zuid: no transcript or respondent has the attribute "
                      "'huis'; use one of case, respondent, role, transcript, wave")
    assert_usage_error(qcode(project, *command, "--where", "huis"),
                       "--where huis: expected ATTRIBUTE=VALUE")
    assert snapshot(project) == before
