"""Every key of the coding screen, in one table: the app binds them, ``?`` lists them and
the README documents them, so the three cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    keys: str
    """The keys as a person reads them (and as the README lists them)."""
    description: str
    bindings: tuple[tuple[str, str], ...] = ()
    """(Textual key name, app action) pairs; empty when the focused widget handles the
    key itself."""


DIGITS = tuple((str(d), f"digit({d})") for d in range(10))

SCREEN_KEYS: tuple[Key, ...] = (
    Key("n / ↓ / j", "next respondent segment",
        (("n", "next_segment"), ("down", "next_segment"), ("j", "next_segment"))),
    Key("p / ↑ / k", "previous respondent segment",
        (("p", "previous_segment"), ("up", "previous_segment"), ("k", "previous_segment"))),
    Key("N / P", "next or previous respondent segment you have not coded",
        (("N", "next_uncoded(1)"), ("P", "next_uncoded(-1)"))),
    Key("g / Home", "first respondent segment (a number, then g: that segment)",
        (("g", "first"), ("home", "first"))),
    Key("G / End", "last respondent segment", (("G", "last"), ("end", "last"))),
    Key(": / 12 Enter", "go to a segment by its number", (("colon", "go_to"), *DIGITS)),
    Key("PgDn / PgUp", "scroll the transcript a page: read a long segment to its end"),
    Key("/", "search the codebook by id, Dutch label or keyword", (("slash", "search"),)),
    Key("Enter", "go to the codebook (↑/↓ choose a code, Enter applies it)",
        (("enter", "codebook"),)),
    Key("a", "accept the highlighted suggestion (on the span, when one is selected)",
        (("a", "accept"),)),
    Key("x", "reject the highlighted suggestion", (("x", "reject"),)),
    Key("] / [", "highlight the next or previous suggestion",
        (("right_square_bracket", "next_suggestion"),
         ("left_square_bracket", "previous_suggestion"))),
    Key("s / S", "select the next or previous sentence as the span",
        (("s", "next_sentence"), ("S", "previous_sentence"))),
    Key("Shift+→ / Shift+←", "widen or narrow the span by a word at its end",
        (("shift+right", "span_end(1)"), ("shift+left", "span_end(-1)"))),
    Key("Shift+↓ / Shift+↑", "move the span's start a word later or earlier",
        (("shift+down", "span_start(1)"), ("shift+up", "span_start(-1)"))),
    Key("Esc", "leave the search or the codebook; in the transcript, clear the span",
        (("escape", "clear"),)),
    Key("d", "remove a code of yours from the segment", (("d", "remove"),)),
    Key("m", "write a memo on a coding of yours on the segment", (("m", "memo"),)),
    Key("M", "annotate the segment or span: a memo that carries no code", (("M", "annotate"),)),
    Key("u", "undo the last action (again for the one before)", (("u", "undo"),)),
    Key("i", "the highlighted code's whole definition (again to make it small)",
        (("i", "definition"),)),
    Key("Tab", "switch between transcript, search box, codebook and definition"),
    Key("?", "show all keys", (("question_mark", "help"),)),
    Key("q", "quit (everything is already saved)", (("q", "quit"),)),
)

CODEBOOK_KEYS: tuple[Key, ...] = (
    Key("↑ / ↓", "codebook: move through codes (definition below)"),
    Key("Enter", "codebook: apply the code to the segment or span"),
    Key("Space", "codebook: fold or unfold a code's sub-codes"),
)

HINTS = {
    "transcript": "n/p move  N/P uncoded  :N go to  / search  a/x suggest  u undo  ? keys  "
                  "q quit",
    "search": "type to search  ↑/↓ choose  Enter applies  Esc back to the transcript",
    "codebook": "↑/↓ choose  Enter applies  Space folds  Esc back to the transcript",
    "definition": "↑/↓ PgUp/PgDn scroll the definition  i bigger/smaller  Esc back",
}
"""The hint line under the screen, for the part that has the focus."""
