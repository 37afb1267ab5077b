"""Write a :class:`~qcode.exports.codebook_doc.CodebookDocument` as the file name asks:
.docx, .html or .md, through the one atomic writer."""

from __future__ import annotations

from pathlib import Path

from qcode.errors import ExportError
from qcode.exports.codebook_doc import LANGUAGES, CodebookDocument, codebook_markdown
from qcode.files import atomic_output, output_format

CODEBOOK_FORMATS: tuple[str, ...] = (".docx", ".html", ".htm", ".md")


def write_codebook_document(document: CodebookDocument, path: Path, *, lang: str = "nl") -> None:
    """Write ``document`` to ``path`` (.docx, .html or .md) in ``lang``, all or nothing."""
    suffix = output_format(path, "codebook", CODEBOOK_FORMATS)
    if lang not in LANGUAGES:
        raise ExportError(f"--lang {lang}: the codebook is written in {' or '.join(LANGUAGES)}")
    with atomic_output(path) as temporary:
        if suffix == ".docx":
            from qcode.exports.codebook_docx import write_codebook_docx

            write_codebook_docx(document, temporary, lang)
        elif suffix in (".html", ".htm"):
            from qcode.exports.codebook_html import codebook_html

            temporary.write_text(codebook_html(document, lang), encoding="utf-8", newline="")
        else:
            temporary.write_text(codebook_markdown(document, lang), encoding="utf-8",
                                 newline="")
