"""Helpers every command uses: opening the project and printing results."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from qcode.cli.layout import print_listing
from qcode.neutralise import message_text, terminal_text
from qcode.store import Project, find_project
from qcode.values import parse_segment

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class ListFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


FORMAT_OPTION = typer.Option(
    ListFormat.table, "--format", "-f", help="table for people; csv or jsonl for scripts."
)


WHERE_OPTION = typer.Option(
    [], "--where", metavar="ATTR=VALUE",
    help="Only transcripts whose respondent or transcript attribute has this value "
    "(ATTR!=VALUE: has not; ATTR=V1,V2: either); repeatable, all must hold.",
)


def open_project(ctx: typer.Context) -> Project:
    """The project named by --project, QCODE_PROJECT, or the nearest one upwards."""
    explicit: Path | None = (ctx.find_root().obj or {}).get("project")
    return find_project(explicit)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: ListFormat,
    *,
    columns: Sequence[str],
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print rows as a rich table, CSV or JSON lines (one object a line)."""
    if fmt is ListFormat.jsonl:
        for row in rows:
            sys.stdout.write(json_line(row))
        return
    if fmt is ListFormat.csv:
        from qcode.exports.table import write_csv

        write_csv(sys.stdout, columns,
                  [[None if row.get(c) is None else _csv_value(row.get(c)) for c in columns]
                   for row in rows])
        return
    if not rows:
        err_console.print(empty)
        return
    print_listing(console, rows, columns, title=title)


def screen_text(value: Any) -> Text:
    """A value for a table or panel on the terminal: never read as Rich markup (a
    transcript's "[lacht]" shows as written, a stray "[/i]" cannot break the table) and
    with control characters shown, not obeyed (see :func:`qcode.neutralise.terminal_text`)."""
    return Text(terminal_text("" if value is None else _flat(value)))


def inert(table: Table) -> Table:
    """``table`` with its title and column headings (which may be case or coder names)
    turned into plain text as :func:`screen_text` does for cells."""
    if isinstance(table.title, str):
        table.title = screen_text(table.title)
    for column in table.columns:
        if isinstance(column.header, str):
            column.header = screen_text(column.header)
    return table


# JSON keeps these as they are; written as escapes instead they cannot break a line apart
# (U+0085, U+2028), act on a terminal (C1 controls, bidi overrides) or fail to encode
# (a lone surrogate: a byte of a file name that is not UTF-8). Decoding gives them back.
_JSON_ESCAPED = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028"
                           "\u2029\ufffe\uffff\ud800-\udfff]")


def json_line(row: Any) -> str:
    """One JSON object on one line, for scripts: UTF-8 text as it is, except characters
    that could break the line or reach a terminal as commands, which are JSON escapes."""
    text = json.dumps(row, ensure_ascii=False)
    return _JSON_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _csv_value(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) \
        else _flat(value)


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
                        for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


segment_number = parse_segment
"""A segment number typed on the command line (see :func:`qcode.values.parse_segment`)."""


def note(message: str) -> None:
    """A message for the person at the terminal, on stderr, never wrapped, on one line
    with control characters shown (see :func:`qcode.neutralise.message_text`)."""
    typer.echo(message_text(message), err=True)
