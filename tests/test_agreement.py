"""Agreement, disagreements and reconciling: published examples, the sample's two coders,
and every command with its bad inputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.analysis.agreement import (
    agreement_report,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
)
from qcode.cli import app
from qcode.coding.reconcile import (
    list_disagreements,
    reconcile_segment,
    reconcile_worksheet,
    write_worksheet,
)
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.store import Project, find_project, init_project
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from tests.conftest import snapshot

runner = CliRunner()
SHARED = ("noordrand-r02", "rivierstad-r05")


# -- published worked examples -------------------------------------------------------------

M = None  # a missing value

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: four
# observers, twelve units, nominal values with missing data; alpha = 0.743.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, M, M, M],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, M, 3],
    [M, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, M],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, M],
]
# The same paper, example B: two observers, ten units, binary data; alpha = 0.095.
KRIPPENDORFF_B = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]
# Wikipedia, "Krippendorff's alpha" (also the krippendorff package's README): three
# coders, fifteen units, many missing; nominal alpha = 0.691.
WIKIPEDIA_ALPHA = [
    [M, M, M, M, M, 3, 4, 1, 2, 1, 1, 3, 3, M, 3],
    [1, M, 2, 1, 3, 3, 4, 3, M, M, M, M, M, M, M],
    [M, M, 2, 1, 3, 4, 4, M, 2, 1, 1, 3, 3, M, 4],
]


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [(KRIPPENDORFF_C, 0.743), (KRIPPENDORFF_B, 0.095), (WIKIPEDIA_ALPHA, 0.691)],
)
def test_alpha_matches_published_examples(ratings: list[list[int | None]], expected: float) -> None:
    alpha, why = krippendorff_alpha(ratings)
    assert why == ""
    assert alpha is not None and round(alpha, 3) == expected


def _table(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> tuple[list[str], list[str]]:
    """Two raters' values from a 2x2 table (rows: rater A yes/no; columns: rater B)."""
    first = ["yes"] * (yes_yes + yes_no) + ["no"] * (no_yes + no_no)
    second = ["yes"] * yes_yes + ["no"] * yes_no + ["yes"] * no_yes + ["no"] * no_no
    return first, second


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # Wikipedia, "Cohen's kappa": 50 grant proposals, p_o = 0.7, p_e = 0.5.
        ((20, 5, 10, 15), 0.400),
        # Same article, equal agreement (60%) but different marginals.
        ((45, 15, 25, 15), 0.130),
        ((25, 35, 5, 35), 0.259),
        # A textbook exercise: two doctors, 20 patients, p_o = 0.7, p_e = 0.62.
        ((12, 4, 2, 2), 0.211),
    ],
)
def test_kappa_matches_published_examples(cells: tuple[int, int, int, int], expected: float) -> None:
    kappa, why = cohen_kappa(*_table(*cells))
    assert why == "" and kappa is not None and round(kappa, 3) == expected


def test_undefined_statistics_say_why() -> None:
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) == (None, "no variation")
    assert cohen_kappa([], []) == (None, "no units")
    assert krippendorff_alpha([[1, 1, 1], [1, 1, 1]]) == (None, "no variation")
    assert krippendorff_alpha([[1, M], [M, 1]]) == (None, "no units")
    # One coder always says no, the other sometimes yes: defined, and no better than chance.
    assert cohen_kappa([0, 0, 0, 0], [0, 1, 0, 0]) == (0.0, "")
    assert percent_agreement([[1, 0, 1, 1], [1, 0, 0, 1], [1, 0, 1, 1]]) == 75.0
    assert percent_agreement([[], []]) is None


# -- the sample's two coders ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample with the reference coder (ref) and the second coder (b)."""
    from qcode.codebook import load_codebook
    from qcode.coding.csvio import import_codings_csv
    from qcode.demo import sample_root
    from qcode.importing import import_paths
    from qcode.store.codebook import save_codebook

    root = sample_root()
    folder = tmp_path_factory.mktemp("sample") / "project"
    with init_project(folder) as project:
        import_paths(project, [root / "transcripts_sample"])
        save_codebook(project, load_codebook(root / "codebooks" / "veiligheidshuis.yaml"))
        for name in ("codings.csv", "codings_second_coder.csv"):
            import_codings_csv(project, root / "transcripts_sample" / name, coder="ref")
    return folder


