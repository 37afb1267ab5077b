"""A learning curve of the suggestions as a picture (.png, .svg, .pdf).

Drawn like the matrix heatmaps (:mod:`qcode.exports.plot`): matplotlib imported only
here, a plain ``Figure`` on the Agg canvas, no date stamps, written atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qcode.errors import ExportError
from qcode.exports.plot import check_plot_target, plotting, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from qcode.nlp.curve import LearningCurve


def write_curve_plot(curve: LearningCurve, path: Path, *, title: str = "") -> None:
    """Draw F1 against the number of coded transcripts: rules and model together (mean
    over orderings, with the range of the orderings shaded), their macro F1, and the
    rules alone. Raises ExportError for an unknown suffix, a missing folder or a curve
    without points."""
    check_plot_target(path)
    if not curve.points:
        raise ExportError(f"{path}: the learning curve has no points; nothing to draw")
    with plotting():
        figure = _draw(curve, title=title)
    save_figure(figure, path)


def _draw(curve: LearningCurve, *, title: str) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    sizes = [p.transcripts for p in curve.points]
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.fill_between(sizes, [p.lowest_micro_f1 for p in curve.points],
                      [p.highest_micro_f1 for p in curve.points], color="#1f77b4", alpha=0.15,
                      linewidth=0, label=f"range over {curve.orderings} orderings")
    axes.plot(sizes, [p.micro_f1 for p in curve.points], marker="o", color="#1f77b4",
              label="rules and model, micro F1")
    axes.plot(sizes, [p.macro_f1 for p in curve.points], marker="s", linestyle="--",
              color="#1f77b4", alpha=0.7, label="rules and model, macro F1")
    axes.plot(sizes, [p.rules_micro_f1 for p in curve.points], linestyle=":",
              color="#d62728", label="rules alone, micro F1")
    axes.set_xlabel("coded transcripts trained on (0: the codebook alone)")
    axes.set_ylabel(f"F1 on the other transcripts ({curve.level} level)")
    axes.set_ylim(0, 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    if title:
        axes.set_title(title, fontsize=10, loc="left")
    return figure
