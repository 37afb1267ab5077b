"""Tables that fit the terminal: every listing readable from 80 columns up.

A listing is rows of named values. Ids, codes, numbers and other one-word values are never
cut or wrapped (people copy them into the next command), and neither is a column's
header; text with spaces wraps between its words. When the columns cannot all fit at
their narrowest, the text columns go on indented lines under each row; when not even the
ids fit side by side, each row is printed as a record: one ``name  value`` line per field,
the value wrapped beside its name. Everything is drawn as Rich ``Text``, never markup, and
every value, heading and title passes through :func:`cell` or :func:`shown`, which show
control characters instead of letting the terminal obey them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from qcode.neutralise import terminal_text

GAP = 2
"""Spaces between two columns."""
LONGEST_WORD = 24
"""A word in running text longer than this may be broken to fit; shorter ones never are."""
TEXT_COLUMN = 20
"""The narrowest a column of running text (over twice this long) gets beside others."""
_NUMBER = re.compile(r"[+-]?\d[\d.,]*%?|n/a")
_WORD = re.compile(r"\S+")
# Wrapping only measures text; it never prints with this console.
_MEASURE = Console(width=1000, highlight=False)


def cell(value: Any) -> str:
    """The text a value shows as in a table or record (lists one item a line). Every
    value of a listing passes through here on its way to the screen."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "\n".join(cell(v) for v in value)
    return terminal_text(str(value))


def shown(text: str) -> str:
    """A heading, title or name as it may reach the terminal (see :func:`cell`)."""
    return terminal_text(text)


@dataclass
class _Column:
    name: str
    texts: list[str]
    numeric: bool
    whole: bool
    """Every value is one word (an id, a code, a number): never wrapped."""
    narrowest: int
    widest: int
    width: int = 0


def _column(name: str, values: Sequence[Any]) -> _Column:
    texts = [cell(v) for v in values]
    filled = [(v, t) for v, t in zip(values, texts, strict=True) if t != ""]
    numeric = bool(filled) and all(
        (isinstance(v, int | float) and not isinstance(v, bool)) or _NUMBER.fullmatch(t)
        for v, t in filled
    )
    lines = [line for t in texts for line in t.split("\n")]
    whole = all(" " not in line.strip() for line in lines)
    widest = max([len(name), *(cell_len(line) for line in lines)])
    if whole:
        narrowest = widest
    else:
        words = [cell_len(w) for line in lines for w in _WORD.findall(line)]
        narrowest = max([len(name), *(min(w, LONGEST_WORD) for w in words)])
        if widest > 2 * TEXT_COLUMN:
            # Running text squeezed narrower than this reads worse than text under the row.
            narrowest = max(narrowest, TEXT_COLUMN)
    return _Column(name, texts, numeric, whole, narrowest, widest)


