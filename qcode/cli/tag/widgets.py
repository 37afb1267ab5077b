"""The parts of the coding screen beside the transcript: the codebook and its search, a
code's definition, the suggestions of the segment and the status line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from qcode.cli.tag.transcript import NO_COLOUR_MARK
from qcode.codebook.search import CodeMatch, fold
from qcode.coding.assisted import StoredSuggestion
from qcode.models import Code, Codebook
from qcode.neutralise import terminal_text
from qcode.session.evidence import marked_sentences
from qcode.session.spans import Span

if TYPE_CHECKING:
    from qcode.session.session import CodingSession


def mark(colour: str | None) -> Text:
    """A code's colour as a square; a hollow one for a code without a colour."""
    return Text("■", style=colour) if colour else Text(NO_COLOUR_MARK)


def code_label(code: Code, colour: str | None, *, full_id: bool, keyword: str = "") -> Text:
    text = mark(colour)
    text.append(" " + terminal_text(code.label))
    text.append(" " + (code.id if full_id else code.id.rsplit(".", 1)[-1]), style="dim")
    if keyword:
        text.append(f" «{terminal_text(keyword)}»", style="italic dim")
    return text


class CodeTree(Tree[str]):
    """The codebook as a tree; while searching, the matches best first."""

    DEFAULT_CSS = """
    CodeTree.-unchosen > .tree--cursor { background: transparent; text-style: none; }
    """

    def __init__(self, session: CodingSession) -> None:
        super().__init__("codebook", id="codes")
        self.session = session
        self.show_root = False
        self.guide_depth = 2
        # Enter applies a code; folding is Space's job, so Enter must not fold a parent.
        self.auto_expand = False
        self.searching = False
        self.chosen = True

    @property
    def codebook(self) -> Codebook:
        return self.session.codebook

    def show_all(self) -> None:
        self.searching = False
        self.clear()
        nodes: dict[str | None, TreeNode[str]] = {None: self.root}
        parents = {c.parent for c in self.codebook.codes}
        for code in self.codebook.codes:
            parent = nodes.get(code.parent, self.root)
            label = code_label(code, self.session.colour(code.id), full_id=False)
            if code.id in parents:
                nodes[code.id] = parent.add(label, data=code.id, expand=True)
            else:
                parent.add_leaf(label, data=code.id)
        self._cursor_to_top()

    def show_matches(self, matches: Sequence[CodeMatch]) -> None:
        self.searching = True
        self.chosen = True  # the best match, which Enter in the search box applies
        self.remove_class("-unchosen")
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

    def no_choice(self) -> None:
        """No code chosen yet: the cursor does not show, and Enter applies nothing until
        the coder moves it (a second Enter right after the first must not code anything)."""
        self.chosen = False
        self.add_class("-unchosen")
        self.scroll_home(animate=False)

    def _choose(self) -> bool:
        """Make the line under the cursor the choice; True when there was none before."""
        if self.chosen:
            return False
        self.chosen = True
        self.remove_class("-unchosen")
        if self.cursor_node is not None:  # its definition, as for any highlighted code
            self.post_message(Tree.NodeHighlighted(self.cursor_node))
        return True

    def action_cursor_down(self) -> None:
        if not self._choose():
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if not self._choose():
            super().action_cursor_up()

    def action_select_cursor(self) -> None:
        if not self.chosen:
            self.app.say("choose a code with ↑/↓ first; Enter applies it")  # type: ignore[attr-defined]
            return
        super().action_select_cursor()

    @property
    def code(self) -> str | None:
        if not self.chosen:
            return None
        node = self.cursor_node
        return node.data if node is not None else None


def definition(code: Code) -> Text:
    """Everything a coder needs to apply a code: what it is, what belongs and what does not
    (the exclude rules), examples and level."""
    text = Text()
    text.append(code.id, style="bold")
    text.append(f"  {terminal_text(code.label)}\n")
    if code.description:
        text.append(terminal_text(code.description) + "\n")
    for name, value in (("include", code.include), ("exclude", code.exclude)):
        if value:
            text.append(f"{name}: ", style="bold dim" if name == "include" else "bold")
            text.append(terminal_text(value) + "\n")
    for example in code.examples:
        text.append("e.g. ", style="dim")
        text.append(f"«{terminal_text(example)}»\n", style="italic")
    if code.level:
        text.append("level: ", style="dim")
        text.append(code.level)
    text.rstrip()
    return text


class DefinitionView(VerticalScroll, can_focus=True):
    """The highlighted code's definition; scrolls when it is longer than the pane, and 'i'
    gives it the codebook's room."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "scroll_down", show=False),
        Binding("up", "scroll_up", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="definition-text")

    def show(self, code: Code | None) -> None:
        self.query_one("#definition-text", Static).update(definition(code) if code else "")
        self.scroll_home(animate=False)


class SearchBox(Input):
    """Type to filter the codebook; arrows move through the matches, Enter applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "app.tree_cursor(1)", show=False),
        Binding("up", "app.tree_cursor(-1)", show=False),
    ]


NARROW_PANEL = 70
"""Below this width the highlighted suggestion's sentence gets a line of its own."""


