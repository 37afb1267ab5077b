"""Memos in the coding screen: a panel with the transcript's memos and the current turn's
annotations (every coder's), and the dialog ``M`` opens to annotate the turn or the
selected span."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from qcode.cli.tag.screens import DIALOG_CSS
from qcode.neutralise import terminal_text

if TYPE_CHECKING:
    from qcode.models import Memo
    from qcode.session.session import CodingSession

MEMOS_CSS = """
#memos { height: auto; max-height: 5; border-top: hkey $primary-darken-2; padding: 0 1;
         color: $text-muted; }
"""


def _line(memo: Memo, label: str) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"✎ {label} ", style="bold")
    # One line each: a long memo is cut here and read in full with 'qcode memo list'.
    line.append(terminal_text(memo.text).replace("\n", " ⏎ "))
    line.append(f"  ({memo.coder})", style="dim")
    return line


def memos_text(session: CodingSession) -> Text:
    """The transcript's memos, then the current turn's annotations; empty when none."""
    lines = [_line(m, "transcript") for m in session.transcript_memos]
    for memo in session.segment_memos.get(session.current, []):
        span = memo.target.span
        lines.append(_line(memo, f"seg {session.current}" +
                           (f" [{span[0]}:{span[1]}]" if span else "")))
    return Text("\n").join(lines)


class AnnotationScreen(ModalScreen[str | None]):
    """Write an annotation on a turn or a span; Enter saves, Esc cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AnnotationScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Annotation on {self.where} (a memo without a code); Enter "
                             "saves, Esc cancels", style="bold"))
            yield Input(placeholder="annotation", id="annotation")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
