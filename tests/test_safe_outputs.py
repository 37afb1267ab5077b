"""What a transcript says cannot attack the researcher: every output of qcode makes text
it did not write inert for where it lands (issue 11, "Injection").

Transcripts, memos, case names and coder names here carry spreadsheet formulas, Rich
markup, terminal escape sequences, Markdown and HTML. Each test runs the real commands
and looks at what a researcher would get: the cells of every .xlsx and .csv, the text on
the terminal, the Markdown source.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.neutralise import (
    csv_cell,
    csv_cell_read,
    markdown_cell,
    markdown_line,
    markdown_text,
    message_text,
    terminal_text,
)
from tests.conftest import MINI_CODEBOOK

runner = CliRunner()

FORMULA = '=HYPERLINK("https://example.org/x","klik")'
CASE = "=1+1 Veiligheidshuis [/i] <b>$a$ en $b$</b>"
CODER = "@SUM(A1) [bold]ans"
MEMO = "=cmd|' /C calc'!A0 [link=https://example.org]hier[/link]"
TEXT = ("=2+3 Wij bespreken dat aan één tafel [lacht] [onverstaanbaar] en dan [/i] "
        "verder <script>x</script> | $a$ en $b$ *nadruk*")
# Not coded, so no spreadsheet or Word file has to refuse it; the terminal shows it.
CONTROLS = "Het vertrouwen is hoog. \x1b[2J\x1b]0;titel\x07 Klaar."

HOSTILE_INTERVIEW = f"""\
---
respondent: "-R01"
case: "{CASE}"
role: "+politie"
interviewer: [I]
---
I: Hoe is het vertrouwen?

R: {TEXT}

I: En verder?

R: {CONTROLS}
"""


def qcode(project: Path, *args: str, width: int = 80):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--project", str(project), *args],
                         env={"COLUMNS": str(width)})


def ok(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    """A project whose transcript text, case, respondent, role, memo and coder names all
    try to attack the researcher, with two coders who disagree on segment 2."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "noord-r01.txt").write_text(HOSTILE_INTERVIEW, encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(MINI_CODEBOOK, encoding="utf-8")
    project = tmp_path / "project"
    ok(runner.invoke(app, ["init", str(project)]))
    ok(qcode(project, "import", str(folder)))
    ok(qcode(project, "codebook", "load", str(tmp_path / "mini.yaml")))
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust.high", "--coder", CODER,
             "--memo", MEMO))
    ok(qcode(project, "codings", "add", "noord-r01", "2", "governance", "--coder", "b",
             "--memo", FORMULA))
    return project


# -- spreadsheets ------------------------------------------------------------------------


def formula_cells(path: Path) -> list[str]:
    """Every cell of every sheet of an .xlsx that holds a formula (an <f> element)."""
    with zipfile.ZipFile(path) as archive:
        return [
            f"{name}: {match}"
            for name in archive.namelist() if name.startswith("xl/worksheets/")
            for match in re.findall(r"<f[ >].*?</f>", archive.read(name).decode("utf-8"))
        ]


def live_csv_cells(text: str) -> list[str]:
    """The cells of a CSV text a spreadsheet would run as a formula."""
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
            and not re.fullmatch(r"[+-]?\d+(\.\d+)?", cell)]


