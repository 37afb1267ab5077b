"""Suggestion decisions the coding screen takes back.

Small functions for the coding session; the rest of the suggestions' SQL still lives in
``qcode.coding.assisted`` until the store holds all of it.
"""

from __future__ import annotations

from qcode.store.project import Project, now_iso


def reopen_accepted(project: Project, transcript: str, segment: int, code: str,
                    coder: str) -> int | None:
    """Make the suggestion ``coder`` accepted as ``code`` on the segment pending again once
    no coding of theirs with that code is left on the segment (nothing stands behind the
    decision any more). Returns its id, or None when nothing was reopened."""
    still_coded = project.db.execute(
        "SELECT 1 FROM codings WHERE transcript_id = ? AND segment = ? AND code_id = ? AND "
        "coder = ? LIMIT 1", (transcript, segment, code, coder),
    ).fetchone()
    if still_coded is not None:
        return None
    row = project.db.execute(
        "SELECT id FROM suggestions WHERE transcript_id = ? AND segment = ? AND code_id = ? "
        "AND status = 'accepted' AND decided_by = ?",
        (transcript, segment, code, coder),
    ).fetchone()
    if row is None:
        return None
    project.db.execute(
        "UPDATE suggestions SET status = 'pending', decided_at = NULL, decided_by = NULL "
        "WHERE id = ?", (row[0],),
    )
    return int(row[0])


def mark_accepted(project: Project, suggestion_id: int, coder: str) -> None:
    """Record ``coder``'s acceptance of a suggestion again (undoing :func:`reopen_accepted`)."""
    project.db.execute(
        "UPDATE suggestions SET status = 'accepted', decided_at = ?, decided_by = ? WHERE id = ?",
        (now_iso(), coder, suggestion_id),
    )
