"""Dialogs over the coding screen: the key list, a memo, picking one of several codings."""

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

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; padding: 0 1; background: $surface;
}}
"""


class HelpScreen(ModalScreen[None]):
    """Every key, from the same table the app binds."""

    DEFAULT_CSS = DIALOG_CSS.format(name="HelpScreen") + """
    HelpScreen VerticalScroll { height: auto; max-height: 100%; }
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
            yield Label(Text("Keys (Esc closes)", style="bold"))
            with VerticalScroll():
                yield Static(table)

    def action_close(self) -> None:
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
            yield Label(Text(f"Memo on {c.code} ({c.transcript}:{c.segment}); "
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
            options.append(Text(f"{c.code}{span}{memo}"))
        with Vertical():
            yield Label(Text(self.title_text + " (Enter chooses, Esc cancels)", style="bold"))
            yield OptionList(*options, id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)