def fit_widths(columns: list[_Column], width: int) -> bool:
    """Give each column its width; False when they cannot all fit side by side."""
    room = width - GAP * (len(columns) - 1)
    if sum(c.narrowest for c in columns) > room:
        return False
    for c in columns:
        c.width = c.narrowest
    spare = room - sum(c.width for c in columns)
    # Hand out the spare room in proportion to what each column still lacks.
    while spare > 0:
        lacking = [c for c in columns if c.width < c.widest]
        if not lacking:
            break
        need = sum(c.widest - c.width for c in lacking)
        given = 0
        for c in lacking:
            share = max(1, (c.widest - c.width) * spare // need)
            share = min(share, c.widest - c.width, spare - given)
            c.width += share
            given += share
            if given >= spare:
                break
        spare -= given
    return True


def listing(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, width: int,
            title: str | None = None) -> Text:
    """``rows`` laid out for ``width`` columns: a table when every column fits; else a table
    of the one-word columns that fit (in order), with the other columns on indented lines
    under each row; else one record per row. Columns empty in every row are left out and named
    at the end."""
    laid = [_column(shown(name), [row.get(name) for row in rows]) for name in columns]
    empty = [c.name for c in laid if not any(c.texts)]
    laid = [c for c in laid if any(c.texts)] or laid[:1]
    lines = _wrap(shown(title), width) if title else []
    for line in lines:
        line.stylize("bold")
    if fit_widths(laid, width):
        lines += _table(laid, len(rows), [], width)
    else:
        # One-word columns side by side as long as they fit; text and the rest under each row.
        side: list[_Column] = []
        for c in laid:
            if c.whole and fit_widths([*side, c], width):
                side.append(c)
            elif c.whole:
                break
        if len(side) >= 2:
            fit_widths(side, width)
            lines += _table(side, len(rows), [c for c in laid if c not in side], width)
        else:
            lines += _records(laid, len(rows), width)
    if empty:
        lines.append(Text(f"(empty in every row: {', '.join(empty)})", style="dim"))
    return Text("\n").join(lines)


def _wrap(text: str, width: int) -> list[Text]:
    """``text`` wrapped between words at ``width`` (a longer word is broken)."""
    wrapped: list[Text] = []
    for line in text.split("\n"):
        parts = Text(line).wrap(_MEASURE, width, overflow="fold")
        for part in parts:
            part.rstrip()
        wrapped.extend(parts or [Text("")])
    return wrapped


def _table(columns: list[_Column], count: int, below: list[_Column], width: int) -> list[Text]:
    gap = " " * GAP
    header = Text(gap.join(c.name.rjust(c.width) if c.numeric else c.name.ljust(c.width)
                           for c in columns).rstrip(), style="bold")
    lines = [header, Text("─" * min(width, sum(c.width for c in columns)
                                    + GAP * (len(columns) - 1)), style="dim")]
    indent = 4
    label = max((len(c.name) for c in below), default=0)
    for index in range(count):
        cells = [_wrap(c.texts[index], c.width) for c in columns]
        for y in range(max(len(wrapped) for wrapped in cells)):
            line = Text()
            for i, (c, wrapped) in enumerate(zip(columns, cells, strict=True)):
                part = wrapped[y].copy() if y < len(wrapped) else Text("")
                if c.numeric:
                    part.pad_left(c.width - part.cell_len)
                else:
                    part.pad_right(c.width - part.cell_len)
                line.append_text(part)
                if i < len(columns) - 1:
                    line.append(gap)
            line.rstrip()
            lines.append(line)
        for c in below:
            if c.texts[index] == "":
                continue
            for y, part in enumerate(_wrap(c.texts[index], width - indent - label - GAP)):
                head = (c.name.ljust(label) if y == 0 else " " * label) + gap
                lines.append(Text(" " * indent) + Text(head, style="dim") + part)
    return lines


def _records(columns: list[_Column], count: int, width: int) -> list[Text]:
    label = max(len(c.name) for c in columns)
    lines: list[Text] = []
    for index in range(count):
        if index:
            lines.append(Text(""))
        for c in columns:
            if c.texts[index] == "":
                continue
            for y, part in enumerate(_wrap(c.texts[index], max(width - label - GAP, 1))):
                head = (c.name.ljust(label) if y == 0 else " " * label) + " " * GAP
                lines.append(Text(head, style="bold" if y == 0 else "") + part)
    return lines


def print_listing(console: Console, rows: Sequence[dict[str, Any]], columns: Sequence[str],
                  *, title: str | None = None) -> None:
    console.print(listing(rows, columns, width=console.width, title=title), no_wrap=True,
                  crop=False)


@dataclass(frozen=True)
class ShownSegment:
    number: int
    speaker: str
    text: str
    interviewer: bool
    codes: tuple[tuple[str, tuple[str, ...]], ...]
    """Each code on the segment with the coders who applied it."""


SPEAKER_WIDTH = 16
"""A longer speaker name is wrapped in its column."""
NARROWEST_TEXT = 30
"""Below this the speaker goes on a line of its own, so the text keeps its room."""


def segments_listing(title: str, segments: Sequence[ShownSegment], *, width: int) -> Text:
    """A transcript as numbered turns: number, speaker, the text wrapped beside them, and
    under the text each code whole with the coders who applied it."""
    number_width = max((len(str(s.number)) for s in segments), default=1)
    speaker_width = min(max((len(s.speaker) for s in segments), default=1), SPEAKER_WIDTH)
    text_width = width - number_width - speaker_width - 2 * GAP
    own_line = text_width < NARROWEST_TEXT
    if own_line:
        text_width = width - number_width - GAP
    lines = _wrap(shown(title), width)
    for line in lines:
        line.stylize("bold")
    for segment in segments:
        style = "dim" if segment.interviewer else ""
        body = _wrap(shown(segment.text), max(text_width, 1))
        codes = _codes_lines(segment.codes, max(text_width, 1))
        number = str(segment.number).rjust(number_width)
        if own_line:
            heads = [Text(number + " " * GAP) + Text(shown(segment.speaker), style="bold")]
            indent = " " * (number_width + GAP)
            rows = [Text(indent) + part for part in [*body, *codes]]
        else:
            speaker = _wrap(shown(segment.speaker), speaker_width)
            heads = []
            rows = []
            for y, part in enumerate([*body, *codes]):
                who = speaker[y].copy() if y < len(speaker) else Text("")
                who.pad_right(speaker_width - who.cell_len)
                who.stylize("bold")
                head = Text((number if y == 0 else " " * number_width) + " " * GAP)
                rows.append(head + who + Text(" " * GAP) + part)
        lines.append(Text(""))
        for line in [*heads, *rows]:
            if style:
                line.stylize(style)
            lines.append(line)
    return Text("\n").join(lines)


def _codes_lines(codes: Sequence[tuple[str, Sequence[str]]], width: int) -> list[Text]:
    """The codes of a segment, ``■ code (coder, coder)`` each, wrapped between codes only."""
    lines: list[Text] = []
    line = Text()
    for code, coders in codes:
        chip = Text("■ ", style="cyan") + Text(shown(code)) + Text(
            f" ({shown(', '.join(coders))})", style="dim")
        if line.cell_len and line.cell_len + GAP + chip.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(" " * GAP)
        line.append_text(chip)
    if line.cell_len:
        lines.append(line)
    return lines
