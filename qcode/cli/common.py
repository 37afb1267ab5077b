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
from rich.table import Table

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


WHERE_OPTION = typer.Option(
    [], "--where", metavar="ATTR=VALUE",
    help="Only transcripts whose respondent or transcript attribute has this value "
    "(ATTR!=VALUE: has not; ATTR=V1,V2: either); repeatable, all must hold.",
)


ID_COLUMNS = frozenset({"id", "code", "transcript"})
PROSE_COLUMNS = frozenset({"text", "evidence", "memo", "description", "keywords", "label"})


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
    table = Table(title=title, show_lines=False)
    for i, column in enumerate(columns):
        numeric = all(isinstance(row.get(column), int | float) for row in rows)
        widest = max(len(_flat(row.get(column, ""))) for row in rows)
        if numeric or i == 0 or column in ID_COLUMNS:
            # Ids and numbers are never cut or wrapped: people copy them into commands.
            table.add_column(column, justify="right" if numeric else "left", no_wrap=True,
                             min_width=min(widest, 40))
        elif column in PROSE_COLUMNS:
            table.add_column(column, overflow="fold", ratio=1, min_width=12)
        else:
            table.add_column(column, overflow="fold", max_width=max(len(column), 24))
    for row in rows:
        table.add_row(*("" if row.get(c) is None else _flat(row.get(c)) for c in columns))
    console.print(table)


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def note(message: str) -> None:
    """A message for the person at the terminal, on stderr, never wrapped."""
    typer.echo(message, err=True)
