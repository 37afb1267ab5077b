"""Memos from a CSV file: ``qcode memo import FILE.csv`` (what ``memo list --format csv``
writes, so memos move between projects and spreadsheets)."""

from __future__ import annotations

from pathlib import Path

from qcode.errors import MemoError, QcodeError
from qcode.files import read_csv_rows
from qcode.models import Memo
from qcode.neutralise import csv_cell_read
from qcode.store import memos as memos_store
from qcode.store.project import Project
from qcode.values import parse_memo_target, parse_span

REQUIRED_COLUMNS = ("target", "text")
OPTIONAL_COLUMNS = ("span", "coder", "created_at", "updated_at")


def import_memos_csv(project: Project, path: Path, *, coder: str) -> memos_store.AddOutcome:
    """Add every memo of a CSV file, or none: the first bad row stops the import, naming
    its line. A memo identical to one already here (same target, coder, time and text) is
    left as it is, so importing a file twice changes nothing."""
    rows = read_csv_rows(path, required=REQUIRED_COLUMNS, what="memos CSV")
    targets = memos_store.Targets(project)
    memos = []
    for line, row in rows:
        try:
            memo = _row_to_memo(row, default_coder=coder)
            if not memo.text.strip():
                raise MemoError("the text is empty")
            targets.check(memo.target)
        except QcodeError as exc:
            raise MemoError(f"{path}:{line}: {exc}") from None
        memos.append(memo)
    return memos_store.add(project, memos, from_file=True)


def _row_to_memo(row: dict[str, str], *, default_coder: str) -> Memo:
    span_text = row.get("span", "").strip()
    span = parse_span(span_text) if span_text else None
    target = parse_memo_target(csv_cell_read(row["target"]), span=span)
    return Memo(
        target=target, text=csv_cell_read(row["text"]),
        coder=csv_cell_read(row.get("coder", "")).strip() or default_coder,
        created_at=row.get("created_at", "").strip(),
        updated_at=row.get("updated_at", "").strip(),
    )
