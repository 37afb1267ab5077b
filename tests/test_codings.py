"""Manual coding and CSV exchange of codings, with every bad reference refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.coding.csvio import import_codings_csv, write_codings_csv
from qcode.coding.manual import default_coder
from qcode.errors import CodingError, QcodeError, UsageError
from qcode.models import Coding
from qcode.store import Project
from qcode.store.codings import add as add_codings
from qcode.store.codings import remove as remove_codings
from qcode.store.codings import select as list_codings
from qcode.values import parse_span
from tests.conftest import snapshot


def test_add_and_list_with_memo_and_span(project: Project) -> None:
    outcome = add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans", memo="duidelijk"),
        Coding("noord-r01", 4, "trust.information_sharing.oral", "ans", start=22, end=48),
    ])
    assert len(outcome.added) == 2
    codings = list_codings(project)
    assert [(c.code, c.memo, c.start, c.end) for c in codings] == [
        ("trust.high", "duidelijk", None, None),
        ("trust.information_sharing.oral", "", 22, 48),
    ]
    assert all(c.provenance == "manual" and c.created_at for c in codings)


def test_duplicate_add_is_reported_not_doubled(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    outcome = add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    assert outcome.added == () and len(outcome.already_present) == 1
    assert len(list_codings(project)) == 1


@pytest.mark.parametrize(
    ("coding", "message"),
    [
        (Coding("noord-r01", 3, "trust", "ans"), "noord-r01:3 is an interviewer turn"),
        (Coding("noord-r01", 99, "trust", "ans"), "noord-r01: no segment 99 (it has segments 1 to 6)"),
        (Coding("noord-r09", 2, "trust", "ans"), "unknown transcript 'noord-r09'; did you mean 'noord-r01'?"),
        (Coding("noord-r01", 2, "trust.hihg", "ans"), "unknown code 'trust.hihg'; did you mean 'trust.high'?"),
        (Coding("noord-r01", 2, "trust", "ans", start=0, end=5000), "span 0:5000 runs past the end"),
    ],
)
def test_bad_codings_are_refused_and_nothing_is_written(
    project: Project, coding: Coding, message: str
) -> None:
    before = snapshot(project)
    with pytest.raises(QcodeError) as caught:
        add_codings(project, [Coding("noord-r01", 2, "trust", "ans"), coding])
    assert message in str(caught.value)
    assert snapshot(project) == before


def test_remove(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("noord-r01", 4, "trust.high", "bob")])
    assert remove_codings(project, "noord-r01", 4, ["trust.high"], coder="bob") == 1
    with pytest.raises(CodingError, match="noord-r01:4 has no coding trust.high by bob"):
        remove_codings(project, "noord-r01", 4, ["trust.high"], coder="bob")
    assert [c.coder for c in list_codings(project)] == ["ans"]


def test_list_filters_code_with_subcodes(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("noord-r01", 6, "governance.nao", "ans")])
    assert [c.code for c in list_codings(project, codes=["trust"])] == ["trust.high"]


def test_parse_span() -> None:
    assert parse_span("3:10") == (3, 10)
    with pytest.raises(UsageError, match="expected START:END"):
        parse_span("3-10")
    with pytest.raises(UsageError, match="END must be greater than START"):
        parse_span("10:3")


def test_default_coder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QCODE_CODER", "marieke")
    assert default_coder(None) == "marieke"
    assert default_coder("ans") == "ans"


def test_csv_round_trip_keeps_everything(project: Project, tmp_path: Path) -> None:
    add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans", memo="‘één’ tafel, coöperatie"),
        Coding("zuid-r02", 4, "trust.low", "bob", start=0, end=20),
    ])
    original = list_codings(project)
    path = tmp_path / "codings.csv"
    write_codings_csv(original, path)
    project._db.execute("DELETE FROM codings")
    outcome = import_codings_csv(project, path, coder="someone")
    assert len(outcome.added) == 2
    assert list_codings(project) == original


def test_csv_import_is_all_or_nothing_with_line_numbers(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    path.write_text(
        "transcript,segment,code,coder\nnoord-r01,2,trust,ans\nnoord-r01,4,trust.hoog,ans\n",
        encoding="utf-8",
    )
    before = snapshot(project)
    with pytest.raises(CodingError, match=r"codings.csv:3: unknown code 'trust.hoog'"):
        import_codings_csv(project, path, coder="ans")
    assert snapshot(project) == before


def test_csv_missing_columns_and_semicolons(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    path.write_text("transcript;code\nnoord-r01;trust\n", encoding="utf-8")
    with pytest.raises(QcodeError, match=r"codings.csv:1: missing column segment"):
        import_codings_csv(project, path, coder="ans")
    path.write_text("transcript;segment;code\nnoord-r01;2;trust\n", encoding="utf-8-sig")
    assert len(import_codings_csv(project, path, coder="ans").added) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"transcript,segment,code\nnoord-r01,twee,trust\n", "segment 'twee' is not a whole number"),
        (b"transcript,segment,code\r\nnoord-r01,2,trust\xff\r\n", "not UTF-8"),
        (b"transcript,segment,code,start\nnoord-r01,2,trust,4\n", "give both start and end"),
    ],
)
def test_csv_bad_content(project: Project, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "codings.csv"
    path.write_bytes(content)
    with pytest.raises(QcodeError, match=message):
        import_codings_csv(project, path, coder="ans")


def test_csv_missing_file(project: Project, tmp_path: Path) -> None:
    with pytest.raises(QcodeError, match="codings CSV not found; check the path"):
        import_codings_csv(project, tmp_path / "weg.csv", coder="ans")
