"""Bring another coder's project into this one: codings and suggestion decisions.

Transcripts are matched by their content hash (speakers and text of every segment), not
by file name or id, so two researchers who imported the same interview under different
names still line up, and segment numbers mean the same on both sides. Everything is
checked before anything is written, and the whole merge is one transaction: a transcript
whose text matches nothing here, or a code this codebook lacks, stops it with nothing
merged. A coding or decision that is already here is left as it is, so merging twice
changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from qcode.coding.manual import add_codings
from qcode.errors import ProjectError, QcodeError
from qcode.models import Coding
from qcode.store.codebook import require_codebook
from qcode.store.migrations import MIGRATIONS
from qcode.store.problems import database_error
from qcode.store.project import DB_NAME, Project

SHOWN = 5


class MergeError(QcodeError):
    """The other project does not fit this one; nothing was merged."""


@dataclass(frozen=True)
class CoderCounts:
    added: int = 0
    already_present: int = 0


@dataclass(frozen=True)
class DecisionConflict:
    """A suggestion both projects decided, differently; this project's decision stays."""

    transcript: str
    segment: int
    code: str
    here: str
    other: str


@dataclass(frozen=True)
class MergeOutcome:
    """What a merge brought in (or, with ``dry_run``, would have brought in).

    ``transcripts`` pairs each transcript of the other project that has codings or
    decisions with the transcript here that has the same text (other id, id here).
    ``memo_differs`` counts codings that were already here with another memo: the memo
    here is kept.
    """

    other: Path
    transcripts: tuple[tuple[str, str], ...]
    added: int
    already_present: int
    by_coder: dict[str, CoderCounts]
    memo_differs: int
    decisions_added: int
    decisions_present: int
    conflicts: tuple[DecisionConflict, ...] = field(default_factory=tuple)
    dry_run: bool = False


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def merge_project(
    project: Project,
    other: Path,
    *,
    rename_coders: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> MergeOutcome:
    """Merge the codings (coder, provenance, memo, span, created_at) and the accepted
    and rejected suggestions of the project at ``other`` into ``project``.

    ``rename_coders`` maps a coder name of the other project to the name to record here
    (for two coders who both coded as, say, their shared user name). The other project
    is opened read-only and never changed. Raises MergeError, naming every mismatching
    transcript and unknown code, before anything is written.
    """
    renames = dict(rename_coders or {})
    connection, where = _open_other(project, other)
    try:
        original = _read_codings(connection)
        coders = {c.coder for c in original}
        for old in renames:
            if old not in coders:
                raise MergeError(
                    f"--rename-coder {old}={renames[old]}: no codings by '{old}' in {where}; "
                    f"its coders are {', '.join(sorted(coders)) or 'none'}"
                )
        codings = [_renamed(coding, renames) for coding in original]
        decisions = _read_decisions(connection, renames)
        hashes = {
            r[0]: r[1] for r in connection.execute("SELECT id, content_hash FROM transcripts")
        }
    except sqlite3.DatabaseError as exc:
        # A damaged page there must not read as a bug here, nor as damage to this project.
        translated = database_error(where / DB_NAME, exc, whose="the other project")
        if translated is None:
            raise
        raise MergeError(f"{translated}; nothing was merged") from None
    finally:
        connection.close()
    mapping = _match_transcripts(project, where, hashes, codings, decisions)
    _check_codes(project, where, codings, decisions)
    try:
        with project.atomic():
            outcome = _write(project, other, mapping, codings, decisions, dry_run=dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcome


# -- reading the other project -----------------------------------------------------------


def _open_other(project: Project, other: Path) -> tuple[sqlite3.Connection, Path]:
    db_path = other if other.name == DB_NAME or other.is_file() else other / DB_NAME
    if not db_path.is_file():
        raise ProjectError(f"{other}: no qcode project there (no {DB_NAME})")
    if db_path.resolve() == project.db_path.resolve():
        raise MergeError(f"{other}: that is this project; name another coder's project")
    uri = db_path.resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.row_factory = sqlite3.Row
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        translated = database_error(db_path, exc, whose="the other project")
        if translated is not None and "not a database" not in str(exc):
            raise MergeError(f"{translated}; nothing was merged") from None
        raise ProjectError(f"{db_path}: not a qcode project database ({exc})") from exc
    if version == 0 or not {"transcripts", "codings"} <= tables:
        connection.close()
        raise ProjectError(f"{db_path}: not a qcode project database (no qcode tables)")
    if version > MIGRATIONS[-1].number:
        connection.close()
        raise ProjectError(
            f"{db_path}: made by a newer qcode (schema {version}, this qcode knows up to "
            f"{MIGRATIONS[-1].number}); upgrade qcode to merge it"
        )
    return connection, db_path.parent


def _read_codings(connection: sqlite3.Connection) -> list[Coding]:
    return [
        Coding(transcript=r["transcript_id"], segment=r["segment"], code=r["code_id"],
               coder=r["coder"], provenance=r["provenance"], memo=r["memo"], start=r["start"],
               end=r["end"], created_at=r["created_at"])
        for r in connection.execute("SELECT * FROM codings ORDER BY id")
    ]


def _read_decisions(
    connection: sqlite3.Connection, renames: Mapping[str, str]
) -> list[dict[str, object]]:
    """Accepted and rejected suggestions; pending ones are machine output that 'qcode
    suggest' makes again here, so they are not merged."""
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    if "suggestions" not in tables:
        return []
    decisions = []
    for r in connection.execute(
        "SELECT * FROM suggestions WHERE status IN ('accepted', 'rejected') ORDER BY id"
    ):
        row = dict(r)
        row["decided_by"] = renames.get(str(row["decided_by"]), row["decided_by"])
        decisions.append(row)
    return decisions


def _renamed(coding: Coding, renames: Mapping[str, str]) -> Coding:
    if coding.coder not in renames:
        return coding
    return replace(coding, coder=renames[coding.coder])


# -- checks ------------------------------------------------------------------------------


def _match_transcripts(
    project: Project,
    where: Path,
    hashes: Mapping[str, str],
    codings: list[Coding],
    decisions: list[dict[str, object]],
) -> dict[str, str]:
    """Other transcript id -> transcript id here, for every transcript with work in it."""
    here: dict[str, list[str]] = {}
    for r in project.db.execute("SELECT id, content_hash FROM transcripts ORDER BY id"):
        here.setdefault(r[1], []).append(r[0])
    work = Counter(c.transcript for c in codings)
    work.update(str(d["transcript_id"]) for d in decisions)
    mapping: dict[str, str] = {}
    unmatched: list[str] = []
    for transcript, count in sorted(work.items()):
        candidates = here.get(hashes.get(transcript, ""), [])
        if transcript in candidates:
            mapping[transcript] = transcript
        elif len(candidates) == 1:
            mapping[transcript] = candidates[0]
        elif candidates:
            raise MergeError(
                f"{where}: transcript '{transcript}' has the same text as "
                f"{', '.join(candidates)} here, so its codings have no single place; "
                "nothing was merged"
            )
        else:
            unmatched.append(f"{transcript} ({count} coding(s) and decision(s))")
    if unmatched:
        shown = ", ".join(unmatched[:SHOWN]) + _more(unmatched)
        raise MergeError(
            f"{where}: {len(unmatched)} transcript(s) there have a text that matches no "
            f"transcript here: {shown}; import the same text here first (transcripts are "
            "matched by their text, not their name); nothing was merged"
        )
    return mapping


def _check_codes(
    project: Project, where: Path, codings: list[Coding], decisions: list[dict[str, object]]
) -> None:
    known = set(require_codebook(project).ids)
    used = Counter(c.code for c in codings)
    used.update(str(d["code_id"]) for d in decisions)
    unknown = [f"{code} ({count})" for code, count in sorted(used.items()) if code not in known]
    if unknown:
        raise MergeError(
            f"{where}: {len(unknown)} code(s) used there are not in this project's codebook: "
            f"{', '.join(unknown[:SHOWN])}{_more(unknown)}; load a codebook that has them "
            "('qcode codebook load'), or rename them there; nothing was merged"
        )


def _more(items: list[str]) -> str:
    return f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""


# -- writing -----------------------------------------------------------------------------


def _write(
    project: Project,
    other: Path,
    mapping: Mapping[str, str],
    codings: list[Coding],
    decisions: list[dict[str, object]],
    *,
    dry_run: bool,
) -> MergeOutcome:
    db = project.db
    new: list[Coding] = []
    counts: dict[str, list[int]] = {}
    memo_differs = 0
    for coding in codings:
        local = replace(coding, transcript=mapping[coding.transcript])
        row = db.execute(
            "SELECT memo FROM codings WHERE transcript_id = ? AND segment = ? AND code_id = ? "
            "AND coder = ? AND ifnull(start, -1) = ? AND ifnull(end, -1) = ?",
            (local.transcript, local.segment, local.code, local.coder,
             -1 if local.start is None else local.start, -1 if local.end is None else local.end),
        ).fetchone()
        tally = counts.setdefault(local.coder, [0, 0])
        if row is None:
            new.append(local)
            tally[0] += 1
        else:
            tally[1] += 1
            memo_differs += row[0] != local.memo
    add_codings(project, new)
    added, present, conflicts = _write_decisions(project, mapping, decisions)
    return MergeOutcome(
        other=other,
        transcripts=tuple(sorted(mapping.items())),
        added=len(new),
        already_present=len(codings) - len(new),
        by_coder={c: CoderCounts(*counts[c]) for c in sorted(counts)},
        memo_differs=memo_differs,
        decisions_added=added,
        decisions_present=present,
        conflicts=tuple(conflicts),
        dry_run=dry_run,
    )


def _write_decisions(
    project: Project, mapping: Mapping[str, str], decisions: list[dict[str, object]]
) -> tuple[int, int, list[DecisionConflict]]:
    db = project.db
    added = present = 0
    conflicts: list[DecisionConflict] = []
    for d in decisions:
        transcript = mapping[str(d["transcript_id"])]
        key = (transcript, d["segment"], d["code_id"])
        row = db.execute(
            "SELECT id, status FROM suggestions WHERE transcript_id = ? AND segment = ? "
            "AND code_id = ?", key,
        ).fetchone()
        if row is None:
            db.execute(
                "INSERT INTO suggestions(transcript_id, segment, code_id, score, method, "
                "evidence, status, codebook_version, created_at, decided_at, decided_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, d["score"], d["method"], d["evidence"], d["status"],
                 d["codebook_version"], d["created_at"], d["decided_at"], d["decided_by"]),
            )
            added += 1
        elif row["status"] == "pending":
            # Here the machine only suggested it; there a coder decided: take the decision.
            db.execute(
                "UPDATE suggestions SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                (d["status"], d["decided_at"], d["decided_by"], row["id"]),
            )
            added += 1
        elif row["status"] == d["status"]:
            present += 1
        else:
            conflicts.append(DecisionConflict(
                transcript=transcript, segment=int(str(d["segment"])), code=str(d["code_id"]),
                here=row["status"], other=str(d["status"]),
            ))
    return added, present, conflicts
