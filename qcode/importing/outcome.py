"""What an import did, for the CLI to report."""

from __future__ import annotations

from dataclasses import dataclass

from qcode.store.reimport import SaveOutcome


@dataclass(frozen=True)
class ImportReport:
    outcomes: tuple[SaveOutcome, ...]
    respondents_files: tuple[str, ...]
    respondents_updated: int
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """What the user should not miss: a labelled file without interviewer turns."""

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)
