"""Library tests for the matrix and quote exporters: write every format, read it back."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from qcode.errors import ExportError
from qcode.exports import QUOTE_COLUMNS, write_matrix, write_quotes
from qcode.models import Quote
from qcode.neutralise import csv_cell_read

MIDDEN = "Veiligheidshuis Midden"


@pytest.fixture
def matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Vertrouwen", "Mondeling | informeel", "Coöperatie en casuïstiek"],
            "R01": [3, 0, 12],
            "R02": [1, 5, 0],
            MIDDEN: [4, 5, 12],
        },
        index=pd.Index(
            ["trust", "trust.information_sharing.oral", "cooperation.casework"], name="code"
        ),
    )


def quote(code: str, label: str, text: str, **fields: object) -> Quote:
    values: dict[str, object] = {
        "transcript": "r03_midden", "respondent": "R03", "case": MIDDEN, "role": "politie",
        "segment": 12, "code": code, "label": label, "coder": "anna",
        "provenance": "manual", "memo": "", "start": None, "end": None, "text": text,
    }
    values.update(fields)
    return Quote(**values)  # type: ignore[arg-type]


ORAL = "trust.information_sharing.oral"
QUOTES = [
    quote(ORAL, "Mondelinge informatiedeling",
          "We bellen gewoon even, dat gaat sneller dan één mail.\nDat is de coöperatie hier."),
    quote("cooperation.casework", "Casuïstiek", "=SOM van de casuïstiek: 3 + 4 zaken",
          respondent="R07", case="Veiligheidshuis Noord", role="gemeente", segment=4,
          transcript="r07_noord", coder="bram", provenance="suggestion",
          memo="Geen formule — de \"=\" komt uit het transcript."),
    quote("trust", "Vertrouwen", "Vertrouwen <groeit> & 'krimpt' | soms",
          segment=3, start=10, end=48),
    quote(ORAL, "Mondelinge informatiedeling", "-- ja, en ook @iedereen weet dat.", segment=20),
]
TEXTS = [q.text for q in QUOTES]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- matrix ------------------------------------------------------------------------------


def test_matrix_csv_is_utf8_without_bom_and_exact(tmp_path: Path, matrix: pd.DataFrame) -> None:
    path = tmp_path / "matrix.csv"
    write_matrix(matrix, path, title="Codes per respondent")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "Coöperatie en casuïstiek".encode() in raw
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["code", "label", "R01", "R02", MIDDEN],
        ["trust", "Vertrouwen", "3", "1", "4"],
        [ORAL, "Mondeling | informeel", "0", "5", "5"],
        ["cooperation.casework", "Coöperatie en casuïstiek", "12", "0", "12"],
    ]
    assert leftovers(tmp_path) == []


def test_matrix_csv_for_excel_has_bom_and_whole_counts(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"label": ["Eén"], "R01": [2.0], "R02": [float("nan")], "R03": [0.25]},
        index=pd.Index(["trust"], name="code"),
    )
    path = tmp_path / "excel.csv"
    write_matrix(frame, path, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1] == ["trust", "Eén", "2", "", "0.25"]


def test_matrix_xlsx_header_frozen_numbers_and_info_sheet(
    tmp_path: Path, matrix: pd.DataFrame
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "matrix.xlsx"
    write_matrix(matrix, path, title="Codes per respondent — één casus")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["matrix", "info"]
    sheet = workbook["matrix"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["code", "label", "R01", "R02", MIDDEN]
    assert rows[3] == ["cooperation.casework", "Coöperatie en casuïstiek", 12, 0, 12]
    assert all(isinstance(value, int) for row in rows[1:] for value in row[2:])
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["B"].width >= len("Coöperatie en casuïstiek")
    assert workbook["info"]["B1"].value == "Codes per respondent — één casus"
    # pandas reads the first sheet as a plain table: the title does not get in the way.
    back = pd.read_excel(path, index_col="code")
    assert back.loc["trust", "R01"] == 3
    assert back.loc[ORAL, "label"] == "Mondeling | informeel"


def test_matrix_xlsx_without_title_has_one_sheet(tmp_path: Path, matrix: pd.DataFrame) -> None:
    from openpyxl import load_workbook

    write_matrix(matrix, tmp_path / "m.xlsx")
    assert load_workbook(tmp_path / "m.xlsx").sheetnames == ["matrix"]


def test_matrix_markdown_table(tmp_path: Path, matrix: pd.DataFrame) -> None:
    path = tmp_path / "matrix.md"
    write_matrix(matrix, path, title="Codes per respondent")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Codes per respondent"
    assert lines[2] == f"| code | label | R01 | R02 | {MIDDEN} |"
    assert lines[3] == "|:---|:---|---:|---:|---:|"
    assert lines[5] == f"| {ORAL} | Mondeling \\| informeel | 0 | 5 | 5 |"
    assert lines[6] == "| cooperation.casework | Coöperatie en casuïstiek | 12 | 0 | 12 |"


# --- quotes as tables ----------------------------------------------------------------------


def test_quotes_csv_keeps_text_byte_exact(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    write_quotes(QUOTES, path)
    assert "coöperatie hier".encode() in path.read_bytes()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(QUOTE_COLUMNS)
    # The formula-like quote carries the apostrophe that keeps a spreadsheet from running
    # it, and reading qcode's own CSV back takes exactly that apostrophe off.
    assert rows[1]["text"].startswith("'=SOM")
    assert [csv_cell_read(row["text"]) for row in rows] == TEXTS
    assert rows[1]["segment"] == "4"
    assert rows[1]["memo"] == QUOTES[1].memo
    assert (rows[2]["start"], rows[2]["end"]) == ("10", "48")
    assert (rows[0]["start"], rows[0]["end"]) == ("", "")


def test_quotes_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "quotes.xlsx"
    write_quotes(QUOTES, path, title="Citaten")
    sheet = load_workbook(path)["quotes"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(QUOTE_COLUMNS)
    assert [row[-1] for row in rows[1:]] == TEXTS
    assert rows[1][4] == 12
    formula_like = sheet.cell(row=3, column=len(QUOTE_COLUMNS))
    assert formula_like.data_type == "s"
    assert formula_like.value == "=SOM van de casuïstiek: 3 + 4 zaken"
    assert sheet.freeze_panes == "A2"


def test_labels_override_and_order_groups(tmp_path: Path) -> None:
    path = tmp_path / "quotes.md"
    labels = {"trust": "Vertrouwen (codeboek)", "cooperation.casework": "Casuïstiek"}
    write_quotes(QUOTES, path, labels=labels)
    headings = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln[:3] == "## "]
    assert headings == [
        "## trust — Vertrouwen (codeboek)",
        "## cooperation.casework — Casuïstiek",
        "## trust.information_sharing.oral — Mondelinge informatiedeling",
    ]
    write_quotes(QUOTES, tmp_path / "q.csv", labels=labels)
    with (tmp_path / "q.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["label"] == "Mondelinge informatiedeling"


# --- quotes for reading ----------------------------------------------------------------------


def test_quotes_markdown_groups_by_code_id(tmp_path: Path) -> None:
    path = tmp_path / "quotes.md"
    write_quotes(QUOTES, path, title="Citaten")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# Citaten"
    headings = [line for line in lines if line.startswith("## ")]
    assert [h.split(" — ")[0] for h in headings] == [
        "## cooperation.casework", "## trust", "## trust.information_sharing.oral",
    ]
    assert "> We bellen gewoon even, dat gaat sneller dan één mail.\\" in lines
    assert "> Dat is de coöperatie hier." in lines
    assert "> \\=SOM van de casuïstiek: 3 + 4 zaken" in lines
    assert "— R03 (Veiligheidshuis Midden, politie), transcript r03_midden, segment 12; " \
        "coder anna" in lines


class _Blockquotes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.quotes: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if tag == "blockquote":
            self._inside = True
            self.quotes.append("")
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "a":
            self.links.append(str(found.get("href")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.quotes[-1] += data


def test_quotes_html_is_self_contained_and_exact(tmp_path: Path) -> None:
    path = tmp_path / "quotes.html"
    write_quotes(QUOTES, path, title="Citaten <Midden>")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")
    assert "<title>Citaten &lt;Midden&gt;</title>" in page
    assert "Vertrouwen &lt;groeit&gt; &amp; &#x27;krimpt&#x27; | soms" in page
    assert "white-space: pre-wrap" in page
    parser = _Blockquotes()
    parser.feed(page)
    assert sorted(parser.quotes) == sorted(TEXTS)
    assert not parser.tags & {"script", "link", "img", "iframe"}
    assert "http" not in page.replace('http-equiv="Content-Security-Policy"', "")
    assert [link.lstrip("#") for link in parser.links] == parser.ids


def test_quotes_docx_headings_quotes_and_attribution(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "quotes.docx"
    write_quotes(QUOTES, path, title="Citaten Midden")
    paragraphs = docx.Document(str(path)).paragraphs
    assert paragraphs[0].text == "Citaten Midden"
    headings = [p.text for p in paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == [
        "cooperation.casework — Casuïstiek",
        "trust — Vertrouwen",
        f"{ORAL} — Mondelinge informatiedeling",
    ]
    quoted = [p.text for p in paragraphs if p.style is not None and p.style.name == "Quote"]
    assert sorted(quoted) == sorted(TEXTS)
    texts = [p.text for p in paragraphs]
    formula = texts.index(QUOTES[1].text)
    assert texts[formula + 1] == (
        "— R07 (Veiligheidshuis Noord, gemeente), transcript r07_noord, segment 4; "
        "coder bram (suggestion)"
    )
    assert texts[formula + 2] == "Memo: " + QUOTES[1].memo
    assert any("characters 10–48" in text for text in texts)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".md", ".docx", ".html"])
def test_no_quotes_still_gives_a_valid_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    write_quotes([], path)
    if suffix == ".csv":
        assert path.read_text(encoding="utf-8") == ",".join(QUOTE_COLUMNS) + "\n"
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        rows = list(load_workbook(path)["quotes"].iter_rows(values_only=True))
        assert rows == [tuple(QUOTE_COLUMNS)]
    elif suffix == ".docx":
        import docx

        texts = [p.text for p in docx.Document(str(path)).paragraphs]
        assert "There are no quotes to export." in texts
    else:
        assert "There are no quotes to export." in path.read_text(encoding="utf-8")


# --- errors and atomic writes --------------------------------------------------------------


def test_unknown_suffix_is_refused(tmp_path: Path, matrix: pd.DataFrame) -> None:
    path = tmp_path / "matrix.xyz"
    with pytest.raises(ExportError) as matrix_error:
        write_matrix(matrix, path)
    assert str(matrix_error.value) == (
        f"{path}: unknown matrix format '.xyz'; use .csv, .xlsx or .md"
    )
    with pytest.raises(ExportError) as quote_error:
        write_quotes(QUOTES, tmp_path / "quotes.pdf")
    assert str(quote_error.value) == (
        f"{tmp_path / 'quotes.pdf'}: unknown quotes format '.pdf'; "
        "use .csv, .xlsx, .md, .docx or .html"
    )
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_named(tmp_path: Path, matrix: pd.DataFrame) -> None:
    folder = tmp_path / "uitvoer"
    with pytest.raises(ExportError) as error:
        write_matrix(matrix, folder / "matrix.csv")
    assert str(error.value) == (
        f"{folder / 'matrix.csv'}: folder {folder} does not exist; create it first"
    )
    with pytest.raises(ExportError, match="uitvoer does not exist"):
        write_quotes(QUOTES, folder / "quotes.html")


def test_failed_export_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "quotes.xlsx"
    write_quotes(QUOTES, path)
    before = path.read_bytes()
    broken = [*QUOTES, quote("trust", "Vertrouwen", "regel\x0bmet verticale tab", segment=31)]
    for target in (path, tmp_path / "quotes.docx"):
        with pytest.raises(ExportError) as error:
            write_quotes(broken, target)
        assert str(error.value) == (
            f"{target}: transcript r03_midden segment 31 (text) contains the control "
            f"character U+000B, which {target.suffix} cannot hold; remove it there, or "
            "export to .csv"
        )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quotes.xlsx"]


def test_new_file_follows_the_umask(tmp_path: Path, matrix: pd.DataFrame) -> None:
    path = tmp_path / "matrix.md"
    write_matrix(matrix, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_importing_exchange_does_not_load_heavy_libraries() -> None:
    probe = (
        "import sys, qcode.exports; "
        "print(sorted(m for m in ('pandas', 'numpy', 'openpyxl', 'docx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_dutch_export_is_dutch_throughout(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for suffix in ("md", "html", "docx"):
        path = tmp_path / f"citaten.{suffix}"
        write_quotes(QUOTES[:1], path, lang="nl")
        if suffix == "docx":
            import docx

            text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        else:  # what a reader sees, without the markup
            text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", path.read_text(encoding="utf-8"),
                          flags=re.S)
        assert "Citaten" in text and "codeur anna" in text, suffix
        assert suffix == "docx" or "1 citaat" in text, suffix
        for english in ("Quotes", "quote", "coder ", "characters"):
            assert english not in text, (suffix, english)
    book = tmp_path / "citaten.xlsx"
    write_quotes(QUOTES, book, title="Citaten", lang="nl")
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["citaten", "toelichting"]
    header = [cell.value for cell in workbook["citaten"][1]]
    assert {"casus", "rol", "codeur", "herkomst", "tekst"} <= set(header)
    assert "coder" not in header and "text" not in header
    assert [row[0].value for row in workbook["toelichting"].iter_rows()] == ["titel", "gemaakt met"]
    english = tmp_path / "quotes.md"
    write_quotes(QUOTES[:1], english, lang="en")
    assert "1 quote" in english.read_text(encoding="utf-8")
