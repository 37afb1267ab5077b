"""agreement | disagreements | reconcile | merge: working with several coders."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    segment_number,
)
from qcode.values import parse_mapping, parse_where
from qcode.words import plural

if TYPE_CHECKING:
    from qcode.analysis.agreement import AgreementReport, CodeAgreement


class Level(str, Enum):
    top = "top"
    full = "full"


CODERS_OPTION = typer.Option(
    [], "--coders", help="Coders to compare: --coders ref b (or ref,b); default: every "
    "coder but 'consensus'."
)
MORE_CODERS = typer.Argument(
    None, metavar="CODER", show_default=False,
    help="Coders to compare, as with --coders (so '--coders ref b' works).",
)
CODE_OPTION = typer.Option(
    [], "--code", help="Only this code (at --level full: with its sub-codes); repeatable."
)
LEVEL_OPTION = typer.Option(
    Level.top, "--level", help="top (sub-codes count as their top-level code) or full."
)
STATISTICS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha")


@app.command("agreement")
def agreement(
    ctx: typer.Context,
    more: list[str] | None = MORE_CODERS,
    coders: list[str] = CODERS_OPTION,
    code: list[str] = CODE_OPTION,
    level: Level = LEVEL_OPTION,
    where: list[str] = WHERE_OPTION,
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Inter-coder agreement per code and overall: percent agreement, Cohen's kappa
    (two coders) and Krippendorff's alpha (nominal).

    Units are the respondent turns of the transcripts every compared coder has coded;
    each code is present or absent per unit. The pooled row treats every code x unit
    pair as one decision; the mean row averages the per-code figures.

    Example: qcode agreement --coders ref b --level top
    """
    from qcode.analysis.agreement import agreement_report

    conditions = parse_where(where)
    with open_project(ctx) as project:
        report = agreement_report(project, coders=_coders(coders, more), codes=code,
                                  level=level.value, where=conditions)
    note(f"{', '.join(report.coders)} on {report.n_units} respondent segments of "
         f"{plural(len(report.transcripts), 'transcript')}: {', '.join(report.transcripts)}")
    if fmt is ListFormat.table:
        _print_table(report)
        return
    rows: list[dict[str, Any]] = []
    for row in report.rows:
        entry: dict[str, Any] = {"code": row.code, "label": row.label, "n_units": row.n_units,
                                 "coded_units": row.coded_units}
        for statistic, why in zip(STATISTICS, _reasons(row), strict=True):
            entry[statistic] = getattr(row, statistic)
            entry[f"{statistic}_undefined"] = why
        rows.append(entry)
    columns = ["code", "label", "n_units", "coded_units", *STATISTICS,
               *(f"{s}_undefined" for s in STATISTICS)]
    emit(rows, fmt, columns=columns)


def _coders(named: list[str], more: list[str] | None) -> list[str]:
    """``--coders ref b`` leaves ``b`` as an argument; ``--coders ref,b`` works too."""
    return [name.strip() for value in [*named, *(more or [])] for name in value.split(",")
            if name.strip()]


def _reasons(row: CodeAgreement) -> tuple[str, str, str]:
    return row.percent_undefined, row.kappa_undefined, row.alpha_undefined


def _print_table(report: AgreementReport) -> None:
    from qcode.cli.layout import print_listing

    undefined: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []
    for row in report.rows:
        entry: dict[str, Any] = {"code": row.code, "label": row.label, "units": row.n_units,
                                 "coded": row.coded_units}
        for name, statistic, why in zip(("agreement", "kappa", "alpha"), STATISTICS,
                                        _reasons(row), strict=True):
            value = getattr(row, statistic)
            entry[name] = _shown(value, percent=statistic == STATISTICS[0])
            if value is None:
                undefined.setdefault(why, []).append(f"{row.code} {name}")
        rows.append(entry)
    print_listing(console, rows, ["code", "label", "units", "coded", "agreement", "kappa",
                                  "alpha"],
                  title=f"Agreement ({report.level} level, {' vs '.join(report.coders)})")
    note("units: respondent segments (pooled: segment x code decisions); coded: units "
         "with the code from at least one coder")
    for why, where in undefined.items():
        note(f"n/a, undefined ({why}): {', '.join(where)}")
    if report.unused_codes:
        note(f"{plural(len(report.unused_codes), 'code')} applied by no coder on these segments "
             f"(left out): {', '.join(report.unused_codes)}")


def _shown(value: float | None, *, percent: bool) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}%" if percent else f"{value:.3f}"


@app.command("disagreements")
def disagreements(
    ctx: typer.Context,
    more: list[str] | None = MORE_CODERS,
    coders: list[str] = CODERS_OPTION,
    code: list[str] = CODE_OPTION,
    level: Level = LEVEL_OPTION,
    fmt: ListFormat = FORMAT_OPTION,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write a reconciliation worksheet: .csv, .xlsx or .md."
    ),
) -> None:
    """The segments where coders differ, with the text and each coder's codes.

    The 'differ' column lists the codes (at --level) that some but not all coders
    applied. A worksheet written with -o has an empty 'agreed' column: fill it in and
    record it with 'qcode reconcile --from FILE'.

    Example: qcode disagreements --coders ref b -o verschillen.xlsx
    """
    from qcode.coding.reconcile import list_disagreements, worksheet_table, write_worksheet

    with open_project(ctx) as project:
        found = list_disagreements(project, coders=_coders(coders, more), codes=code,
                                   level=level.value)
    summary = (f"{len(found.segments)} of {found.n_units} segments differ between "
               f"{', '.join(found.coders)} ({found.level} level)")
    if output is not None:
        write_worksheet(found, output)
        note(f"{summary}; wrote {output}")
        return
    note(summary)
    if fmt is ListFormat.jsonl:
        rows: list[dict[str, Any]] = [
            {"transcript": d.transcript, "segment": d.segment, "differ": list(d.differ),
             "codes": {c: list(codes) for c, codes in d.codes.items()},
             "consensus": list(d.consensus), "text": d.text}
            for d in found.segments
        ]
        emit(rows, fmt, columns=[])
        return
    columns, table = worksheet_table(found)
    columns.remove("agreed")
    emit(table, fmt, columns=columns, title=f"Disagreements ({len(table)})",
         empty="no disagreements")


