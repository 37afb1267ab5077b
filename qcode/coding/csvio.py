"""Read and write codings as CSV, the format scripts and spreadsheets exchange."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from qcode.errors import CodingError, QcodeError
from qcode.exports.table import TableFile, write_table
from qcode.files import read_csv_rows
from qcode.models import PROVENANCES, Coding
from qcode.store import codings as codings_store
from qcode.store.codings import AddOutcome
from qcode.store.project import Project

REQUIRED_COLUMNS = ("transcript", "segment", "code")
OPTIONAL_COLUMNS = ("coder", "provenance", "memo", "start", "end", "created_at")
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)


def import_codings_csv(project: Project, path: Path, *, coder: str) -> AddOutcome:
    """Add every coding in a CSV file, or none: a bad row stops the import, and the error
    lists every bad row (one a line, in file order), so one run shows them all."""
    rows = read_csv_rows(path, required=REQUIRED_COLUMNS, what="codings CSV",
                         known=OPTIONAL_COLUMNS)
    references = codings_store.References(project)
    codings = []
    problems = []
    for line, row in rows:
        try:
            coding = _row_to_coding(row, default_coder=coder)
            references.check(coding)
        except QcodeError as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        codings.append(coding)
    if problems:
        raise CodingError(problems=problems)
    return codings_store.add(project, codings)


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
        created_at=_timestamp(row.get("created_at", "")),
    )


def _timestamp(value: str) -> str:
    """A ``created_at`` cell: empty (the time of the import), or an ISO 8601 date or time
    such as ``2026-03-12`` or ``2026-03-12T14:05:00+00:00`` as qcode writes it."""
    text = value.strip()
    if not text:
        return ""
    try:
        # Python 3.10 does not read the "Z" of UTC itself.
        datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise CodingError(
            f"created_at '{value}' is not a date or time; write it as 2026-03-12 or "
            "2026-03-12T14:05:00, or leave it empty for the time of the import"
        ) from None
    return text


def _int(value: str, column: str) -> int:
    text = value.strip()
    # isascii(): str.isdigit() also accepts "²" and "①", which int() refuses.
    if not (text.isascii() and text.isdigit()):
        raise CodingError(f"{column} '{value}' is not a whole number")
    return int(text)


def write_codings_csv(codings: Sequence[Coding], path: Path) -> None:
    """Write codings as CSV (UTF-8), atomically: a failed write leaves no half file.
    Text that would run as a formula in a spreadsheet is marked as text (see
    :mod:`qcode.exports.table`); :func:`import_codings_csv` reads it back as it was."""
    rows = [
        [c.transcript, c.segment, c.code, c.coder, c.provenance, c.memo, c.start, c.end,
         c.created_at]
        for c in codings
    ]
    write_table(TableFile(EXPORT_COLUMNS, rows, sheet="codings"), path, what="codings",
                formats=(".csv",))
