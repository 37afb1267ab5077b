"""Quotes as a Word document (python-docx): a heading per code, each quote in the
"Quote" style followed by who said it, where, and who coded it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.exports.language import word
from qcode.exports.output import check_quote_texts
from qcode.exports.quote_groups import attribution, group_by_code
from qcode.models import Quote

if TYPE_CHECKING:
    from docx.document import Document


def write_quotes_docx(
    quotes: Sequence[Quote],
    target: Path,
    path: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
) -> None:
    """Write ``quotes`` grouped by code to ``target``, its frame in ``lang``; ``path`` names
    the file in errors."""
    import docx
    from docx.shared import Pt

    check_quote_texts(quotes, path, title=title, labels=labels)
    document = docx.Document()
    _mark_dutch(document)
    heading = title or word(lang, "quotes")
    document.core_properties.title = heading
    document.add_heading(heading, level=0)
    groups = group_by_code(quotes, labels)
    if not groups:
        document.add_paragraph(word(lang, "no_quotes"))
    for group in groups:
        document.add_heading(group.heading, level=1)
        for quote in group.quotes:
            # python-docx turns the quote's own newlines into line breaks within the paragraph.
            document.add_paragraph(quote.text, style="Quote")
            line = document.add_paragraph()
            line.paragraph_format.space_after = Pt(12 if not quote.memo else 2)
            credit = line.add_run(attribution(quote, lang))
            credit.font.size = Pt(9)
            if quote.memo:
                memo = document.add_paragraph()
                memo.paragraph_format.space_after = Pt(12)
                label = memo.add_run(f"{word(lang, 'memo')}: ")
                label.bold = True
                label.font.size = Pt(9)
                memo.add_run(quote.memo).font.size = Pt(9)
    document.save(str(target))


def _mark_dutch(document: Document) -> None:
    """Tag the text as Dutch so Word spell-checks and hyphenates it as Dutch."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    properties = document.styles["Normal"].element.get_or_add_rPr()
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), "nl-NL")