def _coded_units(name: str, top: str) -> set[tuple[str, int]]:
    """Segments of the shared transcripts that a coder's CSV file codes with ``top``
    or one of its sub-codes, read straight from the shipped file."""
    from qcode.demo import sample_root

    path = sample_root() / "transcripts_sample" / name
    with path.open(encoding="utf-8") as handle:
        return {
            (row["transcript"], int(row["segment"])) for row in csv.DictReader(handle)
            if row["transcript"] in SHARED and row["code"].split(".")[0] == top
        }


def _respondent_units(project: Project) -> list[tuple[str, int]]:
    return [
        (r[0], r[1]) for r in project._db.execute(
            "SELECT transcript_id, number FROM segments WHERE interviewer = 0 AND "
            "transcript_id IN (?, ?) ORDER BY 1, 2", SHARED,
        )
    ]


def test_sample_trust_kappa_by_hand(sample_project: Path) -> None:
    with find_project(sample_project) as project:
        report = agreement_report(project)
        units = _respondent_units(project)
    assert report.coders == ("b", "ref") and report.transcripts == SHARED
    assert report.n_units == len(units) == 53
    ref, b = _coded_units("codings.csv", "trust"), _coded_units("codings_second_coder.csv", "trust")
    both = sum(1 for u in units if u in ref and u in b)
    only_ref = sum(1 for u in units if u in ref and u not in b)
    only_b = sum(1 for u in units if u in b and u not in ref)
    neither = len(units) - both - only_ref - only_b
    # Counted by hand from the two CSV files: 13 segments both, 2 ref only, 3 b only.
    assert (both, only_ref, only_b, neither) == (13, 2, 3, 35)
    # p_o = 48/53; p_e = (15*16 + 38*37) / 53^2 = 1646/2809; kappa = 0.772.
    p_o = (both + neither) / 53
    p_e = ((both + only_ref) * (both + only_b) + (only_b + neither) * (only_ref + neither)) / 53**2
    hand = (p_o - p_e) / (1 - p_e)
    trust = next(row for row in report.codes if row.code == "trust")
    assert round(hand, 3) == 0.772
    assert trust.cohen_kappa is not None and round(trust.cohen_kappa, 3) == round(hand, 3)
    assert trust.percent_agreement == pytest.approx(100 * 48 / 53)
    assert trust.coded_units == 18 and trust.n_units == 53


def test_sample_matches_the_krippendorff_package_and_the_2x2_formula(sample_project: Path) -> None:
    import krippendorff
    import numpy as np

    with find_project(sample_project) as project:
        report = agreement_report(project)
        units = _respondent_units(project)
    pooled: list[list[int]] = [[], []]
    for row in report.codes:
        ref = _coded_units("codings.csv", row.code)
        b = _coded_units("codings_second_coder.csv", row.code)
        ratings = [[int(u in b) for u in units], [int(u in ref) for u in units]]
        expected = krippendorff.alpha(reliability_data=np.array(ratings, dtype=float),
                                      level_of_measurement="nominal")
        assert row.krippendorff_alpha is not None
        assert round(row.krippendorff_alpha, 3) == round(float(expected), 3), row.code
        # The closed form of kappa for a 2x2 table, independent of the library's formula.
        a = sum(1 for u in units if u in ref and u in b)
        r_only = sum(1 for u in units if u in ref and u not in b)
        b_only = sum(1 for u in units if u in b and u not in ref)
        d = len(units) - a - r_only - b_only
        kappa = 2 * (a * d - r_only * b_only) / ((a + r_only) * (r_only + d) + (a + b_only) * (b_only + d))
        assert row.cohen_kappa is not None and round(row.cohen_kappa, 3) == round(kappa, 3), row.code
        pooled[0] += ratings[0]
        pooled[1] += ratings[1]
    expected_pooled = krippendorff.alpha(reliability_data=np.array(pooled, dtype=float),
                                         level_of_measurement="nominal")
    assert report.pooled.krippendorff_alpha is not None
    assert round(report.pooled.krippendorff_alpha, 3) == round(float(expected_pooled), 3)
    assert report.pooled.n_units == 53 * len(report.codes) and report.overall is report.pooled
    defined = [row.cohen_kappa for row in report.codes if row.cohen_kappa is not None]
    assert report.mean.cohen_kappa == pytest.approx(sum(defined) / len(defined))