def test_no_xlsx_cell_holds_a_formula(hostile: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    written = {
        "matrix": ["export", "matrix", "--by", "case", "-o"],
        "matrix-respondent": ["export", "matrix", "--by", "respondent", "-o"],
        "matrix-role": ["export", "matrix", "--by", "role", "-o"],
        "quotes": ["export", "quotes", "-o"],
        "disagreements": ["disagreements", "-o"],
    }
    for name, args in written.items():
        path = tmp_path / f"{name}.xlsx"
        ok(qcode(hostile, *args, str(path)))
        assert formula_cells(path) == [], name
    # The header cells hold the names as text, exactly as they are in the project.
    matrix = load_workbook(tmp_path / "matrix.xlsx")["matrix"]
    assert matrix["C1"].value == CASE and matrix["C1"].data_type == "s"
    assert matrix["C1"].quotePrefix
    sheet = load_workbook(tmp_path / "disagreements.xlsx")["disagreements"]
    headers = [cell.value for cell in sheet[1]]
    assert CODER in headers


def test_every_csv_neutralises_formulas_and_reads_back_as_written(
    hostile: Path, tmp_path: Path
) -> None:
    files = {
        "quotes.csv": ["export", "quotes", "-o"],
        "matrix.csv": ["export", "matrix", "--by", "case", "-o"],
        "codings.csv": ["codings", "export"],
        "disagreements.csv": ["disagreements", "-o"],
    }
    for name, args in files.items():
        ok(qcode(hostile, *args, str(tmp_path / name)))
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert live_csv_cells(text) == [], name
    listings = [
        ["transcripts", "--format", "csv"],
        ["codings", "list", "--format", "csv"],
        ["show", "noord-r01", "--format", "csv"],
        ["disagreements", "--format", "csv"],
        ["agreement", "--format", "csv"],
        ["codebook", "show", "--format", "csv"],
        ["export", "matrix", "--by", "case", "--csv"],
    ]
    for args in listings:
        assert live_csv_cells(ok(qcode(hostile, *args)).stdout) == [], args
    # The apostrophe is the only change: reading the cell back undoes it.
    with (tmp_path / "quotes.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {csv_cell_read(row["memo"]) for row in rows} == {MEMO, FORMULA}
    assert csv_cell_read(rows[0]["text"]) == TEXT
    assert csv_cell_read(rows[0]["case"]) == CASE


def test_report_csv_downloads_neutralise_formulas(hostile: Path, tmp_path: Path) -> None:
    report = tmp_path / "rapport.html"
    ok(qcode(hostile, "report", "-o", str(report)))
    html = report.read_text(encoding="utf-8")
    downloads = re.findall(r'href="data:text/csv;charset=utf-8,([^"]+)"', html)
    assert downloads
    texts = [unquote(payload).removeprefix("\ufeff") for payload in downloads]
    for text in texts:
        assert live_csv_cells(text) == []
    assert any(f"'{CASE}" in text for text in texts)


def test_codings_round_trip_through_csv_keeps_formula_like_memos(
    hostile: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "codings.csv"
    ok(qcode(hostile, "codings", "export", str(exported)))
    raw = exported.read_text(encoding="utf-8")
    assert "'=cmd" in raw and "'@SUM" in raw
    ok(qcode(hostile, "codings", "remove", "noord-r01", "2", "trust.high", "governance", "--all-coders"))
    assert ok(qcode(hostile, "codings", "import", str(exported))).stderr.startswith(
        "imported 2 codings")
    listed = ok(qcode(hostile, "codings", "list", "--format", "jsonl")).stdout
    import json

    rows = [json.loads(line) for line in listed.splitlines()]
    assert {(row["coder"], row["memo"]) for row in rows} == {(CODER, MEMO), ("b", FORMULA)}


def test_reconcile_reads_back_its_own_csv_worksheet(tmp_path: Path) -> None:
    # A transcript whose id itself looks like a formula: the worksheet marks it as text,
    # and reconciling from that worksheet finds the transcript again.
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "-noord.txt").write_text(HOSTILE_INTERVIEW, encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(MINI_CODEBOOK, encoding="utf-8")
    project = tmp_path / "project"
    ok(runner.invoke(app, ["init", str(project)]))
    ok(qcode(project, "import", str(folder)))
    ok(qcode(project, "codebook", "load", str(tmp_path / "mini.yaml")))
    ok(qcode(project, "codings", "add", "--coder", "a", "--", "-noord", "2", "trust"))
    ok(qcode(project, "codings", "add", "--coder", "b", "--", "-noord", "2", "dialogue"))
    sheet = tmp_path / "verschillen.csv"
    ok(qcode(project, "disagreements", "-o", str(sheet)))
    rows = list(csv.DictReader(sheet.open(encoding="utf-8", newline="")))
    assert rows[0]["transcript"] == "'-noord"
    rows[0]["agreed"] = "trust"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ok(qcode(project, "reconcile", "--from", str(sheet)))
    listed = ok(qcode(project, "codings", "list", "--coder", "consensus", "--format", "csv"))
    assert "trust" in listed.stdout


# -- the terminal ------------------------------------------------------------------------


def test_listings_show_markup_as_written_and_never_crash(hostile: Path) -> None:
    for args in (["transcripts"], ["codings", "list"], ["disagreements"], ["agreement"],
                 ["show", "noord-r01"], ["export", "matrix", "--by", "case"],
                 ["codebook", "show"]):
        result = ok(qcode(hostile, *args))
        assert "\x1b" not in result.stdout + result.stderr, args
    shown = ok(qcode(hostile, "show", "noord-r01")).stdout
    flat = " ".join(shown.split())
    for marker in ("[lacht]", "[onverstaanbaar]", "<script>x</script>"):
        assert marker in flat
    assert "␛[2J" in shown and "␇" in shown
    listed = ok(qcode(hostile, "codings", "list", width=250)).stdout
    assert "[link=https://example.org]hier[/link]" in listed and CODER in listed
    assert CODER in ok(qcode(hostile, "disagreements", width=250)).stdout
    cases = ok(qcode(hostile, "transcripts", width=250)).stdout
    assert "[/i]" in cases and "<b>$a$" in cases


def test_suggest_prints_a_stray_closing_tag(hostile: Path, tmp_path: Path) -> None:
    # A transcript id is the file name ("interview [def].txt") or the front matter's id.
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "midden.txt").write_text(
        '---\nid: "midden [/i]"\n---\nI: Hoe gaat het?\n\n'
        "R: Het vertrouwen aan tafel is groot [lacht].\n", encoding="utf-8")
    ok(qcode(hostile, "import", str(extra)))
    result = ok(qcode(hostile, "suggest", "--rules-only", "--min-score", "0", width=250))
    assert "midden [/i]" in result.stdout


def test_notes_and_errors_show_control_characters(hostile: Path) -> None:
    result = ok(qcode(hostile, "codings", "add", "noord-r01", "4", "trust",
                      "--coder", "x\x1b]0;titel\x07"))
    assert "\x1b" not in result.stderr and "x␛]0;titel␇" in result.stderr
    error = qcode(hostile, "show", "\x1b[2Jweg")
    assert error.exit_code == 1 and "\x1b" not in error.stderr
    assert "␛[2Jweg" in error.stderr


def test_terminal_text_is_one_character_for_one() -> None:
    text = "a\x1bb\x07c\u202ed\x85e\ufffe\n\tf"
    shown = terminal_text(text)
    assert len(shown) == len(text)
    assert shown == "a␛b␇c\ufffdd\ufffde\ufffd\n\tf"
    assert message_text("caf\udc82\nx") == "caf\\x82␊x"


# -- Markdown ----------------------------------------------------------------------------


def test_markdown_writers_escape_markup(hostile: Path, tmp_path: Path) -> None:
    for name, args in {"matrix.md": ["export", "matrix", "--by", "case", "-o"],
                       "disagreements.md": ["disagreements", "-o"],
                       "quotes.md": ["export", "quotes", "-o"]}.items():
        ok(qcode(hostile, *args, str(tmp_path / name)))
        text = (tmp_path / name).read_text(encoding="utf-8")
        # No raw tag, link, math or table-breaking pipe survives from the project's text.
        assert "<b>" not in text and "<script>" not in text, name
        assert "$a$" not in text and "[/i]" not in text, name
        assert "\x1b" not in text, name
    matrix = (tmp_path / "matrix.md").read_text(encoding="utf-8").splitlines()
    header = matrix[2]
    assert header.count(" | ") == 2  # code | label | one case: its "|"-free name escaped
    assert "\\<b\\>\\$a\\$ en \\$b\\$\\</b\\>" in header


def test_markdown_escapes() -> None:
    assert markdown_line("# kop") == "\\# kop"
    assert markdown_line("1. eerste") == "1\\. eerste"
    assert markdown_line("trust.information_sharing") == "trust.information_sharing"
    assert markdown_line("_nadruk_") == "\\_nadruk\\_"
    assert markdown_cell("a | b\nc") == "a \\| b<br>c"
    assert markdown_text("één\ntwee\n\ndrie") == "één\\\ntwee\n\ndrie"


def test_csv_cell_round_trip_and_numbers() -> None:
    for value in ("=1+1", "+31 6 12345678", "-", "@handle", "\tx", "\rx", "'=x", "''-y",
                  "gewoon", "'gewoon", ""):
        assert csv_cell_read(str(csv_cell(value))) == value
    assert csv_cell("-12") == "-12" and csv_cell("+3.5") == "+3.5" and csv_cell(-4) == -4
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-") == "'-"


# -- temporary files ---------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_planted_symlinks_never_redirect_an_export(hostile: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("niet overschrijven", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    targets = {
        "codes.qdc": ["export", "qdc", "-o"],
        "quotes.xlsx": ["export", "quotes", "-o"],
        "matrix.csv": ["export", "matrix", "-o"],
        "codings.csv": ["codings", "export"],
        "rapport.html": ["report", "-o"],
    }
    for name in targets:
        # The fixed names writers used to use, and a few guesses at others.
        for planted in (f".{name}.tmp", f"{name}.tmp", f".{name}.part", f"{name}~"):
            (out / planted).symlink_to(victim)
    for name, args in targets.items():
        ok(qcode(hostile, *args, str(out / name)))
        assert (out / name).is_file() and not (out / name).is_symlink()
    assert victim.read_text(encoding="utf-8") == "niet overschrijven"
    leftovers = {p.name for p in out.iterdir()} - set(targets)
    assert all((out / name).is_symlink() for name in leftovers)


# -- the table writer itself (library layer) ---------------------------------------------


def test_write_table_neutralises_at_the_writer(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from qcode.exports.table import TableFile, write_table

    table = TableFile(["code", FORMULA, "n"], [["trust", MEMO, -3], ["-", "[b]x[/b] | $y$", 4.5]],
                      sheet="tabel", title="=titel")
    for suffix in (".csv", ".xlsx", ".md"):
        write_table(table, tmp_path / f"t{suffix}", what="table")
    text = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert live_csv_cells(text) == []
    rows = list(csv.reader(io.StringIO(text)))
    assert [csv_cell_read(cell) for cell in rows[1]] == ["trust", MEMO, "-3"]
    assert rows[2][0] == "'-"
    assert formula_cells(tmp_path / "t.xlsx") == []
    workbook = load_workbook(tmp_path / "t.xlsx")
    assert workbook["tabel"]["B1"].value == FORMULA and workbook["tabel"]["C2"].value == -3
    assert workbook["info"]["B1"].value == "=titel"
    markdown = (tmp_path / "t.md").read_text(encoding="utf-8").splitlines()
    assert markdown[0] == "# \\=titel"
    assert markdown[5] == "| \\- | \\[b\\]x\\[/b\\] \\| \\$y\\$ | 4.5 |"
    assert markdown[3] == "|:---|:---|---:|"
