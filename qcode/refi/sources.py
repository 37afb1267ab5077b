"""REFI-QDA text sources as qcode transcripts, and selections as codings of segments.

A REFI-QDA selection is a character range in a source's plain text; a qcode coding belongs
to one segment (a speaker turn or a paragraph), optionally with a span inside it. A source
becomes a transcript in one of two ways:

- written by qcode: ``qcode.json`` records where every segment's text starts in the
  exported text, with its speaker, interviewer flag and times, so the segments come back
  exactly as they were;
- from another program: the text is parsed like a ``.txt`` transcript (speaker turns when
  it has ``Label:`` lines, else one segment per paragraph), and each segment is found in
  the text, in order, to know its range.

A selection is then mapped onto every segment it overlaps, clipped to that segment's text:
covering all of the text it is a coding of the whole segment, else a coding of the span. A
selection across three turns becomes three codings; one that covers only a speaker label or
the blank lines between segments codes nothing and is reported.
"""

from __future__ import annotations

import bisect
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

from qcode.models import Segment, Transcript
from qcode.refi.archive import QdpxArchive
from qcode.refi.xml import RefiError, child


@dataclass(frozen=True)
class PlacedSegment:
    """A segment and where its text lies in the source text: ``[start, end)``."""

    segment: Segment
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.segment.text)


@dataclass(frozen=True)
class SegmentRange:
    """The part of one segment a selection covers; ``span`` is None for all of it."""

    segment: Segment
    span: tuple[int, int] | None


class SourceText:
    """A source's decoded text, with line endings made ``\\n``, and the map from the
    positions in the file as written (which may count ``\\r``) to positions in it."""

    def __init__(self, original: str) -> None:
        original = original.removeprefix("\ufeff")
        # Positions of the "\r" of each "\r\n": each one removed shifts later positions.
        self._removed = [i for i, ch in enumerate(original)
                         if ch == "\r" and original[i + 1:i + 2] == "\n"]
        self.text = original.replace("\r\n", "\n").replace("\r", "\n")

    def position(self, raw: int) -> int:
        """A position in the file's text -> the position in :attr:`text`."""
        return max(0, min(raw - bisect.bisect_left(self._removed, raw), len(self.text)))


