"""The transcript pane of the coding screen, drawn line by line.

One widget per segment made an 800-turn interview take seconds to open and every key
slow. This pane is a single Line API widget: it wraps each segment's text itself (a cheap
word wrap over character offsets, so evidence and a selected span can be marked exactly),
knows every segment's height and first line, and renders only the lines on screen, caching
them per segment until that segment changes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qcode.models import Coding, Segment
from qcode.neutralise import terminal_text
from qcode.session.spans import Span

if TYPE_CHECKING:
    from qcode.session.session import CodingSession

WIDE = 110
"""From this terminal width on, a segment's codes stand in a column beside its text."""
CODES_COLUMN = (24, 42)
"""The narrowest and widest the column of codes gets: as wide as its widest code, within
these bounds (a longer one wraps, never cut)."""
GUTTER = 2
"""The current segment's marker and a space, left of every segment."""
NO_COLOUR_MARK = "□"
"""A code without a colour: a hollow mark, so it never looks like a grey code."""
_WORD = re.compile(r"\S+")
_NEWLINE = re.compile("\n")


def chip(coding: Coding, colour: str | None, *, own: bool) -> Text:
    """One coding as the screen shows it: a coloured mark, the code, its span, a memo mark
    and, for another coder's coding, who."""
    text = Text()
    if colour:
        text.append("■", style=colour)
    else:
        text.append(NO_COLOUR_MARK)
    text.append(" ")
    text.append(coding.code, style="" if own else "dim")
    if coding.start is not None:
        text.append(f" [{coding.start}:{coding.end}]", style="dim")
    if coding.memo:
        text.append(" ✎", style="dim")
    if not own:
        text.append(f" ({terminal_text(coding.coder)})", style="dim")
    return text


Word = tuple[int, int, int, bool]
"""A word of a text: start, end, width in cells, and whether a line break comes before it."""


def words(text: str) -> list[Word]:
    """The words of ``text``, measured once so wrapping at any width is a quick count."""
    ascii_only = text.isascii()
    breaks = [match.start() for match in _NEWLINE.finditer(text)]
    if not breaks and ascii_only:  # the common case, kept quick for long interviews
        return [(m.start(), m.end(), m.end() - m.start(), False) for m in _WORD.finditer(text)]
    found: list[Word] = []
    previous = 0
    pending = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        new_line = False
        while pending < len(breaks) and breaks[pending] < start:
            new_line = new_line or breaks[pending] >= previous
            pending += 1
        size = end - start if ascii_only else cell_len(match.group())
        found.append((start, end, size, new_line))
        previous = end
    return found


def wrap(text: str, width: int, measured: list[Word] | None = None) -> list[tuple[int, int]]:
    """Lines of ``text`` at ``width`` cells as (start, end) offsets: broken between words,
    at the text's own line breaks, and inside a word only when it is wider than a line."""
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    start = end = -1
    used = 0
    for a, b, size, new_line in (words(text) if measured is None else measured):
        if start >= 0 and not new_line and used + 1 + size <= width:
            end, used = b, used + 1 + size
            continue
        if start >= 0:
            lines.append((start, end))
        if new_line:  # blank lines of the text's own stay blank
            lines.extend((a, a) for _ in range(text.count("\n", end if end >= 0 else 0, a) - 1))
        while size > width:  # a word wider than the line: broken where it must be
            cut = a + width
            lines.append((a, cut))
            a, size = cut, cell_len(text[cut:b])
        start, end, used = a, b, size
    if start >= 0:
        lines.append((start, end))
    return lines or [(0, 0)]


def _visible(text: str) -> tuple[str, list[int] | None]:
    """Text as the terminal may show it (control characters as symbols), and where each
    offset of the original lands in it (None when nothing changed)."""
    shown = terminal_text(text)
    if shown == text:
        return text, None
    offsets = []
    pieces = []
    position = 0
    for character in text:
        offsets.append(position)
        piece = terminal_text(character)
        pieces.append(piece)
        position += len(piece)
    offsets.append(position)
    return "".join(pieces), offsets


