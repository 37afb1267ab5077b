"""Dialogs over the coding screen: the key list, going to a segment, a memo, picking one of
several codings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from qcode.cli.tag.keys import CODEBOOK_KEYS, SCREEN_KEYS
from qcode.models import Coding
from qcode.neutralise import terminal_text

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; padding: 0 1; background: $surface;
}}
"""


class HelpScreen(ModalScreen[None]):
    """Every key, from the same table the app binds; scrolls when the terminal is short."""

    DEFAULT_CSS = DIALOG_CSS.format(name="HelpScreen") + """
    HelpScreen VerticalScroll { height: auto; max-height: 85vh; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,enter", "close", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        self.table = table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key in (*SCREEN_KEYS, *CODEBOOK_KEYS):
            table.add_row(key.keys, key.description)
        with Vertical():
            yield Label(Text("Keys (↑/↓ PgUp/PgDn scroll, Esc closes)", style="bold"))
            with VerticalScroll(id="keys"):
                yield Static(table)

    def on_mount(self) -> None:
        # Focused, so the arrows and PgUp/PgDn scroll the list on a short terminal.
        self.query_one("#keys", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class GoToScreen(ModalScreen[int | None]):
    """Ask for a segment number; Enter goes there, Esc stays."""

    DEFAULT_CSS = DIALOG_CSS.format(name="GoToScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, last: int) -> None:
        super().__init__()
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Go to segment (1 to {self.last}); Enter goes, Esc stays",
                             style="bold"))
            yield Input(placeholder="segment number", id="number", restrict=r"[0-9]*")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        self.dismiss(int(value) if value.isdigit() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoScreen(ModalScreen[str | None]):
    """Write or change the memo on one coding; Enter saves, Esc cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="MemoScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, coding: Coding) -> None:
        super().__init__()
        self.coding = coding

    def compose(self) -> ComposeResult:
        c = self.coding
        with Vertical():
            yield Label(Text(f"Memo on {c.code} ({terminal_text(c.transcript)}:{c.segment}); "
                             "Enter saves, Esc cancels", style="bold"))
            yield Input(c.memo, placeholder="memo", id="memo")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickCodingScreen(ModalScreen[int | None]):
    """Choose one of the segment's codings; returns its index, or None on Esc."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PickCodingScreen") + """
    PickCodingScreen OptionList { height: auto; max-height: 12; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, codings: Sequence[Coding]) -> None:
        super().__init__()
        self.title_text = title
        self.codings = list(codings)

    def compose(self) -> ComposeResult:
        options = []
        for c in self.codings:
            span = f" [{c.start}:{c.end}]" if c.start is not None else ""
            memo = f"  ✎ {c.memo}" if c.memo else ""
            options.append(Text(f"{c.code}{span}{terminal_text(memo)}"))
        with Vertical():
            yield Label(Text(self.title_text + " (Enter chooses, Esc cancels)", style="bold"))
            yield OptionList(*options, id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
