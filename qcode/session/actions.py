"""What the coding screen changes in the store, and how to take each change back.

Every action is its own transaction, so a crash or a closed terminal never loses one.
Each returns an :class:`Action` that knows how to undo itself, also in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from qcode.coding import assisted
from qcode.coding.assisted import StoredSuggestion
from qcode.coding.manual import add_codings
from qcode.errors import CodingError
from qcode.models import Coding
from qcode.store import suggestions
from qcode.store.project import Project

_EXACT = (
    "transcript_id = ? AND segment = ? AND code_id = ? AND coder = ? "
    "AND ifnull(start, -1) = ifnull(?, -1) AND ifnull(end, -1) = ifnull(?, -1)"
)


def _key(coding: Coding) -> tuple[object, ...]:
    return (coding.transcript, coding.segment, coding.code, coding.coder, coding.start,
            coding.end)


def _delete(project: Project, coding: Coding) -> None:
    # remove_codings() removes a code with all its spans; undo needs this one coding only.
    project.db.execute(f"DELETE FROM codings WHERE {_EXACT}", _key(coding))


def _reopen(project: Project, suggestion: StoredSuggestion) -> None:
    project.db.execute(
        "UPDATE suggestions SET status = 'pending', decided_at = NULL, decided_by = NULL "
        "WHERE id = ?", (suggestion.id,),
    )


def where(coding: Coding) -> str:
    span = f" [{coding.start}:{coding.end}]" if coding.start is not None else ""
    return f"{coding.code}{span} on {coding.transcript}:{coding.segment}"


class Action(Protocol):
    @property
    def segment(self) -> int:
        """The segment the action changed, to return to it on undo."""
        ...

    def undo(self, project: Project) -> str:
        """Take the action back; returns what was undone, for the status message."""
        ...


@dataclass(frozen=True)
class Applied:
    coding: Coding

    @property
    def segment(self) -> int:
        return self.coding.segment

    def undo(self, project: Project) -> str:
        with project.atomic():
            _delete(project, self.coding)
        return f"undid: coded {where(self.coding)}"


@dataclass(frozen=True)
class Removed:
    coding: Coding
    reopened: int | None = None
    """The accepted suggestion the coding came from, pending again since its removal."""

    @property
    def segment(self) -> int:
        return self.coding.segment

    def undo(self, project: Project) -> str:
        # The coding comes back as it was: its provenance, memo and time included.
        with project.atomic():
            add_codings(project, [self.coding])
            if self.reopened is not None:
                suggestions.mark_accepted(project, self.reopened, self.coding.coder)
        return f"undid: removed {where(self.coding)}"


@dataclass(frozen=True)
class Accepted:
    suggestion: StoredSuggestion
    coding: Coding

    @property
    def segment(self) -> int:
        return self.suggestion.segment

    def undo(self, project: Project) -> str:
        with project.atomic():
            _delete(project, self.coding)
            _reopen(project, self.suggestion)
        return f"undid: accepted {where(self.coding)}"


@dataclass(frozen=True)
class Rejected:
    suggestion: StoredSuggestion

    @property
    def segment(self) -> int:
        return self.suggestion.segment

    def undo(self, project: Project) -> str:
        with project.atomic():
            _reopen(project, self.suggestion)
        return f"undid: rejected {self.suggestion.code} on {self.suggestion.transcript}:" \
               f"{self.suggestion.segment}"


@dataclass(frozen=True)
class MemoChanged:
    coding: Coding
    """The coding as it was, with its old memo."""

    @property
    def segment(self) -> int:
        return self.coding.segment

    def undo(self, project: Project) -> str:
        with project.atomic():
            set_memo(project, self.coding, self.coding.memo)
        return f"undid: memo on {where(self.coding)}"


# -- the writes ----------------------------------------------------------------------------


def apply_code(project: Project, coding: Coding) -> Applied | None:
    """Add the coding; None when exactly this coding is already there."""
    outcome = add_codings(project, [coding])
    return Applied(outcome.added[0]) if outcome.added else None


def remove_coding(project: Project, coding: Coding) -> Removed:
    with project.atomic():
        stored = project.db.execute(
            f"SELECT provenance, memo, created_at FROM codings WHERE {_EXACT}", _key(coding)
        ).fetchone()
        if stored is None:
            raise CodingError(f"{where(coding)} by {coding.coder} is no longer there")
        _delete(project, coding)
        # An accepted suggestion with its coding gone would stand for nothing: it is
        # pending again, to accept or reject anew.
        reopened = None
        if stored["provenance"] in ("suggestion", "bulk"):
            reopened = suggestions.reopen_accepted(project, coding.transcript, coding.segment,
                                                   coding.code, coding.coder)
    return Removed(replace(coding, provenance=stored["provenance"], memo=stored["memo"],
                           created_at=stored["created_at"]), reopened)


def accept_suggestion(project: Project, suggestion: StoredSuggestion, coder: str,
                      span: tuple[int, int] | None = None) -> Accepted:
    coding = assisted.accept(project, suggestion, coder=coder, span=span)
    return Accepted(suggestion, coding)


def reject_suggestion(project: Project, suggestion: StoredSuggestion, coder: str) -> Rejected:
    assisted.reject(project, suggestion, coder=coder)
    return Rejected(suggestion)


def set_memo(project: Project, coding: Coding, memo: str) -> MemoChanged:
    """Replace the memo on one coding; the returned action restores ``coding.memo``."""
    with project.atomic():
        changed = project.db.execute(
            f"UPDATE codings SET memo = ? WHERE {_EXACT}", (memo, *_key(coding))
        ).rowcount
        if not changed:
            raise CodingError(f"{where(coding)} by {coding.coder} is no longer there")
    return MemoChanged(coding)


A = TypeVar("A", Applied, Removed, Accepted, Rejected, MemoChanged)
