"""Checks an export makes before it writes: text that .xlsx and .docx cannot hold.

Files are written through :func:`qcode.files.atomic_output`, all at once or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from qcode.errors import ExportError
from qcode.models import Quote

# XML 1.0 (and so .xlsx and .docx) cannot hold these characters at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_xml_text(text: str, path: Path, where: str) -> None:
    """Refuse text that an XML-based format (.xlsx, .docx) cannot store.

    Silently dropping characters would make a quote differ from the transcript, so the
    researcher is told which quote it is and pointed to a format that keeps it.
    """
    found = _NOT_XML.search(text)
    if found:
        raise ExportError(
            f"{path}: {where} contains the control character "
            f"U+{ord(found.group()):04X}, which {path.suffix} cannot hold; "
            "remove it from the transcript or export to .csv"
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
        where = f"the quote from {quote.transcript} segment {quote.segment} ({quote.code})"
        for text in (quote.text, quote.memo, quote.label, quote.code, quote.coder,
                     quote.transcript, quote.respondent, quote.case, quote.role):
            check_xml_text(text, path, where)
