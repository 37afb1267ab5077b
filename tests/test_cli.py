"""The command line: every command end to end, and every bad input with its message."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.store import find_project
from tests.conftest import (
    INTERVIEW_ONE,
    assert_usage_error,
    assert_user_error,
    command_paths,
    qcode,
    snapshot,
)

runner = CliRunner()

@pytest.fixture()
def cli_project(sample_files: Path) -> Path:
    folder = sample_files / "project"
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    assert qcode(folder, "import", str(sample_files / "interviews")).exit_code == 0
    assert qcode(folder, "codebook", "load", str(sample_files / "mini.yaml")).exit_code == 0
    return folder


def test_init_import_and_list(cli_project: Path) -> None:
    result = qcode(cli_project, "transcripts", "--format", "jsonl")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["noord-r01", "zuid-r02"]
    assert {"id", "respondent", "case", "segments"} <= set(rows[0])
    assert rows[0]["case"] == "Veiligheidshuis Noord"
    table = qcode(cli_project, "transcripts")
    assert "noord-r01" in table.stdout


def test_reimport_reports_unchanged(cli_project: Path, sample_files: Path) -> None:
    result = qcode(cli_project, "import", str(sample_files / "interviews"))
    assert result.exit_code == 0
    assert "0 new, 0 updated, 2 unchanged" in result.stderr


def test_show_jsonl(cli_project: Path) -> None:
    assert qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high",
                 "--coder", "ans").exit_code == 0
    result = qcode(cli_project, "show", "noord-r01", "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[3]["segment"] == 4 and rows[3]["codes"] == ["trust.high"]
    assert rows[0]["interviewer"] is True and rows[1]["interviewer"] is False
    assert rows[1]["text"].encode() == (
        "Ik ben hoofd van het Veiligheidshuis. Wij zijn een coöperatie van partners, en de "
        "casuïstiek\nbespreken we aan één tafel."
    ).encode()
    assert "noord-r01" in qcode(cli_project, "show", "noord-r01").stdout


def test_codebook_show_and_check(cli_project: Path, sample_files: Path) -> None:
    rows = [json.loads(line) for line in
            qcode(cli_project, "codebook", "show", "--format", "jsonl").stdout.splitlines()]
    assert rows[1] == {**rows[1], "id": "trust.high", "label": "Hoog vertrouwen", "parent": "trust"}
    assert "Onderling vertrouwen" in qcode(cli_project, "codebook", "show").stdout
    check = runner.invoke(app, ["codebook", "check", str(sample_files / "mini.yaml")])
    assert check.exit_code == 0 and "ok, 9 codes (3 top-level)" in check.stderr


def test_codings_commands(cli_project: Path, tmp_path: Path) -> None:
    add = qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high",
                "trust.information_sharing.oral", "--coder", "ans", "--memo", "één tafel",
                "--span", "0:22")
    assert add.exit_code == 0, add.output
    again = qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--coder", "ans",
                  "--span", "0:22")
    assert "already coded" in again.stderr
    listed = [json.loads(line) for line in
              qcode(cli_project, "codings", "list", "--format", "jsonl").stdout.splitlines()]
    assert len(listed) == 2
    assert {"transcript", "segment", "code", "coder", "provenance", "memo", "start", "end"} <= set(listed[0])
    assert listed[0]["memo"] == "één tafel" and listed[0]["start"] == 0 and listed[0]["end"] == 22
    out = tmp_path / "export.csv"
    assert qcode(cli_project, "codings", "export", str(out)).exit_code == 0
    assert qcode(cli_project, "codings", "remove", "noord-r01", "4", "trust.high",
                 "trust.information_sharing.oral", "--coder", "ans").exit_code == 0
    assert qcode(cli_project, "codings", "list", "--format", "jsonl").stdout == ""
    imported = qcode(cli_project, "codings", "import", str(out))
    assert imported.exit_code == 0 and "imported 2 codings" in imported.stderr


def test_exports(cli_project: Path, tmp_path: Path) -> None:
    qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--coder", "ans")
    qcode(cli_project, "codings", "add", "zuid-r02", "4", "trust.low", "--coder", "ans")
    for suffix in ("csv", "xlsx", "md"):
        target = tmp_path / f"matrix.{suffix}"
        result = qcode(cli_project, "export", "matrix", "--by", "case", "-o", str(target))
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    with (tmp_path / "matrix.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["code", "label", "Veiligheidshuis Noord", "Veiligheidshuis Zuid"]
    screen = qcode(cli_project, "export", "matrix", "--level", "top")
    assert screen.exit_code == 0 and "trust" in screen.stdout
    for suffix in ("csv", "docx", "html", "md", "xlsx"):
        target = tmp_path / f"quotes.{suffix}"
        result = qcode(cli_project, "export", "quotes", "--code", "trust", "-o", str(target))
        assert result.exit_code == 0, result.output
        assert "wrote 2 quotes" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["codings", "add", "noord-r01", "4", "trust.hoog"], "unknown code 'trust.hoog'"),
        (["codings", "add", "noord-r99", "4", "trust"], "unknown transcript 'noord-r99'"),
        (["codings", "add", "noord-r01", "40", "trust"], "noord-r01: no segment 40"),
        (["codings", "add", "noord-r01", "3", "trust"], "noord-r01:3 is an interviewer turn"),
        (["show", "onbekend"], "unknown transcript 'onbekend'"),
        (["export", "matrix", "--by", "wijk"], "--by wijk: no transcript or respondent"),
        (["export", "matrix", "-o", "matrix.pdf"], "unknown matrix format"),
        (["codebook", "load", "nergens.yaml"], "nergens.yaml"),
        (["import", "nergens.txt"], "nergens.txt: no such file or folder"),
    ],
)
def test_user_errors_exit_1_and_change_nothing(cli_project: Path, args: list[str], message: str) -> None:
    with find_project(cli_project) as project:
        before = snapshot(project)
    assert_user_error(qcode(cli_project, *args), message)
    with find_project(cli_project) as project:
        assert snapshot(project) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["codings", "add", "noord-r01", "4", "trust", "--span", "9"], "--span 9: expected START:END"),
        (["codings", "remove", "noord-r01", "4", "trust", "--span", "5:2"], "END must be greater"),
        (["codebook", "load", "mini.yaml", "--rename", "trust"], "--rename trust: expected OLD=NEW"),
        (["codebook", "load", "mini.yaml", "--rename", "c=a", "--rename", "c=b"],
         "'c' is already mapped to 'a'"),
        (["review", "--accept", "noord-r01:vier:trust"], "expected TRANSCRIPT:SEGMENT:CODE"),
        (["codings", "remove", "noord-r01", "4", "trust", "--coder", "ans", "--all-coders"],
         "--coder and --all-coders"),
    ],
)
def test_unreadable_option_values_are_usage_errors(cli_project: Path, args: list[str],
                                                   message: str) -> None:
    """One rule for exit codes: a value that cannot be read exits 2, like typer's own
    usage errors; the project is untouched."""
    with find_project(cli_project) as project:
        before = snapshot(project)
    assert_usage_error(qcode(cli_project, *args), message)
    with find_project(cli_project) as project:
        assert snapshot(project) == before


def test_remove_defaults_to_the_current_coder(cli_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for coder in ("ans", "bert"):
        assert qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high",
                     "--coder", coder).exit_code == 0
    monkeypatch.setenv("QCODE_CODER", "ans")
    removed = qcode(cli_project, "codings", "remove", "noord-r01", "4", "trust.high")
    assert removed.exit_code == 0 and "removed 1 coding by ans" in removed.stderr
    listed = [json.loads(line) for line in
              qcode(cli_project, "codings", "list", "--format", "jsonl").stdout.splitlines()]
    assert [row["coder"] for row in listed] == ["bert"]
    # Nothing of ans's is left there: the message names whose codings there are.
    assert_user_error(qcode(cli_project, "codings", "remove", "noord-r01", "4", "trust.high"),
                      "has no coding trust.high by ans (it has trust.high by bert; pass "
                      "--coder NAME or --all-coders)")
    everyone = qcode(cli_project, "codings", "remove", "noord-r01", "4", "trust.high",
                     "--all-coders")
    assert everyone.exit_code == 0 and "every coder's" in everyone.stderr
    assert qcode(cli_project, "codings", "list", "--format", "jsonl").stdout == ""


def test_adding_a_memo_to_an_existing_coding_updates_it(cli_project: Path) -> None:
    assert qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high",
                 "--coder", "ans").exit_code == 0
    again = qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--coder", "ans",
                  "--memo", "korte lijntjes")
    assert again.exit_code == 0 and "memo updated" in again.stderr
    same = qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--coder", "ans")
    assert "unchanged" in same.stderr
    [row] = [json.loads(line) for line in
             qcode(cli_project, "codings", "list", "--format", "jsonl").stdout.splitlines()]
    # Adding again without a memo never clears the one that is there.
    assert row["memo"] == "korte lijntjes"


@pytest.mark.parametrize("command", [
    ["codings", "list", "--coder", "zoë"],
    ["codings", "export", "uit.csv", "--coder", "zoë"],
    ["export", "matrix", "--coder", "zoë"],
    ["export", "quotes", "-o", "q.csv", "--coder", "zoë"],
    ["show", "noord-r01", "--coder", "zoë"],
    ["train", "--coder", "zoë"],
    ["report", "-o", "r.html", "--coder", "zoë"],
])
def test_an_unknown_coder_is_the_same_error_everywhere(cli_project: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      command: list[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    assert qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high",
                 "--coder", "ans").exit_code == 0
    assert_user_error(qcode(cli_project, *command),
                      "--coder zoë: no codings by that coder; coders in this project: ans")
    assert not list(out.iterdir())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leeg.txt", b"", "empty"),
        ("binair.txt", b"\x00\x01\x02\x03" * 50, "binary"),
        ("kapot.txt", b"R: caf\x81 en \x9d\n", "kapot.txt"),
        ("stuk.docx", b"dit is geen zip", "not a valid .docx"),
    ],
)
def test_bad_transcript_files(cli_project: Path, tmp_path: Path, name: str, content: bytes,
                              message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with find_project(cli_project) as project:
        before = snapshot(project)
    assert_user_error(qcode(cli_project, "import", str(path)), message)
    with find_project(cli_project) as project:
        assert snapshot(project) == before


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("codebook: x\ncodes:\n  trust: [unclosed\n", "broken.yaml:"),
        ("codebook: x\ncodes:\n  trust:\n    label: A\n  trust:\n    label: B\n", "duplicate"),
        ("codebook: x\ncodes:\n  trust:\n    label: A\n    kleur: rood\n", "kleur"),
    ],
)
def test_bad_codebooks(cli_project: Path, tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with find_project(cli_project) as project:
        before = snapshot(project)
    for command in ("load", "check"):
        assert_user_error(qcode(cli_project, "codebook", command, str(path)), message)
    with find_project(cli_project) as project:
        assert snapshot(project) == before


def test_csv_with_missing_columns(cli_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    path.write_text("transcript,code\nnoord-r01,trust\n", encoding="utf-8")
    assert_user_error(qcode(cli_project, "codings", "import", str(path)),
                      "codings.csv:1: missing column segment")


def test_reimport_changed_transcript_with_codings(cli_project: Path, sample_files: Path) -> None:
    qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--coder", "ans")
    with find_project(cli_project) as project:
        before = snapshot(project)
    transcript = sample_files / "interviews" / "noord-r01.txt"
    transcript.write_text(INTERVIEW_ONE.replace("is hoog", "is laag"), encoding="utf-8")
    assert_user_error(qcode(cli_project, "import", str(transcript)),
                      "transcript 'noord-r01' changed and 1 coding has no single place")
    with find_project(cli_project) as project:
        assert snapshot(project) == before


def test_no_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    assert_user_error(runner.invoke(app, ["transcripts"]), "not inside a qcode project")


def test_usage_error_exits_2() -> None:
    assert runner.invoke(app, ["codings", "add"]).exit_code == 2


def test_every_command_has_help_with_an_example_and_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0
        assert "Example: qcode" in result.stdout, path
        assert f"qcode {' '.join(path)}" in readme, f"README does not mention qcode {' '.join(path)}"


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from typer.main import get_command\n"
        "from qcode.cli import app\n"
        "try:\n"
        "    get_command(app).main(['--help'], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'pandas', 'numpy', 'spacy'})\n"
        "    print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stdout


def test_python_dash_m_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "qcode", "--version"], capture_output=True,
                            text=True, check=True)
    assert result.stdout.startswith("qcode ")


def test_codings_import_reports_every_bad_row_and_reads_any_header_case(
    cli_project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "codering.csv"
    path.write_text(
        "Transcript,SEGMENT,Code,Memo\n"
        "noord-r01,4,trust.high,goed\n"
        "noord-r01,3,trust,\n"
        "noord-r01,vier,trust,\n"
        "noord-r99,2,trust,\n"
        "noord-r01,6,trust.hoog,\n",
        encoding="utf-8",
    )
    with find_project(cli_project) as project:
        before = snapshot(project)
    result = qcode(cli_project, "codings", "import", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"error: {path}:3: noord-r01:3 is an interviewer turn; only respondent turns can be coded",
        f"error: {path}:4: segment 'vier' is not a whole number",
        f"error: {path}:5: unknown transcript 'noord-r99'; did you mean 'noord-r01'?",
        f"error: {path}:6: unknown code 'trust.hoog'; did you mean 'trust.high'?",
    ]
    with find_project(cli_project) as project:
        assert snapshot(project) == before
    path.write_text("Transcript;Segment;CODE;Coder\nnoord-r01;4;trust.high;ans\n",
                    encoding="utf-8")
    result = qcode(cli_project, "codings", "import", str(path))
    assert result.exit_code == 0, result.output
    listed = [json.loads(line) for line in
              qcode(cli_project, "codings", "list", "--format", "jsonl").stdout.splitlines()]
    assert [(c["transcript"], c["segment"], c["code"], c["coder"]) for c in listed] == [
        ("noord-r01", 4, "trust.high", "ans")]


def test_codebook_check_reports_every_problem(cli_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "codeboek.yaml"
    path.write_text("codebook: x\ncodes:\n  trust:\n    label: A\n    kleur: rood\n"
                    "  dialogue:\n    label: B\n    level: hoog\n  members: {}\n",
                    encoding="utf-8")
    result = qcode(cli_project, "codebook", "check", str(path))
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == [
        f"{path}:5:5", f"{path}:8:12", f"{path}:9:3"]


def test_a_segment_that_is_not_a_number_gets_qcodes_own_message(cli_project: Path) -> None:
    for args in (["codings", "add", "noord-r01", "vier", "trust"],
                 ["codings", "remove", "noord-r01", "4x", "trust"],
                 ["reconcile", "noord-r01", "0", "trust"]):
        result = qcode(cli_project, *args)
        segment = args[-2]
        # A value that cannot be read is a usage mistake: exit 2, one line.
        assert_usage_error(result, f"segment '{segment}' is not a segment number: segments are "
                                   "numbered 1, 2, 3 ... (see 'qcode show TRANSCRIPT')")


def test_codings_add_with_a_span_echoes_the_spanned_text(cli_project: Path) -> None:
    result = qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--span",
                   "0:22", "--coder", "ans")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        'added noord-r01:4 trust.high (ans) [0:22] "Het vertrouwen is hoog"')


def test_export_matrix_lists_in_every_format_and_writes_dutch_by_default(
    cli_project: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    qcode(cli_project, "codings", "add", "noord-r01", "4", "trust.high", "--coder", "ans")
    rows = [json.loads(line) for line in qcode(cli_project, "export", "matrix", "--by", "case",
                                               "--format", "jsonl").stdout.splitlines()]
    high = next(row for row in rows if row["code"] == "trust.high")
    assert high == {"code": "trust.high", "label": "Hoog vertrouwen",
                    "Veiligheidshuis Noord": 1, "Veiligheidshuis Zuid": 0}
    listed = qcode(cli_project, "export", "matrix", "--by", "case", "--format", "csv").stdout
    assert listed.splitlines()[0] == "code,label,Veiligheidshuis Noord,Veiligheidshuis Zuid"
    book = tmp_path / "matrix.xlsx"
    assert qcode(cli_project, "export", "matrix", "--by", "case", "-o", str(book)).exit_code == 0
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["matrix", "toelichting"]
    assert workbook["toelichting"]["B1"].value == "Codes per casus (aantal)"
    english = tmp_path / "matrix-en.xlsx"
    qcode(cli_project, "export", "matrix", "--by", "case", "--lang", "en", "-o", str(english))
    assert load_workbook(english)["info"]["B1"].value == "Codes by case (count)"
