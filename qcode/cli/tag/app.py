"""The coding screen: ``qcode tag``. Draws a :class:`CodingSession` and forwards keys to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, Tree

from qcode.cli.tag.keys import SCREEN_KEYS
from qcode.cli.tag.memos import MEMOS_CSS, AnnotationScreen, memos_text
from qcode.cli.tag.screens import HelpScreen, MemoScreen, PickCodingScreen
from qcode.cli.tag.widgets import (
    WIDE,
    CodeTree,
    SearchBox,
    SegmentList,
    SegmentView,
    StatusLine,
    definition,
    suggestions_text,
)
from qcode.codebook.search import search_codes
from qcode.coding.assisted import StoredSuggestion
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.session.session import CodingSession
from qcode.session.spans import Span, move_end, move_start, next_sentence

T = TypeVar("T")

HINTS = "n/p move  / search  a/x accept/reject  d remove  m memo  u undo  ? keys  q quit"

CSS = """
Screen { layout: vertical; }
#main { height: 1fr; }
#left { width: 1fr; }
#right { width: 34; border-left: vkey $primary-darken-2; }
Screen.-wide #right { width: 40%; }
#transcript { height: 1fr; scrollbar-size-vertical: 1; }
#suggestions { height: auto; max-height: 6; border-top: hkey $primary-darken-2;
               padding: 0 1; }
#search { height: 1; border: none; padding: 0 1; background: $boost; }
#search:focus { background: $accent 30%; }
#codes { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
#definition { height: auto; max-height: 7; border-top: hkey $primary-darken-2;
              padding: 0 1; }
