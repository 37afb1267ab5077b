"""export matrix | quotes."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import WHERE_OPTION, ListFormat, console, emit, note, open_project
from qcode.cli.layout import print_listing
from qcode.errors import ExportError
from qcode.exports.language import word
from qcode.values import parse_where
from qcode.words import plural

export_app = typer.Typer(
    help="Export code matrices (csv, xlsx, md), quotes (csv, xlsx, md, docx, html), the "
    "project as REFI-QDA for other QDA programs (qdpx) and the codebook as a REFI-QDA "
    "codebook (qdc).",
    no_args_is_help=True,
)


class Language(str, Enum):
    nl = "nl"
    en = "en"


LANG_OPTION = typer.Option(Language.nl, "--lang", help="nl (Nederlands) or en: the language "
                           "of titles, counts, attributions and sheet names.")
# Group and measure names in a matrix title; attributes keep their own names.
_DUTCH = {"case": "casus", "role": "rol", "count": "aantal", "presence": "aanwezig",
          "words": "woorden"}
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
    fmt: ListFormat = typer.Option(ListFormat.table, "--format", "-f", help="On screen: table "
                                   "for people; csv or jsonl for scripts."),
    csv_out: bool = typer.Option(False, "--csv", hidden=True, help="Same as --format csv."),
    where: list[str] = WHERE_OPTION,
    lang: Language = LANG_OPTION,
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
    if lang is Language.nl:
        named = " / ".join(_DUTCH.get(part, part) for part in (by, then_by) if part)
        title = f"Codes per {named} ({_DUTCH[measure.value]})"
    else:
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
        note(f"drew {plural(drawn.rows, 'code')} x {plural(drawn.columns, 'group')} "
             f"({grouping}) in {plot}")
        if rolled_up:
            note(f"note: {len(frame)} codes are too many rows for one picture; the picture "
                 f"shows their {len(plotted)} top-level codes (sub-codes rolled up)")
        if drawn.rows_left_out or drawn.columns_left_out:
            note(f"note: left out of the picture, to keep it readable: "
                 f"{plural(drawn.rows_left_out, 'code')} and "
                 f"{plural(drawn.columns_left_out, 'group')} with "
                 "the fewest coded segments; -o FILE.csv or .xlsx has them all")
        if output is None and not csv_out:
            return
    if output is not None:
        from qcode.exports import write_matrix

        write_matrix(frame, output, title=title, lang=lang.value)
        note(f"wrote {plural(len(frame), 'code')} x {plural(len(frame.columns) - 1, 'group')} "
             f"({grouping}) to {output}")
        return
    if csv_out:
        fmt = ListFormat.csv
    if fmt is ListFormat.csv:
        from qcode.exports import matrix_rows
        from qcode.exports.table import write_csv

        write_csv(sys.stdout, *matrix_rows(frame))
        return
    groups = [str(column) for column in frame.columns[1:]]
    rows = [{"code": str(code), "label": row.iloc[0],
             **{g: _plain(v) for g, v in zip(groups, row.iloc[1:], strict=True)}}
            for code, row in frame.iterrows()]
    if fmt is ListFormat.jsonl:
        emit(rows, fmt, columns=["code", "label", *groups])
        return
    print_listing(console, rows, ["code", *groups], title=title)


def _plain(value: object) -> object:
    """A count from pandas as a plain int (or float), as JSON and the layout expect."""
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number


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
    lang: Language = LANG_OPTION,
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
    title = word(lang.value, "quotes") + (f": {', '.join(code)}" if code else "")
    write_quotes(found, output, title=title, labels={c.id: c.label for c in codebook.codes},
                 lang=lang.value)
    note(f"wrote {plural(len(found), 'quote')} to {output}")
