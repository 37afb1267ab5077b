"""The parts of the coding screen: the transcript, the codebook, suggestions, status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from qcode.codebook.search import CodeMatch, fold
from qcode.coding.assisted import StoredSuggestion
from qcode.models import Code, Codebook, Coding, Segment
from qcode.session.spans import Span

if TYPE_CHECKING:
    from qcode.session.session import CodingSession

WIDE = 110
"""From this terminal width on, a segment's codes stand in a column beside its text."""
CODES_COLUMN = 30
NO_COLOUR = "grey50"


def chip(coding: Coding, colour: str | None, *, own: bool, compact: bool = False) -> Text:
    """One coding as the screen shows it: a coloured mark, the code, span, memo and, for
    another coder's coding, who. ``compact`` leaves out the spaces, so a chip in a line of
    chips never breaks in two."""
    gap = "" if compact else " "
    text = Text()
    text.append("■" + gap, style=colour or NO_COLOUR)
    text.append(coding.code, style="" if own else "dim")
    if coding.start is not None:
        text.append(f"{gap}[{coding.start}:{coding.end}]", style="dim")
    if coding.memo:
        text.append(f"{gap}✎", style="dim")
    if not own:
        text.append(f"·{coding.coder}" if compact else f" ({coding.coder})", style="dim")
    return text


class SegmentView(Widget):
    """One segment: number, speaker, text, and its codes beside it."""

    DEFAULT_CSS = """
    SegmentView { height: auto; padding: 0 1 1 1; border-left: blank; }
    SegmentView.-current { background: $boost; border-left: thick $accent; }
    """

    def __init__(self, session: CodingSession, segment: Segment) -> None:
        super().__init__(id=f"segment-{segment.number}")
        self.session = session
        self.segment = segment
        self.selection: Span | None = None
        self.evidence: tuple[tuple[int, int], ...] = ()
        self.evidence_colour: str | None = None

    def show(self, *, selection: Span | None = None,
             evidence: Sequence[tuple[int, int]] = (), evidence_colour: str | None = None) -> None:
        self.selection = selection
        self.evidence = tuple(evidence)
        self.evidence_colour = evidence_colour
        # Highlights never change the height; only new codes do (see refresh_codes).
        self.refresh()

    def render(self) -> RenderableType:
        segment = self.segment
        body = Text(segment.text, style="dim" if segment.interviewer else "")
        for start, end in self.evidence:
            body.stylize(f"bold underline {self.evidence_colour or 'yellow'}", start, end)
        if self.selection is not None:
            body.stylize("reverse", self.selection.start, self.selection.end)
        head = Text(f"{segment.number} {segment.speaker}",
                    style="dim" if segment.interviewer else "bold")
        wide = self.app.size.width >= WIDE
        own = self.session.own_codings(segment.number)
        others = self.session.other_codings(segment.number)
        chips = [chip(c, self.session.colour(c.code), own=c in own, compact=not wide)
                 for c in (*own, *others)]
        if wide:
            grid = Table.grid(expand=True, padding=(0, 1))
            grid.add_column(ratio=1)
            grid.add_column(width=CODES_COLUMN)
            grid.add_row(Group(head, body), Text("\n").join(chips))
            return grid
        line = head.copy()
        for c in chips:
            line.append("  ")
            line.append_text(c)
        return Group(line, body)


