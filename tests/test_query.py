"""qcode query: coding queries with AND, OR, NOT and parentheses, on a project whose
answers are worked out by hand from the table in tests/questions_fixture.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcode.analysis.expression import (
    And,
    CodeTerm,
    Expression,
    Not,
    Or,
    holds,
    parse_expression,
)
from qcode.analysis.query import count_matches, run_query
from qcode.errors import CodingError, QcodeError, UsageError
from qcode.store import Project
from qcode.values import parse_where
from tests.conftest import assert_usage_error, assert_user_error, qcode, snapshot
from tests.questions_fixture import build

N, Z2, Z3 = "noord-r01", "zuid-r02", "zuid-r03"


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    project = build(tmp_path)
    yield project
    project.close()


def found(project: Project, expression: str, **options: object) -> list[tuple[str, int | None]]:
    return [(m.transcript, m.segment)
            for m in run_query(project, expression, **options).matches]


@pytest.mark.parametrize(("expression", "expected"), [
    ("trust.low AND governance.lead_organisation", [(N, 2), (Z2, 4)]),
    ("trust", [(N, 2), (N, 4), (Z2, 2), (Z2, 4), (Z3, 2), (Z3, 6)]),
    ("=trust", [(N, 4)]),
    ("trust AND NOT trust.low", [(N, 4), (Z2, 2), (Z3, 2)]),
    ("NOT trust", [(N, 6), (Z2, 6), (Z3, 4)]),
    ("not not trust", [(N, 2), (N, 4), (Z2, 2), (Z2, 4), (Z3, 2), (Z3, 6)]),
    ("(trust.high OR trust.low) AND governance", [(N, 2), (Z2, 4), (Z3, 2)]),
    ("dialogue OR governance.nao", [(N, 4), (N, 6), (Z2, 4), (Z3, 2), (Z3, 4)]),
    # AND binds tighter than OR
    ("dialogue OR trust.high AND governance", [(N, 4), (Z2, 4), (Z3, 2), (Z3, 4)]),
    ("(dialogue OR trust.high) AND governance", [(Z2, 4), (Z3, 2)]),
    ("=governance", []),
])
def test_every_operator_on_segments(project: Project, expression: str,
                                    expected: list[tuple[str, int]]) -> None:
    assert found(project, expression, coders=["ann"]) == expected


def test_transcript_unit_looks_at_the_whole_interview(project: Project) -> None:
    query = "trust.low AND governance.nao"
    assert found(project, query, coders=["ann"]) == []
    result = run_query(project, query, unit="transcript", coders=["ann"])
    assert [(m.transcript, m.codes, m.segments) for m in result.matches] == [
        (N, ("governance.nao", "trust.low"), (2, 6)),
        (Z3, ("governance.nao", "trust.low"), (2, 6)),
    ]
    assert result.units == {N: 1, Z2: 1, Z3: 1}


def test_coders_decide_whose_codings_count(project: Project) -> None:
    query = "trust.high AND governance.lead_organisation"
    assert found(project, query) == [(N, 2)]  # ann's lead organisation, ben's high trust
    assert found(project, query, coders=["ann"]) == []
    assert found(project, query, coders=["ben"]) == []
    with pytest.raises(QcodeError, match="--coder bob: no codings by that coder"):
        found(project, query, coders=["bob"])


def test_segment_matches_carry_codes_and_text(project: Project) -> None:
    [match] = run_query(project, "=trust", coders=["ann"]).matches
    assert (match.respondent, match.case, match.role) == ("R01", "Noord", "politie")
    assert match.codes == ("dialogue", "trust")
    assert match.text.startswith("De informatiedeling loopt")


def test_count_by_and_where(project: Project) -> None:
    result = run_query(project, "trust", coders=["ann"])
    assert [(c.group, c.matching, c.total, c.share, c.respondents)
            for c in count_matches(project, result, "case")] == [
        ("Noord", 2, 3, 0.667, 1), ("Zuid", 4, 6, 0.667, 2)]
    police = found(project, "trust", coders=["ann"], where=parse_where(["role=politie"]))
    assert police == [(N, 2), (N, 4), (Z3, 2), (Z3, 6)]
    assert found(project, "trust", coders=["ann"],
                 where=parse_where(["case!=Noord", "role=politie"])) == [(Z3, 2), (Z3, 6)]


@pytest.mark.parametrize(("expression", "message"), [
    ("", "empty"),
    ("trust AND", "expected a code, '(' or NOT at position 10, found the end"),
    ("trust dialogue", "expected AND, OR or the end of the expression at position 7, found "
                       "'dialogue'"),
    ("(trust OR dialogue", "expected ')' at position 19 to close the '(' at position 1"),
    ("trust)", "expected AND, OR or the end of the expression at position 6, found ')'"),
    ("= AND trust", "expected a code after '=' at position 3, found 'AND'"),
    ("trust && dialogue", "'&&' at position 7 is neither a code id"),
    ("Trust", "'Trust' at position 1 is neither a code id"),
])
def test_malformed_expressions_name_the_position(expression: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_expression(expression)
    assert message in str(error.value)


def test_an_unknown_code_names_its_position(project: Project) -> None:
    with pytest.raises(CodingError, match="unknown code 'dialog' at position 11; did you "
                                          "mean 'dialogue'"):
        run_query(project, "trust AND dialog")


# -- property: the parser and evaluator agree with Python's own booleans ----------------

CODES = ("trust", "trust.high", "trust.low", "dialogue")


def expressions() -> st.SearchStrategy[Expression]:
    leaves = st.builds(CodeTerm, st.sampled_from(CODES), st.booleans(), st.just(0))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.builds(Not, inner), st.builds(And, inner, inner), st.builds(Or, inner, inner)),
        max_leaves=8)


def written(node: Expression) -> str:
    if isinstance(node, CodeTerm):
        return ("=" if node.exact else "") + node.code
    if isinstance(node, Not):
        return f"NOT ({written(node.operand)})"
    operator = "AND" if isinstance(node, And) else "OR"
    return f"({written(node.left)}) {operator} ({written(node.right)})"


def truth(node: Expression, codes: frozenset[str]) -> bool:
    if isinstance(node, CodeTerm):
        return node.code in codes if node.exact else any(
            c == node.code or c.startswith(node.code + ".") for c in codes)
    if isinstance(node, Not):
        return not truth(node.operand, codes)
    if isinstance(node, And):
        return truth(node.left, codes) and truth(node.right, codes)
    return truth(node.left, codes) or truth(node.right, codes)


@given(expressions(), st.frozensets(st.sampled_from(CODES)))
def test_a_written_expression_means_what_it_says(node: Expression,
                                                 codes: frozenset[str]) -> None:
    assert holds(parse_expression(written(node)), codes) == truth(node, codes)


@given(st.lists(st.sampled_from(["trust", "AND", "OR", "NOT", "(", ")", "=", " ", ".", "x",
                                  "&", "é"]), max_size=30).map("".join))
def test_any_text_is_read_or_refused_with_a_position(text: str) -> None:
    try:
        parse_expression(text)
    except UsageError as error:
        assert "position" in str(error) or "empty" in str(error)


# -- the command ------------------------------------------------------------------------


def test_cli_rows_like_export_quotes(project: Project) -> None:
    result = qcode(project, "query", "=trust", "--coder", "ann", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(row) == ["transcript", "segment", "respondent", "case", "role", "codes", "text"]
    assert row["codes"] == ["dialogue", "trust"]
    assert "1 of 9 segment(s) of 3 transcript(s) meet =trust" in result.stderr


def test_cli_count_by_case(project: Project) -> None:
    result = qcode(project, "query", "trust.low AND governance.nao", "--unit", "transcript",
                   "--coder", "ann", "--count-by", "case", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["case,matching,total,share,respondents",
                                          "Noord,1,1,1.0,1", "Zuid,1,2,0.5,1"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".md", ".docx", ".html"])
def test_cli_writes_every_format(project: Project, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"q{suffix}"
    result = qcode(project, "query", "trust AND governance", "--coder", "ann", "-o",
                   str(target))
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        rows = list(csv.DictReader(target.open(encoding="utf-8")))
        assert [(r["transcript"], r["segment"], r["codes"]) for r in rows] == [
            (N, "2", "governance.lead_organisation trust.low"),
            (Z2, "4", "dialogue governance.lead_organisation trust.low"),
            (Z3, "2", "governance.nao trust.high")]
    elif suffix in (".html", ".md"):
        assert "Vertrouwen moet je verdienen." in target.read_text(encoding="utf-8").replace(
            "\\.", ".")
    elif suffix == ".docx":
        import docx

        texts = [p.text for p in docx.Document(str(target)).paragraphs]
        assert "Vertrouwen moet je verdienen." in texts
    else:
        from openpyxl import load_workbook

        assert load_workbook(target)["matches"].max_row == 4


def test_cli_transcript_unit_document_shows_the_turns(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "q.html"
    result = qcode(project, "query", "trust.low AND governance.nao", "--unit", "transcript",
                   "--coder", "ann", "-o", str(target))
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "Over privacy en de AVG praten we te weinig." in html
    assert "Ik werk thuis en in het Veiligheidshuis." in html


@pytest.mark.parametrize(("args", "message"), [
    (["query", "trust AND"], "expected a code, '(' or NOT at position 10"),
    (["query", "trust", "--unit", "house"], "'house' is not one of"),
    (["query", "trust", "--where", "=Noord"], "--where =Noord: expected ATTRIBUTE=VALUE"),
])
def test_cli_usage_errors(project: Project, args: list[str], message: str) -> None:
    result = qcode(project, *args)
    if "--unit" in args:
        assert result.exit_code == 2 and message in result.output
        return
    assert_usage_error(result, message)


@pytest.mark.parametrize(("args", "message"), [
    (["query", "trst"], "unknown code 'trst' at position 1; did you mean 'trust'?"),
    (["query", "trust", "--coder", "bob"], "--coder bob: no codings by that coder"),
    (["query", "trust", "--count-by", "huis"], "--count-by huis"),
    (["query", "trust", "--where", "huis=1"], "the attribute 'huis'"),
    (["query", "trust", "-o", "q.pdf"], "unknown query results format '.pdf'"),
])
def test_cli_user_errors_change_nothing(project: Project, args: list[str], message: str) -> None:
    before = snapshot(project)
    assert_user_error(qcode(project, *args), message)
    assert snapshot(project) == before
