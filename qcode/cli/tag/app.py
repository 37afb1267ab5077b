"""The coding screen: ``qcode tag``. Draws a :class:`CodingSession` and forwards keys to it."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static, Tree

from qcode.cli.tag.keys import HINTS, SCREEN_KEYS
from qcode.cli.tag.memos import MEMOS_CSS, AnnotationScreen, memos_text
from qcode.cli.tag.screens import GoToScreen, HelpScreen, MemoScreen, PickCodingScreen
from qcode.cli.tag.transcript import TranscriptView
from qcode.cli.tag.widgets import (
    CodeTree,
    DefinitionView,
    SearchBox,
    StatusLine,
    SuggestionPanel,
)
from qcode.codebook.search import search_codes
from qcode.coding.assisted import StoredSuggestion
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.session.session import CodingSession
from qcode.session.spans import Span, move_end, move_start, next_sentence

T = TypeVar("T")

POLL_SECONDS = 1.0
"""How often the screen looks for codings made elsewhere (another coder, another command)."""
MESSAGE_FIRST = 0.5
"""Seconds a message stays before a change of focus may replace it with that part's keys."""
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                     if hasattr(signal, name))

CSS = """
Screen { layout: vertical; }
#main { height: 1fr; }
#left { width: 1fr; }
/* One rule for every width (no breakpoint), so the first layout is the final one and the
   transcript is wrapped once. */
#right { width: 30%; min-width: 34; max-width: 44; border-left: vkey $primary-darken-2; }
#transcript { height: 1fr; }
#suggestions { border-top: hkey $primary-darken-2; padding: 0 1; }
#search { height: 1; border: none; padding: 0 1; background: $boost; }
#search:focus { background: $accent 30%; }
#codes { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
#definition { height: auto; max-height: 7; border-top: hkey $primary-darken-2;
              padding: 0 1; scrollbar-size-vertical: 1; }
#definition:focus { border-top: hkey $accent; }
Screen.-definition #definition { height: 2fr; max-height: 100%; }
#status { height: 1; background: $primary-darken-2; }
#message { height: 1; color: $text-muted; padding: 0 0 0 1; }
""" + MEMOS_CSS


