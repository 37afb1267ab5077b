"""Every listing fits 80 columns: headers and ids whole, text wrapped between words."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from qcode.cli import app
from qcode.cli.layout import ShownSegment, listing, segments_listing
from qcode.demo import run_demo

runner = CliRunner()
WIDTH = 80


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("layout") / "demo"
    run_demo(out)
    # Pending suggestions to list, as a coder would have after 'qcode suggest'.
    result = runner.invoke(app, ["--project", str(out), "suggest", "--rules-only", "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    return out


def run(project: Path, args: list[str], monkeypatch: pytest.MonkeyPatch, width: int = WIDTH) -> Any:
    # Piped output is laid out for 80 columns, as Rich does without a terminal. COLUMNS,
    # not the console's width: setting that would stay behind for later tests.
    result = runner.invoke(app, ["--project", str(project), *args], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result


def whole(output: str, value: str) -> bool:
    """``value`` stands in ``output`` as a word of its own, not cut or run into another."""
    return re.search(rf"(?<![\w.\-:]){re.escape(value)}(?![\w.\-])", output) is not None


# (arguments, headers that must show, fields of the jsonl rows that are ids or numbers)
LISTINGS = [
    (["transcripts"], ["id", "respondent", "case", "role", "segments", "words"],
     ["id", "respondent", "role", "segments", "words"]),
    (["codings", "list"], ["transcript", "segment", "code", "coder", "provenance", "span", "memo"],
     ["transcript", "segment", "code", "coder", "provenance"]),
    (["suggest", "--rules-only"], ["transcript", "segment", "code", "score", "method", "evidence"],
     ["transcript", "segment", "code", "method"]),
    (["agreement"], ["code", "label", "units", "coded", "agreement", "kappa", "alpha"],
     ["code", "n_units", "coded_units"]),
    (["agreement", "--level", "full"], ["code", "label", "units", "coded", "agreement", "kappa",
                                        "alpha"], ["code", "n_units", "coded_units"]),
    (["disagreements"], ["transcript", "segment", "differ", "b", "ref", "text"],
     ["transcript", "segment", "differ"]),
    (["codebook", "show", "--format", "table"], ["id", "label", "parent", "level"],
     ["id", "parent", "level"]),
]


@pytest.mark.parametrize(("args", "headers", "ids"), LISTINGS,
                         ids=[" ".join(args) for args, _, _ in LISTINGS])
def test_listing_fits_80_columns_with_headers_and_ids_whole(
    demo: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], headers: list[str],
    ids: list[str],
) -> None:
    shown = run(demo, args, monkeypatch).stdout
    assert shown.strip(), args
    assert max(len(line) for line in shown.splitlines()) <= WIDTH
    assert "…" not in shown
    for header in headers:
        assert whole(shown, header), f"header {header!r} of {args} is not whole"
    listed = runner.invoke(app, ["--project", str(demo), *args, "--format", "jsonl"]).stdout
    rows = [json.loads(line) for line in listed.splitlines()]
    assert rows
    for row in rows:
        for field in ids:
            values = row[field] if isinstance(row[field], list) else [row[field]]
            for value in values:
                if value not in (None, ""):
                    assert whole(shown, str(value)), f"{field} {value!r} of {args} is cut"


def test_words_are_never_broken_inside_a_column(demo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    shown = run(demo, ["transcripts"], monkeypatch).stdout
    for word in ("Veiligheidshuis", "Noordrand", "Rivierstad", "politie-basisteam"):
        assert whole(shown, word), word
    # One transcript a row, its case wrapped beside it.
    lines = shown.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("noordrand-r01"))
    assert lines[first].split() == ["noordrand-r01", "R01", "Veiligheidshuis", "manager", "54",
                                    "1900"]
    assert lines[first + 1].split() == ["Noordrand"]


def test_agreement_labels_and_negative_figures_show_in_full(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = run(demo, ["agreement"], monkeypatch).stdout
    trust = next(line for line in shown.splitlines() if line.startswith("trust "))
    assert "Onderling vertrouwen" in trust
    assert trust.split()[-3:] == ["90.6%", "0.772", "0.774"]
    rows = [{"code": "trust.low", "label": "Laag vertrouwen", "kappa": "-0.031",
             "alpha": "-0.029"}]
    text = listing(rows, ["code", "label", "kappa", "alpha"], width=WIDTH).plain
    assert "-0.031" in text and "-0.029" in text


def test_show_gives_every_code_whole_with_its_coders(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = run(demo, ["show", "noordrand-r02"], monkeypatch).stdout
    assert max(len(line) for line in shown.splitlines()) <= WIDTH
    assert "■ dialogue.contact (b, ref)  ■ trust.information_sharing (b)" in shown
    rows = [json.loads(line) for line in runner.invoke(
        app, ["--project", str(demo), "show", "noordrand-r02", "--format", "jsonl"]).stdout
        .splitlines()]
    for row in rows:
        for code in row["codes"]:
            assert whole(shown, code), code
    assert rows[5]["coders"] == [["b", "ref"], ["b"]]
    table = run(demo, ["show", "noordrand-r02", "--format", "table"], monkeypatch).stdout
    assert table == shown


def test_a_table_too_wide_for_its_columns_becomes_records() -> None:
    rows = [{"code": "trust.information_sharing.written", "transcript": "noordrand-r01",
             "segment": 4, "memo": "mondeling, na het casusoverleg"}]
    columns = list(rows[0])
    narrow = listing(rows, columns, width=45).plain.splitlines()
    assert narrow == [
        "code        trust.information_sharing.written",
        "transcript  noordrand-r01",
        "segment     4",
        "memo        mondeling, na het casusoverleg",
    ]
    wide = listing(rows, columns, width=140).plain.splitlines()
    assert wide[0].split() == columns and len(wide) == 3


def test_text_goes_under_the_row_when_beside_it_would_be_too_narrow() -> None:
    memo = "brengt politie-informatie in, zet afspraken uit in de politieorganisatie"
    rows = [{"transcript": "noordrand-r02", "segment": 6, "code": "trust.information_sharing",
             "coder": "b", "memo": memo}]
    lines = listing(rows, list(rows[0]), width=70).plain.splitlines()
    assert lines[0].split() == ["transcript", "segment", "code", "coder"]
    assert lines[2].split() == ["noordrand-r02", "6", "trust.information_sharing", "b"]
    assert lines[3].startswith("    memo  brengt politie-informatie in")
    assert " ".join(line.strip() for line in lines[3:]).replace("memo  ", "") == memo


def test_segments_listing_puts_the_speaker_on_its_own_line_when_narrow() -> None:
    segment = ShownSegment(12, "Operationeel specialist", "Ik zit drie dagen in het huis.",
                           False, (("trust.colocation", ("ref",)),))
    console = Console(width=40, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(segments_listing("t", [segment], width=40), no_wrap=True, crop=False)
    lines = console.export_text().splitlines()
    assert lines[2] == "12  Operationeel specialist"
    assert lines[3].strip() == "Ik zit drie dagen in het huis."
    assert lines[4].strip() == "■ trust.colocation (ref)"
