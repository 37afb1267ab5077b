"""Persist transcripts and respondents; re-anchor codings when a transcript changes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from qcode.errors import TranscriptError
from qcode.models import Segment, Transcript
from qcode.store.project import Project, now_iso
from qcode.words import plural


@dataclass(frozen=True)
class SaveOutcome:
    """What saving one transcript did: ``new``, ``unchanged`` or ``updated``."""

    transcript: str
    status: str
    segments: int
    words: int
    reanchored: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TranscriptSummary:
    id: str
    respondent: str
    case: str
    role: str
    segments: int
    respondent_segments: int
    words: int
    format: str
    source: str
    attributes: dict[str, str]


def save_transcript(project: Project, transcript: Transcript) -> SaveOutcome:
    """Insert a transcript, or update a changed one without losing its codings.

    A changed transcript keeps every coding whose text can still be found: on the same
    segment, or on the one segment that now holds exactly that text (or span). If any
    coding cannot be placed, nothing is saved and the error lists those codings.
    """
    with project.atomic() as db:
        row = db.execute(
            "SELECT content_hash, metadata, respondent_id FROM transcripts WHERE id = ?",
            (transcript.id,),
        ).fetchone()
        respondent = transcript.respondent or transcript.id
        _ensure_respondent(project, respondent)
        metadata = json.dumps(transcript.metadata, ensure_ascii=False, sort_keys=True)
        words = transcript.word_count
        if row is None:
            db.execute(
                "INSERT INTO transcripts(id, respondent_id, source, format, content_hash, "
                "metadata, word_count, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (transcript.id, respondent, transcript.source, transcript.format,
                 transcript.content_hash, metadata, words, now_iso()),
            )
            _insert_segments(project, transcript.id, transcript.segments)
            return SaveOutcome(transcript.id, "new", len(transcript.segments), words,
                               notes=transcript.notes)
        if row["content_hash"] == transcript.content_hash:
            # Same text: front matter or the source path may still have been edited.
            db.execute(
                "UPDATE transcripts SET metadata = ?, respondent_id = ?, source = ? WHERE id = ?",
                (metadata, respondent, transcript.source, transcript.id),
            )
            return SaveOutcome(transcript.id, "unchanged", len(transcript.segments), words,
                               notes=transcript.notes)
        moves = _reanchor(project, transcript)
        _carry_suggestions(project, transcript)
        db.execute("DELETE FROM segments WHERE transcript_id = ?", (transcript.id,))
        _insert_segments(project, transcript.id, transcript.segments)
        for coding_id, segment, start, end in moves:
            db.execute(
                "UPDATE codings SET segment = ?, start = ?, end = ? WHERE id = ?",
                (segment, start, end, coding_id),
            )
        db.execute(
            "UPDATE transcripts SET respondent_id = ?, source = ?, format = ?, content_hash = ?, "
            "metadata = ?, word_count = ?, imported_at = ? WHERE id = ?",
            (respondent, transcript.source, transcript.format, transcript.content_hash,
             metadata, words, now_iso(), transcript.id),
        )
        return SaveOutcome(transcript.id, "updated", len(transcript.segments), words,
                           reanchored=len(moves), notes=transcript.notes)


def _reanchor(
    project: Project, transcript: Transcript
) -> list[tuple[int, int, int | None, int | None]]:
    """Find where each existing coding belongs in the new text, or refuse."""
    old_text = {
        row["number"]: row["text"]
        for row in project.db.execute(
            "SELECT number, text FROM segments WHERE transcript_id = ?", (transcript.id,)
        )
    }
    codable = [s for s in transcript.segments if s.codable]
    by_number = {s.number: s for s in codable}
    moves: list[tuple[int, int, int | None, int | None]] = []
    lost: list[str] = []
    rows = project.db.execute(
        "SELECT id, segment, code_id, coder, start, end FROM codings "
        "WHERE transcript_id = ? ORDER BY segment, id",
        (transcript.id,),
    ).fetchall()
    for row in rows:
        text = old_text.get(row["segment"], "")
        if row["start"] is not None:
            text = text[row["start"]:row["end"]]
        target = _locate(text, row["segment"], whole=row["start"] is None,
                         by_number=by_number, codable=codable)
        if target is None:
            lost.append(f"segment {row['segment']} {row['code_id']} ({row['coder']})")
            continue
        number, start = target
        if row["start"] is None:
            moves.append((row["id"], number, None, None))
        else:
            moves.append((row["id"], number, start, start + len(text)))
    if lost:
        shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        raise TranscriptError(
            f"{transcript.source}: transcript '{transcript.id}' changed and "
            f"{plural(len(lost), 'coding')} no longer {'matches' if len(lost) == 1 else 'match'} "
            f"its text: {shown}; restore the old text, or remove "
            f"those codings first (qcode codings remove {transcript.id} SEGMENT CODE) and "
            "import again"
        )
    return moves


def _carry_suggestions(project: Project, transcript: Transcript) -> None:
    """Pending suggestions of a changed transcript are dropped (suggest again); decided
    ones follow their segment's text where it is unambiguous, and go where it is not."""
    db = project.db
    db.execute(
        "DELETE FROM suggestions WHERE transcript_id = ? AND status = 'pending'",
        (transcript.id,),
    )
    new_numbers: dict[str, list[int]] = {}
    for segment in transcript.segments:
        if segment.codable:
            new_numbers.setdefault(segment.text, []).append(segment.number)
    decided = db.execute(
        "SELECT s.id, g.text FROM suggestions s JOIN segments g ON g.transcript_id = "
        "s.transcript_id AND g.number = s.segment WHERE s.transcript_id = ?",
        (transcript.id,),
    ).fetchall()
    for row in decided:
        numbers = new_numbers.get(row["text"], [])
        if len(numbers) == 1:
            db.execute("UPDATE OR REPLACE suggestions SET segment = ? WHERE id = ?",
                       (numbers[0], row["id"]))
        else:
            db.execute("DELETE FROM suggestions WHERE id = ?", (row["id"],))


