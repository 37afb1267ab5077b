"""The printable codebook as a Word document: Word's own heading styles (Heading 1 for a
top-level code, Heading 2 for its sub-codes, ...), so the navigation pane shows the tree
and a table of contents can be generated; a TOC field at the top builds one when Word
updates it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qcode.exports.codebook_doc import (
    COLOUR,
    WORDS,
    CodebookDocument,
    credit,
    fields,
    heading,
    no_quotes,
    paragraphs,
    subtitle,
    title,
)
from qcode.exports.quotes_docx import _mark_dutch
from qcode.neutralise import terminal_text

if TYPE_CHECKING:
    from docx.document import Document

MAX_HEADING = 9


def _safe(text: str) -> str:
    """Text Word's XML can hold: control characters become visible symbols."""
    return terminal_text(text)


def write_codebook_docx(document: CodebookDocument, target: Path, lang: str) -> None:
    import docx
    from docx.shared import Pt, RGBColor

    w = WORDS[lang]
    codebook = document.codebook
    word = docx.Document()
    if lang == "nl":
        _mark_dutch(word)
    word.core_properties.title = _safe(title(document, lang))[:255]
    word.core_properties.subject = _safe(subtitle(document, lang))[:255]
    word.add_heading(_safe(title(document, lang)), level=0)
    word.add_paragraph(subtitle(document, lang)).runs[0].italic = True
    if codebook.description:
        word.add_paragraph(_safe(codebook.description))
    word.add_paragraph(w["intro"])
    _table_of_contents(word, w["toc_hint"])
    if not codebook.codes:
        word.add_paragraph(w["no_codes"])
    for code in codebook.codes:
        word.add_heading(_safe(heading(code)), level=min(code.depth + 1, MAX_HEADING))
        for name, value in fields(document, code, lang):
            line = word.add_paragraph()
            line.paragraph_format.space_after = Pt(0)
            line.add_run(f"{name}: ").bold = True
            run = line.add_run(_safe(value))
            if name == w["colour"] and COLOUR.match(value):
                swatch = line.add_run(" ■")
                swatch.font.color.rgb = RGBColor.from_string(value[1:].upper())
                run.font.name = "Consolas"
        for name, text in paragraphs(code, lang):
            block = word.add_paragraph()
            block.paragraph_format.space_before = Pt(6)
            block.add_run(f"{name}. ").bold = True
            block.add_run(_safe(text))
        if code.examples:
            word.add_paragraph().add_run(f"{w['examples']}:").bold = True
            for example in code.examples:
                word.add_paragraph(_safe(example), style="List Bullet")
        if document.quotes_wanted:
            word.add_paragraph().add_run(f"{w['quotes']}:").bold = True
            found = document.quotes.get(code.id, ())
            if not found:
                word.add_paragraph().add_run(no_quotes(document, code, lang)).italic = True
            for quote in found:
                word.add_paragraph(_safe(quote.text), style="Quote")
                source = word.add_paragraph()
                source.add_run(_safe(credit(quote, lang))).font.size = Pt(9)
    word.save(str(target))


def _table_of_contents(word: Document, hint: str) -> None:
    """A TOC field over the heading levels 1-3: Word fills it in on 'Update Field'."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    paragraph = word.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), 'TOC \\o "1-3" \\h \\z \\u')
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = hint
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