class TranscriptView(ScrollView, can_focus=True):
    """Every segment of the transcript; the current one marked and kept in view."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "transcript--current", "transcript--marker", "transcript--interviewer",
    }
    DEFAULT_CSS = """
    /* The scrollbar always there: its appearing would change the width and wrap it all. */
    TranscriptView { overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 1; }
    TranscriptView > .transcript--current { background: $boost; }
    TranscriptView > .transcript--marker { color: $accent; text-style: bold; }
    TranscriptView > .transcript--interviewer { text-style: dim; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Arrows, Home and End move between respondent segments here, not line by line.
        Binding("down", "app.next_segment", show=False),
        Binding("up", "app.previous_segment", show=False),
        Binding("home", "app.first", show=False),
        Binding("end", "app.last", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
    ]

    class Scrolled(Message):
        """The pane scrolled: what is in view of the current segment changed."""

    def __init__(self, session: CodingSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.segments: list[Segment] = list(session.segments)
        self._index = {s.number: i for i, s in enumerate(self.segments)}
        self._display = [_visible(s.text) for s in self.segments]
        self._words = [words(shown) for shown, _ in self._display]
        self.current = session.current
        self.selection: Span | None = None
        self.evidence: tuple[tuple[int, int], ...] = ()
        self.evidence_colour: str | None = None
        self._width = 0
        self._wide = False
        self._codes_width = CODES_COLUMN[0]
        self._heights: list[int] = []
        self._starts: list[int] = []
        self._rendered: dict[int, list[Strip]] = {}

    # -- layout ------------------------------------------------------------------------

    @property
    def text_width(self) -> int:
        return max(self._width - GUTTER - 1 - ((self._codes_width + 1) if self._wide else 0), 8)

    def relayout(self) -> None:
        """Wrap every segment at the pane's width: its height and first line."""
        self._width = self.scrollable_content_region.width or self.size.width
        self._wide = self.app.size.width >= WIDE
        if self._wide:
            widest = max((mark.cell_len for i in range(len(self.segments))
                          for mark in self._chips(i)), default=0)
            self._codes_width = min(max(widest, CODES_COLUMN[0]), CODES_COLUMN[1])
        self._heights = [self._height(i) for i in range(len(self.segments))]
        self._starts = []
        line = 0
        for height in self._heights:
            self._starts.append(line)
            line += height
        self._rendered.clear()
        self.virtual_size = Size(self._width, line)

    def _chips(self, index: int) -> list[Text]:
        number = self.segments[index].number
        own = self.session.own_codings(number)
        others = self.session.other_codings(number)
        return [chip(c, self.session.colour(c.code), own=c in own) for c in (*own, *others)]

    def _code_lines(self, index: int) -> list[Text]:
        """The codes column of a segment: a code a line, wrapped when wider than it."""
        return [line for mark in self._chips(index)
                for line in mark.wrap(self.app.console, self._codes_width, overflow="fold")]

    def _head(self, index: int) -> Text:
        segment = self.segments[index]
        return Text(f"{segment.number} {terminal_text(segment.speaker)}",
                    style="dim" if segment.interviewer else "bold")

    def _head_lines(self, index: int, width: int) -> list[Text]:
        """The segment's number and speaker, and (in a narrow pane) its codes after them,
        wrapped between codes."""
        line = self._head(index)
        if self._wide:
            return [line]
        lines = []
        for mark in self._chips(index):
            if line.cell_len + 2 + mark.cell_len > width and line.cell_len:
                lines.append(line)
                line = Text()
            line.append("  " if line.cell_len else "")
            line.append_text(mark)
        lines.append(line)
        return lines

    def _height(self, index: int) -> int:
        body = len(wrap(self._display[index][0], self.text_width, self._words[index]))
        if self._wide:
            return max(1 + body, len(self._code_lines(index))) + 1
        return len(self._head_lines(index, self.text_width)) + body + 1

    def changed(self, *numbers: int) -> None:
        """Segments whose codes changed: their height may have too."""
        moved = False
        for number in numbers:
            index = self._index[number]
            self._rendered.pop(index, None)
            height = self._height(index)
            if height != self._heights[index]:
                self._heights[index] = height
                moved = True
        if moved:
            line = 0
            for index, height in enumerate(self._heights):
                self._starts[index] = line
                line += height
            self._rendered.clear()
            self.virtual_size = Size(self._width, line)
        self.refresh()

    def redraw_all(self) -> None:
        """Every segment's codes may have changed (another coder's work was read in)."""
        if self._width:
            self.relayout()
            self.refresh()

    # -- what is marked ------------------------------------------------------------------

    def mark(self, number: int, *, selection: Span | None = None,
             evidence: Sequence[tuple[int, int]] = (), evidence_colour: str | None = None,
             scroll: bool = False) -> None:
        """Make ``number`` the current segment, with a selected span and evidence marked."""
        previous = self._index.get(self.current)
        self.current = number
        self.selection = selection
        self.evidence = tuple(evidence)
        self.evidence_colour = evidence_colour
        for index in (previous, self._index[number]):
            if index is not None:
                self._rendered.pop(index, None)
        if scroll:
            self.scroll_to_current()
        self.refresh()

    def segment_region(self, number: int) -> tuple[int, int]:
        """The first line and the height of a segment in the whole transcript."""
        index = self._index[number]
        return self._starts[index], self._heights[index]

    def scroll_to_current(self) -> None:
        """Centre the current segment; one taller than the pane shows from its top."""
        if not self._starts:
            return
        top, height = self.segment_region(self.current)
        view = self.scrollable_content_region.height or self.size.height
        target = top - (view - height) // 2 if height <= view else top
        self.scroll_to(y=max(target, 0), animate=False, immediate=True)

    def _in_view(self, number: int) -> bool:
        top, height = self.segment_region(number)
        view = self.scrollable_content_region.height or self.size.height
        return top < round(self.scroll_y) + view and top + height > round(self.scroll_y)

    def below(self) -> int:
        """Lines of the current segment below the bottom of the pane (0: all in view)."""
        if not self._starts:
            return 0
        top, height = self.segment_region(self.current)
        view = self.scrollable_content_region.height or self.size.height
        return max(0, top + height - (round(self.scroll_y) + view))

    # -- drawing ---------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled())

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width or self.size.width
        if width != self._width or (self.app.size.width >= WIDE) != self._wide:
            self.relayout()
            # A new width moves every line: bring the current segment back into view.
            self.scroll_to_current()
        elif self._starts and not self._in_view(self.current):
            self.scroll_to_current()

    def render_line(self, y: int) -> Strip:
        line = round(self.scroll_y) + y
        width = self.scrollable_content_region.width or self.size.width
        if not self._starts or line >= self.virtual_size.height:
            return Strip.blank(width, self.rich_style)
        index = bisect_right(self._starts, line) - 1
        strips = self._rendered.get(index)
        if strips is None:
            strips = self._rendered[index] = self._render_segment(index)
        strip = strips[line - self._starts[index]]
        return strip.crop_extend(0, width, self.rich_style)

    def _render_segment(self, index: int) -> list[Strip]:
        segment = self.segments[index]
        current = segment.number == self.current
        shown, offsets = self._display[index]
        text = Text(shown)
        if segment.interviewer:
            text.stylize(self.get_component_rich_style("transcript--interviewer"))
        if current:
            spans = list(self.evidence)
            for start, end in spans:
                text.stylize(f"bold underline {self.evidence_colour or 'yellow'}",
                             *_shown(offsets, start, end))
            if self.selection is not None:
                text.stylize("reverse", *_shown(offsets, self.selection.start,
                                                self.selection.end))
        width = self.text_width
        body = [text[a:b] for a, b in wrap(shown, width, self._words[index])]
        if self._wide:
            left = [self._head(index), *body]
            right = self._code_lines(index)
            rows = []
            for y in range(max(len(left), len(right))):
                line = left[y].copy() if y < len(left) else Text()
                line.pad_right(width - line.cell_len)
                line.append(" ")
                if y < len(right):
                    line.append_text(right[y])
                rows.append(line)
        else:
            rows = [*self._head_lines(index, width), *body]
        rows.append(Text())
        background = self.get_component_rich_style("transcript--current") if current else None
        marker = self.get_component_rich_style("transcript--marker")
        full = self._width
        strips = []
        for row in rows:
            gutter = Text("▌ ", style=marker) if current else Text("  ")
            line = gutter + row
            segments = list(line.render(self.app.console))
            strip = Strip(segments).crop_extend(0, full, None)
            if background is not None:
                strip = strip.apply_style(background)
            strips.append(strip)
        return strips

    def on_click(self, event: events.Click) -> None:
        if not self._starts:
            return
        line = round(self.scroll_y) + event.y
        index = bisect_right(self._starts, line) - 1
        if 0 <= index < len(self.segments):
            self.app.go_to_segment(self.segments[index].number)  # type: ignore[attr-defined]


def _shown(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """Offsets of the original text as offsets of the text on screen."""
    if offsets is None:
        return start, end
    last = len(offsets) - 1
    return offsets[min(max(start, 0), last)], offsets[min(max(end, 0), last)]