class SuggestionPanel(Widget):
    """The segment's pending suggestions: how many, the highlighted one always in view, and
    for each the sentence that triggered it with the matched words marked."""

    DEFAULT_CSS = """
    SuggestionPanel { height: auto; max-height: 8; }
    """

    def __init__(self, session: CodingSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.pending: list[StoredSuggestion] = []
        self.selected = 0

    def show(self, pending: Sequence[StoredSuggestion], selected: int) -> None:
        self.pending = list(pending)
        self.selected = selected
        self.refresh(layout=True)

    def rows(self) -> int:
        """Suggestion lines that fit under the title: more on a taller terminal."""
        return max(2, min(7, self.app.size.height // 6))

    def narrow(self) -> bool:
        """Too narrow for a sentence beside each code: the highlighted suggestion gets its
        sentence on a line of its own."""
        return self.size.width < NARROW_PANEL

    def window(self) -> range:
        """The suggestions shown: a window that always holds the highlighted one."""
        rows = self.rows() - (1 if self.narrow() else 0)
        count = len(self.pending)
        if count <= rows:
            return range(count)
        first = min(max(self.selected - rows // 2, 0), count - rows)
        return range(first, first + rows)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        if not self.pending:
            return 1
        return 1 + len(self.window()) + (1 if self.narrow() else 0)

    def render(self) -> RenderableType:
        if not self.pending:
            return Text("no pending suggestions for this segment", style="dim")
        width = max(self.size.width, 20)
        shown = self.window()
        title = Text(f"suggestion {self.selected + 1} of {len(self.pending)}", style="bold")
        if shown.start:
            title.append(f"  ▲ {shown.start} more", style="dim")
        if shown.stop < len(self.pending):
            title.append(f"  ▼ {len(self.pending) - shown.stop} more", style="dim")
        title.append("   ] [ choose  a accept  x reject", style="dim")
        title.truncate(width, overflow="ellipsis")
        lines = [title]
        narrow = self.narrow()
        for i in shown:
            chosen = i == self.selected
            lines.append(self._line(self.pending[i], chosen=chosen, width=width,
                                    evidence=not narrow))
            if chosen and narrow:
                lines.append(Text("    ") + _evidence(self.pending[i], width - 4))
        return Text("\n").join(lines)

    def _line(self, suggestion: StoredSuggestion, *, chosen: bool, width: int,
              evidence: bool = True) -> Text:
        line = Text("▸ " if chosen else "  ", style="bold")
        line.append_text(mark(self.session.colour(suggestion.code)))
        line.append(f" {suggestion.score:.2f} ", style="bold" if chosen else "")
        line.append(suggestion.code, style="bold" if chosen else "")
        if not evidence:
            line.truncate(width, overflow="ellipsis")
            return line
        room = width - line.cell_len - 2
        evidence_text = _evidence(suggestion, room)
        if evidence_text.cell_len:
            line.append("  ")
            line.append_text(evidence_text)
        line.truncate(width, overflow="ellipsis")
        return line


def _evidence(suggestion: StoredSuggestion, room: int) -> Text:
    """The first sentence that triggered the suggestion, its matched words marked, cut
    around the first of them when it is longer than ``room``; '+N' for further sentences."""
    sentences = marked_sentences(suggestion.text, suggestion.spans)
    if not sentences or room < 8:
        return Text()
    first = sentences[0]
    more = f" +{len(sentences) - 1}" if len(sentences) > 1 else ""
    room -= len(more)
    start, end = first.sentence.start, first.sentence.end
    if end - start > room:
        room -= 2  # for the '…' on either side
        # Keep the matched words in view (as many as fit), with what stands around them.
        first_mark, last_mark = first.marks[0].start, first.marks[-1].end
        if last_mark - first_mark <= room:
            start = first_mark - (room - (last_mark - first_mark)) // 2
        else:
            start = first_mark
        start = max(first.sentence.start, min(start, end - room))
        end = min(end, start + room)
    text = Text(terminal_text(suggestion.text[start:end]).replace("\n", " "), style="italic dim")
    for span in first.marks:
        a, b = max(span.start, start) - start, min(span.end, end) - start
        if a < b:
            text.stylize("bold underline not dim", a, b)
    if start > first.sentence.start:
        text = Text("…", style="dim") + text
    if end < first.sentence.end:
        text.append("…", style="dim")
    if more:
        text.append(more, style="dim")
    return text


class StatusLine(Static):
    """Transcript, respondent, coder, progress and where the coder is, on one line."""

    def show(self, session: CodingSession, selection: Span | None, below: int = 0) -> None:
        summary = session.transcript
        progress = session.progress()
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {summary.id}", style="bold")
        text.append(f" · {terminal_text(summary.respondent)}")
        text.append(f"  coder {terminal_text(session.coder)}", style="bold")
        text.append(f"  {progress.coded}/{progress.total} coded")
        text.append(f"  seg {session.current}/{session.segments[-1].number}")
        if selection is not None:
            text.append(f"  span {selection.start}:{selection.end}", style="reverse")
        if below:
            text.append(f"  ▼ {below} more lines (PgDn)", style="bold")
        context = " · ".join(terminal_text(v) for v in (summary.case, summary.role) if v)
        if context:
            text.append(f"  {context}", style="dim")
        self.update(text)
