"""export matrix | quotes."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from qcode.cli.app import app
from qcode.cli.common import WHERE_OPTION, console, inert, note, open_project, screen_text
from qcode.errors import ExportError
from qcode.values import parse_where

export_app = typer.Typer(help="Export matrices and quotes.", no_args_is_help=True)
app.add_typer(export_app, name="export")


class Measure(Enum):
    count = "count"
    presence = "presence"
    words = "words"


class Level(str, Enum):
    full = "full"
    top = "top"


@export_app.command("matrix")
def matrix(
    ctx: typer.Context,
    by: str = typer.Option("respondent", "--by", help="respondent, case, role, transcript, or "
                           "any respondent attribute."),
    measure: Measure = typer.Option(Measure.count, "--measure",
                                    help="count (coded segments), presence (0/1) or words."),
    level: Level = typer.Option(Level.full, "--level",
                                help="full (every code) or top (sub-codes rolled up)."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Only these coders."),
    then_by: str | None = typer.Option(None, "--then-by", help="Split every group by a second "
                                       "attribute, e.g. wave or year (columns 'case / wave')."),
    output: Path | None = typer.Option(None, "--output", "-o",
                                       help="File to write: .csv, .xlsx or .md."),
    plot: Path | None = typer.Option(None, "--plot", help="Also draw the matrix as a heatmap "
                                     "picture: .png, .svg or .pdf."),
    csv_out: bool = typer.Option(False, "--csv", help="Print CSV to stdout instead of a table."),
    where: list[str] = WHERE_OPTION,
) -> None:
    """Export a code-by-respondent (or by case, role, ...) matrix.

    Cells count coded segments, interviewer turns excluded. --plot draws a heatmap for a
    paper; --then-by wave compares cases over time.

    Example: qcode export matrix --by case --then-by wave --level top --plot matrix.png
    """
    from qcode.analysis.matrix import build_matrix

    conditions = parse_where(where)
    # Both targets are checked before anything is drawn, so a bad -o never leaves a
    # picture behind from a half-finished command.
    if plot is not None:
        from qcode.exports.plot import check_plot_target

        check_plot_target(plot)
    if output is not None:
        from qcode.exports import MATRIX_FORMATS
        from qcode.files import output_format

        output_format(output, "matrix", MATRIX_FORMATS)
    with open_project(ctx) as project:
        frame = build_matrix(project, by=by, measure=measure.value, level=level.value,
                             coders=coder, then_by=then_by, where=conditions)
    grouping = f"{by} / {then_by}" if then_by else by
    title = f"Codes by {grouping} ({measure.value})"
    if plot is not None:
        from qcode.exports.plot import too_many_rows, write_matrix_plot

        plotted, rolled_up = frame, False
        if too_many_rows(frame) and level is Level.full:
            # Too many codes to read in one picture: their top-level codes, counted as
            # --level top counts them, are.
            with open_project(ctx) as project:
                plotted = build_matrix(project, by=by, measure=measure.value, level="top",
                                       coders=coder, then_by=then_by)
            rolled_up = True
        drawn = write_matrix_plot(plotted, plot, title=title, measure=measure.value)
        note(f"drew {drawn.rows} codes x {drawn.columns} {grouping} groups in {plot}")
        if rolled_up:
            note(f"note: {len(frame)} codes are too many rows for one picture; the picture "
                 f"shows their {len(plotted)} top-level codes (sub-codes rolled up)")
        if drawn.rows_left_out or drawn.columns_left_out:
            note(f"note: left out of the picture, to keep it readable: "
                 f"{drawn.rows_left_out} code(s) and {drawn.columns_left_out} group(s) with "
                 "the fewest coded segments; -o FILE.csv or .xlsx has them all")
        if output is None and not csv_out:
            return
    if output is not None:
        from qcode.exports import write_matrix

        write_matrix(frame, output, title=title)
        note(f"wrote {len(frame)} codes x {len(frame.columns) - 1} {grouping} groups to {output}")
        return
    if csv_out:
        from qcode.exports import matrix_rows
        from qcode.exports.table import write_csv

        write_csv(sys.stdout, *matrix_rows(frame))
        return
    table = Table(title=title)
    table.add_column("code")
    for column in frame.columns[1:]:
        table.add_column(str(column), justify="right")
    for code, row in frame.iterrows():
        values = [Text(str(v)) if v else Text("·", style="dim") for v in row.iloc[1:]]
        table.add_row(screen_text(code), *values)
    console.print(inert(table))


@export_app.command("quotes")
def quotes(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o",
                                help="File to write: .csv, .xlsx, .md, .docx or .html."),
    code: list[str] = typer.Option([], "--code", help="Only this code and its sub-codes "
                                   "(repeatable)."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Only these coders."),
    transcript: list[str] = typer.Option([], "--transcript", "-t", help="Only these transcripts."),
    where: list[str] = WHERE_OPTION,
) -> None:
    """Export the coded quotes, with respondent, case, role and segment number.

    Example: qcode export quotes --code trust -o vertrouwen.docx
    """
    from qcode.analysis.quotes import collect_quotes
    from qcode.exports import write_quotes
    from qcode.store.codebook import require_codebook

    conditions = parse_where(where)
    with open_project(ctx) as project:
        found = collect_quotes(project, codes=code, coders=coder, transcripts=transcript,
                               where=conditions)
        codebook = require_codebook(project)
    if not found and not output.suffix:
        raise ExportError(f"{output}: give a file name with a suffix")
    title = "Citaten" + (f": {', '.join(code)}" if code else "")
    write_quotes(found, output, title=title, labels={c.id: c.label for c in codebook.codes})
    note(f"wrote {len(found)} quote(s) to {output}")