def test_sample_agreement_table_on_screen(sample_project: Path) -> None:
    result = runner.invoke(app, ["--project", str(sample_project), "agreement"],
                           env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    assert "noordrand-r02, rivierstad-r05" in result.stderr
    trust = next(line for line in result.stdout.splitlines() if line.startswith("trust "))
    assert "Onderling vertrouwen" in trust and "90.6%" in trust and "0.772" in trust
    assert "(pooled)" in result.stdout and "(mean)" in result.stdout


# -- a small project with known codings ----------------------------------------------------


def _code(project: Project, coder: str, *items: tuple[str, int, str]) -> None:
    add_codings(project, [Coding(transcript=t, segment=s, code=c, coder=coder) for t, s, c in items])


@pytest.fixture()
def coded(project: Project) -> Project:
    """Two coders on noord-r01 (respondent segments 2, 4, 6); only ans on zuid-r02."""
    _code(project, "ans", ("noord-r01", 2, "governance.nao"), ("noord-r01", 4, "trust.high"),
          ("noord-r01", 6, "trust.information_sharing.written"), ("zuid-r02", 2, "dialogue"))
    _code(project, "bert", ("noord-r01", 2, "governance"), ("noord-r01", 4, "trust.high"),
          ("noord-r01", 6, "dialogue"))
    return project


def test_units_are_segments_of_transcripts_every_coder_coded(coded: Project) -> None:
    report = agreement_report(coded)
    assert report.transcripts == ("noord-r01",) and report.n_units == 3
    rows = {row.code: row for row in report.codes}
    # Top level: governance agreed on segment 2 (a sub-code counts as its top code).
    assert rows["governance"].percent_agreement == 100.0
    assert rows["governance"].cohen_kappa == 1.0
    assert rows["trust"].percent_agreement == pytest.approx(200 / 3)
    assert rows["dialogue"].coded_units == 1
    full = {row.code: row for row in agreement_report(coded, level="full").codes}
    assert full["governance"].percent_agreement == pytest.approx(200 / 3)
    assert "governance.nao" in full and "trust.high" in full
    assert full["trust.high"].cohen_kappa == 1.0


def test_no_variation_is_undefined_not_a_number(coded: Project) -> None:
    report = agreement_report(coded, codes=["trust.low"], level="full")
    (low,) = report.codes  # named explicitly, so shown although no one used it
    assert low.coded_units == 0 and low.percent_agreement == 100.0
    assert low.cohen_kappa is None and low.krippendorff_alpha is None
    assert low.kappa_undefined == "no variation" and low.alpha_undefined == "no variation"
    assert report.pooled.krippendorff_alpha is None and report.mean.cohen_kappa is None
    # Only ans used trust.information_sharing.written: defined, and no better than chance.
    (written,) = agreement_report(coded, codes=["trust.information_sharing.written"],
                                  level="full").codes
    assert written.cohen_kappa == 0.0 and written.krippendorff_alpha is not None


def test_unused_codes_are_listed_apart(coded: Project) -> None:
    report = agreement_report(coded, level="full")
    assert "trust.low" in report.unused_codes
    assert all(row.coded_units for row in report.codes)


def test_three_coders_have_alpha_but_no_kappa(coded: Project) -> None:
    _code(coded, "carla", ("noord-r01", 2, "governance"), ("noord-r01", 4, "trust.low"))
    report = agreement_report(coded)
    assert report.coders == ("ans", "bert", "carla")
    for row in report.rows:
        assert row.cohen_kappa is None and row.kappa_undefined == "only for two coders"
    trust = next(row for row in report.codes if row.code == "trust")
    # trust: ans on 4 and 6, bert on 4, carla on 4 -> all agree on 2 and 4 only.
    assert trust.percent_agreement == pytest.approx(200 / 3)
    assert trust.krippendorff_alpha is not None


def test_consensus_is_left_out_unless_named(coded: Project) -> None:
    _code(coded, "consensus", ("noord-r01", 6, "dialogue"))
    assert agreement_report(coded).coders == ("ans", "bert")
    named = agreement_report(coded, coders=["bert", "consensus"])
    assert named.coders == ("bert", "consensus")
    dialogue = next(row for row in named.codes if row.code == "dialogue")
    assert dialogue.percent_agreement == 100.0


def test_span_codings_count_for_their_segment(coded: Project) -> None:
    add_codings(coded, [Coding(transcript="noord-r01", segment=6, code="dialogue", coder="ans",
                               start=0, end=10)])
    dialogue = next(row for row in agreement_report(coded).codes if row.code == "dialogue")
    assert dialogue.percent_agreement == 100.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coders": ["ans", "zoe"]}, "--coders zoe: no codings by that coder; coders in this project: ans, bert"),
        ({"coders": ["ans"]}, "agreement needs two or more coders, got ans"),
        ({"codes": ["trust.high"]}, "--code trust.high: at --level top only top-level codes"),
        ({"codes": ["trust.hoog"], "level": "full"}, "--code trust.hoog: unknown code; did you mean 'trust.high'?"),
        ({"level": "middle"}, "unknown level 'middle'"),
    ],
)
def test_bad_requests(coded: Project, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(QcodeError, match="^" + message.replace("?", r"\?").replace(".", r"\.")):
        agreement_report(coded, **kwargs)  # type: ignore[arg-type]


def test_no_shared_transcript(project: Project) -> None:
    _code(project, "ans", ("noord-r01", 2, "trust"))
    _code(project, "bert", ("zuid-r02", 2, "trust"))
    with pytest.raises(QcodeError, match="no transcript has codings by every one of ans, bert"):
        agreement_report(project)


def test_no_codings_yet(project: Project) -> None:
    with pytest.raises(QcodeError, match="the project has no codings yet"):
        agreement_report(project)


# -- disagreements and reconciling ---------------------------------------------------------


def test_disagreements_list_the_differing_segments(coded: Project) -> None:
    found = list_disagreements(coded)
    assert [(d.transcript, d.segment) for d in found.segments] == [("noord-r01", 6)]
    (d,) = found.segments
    assert d.differ == ("trust", "dialogue")
    assert d.codes == {"ans": ("trust.information_sharing.written",), "bert": ("dialogue",)}
    assert d.text.startswith("Schriftelijk delen is lastiger")
    full = list_disagreements(coded, level="full")
    assert [(x.segment, x.differ) for x in full.segments] == [
        (2, ("governance", "governance.nao")),
        (6, ("trust.information_sharing.written", "dialogue")),
    ]
    assert list_disagreements(coded, codes=["dialogue"]).segments[0].differ == ("dialogue",)
    assert list_disagreements(coded, codes=["governance"]).segments == ()


def test_reconcile_sets_the_consensus_codes_and_keeps_the_originals(coded: Project) -> None:
    before = list_codings(coded, coders=["ans", "bert"])
    first = reconcile_segment(coded, "noord-r01", 6, ["dialogue", "trust.information_sharing"],
                              memo="besproken 12 mei")
    assert first.added == ("dialogue", "trust.information_sharing") and first.removed == ()
    again = reconcile_segment(coded, "noord-r01", 6, ["trust.information_sharing"])
    assert again.kept == ("trust.information_sharing",) and again.removed == ("dialogue",)
    consensus = list_codings(coded, coders=["consensus"])
    assert [(c.code, c.memo, c.provenance) for c in consensus] == [
        ("trust.information_sharing", "besproken 12 mei", "manual")
    ]
    assert list_codings(coded, coders=["ans", "bert"]) == before
    assert list_disagreements(coded).segments[0].consensus == ("trust.information_sharing",)
    cleared = reconcile_segment(coded, "noord-r01", 6, [])
    assert cleared.removed == ("trust.information_sharing",)
    assert list_codings(coded, coders=["consensus"]) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("noord-r01", 3, ["trust"]), "noord-r01:3 is an interviewer turn"),
        (("noord-r01", 6, ["trust.hoog"]), "unknown code 'trust.hoog'"),
        (("noord-r01", 60, ["trust"]), "noord-r01: no segment 60"),
        (("noord-r99", 6, []), "unknown transcript 'noord-r99'"),
    ],
)
def test_reconcile_refuses_bad_input(coded: Project, args: tuple[str, int, list[str]], message: str) -> None:
    reconcile_segment(coded, "noord-r01", 6, ["dialogue"])
    before = snapshot(coded)
    with pytest.raises(QcodeError, match=message):
        reconcile_segment(coded, *args)
    assert snapshot(coded) == before


