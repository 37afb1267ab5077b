"""query | cooccur: questions about the codings."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    WHERE_OPTION,
    ListFormat,
    console,
    emit,
    note,
    open_project,
)
from qcode.errors import UsageError
from qcode.neutralise import terminal_text
from qcode.values import parse_where

if TYPE_CHECKING:
    from qcode.analysis.cooccur import Cooccurrence


class Unit(str, Enum):
    segment = "segment"
    transcript = "transcript"


class Level(str, Enum):
    top = "top"
    full = "full"


class Measure(Enum):
    count = "count"
    jaccard = "jaccard"


CODER_OPTION = typer.Option([], "--coder", "-c", help="Only these coders' codings "
                            "(repeatable; default: everyone's).")
UNIT_OPTION = typer.Option(Unit.segment, "--unit", help="segment (a respondent turn) or "
                           "transcript (a whole interview).")


@app.command("query")
def query(
    ctx: typer.Context,
    expression: str = typer.Argument(..., help="Codes with AND, OR, NOT and parentheses; "
                                     "a code includes its sub-codes, =code means exactly it."),
    unit: Unit = UNIT_OPTION,
    coder: list[str] = CODER_OPTION,
    where: list[str] = WHERE_OPTION,
    count_by: str | None = typer.Option(None, "--count-by", help="Print the matches per "
                                        "case, role or any attribute instead."),
    fmt: ListFormat = FORMAT_OPTION,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the matches to a "
                                       "file: .csv, .xlsx, .md, .docx or .html."),
) -> None:
    """The segments (or interviews) whose codes meet a coding query, with their text.

    NOT counts segments without the code, coded or not; --unit transcript asks whether
    the codes occur anywhere in an interview.

    Example: qcode query "trust.low AND governance.lead_organisation" --count-by case
    """
    from qcode.analysis import query as querying

    conditions = parse_where(where)
    if output is not None:
        querying.check_query_target(output)
    with open_project(ctx) as project:
        result = querying.run_query(project, expression, unit=unit.value, coders=coder,
                                    where=conditions)
        if count_by is not None:
            counts = querying.count_matches(project, result, count_by)
            rows = [{count_by: c.group, "matching": c.matching, "total": c.total,
                     "share": c.share, "respondents": c.respondents} for c in counts]
            emit(rows, fmt, columns=[count_by, "matching", "total", "share", "respondents"],
                 title=f"{unit.value}s meeting {expression} by {count_by}",
                 empty="no transcripts queried")
        elif output is not None:
            querying.write_matches(project, result, output)
        else:
            emit([querying.match_row(m, unit.value) for m in result.matches], fmt,
                 columns=list(querying.columns(unit.value)), title=f"{expression}",
                 empty="nothing meets the query")
    total = sum(result.units.values())
    within = f" of {len(result.units)} transcript(s)" if unit is Unit.segment else ""
    note(f"{len(result.matches)} of {total} {unit.value}(s){within} meet {expression}"
         + (f"; wrote them to {output}" if output else ""))


@app.command("cooccur")
def cooccur(
    ctx: typer.Context,
    unit: Unit = UNIT_OPTION,
    level: Level = typer.Option(Level.top, "--level", help="top (sub-codes count as their "
                                "top-level code) or full (every code as coded)."),
    measure: Measure = typer.Option(Measure.count, "--measure", help="count (units with both "
                                    "codes) or jaccard (both ÷ either)."),
    by: str | None = typer.Option(None, "--by", help="One table per case, role or any "
                                  "attribute."),
    coder: list[str] = CODER_OPTION,
    where: list[str] = WHERE_OPTION,
    fmt: ListFormat = FORMAT_OPTION,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the table: "
                                       ".xlsx or .md (code by code), .csv (pairs)."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the table as a heatmap: "
                                     ".png, .svg or .pdf."),
) -> None:
    """Which codes occur together: a code-by-code table of the respondent turns (or
    interviews) that carry both, as a count or as Jaccard's both ÷ either.

    csv and jsonl list the pairs that occur together: code_a, code_b, [group,] count,
    jaccard.

    Example: qcode cooccur --by case --measure jaccard
    """
    from qcode.analysis import cooccur as cooccurring

    conditions = parse_where(where)
    if plot is not None:
        from qcode.exports.plot import check_plot_target

        if by is not None:
            raise UsageError("--plot draws one table; leave out --by, or choose one group "
                             "with --where, e.g. --where case=NAME")
        check_plot_target(plot)
    if output is not None:
        cooccurring.check_cooccurrence_target(output)
    with open_project(ctx) as project:
        tables = cooccurring.cooccurrence(project, unit=unit.value, level=level.value,
                                          coders=coder, where=conditions, by=by)
    title = f"Co-occurrence of codes per {unit.value} ({measure.value}, {level.value} level)"
    if plot is not None:
        from qcode.exports.plot import write_matrix_plot

        write_matrix_plot(cooccurring.cooccurrence_frame(tables[0], measure.value), plot,
                          title=title, measure=measure.value)
        note(f"drew {len(tables[0].codes)} x {len(tables[0].codes)} codes in {plot}")
    if output is not None:
        cooccurring.write_cooccurrence(tables, output, measure=measure.value, by=by,
                                       title=title)
        note(f"wrote {len(tables)} table(s) of {len(tables[0].codes)} codes to {output}")
    if output is not None or plot is not None:
        return
    if fmt is not ListFormat.table:
        emit(cooccurring.pair_rows(tables, by), fmt, columns=cooccurring.pair_columns(by))
        return
    for table in tables:
        _print_matrix(table, measure.value, title if table.group is None
                      else f"{by} {table.group}")
    note(f"{unit.value}s in all: " + ", ".join(
        f"{t.group}: {t.units}" if t.group is not None else str(t.units) for t in tables)
        + "; 'units' counts those with the code; columns are numbered like the rows")


def _print_matrix(table: Cooccurrence, measure: str, title: str) -> None:
    """A code-by-code table whose columns are numbered like its rows; when even that is
    wider than the terminal, the pairs that occur together, most together first."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if not table.codes:
        note(f"{terminal_text(title)}: no codings")
        return
    size = len(table.codes)
    cell = max([3 if measure == "jaccard" else 1, len(str(size)),
                *(len(str(n)) for n in table.together.values())])
    code_width = min(max(len(c) for c in table.codes), 30)
    if len(str(size)) + code_width + 5 + 3 + (cell + 2) * size > console.width:
        _print_pairs(table, measure, title)
        return
    grid = Table(title=Text(terminal_text(title)), title_justify="left", box=box.SIMPLE_HEAD,
                 show_edge=False, padding=(0, 0, 0, 1))
    grid.add_column("#", justify="right", no_wrap=True, min_width=len(str(size)))
    grid.add_column("code", no_wrap=True, min_width=code_width)
    grid.add_column("units", justify="right", no_wrap=True, min_width=5)
    for number in range(1, size + 1):
        grid.add_column(str(number), justify="right", no_wrap=True, min_width=cell)
    for number, a in enumerate(table.codes, start=1):
        cells = []
        for b in table.codes:
            value = None if a == b else table.value(a, b, measure)
            if a == b:
                cells.append(Text("—", style="dim"))
            elif not value:
                cells.append(Text("·", style="dim"))
            else:
                cells.append(Text(f"{value:.0f}" if measure == "count" else _share(value)))
        grid.add_row(str(number), Text(terminal_text(a)), str(table.counts.get(a, 0)), *cells)
    console.print(grid)


def _print_pairs(table: Cooccurrence, measure: str, title: str) -> None:
    from qcode.analysis.cooccur import pair_rows

    rows = sorted(pair_rows([table], None), key=lambda r: -float(r[measure]))  # type: ignore[arg-type]
    emit(rows, ListFormat.table, columns=["code_a", "code_b", "count", "jaccard"], title=title,
         empty="no codes occur together")
    note(f"{len(table.codes)} codes make a table wider than the terminal: the pairs are "
         "listed instead; -o FILE.xlsx writes the table, --level top makes it smaller")


def _share(value: float) -> str:
    """A Jaccard coefficient in three characters: .29, and 1 for always together."""
    return "1" if value >= 1 else f"{value:.2f}".removeprefix("0")