#status { height: 1; background: $primary-darken-2; }
#message { height: 1; color: $text-muted; padding: 0 0 0 1; }
""" + MEMOS_CSS


class TagApp(App[None]):
    """Full-screen coding of one transcript by one coder."""

    TITLE = "qcode tag"
    CSS = CSS
    # Textual declares this a plain attribute, so it cannot be annotated ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(name, action, key.description, show=False)
          for key in SCREEN_KEYS for name, action in key.bindings),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
    ]

    def __init__(self, session: CodingSession) -> None:
        super().__init__()
        self.session = session
        self.selection: Span | None = None
        self.suggestion_index = 0

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                with SegmentList(id="transcript"):
                    for segment in self.session.segments:
                        yield SegmentView(self.session, segment)
                yield Static(id="suggestions")
                yield Static(id="memos")
            with Vertical(id="right"):
                yield SearchBox(placeholder="/ search codes", id="search")
                yield CodeTree(self.session)
                yield Static(id="definition")
        yield StatusLine(id="status")
        yield Static(HINTS, id="message")

    def on_mount(self) -> None:
        self.query_one(CodeTree).show_all()
        self.query_one(SegmentList).focus()
        # After the first layout, so the segment heights are known when scrolling to it.
        self.call_after_refresh(self._first_draw)

    def _first_draw(self) -> None:
        self.show_segment()
        self.show_definition(self.code_tree.code)

    # -- drawing ---------------------------------------------------------------------------

    @property
    def segment_list(self) -> SegmentList:
        return self.query_one(SegmentList)

    @property
    def code_tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    def show_segment(self) -> None:
        """Redraw the current segment, its suggestions and the status line."""
        session = self.session
        pending = session.pending()
        self.suggestion_index = min(self.suggestion_index, max(len(pending) - 1, 0))
        chosen = pending[self.suggestion_index] if pending else None
        previous = self.segment_list.current
        if previous is not None and previous.segment.number != session.current:
            previous.show()
        self.segment_list.view(session.current).show(
            selection=self.selection, evidence=chosen.spans if chosen else (),
            evidence_colour=session.colour(chosen.code) if chosen else None)
        self.segment_list.show_current(session.current)
        panel = self.query_one("#suggestions", Static)
        panel.update(suggestions_text(session, pending, self.suggestion_index))
        memos = self.query_one("#memos", Static)
        written = memos_text(session)
        memos.update(written)
        memos.display = bool(written.plain)
        self.query_one(StatusLine).show(session, self.selection)

    def refresh_codes(self, *numbers: int) -> None:
        for number in numbers:
            self.segment_list.view(number).refresh(layout=True)

    def say(self, message: str, *, error: bool = False) -> None:
        text = Text(message, style="bold red" if error else "bold", no_wrap=True,
                    overflow="ellipsis")
        self.query_one("#message", Static).update(text)

    def attempt(self, change: Callable[[], T]) -> T | None:
        """Run a change; a QcodeError (a busy project, a coding gone meanwhile) is shown on
        the message line instead of ending the screen."""
        try:
            return change()
        except QcodeError as exc:
            self.say(f"error: {exc}", error=True)
            return None

    # -- moving ------------------------------------------------------------------------------

    def _move(self, step: int) -> None:
        moved = self.attempt(lambda: self.session.move(step))
        if moved is None:
            return
        if not moved:
            self.say("first respondent segment" if step < 0 else "last respondent segment")
            return
        self.selection = None
        self.suggestion_index = 0
        self.say(HINTS)
        self.show_segment()

    def action_next_segment(self) -> None:
        self._move(1)

    def action_previous_segment(self) -> None:
        self._move(-1)

    # -- the codebook --------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one(SearchBox).focus()

    def action_codebook(self) -> None:
        self.code_tree.focus()

    def action_tree_cursor(self, step: int) -> None:
        if step > 0:
            self.code_tree.action_cursor_down()
        else:
            self.code_tree.action_cursor_up()

    def on_input_changed(self, event: Input.Changed) -> None:
        if not isinstance(event.input, SearchBox):
            return
        if event.value.strip():
            self.code_tree.show_matches(search_codes(self.session.codebook, event.value))
        elif self.code_tree.searching:
            self.code_tree.show_all()
        # The cursor may stay on line 0, which Textual does not report as a new highlight.
        self.show_definition(self.code_tree.code)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not isinstance(event.input, SearchBox):
            return
        code = self.code_tree.code
        if code is None:
            self.say(f"no code matches '{event.value}'", error=True)
            return
        self.apply(code)
        self.leave_search()

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data is not None:
            self.apply(event.node.data)
            self.segment_list.focus()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        self.show_definition(event.node.data)

    def show_definition(self, code_id: str | None) -> None:
        code = self.session.codebook.get(code_id or "")
        self.query_one("#definition", Static).update(definition(code) if code else "")

    def leave_search(self) -> None:
        box = self.query_one(SearchBox)
        box.value = ""
        self.code_tree.show_all()
        self.segment_list.focus()

    def action_clear(self) -> None:
        if self.focused is self.query_one(SearchBox) or self.code_tree.searching:
            self.leave_search()
        elif self.focused is self.code_tree:
            self.segment_list.focus()
        if self.selection is not None:
            self.selection = None
            self.show_segment()

    # -- coding ----------------------------------------------------------------------------

    def apply(self, code: str) -> None:
        span = self.selection
        where = f"{self.session.transcript.id}:{self.session.current}"
        try:
            coding = self.session.apply(code, span)
        except QcodeError as exc:
            self.say(f"error: {exc}", error=True)
            return
        if coding is None:
            self.say(f"{where} already has {code}" + (" on that span" if span else ""))
            return
        spanned = f" [{span.start}:{span.end}]" if span else ""
        self.say(f"coded {where} {code}{spanned} (u undoes)")
        self.selection = None
        self.refresh_codes(self.session.current)
        self.show_segment()

    def action_accept(self) -> None:
        suggestion = self._chosen_suggestion()
        if suggestion is None:
            return
        coding = self.attempt(lambda: self.session.accept(suggestion))
        if coding is not None:
            self.say(f"accepted {coding.code} on {coding.transcript}:{coding.segment} "
                     "(u undoes)")
            self.refresh_codes(self.session.current)
            self.show_segment()

    def action_reject(self) -> None:
        suggestion = self._chosen_suggestion()
        if suggestion is None:
            return
        if self.attempt(lambda: self.session.reject(suggestion)) is not None:
            self.say(f"rejected {suggestion.code} on {suggestion.transcript}:"
                     f"{suggestion.segment}")
            self.show_segment()

    def _chosen_suggestion(self) -> StoredSuggestion | None:
        pending = self.session.pending()
        if not pending:
            self.say("no pending suggestions for this segment")
            return None
        return pending[min(self.suggestion_index, len(pending) - 1)]

    def _step_suggestion(self, step: int) -> None:
        count = len(self.session.pending())
        if count:
            self.suggestion_index = (self.suggestion_index + step) % count
            self.show_segment()

    def action_next_suggestion(self) -> None:
        self._step_suggestion(1)

    def action_previous_suggestion(self) -> None:
        self._step_suggestion(-1)

    def _pick_coding(self, verb: str, then: Callable[[Coding], None]) -> None:
        """Act on the coder's one coding of the segment, or ask which when there are more."""
        own = self.session.own_codings()
        if not own:
            self.say(f"nothing to {verb}: segment {self.session.current} has no coding of "
                     f"{self.session.coder}'s")
            return
        if len(own) == 1:
            then(own[0])
            return

        def picked(index: int | None) -> None:
            if index is not None:
                then(own[index])

        self.push_screen(PickCodingScreen(f"Which coding to {verb}?", own), picked)

    def action_remove(self) -> None:
        def remove(coding: Coding) -> None:
            if self.attempt(lambda: self.session.remove(coding)) is not None:
                self.say(f"removed {coding.code} from {coding.transcript}:{coding.segment} "
                         "(u undoes)")
                self.refresh_codes(coding.segment)
                self.show_segment()

        self._pick_coding("remove", remove)

    def action_memo(self) -> None:
        def write(coding: Coding) -> None:
            def save(memo: str | None) -> None:
                if memo is None:
                    return
                if self.attempt(lambda: self.session.set_memo(coding, memo)) is not None:
                    self.say(f"memo saved on {coding.code} ({coding.transcript}:"
                             f"{coding.segment})")
                    self.refresh_codes(coding.segment)
                    self.show_segment()

            self.push_screen(MemoScreen(coding), save)

        self._pick_coding("write a memo on", write)

    def action_annotate(self) -> None:
        span = self.selection
        where = f"{self.session.transcript.id}:{self.session.current}" + (
            f" [{span.start}:{span.end}]" if span else "")

        def save(text: str | None) -> None:
            if text is None or not text.strip():
                return
            if self.attempt(lambda: self.session.annotate(text, span)) is not None:
                self.say(f"annotation saved on {where} (u undoes)")
                self.selection = None
                self.show_segment()

        self.push_screen(AnnotationScreen(where), save)

    def action_undo(self) -> None:
        if not self.session.undo_stack:
            self.say("nothing to undo in this session")
            return
        segment = self.session.undo_stack[-1].segment
        message = self.attempt(self.session.undo)
        if message is None:
            return
        self.say(message)
        self.selection = None
        self.refresh_codes(segment)
        self.show_segment()

    # -- spans ---------------------------------------------------------------------------

    def _select(self, span: Span | None) -> None:
        self.selection = span
        self.show_segment()

    def action_next_sentence(self) -> None:
        self._select(next_sentence(self.session.segment.text, self.selection, 1))

    def action_previous_sentence(self) -> None:
        self._select(next_sentence(self.session.segment.text, self.selection, -1))

    def action_span_end(self, step: int) -> None:
        self._select(move_end(self.session.segment.text, self.selection, step))

    def action_span_start(self, step: int) -> None:
        self._select(move_start(self.session.segment.text, self.selection, step))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())
