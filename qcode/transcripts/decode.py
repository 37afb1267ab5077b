"""Turn a transcript file's bytes into text: UTF-8 first, Windows-1252 as the fallback.

Reasoning about two encodings is enough for transcripts typed in the Netherlands: files
are UTF-8 (with or without the BOM Notepad and Word add) or Windows-1252 from older Word
or Notepad versions. Anything else is refused rather than guessed, because a wrong guess
would silently change the quotes that end up in a report.
"""

from __future__ import annotations

import codecs
import re

from qcode.errors import TranscriptError, located

# C0 control characters other than tab, LF, VT, FF and CR, plus DEL. Text has none or a
# stray one; binary files have many.
_CONTROL_BYTES = bytes([*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F])
_DELETE_CONTROL_CHARS = dict.fromkeys(_CONTROL_BYTES)
# Well-formed multi-byte UTF-8 sequences (2, 3 or 4 bytes).
_UTF8_SEQUENCE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}"
)
_HIGH_BYTE = re.compile(rb"[\x80-\xFF]")

_SAVE_AS_TEXT = "save it as UTF-8 text (.txt) or .docx"


def decode_bytes(raw: bytes, *, source: str) -> tuple[str, list[str]]:
    """Decode a transcript file and normalise its line endings to ``\\n``.

    Returns the text and notes for the user (e.g. that the file was Windows-1252). Raises
    :class:`TranscriptError` for binary input and for bytes that are neither UTF-8 nor
    Windows-1252. An empty file decodes to ``""``; the parsers decide that it is empty.
    """
    notes: list[str] = []
    if raw.startswith(codecs.BOM_UTF8):
        text = _decode_utf8_with_bom(raw, source)
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_utf16(raw, source)
    else:
        _refuse_binary(raw, source)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = _decode_windows_1252(raw, source, exc.start)
            notes.append(
                f"{source}: decoded as Windows-1252 (not UTF-8); save as UTF-8 to silence "
                "this note"
            )
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), notes


def _decode_utf8_with_bom(raw: bytes, source: str) -> str:
    bom = len(codecs.BOM_UTF8)
    _refuse_binary(raw[bom:], source)
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise TranscriptError(
            f"{located(source, _byte_line(raw, offset))}: byte 0x{raw[offset]:02X} at offset "
            f"{offset} is not valid UTF-8, although the file starts with a UTF-8 byte order "
            "mark; retype the character on that line and save the file as UTF-8 again"
        ) from None


def _decode_utf16(raw: bytes, source: str) -> str:
    try:
        text = raw.decode("utf-16")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].decode("utf-16", errors="replace").count("\n") + 1
        raise TranscriptError(
            f"{located(source, line)}: invalid UTF-16 at byte offset {exc.start} "
            f"({exc.reason}); save the file as UTF-8 text (.txt)"
        ) from None
    controls = len(text) - len(text.translate(_DELETE_CONTROL_CHARS))
    if "\x00" in text or controls > 2 + len(text) // 50:
        raise TranscriptError(
            f"{source}: looks like a binary file, not a transcript; {_SAVE_AS_TEXT}"
        )
    return text


def _decode_windows_1252(raw: bytes, source: str, first_bad: int) -> str:
    """Decode ``raw`` (which failed as UTF-8 at ``first_bad``) as Windows-1252."""
    sequences = len(_UTF8_SEQUENCE.findall(raw))
    stray = len(_HIGH_BYTE.findall(raw)) - len(b"".join(_UTF8_SEQUENCE.findall(raw)))
    if sequences > stray:
        # Mostly valid UTF-8 with a few bad bytes: text pasted from another file. Decoding
        # it all as Windows-1252 would garble every other accented letter ("coÃ¶peratie").
        raise TranscriptError(
            f"{located(source, _byte_line(raw, first_bad))}: byte 0x{raw[first_bad]:02X} at "
            f"offset {first_bad} is not valid UTF-8, while the rest of the file is (mixed "
            "encodings); retype the character on that line and save the file as UTF-8"
        )
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            f"{located(source, _byte_line(raw, exc.start))}: cannot decode byte "
            f"0x{raw[exc.start]:02X} at offset {exc.start}: the file is neither UTF-8 nor "
            "Windows-1252; open it in a text editor and save it as UTF-8"
        ) from None


def _refuse_binary(raw: bytes, source: str) -> None:
    """Raise when ``raw`` is clearly not text, naming the kind of file when it is known."""
    if raw.startswith(b"PK\x03\x04"):
        raise TranscriptError(
            f"{source}: looks like a Word .docx (or other zip) file, not a text transcript; "
            "give it the .docx suffix or save it as UTF-8 text (.txt)"
        )
    if raw.startswith(b"%PDF"):
        raise TranscriptError(
            f"{source}: looks like a PDF file, not a transcript; copy the text out of the PDF "
            f"and {_SAVE_AS_TEXT}"
        )
    if raw.startswith(b"\xD0\xCF\x11\xE0"):
        raise TranscriptError(
            f"{source}: looks like an old Word .doc file, not a transcript; open it in Word "
            "and save it as .docx or as UTF-8 text (.txt)"
        )
    half = len(raw) // 2
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    if half >= 2 and max(even, odd) * 2 > half and min(even, odd) * 10 < half:
        # Every other byte NUL, the others not: UTF-16 saved without a byte order mark.
        raise TranscriptError(
            f"{source}: looks like UTF-16 text without a byte order mark; save it as UTF-8 "
            "text (.txt)"
        )
    # A few stray control characters occur in pasted text; a NUL or many of them do not.
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if b"\x00" in raw or controls > 2 + len(raw) // 50:
        raise TranscriptError(
            f"{source}: looks like a binary file, not a transcript; {_SAVE_AS_TEXT}"
        )


def _byte_line(raw: bytes, offset: int) -> int:
    """The 1-based line of byte ``offset``, counting LF, CRLF and lone CR line ends."""
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
