"""No input may make qcode take unbounded time, memory or output (issue 11, "Resources
bounded"): heatmap pictures of any codebook, REFI-QDA imports of any size, codebook
patterns that backtrack forever, and respondents files with many rows. The full-size
measurements are in ``bench/plot_size.py`` and ``bench/qdpx_import.py``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qcode.cli import app
from qcode.exports.plot import MAX_PIXELS, MAX_PLOT_COLUMNS, MAX_PLOT_ROWS, write_matrix_plot
from qcode.models import Segment
from qcode.refi.sources import Layout, PlacedSegment, SegmentRange, map_selection
from tests.conftest import INTERVIEW_ONE, MINI_CODEBOOK

runner = CliRunner()


def qcode(project: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--project", str(project), *args])


def ok(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result


# -- heatmap pictures --------------------------------------------------------------------


def test_a_picture_of_a_huge_matrix_is_bounded(tmp_path: Path) -> None:
    from PIL import Image

    rng = random.Random(3)
    codes = [f"thema{n:04d}" for n in range(5000)]
    groups = [f"R{n:03d}" for n in range(300)]
    counts = pd.DataFrame([[rng.choice((0, 0, 0, 1, 2)) for _ in groups] for _ in codes],
                          index=codes, columns=groups)
    counts.iloc[4321, 7] = 50  # the most coded code and group are always drawn
    counts.insert(0, "label", "Thema")
    picture = tmp_path / "groot.png"
    started = time.monotonic()
    drawn = write_matrix_plot(counts, picture, title="Codes per respondent")
    assert time.monotonic() - started < 20  # about 3 s; before: minutes and many GB
    assert (drawn.rows, drawn.columns) == (MAX_PLOT_ROWS, MAX_PLOT_COLUMNS)
    assert (drawn.rows_left_out, drawn.columns_left_out) == (4900, 220)
    with Image.open(picture) as image:
        width, height = image.size
    assert width * height <= MAX_PIXELS * 1.2  # "tight" trims or pads the figure a little


def test_a_large_codebook_is_rolled_up_to_its_top_level_codes(tmp_path: Path) -> None:
    lines = ["codebook: groot", "codes:"]
    for top in range(4):
        lines += [f"  thema{top}:", f"    label: Thema {top}", "    codes:"]
        lines += [f"      sub{sub:03d}:\n        label: Deelcode {sub}" for sub in range(40)]
    (tmp_path / "groot.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "interviews").mkdir()
    (tmp_path / "interviews" / "noord-r01.txt").write_text(INTERVIEW_ONE, encoding="utf-8")
    project = tmp_path / "project"
    ok(runner.invoke(app, ["init", str(project)]))
    ok(qcode(project, "import", str(tmp_path / "interviews")))
    ok(qcode(project, "codebook", "load", str(tmp_path / "groot.yaml")))
    ok(qcode(project, "codings", "add", "noord-r01", "2", "thema1.sub007"))
    result = ok(qcode(project, "export", "matrix", "--plot", str(tmp_path / "m.png")))
    assert "drew 4 codes x 1 group (respondent)" in result.stderr
    assert "164 codes are too many rows for one picture; the picture shows their 4 top-level " \
        "codes (sub-codes rolled up)" in result.stderr


# -- REFI-QDA selections -----------------------------------------------------------------


def brute_force(placed: list[PlacedSegment], start: int, end: int) -> list[SegmentRange]:
    """What a selection covers, by looking at every segment (the old, quadratic way)."""
    if end < start:
        start, end = end, start
    found = []
    for item in placed:
        if start == end:
            if item.start == item.end == start:
                found.append(SegmentRange(item.segment, None))
            continue
        low, high = max(start, item.start), min(end, item.end)
        if low < high:
            whole = low == item.start and high == item.end
            found.append(SegmentRange(item.segment, None if whole else
                                      (low - item.start, high - item.start)))
    return found


def placed_segments(lengths: list[int], gaps: list[int]) -> list[PlacedSegment]:
    placed, position = [], 0
    for number, (length, gap) in enumerate(zip(lengths, gaps, strict=False), start=1):
        position += gap
        placed.append(PlacedSegment(Segment(number, "R", "x" * length), position))
        position += length
    return placed


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=12),
       st.lists(st.integers(0, 3), min_size=12, max_size=12),
       st.integers(-2, 80), st.integers(-2, 80))
def test_selections_map_onto_the_same_segments_as_before(
    lengths: list[int], gaps: list[int], start: int, end: int
) -> None:
    placed = placed_segments(lengths, gaps)
    assert map_selection(Layout(placed), start, end) == brute_force(placed, start, end)


def test_mapping_selections_is_linear_not_quadratic() -> None:
    placed = placed_segments([40] * 20_000, [2] * 20_000)
    layout = Layout(placed)
    started = time.monotonic()
    for item in placed:
        map_selection(layout, item.start + 3, item.end)
    # 20,000 selections on 20,000 segments: 0.1 s; looking at every segment per
    # selection (400 million steps) took minutes.
    assert time.monotonic() - started < 5


# -- codebook patterns that backtrack ----------------------------------------------------


@pytest.mark.slow
def test_a_runaway_pattern_cannot_make_suggest_hang(tmp_path: Path) -> None:
    (tmp_path / "interviews").mkdir()
    (tmp_path / "interviews" / "t.txt").write_text(
        "I: Vraag?\n\nR: " + "a" * 28 + "b en " + "a" * 40 + "b. Het vertrouwen is goed.\n",
        encoding="utf-8")
    (tmp_path / "regels.yaml").write_text(
        "codebook: regels\ncodes:\n  trust:\n    label: Vertrouwen\n    patterns:\n"
        '      - [{LOWER: {REGEX: "^(a+)+$"}}]\n'      # the issue's: seconds per letter in re
        '      - [{LOWER: {REGEX: "^(a|aa)+$"}}]\n'    # backtracks in any engine
        '      - [{LOWER: {REGEX: "^vertrouw"}}]\n', encoding="utf-8")
    project = tmp_path / "project"
    ok(runner.invoke(app, ["init", str(project)]))
    ok(qcode(project, "import", str(tmp_path / "interviews")))
    ok(qcode(project, "codebook", "load", str(tmp_path / "regels.yaml")))
    started = time.monotonic()
    result = ok(qcode(project, "suggest", "--rules-only", "--min-score", "0", "--format",
                      "jsonl"))
    assert time.monotonic() - started < 10
    assert "vertrouwen" in result.stdout  # the sound pattern still works
    assert "pattern 2 of code trust: REGEX '^(a|aa)+$' on LOWER was stopped after 0.25 s on " \
        "the word 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…' and left out of this run; " \
        "simplify it" in result.stderr


# -- respondents files with many rows ----------------------------------------------------


def test_many_unlinked_respondent_rows_make_one_note(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "noord-r01.txt").write_text(INTERVIEW_ONE, encoding="utf-8")
    rows = ["respondent,transcript,case"] + [f"R{n:05d},later-{n:05d},Huis {n % 32}"
                                             for n in range(3000)]
    (folder / "respondents.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(MINI_CODEBOOK, encoding="utf-8")
    project = tmp_path / "project"
    ok(runner.invoke(app, ["init", str(project)]))
    result = ok(qcode(project, "import", str(folder)))
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1
    assert "3000 row(s) of the respondents file name a transcript that is not in the " \
        "project (yet): " in notes[0] and "respondents.csv:2 ('later-00000')" in notes[0]
    assert "and 2995 more" in notes[0]
