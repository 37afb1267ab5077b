"""Read and write codings as CSV, the format scripts and spreadsheets exchange."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from qcode.coding.manual import AddOutcome, CodingValidator, add_codings
from qcode.errors import CodingError, QcodeError
from qcode.files import atomic_output, output_format, read_csv_rows
from qcode.models import PROVENANCES, Coding
from qcode.store.project import Project

REQUIRED_COLUMNS = ("transcript", "segment", "code")
OPTIONAL_COLUMNS = ("coder", "provenance", "memo", "start", "end", "created_at")
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)


def import_codings_csv(project: Project, path: Path, *, coder: str) -> AddOutcome:
    """Add every coding in a CSV file, or none: a bad row stops the import, and the error
    lists every bad row (one a line, in file order), so one run shows them all."""
    rows = read_csv_rows(path, required=REQUIRED_COLUMNS, what="codings CSV",
                         known=OPTIONAL_COLUMNS)
    validator = CodingValidator(project)
    codings = []
    problems = []
    for line, row in rows:
        try:
            coding = _row_to_coding(row, default_coder=coder)
            validator.check(coding)
        except QcodeError as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        codings.append(coding)
    if problems:
        raise CodingError("\n".join(problems))
    return add_codings(project, codings)


def _row_to_coding(row: dict[str, str], *, default_coder: str) -> Coding:
    transcript = row["transcript"].strip()
    code = row["code"].strip()
    if not transcript or not code:
        raise CodingError("empty transcript or code")
    segment = _int(row["segment"], "segment")
    start = _int(row["start"], "start") if row.get("start", "").strip() else None
    end = _int(row["end"], "end") if row.get("end", "").strip() else None
    if (start is None) != (end is None):
        raise CodingError("give both start and end, or neither")
    if start is not None and end is not None and end <= start:
        raise CodingError(f"end ({end}) must be greater than start ({start})")
    provenance = row.get("provenance", "").strip() or "imported"
    if provenance not in PROVENANCES:
        raise CodingError(
            f"unknown provenance '{provenance}'; use one of {', '.join(PROVENANCES)}"
        )
    return Coding(
        transcript=transcript, segment=segment, code=code,
        coder=row.get("coder", "").strip() or default_coder, provenance=provenance,
        memo=row.get("memo", ""), start=start, end=end,
        created_at=row.get("created_at", "").strip(),
    )


def _int(value: str, column: str) -> int:
    text = value.strip()
    # isascii(): str.isdigit() also accepts "²" and "①", which int() refuses.
    if not (text.isascii() and text.isdigit()):
        raise CodingError(f"{column} '{value}' is not a whole number")
    return int(text)


def write_codings_csv(codings: Sequence[Coding], path: Path) -> None:
    """Write codings as CSV (UTF-8), atomically: a failed write leaves no half file."""
    output_format(path, "codings", (".csv",))
    with atomic_output(path) as temporary, temporary.open(
        "w", encoding="utf-8", newline=""
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for c in codings:
            writer.writerow([
                c.transcript, c.segment, c.code, c.coder, c.provenance, c.memo,
                "" if c.start is None else c.start, "" if c.end is None else c.end,
                c.created_at,
            ])
