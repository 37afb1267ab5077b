"""One writer for every table qcode hands a researcher: .csv, .xlsx and .md.

Matrices, quotes, codings, reconciliation worksheets and the CLI's ``--format csv``
listings all go through here, so text that qcode did not write is made inert in one
place, for the format it lands in:

- CSV: a cell that a spreadsheet would run as a formula gets a leading apostrophe
  (:func:`qcode.neutralise.csv_cell`; numbers stay numbers). ``csv_cell_read`` undoes it,
  so qcode's own CSV files read back exactly as they were written.
- .xlsx: every text cell is stored as text, never as a formula, with Excel's "quote
  prefix" when it looks like one; text a cell cannot hold (characters XML cannot store,
  more than 32,767 characters) is refused with a message naming where it is, before
  anything is written.
- Markdown: every cell is escaped (:func:`qcode.neutralise.markdown_cell`).

CSV files are UTF-8 *without* a byte-order mark and with ``\\n`` line endings, because
that is what pandas, R, Python's csv module and diff tools read without surprises; pass
``bom=True`` for a CSV that Excel on Windows opens as UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qcode.exports.output import check_cell_text, check_xml_text
from qcode.files import atomic_output, output_format
from qcode.neutralise import csv_cell, markdown_cell, markdown_line

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | None
TABLE_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md")
FORMULA_LOOKALIKES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class TableFile:
    """A table to write: a header, rows of plain values, and how to present them.

    ``place`` names a row in error messages (``transcript r03 segment 12``); ``title``
    becomes the Markdown heading or an "info" sheet in .xlsx (.csv has no place for it);
    ``wide`` gives columns that hold prose their width and wraps them in .xlsx;
    ``frozen`` is the first cell that scrolls in .xlsx.
    """

    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    sheet: str = "table"
    title: str = ""
    frozen: str = "A2"
    wide: Mapping[str, int] = field(default_factory=dict)
    place: Callable[[int], str] | None = None
    empty: str = "Nothing to show."
    lang: str = "en"
    """The language of the .xlsx info sheet (``nl`` or ``en``)."""


def write_table(
    table: TableFile, path: Path, *, what: str, formats: Sequence[str] = TABLE_FORMATS,
    bom: bool = False,
) -> None:
    """Write ``table`` to ``path``; its suffix (one of ``formats``) picks the format.

    Raises ExportError for an unknown suffix, a missing folder, text the format cannot
    hold or a failed write; nothing is left behind when writing fails.
    """
    suffix = output_format(path, what, formats)
    if suffix == ".xlsx":
        check_sheet_texts(table, path)
    with atomic_output(path) as temporary:
        if suffix == ".csv":
            encoding = "utf-8-sig" if bom else "utf-8"
            # newline="": the csv module quotes newlines inside a cell, nothing translates them.
            with temporary.open("w", encoding=encoding, newline="") as handle:
                write_csv(handle, table.header, table.rows)
        elif suffix == ".xlsx":
            _write_xlsx(temporary, table)
        else:
            temporary.write_text(markdown_table(table), encoding="utf-8", newline="")


def write_csv(
    handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
    lineterminator: str = "\n",
) -> None:
    """Write a header and rows as CSV to an open text ``handle``, every cell neutralised."""
    writer = csv.writer(handle, lineterminator=lineterminator)
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow(["" if value is None else csv_cell(value) for value in row])


def check_sheet_texts(table: TableFile, path: Path) -> None:
    """Refuse, naming the place, any text a worksheet cannot hold."""
    check_xml_text(table.title, path, "the title")
    for number, name in enumerate(table.header, start=1):
        check_cell_text(name, path, f"the heading of column {number} ({_short(name)})")
    for index, row in enumerate(table.rows):
        place = table.place(index) if table.place else f"row {index + 2}"
        for name, value in zip(table.header, row, strict=False):
            if isinstance(value, str):
                check_cell_text(value, path, f"{place} ({_short(name)})")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _write_xlsx(target: Path, table: TableFile) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None  # a new Workbook always has one sheet
    worksheet.title = sheet_name(table.sheet, [])
    _fill_sheet(worksheet, table)
    worksheet.freeze_panes = table.frozen
    if table.title:
        _add_info_sheet(workbook, table.title, table.lang)
    workbook.save(target)


def _fill_sheet(worksheet: Worksheet, table: TableFile) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for column, name in enumerate(table.header, start=1):
        put_cell(worksheet, 1, column, name).font = bold
    wrapped = Alignment(wrap_text=True, vertical="top")
    wrap = {column for column, name in enumerate(table.header, start=1) if name in table.wide}
    for number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = put_cell(worksheet, number, column, value)
            if column in wrap:
                cell.alignment = wrapped
    for column, name in enumerate(table.header, start=1):
        longest = max((_display_width(row[column - 1]) for row in table.rows
                       if column <= len(row)), default=0)
        limit = table.wide.get(name, 50)
        worksheet.column_dimensions[get_column_letter(column)].width = min(
            max(longest, len(name)) + 2, limit)


def put_cell(worksheet: Worksheet, row: int, column: int, value: Cell) -> Any:
    """Put ``value`` in a cell: text always as text, never as a formula, with Excel's
    quote prefix when it starts like one so that editing the cell keeps it text."""
    cell = worksheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_LOOKALIKES):
            cell.quotePrefix = True
    return cell


def _display_width(value: Cell) -> int:
    if value is None:
        return 0
    return max(len(line) for line in str(value).split("\n"))


def _add_info_sheet(workbook: Workbook, title: str, lang: str = "en") -> None:
    from openpyxl.styles import Font

    from qcode import __version__
    from qcode.exports.language import word

    info = workbook.create_sheet(word(lang, "info_sheet"))
    for row, (name, value) in enumerate(((word(lang, "title"), title),
                                         (word(lang, "exported_by"), f"qcode {__version__}")),
                                        start=1):
        put_cell(info, row, 1, name).font = Font(bold=True)
        put_cell(info, row, 2, value)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = min(len(title) + 2, 100)


def markdown_table(table: TableFile) -> str:
    """The table as a Markdown document: a heading, then a pipe table (numbers
    right-aligned), every cell escaped."""
    lines = [f"# {markdown_line(table.title or table.sheet)}", ""]
    numeric = [
        bool(table.rows) and all(
            isinstance(row[index], int | float) for row in table.rows
            if index < len(row) and row[index] is not None)
        for index in range(len(table.header))
    ]
    lines.append("| " + " | ".join(markdown_cell(name) for name in table.header) + " |")
    lines.append("|" + "|".join("---:" if right else ":---" for right in numeric) + "|")
    for row in table.rows:
        cells = ["" if value is None else str(value) if isinstance(value, int | float)
                 else markdown_cell(value) for value in row]
        lines.append("| " + " | ".join(cells) + " |")
    if not table.rows:
        lines += ["", table.empty]
    return "\n".join(lines) + "\n"


def write_tables(
    tables: Sequence[TableFile], path: Path, *, what: str, title: str = "",
) -> None:
    """Write several tables with one header (one per group: a case, a wave) to ``path``:
    a worksheet each in .xlsx, a section each under one heading in .md. A .csv holds
    one table only; give it one table with a group column instead.
    """
    suffix = output_format(path, what, TABLE_FORMATS)
    if len(tables) == 1 or suffix == ".csv":
        if len(tables) != 1:
            raise ValueError("a .csv file holds one table; pass one with a group column")
        write_table(tables[0], path, what=what)
        return
    if suffix == ".xlsx":
        check_xml_text(title, path, "the title")
        for table in tables:
            check_sheet_texts(table, path)
    with atomic_output(path) as temporary:
        if suffix == ".xlsx":
            from openpyxl import Workbook

            workbook = Workbook()
            first = workbook.active
            assert first is not None  # a new Workbook always has one sheet
            workbook.remove(first)
            for table in tables:
                worksheet = workbook.create_sheet(sheet_name(table.sheet, workbook.sheetnames))
                _fill_sheet(worksheet, table)
                worksheet.freeze_panes = table.frozen
            if title:
                _add_info_sheet(workbook, title, tables[0].lang)
            workbook.save(temporary)
        else:
            parts = [f"# {markdown_line(title or what)}", ""]
            for table in tables:
                section = markdown_table(table).split("\n", 2)[2]
                parts += [f"## {markdown_line(table.sheet)}", "", section]
            temporary.write_text("\n".join(parts), encoding="utf-8", newline="")


def sheet_name(name: str, taken: Sequence[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\ nor a
    character XML cannot hold (a case name is user text), unique."""
    cleaned = "".join(
        "_" if char in "[]:*?/\\" or not char.isprintable() else char for char in name
    ).strip("'") or "sheet"
    candidate, number = cleaned[:31], 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({number})"
        candidate, number = cleaned[:31 - len(suffix)] + suffix, number + 1
    return candidate


def write_rows(
    header: Sequence[str],
    sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]],
    path: Path,
    *,
    what: str,
    title: str = "",
    wide: Mapping[str, int] | None = None,
) -> None:
    """:func:`write_tables` for rows that share one ``header``: ``sheets`` are (name,
    rows) pairs (search hits, coding-query matches, co-occurrences)."""
    tables = [TableFile(header=header, rows=rows, sheet=name, title=title or what,
                        frozen="B2", wide=wide or {})
              for name, rows in sheets] or [TableFile(header=header, rows=[], sheet=what,
                                                      title=title or what)]
    write_tables(tables, path, what=what, title=title)