def test_worksheet_round_trip_in_csv_and_xlsx(coded: Project, tmp_path: Path) -> None:
    found = list_disagreements(coded, level="full")
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"verschillen{suffix}"
        write_worksheet(found, path)
        _fill_agreed(path, {2: "governance.nao", 6: "-"})
        outcomes = reconcile_worksheet(coded, path)
        assert [(o.segment, o.added) for o in outcomes] in (
            [(2, ("governance.nao",)), (6, ())], [(2, ()), (6, ())],
        )
        assert [(c.segment, c.code) for c in list_codings(coded, coders=["consensus"])] == [
            (2, "governance.nao")
        ]
    markdown = tmp_path / "verschillen.md"
    write_worksheet(list_disagreements(coded, level="full"), markdown)
    text = markdown.read_text(encoding="utf-8")
    assert "## noord-r01, segment 6" in text and "> Schriftelijk delen is lastiger" in text
    assert "- bert: dialogue" in text and "- consensus: governance.nao" in text


def _fill_agreed(path: Path, agreed: dict[int, str]) -> None:
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            row["agreed"] = agreed.get(int(row["segment"]), "")
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        segment = row[header.index("segment")].value
        row[header.index("agreed")].value = agreed.get(int(str(segment)), "")
    workbook.save(path)


