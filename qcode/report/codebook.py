"""The printable codebook (``qcode codebook export``): the project's codebook, optionally
with codings per code and each code's most typical quotes, chosen as the replication
report chooses them (see :mod:`qcode.report.quotes`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from qcode.errors import ExportError
from qcode.exports.codebook_doc import LANGUAGES, CodebookDocument, CodebookQuote
from qcode.exports.codebook_files import CODEBOOK_FORMATS, write_codebook_document
from qcode.files import output_format
from qcode.models import within
from qcode.report.quotes import collect_report_quotes
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import transcript_attributes

__all__ = ["CODEBOOK_FORMATS", "LANGUAGES", "gather_codebook", "write_codebook"]


def gather_codebook(
    project: Project, *, counts: bool = False, quotes: int = 0, coders: Sequence[str] = (),
) -> CodebookDocument:
    """The project's codebook as a document; ``counts`` adds codings per code (by
    ``coders``, default everyone), ``quotes`` the N most typical quotes of each code."""
    if quotes < 0:
        raise ExportError(f"--quotes {quotes}: give the number of quotes per code, 0 or more")
    codebook = require_codebook(project)
    codings_store.require_coders(project, coders)
    own: dict[str, int] | None = None
    totals: dict[str, int] = {}
    if counts:
        own = {}
        for coding in codings_store.select(project, coders=coders):
            own[coding.code] = own.get(coding.code, 0) + 1
        totals = {code.id: sum(n for c, n in own.items() if within(c, code.id))
                  for code in codebook.codes}
    chosen: dict[str, list[CodebookQuote]] = {}
    if quotes:
        attributes = transcript_attributes(project)
        for group in collect_report_quotes(project, codebook, attributes, coders=coders):
            chosen[group.code] = [
                CodebookQuote(text=q.text, respondent=q.respondent, case=q.case,
                              transcript=q.transcript, segment=q.segment)
                for q in group.quotes[:quotes]
            ]
    return CodebookDocument(codebook=codebook, version=codebook.version,
                            made_on=date.today().isoformat(), counts=own, totals=totals,
                            quotes=chosen, quotes_wanted=quotes)


def write_codebook(
    project: Project, path: Path, *, lang: str = "nl", counts: bool = False, quotes: int = 0,
    coders: Sequence[str] = (),
) -> CodebookDocument:
    """Write the printable codebook to ``path`` (.docx, .html or .md); nothing is written
    when anything is wrong."""
    output_format(path, "codebook", CODEBOOK_FORMATS)
    if lang not in LANGUAGES:
        raise ExportError(f"--lang {lang}: the codebook is written in {' or '.join(LANGUAGES)}")
    document = gather_codebook(project, counts=counts, quotes=quotes, coders=coders)
    write_codebook_document(document, path, lang=lang)
    return document