def decode_source(raw: bytes, *, source: str) -> tuple[SourceText, list[str]]:
    """Decode a source's bytes as transcript files are (UTF-8, else Windows-1252)."""
    from qcode.errors import TranscriptError
    from qcode.transcripts.decode import decode_bytes

    try:
        normalised, notes = decode_bytes(raw, source=source)
    except TranscriptError as exc:
        raise RefiError(str(exc)) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            decoded = SourceText(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
        if decoded.text == normalised:
            return decoded, notes
    # UTF-16 and the like: positions are taken as they are.
    return SourceText(normalised), notes


def segments_from_layout(
    text: str, layout: Sequence[Sequence[Any]], *, source: str
) -> list[PlacedSegment]:
    """Segments from qcode's own layout (``[number, speaker, interviewer, start, length,
    start_time, end_time]`` each), checked against the text; RefiError when it does not fit."""
    placed: list[PlacedSegment] = []
    previous_end = 0
    for entry in layout:
        try:
            number, speaker, interviewer, start, length, start_time, end_time = entry
            valid = (isinstance(number, int) and isinstance(start, int)
                     and isinstance(length, int) and isinstance(speaker, str)
                     and all(t is None or isinstance(t, str) for t in (start_time, end_time))
                     and start >= previous_end and start + length <= len(text)
                     and number == len(placed) + 1)
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise RefiError(f"{source}: the qcode segment layout does not fit the text")
        placed.append(PlacedSegment(
            Segment(number=number, speaker=speaker, text=text[start:start + length],
                    interviewer=bool(interviewer), start_time=start_time, end_time=end_time),
            start,
        ))
        previous_end = start + length
    if not placed:
        raise RefiError(f"{source}: the qcode segment layout is empty")
    return placed


def place_segments(text: str, transcript: Transcript) -> list[PlacedSegment]:
    """Find each segment of ``transcript`` (parsed from ``text``) in ``text``, in order.

    Segment texts are exact slices of the text they were parsed from, so searching from
    the end of the previous one finds each in its place.
    """
    placed: list[PlacedSegment] = []
    cursor = 0
    for segment in transcript.segments:
        found = text.find(segment.text, cursor)
        if found < 0:  # pragma: no cover - the parser only ever slices the text
            raise RefiError(f"{transcript.source}: cannot place segment {segment.number}")
        placed.append(PlacedSegment(segment, found))
        cursor = found + len(segment.text)
    return placed


class Layout:
    """The placed segments of one source in text order, indexed by where they end, so a
    selection finds its segments by binary search: importing is linear in selections and
    segments, not their product."""

    def __init__(self, placed: Sequence[PlacedSegment]) -> None:
        self.placed = tuple(placed)
        # Segments never overlap and come in text order, so their ends never decrease.
        self.ends = [item.end for item in self.placed]


def map_selection(
    placed: Layout | Sequence[PlacedSegment], start: int, end: int
) -> list[SegmentRange]:
    """The segments the range ``[start, end)`` of the source text touches, clipped to
    each segment's text."""
    layout = placed if isinstance(placed, Layout) else Layout(placed)
    ranges: list[SegmentRange] = []
    if end < start:
        start, end = end, start
    if start == end:
        # An empty selection codes only an empty segment that sits exactly there.
        for index in range(bisect.bisect_left(layout.ends, start), len(layout.placed)):
            item = layout.placed[index]
            if item.start > start:
                break
            if item.start == item.end == start:
                ranges.append(SegmentRange(item.segment, None))
        return ranges
    for index in range(bisect.bisect_right(layout.ends, start), len(layout.placed)):
        item = layout.placed[index]
        if item.start >= end:
            break
        low, high = max(start, item.start), min(end, item.end)
        if low >= high:
            continue
        if low == item.start and high == item.end:
            ranges.append(SegmentRange(item.segment, None))
        else:
            ranges.append(SegmentRange(item.segment, (low - item.start, high - item.start)))
    return ranges


def archive_member(archive: QdpxArchive, path: str) -> str | None:
    """The archive member a source path names: ``internal://x.txt`` (the standard),
    ``x.txt`` (qc) or ``sources/x.txt``."""
    relative = path.split("://", 1)[1] if "://" in path else path
    relative = relative.replace("\\", "/").lstrip("/")
    for candidate in (f"sources/{relative}", relative,
                      f"sources/{PurePosixPath(relative).name}"):
        found = archive.find(candidate)
        if found is not None:
            return found
    return None


def read_source_text(
    archive: QdpxArchive, element: Element, where: str, notes: list[str]
) -> SourceText:
    """The plain text of a ``TextSource``: inline, its ``.txt``, or, when that is (nearly)
    empty as NVivo writes it, the text of its ``.docx`` twin."""
    inline = child(element, "PlainTextContent")
    if inline is not None:
        return SourceText(inline.text or "")
    plain = element.get("plainTextPath")
    member = archive_member(archive, plain) if plain else None
    text = None
    if member is not None:
        text, decode_notes = decode_source(archive.read(member), source=where)
        notes.extend(decode_notes)
        if text.text.strip():
            return text
    rich = element.get("richTextPath") or ""
    rich_member = archive_member(archive, rich) if rich.lower().endswith(".docx") else None
    if rich_member is not None:
        return _docx_text(archive, rich_member, where)
    if text is None:
        raise RefiError(
            f"{where}: its text '{plain or rich or '(none)'}' is not in the archive; "
            "export the project again with its sources included"
        )
    return text


def _docx_text(archive: QdpxArchive, member: str, where: str) -> SourceText:
    from qcode.errors import TranscriptError
    from qcode.transcripts.word import read_docx

    # python-docx reads files; the member goes to a private temporary folder, nowhere else.
    with tempfile.TemporaryDirectory(prefix="qcode-refi-") as folder:
        path = Path(folder) / "source.docx"
        path.write_bytes(archive.read(member))
        try:
            text, _ = read_docx(path, source=f"{where} ({member})")
        except TranscriptError as exc:
            raise RefiError(str(exc)) from None
    return SourceText(text)
