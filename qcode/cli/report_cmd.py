"""report."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import WHERE_OPTION, note, open_project
from qcode.values import parse_where
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
    where: list[str] = WHERE_OPTION,
) -> None:
    """Write the replication report: one self-contained HTML page with an overview,
    heatmaps, the Provan & Kenis typology per case, the flexibility agenda across cases,
    agreement between coders and the quotes per code. It loads nothing from elsewhere.

    Example: qcode report -o rapport.html --then-by wave
    """
    from qcode.report import write_report

    conditions = parse_where(where)
    with open_project(ctx) as project:
        data = write_report(project, output, lang=lang.value, coders=coder, then_by=then_by,
                            title=title, where=conditions)
    quotes = sum(len(group.quotes) for group in data.quotes)
    note(f"wrote the report ({plural(len(data.typologies), 'case')}, {plural(quotes, 'quote')}) "
         f"to {output}")
    from qcode.analysis.matrix import MISSING_GROUP

    if any(t.case == MISSING_GROUP for t in data.typologies):
        note(f"note: some transcripts have no case; the report shows them as {MISSING_GROUP}. "
             "Set it with a case column in respondents.csv ('qcode import FILES --meta "
             "respondents.csv') or 'case:' in a transcript's front matter")
