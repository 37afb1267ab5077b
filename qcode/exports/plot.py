"""A code matrix as a heatmap picture (.png, .svg, .pdf) for a paper or a slide.

matplotlib is imported only here, and only when a picture is drawn. The figure is drawn
without pyplot (no global state, no GUI backend): a plain ``Figure`` on the Agg canvas,
saved in the format the file name asks for. Pictures are reproducible: the same matrix
gives the same bytes, because the writers' date stamps and SVG id salt are fixed.

A picture is for reading, so its size is bounded whatever the codebook: at most
:data:`MAX_PLOT_ROWS` codes and :data:`MAX_PLOT_COLUMNS` groups are drawn (those with the
most coded segments, in their own order), names are cut to :data:`LABEL_CHARS`
characters, and large figures get fewer dots per inch; :class:`PlotOutcome` says what was
left out. Names are drawn literally: a ``$`` pair in a case name is not mathematics.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.errors import ExportError
from qcode.files import atomic_output, output_format
from qcode.neutralise import terminal_text

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
MAX_PLOT_ROWS = 100
MAX_PLOT_COLUMNS = 80
LABEL_CHARS = 40
DPI = 200
MAX_PIXELS = 8_000_000
"""A bound on the picture's size in pixels, so memory stays bounded: large figures are
drawn at fewer dots per inch instead."""


@dataclass(frozen=True)
class PlotOutcome:
    """What a picture shows of its matrix: rows and columns drawn, and how many of each
    were left out because a picture with more could not be read."""

    rows: int
    columns: int
    rows_left_out: int = 0
    columns_left_out: int = 0

@contextlib.contextmanager
def plotting() -> Iterator[None]:
    """Draw and save a figure the one way every qcode figure is made: names are user text,
    so a "$" pair in a case name is a dollar sign, not mathematics; the same figure gives
    the same SVG file run after run; and a character the font lacks is drawn as a box,
    which needs no warning on the researcher's screen."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "svg.hashsalt": "qcode"}), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def save_figure(figure: Figure, path: Path, *, dpi: int = 200) -> None:
    """Save ``figure`` to ``path`` (its suffix the format) through the one atomic writer,
    without date stamps or software versions: the same figure gives the same file."""
    suffix = check_plot_target(path)
    stamps: dict[str, dict[str, str | None]] = {
        ".png": {"Software": None},
        ".svg": {"Date": None},
        ".pdf": {"CreationDate": None, "ModDate": None},
    }
    with plotting(), atomic_output(path) as temporary:
        figure.savefig(temporary, format=suffix[1:], dpi=dpi, bbox_inches="tight",
                       metadata=stamps[suffix])


def too_many_rows(matrix: pd.DataFrame) -> bool:
    """True when ``matrix`` has more codes than a picture shows: roll sub-codes up into
    their top-level codes (``--level top``) before drawing it."""
    return len(matrix) > MAX_PLOT_ROWS


def check_plot_target(path: Path) -> str:
    """The picture format of ``path`` (``.png``, ``.svg`` or ``.pdf``), or an ExportError."""
    suffix = output_format(path, "picture", PLOT_FORMATS)
    if not path.parent.is_dir():
        raise ExportError(f"{path}: folder {path.parent} does not exist; create it first")
    return suffix


def write_matrix_plot(
    matrix: pd.DataFrame, path: Path, *, title: str = "", measure: str = "count"
) -> PlotOutcome:
    """Draw ``matrix`` (code ids as index, a ``label`` column, one column per group) as a
    heatmap: a sequential colour scale, the number in every cell, rows grouped by
    top-level code (a rule between groups, top-level codes in bold). Returns what was
    drawn and what was left out (see the module's description).

    Raises ExportError for an unknown suffix, a missing folder, an empty matrix or a
    failed write; nothing is left behind when drawing fails.
    """
    check_plot_target(path)
    counts = matrix.drop(columns="label")
    if counts.empty or not len(counts.columns):
        raise ExportError(f"{path}: the matrix has no codes or no groups; nothing to draw")
    shown = _most_coded(_most_coded(counts, MAX_PLOT_ROWS, axis=1), MAX_PLOT_COLUMNS, axis=0)
    outcome = PlotOutcome(rows=len(shown), columns=len(shown.columns),
                          rows_left_out=len(counts) - len(shown),
                          columns_left_out=len(counts.columns) - len(shown.columns))
    with plotting():
        figure = _draw(shown, title=title, measure=measure)
    width, height = figure.get_size_inches()
    dpi = min(DPI, int((MAX_PIXELS / (width * height)) ** 0.5))
    save_figure(figure, path, dpi=dpi)
    return outcome


def _most_coded(counts: pd.DataFrame, limit: int, *, axis: int) -> pd.DataFrame:
    """At most ``limit`` rows (``axis=1``: codes) or columns (``axis=0``: groups), those
    with the highest totals, in their own order."""
    totals = counts.sum(axis=axis)
    if len(totals) <= limit:
        return counts
    kept = set(totals.nlargest(limit, keep="first").index)
    if axis == 1:
        return counts.loc[[code for code in counts.index if code in kept]]
    return counts[[group for group in counts.columns if group in kept]]


def _label(name: object, limit: int = LABEL_CHARS) -> str:
    """A name as drawn: one line, control characters shown, at most ``limit`` long."""
    text = terminal_text(" ".join(str(name).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _draw(counts: pd.DataFrame, *, title: str, measure: str) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    values = counts.to_numpy(dtype=float)
    codes = [str(code) for code in counts.index]
    labels = [_label(code) for code in codes]
    groups = [_label(column) for column in counts.columns]
    rows, columns = values.shape
    width = 2.8 + CELL_INCHES * columns + max(len(c) for c in labels) * 0.07
    height = 1.6 + ROW_INCHES * rows + max(len(g) for g in groups) * 0.05
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    top = max(float(values.max()), 1.0)
    image = axes.imshow(values, cmap=COLORMAP, vmin=0, vmax=top, aspect="auto",
                        interpolation="nearest")
    # parse_math=False: a "$" in a case name is a dollar sign, not the start of a formula.
    axes.set_xticks(range(columns), labels=groups, rotation=45, ha="right",
                    rotation_mode="anchor", fontsize=8, parse_math=False)
    axes.set_yticks(range(rows), labels=labels, fontsize=8, parse_math=False)
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
        axes.set_title(_label(title, 3 * LABEL_CHARS), fontsize=10, loc="left",
                       parse_math=False)
    return figure
