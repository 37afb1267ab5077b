"""Making text qcode did not write inert where it lands.

Transcripts, memos, case and coder names come from people and other programs. The stored
text stays byte-exact; what changes is how it is written out:

- :func:`csv_cell` / :func:`csv_cell_read`: a cell that a spreadsheet would run as a
  formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, following the
  OWASP guidance on CSV injection) gets a leading apostrophe, and reading qcode's own CSV
  takes exactly that apostrophe off again, so the round trip is lossless;
- :func:`terminal_text`: control characters (ESC, BEL, ...) and invisible direction
  overrides are shown as visible symbols instead of being obeyed by the terminal;
- :func:`markdown_text`: Markdown and HTML syntax is escaped so it shows as written.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# An apostrophe run before a formula start: written with one more, read with one fewer.
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")

# C0 controls except newline and tab, DEL, C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Characters that reorder or hide text: bidi embeddings, overrides and isolates.
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")


def csv_cell(value: object) -> object:
    """``value`` as a spreadsheet-safe CSV cell: numbers stay numbers, text that would
    start a formula gets one leading apostrophe (see :func:`csv_cell_read`)."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    if _ESCAPED.match(value):
        return "'" + value
    return value


def csv_cell_read(value: str) -> str:
    """Undo :func:`csv_cell` on a cell read back from a CSV file qcode wrote."""
    if _ESCAPED.match(value):
        return value[1:]
    return value


def terminal_text(text: str) -> str:
    """``text`` with control characters shown as symbols a terminal prints instead of
    obeying: C0 controls as Unicode control pictures (ESC as ␛), others as ``<U+XXXX>``.
    Newlines and tabs are kept."""
    text = _CONTROL.sub(_picture, text)
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def markdown_text(text: str) -> str:
    """``text`` with Markdown and HTML syntax escaped, so it reads as written; line breaks
    become Markdown hard breaks inside the paragraph."""
    escaped = _MARKDOWN.sub(r"\\\1", terminal_text(text))
    return escaped.replace("\n", "  \n")
