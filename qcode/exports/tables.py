"""Code matrices and quote lists as tables: .csv, .xlsx and .md.

The exporters only format what analysis hands them; they never read the project.

CSV files are UTF-8 *without* a byte-order mark and with ``\\n`` line endings, because
that is what pandas, R, Python's csv module and diff tools read without surprises. Excel
on Windows guesses a legacy encoding for such files and garbles "coöperatie"; researchers
who open tables in Excel should export ``.xlsx`` instead, or pass ``bom=True`` to get a
CSV with the UTF-8 byte-order mark Excel looks for.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcode.exports.language import heading, word
from qcode.exports.output import check_quote_texts, check_xml_text
from qcode.exports.quote_groups import code_label
from qcode.files import atomic_output, output_format
from qcode.models import Quote

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MATRIX_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md")
QUOTE_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md", ".docx", ".html")
QUOTE_COLUMNS: tuple[str, ...] = (
    "transcript", "respondent", "case", "role", "segment", "code", "label",
    "coder", "provenance", "memo", "start", "end", "text",
)

Cell = str | int | float | None


def write_matrix(
    matrix: pd.DataFrame, path: Path, *, title: str = "", bom: bool = False, lang: str = "en"
) -> None:
    """Write a code matrix to ``path``; the suffix (.csv, .xlsx, .md) picks the format.

    ``matrix`` has the code ids as its index, a ``label`` column and one count column
    per group (respondent, case, role...). Example::

        write_matrix(frame, Path("out/matrix.xlsx"), title="Codes per respondent")

    ``title`` becomes the markdown heading or an "info" sheet in .xlsx (the "matrix"
    sheet stays a plain table); .csv has no place for it. ``bom`` adds a UTF-8
    byte-order mark to .csv for Excel. ``lang`` (nl or en) names the sheets and the default
    title. Raises ExportError for an unknown suffix, a missing folder or a failed write;
    nothing is left behind when writing fails.
    """
    suffix = output_format(path, "matrix", MATRIX_FORMATS)
    header, rows = _matrix_table(matrix)
    with atomic_output(path) as temporary:
        if suffix == ".csv":
            _write_csv(temporary, header, rows, bom=bom)
        elif suffix == ".xlsx":
            _write_xlsx(temporary, path, word(lang, "matrix_sheet"), header, rows, title=title,
                        frozen="C2", lang=lang)
        else:
            _write_matrix_md(temporary, header, rows, title=title or word(lang, "code_matrix"))


def write_quotes(
    quotes: Sequence[Quote],
    path: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    bom: bool = False,
    lang: str = "en",
) -> None:
    """Write quotes to ``path``; the suffix (.csv, .xlsx, .md, .docx, .html) picks the format.

    .csv and .xlsx hold one row per quote with the columns of ``QUOTE_COLUMNS`` and the
    text exactly as given; .md, .docx and .html group the quotes by code for reading.
    ``labels`` maps code ids to labels: it overrides the label each quote carries and its
    order (pass the codebook's) orders the groups; codes it lacks follow in code-id order.
    ``lang`` (nl or en) is the language of everything around the quotes: titles, counts,
    attributions, sheet and column names (.csv keeps its English column names). Example::

        write_quotes(quotes, Path("out/quotes.docx"), title="Citaten Midden")

    Raises ExportError for an unknown suffix, a missing folder, text a format cannot
    hold, or a failed write; nothing is left behind when writing fails.
    """
    suffix = output_format(path, "quotes", QUOTE_FORMATS)
    with atomic_output(path) as temporary:
        if suffix == ".csv":
            _write_csv(temporary, QUOTE_COLUMNS, _quote_rows(quotes, labels), bom=bom)
        elif suffix == ".xlsx":
            check_quote_texts(quotes, path, title=title, labels=labels)
            rows = _quote_rows(quotes, labels)
            header = [heading(column, lang) for column in QUOTE_COLUMNS]
            _write_xlsx(temporary, path, word(lang, "quotes_sheet"), header, rows, title=title,
                        frozen="A2", wide={heading("text", lang): 80, "memo": 40}, lang=lang)
        elif suffix == ".md":
            from qcode.exports.quotes_md import write_quotes_md

            write_quotes_md(quotes, temporary, title=title, labels=labels, lang=lang)
        elif suffix == ".docx":
            from qcode.exports.quotes_docx import write_quotes_docx

            write_quotes_docx(quotes, temporary, path, title=title, labels=labels, lang=lang)
        else:
            from qcode.exports.quotes_html import write_quotes_html

            write_quotes_html(quotes, temporary, title=title, labels=labels, lang=lang)


def _matrix_table(matrix: pd.DataFrame) -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of a matrix frame, as plain Python values."""
    if "label" not in matrix.columns:
        raise ValueError("a code matrix needs a 'label' column next to its code index")
    groups = [column for column in matrix.columns if column != "label"]
    header = ["code", "label", *(str(group) for group in groups)]
    columns = [matrix["label"].tolist(), *(matrix[group].tolist() for group in groups)]
    rows: list[list[Cell]] = []
    for position, code in enumerate(matrix.index.tolist()):
        label = columns[0][position]
        counts = [_number(column[position]) for column in columns[1:]]
        rows.append([str(code), "" if _missing(label) else str(label), *counts])
    return header, rows


def _missing(value: Any) -> bool:
    import pandas as pd  # already imported by whoever built the frame

    return value is None or bool(pd.isna(value))


def _number(value: Any) -> int | float | None:
    """A count as a plain int; a whole float (a count upcast by a gap) as an int too."""
    if _missing(value):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = float(value)
    return int(number) if math.isfinite(number) and number.is_integer() else number


def _quote_rows(
    quotes: Iterable[Quote], labels: Mapping[str, str] | None
) -> list[list[Cell]]:
    return [
        [q.transcript, q.respondent, q.case, q.role, q.segment, q.code,
         code_label(q, labels), q.coder, q.provenance, q.memo, q.start, q.end, q.text]
        for q in quotes
    ]


def _write_csv(
    target: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, bom: bool
) -> None:
    encoding = "utf-8-sig" if bom else "utf-8"
    # newline="" lets the csv module quote newlines inside a quote instead of translating them.
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow("" if value is None else value for value in row)


def _write_xlsx(
    target: Path,
    path: Path,
    sheet: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str,
    frozen: str,
    wide: Mapping[str, int] | None = None,
    lang: str = "en",
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None  # a new Workbook always has one sheet
    worksheet.title = sheet
    _fill_sheet(worksheet, path, header, rows, wide or {})
    worksheet.freeze_panes = frozen
    if title:
        _add_info_sheet(workbook, path, title, lang)
    workbook.save(target)


def _fill_sheet(
    worksheet: Worksheet,
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    wide: Mapping[str, int],
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    worksheet.append(list(header))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = worksheet.cell(row=number, column=column)
            if isinstance(value, str):
                check_xml_text(value, path, f"row {number}, column '{header[column - 1]}'")
                cell.value = value
                # Stored as text even when it looks like a formula ("=...", "-", "@"...);
                # the quote prefix keeps Excel from turning it into one when edited.
                cell.data_type = "s"
                if value[:1] in ("=", "+", "-", "@"):
                    cell.quotePrefix = True
            else:
                cell.value = value
    for column, name in enumerate(header, start=1):
        letter = get_column_letter(column)
        longest = max(
            (_display_width(row[column - 1]) for row in rows), default=0
        )
        limit = wide.get(name, 50)
        worksheet.column_dimensions[letter].width = min(max(longest, len(name)) + 2, limit)
        if name in wide:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _display_width(value: Cell) -> int:
    if value is None:
        return 0
    return max(len(line) for line in str(value).split("\n"))


def _add_info_sheet(workbook: Workbook, path: Path, title: str, lang: str) -> None:
    from openpyxl.styles import Font

    from qcode import __version__

    check_xml_text(title, path, "the title")
    info = workbook.create_sheet(word(lang, "info_sheet"))
    info.append([word(lang, "title"), title])
    info["B1"].data_type = "s"
    info.append([word(lang, "exported_by"), f"qcode {__version__}"])
    for (cell,) in info.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = min(len(title) + 2, 100)


def _md_cell(value: Cell) -> str:
    if value is None:
        return ""
    return str(value).replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _write_matrix_md(
    target: Path, header: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str
) -> None:
    lines = [f"# {_md_cell(title)}", ""]
    lines.append("| " + " | ".join(_md_cell(name) for name in header) + " |")
    lines.append("|" + "|".join([":---", ":---"] + ["---:"] * (len(header) - 2)) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_md_cell(value) for value in row) + " |")
    if not rows:
        lines += ["", "No codes in this matrix."]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
