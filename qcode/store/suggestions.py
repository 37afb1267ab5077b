"""Suggestions and the decisions coders take on them.

A suggestion is the machine's proposal of a code for a segment (one row per segment and
code, refreshed by every ``qcode suggest`` run). A decision (accepted or rejected) belongs
to the coder who took it: what one coder decides never leaves another coder's pending
list, and a decision keeps a copy of the suggestion as it was decided, so it survives the
next run of ``suggest`` withdrawing or rescoring that suggestion.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qcode.errors import CodingError
from qcode.models import within
from qcode.store.project import Project, now_iso
from qcode.store.transcripts import require_transcript

STATUSES: tuple[str, ...] = ("accepted", "rejected")
SEARCH_METHOD = "search"
"""The method of a suggestion made from a text search (``qcode search --code``)."""


@dataclass(frozen=True)
class StoredSuggestion:
    """A suggestion with its segment's text; ``status`` is ``pending`` or, seen from one
    coder, that coder's decision."""

    id: int
    transcript: str
    segment: int
    code: str
    score: float
    method: str
    evidence: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    status: str
    text: str


@dataclass(frozen=True)
class Proposal:
    """A suggestion as ``suggest`` makes it, before it is stored."""

    transcript: str
    segment: int
    code: str
    score: float
    method: str
    evidence: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Decision:
    """One coder's accept or reject of a suggestion, with the suggestion as it was."""

    transcript: str
    segment: int
    code: str
    coder: str
    status: str
    score: float
    method: str
    evidence: str
    codebook_version: str
    suggested_at: str
    decided_at: str


@dataclass(frozen=True)
class RunCounts:
    new: int
    updated: int
    withdrawn: int


def _payload(evidence: Sequence[str], spans: Sequence[tuple[int, int]]) -> str:
    return json.dumps({"evidence": list(evidence), "spans": [list(x) for x in spans]},
                      ensure_ascii=False)


def store_run(
    project: Project,
    proposals: Iterable[Proposal],
    *,
    codebook_version: str,
    transcripts: Iterable[str],
) -> RunCounts:
    """Keep the proposals of one ``suggest`` run over ``transcripts``: new ones are added,
    existing ones get the new score and evidence, and suggestions of those transcripts
    the run no longer makes are withdrawn. Decisions are never touched, and neither are
    suggestions a researcher made from a text search (method ``search``): no run of
    ``suggest`` withdraws or rescores them."""
    db = project._db
    covered = set(transcripts)
    existing: set[tuple[str, int, str]] = set()
    searched: set[tuple[str, int, str]] = set()
    for r in db.execute("SELECT transcript_id, segment, code_id, method FROM suggestions"):
        if r[0] in covered:
            (searched if r[3] == SEARCH_METHOD else existing).add((r[0], r[1], r[2]))
    keep: set[tuple[str, int, str]] = set()
    new = updated = 0
    created = now_iso()
    with project.atomic():
        for p in proposals:
            key = (p.transcript, p.segment, p.code)
            if key in keep or key in searched:
                continue
            keep.add(key)
            db.execute(
                "INSERT INTO suggestions(transcript_id, segment, code_id, score, method, evidence,"
                " codebook_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(transcript_id, segment, code_id) DO UPDATE SET score = excluded.score,"
                " method = excluded.method, evidence = excluded.evidence, "
                "codebook_version = excluded.codebook_version",
                (p.transcript, p.segment, p.code, round(float(p.score), 4), p.method,
                 _payload(p.evidence, p.spans), codebook_version, created),
            )
            if key in existing:
                updated += 1
            else:
                new += 1
        gone = existing - keep
        db.executemany(
            "DELETE FROM suggestions WHERE transcript_id = ? AND segment = ? AND code_id = ?",
            sorted(gone),
        )
    return RunCounts(new=new, updated=updated, withdrawn=len(gone))


