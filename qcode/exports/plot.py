"""A code matrix as a heatmap picture (.png, .svg, .pdf) for a paper or a slide.

matplotlib is imported only here, and only when a picture is drawn. The figure is drawn
without pyplot (no global state, no GUI backend): a plain ``Figure`` on the Agg canvas,
saved in the format the file name asks for. Pictures are reproducible: the same matrix
gives the same bytes, because the writers' date stamps and SVG id salt are fixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qcode.errors import ExportError
from qcode.files import atomic_output, output_format

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

PLOT_FORMATS: tuple[str, ...] = (".png", ".svg", ".pdf")
MEASURE_NAMES = {"count": "coded segments", "presence": "present (1) or not (0)",
                 "words": "coded words"}
# Beyond this many cells the numbers would be too small to read: colour alone tells.
MAX_ANNOTATED_CELLS = 3000
CELL_INCHES = 0.42
ROW_INCHES = 0.26
COLORMAP = "Blues"


def check_plot_target(path: Path) -> str:
    """The picture format of ``path`` (``.png``, ``.svg`` or ``.pdf``), or an ExportError."""
    suffix = output_format(path, "picture", PLOT_FORMATS)
    if not path.parent.is_dir():
        raise ExportError(f"{path}: folder {path.parent} does not exist; create it first")
    return suffix


def write_matrix_plot(
    matrix: pd.DataFrame, path: Path, *, title: str = "", measure: str = "count"
) -> None:
    """Draw ``matrix`` (code ids as index, a ``label`` column, one column per group) as a
    heatmap: a sequential colour scale, the number in every cell, rows grouped by
    top-level code (a rule between groups, top-level codes in bold).

    Raises ExportError for an unknown suffix, a missing folder, an empty matrix or a
    failed write; nothing is left behind when drawing fails.
    """
    suffix = check_plot_target(path)
    counts = matrix.drop(columns="label")
    if counts.empty or not len(counts.columns):
        raise ExportError(f"{path}: the matrix has no codes or no groups; nothing to draw")
    figure = _draw(counts, title=title, measure=measure)
    # No date stamps or software versions: the same matrix gives the same file.
    stamps: dict[str, dict[str, str | None]] = {
        ".png": {"Software": None},
        ".svg": {"Date": None},
        ".pdf": {"CreationDate": None, "ModDate": None},
    }
    metadata = stamps[suffix]
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "qcode"}), atomic_output(path) as temporary:
        figure.savefig(temporary, format=suffix[1:], dpi=200, bbox_inches="tight",
                       metadata=metadata)


def _draw(counts: pd.DataFrame, *, title: str, measure: str) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    values = counts.to_numpy(dtype=float)
    codes = [str(code) for code in counts.index]
    groups = [str(column) for column in counts.columns]
    rows, columns = values.shape
    width = 2.8 + CELL_INCHES * columns + max(len(c) for c in codes) * 0.07
    height = 1.6 + ROW_INCHES * rows + max(len(g) for g in groups) * 0.05
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    top = max(float(values.max()), 1.0)
    image = axes.imshow(values, cmap=COLORMAP, vmin=0, vmax=top, aspect="auto",
                        interpolation="nearest")
    axes.set_xticks(range(columns), labels=groups, rotation=45, ha="right",
                    rotation_mode="anchor", fontsize=8)
    axes.set_yticks(range(rows), labels=codes, fontsize=8)
    for tick, code in zip(axes.get_yticklabels(), codes, strict=True):
        if "." not in code:
            tick.set_fontweight("bold")
    # Rules between top-level groups make the codebook's structure visible.
    for row in range(1, rows):
        if codes[row].split(".", 1)[0] != codes[row - 1].split(".", 1)[0]:
            axes.axhline(row - 0.5, color="#555555", linewidth=0.8)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    if rows * columns <= MAX_ANNOTATED_CELLS:
        for row in range(rows):
            for column in range(columns):
                value = values[row, column]
                if value:
                    dark = value > 0.55 * top
                    axes.text(column, row, f"{value:g}", ha="center", va="center", fontsize=7,
                              color="white" if dark else "#1a1a1a")
    bar = figure.colorbar(image, ax=axes, shrink=min(1.0, 6 / max(rows, 1) + 0.3), pad=0.02)
    bar.set_label(MEASURE_NAMES.get(measure, measure), fontsize=8)
    # Counts are whole numbers: a scale reading 2.5 segments would puzzle a reader.
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar.ax.tick_params(labelsize=7)
    if title:
        axes.set_title(title, fontsize=10, loc="left")
    return figure
