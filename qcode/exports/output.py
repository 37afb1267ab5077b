"""Checks an export makes before it writes: text that .xlsx and .docx cannot hold.

Files are written through :func:`qcode.files.atomic_output`, all at once or not at all.
Every writer words the refusal the same way: the file, where the text is (the transcript
and segment, and which field), the character or the length, and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from qcode.errors import ExportError
from qcode.models import Quote

# XML 1.0 (and so .xlsx and .docx) cannot hold these at all: C0 controls other than tab,
# newline and carriage return, lone surrogates, and the noncharacters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XLSX_CELL_LIMIT = 32_767
"""The most characters one worksheet cell holds; Excel cuts longer text silently."""


def check_xml_text(text: str, path: Path, where: str) -> None:
    """Refuse text that an XML-based format (.xlsx, .docx) cannot store.

    Silently dropping characters would make a quote differ from the transcript, so the
    researcher is told which text it is and pointed to a format that keeps it.
    """
    found = _NOT_XML.search(text)
    if found:
        code = ord(found.group())
        what = "control character" if code < 0x20 else "character"
        raise ExportError(
            f"{path}: {where} contains the {what} U+{code:04X}, which {path.suffix} cannot "
            "hold; remove it there, or export to .csv"
        )


def check_cell_text(text: str, path: Path, where: str) -> None:
    """Refuse text a worksheet cell cannot hold: characters XML cannot store (see
    :func:`check_xml_text`) or more than :data:`XLSX_CELL_LIMIT` characters, which a
    spreadsheet would cut off without a word."""
    check_xml_text(text, path, where)
    if len(text) > XLSX_CELL_LIMIT:
        raise ExportError(
            f"{path}: {where} is {len(text):,} characters long, more than a worksheet cell "
            f"holds ({XLSX_CELL_LIMIT:,}); export to .csv, which keeps all of it"
        )


def quote_place(quote: Quote, field: str) -> str:
    """How messages name one field of a quote: ``transcript r03 segment 12 (memo)``."""
    return f"transcript {quote.transcript} segment {quote.segment} ({field})"


QUOTE_FIELDS: tuple[str, ...] = (
    "text", "memo", "label", "code", "coder", "transcript", "respondent", "case", "role",
)


def check_quote_texts(
    quotes: Sequence[Quote],
    path: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> None:
    """Name the quote an XML-based format cannot store, before anything is written."""
    check_xml_text(title, path, "the title")
    for code, label in (labels or {}).items():
        check_xml_text(f"{code} {label}", path, f"the label of code {code}")
    for quote in quotes:
        for field in QUOTE_FIELDS:
            check_xml_text(getattr(quote, field), path, quote_place(quote, field))
