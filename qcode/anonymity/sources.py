"""Transcript files as the anonymity check reads them: passages of text to scan, each
position traced back to the file's own line and column, and a masked copy that differs
from the original only where an identifier was.

Text files (.txt, .md, .vtt, .srt) are decoded with :func:`qcode.transcripts.decode_bytes`,
so they are accepted or refused exactly as ``qcode import`` would; the whole file is one
passage (front matter and timing lines included) and its lines are the file's lines. A
.docx file is a passage per paragraph, numbered in document order.
"""

from __future__ import annotations

import bisect
import codecs
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from qcode.anonymity.findings import AnonymityError, Span, placeholder
from qcode.errors import TranscriptError

_LINE_END = re.compile(r"\r\n|\r|\n")


class TranscriptText(Protocol):
    source: str
    passages: list[str]

    def locate(self, passage: int, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset`` in ``passages[passage]``."""
        ...

    def masked(self, spans: Mapping[int, Sequence[Span]]) -> bytes:
        """The file's bytes with every span (by passage) replaced by its placeholder."""
        ...


def read_transcript(path: Path) -> TranscriptText:
    """Read a transcript file for the anonymity check; refused as ``qcode import`` would."""
    from qcode.transcripts import SUPPORTED_SUFFIXES

    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise TranscriptError(
            f"{source}: cannot read '{suffix or 'no suffix'}' files as transcripts; check "
            f"one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if suffix == ".docx":
        return WordTranscript(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(
            f"{source}: cannot read the file ({exc.strerror or exc}); check the path and "
            "its permissions"
        ) from None
    return PlainTranscript(source, raw)


class PlainTranscript:
    """A text file: one passage, the decoded text with its line ends made ``\\n``."""

    def __init__(self, source: str, raw: bytes) -> None:
        from qcode.transcripts import decode_bytes

        self.source = source
        self.raw = raw
        text, _notes = decode_bytes(raw, source=source)
        self.passages = [text]
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def locate(self, passage: int, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def masked(self, spans: Mapping[int, Sequence[Span]]) -> bytes:
        original, codec, prefix = self._original()
        starts = [0] + [m.end() for m in _LINE_END.finditer(original)]
        if len(starts) != len(self._line_starts):
            raise AnonymityError(f"{self.source}: cannot map the findings back to the file")
        pieces = [self.raw[:prefix]]
        at_byte, at_char = prefix, 0
        for span in sorted(spans.get(0, ()), key=lambda s: s.start):
            start, end = self._original_offset(span.start, starts), \
                self._original_offset(span.end, starts)
            kept = len(original[at_char:start].encode(codec))
            pieces.append(self.raw[at_byte:at_byte + kept])
            pieces.append(placeholder(span.kind).encode(codec))
            at_byte += kept + len(original[start:end].encode(codec))
            at_char = end
        pieces.append(self.raw[at_byte:])
        return b"".join(pieces)

    def _original_offset(self, offset: int, original_starts: list[int]) -> int:
        line, column = self.locate(0, offset)
        return original_starts[line - 1] + column - 1

    def _original(self) -> tuple[str, str, int]:
        """The text with its own line ends, its codec and the length of its byte order
        mark; decode_bytes already refused anything this cannot decode."""
        raw = self.raw
        if raw.startswith(codecs.BOM_UTF8):
            codec, prefix = "utf-8", len(codecs.BOM_UTF8)
        elif raw.startswith(codecs.BOM_UTF16_LE):
            codec, prefix = "utf-16-le", 2
        elif raw.startswith(codecs.BOM_UTF16_BE):
            codec, prefix = "utf-16-be", 2
        else:
            codec, prefix = "utf-8", 0
        try:
            original = raw[prefix:].decode(codec)
        except UnicodeDecodeError:
            codec, original = "cp1252", raw.decode("cp1252")
        if original.startswith("\ufeff") and not self.passages[0].startswith("\ufeff"):
            # A second byte order mark, which decode_bytes drops as well.
            original = original[1:]
            prefix += len("\ufeff".encode(codec))
        return original, codec, prefix


class WordTranscript:
    """A .docx file: a passage per paragraph (body and table cells, in document order),
    built from the text of its runs so that a masked copy can change exactly those."""

    def __init__(self, path: Path) -> None:
        from qcode.transcripts.word import _open

        self.source = str(path)
        self.path = path
        self.document = _open(path, self.source)
        self._pieces: list[list[tuple[Any, int]]] = []
        self.passages = []
        for paragraph in _paragraphs(self.document):
            text, pieces = _paragraph_text(paragraph._p)
            self.passages.append(text)
            self._pieces.append(pieces)

    def locate(self, passage: int, offset: int) -> tuple[int, int]:
        return passage + 1, offset + 1

    def masked(self, spans: Mapping[int, Sequence[Span]]) -> bytes:
        from lxml import etree

        for passage, passage_spans in spans.items():
            _mask_runs(self._pieces[passage], passage_spans)
        part = self.document.part
        member = str(part.partname).lstrip("/")
        xml = etree.tostring(part.element, xml_declaration=True, encoding="UTF-8",
                             standalone=True)
        output = io.BytesIO()
        # Every other member of the package is copied byte for byte.
        with zipfile.ZipFile(self.path) as source, zipfile.ZipFile(output, "w") as target:
            for info in source.infolist():
                target.writestr(info, xml if info.filename == member else source.read(info))
        return output.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _paragraphs(document: Any) -> list[Any]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    found: list[Any] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            found.append(block)
        elif isinstance(block, Table):
            for row in block.rows:
                previous = None
                for cell in row.cells:
                    # A merged cell is returned once for every grid column it spans.
                    if previous is not None and cell._tc is previous:
                        continue
                    previous = cell._tc
                    found.extend(cell.paragraphs)
    return found


def _paragraph_text(p: Any) -> tuple[str, list[tuple[Any, int]]]:
    """The paragraph's text as Word shows it, and each ``w:t`` element with its offset."""
    parts: list[str] = []
    pieces: list[tuple[Any, int]] = []
    length = 0
    for element in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if element.tag == f"{_W}t":
            text = element.text or ""
            pieces.append((element, length))
        else:
            text = "\t" if element.tag == f"{_W}tab" else "\n"
        parts.append(text)
        length += len(text)
    return "".join(parts), pieces


def _mask_runs(pieces: list[tuple[Any, int]], spans: Sequence[Span]) -> None:
    """Replace each span's characters in the ``w:t`` elements: the placeholder goes where
    the span's first character is, the rest of the span (maybe in later runs) is removed,
    and the runs keep their formatting."""
    placed: set[int] = set()
    for element, offset in pieces:
        text = element.text or ""
        kept: list[str] = []
        for index, char in enumerate(text):
            position = offset + index
            covering = next((s for s in spans if s.start <= position < s.end), None)
            if covering is None:
                kept.append(char)
            elif id(covering) not in placed:
                placed.add(id(covering))
                kept.append(placeholder(covering.kind))
        new = "".join(kept)
        if new != text:
            element.text = new
            if new != new.strip():
                element.set(_XML_SPACE, "preserve")
