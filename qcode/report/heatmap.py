"""Code matrices as HTML heatmaps: coloured cells with the counts, rows grouped by
top-level code, and the numbers as a CSV file embedded in the page as a ``data:`` link."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    import pandas as pd

# A sequential blue scale (light to dark), the same family as the --plot pictures.
SCALE: tuple[str, ...] = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6",
                          "#2171b5", "#08519c", "#08306b")
# The lightest colour a non-zero cell gets, so that a 1 among 40s is still visible.
FLOOR = 0.12
DARK_FROM = 0.6


def shade(value: float, top: float) -> tuple[str, str]:
    """(background, text colour) for ``value`` on a scale from 0 to ``top``."""
    if value <= 0 or top <= 0:
        return "", ""
    position = FLOOR + (1 - FLOOR) * min(value / top, 1.0)
    scaled = position * (len(SCALE) - 1)
    low = int(scaled)
    high = min(low + 1, len(SCALE) - 1)
    mix = scaled - low
    channels = [
        round(int(SCALE[low][i:i + 2], 16) * (1 - mix) + int(SCALE[high][i:i + 2], 16) * mix)
        for i in (1, 3, 5)
    ]
    background = "#" + "".join(f"{c:02x}" for c in channels)
    return background, "#ffffff" if position >= DARK_FROM else "#111111"


def cell_style(value: float, top: float) -> str:
    background, colour = shade(value, top)
    return f' style="background:{background};color:{colour}"' if background else ""


def legend(top: int, caption: str) -> str:
    stops = ", ".join(SCALE)
    return (
        f'<div class="legend"><span>{escape(caption)}: 0</span>'
        f'<span class="ramp" style="background:linear-gradient(to right, {stops})"></span>'
        f"<span>{top}</span></div>"
    )


def matrix_csv(matrix: pd.DataFrame) -> str:
    """The matrix as CSV text for Excel: code, label, then one column per group, written
    by the one table writer, so a case name cannot turn into a formula there."""
    from qcode.exports import matrix_rows
    from qcode.exports.table import write_csv

    buffer = io.StringIO()
    write_csv(buffer, *matrix_rows(matrix), lineterminator="\r\n")
    return buffer.getvalue()


def csv_link(matrix: pd.DataFrame, filename: str, text: str) -> str:
    """A link that saves the matrix as a CSV file, with no server and no script: the file
    travels inside the page. The UTF-8 byte-order mark lets Excel read "coöperatie"."""
    payload = quote("\ufeff" + matrix_csv(matrix), safe="")
    return (f'<a class="download" download="{escape(filename)}" '
            f'href="data:text/csv;charset=utf-8,{payload}">{escape(text)}</a>')


def heatmap(
    matrix: pd.DataFrame,
    *,
    caption: str,
    code_header: str,
    column_groups: Sequence[str] | None = None,
    column_titles: Mapping[str, str] | None = None,
    linked_codes: Mapping[str, str] | None = None,
    vertical: bool = False,
) -> str:
    """A table with one row per code (grouped by top-level code) and one column per group.

    ``column_groups`` (one per column) adds a header row that spans columns sharing a
    group (respondents of one case); ``linked_codes`` maps a code to the anchor its
    row links to (its quotes).
    """
    counts = matrix.drop(columns="label")
    columns = [str(c) for c in counts.columns]
    values = counts.to_numpy()
    top = int(values.max()) if values.size else 0
    lines = ['<div class="scroll">', '<table class="heatmap">', "<thead>"]
    if column_groups is not None:
        lines.append(f'<tr><th class="corner" scope="col">{escape(caption)}</th>')
        for group, span in _runs(column_groups):
            lines.append(f'<th class="group" colspan="{span}" scope="colgroup">'
                         f"{escape(group)}</th>")
        lines.append("</tr>")
    lines.append(f'<tr><th class="corner" scope="col">{escape(code_header)}</th>')
    for column in columns:
        title = (column_titles or {}).get(column, column)
        head = f"<span>{escape(column)}</span>"
        lines.append(f'<th scope="col" class="{"vertical" if vertical else "column"}" '
                     f'title="{escape(title)}">{head}</th>')
    lines += ["</tr>", "</thead>"]
    previous_top = None
    labels = matrix["label"].tolist()
    for i, code in enumerate(str(c) for c in counts.index):
        top_code = code.split(".", 1)[0]
        if top_code != previous_top:
            if previous_top is not None:
                lines.append("</tbody>")
            lines.append('<tbody class="group">')
            previous_top = top_code
        depth = code.count(".")
        name = escape(code)
        target = (linked_codes or {}).get(code)
        if target:
            name = f'<a href="#{escape(target)}">{name}</a>'
        lines.append(
            f'<tr class="depth-{min(depth, 3)}"><th scope="row">{name} '
            f'<span class="label">{escape(str(labels[i]))}</span></th>'
        )
        for j, column in enumerate(columns):
            value = int(values[i][j])
            tip = escape(f"{code} · {column}: {value}")
            shown = str(value) if value else '<span class="zero">·</span>'
            lines.append(f'<td{cell_style(value, top)} title="{tip}">{shown}</td>')
        lines.append("</tr>")
    if previous_top is not None:
        lines.append("</tbody>")
    lines += ["</table>", "</div>"]
    return "\n".join(lines)


def _runs(groups: Sequence[str]) -> list[tuple[str, int]]:
    """Consecutive equal groups as (group, how many)."""
    runs: list[tuple[str, int]] = []
    for group in groups:
        if runs and runs[-1][0] == group:
            runs[-1] = (group, runs[-1][1] + 1)
        else:
            runs.append((group, 1))
    return runs
