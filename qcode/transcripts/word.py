"""Word (.docx) transcripts: paragraphs become lines of the text format.

A Word transcript usually has one paragraph per turn and no empty paragraph between turns,
so paragraphs are joined with ``\\n``: a paragraph without a speaker label continues the
previous turn, and an empty paragraph acts as a blank line. In a file without speaker
labels every Word paragraph is a segment of its own.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from qcode.errors import TranscriptError
from qcode.transcripts.speakers import looks_like_label

# python-docx unpacks whole parts into memory, so a zip bomb (a few MB that unpack to
# gigabytes) would exhaust it. A long transcript with pictures unpacks to a few tens of MB.
MAX_UNPACKED_BYTES = 200_000_000


def read_docx(path: Path, *, source: str) -> tuple[str, frozenset[int]]:
    """Return the document's text and the 0-based line indices where Word paragraphs start.

    Body paragraphs and tables are read in document order. A table row with two filled
    cells of which the first looks like a speaker label (``I`` | ``Wat is uw functie?``)
    becomes the line ``I: Wat is uw functie?``; other rows contribute each cell's
    paragraphs as lines.
    """
    document = _open(path, source)
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    starts: set[int] = set()

    def add(paragraph_text: str) -> None:
        starts.add(len(lines))
        # Soft line breaks come out as "\n"; a stray "\r" would break the line numbering.
        lines.extend(paragraph_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            add(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                for row_text in _row_lines(row):
                    add(row_text)
    return "\n".join(lines), frozenset(starts)


def _open(path: Path, source: str) -> Any:
    """Open the document, turning every way a file can fail to be .docx into one error."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise TranscriptError(
            f"{source}: cannot read the file ({exc.strerror or exc}); check the path and "
            "its permissions"
        ) from None
    if head.startswith(b"\xD0\xCF\x11\xE0"):
        reason = "an old Word .doc file or a password-protected document"
    elif not zipfile.is_zipfile(path):
        reason = "the file is not a zip archive, as every .docx is"
    elif (unpacked := _unpacked_size(path)) > MAX_UNPACKED_BYTES:
        reason = (
            f"it would unpack to {unpacked / 1e6:,.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES / 1e6:,.0f} MB any transcript needs"
        )
    else:
        import docx

        try:
            return docx.Document(str(path))
        # python-docx fails on damaged packages with many exception types (KeyError,
        # ValueError, lxml and zip errors); to the user they all mean the same thing.
        except Exception as exc:
            detail = " ".join(str(exc).split())[:120] or type(exc).__name__
            reason = f"cannot read its Word content: {detail}"
    raise TranscriptError(
        f"{source}: not a valid .docx file ({reason}); open it in Word and save as .docx again"
    )


def _unpacked_size(path: Path) -> int:
    """The total size the members declare; zipfile never unpacks a member past it."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # python-docx reports the damage below


def _row_lines(row: Any) -> list[str]:
    """The lines one table row contributes (see :func:`read_docx`)."""
    cells: list[Any] = []
    for cell in row.cells:
        # A merged cell is returned once for every grid column it spans.
        if not cells or cell._tc is not cells[-1]._tc:
            cells.append(cell)
    texts = [cell.text.strip() for cell in cells]
    filled = [text for text in texts if text]
    if len(filled) == 2 and "\n" not in filled[0] and looks_like_label(filled[0]):
        return [f"{filled[0]}: {filled[1]}"]
    return [paragraph.text for cell in cells for paragraph in cell.paragraphs]
