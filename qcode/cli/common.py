"""Helpers every command uses: opening the project and printing results."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from qcode.cli.layout import print_listing
from qcode.errors import CodingError
from qcode.store import Project, find_project

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class ListFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


FORMAT_OPTION = typer.Option(
    ListFormat.table, "--format", "-f", help="table for people; csv or jsonl for scripts."
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
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if fmt is ListFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _flat(row.get(c)) for c in columns])
        return
    if not rows:
        err_console.print(empty)
        return
    print_listing(console, rows, columns, title=title)


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
                        for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def segment_number(value: str) -> int:
    """A segment number typed on the command line, refused in qcode's own words."""
    text = value.strip()
    # isascii(): str.isdigit() also accepts "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise CodingError(f"segment {value!r} is not a segment number: segments are numbered "
                          "1, 2, 3 ... (see 'qcode show TRANSCRIPT')")
    return int(text)


def note(message: str) -> None:
    """A message for the person at the terminal, on stderr, never wrapped."""
    typer.echo(message, err=True)
