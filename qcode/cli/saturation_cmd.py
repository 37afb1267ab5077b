"""saturation."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    ListFormat,
    console,
    emit,
    inert,
    note,
    open_project,
    screen_text,
)
from qcode.values import parse_percent, parse_where


class Level(str, Enum):
    full = "full"
    top = "top"


@app.command()
def saturation(
    ctx: typer.Context,
    by: str | None = typer.Option(None, "--by", help="One assessment per value of this "
                                  "attribute, e.g. case (default: all interviews together)."),
    order: str | None = typer.Option(None, "--order", help="Attribute that orders the "
                                     "interviews (default: date, else the transcript id)."),
    base: int = typer.Option(4, "--base", min=1, help="Interviews in the base."),
    run: int = typer.Option(2, "--run", min=1, help="Interviews in a run."),
    threshold: str = typer.Option("5", "--threshold", help="New-information threshold in "
                                  "percent of the base's codes."),
    level: Level = typer.Option(Level.full, "--level", help="full (codes as coded) or top "
                                "(sub-codes count as their top-level code)."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Only these coders' codings."),
    where: list[str] = typer.Option([], "--where", help="Only interviews with ATTR=VALUE "
                                    "(ATTR!=VALUE, ATTR=V1,V2); repeatable."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the curves: FILE.png, .svg "
                                     "or .pdf."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Thematic saturation (Guest, Namey & Chen 2020): did the interviews keep bringing
    new codes? Interviews in order; the base's codes; for each run after it, the codes
    first seen in the run as a share of the base's; saturated at the last interview of
    the first run at or below the threshold.

    Example: qcode saturation --by case
    """
    from qcode.analysis.saturation import Parameters, assess_saturation, percent

    parameters = Parameters(base=base, run=run,
                            threshold=parse_percent(threshold, option="--threshold"))
    conditions = parse_where(where)
    if plot is not None:
        from qcode.exports.plot import check_plot_target

        check_plot_target(plot)
    with open_project(ctx) as project:
        results = assess_saturation(project, by=by, order=order, level=level.value,
                                    coders=coder,
                                    where=conditions, parameters=parameters)
    if plot is not None:
        from qcode.exports.saturation_plot import SaturationCurve, write_saturation_plot

        write_saturation_plot(
            [SaturationCurve(r.group, [i.cumulative for i in r.interviews],
                             [len(i.new_codes) for i in r.interviews], r.parameters.base,
                             r.saturated_at, r.verdict) for r in results],
            plot, title=f"Saturation ({parameters.describe()}, level {level.value})")
        note(f"wrote {plot}")
    if fmt is not ListFormat.table:
        rows = []
        for result in results:
            for interview in result.interviews:
                run_here = result.run_ending_at(interview.position)
                rows.append({
                    "group": result.group, "position": interview.position,
                    "transcript": interview.transcript, "respondent": interview.respondent,
                    "order_value": interview.order_value, "codes": len(interview.codes),
                    "new_codes": len(interview.new_codes), "cumulative": interview.cumulative,
                    "new": list(interview.new_codes),
                    "run": f"{run_here.first}-{run_here.last}" if run_here else "",
                    "run_new_codes": run_here.new_codes if run_here else None,
                    "base_codes": result.base_codes,
                    "run_ratio": round(float(run_here.ratio), 4) if run_here else None,
                    "saturation_point": interview.position == result.saturated_at,
                    "status": result.status, "verdict": result.verdict,
                })
        emit(rows, fmt, columns=list(rows[0]) if rows else ["group", "verdict"])
        return
    for result in results:
        table = Table(title=screen_text(result.group), caption=screen_text(result.verdict),
                      caption_justify="left")
        dated = order or "date"
        for column in ("#", "transcript", dated, "codes", "new", "total", "run", "new in run"):
            table.add_column(column, no_wrap=True, justify="left" if column in
                             ("transcript", dated, "run") else "right")
        for i in result.interviews:
            run_here = result.run_ending_at(i.position)
            place = "base" if i.position <= result.parameters.base else ""
            share = ""
            if run_here is not None:
                place = f"{run_here.first}-{run_here.last}"
                star = " ★" if i.position == result.saturated_at else ""
                share = f"{run_here.new_codes}/{run_here.base_codes} {percent(run_here.ratio)}"
                share += star
            table.add_row(str(i.position), screen_text(i.transcript), screen_text(i.order_value),
                          str(len(i.codes)), str(len(i.new_codes)), str(i.cumulative), place,
                          share)
        console.print(inert(table))
        if result.left_out:
            note(f"{result.group}: not counted (no codings yet): {', '.join(result.left_out)}")
