"""Code matrices and quote lists as tables: .csv, .xlsx and .md.

The exporters only format what analysis hands them; they never read the project. The
files themselves are written by the one table writer, :mod:`qcode.exports.table`, which
also makes the text in them inert for the format.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcode.exports.language import heading, word
from qcode.exports.quote_groups import code_label
from qcode.exports.table import Cell, TableFile, write_table
from qcode.files import atomic_output, output_format
from qcode.models import Quote

if TYPE_CHECKING:
    import pandas as pd

MATRIX_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md")
QUOTE_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md", ".docx", ".html")
QUOTE_COLUMNS: tuple[str, ...] = (
    "transcript", "respondent", "case", "role", "segment", "code", "label",
    "coder", "provenance", "memo", "start", "end", "text",
)


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
    header, rows = matrix_rows(matrix)
    if not title and path.suffix.lower() == ".md":
        title = word(lang, "code_matrix")
    table = TableFile(header, rows, sheet=word(lang, "matrix_sheet"), title=title, frozen="C2",
                      empty="No codes in this matrix.", lang=lang)
    write_table(table, path, what="matrix", formats=MATRIX_FORMATS, bom=bom)


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
    if suffix in (".csv", ".xlsx"):
        rows = _quote_rows(quotes, labels)
        # Column names for people in .xlsx; .csv keeps the names scripts and
        # 'qcode codings import' know.
        header = ([heading(column, lang) for column in QUOTE_COLUMNS] if suffix == ".xlsx"
                  else list(QUOTE_COLUMNS))
        table = TableFile(header, rows, sheet=word(lang, "quotes_sheet"), title=title,
                          frozen="A2", wide={heading("text", lang): 80, "memo": 40}, lang=lang,
                          place=lambda index: f"transcript {quotes[index].transcript} "
                          f"segment {quotes[index].segment}")
        write_table(table, path, what="quotes", formats=QUOTE_FORMATS, bom=bom)
        return
    with atomic_output(path) as temporary:
        if suffix == ".md":
            from qcode.exports.quotes_md import write_quotes_md

            write_quotes_md(quotes, temporary, title=title, labels=labels, lang=lang)
        elif suffix == ".docx":
            from qcode.exports.quotes_docx import write_quotes_docx

            write_quotes_docx(quotes, temporary, path, title=title, labels=labels, lang=lang)
        else:
            from qcode.exports.quotes_html import write_quotes_html

            write_quotes_html(quotes, temporary, title=title, labels=labels, lang=lang)


def matrix_rows(matrix: pd.DataFrame) -> tuple[list[str], list[list[Cell]]]:
    """The header (``code``, ``label``, one column per group) and rows of a matrix frame,
    as plain Python values: what every matrix file and download holds."""
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