def add_proposals(project: Project, proposals: Iterable[Proposal], *, codebook_version: str
                  ) -> RunCounts:
    """Add proposals from another source (a text search) without withdrawing anything;
    a proposal already stored keeps the higher of the two scores."""
    db = project._db
    new = updated = 0
    with project.atomic():
        for p in proposals:
            row = db.execute(
                "SELECT id, score FROM suggestions WHERE transcript_id = ? AND segment = ? "
                "AND code_id = ?", (p.transcript, p.segment, p.code)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO suggestions(transcript_id, segment, code_id, score, method, "
                    "evidence, codebook_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (p.transcript, p.segment, p.code, round(float(p.score), 4), p.method,
                     _payload(p.evidence, p.spans), codebook_version, now_iso()),
                )
                new += 1
            elif p.score > row["score"]:
                db.execute(
                    "UPDATE suggestions SET score = ?, method = ?, evidence = ? WHERE id = ?",
                    (round(float(p.score), 4), p.method, _payload(p.evidence, p.spans),
                     row["id"]),
                )
                updated += 1
    return RunCounts(new=new, updated=updated, withdrawn=0)


def pending(
    project: Project,
    *,
    coder: str,
    transcripts: Sequence[str] | None = None,
    min_score: float = 0.0,
) -> list[StoredSuggestion]:
    """``coder``'s pending suggestions, in transcript and segment order, best score first:
    those ``coder`` has not decided, for codes ``coder`` has not already given the segment
    (itself or a sub-code of it)."""
    for transcript in transcripts or ():
        require_transcript(project, transcript)
    if transcripts is not None and not transcripts:
        return []
    query = (
        "SELECT s.*, g.text FROM suggestions s JOIN segments g ON g.transcript_id = "
        "s.transcript_id AND g.number = s.segment WHERE s.score >= ? AND NOT EXISTS ("
        "SELECT 1 FROM decisions d WHERE d.transcript_id = s.transcript_id AND "
        "d.segment = s.segment AND d.code_id = s.code_id AND d.coder = ?)"
    )
    params: list[object] = [min_score, coder]
    if transcripts is not None:
        query += f" AND s.transcript_id IN ({','.join('?' * len(transcripts))})"
        params.extend(transcripts)
    query += " ORDER BY s.transcript_id, s.segment, s.score DESC, s.code_id"
    rows = project._db.execute(query, params).fetchall()
    coded = _coded(project, coder, {r["transcript_id"] for r in rows})
    return [
        _stored(row, "pending") for row in rows
        if not any(within(c, row["code_id"])
                   for c in coded.get((row["transcript_id"], row["segment"]), ()))
    ]


def _coded(project: Project, coder: str, transcripts: set[str]) -> dict[tuple[str, int], set[str]]:
    found: dict[tuple[str, int], set[str]] = {}
    if not transcripts:
        return found
    ordered = sorted(transcripts)
    for row in project._db.execute(
        f"SELECT transcript_id, segment, code_id FROM codings WHERE coder = ? AND "
        f"transcript_id IN ({','.join('?' * len(ordered))})", (coder, *ordered),
    ):
        found.setdefault((row[0], row[1]), set()).add(row[2])
    return found


def find(project: Project, transcript: str, segment: int, code: str, *, coder: str
         ) -> StoredSuggestion | None:
    """The suggestion of ``code`` on the segment as ``coder`` sees it (pending, or their
    decision), or None when there is none."""
    require_transcript(project, transcript)
    row = project._db.execute(
        "SELECT s.*, g.text FROM suggestions s JOIN segments g ON g.transcript_id = "
        "s.transcript_id AND g.number = s.segment WHERE s.transcript_id = ? AND "
        "s.segment = ? AND s.code_id = ?", (transcript, segment, code),
    ).fetchone()
    decision = project._db.execute(
        "SELECT status FROM decisions WHERE transcript_id = ? AND segment = ? AND code_id = ? "
        "AND coder = ?", (transcript, segment, code, coder),
    ).fetchone()
    if row is None:
        return None
    return _stored(row, decision["status"] if decision else "pending")