def test_worksheet_with_a_bad_row_records_nothing(coded: Project, tmp_path: Path) -> None:
    path = tmp_path / "verschillen.csv"
    path.write_text(
        "transcript,segment,agreed\nnoord-r01,2,governance\nnoord-r01,6,trust.hoog\n",
        encoding="utf-8",
    )
    before = snapshot(coded)
    with pytest.raises(QcodeError, match=r"verschillen\.csv:3: unknown code 'trust\.hoog'"):
        reconcile_worksheet(coded, path)
    path.write_text("transcript,segment,agreed\nnoord-r01,2,governance\nnoord-r01,2,-\n",
                    encoding="utf-8")
    with pytest.raises(QcodeError, match="noord-r01 segment 2 is also agreed on line 2"):
        reconcile_worksheet(coded, path)
    assert snapshot(coded) == before


# -- the commands --------------------------------------------------------------------------


def qcode(project: Project, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--project", str(project.root), *args], env={"COLUMNS": "160"})


def test_agreement_command_formats(coded: Project) -> None:
    table = qcode(coded, "agreement", "--level", "full")
    assert table.exit_code == 0, table.output
    assert "undefined (no variation)" not in table.stderr
    assert "applied by no coder" in table.stderr
    rows = [json.loads(line) for line in qcode(coded, "agreement", "--format", "jsonl").stdout.splitlines()]
    assert [r["code"] for r in rows] == ["trust", "governance", "dialogue", "(pooled)", "(mean)"]
    assert rows[1]["cohen_kappa"] == 1.0 and rows[1]["cohen_kappa_undefined"] == ""
    listed = list(csv.DictReader(io.StringIO(qcode(coded, "agreement", "--format", "csv").stdout)))
    assert listed[1]["percent_agreement"] == "100.0" and listed[1]["label"] == "Netwerkgovernance"
    undefined = qcode(coded, "agreement", "--level", "full", "--code", "trust.low")
    shown = next(line for line in undefined.stdout.splitlines() if line.startswith("trust.low "))
    assert shown.split()[-2:] == ["n/a", "n/a"]
    assert "n/a, undefined (no variation): trust.low kappa, trust.low alpha" in undefined.stderr
    _code(coded, "carla", ("noord-r01", 4, "trust.high"))
    for coders in (["--coders", "ans", "bert"], ["--coders", "ans", "--coders", "bert"],
                   ["--coders", "ans,bert"]):
        named = qcode(coded, "agreement", *coders, "--format", "jsonl", "--code", "trust")
        assert "ans, bert on 3 respondent segments" in named.stderr, coders
        first = json.loads(named.stdout.splitlines()[0])
        assert first["code"] == "trust" and first["cohen_kappa"] is not None
    everyone = qcode(coded, "agreement", "--format", "jsonl").stdout.splitlines()
    assert json.loads(everyone[0])["cohen_kappa_undefined"] == "only for two coders"


def test_disagreements_and_reconcile_commands(coded: Project, tmp_path: Path) -> None:
    listed = qcode(coded, "disagreements", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert rows == [{"transcript": "noord-r01", "segment": "6", "differ": "trust dialogue",
                     "ans": "trust.information_sharing.written", "bert": "dialogue",
                     "consensus": "", "text": rows[0]["text"]}]
    assert "1 of 3 segments differ between ans, bert (top level)" in listed.stderr
    jsonl = json.loads(qcode(coded, "disagreements", "--format", "jsonl").stdout)
    assert jsonl["codes"] == {"ans": ["trust.information_sharing.written"], "bert": ["dialogue"]}
    assert "Schriftelijk" in qcode(coded, "disagreements").stdout
    sheet = tmp_path / "verschillen.xlsx"
    assert qcode(coded, "disagreements", "-o", str(sheet)).exit_code == 0 and sheet.is_file()
    done = qcode(coded, "reconcile", "noord-r01", "6", "dialogue", "--memo", "één keer besproken")
    assert done.exit_code == 0 and "added noord-r01:6 (consensus): dialogue" in done.stderr
    assert qcode(coded, "disagreements", "--format", "jsonl").stdout.count('"consensus": ["dialogue"]') == 1
    cleared = qcode(coded, "reconcile", "noord-r01", "6", "--none")
    assert "removed noord-r01:6 (consensus): dialogue" in cleared.stderr
    sheet_csv = tmp_path / "verschillen.csv"
    assert qcode(coded, "disagreements", "-o", str(sheet_csv)).exit_code == 0
    _fill_agreed(sheet_csv, {6: "dialogue trust.information_sharing"})
    recorded = qcode(coded, "reconcile", "--from", str(sheet_csv))
    assert recorded.exit_code == 0 and "recorded 1 agreed segment from" in recorded.stderr
    assert {c.code for c in list_codings(coded, coders=["consensus"])} == {
        "dialogue", "trust.information_sharing"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agreement", "--coders", "ans", "--coders", "zoe"], "--coders zoe: no codings by that coder"),
        (["agreement", "--code", "trust.high"], "at --level top only top-level codes"),
        (["disagreements", "--coders", "ans"], "agreement needs two or more coders"),
        (["disagreements", "-o", "verschillen.pdf"], "unknown worksheet format '.pdf'"),
        (["reconcile", "noord-r01", "3", "trust"], "noord-r01:3 is an interviewer turn"),
        (["reconcile", "noord-r01", "6", "trust.hoog"], "unknown code 'trust.hoog'"),
        (["reconcile", "--from", "nergens.csv"], "nergens.csv: no such file"),
    ],
)
def test_command_errors_exit_1_and_change_nothing(coded: Project, args: list[str], message: str) -> None:
    before = snapshot(coded)
    result = qcode(coded, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert snapshot(coded) == before


@pytest.mark.parametrize(
    "args",
    [["reconcile", "noord-r01", "6"], ["reconcile", "noord-r01", "6", "trust", "--none"],
     ["reconcile"], ["agreement", "--level", "middle"]],
)
def test_usage_errors_exit_2(coded: Project, args: list[str]) -> None:
    before = snapshot(coded)
    assert qcode(coded, *args).exit_code == 2
    assert snapshot(coded) == before
