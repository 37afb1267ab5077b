"""Making text qcode did not write inert where it lands.

Transcripts, memos, case and coder names come from people and other programs. The stored
text stays byte-exact; what changes is how it is written out:

- :func:`csv_cell` / :func:`csv_cell_read`: a cell that a spreadsheet would run as a
  formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, following the
  OWASP guidance on CSV injection) gets a leading apostrophe, and reading qcode's own CSV
  takes exactly that apostrophe off again, so the round trip is lossless;
- :func:`terminal_text`: control characters (ESC, BEL, ...) and invisible direction
  overrides are shown as visible symbols instead of being obeyed by the terminal, one
  character for one, so positions in the text (a span, a highlight) stay where they were;
  :func:`message_text` does the same for a one-line message and shows the bytes of a
  file name that is not UTF-8 as ``\\x82``;
- :func:`markdown_text`, :func:`markdown_line` and :func:`markdown_cell`: Markdown, HTML
  and math syntax is escaped so it shows as written.

Rich markup is not handled here (the library never imports Rich): the CLI hands user text
to Rich as ``Text`` objects, never as markup.
"""

from __future__ import annotations

import re
from itertools import pairwise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# An apostrophe run before a formula start: written with one more, read with one fewer.
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")

# C0 controls except newline and tab, DEL, C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
# Characters that reorder, hide or break text on a terminal: bidi marks, embeddings,
# overrides and isolates, the Unicode line and paragraph separators, noncharacters and
# lone surrogates (which cannot even be written out as UTF-8).
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
                        "\ufffe\uffff\ud800-\udfff]")
# A byte of a file name or argument that is not UTF-8, as Python decodes it
# ("surrogateescape"): U+DC80 to U+DCFF stand for the bytes 0x80 to 0xFF.
_UNDECODED = re.compile("[\udc80-\udcff]")
SHOWN_INSTEAD = "\ufffd"
"""What :func:`terminal_text` shows for a character without a control picture."""

# Characters that start inline Markdown (and GitHub's math and strike-through) syntax
# anywhere in a line, or an HTML tag or entity.
_MARKDOWN_INLINE = re.compile(r"([\\`*\[\]<>|~$&])")
# An underscore is emphasis only at the edge of a word: inside one (code ids such as
# trust.information_sharing) it is left as it is.
_MARKDOWN_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Text at the start of a line that Markdown would read as a heading, quote, list or rule.
_MARKDOWN_BLOCK = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")


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
    obeying: C0 controls as Unicode control pictures (ESC as ␛, CR as ␍), DEL as ␡,
    everything else that a terminal would obey or hide as �. One character for one, so
    offsets into the text still point at the same characters. Newlines and tabs are
    kept."""
    text = _CONTROL.sub(_picture, text)
    return _INVISIBLE.sub(SHOWN_INSTEAD, text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return SHOWN_INSTEAD


def message_text(text: str) -> str:
    """A message (an error, a note) made safe to print on one line: bytes of a file name
    or argument that is not UTF-8 as ``\\x82``, control characters as by
    :func:`terminal_text`, line breaks as ␊."""
    text = _UNDECODED.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)
    return terminal_text(text).replace("\n", "\u240a")


def undecodable(text: str) -> str | None:
    """The first byte (as ``0x82``) of ``text`` that came from a file name or argument
    that is not UTF-8, or None when ``text`` is proper Unicode."""
    found = re.search("[\ud800-\udfff]", text)
    if found is None:
        return None
    code = ord(found.group())
    return f"0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"


def markdown_line(line: str) -> str:
    """One line of text escaped so Markdown shows it as written: inline syntax (emphasis,
    links, HTML, code, math) anywhere, and a heading, quote, list or rule marker at its
    start."""
    line = _MARKDOWN_INLINE.sub(r"\\\1", terminal_text(line))
    line = _MARKDOWN_UNDERSCORE.sub(r"\\_", line)
    match = _MARKDOWN_BLOCK.match(line)
    if match:
        indent, marker = match.groups()
        rest = line[match.end():]
        if marker.isdigit():
            return f"{indent}{marker}\\{rest}"
        return f"{indent}\\{marker}{rest}"
    return line


def markdown_text(text: str) -> str:
    """``text`` escaped line by line as by :func:`markdown_line`; its line breaks stay line
    breaks (a backslash at the end of a line is CommonMark's hard break) and a blank line
    still separates paragraphs."""
    lines = [markdown_line(line) if line.strip() else "" for line in _lines(text)]
    return "\n".join(_hard_breaks(lines))


def markdown_quote(text: str) -> list[str]:
    """``text`` as the lines of a Markdown block quote, escaped as by :func:`markdown_text`."""
    quoted = [f"> {markdown_line(line)}".rstrip() for line in _lines(text)]
    return _hard_breaks(quoted, empty=">")


def markdown_cell(text: str) -> str:
    """``text`` as the content of one Markdown table cell: escaped as by
    :func:`markdown_line` (so ``|`` cannot end the cell), line breaks as ``<br>``."""
    return "<br>".join(markdown_line(line).strip() for line in _lines(text))


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _hard_breaks(lines: list[str], *, empty: str = "") -> list[str]:
    """A backslash after every line that another line of the same paragraph follows."""
    return [
        line + "\\" if line != empty and following != empty else line
        for line, following in pairwise(lines)
    ] + lines[-1:]
