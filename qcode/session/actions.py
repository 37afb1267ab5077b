"""What the coding screen changes in the store, and how to take each change back.

Every action is its own transaction, so a crash or a closed terminal never loses one.
Each returns an :class:`Action` that knows how to undo itself, also in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from qcode.coding import assisted
from qcode.coding.assisted import StoredSuggestion
from qcode.models import Coding, Memo
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store import suggestions as suggestions_store
from qcode.store.project import Project
from qcode.store.suggestions import Decision

where = codings_store.describe


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
        codings_store.remove_exact(project, self.coding)
        return f"undid: coded {where(self.coding)}"


@dataclass(frozen=True)
class Removed:
    coding: Coding
    reopened: Decision | None = None
    """The acceptance of the suggestion the coding came from, taken back at its removal
    (the suggestion is pending again)."""

    @property
    def segment(self) -> int:
        return self.coding.segment

    def undo(self, project: Project) -> str:
        # The coding comes back as it was: its provenance, memo and time included.
        with project.atomic():
            codings_store.add(project, [self.coding])
            if self.reopened is not None:
                suggestions_store.restore_decision(project, self.reopened)
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
            codings_store.remove_exact(project, self.coding)
            assisted.reopen(project, self.suggestion, coder=self.coding.coder)
        return f"undid: accepted {where(self.coding)}"


@dataclass(frozen=True)
class Rejected:
    suggestion: StoredSuggestion
    coder: str

    @property
    def segment(self) -> int:
        return self.suggestion.segment

    def undo(self, project: Project) -> str:
        assisted.reopen(project, self.suggestion, coder=self.coder)
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


@dataclass(frozen=True)
class Annotated:
    memo: Memo
    """The memo as stored, with its number."""

    @property
    def segment(self) -> int:
        return self.memo.target.segment or 0

    def undo(self, project: Project) -> str:
        memos_store.remove(project, self.memo)
        return f"undid: annotation on {self.memo.target.describe()}"


# -- the writes ----------------------------------------------------------------------------


def apply_code(project: Project, coding: Coding) -> Applied | None:
    """Add the coding; None when exactly this coding is already there."""
    outcome = codings_store.add(project, [coding])
    return Applied(outcome.added[0]) if outcome.added else None


def remove_coding(project: Project, coding: Coding) -> Removed:
    with project.atomic():
        stored = codings_store.remove_exact(project, coding)
        # An accepted suggestion with its coding gone would stand for nothing: it is
        # pending again, to accept or reject anew.
        reopened = None
        if stored.provenance in ("suggestion", "bulk"):
            reopened = suggestions_store.reopen_accepted(
                project, coding.transcript, coding.segment, coding.code, coding.coder)
    return Removed(stored, reopened)


def accept_suggestion(project: Project, suggestion: StoredSuggestion, coder: str,
                      span: tuple[int, int] | None = None) -> Accepted:
    coding = assisted.accept(project, suggestion, coder=coder, span=span)
    return Accepted(suggestion, coding)


def reject_suggestion(project: Project, suggestion: StoredSuggestion, coder: str) -> Rejected:
    assisted.reject(project, suggestion, coder=coder)
    return Rejected(suggestion, coder)


def set_memo(project: Project, coding: Coding, memo: str) -> MemoChanged:
    """Replace the memo on one coding; the returned action restores ``coding.memo``."""
    codings_store.set_memo(project, coding, memo)
    return MemoChanged(coding)


def annotate(project: Project, memo: Memo) -> Annotated:
    """Write a memo on a segment (or a span of it): an annotation that carries no code."""
    return Annotated(memos_store.add(project, [memo]).added[0])


A = TypeVar("A", Applied, Removed, Accepted, Rejected, MemoChanged, Annotated)
