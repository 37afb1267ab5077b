"""respondents.csv: attributes per respondent (case, role, anything else)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qcode.errors import QcodeError
from qcode.files import read_csv_rows

RESPONDENTS_FILE = "respondents.csv"

INTERVIEW_ATTRIBUTES: tuple[str, ...] = (
    "wave", "date", "year", "round", "location", "duration", "mode",
)
"""Columns of respondents.csv that describe one interview rather than the respondent: on a
row that names a transcript they belong to that transcript (a second wave has its own)."""


@dataclass(frozen=True)
class RespondentRow:
    respondent: str
    attributes: dict[str, str]
    transcript: str | None
    line: int


def read_respondents_csv(path: Path) -> list[RespondentRow]:
    """Parse a respondents file. ``respondent`` is required; an optional ``transcript``
    column links transcripts to respondents; every other column is an attribute."""
    rows = read_csv_rows(path, required=("respondent",), what="respondents CSV",
                         known=("transcript",))
    seen: dict[str, int] = {}
    result = []
    for line, row in rows:
        respondent = row["respondent"].strip()
        if not respondent:
            raise QcodeError(f"{path}:{line}: empty respondent id; fill in the respondent column")
        transcript = row.get("transcript", "").strip() or None
        key = f"{respondent}\x00{transcript or ''}"
        if key in seen:
            raise QcodeError(
                f"{path}:{line}: duplicate respondent '{respondent}' (first on line "
                f"{seen[key]}); keep one row per respondent"
            )
        seen[key] = line
        attributes = {
            name: value.strip()
            for name, value in row.items()
            if name not in ("respondent", "transcript") and name and value.strip()
        }
        result.append(RespondentRow(respondent, attributes, transcript, line))
    return result