class TagApp(App[None]):
    """Full-screen coding of one transcript by one coder."""

    TITLE = "qcode tag"
    CSS = CSS
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
        self.count = ""
        """Digits typed for a jump (12 then Enter or g goes to segment 12)."""
        self._said_at = 0.0
        self.stopped_by: int | None = None
        """The signal (SIGTERM, SIGHUP) that ended the screen, if one did."""

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield TranscriptView(self.session, id="transcript")
                yield SuggestionPanel(self.session, id="suggestions")
                yield Static(id="memos")
            with Vertical(id="right"):
                yield SearchBox(placeholder="/ search codes", id="search")
                yield CodeTree(self.session)
                yield DefinitionView(id="definition")
        yield StatusLine(id="status")
        yield Static(id="message")

    def on_mount(self) -> None:
        self.code_tree.show_all()
        self.transcript.focus()
        self.watch(self.screen, "focused", self._focus_moved)
        self.set_interval(POLL_SECONDS, self.look_for_changes)
        self._catch_stop_signals()
        # After the first layout, so the pane's size is known when scrolling to the segment.
        self.call_after_refresh(self._first_draw)

    def _first_draw(self) -> None:
        self.show_segment(scroll=True)
        self.show_definition(self.code_tree.code)
        # What is loaded now (transcript, codebook, layout) lives as long as the screen;
        # keeping it out of the garbage collector's full sweeps keeps keys from stalling
        # (a sweep of a long interview's objects took some 80 ms).
        gc.freeze()

    def _catch_stop_signals(self) -> None:
        """SIGTERM and SIGHUP end the screen as 'q' does, so the terminal is given back as
        it was (no alternate screen, mouse reporting or hidden cursor left behind)."""
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            # Not possible outside the main thread or on every platform: then q only.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self._stop, number)

    def _stop(self, number: int) -> None:
        self.stopped_by = number
        self.exit()

    def on_unmount(self) -> None:
        gc.unfreeze()
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)

    # -- drawing ---------------------------------------------------------------------------

    @property
    def transcript(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    @property
    def code_tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    def show_segment(self, *, scroll: bool = False) -> None:
        """Redraw the current segment, its suggestions and the status line; ``scroll``
        brings the segment into view (after a move)."""
        session = self.session
        pending = session.pending()
        self.suggestion_index = min(self.suggestion_index, max(len(pending) - 1, 0))
        chosen = pending[self.suggestion_index] if pending else None
        self.transcript.mark(
            session.current, selection=self.selection,
            evidence=chosen.spans if chosen else (),
            evidence_colour=session.colour(chosen.code) if chosen else None, scroll=scroll)
        self.query_one(SuggestionPanel).show(pending, self.suggestion_index)
        memos = self.query_one("#memos", Static)
        written = memos_text(session)
        memos.update(written)
        memos.display = bool(written.plain)
        self.show_status()

    def show_status(self) -> None:
        self.query_one(StatusLine).show(self.session, self.selection, self.transcript.below())

    def say(self, message: str, *, error: bool = False) -> None:
        text = Text(message, style="bold red" if error else "bold", no_wrap=True,
                    overflow="ellipsis")
        self.query_one("#message", Static).update(text)
        self._said_at = time.monotonic()

    def hint(self) -> None:
        """The keys of the part that has the focus, on the message line."""
        focused = self.focused
        part = ("search" if isinstance(focused, SearchBox)
                else "codebook" if isinstance(focused, CodeTree)
                else "definition" if isinstance(focused, DefinitionView) else "transcript")
        self.query_one("#message", Static).update(
            Text(HINTS[part], style="dim", no_wrap=True, overflow="ellipsis"))

    def _focus_moved(self, focused: Widget | None) -> None:
        # What the key that moved the focus did ("coded ...") is worth more than the hint.
        if time.monotonic() - self._said_at > MESSAGE_FIRST:
            self.hint()

    def on_transcript_view_scrolled(self, event: TranscriptView.Scrolled) -> None:
        self.show_status()

    def attempt(self, change: Callable[[], T]) -> T | None:
        """Run a change; a QcodeError (a busy project, a coding gone meanwhile) is shown on
        the message line instead of ending the screen."""
        try:
            return change()
        except QcodeError as exc:
            self.say(f"error: {exc}", error=True)
            return None

    def look_for_changes(self) -> None:
        """Codings and suggestions another process wrote show without a key press."""
        changed = self.attempt(self.session.refresh)
        if changed:
            self.transcript.redraw_all()
            self.show_segment()

    # -- moving ------------------------------------------------------------------------------

    def _moved(self) -> None:
        self.selection = None
        self.suggestion_index = 0
        self.count = ""
        self.hint()
        self.show_segment(scroll=True)

    def _move(self, move: Callable[[], bool], at_end: str) -> None:
        self.count = ""
        moved = self.attempt(move)
        if moved is None:
            return
        if not moved:
            self.say(at_end)
            return
        self._moved()

    def action_next_segment(self) -> None:
        self._move(lambda: self.session.move(1), "last respondent segment")

    def action_previous_segment(self) -> None:
        self._move(lambda: self.session.move(-1), "first respondent segment")

    def action_next_uncoded(self, step: int) -> None:
        self._move(lambda: self.session.next_uncoded(step),
                   f"no respondent segment you have not coded {'after' if step > 0 else 'before'}"
                   " this one")

    def action_first(self) -> None:
        if self.count:
            self.go_to_number(int(self.count))
            return
        self._move(lambda: self._jump(self.session.first), "")

    def action_last(self) -> None:
        if self.count:
            self.go_to_number(int(self.count))
            return
        self._move(lambda: self._jump(self.session.last), "")

    def _jump(self, jump: Callable[[], None]) -> bool:
        jump()
        return True

    def action_digit(self, digit: int) -> None:
        self.count = (self.count + str(digit)).lstrip("0")[:6]
        if self.count:
            self.say(f"go to segment {self.count}: Enter or g goes there, Esc cancels")

    def action_go_to(self) -> None:
        last = self.session.segments[-1].number

        def chosen(number: int | None) -> None:
            if number is not None:
                self.go_to_number(number)

        self.push_screen(GoToScreen(last), chosen)

    def go_to_number(self, number: int) -> None:
        """Go to segment ``number``; for an interviewer turn, to the answer after it."""
        self.count = ""
        target = self.attempt(lambda: self.session.answer_at(number))
        if target is None:
            return
        self.session.go_to(target)
        self._moved()
        if target != number:
            self.say(f"segment {number} is the interviewer's; showing the answer, {target}")

    def go_to_segment(self, number: int) -> None:
        """A segment clicked with the mouse."""
        if number != self.session.current:
            self.go_to_number(number)

    # -- the codebook --------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one(SearchBox).focus()

    def action_codebook(self) -> None:
        if self.count:
            self.go_to_number(int(self.count))
            return
        # No code highlighted yet: a second Enter must not apply whatever is first.
        self.code_tree.focus()
        self.code_tree.no_choice()
        self.show_definition(None)

    def action_tree_cursor(self, step: int) -> None:
        if step > 0:
            self.code_tree.action_cursor_down()
        else:
            self.code_tree.action_cursor_up()

    def action_definition(self) -> None:
        self.screen.toggle_class("-definition")

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
            self.transcript.focus()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        self.show_definition(event.node.data)

    def show_definition(self, code_id: str | None) -> None:
        self.query_one(DefinitionView).show(self.session.codebook.get(code_id or ""))

    def leave_search(self) -> None:
        box = self.query_one(SearchBox)
        box.value = ""
        self.code_tree.show_all()
        self.transcript.focus()

    def action_clear(self) -> None:
        """Esc: one thing at a time. Leaving the search or the codebook keeps the span;
        in the transcript, Esc drops a number being typed, then the span."""
        focused = self.focused
        if isinstance(focused, SearchBox) or self.code_tree.searching:
            self.leave_search()
        elif isinstance(focused, CodeTree | DefinitionView):
            self.transcript.focus()
        elif self.count:
            self.count = ""
            self.hint()
        elif self.selection is not None:
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
        self.transcript.changed(self.session.current)
        self.show_segment()

    def action_accept(self) -> None:
        suggestion = self._chosen_suggestion()
        if suggestion is None:
            return
        span = self.selection
        coding = self.attempt(lambda: self.session.accept(suggestion, span))
        if coding is not None:
            spanned = f" [{span.start}:{span.end}]" if span else ""
            self.say(f"accepted {coding.code}{spanned} on {coding.transcript}:{coding.segment} "
                     "(u undoes)")
            self.selection = None
            self.transcript.changed(self.session.current)
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
                self.transcript.changed(coding.segment)
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
                    self.transcript.changed(coding.segment)
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
        before = self.session.current
        message = self.attempt(self.session.undo)
        if message is None:
            return
        self.say(message)
        self.selection = None
        self.transcript.changed(segment)
        self.show_segment(scroll=self.session.current != before)

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
