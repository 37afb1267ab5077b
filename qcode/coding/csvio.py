"""Read and write codings as CSV, the format scripts and spreadsheets exchange."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from qcode.coding.manual import AddOutcome, CodingValidator, add_codings
from qcode.errors import CodingError, QcodeError
from qcode.files import read_utf8
from qcode.models import PROVENANCES, Coding
from qcode.store.project import Project

REQUIRED_COLUMNS = ("transcript", "segment", "code")
OPTIONAL_COLUMNS = ("coder", "provenance", "memo", "start", "end", "created_at")
EXPORT_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)


def read_csv_rows(
    path: Path, *, required: Sequence[str], what: str
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line number, row) pairs, with the header checked.

    Accepts comma, semicolon (Dutch Excel) or tab as the delimiter.
    """
    text = read_utf8(path, what=what, hint=" (in Excel: 'CSV UTF-8')")
    if not text.strip():
        raise QcodeError(f"{path}: empty file; expected a header row with {', '.join(required)}")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [name for name in required if name not in header]
    if missing:
        raise QcodeError(
            f"{path}:1: missing column(s) {', '.join(missing)}; the header has "
            f"{', '.join(header) or 'nothing'} and needs {', '.join(required)}"
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            if None in row:
                raise QcodeError(
                    f"{path}:{reader.line_num}: more values than columns; check the quoting"
                )
            cleaned = {key: (value or "") for key, value in row.items()}
            if not any(value.strip() for value in cleaned.values()):
                continue
            rows.append((reader.line_num, cleaned))
    except csv.Error as exc:
        raise QcodeError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from exc
    return rows


def import_codings_csv(project: Project, path: Path, *, coder: str) -> AddOutcome:
    """Add every coding in a CSV file, or none: the first bad row stops the import."""
    rows = read_csv_rows(path, required=REQUIRED_COLUMNS, what="codings CSV")
    validator = CodingValidator(project)
    codings = []
    for line, row in rows:
        try:
            coding = _row_to_coding(row, default_coder=coder)
            validator.check(coding)
        except QcodeError as exc:
            raise CodingError(f"{path}:{line}: {exc}") from None
        codings.append(coding)
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
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise QcodeError(f"{folder}: no such folder; create it first")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
        "w", encoding="utf-8", newline="", dir=folder, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for c in codings:
                writer.writerow([
                    c.transcript, c.segment, c.code, c.coder, c.provenance, c.memo,
                    "" if c.start is None else c.start, "" if c.end is None else c.end,
                    c.created_at,
                ])
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