def decide(project: Project, suggestion: StoredSuggestion, *, coder: str, status: str) -> None:
    """Record ``coder``'s decision on the suggestion (replacing an earlier one of theirs)."""
    if status not in STATUSES:
        raise CodingError(f"unknown decision '{status}'; use one of {', '.join(STATUSES)}")
    db = project._db
    with project.atomic():
        row = db.execute("SELECT * FROM suggestions WHERE id = ?", (suggestion.id,)).fetchone()
        if row is None:
            raise CodingError(
                f"{suggestion.transcript}:{suggestion.segment}:{suggestion.code}: the "
                "suggestion was withdrawn meanwhile (suggest ran again); see 'qcode review'"
            )
        db.execute(
            "INSERT INTO decisions(transcript_id, segment, code_id, coder, status, score, method,"
            " evidence, codebook_version, suggested_at, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(transcript_id, segment, code_id, coder) DO UPDATE SET "
            "status = excluded.status, decided_at = excluded.decided_at",
            (row["transcript_id"], row["segment"], row["code_id"], coder, status, row["score"],
             row["method"], row["evidence"], row["codebook_version"], row["created_at"],
             now_iso()),
        )


def reopen(project: Project, transcript: str, segment: int, code: str, *, coder: str) -> bool:
    """Take back ``coder``'s decision on a suggestion, so it is pending for them again;
    False when they had none."""
    with project.atomic():
        return project._db.execute(
            "DELETE FROM decisions WHERE transcript_id = ? AND segment = ? AND code_id = ? "
            "AND coder = ?", (transcript, segment, code, coder),
        ).rowcount > 0


def decisions(
    project: Project, *, status: str | None = None, coders: Sequence[str] = ()
) -> list[Decision]:
    """Decisions in transcript, segment, code, coder order."""
    query = "SELECT * FROM decisions WHERE 1 = 1"
    params: list[object] = []
    if status is not None:
        query += " AND status = ?"
        params.append(status)
    if coders:
        query += f" AND coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    query += " ORDER BY transcript_id, segment, code_id, coder"
    return [_decision(row) for row in project._db.execute(query, params)]


def add_decisions(project: Project, incoming: Iterable[Decision]) -> tuple[int, int, list[
        tuple[Decision, str]]]:
    """Add decisions from another project: (added, already present, conflicts), where a
    conflict is a decision the same coder took differently here (this one stays)."""
    db = project._db
    added = present = 0
    conflicts: list[tuple[Decision, str]] = []
    with project.atomic():
        for d in incoming:
            row = db.execute(
                "SELECT status FROM decisions WHERE transcript_id = ? AND segment = ? AND "
                "code_id = ? AND coder = ?", (d.transcript, d.segment, d.code, d.coder),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO decisions(transcript_id, segment, code_id, coder, status, score,"
                    " method, evidence, codebook_version, suggested_at, decided_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (d.transcript, d.segment, d.code, d.coder, d.status, d.score, d.method,
                     d.evidence, d.codebook_version, d.suggested_at, d.decided_at),
                )
                added += 1
            elif row["status"] == d.status:
                present += 1
            else:
                conflicts.append((d, row["status"]))
    return added, present, conflicts


def accepted_spans(project: Project) -> dict[tuple[str, int, str], list[tuple[int, int]]]:
    """The evidence spans (segment offsets) of every accepted suggestion, by segment and
    code, whoever accepted it."""
    spans: dict[tuple[str, int, str], list[tuple[int, int]]] = {}
    for row in project._db.execute(
        "SELECT transcript_id, segment, code_id, evidence FROM decisions "
        "WHERE status = 'accepted' ORDER BY id"
    ):
        found = _spans(row["evidence"])
        if found:
            spans[(row["transcript_id"], row["segment"], row["code_id"])] = list(found)
    return spans


