"""Matrices and quotes read back from the store."""

from __future__ import annotations

import pytest

from qcode.analysis.matrix import build_matrix
from qcode.analysis.quotes import collect_quotes
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.store import Project
from qcode.store.codings import add as add_codings
from qcode.store.transcripts import get_segments


@pytest.fixture()
def coded(project: Project) -> Project:
    add_codings(project, [
        Coding("noord-r01", 2, "governance.nao", "ans"),
        Coding("noord-r01", 4, "trust.high", "ans"),
        Coding("noord-r01", 4, "trust.information_sharing.oral", "ans"),
        Coding("noord-r01", 4, "trust.high", "bob"),  # same segment, other coder
        Coding("noord-r01", 6, "trust.information_sharing.written", "ans", start=0, end=18),
        Coding("zuid-r02", 2, "trust.information_sharing", "ans"),
        Coding("zuid-r02", 4, "trust.low", "ans"),
    ])
    return project


def test_count_matrix_by_respondent(coded: Project) -> None:
    frame = build_matrix(coded, by="respondent", coders=["ans"])
    assert list(frame.columns) == ["label", "R01", "R02"]
    assert frame.loc["trust.high", "R01"] == 1
    assert frame.loc["trust.low", "R02"] == 1
    assert frame.loc["trust", "label"] == "Onderling vertrouwen"
    # Every coding by ans is one distinct (segment, code): the cells add up to them.
    assert int(frame.drop(columns="label").to_numpy().sum()) == 6


def test_two_coders_on_one_segment_count_once(coded: Project) -> None:
    frame = build_matrix(coded, by="respondent")
    assert frame.loc["trust.high", "R01"] == 1


def test_top_level_roll_up_counts_segments(coded: Project) -> None:
    frame = build_matrix(coded, by="case", level="top", coders=["ans"])
    assert list(frame.index) == ["trust", "governance", "dialogue"]
    # Segment 4 has two trust sub-codes: one coded segment.
    assert frame.loc["trust", "Veiligheidshuis Noord"] == 2
    assert frame.loc["trust", "Veiligheidshuis Zuid"] == 2
    assert frame.loc["dialogue", "Veiligheidshuis Zuid"] == 0


def test_presence_and_words(coded: Project) -> None:
    presence = build_matrix(coded, by="role", measure="presence", level="top")
    assert set(presence.drop(columns="label").to_numpy().ravel()) <= {0, 1}
    words = build_matrix(coded, by="respondent", measure="words", coders=["ans"])
    segment = get_segments(coded, "zuid-r02")[3]
    assert words.loc["trust.low", "R02"] == len(segment.text.split())
    assert words.loc["trust.information_sharing.written", "R01"] == 2  # "Schriftelijk delen"


def test_matrix_errors(coded: Project) -> None:
    with pytest.raises(QcodeError, match="--by wijk: no transcript or respondent has that attribute"):
        build_matrix(coded, by="wijk")
    with pytest.raises(QcodeError, match="--coder zoe: no codings by that coder"):
        build_matrix(coded, coders=["zoe"])
    with pytest.raises(QcodeError, match="unknown measure"):
        build_matrix(coded, measure="average")


def test_quotes_are_byte_exact(coded: Project) -> None:
    quotes = collect_quotes(coded, coders=["ans"])
    assert len(quotes) == 6
    texts = {(t, s.number): s.text for t in ("noord-r01", "zuid-r02") for s in get_segments(coded, t)}
    for quote in quotes:
        full = texts[(quote.transcript, quote.segment)]
        expected = full if quote.start is None else full[quote.start:quote.end]
        assert quote.text.encode("utf-8") == expected.encode("utf-8")
    first = quotes[0]
    assert (first.code, first.respondent, first.case, first.role) == (
        "trust.high", "R01", "Veiligheidshuis Noord", "manager")
    assert "coöperatie" in next(q.text for q in quotes if q.code == "governance.nao")


def test_quotes_filter_by_code(coded: Project) -> None:
    codes = {q.code for q in collect_quotes(coded, codes=["trust.information_sharing"])}
    assert codes == {"trust.information_sharing", "trust.information_sharing.oral",
                     "trust.information_sharing.written"}
