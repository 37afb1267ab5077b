"""Saturation after Guest, Namey & Chen (2020), on constructed projects whose answers were
worked out by hand, on random code sequences (invariants), and through the command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.analysis.saturation import (
    InterviewCodes,
    Parameters,
    assess_group,
    assess_saturation,
    percent,
)
from qcode.codebook import load_codebook
from qcode.errors import QcodeError
from qcode.importing import import_paths
from qcode.models import Coding
from qcode.store import Project, init_project
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from tests.conftest import assert_usage_error, assert_user_error, qcode

# Forty flat codes c01..c40, and c01 has two sub-codes (for --level top).
CODEBOOK = "codebook: verzadiging\ncodes:\n" + "".join(
    f"  c{n:02d}:\n    label: Code {n}\n" for n in range(1, 41)
) + "  c01x:\n    label: Ouder\n    codes:\n      a:\n        label: Sub a\n" \
    "      b:\n        label: Sub b\n"


def codes(*numbers: int) -> set[str]:
    return {f"c{n:02d}" for n in numbers}


# The example, by hand (base 4, run 2, 5%): the base brings 20 codes; run 5-6
# brings 2 new ones (10%), run 6-7 one (5%): saturated at interview 7 of 10.
SATURATED = [codes(*range(1, 11)), codes(1, 11, 12, 13, 14, 15), codes(16, 17, 18),
             codes(19, 20), codes(21), codes(22), codes(1), codes(2), codes(3), codes(4)]
# Never saturated: runs 5-6, 6-7 and 7-8 bring 3, 3 and 3 new codes of 20 (15% each).
NEVER = [*SATURATED[:4], codes(21, 22), codes(23), codes(24, 25), codes(26)]


def build(tmp_path: Path, houses: dict[str, list[set[str]]], *, dates: bool = True,
          coder: str = "ans") -> Project:
    """A project with one transcript per interview (interview i of a house dated day i,
    written to disk in reverse so that file order is not interview order) coded with the
    given codes on its one respondent turn."""
    folder = tmp_path / "interviews"
    folder.mkdir(parents=True)
    for house, interviews in houses.items():
        for index in reversed(range(len(interviews))):
            date = f"date: 2026-03-{index + 1:02d}\n" if dates else ""
            name = f"{house.lower()}-{len(interviews) - index:02d}"
            (folder / f"{name}.txt").write_text(
                f"---\nrespondent: {name.upper()}\ncase: {house}\n{date}interviewer: [I]\n"
                f"---\nI: Vertel eens.\n\nR: Antwoord {index + 1} in {house}.\n",
                encoding="utf-8")
    (tmp_path / "codes.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = init_project(tmp_path / "project")
    import_paths(project, [folder])
    save_codebook(project, load_codebook(tmp_path / "codes.yaml"))
    codings = []
    for house, interviews in houses.items():
        for index, found in enumerate(interviews):
            name = f"{house.lower()}-{len(interviews) - index:02d}"
            codings += [Coding(name, 2, code, coder) for code in sorted(found)]
    add_codings(project, codings)
    return project


def test_saturated_at_interview_7_of_10(tmp_path: Path) -> None:
    project = build(tmp_path, {"Noord": SATURATED})
    [result] = assess_saturation(project)
    assert result.verdict == "saturated at interview 7 of 10 (base 4, run 2, ≤ 5%)"
    assert result.base_codes == 20
    assert [(r.first, r.last, r.new_codes) for r in result.runs] == [
        (5, 6, 2), (6, 7, 1), (7, 8, 0), (8, 9, 0), (9, 10, 0)]
    assert [r.ratio for r in result.runs[:2]] == [Fraction(1, 10), Fraction(1, 20)]
    assert [len(i.new_codes) for i in result.interviews] == [10, 5, 3, 2, 1, 1, 0, 0, 0, 0]
    assert [i.cumulative for i in result.interviews][-1] == 22
    # Ordered by date, not by file name (files are numbered backwards).
    assert [i.order_value for i in result.interviews][:2] == ["2026-03-01", "2026-03-02"]


def test_never_saturated_says_what_the_last_run_adds(tmp_path: Path) -> None:
    project = build(tmp_path, {"Zuid": NEVER})
    [result] = assess_saturation(project)
    assert result.status == "not_reached" and result.saturated_at is None
    assert [r.new_codes for r in result.runs] == [3, 3, 3]
    assert result.verdict == "not reached: the last run still adds 15%"
    # A looser threshold changes the verdict, and a longer run too.
    [loose] = assess_saturation(project, parameters=Parameters(threshold=15))
    assert loose.verdict == "saturated at interview 6 of 8 (base 4, run 2, ≤ 15%)"


@pytest.mark.parametrize(("count", "expected"), [
    (0, "too few interviews: 0 coded, the method needs at least 6 (base 4 + run 2)"),
    (1, "too few interviews: 1 coded, the method needs at least 6 (base 4 + run 2)"),
    (5, "too few interviews: 5 coded, the method needs at least 6 (base 4 + run 2)"),
])
def test_tiny_groups_get_a_clear_verdict(count: int, expected: str) -> None:
    interviews = [InterviewCodes(f"t{i}", f"R{i}", "", frozenset(SATURATED[i]))
                  for i in range(count)]
    result = assess_group("Klein", interviews)
    assert result.status == "too_few" and not result.runs and result.verdict == expected


def test_six_interviews_are_just_enough(tmp_path: Path) -> None:
    [result] = assess_saturation(build(tmp_path, {"Noord": SATURATED[:6]}))
    assert result.verdict == "not reached: the last run still adds 10%"


def test_each_house_on_its_own_and_uncoded_interviews_left_out(tmp_path: Path) -> None:
    project = build(tmp_path, {"Noord": SATURATED, "Zuid": NEVER[:5]})
    from qcode.store.codings import remove

    remove(project, "noord-10", 2, sorted(SATURATED[0]), coder="ans")  # the first interview
    results = assess_saturation(project, by="case")
    assert [r.group for r in results] == ["Noord", "Zuid"]
    noord, zuid = results
    assert noord.left_out == ("noord-10",) and len(noord.interviews) == 9
    # Without the first interview, interview 2 (5 codes) starts the base.
    assert noord.interviews[0].transcript == "noord-09"
    assert zuid.status == "too_few"


def test_order_by_id_without_dates_and_by_a_named_attribute(tmp_path: Path) -> None:
    project = build(tmp_path, {"Noord": SATURATED}, dates=False)
    [by_id] = assess_saturation(project)
    # Without dates the files' ids order them: noord-01 is the last interview written.
    assert by_id.interviews[0].transcript == "noord-01"
    # Backwards, the base is four one-code interviews and every run adds more than it:
    # run 9-10 brings c11-c15 and c05-c10, 11 codes against a base of 4.
    assert by_id.base_codes == 4
    assert by_id.verdict == "not reached: the last run still adds 275%"
    from qcode.store.transcripts import set_interview_attributes

    for n in range(1, 11):
        # Dutch dates, day-month-year, order by --order datum as dates, not text.
        set_interview_attributes(project, f"noord-{n:02d}", {"datum": f"{11 - n}-4-2026"})
    [by_datum] = assess_saturation(project, order="datum")
    assert by_datum.verdict == "saturated at interview 7 of 10 (base 4, run 2, ≤ 5%)"
    with pytest.raises(QcodeError, match="--order wave: no transcript or respondent has"):
        assess_saturation(project, order="wave")


def test_level_top_counts_sub_codes_as_their_parent(tmp_path: Path) -> None:
    houses = {"Noord": [{"c01x.a"}, {"c01x.b"}, {"c02"}, {"c03"}, {"c01x.a"}, {"c04"}]}
    project = build(tmp_path, houses)
    [full] = assess_saturation(project, parameters=Parameters(base=2, run=1))
    [top] = assess_saturation(project, level="top", parameters=Parameters(base=2, run=1))
    assert full.base_codes == 2 and top.base_codes == 1
    assert [len(i.new_codes) for i in top.interviews] == [1, 0, 1, 1, 0, 1]


def test_the_threshold_is_compared_exactly() -> None:
    # 1 new code of 20 is exactly 5%: at the threshold counts (float 0.05 would not).
    interviews = [InterviewCodes(f"t{i}", "R", "", frozenset(found))
                  for i, found in enumerate([codes(*range(1, 21)), codes(21), codes(1)])]
    result = assess_group("g", interviews, Parameters(base=1, run=1, threshold=5))
    assert result.saturated_at == 2
    assert percent(Fraction(1, 3)) == "33.3%" and percent(Fraction(1, 8)) == "12.5%"


@pytest.mark.parametrize("parameters", [Parameters(base=0), Parameters(run=0),
                                        Parameters(threshold=101), Parameters(threshold=-1)])
def test_impossible_parameters_are_refused(parameters: Parameters) -> None:
    with pytest.raises(QcodeError):
        assess_group("g", [], parameters)


code_sets = st.frozensets(st.sampled_from([f"c{n:02d}" for n in range(1, 16)]), max_size=6)


@settings(max_examples=150, deadline=None)
@given(sequence=st.lists(code_sets, max_size=14), base=st.integers(1, 6),
       run=st.integers(1, 4), threshold=st.floats(0, 100, allow_nan=False))
def test_invariants_on_random_sequences(sequence: Sequence[frozenset[str]], base: int, run: int,
                                        threshold: float) -> None:
    interviews = [InterviewCodes(f"t{i:02d}", "R", "", codes_) for i, codes_ in
                  enumerate(sequence)]
    result = assess_group("g", interviews, Parameters(base, run, threshold))
    assert len(result.interviews) == len(sequence)
    cumulative = [i.cumulative for i in result.interviews]
    assert cumulative == sorted(cumulative)
    assert sum(len(i.new_codes) for i in result.interviews) == (cumulative or [0])[-1]
    assert all(r.ratio >= 0 and r.last - r.first + 1 == run for r in result.runs)
    if len(sequence) < base + run:
        assert result.status == "too_few" and result.saturated_at is None
    elif result.status == "saturated":
        assert result.saturated_at is not None
        assert base + run <= result.saturated_at <= len(sequence)
        ratio = result.run_ending_at(result.saturated_at).ratio  # type: ignore[union-attr]
        assert ratio * 100 <= Fraction(str(threshold))
    else:
        assert result.status == "not_reached"
        assert all(r.ratio * 100 > Fraction(str(threshold)) for r in result.runs)
    assert result.verdict and "\n" not in result.verdict


# -- the command ------------------------------------------------------------------------


def test_command_table_csv_jsonl_and_plot(tmp_path: Path) -> None:
    project = build(tmp_path, {"Noord": SATURATED, "Zuid": NEVER})
    root = project.root
    project.close()
    table = qcode(root, "saturation", "--by", "case")
    assert table.exit_code == 0, table.output
    assert "saturated at interview 7 of 10 (base 4, run 2, ≤ 5%)" in table.stdout
    assert "not reached: the last run still adds 15%" in table.stdout
    rows = list(csv.DictReader(io.StringIO(qcode(root, "saturation", "--by", "case",
                                                 "--format", "csv").stdout)))
    point = [r for r in rows if r["saturation_point"] == "yes"]
    assert [(r["group"], r["position"], r["run"], r["run_ratio"]) for r in point] == [
        ("Noord", "7", "6-7", "0.05")]
    lines = qcode(root, "saturation", "--format", "jsonl", "--where", "case=Zuid").stdout
    records = [json.loads(line) for line in lines.splitlines()]
    assert {r["group"] for r in records} == {"all interviews"} and len(records) == 8
    assert records[4]["new"] == ["c21", "c22"] and records[5]["run_new_codes"] == 3
    picture = tmp_path / "verzadiging.svg"
    drawn = qcode(root, "saturation", "--by", "case", "--plot", str(picture))
    assert drawn.exit_code == 0 and picture.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "huis"], "--by huis: no transcript or respondent has that attribute"),
    (["--coder", "zz"], "--coder zz: no codings by that coder"),
    (["--plot", "curve.gif"], "unknown picture format '.gif'"),
])
def test_command_mistakes_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    project = build(tmp_path, {"Noord": SATURATED[:3]})
    assert_user_error(qcode(project.root, "saturation", *args), message)


@pytest.mark.parametrize(("args", "message"), [
    (["--threshold", "vijf"], "--threshold vijf: expected a percentage from 0 to 100"),
    (["--threshold", "150"], "--threshold 150: expected a percentage"),
    (["--threshold", "nan"], "--threshold nan: expected a percentage"),
    (["--base", "0"], "Invalid value for '--base'"),
    (["--level", "half"], "Invalid value for '--level'"),
])
def test_unreadable_parameters_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    project = build(tmp_path, {"Noord": SATURATED[:3]})
    result = qcode(project.root, "saturation", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    if message.startswith("--threshold"):
        assert_usage_error(result, message)


def test_saturation_without_a_plot_imports_no_pandas_or_numpy() -> None:
    import subprocess
    import sys

    code = ("import sys\nimport qcode.analysis.saturation, qcode.cli.saturation_cmd\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'pandas', 'numpy', 'spacy', 'matplotlib'}))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