class SegmentList(VerticalScroll, can_focus=True):
    """The transcript, one :class:`SegmentView` a segment."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Arrows move between respondent segments here, not line by line.
        Binding("down", "app.next_segment", show=False),
        Binding("up", "app.previous_segment", show=False),
    ]

    current: SegmentView | None = None
    _views: dict[int, SegmentView] | None = None

    def view(self, number: int) -> SegmentView:
        if self._views is None:
            # One lookup table instead of a DOM query per key press.
            self._views = {v.segment.number: v for v in self.query(SegmentView)}
        return self._views[number]

    def show_current(self, number: int) -> None:
        target = self.view(number)
        if self.current is not target:
            # Only the two segments concerned: a transcript can have hundreds.
            if self.current is not None:
                self.current.remove_class("-current")
            target.add_class("-current")
            self.current = target
        if target.outer_size.height and target.outer_size.height < self.size.height:
            self.scroll_to_center(target, animate=False)
        else:
            self.scroll_to_widget(target, animate=False, top=True)


def code_label(code: Code, colour: str | None, *, full_id: bool, keyword: str = "") -> Text:
    text = Text()
    text.append("■ ", style=colour or NO_COLOUR)
    text.append(code.label)
    text.append(" " + (code.id if full_id else code.id.rsplit(".", 1)[-1]), style="dim")
    if keyword:
        text.append(f" «{keyword}»", style="italic dim")
    return text


class CodeTree(Tree[str]):
    """The codebook as a tree; while searching, the matches best first."""

    def __init__(self, session: CodingSession) -> None:
        super().__init__("codebook", id="codes")
        self.session = session
        self.show_root = False
        self.guide_depth = 2
        # Enter applies a code; folding is Space's job, so Enter must not fold a parent.
        self.auto_expand = False
        self.searching = False

    @property
    def codebook(self) -> Codebook:
        return self.session.codebook

    def show_all(self) -> None:
        self.searching = False
        self.clear()
        nodes: dict[str | None, TreeNode[str]] = {None: self.root}
        for code in self.codebook.codes:
            parent = nodes.get(code.parent, self.root)
            label = code_label(code, self.session.colour(code.id), full_id=False)
            has_children = any(c.parent == code.id for c in self.codebook.codes)
            if has_children:
                nodes[code.id] = parent.add(label, data=code.id, expand=True)
            else:
                parent.add_leaf(label, data=code.id)
        self._cursor_to_top()

    def show_matches(self, matches: Sequence[CodeMatch]) -> None:
        self.searching = True
        self.clear()
        for match in matches:
            # Say which keyword matched when neither the id nor the label did.
            keyword = "" if match.matched in ("id/label", "id", "spelling") else match.matched
            if fold(keyword) in fold(match.code.label):
                keyword = ""
            label = code_label(match.code, self.session.colour(match.code.id), full_id=True,
                               keyword=keyword)
            self.root.add_leaf(label, data=match.code.id)
        if matches:
            self._cursor_to_top()

    def _cursor_to_top(self) -> None:
        # Tree skips a move to the line the cursor is already on, and would keep pointing at
        # a node of the old tree; starting from "no cursor" makes it take the new first node.
        self.cursor_line = -1
        self.move_cursor_to_line(0)

    @property
    def code(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None


def definition(code: Code) -> Text:
    text = Text()
    text.append(code.id, style="bold")
    text.append(f"  {code.label}\n")
    if code.description:
        text.append(code.description + "\n")
    if code.include:
        text.append("include: ", style="dim")
        text.append(code.include + "\n")
    if code.exclude:
        text.append("exclude: ", style="dim")
        text.append(code.exclude + "\n")
    if code.level:
        text.append("level: ", style="dim")
        text.append(code.level)
    text.rstrip()
    return text


class SearchBox(Input):
    """Type to filter the codebook; arrows move through the matches, Enter applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "app.tree_cursor(1)", show=False),
        Binding("up", "app.tree_cursor(-1)", show=False),
    ]


def suggestions_text(session: CodingSession, pending: Sequence[StoredSuggestion],
                     selected: int) -> Text:
    if not pending:
        return Text("no pending suggestions for this segment", style="dim")
    lines = []
    for i, suggestion in enumerate(pending):
        line = Text("▸ " if i == selected else "  ", style="bold")
        line.append("■ ", style=session.colour(suggestion.code) or NO_COLOUR)
        line.append(f"{suggestion.score:.2f} ", style="bold" if i == selected else "")
        line.append(suggestion.code, style="bold" if i == selected else "")
        if suggestion.evidence:
            line.append("  " + ", ".join(suggestion.evidence), style="italic dim")
        lines.append(line)
    return Text("\n").join(lines)


class StatusLine(Static):
    """Transcript, respondent, coder and progress, always on one line."""

    def show(self, session: CodingSession, selection: Span | None) -> None:
        summary = session.transcript
        progress = session.progress()
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {summary.id}", style="bold")
        text.append(f" · {summary.respondent}")
        text.append(f"  coder {session.coder}", style="bold")
        text.append(f"  {progress.coded}/{progress.total} coded")
        text.append(f"  seg {session.current}")
        if selection is not None:
            text.append(f"  span {selection.start}:{selection.end}", style="reverse")
        context = " · ".join(v for v in (summary.case, summary.role) if v)
        if context:
            text.append(f"  {context}", style="dim")
        self.update(text)
