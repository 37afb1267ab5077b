"""report."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import note, open_project
from qcode.words import plural


class Language(str, Enum):
    nl = "nl"
    en = "en"


@app.command()
def report(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="The .html file to write."),
    lang: Language = typer.Option(Language.nl, "--lang", help="nl (Nederlands) or en."),
    coder: list[str] = typer.Option([], "--coder", "-c",
                                    help="Only these coders' codings (default: everyone's)."),
    then_by: str | None = typer.Option(None, "--then-by", help="Split each case by a second "
                                       "attribute, e.g. wave or year, to compare over time."),
    title: str = typer.Option("", "--title", help="The report's title (default: the project's "
                              "folder name)."),
) -> None:
    """Write the replication report: one self-contained HTML page with an overview,
    heatmaps, the Provan & Kenis typology per case, the flexibility agenda across cases,
    agreement between coders and the quotes per code. It loads nothing from elsewhere.

    Example: qcode report -o rapport.html --then-by wave
    """
    from qcode.report import write_report

    with open_project(ctx) as project:
        data = write_report(project, output, lang=lang.value, coders=coder, then_by=then_by,
                            title=title)
    quotes = sum(len(group.quotes) for group in data.quotes)
    note(f"wrote the report ({plural(len(data.typologies), 'case')}, {plural(quotes, 'quote')}) "
         f"to {output}")
