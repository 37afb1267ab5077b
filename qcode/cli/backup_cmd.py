"""backup."""

from __future__ import annotations

from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import note, open_project
from qcode.words import plural


@app.command()
def backup(
    ctx: typer.Context,
    destination: Path = typer.Argument(..., metavar="DEST", help="File for the copy, or a "
                                       "folder to put qcode.db in."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
) -> None:
    """Copy the project to DEST safely, even while others are coding in it.

    Uses SQLite's online backup: the copy is one consistent snapshot in one self-contained
    file that opens as a project (qcode --project DEST transcripts). An existing file is
    only replaced with --force.

    Example: qcode backup ../vh-studie-kopie.db
    """
    from qcode.store.backup import backup_project

    with open_project(ctx) as project:
        report = backup_project(project, destination, force=force)
    note(f"backed up {report.source} to {report.destination}: "
         f"{plural(report.transcripts, 'transcript')}, {plural(report.codings, 'coding')}, "
         f"{report.size / 1e6:.1f} MB")