@app.command("reconcile")
def reconcile(
    ctx: typer.Context,
    transcript: str | None = typer.Argument(None, help="Transcript id."),
    segment: str | None = typer.Argument(None, help="Segment number."),
    codes: list[str] | None = typer.Argument(None, help="The agreed code ids."),
    coder: str = typer.Option("consensus", "--coder", "-c",
                              help="Coder to record the agreed codes as."),
    memo: str = typer.Option("", "--memo", "-m", help="A memo on the added codings."),
    none: bool = typer.Option(False, "--none",
                              help="The agreed version: the segment has none of the codes."),
    from_file: Path | None = typer.Option(
        None, "--from", help="Record the 'agreed' column of a worksheet (.csv or .xlsx) "
        "from 'qcode disagreements -o'."
    ),
) -> None:
    """Record the agreed codes of a segment as coder 'consensus'.

    The consensus coder's codes on the segment become exactly the given ones; the
    original coders' codings are never changed.

    Example: qcode reconcile noordrand-r02 6 trust.information_sharing dialogue.contact
    """
    from qcode.coding.reconcile import reconcile_segment, reconcile_worksheet

    if from_file is not None:
        if transcript is not None or none:
            raise typer.BadParameter("give either --from FILE or TRANSCRIPT SEGMENT CODE...")
        with open_project(ctx) as project:
            outcomes = reconcile_worksheet(project, from_file, coder=coder)
        changed = sum(1 for o in outcomes if o.added or o.removed)
        note(f"recorded {plural(len(outcomes), 'agreed segment')} from {from_file} as {coder} "
             f"({changed} changed)")
        return
    if transcript is None or segment is None:
        raise typer.BadParameter("give TRANSCRIPT SEGMENT CODE... (or --from FILE)")
    if bool(codes) == none:
        raise typer.BadParameter("give the agreed codes, or --none for no code (not both)")
    with open_project(ctx) as project:
        outcome = reconcile_segment(project, transcript, segment_number(segment), codes or [],
                                    coder=coder,
                                    memo=memo)
    where = f"{outcome.transcript}:{outcome.segment} ({outcome.coder})"
    for label, found in (("added", outcome.added), ("kept", outcome.kept),
                         ("removed", outcome.removed)):
        if found:
            note(f"{label} {where}: {' '.join(found)}")
    if not (outcome.added or outcome.kept or outcome.removed):
        note(f"{where}: no codes, as before")


@app.command("merge")
def merge(
    ctx: typer.Context,
    other: Path = typer.Argument(..., help="The other project's folder (or its qcode.db)."),
    rename_coder: list[str] = typer.Option(
        [], "--rename-coder", help="OLD=NEW: record the other project's coder OLD as NEW."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would be merged; "
                                 "change nothing."),
) -> None:
    """Merge another coder's project: codings, accepted/rejected suggestions and memos.

    Transcripts are matched by their text (content hash), not their name. A transcript
    whose text matches nothing here, or a code this codebook lacks, stops the merge with
    nothing merged. Merging twice changes nothing.

    Example: qcode merge coder-b --dry-run
    """
    from qcode.coding.merge import merge_project

    renames = parse_mapping(rename_coder, option="--rename-coder", example="researcher=ans")
    with open_project(ctx) as project:
        outcome = merge_project(project, other, rename_coders=renames, dry_run=dry_run)
    verb = "would add" if outcome.dry_run else "added"
    renamed = [f"{a} as {b}" for a, b in outcome.transcripts if a != b]
    note(f"{other}: {plural(len(outcome.transcripts), 'transcript')} matched by text"
         + (f" ({', '.join(renamed)})" if renamed else ""))
    for coder, counts in outcome.by_coder.items():
        note(f"  {coder}: {verb} {plural(counts.added, 'coding')}, "
             f"{counts.already_present} already present")
    note(f"codings: {verb} {outcome.added}, {outcome.already_present} already present"
         + (f" ({outcome.memo_differs} with another memo there; the memo here is kept)"
            if outcome.memo_differs else ""))
    note(f"suggestion decisions: {verb} {outcome.decisions_added}, "
         f"{outcome.decisions_present} already present")
    if outcome.memos_added or outcome.memos_present or outcome.memos_differ:
        note(f"memos: {verb} {outcome.memos_added}, {outcome.memos_present} already present"
             + (f" ({outcome.memos_differ} with another text there; the text here is kept)"
                if outcome.memos_differ else ""))
    for c in outcome.conflicts:
        note(f"  kept {c.here} here for {c.transcript}:{c.segment} {c.code} "
             f"(there: {c.other})")
    if outcome.dry_run:
        note("dry run: nothing was changed")