def _locate(
    text: str, number: int, *, whole: bool, by_number: Mapping[int, Segment],
    codable: Iterable[Segment],
) -> tuple[int, int] | None:
    """The (segment number, offset) where ``text`` now stands, if that is unambiguous."""
    same = by_number.get(number)
    if whole:
        if same is not None and same.text == text:
            return number, 0
        hits = [s.number for s in codable if s.text == text]
    else:
        if same is not None and same.text.count(text) == 1:
            return number, same.text.index(text)
        hits = [s.number for s in codable if s.text.count(text) == 1]
        if len(hits) == 1:
            return hits[0], by_number[hits[0]].text.index(text)
        return None
    return (hits[0], 0) if len(hits) == 1 else None


def _insert_segments(project: Project, transcript_id: str, segments: Iterable[Segment]) -> None:
    project.db.executemany(
        "INSERT INTO segments(transcript_id, number, speaker, interviewer, text, start_time, "
        "end_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (transcript_id, s.number, s.speaker, int(s.interviewer), s.text, s.start_time,
             s.end_time)
            for s in segments
        ],
    )


def _ensure_respondent(project: Project, respondent: str) -> None:
    project.db.execute("INSERT OR IGNORE INTO respondents(id) VALUES (?)", (respondent,))


def set_respondent_attributes(
    project: Project, respondent: str, attributes: Mapping[str, str]
) -> None:
    """Merge ``attributes`` into a respondent's attributes (creating the respondent)."""
    with project.atomic() as db:
        _ensure_respondent(project, respondent)
        row = db.execute(
            "SELECT attributes FROM respondents WHERE id = ?", (respondent,)
        ).fetchone()
        merged = {**json.loads(row["attributes"]), **attributes}
        db.execute(
            "UPDATE respondents SET attributes = ? WHERE id = ?",
            (json.dumps(merged, ensure_ascii=False, sort_keys=True), respondent),
        )


def assign_respondent(project: Project, transcript_id: str, respondent: str) -> bool:
    """Link a transcript to a respondent; False when the transcript is not in the project."""
    with project.atomic() as db:
        _ensure_respondent(project, respondent)
        cursor = db.execute(
            "UPDATE transcripts SET respondent_id = ? WHERE id = ?", (respondent, transcript_id)
        )
        return cursor.rowcount > 0


def transcript_attributes(project: Project) -> dict[str, dict[str, str]]:
    """Every transcript's attributes: its front matter, overridden by its respondent's
    attributes (from respondents.csv), plus ``transcript`` and ``respondent``."""
    result: dict[str, dict[str, str]] = {}
    for row in project.db.execute(
        "SELECT t.id, t.respondent_id, t.metadata, r.attributes FROM transcripts t "
        "LEFT JOIN respondents r ON r.id = t.respondent_id ORDER BY t.id"
    ):
        attributes = {**json.loads(row["metadata"]), **json.loads(row["attributes"] or "{}")}
        attributes["transcript"] = row["id"]
        attributes["respondent"] = row["respondent_id"] or row["id"]
        result[row["id"]] = {k: str(v) for k, v in attributes.items()}
    return result


def list_transcripts(project: Project) -> list[TranscriptSummary]:
    attributes = transcript_attributes(project)
    summaries = []
    for row in project.db.execute(
        "SELECT t.id, t.format, t.source, t.word_count, count(s.number) AS n, "
        "sum(1 - s.interviewer) AS r FROM transcripts t "
        "LEFT JOIN segments s ON s.transcript_id = t.id GROUP BY t.id ORDER BY t.id"
    ):
        attrs = attributes[row["id"]]
        summaries.append(
            TranscriptSummary(
                id=row["id"], respondent=attrs["respondent"], case=attrs.get("case", ""),
                role=attrs.get("role", ""), segments=row["n"], respondent_segments=row["r"] or 0,
                words=row["word_count"], format=row["format"], source=row["source"],
                attributes=attrs,
            )
        )
    return summaries


def get_segments(project: Project, transcript_id: str) -> list[Segment]:
    """The transcript's segments in order; a TranscriptError if it is not in the project."""
    rows = project.db.execute(
        "SELECT number, speaker, interviewer, text, start_time, end_time FROM segments "
        "WHERE transcript_id = ? ORDER BY number",
        (transcript_id,),
    ).fetchall()
    if not rows:
        require_transcript(project, transcript_id)
    return [
        Segment(number=r["number"], speaker=r["speaker"], text=r["text"],
                interviewer=bool(r["interviewer"]), start_time=r["start_time"],
                end_time=r["end_time"])
        for r in rows
    ]


def require_transcript(project: Project, transcript_id: str) -> None:
    """Raise a helpful error when ``transcript_id`` is not in the project."""
    found = project.db.execute(
        "SELECT 1 FROM transcripts WHERE id = ?", (transcript_id,)
    ).fetchone()
    if found:
        return
    import difflib

    known = [r[0] for r in project.db.execute("SELECT id FROM transcripts ORDER BY id")]
    close = difflib.get_close_matches(transcript_id, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "see 'qcode transcripts' for the ids"
    raise TranscriptError(f"unknown transcript '{transcript_id}'; {hint}")
