"""check-anonymity, and the check ``qcode import`` runs before it stores anything."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qcode.cli.app import app
from qcode.cli.common import ListFormat, emit, note
from qcode.neutralise import message_text

if TYPE_CHECKING:  # the detectors are imported by the commands that run them, not by --help
    from qcode.anonymity import AnonymityReport, Detector

IMPORT_WARNINGS_SHOWN = 10
"""How many findings ``qcode import`` lists before it summarises the rest."""


class FindingFormat(str, Enum):
    text = "text"
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


@app.command("check-anonymity")
def check_anonymity(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders."),
    fmt: FindingFormat = typer.Option(
        FindingFormat.text, "--format", "-f",
        help='text (file:line:col kind "text", like a linter), table, csv or jsonl.',
    ),
    mask: bool = typer.Option(
        False, "--mask", help="Write a masked copy: NAME.masked.SUFFIX beside each file "
        "with findings, or every file into --out; the originals are never changed.",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="With --mask: the folder for the masked copies.",
    ),
) -> None:
    """Find identifiers left in transcripts before you import them.

    Reports phone numbers, e-mail addresses, BSNs (eleven-test), IBANs, postcodes with
    house numbers and street addresses, licence plates and dates of birth, and person
    names and places when the optional deduce package is installed. One finding a line,
    file:line:col kind "text" (in .docx files the line is the paragraph number). Exits 1
    when something is found, 0 when the files are clean. No project is needed.

    Example: qcode check-anonymity transcripts_sample/ --mask --out gemaskeerd/
    """
    from qcode.anonymity import check_paths, mask_paths

    if out is not None and not mask:
        raise typer.BadParameter("--out is the folder for masked copies; add --mask",
                                 param_hint="--out")
    names = name_detector()
    if mask:
        report, copies = mask_paths(paths, out_dir=out, names=names)
    else:
        report, copies = check_paths(paths, names=names), []
    if fmt is FindingFormat.text:
        for finding in report.findings:
            sys.stdout.write(message_text(finding.describe()) + "\n")
    elif report.findings or fmt is FindingFormat.csv:
        rows = [finding.as_row() for finding in report.findings]
        emit(rows, ListFormat(fmt.value), columns=["file", "line", "column", "kind", "text",
                                                   "placeholder"])
    for copy in copies:
        what = f"{copy.masked} masked" if copy.masked else "clean, copied unchanged"
        note(f"wrote {copy.target} ({what})")
    note(summary(report))
    if report.findings:
        raise typer.Exit(1)


def name_detector(*, quiet_when_missing: bool = False) -> Detector | None:
    """deduce's names and places when it is installed; otherwise say once on stderr that
    they were not checked and how to enable it (unless ``quiet_when_missing``)."""
    from qcode.anonymity import names

    reason = names.deduce_unavailable()
    if reason is not None:
        if not quiet_when_missing:
            note(f"note: person names and places were not checked: {reason}")
        return None
    # Loading deduce takes long enough that a silent pause would look like a hang.
    note(f"note: checking person names and places with deduce (cache in "
         f"{names.cache_folder()}; the first run builds it, one to two minutes)")
    return names.DeduceNames()


def summary(report: AnonymityReport) -> str:
    files = len(report.files)
    if not report.findings:
        return f"no identifiers found in {files} file{'s' if files != 1 else ''}"
    kinds = Counter(finding.kind for finding in report.findings)
    counted = ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
    count = len(report.findings)
    return (f"found {count} possible identifier{'s' if count != 1 else ''} in "
            f"{report.files_with_findings} of {files} file{'s' if files != 1 else ''} "
            f"({counted})")


def import_screen(*, strict: bool) -> Callable[[Sequence[Path]], None]:
    """The check ``qcode import`` runs on the parsed files before storing them: it warns
    (listing the first findings and counting the rest), and with ``strict`` refuses."""

    def screen(files: Sequence[Path]) -> None:
        from qcode.anonymity import AnonymityError, check_files

        # A plain import should not nag about deduce on every run; --strict says it.
        names = name_detector(quiet_when_missing=not strict)
        report = check_files(files, names=names)
        findings = report.findings
        for finding in findings[:IMPORT_WARNINGS_SHOWN]:
            note(f"warning: {finding.describe()}")
        if len(findings) > IMPORT_WARNINGS_SHOWN:
            note(f"warning: ... and {len(findings) - IMPORT_WARNINGS_SHOWN} more; "
                 "see them all with 'qcode check-anonymity PATH'")
        if findings and strict:
            raise AnonymityError(
                f"{summary(report)}; nothing was imported (--strict): mask them with "
                "'qcode check-anonymity --mask PATH' or remove them, then import again"
            )
        if findings:
            note(f"warning: {summary(report)}; imported anyway (use --strict to refuse)")

    return screen