def rename_codes(project: Project, mapping: Mapping[str, str], keep: Iterable[str]) -> None:
    """After a codebook change: suggestions and decisions follow renamed codes (all at
    once); suggestions for codes that are gone are dropped (``suggest`` makes new ones),
    decisions on them stay as history. Runs inside the caller's transaction."""
    db = project._db
    kept = sorted(set(keep))
    with project.atomic():
        for table, unique in (("suggestions", "transcript_id, segment, code_id"),
                              ("decisions", "transcript_id, segment, code_id, coder")):
            rows = db.execute(
                f"SELECT * FROM {table} WHERE code_id IN "
                f"({','.join('?' * len(mapping))})", sorted(mapping),
            ).fetchall() if mapping else []
            db.executemany(f"DELETE FROM {table} WHERE id = ?", [(r["id"],) for r in rows])
            for row in rows:
                values = dict(row)
                values.pop("id")
                values["code_id"] = mapping[row["code_id"]]
                columns = ", ".join(values)
                db.execute(
                    f"INSERT INTO {table}({columns}) VALUES ({','.join('?' * len(values))}) "
                    f"ON CONFLICT({unique}) DO NOTHING", tuple(values.values()),
                )
        db.execute(
            f"DELETE FROM suggestions WHERE code_id NOT IN ({','.join('?' * len(kept))})", kept,
        )


def _spans(evidence: str) -> tuple[tuple[int, int], ...]:
    try:
        payload = json.loads(evidence)
    except ValueError:
        return ()
    found = payload.get("spans", []) if isinstance(payload, dict) else []
    return tuple(
        (int(pair[0]), int(pair[1])) for pair in found
        if isinstance(pair, list | tuple) and len(pair) == 2
    )


def _stored(row: sqlite3.Row, status: str) -> StoredSuggestion:
    try:
        payload = json.loads(row["evidence"])
    except ValueError:
        payload = {}
    evidence = payload.get("evidence", ()) if isinstance(payload, dict) else ()
    return StoredSuggestion(
        id=row["id"], transcript=row["transcript_id"], segment=row["segment"],
        code=row["code_id"], score=row["score"], method=row["method"],
        evidence=tuple(str(e) for e in evidence), spans=_spans(row["evidence"]),
        status=status, text=row["text"],
    )


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(
        transcript=row["transcript_id"], segment=row["segment"], code=row["code_id"],
        coder=row["coder"], status=row["status"], score=row["score"], method=row["method"],
        evidence=row["evidence"], codebook_version=row["codebook_version"],
        suggested_at=row["suggested_at"], decided_at=row["decided_at"],
    )


def reopen_accepted(project: Project, transcript: str, segment: int, code: str,
                    coder: str) -> Decision | None:
    """Take back ``coder``'s acceptance of ``code`` on the segment once no coding of theirs
    with that code is left there (nothing stands behind the decision any more), so the
    suggestion is pending for them again. Returns the decision taken back (for undo), or
    None when there was nothing to take back."""
    db = project._db
    with project.atomic():
        still_coded = db.execute(
            "SELECT 1 FROM codings WHERE transcript_id = ? AND segment = ? AND code_id = ? "
            "AND coder = ? LIMIT 1", (transcript, segment, code, coder),
        ).fetchone()
        if still_coded is not None:
            return None
        row = db.execute(
            "SELECT * FROM decisions WHERE transcript_id = ? AND segment = ? AND code_id = ? "
            "AND coder = ? AND status = 'accepted'", (transcript, segment, code, coder),
        ).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM decisions WHERE id = ?", (row["id"],))
    return _decision(row)


def restore_decision(project: Project, decision: Decision) -> None:
    """Put back a decision :func:`reopen_accepted` took back (undo)."""
    add_decisions(project, [decision])
