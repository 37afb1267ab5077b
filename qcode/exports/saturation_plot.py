"""Saturation curves as a picture (.png, .svg, .pdf): per group, the distinct codes so far
after each interview, the new codes each interview brought, the base shaded and the
saturation point marked.

Drawn like the heatmaps (:mod:`qcode.exports.plot`): matplotlib only when a picture is
drawn, no pyplot, fixed date stamps, one atomic write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.errors import ExportError
from qcode.exports.plot import check_plot_target, plotting, save_figure

COLUMNS = 4
PANEL_INCHES = (3.4, 2.5)
LINE = "#08519c"
BARS = "#9ecae1"
MARK = "#b2182b"

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class SaturationCurve:
    """One group's interviews in order: distinct codes so far and new codes each."""

    group: str
    cumulative: Sequence[int]
    new: Sequence[int]
    base: int
    saturated_at: int | None
    """The position (1 = first interview) where saturation was reached, if it was."""
    verdict: str


def write_saturation_plot(
    curves: Sequence[SaturationCurve], path: Path, *, title: str = "",
    x_label: str = "interview (in order)", y_label: str = "distinct codes so far",
) -> None:
    """One panel per group (a grid of up to four across), written atomically.

    Raises ExportError for an unknown suffix, a missing folder or nothing to draw."""
    check_plot_target(path)
    drawn = [c for c in curves if c.cumulative]
    if not drawn:
        raise ExportError(f"{path}: no coded interviews to draw")
    with plotting():
        figure = _draw(drawn, title=title, x_label=x_label, y_label=y_label)
    save_figure(figure, path)


def _draw(curves: Sequence[SaturationCurve], *, title: str, x_label: str,
          y_label: str) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    columns = min(COLUMNS, len(curves))
    rows = math.ceil(len(curves) / columns)
    figure = Figure(figsize=(PANEL_INCHES[0] * columns, PANEL_INCHES[1] * rows + 0.4),
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes_grid = figure.subplots(rows, columns, squeeze=False, sharey=True)
    top = max(max(c.cumulative) for c in curves)
    for index, axes in enumerate(axes_grid.flat):
        if index >= len(curves):
            axes.set_visible(False)
            continue
        curve = curves[index]
        positions = list(range(1, len(curve.cumulative) + 1))
        if curve.base:
            axes.axvspan(0.5, min(curve.base, len(positions)) + 0.5, color="#f0f0f0", lw=0)
        axes.bar(positions, list(curve.new), color=BARS, width=0.6, label="new codes")
        axes.plot(positions, list(curve.cumulative), color=LINE, marker="o", markersize=3,
                  linewidth=1.5, label="codes so far")
        if curve.saturated_at is not None:
            point = curve.saturated_at
            axes.plot([point], [curve.cumulative[point - 1]], marker="*", markersize=13,
                      color=MARK, linestyle="none", label="saturation")
            axes.axvline(point, color=MARK, linewidth=0.8, linestyle="--")
        axes.set_title(curve.group, fontsize=9, loc="left")
        axes.text(0.02, 0.96, curve.verdict, transform=axes.transAxes, fontsize=6.5,
                  va="top", color="#444444", wrap=True)
        axes.set_ylim(0, top * 1.25 + 1)
        axes.set_xlim(0.4, max(len(positions), curve.base + 1) + 0.6)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(labelsize=7)
        for spine in ("top", "right"):
            axes.spines[spine].set_visible(False)
        if index % columns == 0:
            axes.set_ylabel(y_label, fontsize=8)
        if index >= (rows - 1) * columns:
            axes.set_xlabel(x_label, fontsize=8)
    handles, labels = axes_grid.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=7,
                  frameon=False)
    if title:
        figure.suptitle(title, fontsize=10, x=0.01, ha="left")
    return figure
