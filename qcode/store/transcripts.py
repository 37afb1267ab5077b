"""Transcripts, their segments and respondents, as the rest of qcode reads them.

Saving a transcript (new, or changed with its codings following their text) is in
:mod:`qcode.store.reimport`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qcode.errors import TranscriptError
from qcode.models import Segment
from qcode.store.project import Project
from qcode.values import Condition


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
    header: str = ""


def ensure_respondent(project: Project, respondent: str) -> None:
    project._db.execute("INSERT OR IGNORE INTO respondents(id) VALUES (?)", (respondent,))


def set_respondent_attributes(
    project: Project, respondent: str, attributes: Mapping[str, str]
) -> None:
    """Merge ``attributes`` into a respondent's attributes (creating the respondent)."""
    with project.atomic():
        db = project._db
        ensure_respondent(project, respondent)
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
    with project.atomic():
        db = project._db
        ensure_respondent(project, respondent)
        cursor = db.execute(
            "UPDATE transcripts SET respondent_id = ? WHERE id = ?", (respondent, transcript_id)
        )
        return cursor.rowcount > 0


def transcript_attributes(project: Project) -> dict[str, dict[str, str]]:
    """Every transcript's attributes: its front matter, overridden by its respondent's
    attributes (from respondents.csv), overridden by the interview's own attributes (a
    ``wave`` or ``date`` of one interview in respondents.csv), plus ``transcript`` and
    ``respondent``."""
    result: dict[str, dict[str, str]] = {}
    for row in project._db.execute(
        "SELECT t.id, t.respondent_id, t.metadata, t.attributes AS own, r.attributes "
        "FROM transcripts t LEFT JOIN respondents r ON r.id = t.respondent_id ORDER BY t.id"
    ):
        attributes = {**json.loads(row["metadata"]), **json.loads(row["attributes"] or "{}"),
                      **json.loads(row["own"] or "{}")}
        attributes["transcript"] = row["id"]
        attributes["respondent"] = row["respondent_id"] or row["id"]
        result[row["id"]] = {k: str(v) for k, v in attributes.items()}
    return result


def list_transcripts(project: Project) -> list[TranscriptSummary]:
    attributes = transcript_attributes(project)
    summaries = []
    for row in project._db.execute(
        "SELECT t.id, t.format, t.source, t.word_count, t.header, count(s.number) AS n, "
        "sum(1 - s.interviewer) AS r FROM transcripts t "
        "LEFT JOIN segments s ON s.transcript_id = t.id GROUP BY t.id ORDER BY t.id"
    ):
        attrs = attributes[row["id"]]
        summaries.append(
            TranscriptSummary(
                id=row["id"], respondent=attrs["respondent"], case=attrs.get("case", ""),
                role=attrs.get("role", ""), segments=row["n"], respondent_segments=row["r"] or 0,
                words=row["word_count"], format=row["format"], source=row["source"],
                attributes=attrs, header=row["header"],
            )
        )
    return summaries


def get_segments(project: Project, transcript_id: str) -> list[Segment]:
    """The transcript's segments in order; a TranscriptError if it is not in the project."""
    rows = project._db.execute(
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
    found = project._db.execute(
        "SELECT 1 FROM transcripts WHERE id = ?", (transcript_id,)
    ).fetchone()
    if found:
        return
    import difflib

    known = [r[0] for r in project._db.execute("SELECT id FROM transcripts ORDER BY id")]
    close = difflib.get_close_matches(transcript_id, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "see 'qcode transcripts' for the ids"
    raise TranscriptError(f"unknown transcript '{transcript_id}'; {hint}")


def set_interview_attributes(
    project: Project, transcript_id: str, attributes: Mapping[str, str]
) -> bool:
    """Merge per-interview ``attributes`` (``wave``, ``date``) into one transcript's own;
    False when the transcript is not in the project."""
    with project.atomic():
        row = project._db.execute(
            "SELECT attributes FROM transcripts WHERE id = ?", (transcript_id,)
        ).fetchone()
        if row is None:
            return False
        merged = {**json.loads(row["attributes"]), **attributes}
        project._db.execute(
            "UPDATE transcripts SET attributes = ? WHERE id = ?",
            (json.dumps(merged, ensure_ascii=False, sort_keys=True), transcript_id),
        )
        return True


def transcript_ids(project: Project) -> list[str]:
    return [r[0] for r in project._db.execute("SELECT id FROM transcripts ORDER BY id")]


def has_transcripts(project: Project) -> bool:
    return project._db.execute("SELECT 1 FROM transcripts LIMIT 1").fetchone() is not None


def require_transcripts(project: Project) -> None:
    """A QcodeError when the project has no transcripts yet."""
    if not has_transcripts(project):
        raise TranscriptError(
            "the project has no transcripts yet; add some with 'qcode import PATH'"
        )


def content_hashes(project: Project) -> dict[str, str]:
    """Each transcript's content hash (its speakers and text), by id."""
    return {r[0]: r[1] for r in project._db.execute("SELECT id, content_hash FROM transcripts")}


@dataclass(frozen=True)
class TranscriptRecord:
    """A transcript's stored description: respondent, source file, format, front matter."""

    id: str
    respondent: str
    source: str
    format: str
    metadata: dict[str, str]
    header: str = ""


def transcript_records(project: Project) -> list[TranscriptRecord]:
    return [
        TranscriptRecord(
            id=r["id"], respondent=r["respondent_id"] or r["id"], source=r["source"],
            format=r["format"],
            metadata={str(k): str(v) for k, v in json.loads(r["metadata"]).items()},
            header=r["header"],
        )
        for r in project._db.execute(
            "SELECT id, respondent_id, source, format, metadata, header FROM transcripts "
            "ORDER BY id"
        )
    ]


def transcript_header(project: Project, transcript_id: str) -> str:
    """The text before the first speaker label of the transcript's file ("" if none)."""
    row = project._db.execute(
        "SELECT header FROM transcripts WHERE id = ?", (transcript_id,)
    ).fetchone()
    if row is None:
        require_transcript(project, transcript_id)
    return str(row["header"])


def remembered_interviewer_labels(project: Project) -> dict[str, tuple[str, ...]]:
    """The interviewer labels the user named (``--interviewer``) per transcript."""
    return {
        r["id"]: tuple(json.loads(r["interviewer_labels"]))
        for r in project._db.execute(
            "SELECT id, interviewer_labels FROM transcripts WHERE interviewer_labels IS NOT NULL"
        )
    }


def drop_unused_respondents(project: Project, candidates: Iterable[str]) -> list[str]:
    """Remove the ``candidates`` that no transcript belongs to any more and that carry
    nothing the user gave them (no attributes, no memos): the respondents an import named
    after a file before a respondents.csv linked the file to its real respondent. Returns
    the removed ids."""
    removed: list[str] = []
    with project.atomic():
        for respondent in sorted(set(candidates)):
            row = project._db.execute(
                "SELECT attributes FROM respondents r WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM transcripts t WHERE t.respondent_id = r.id) AND NOT EXISTS "
                "(SELECT 1 FROM memos m WHERE m.kind = 'respondent' AND m.target = r.id)",
                (respondent,),
            ).fetchone()
            if row is None or json.loads(row["attributes"]):
                continue
            project._db.execute("DELETE FROM respondents WHERE id = ?", (respondent,))
            removed.append(respondent)
    return removed


def respondent_of(project: Project) -> dict[str, str]:
    """Each transcript's respondent, by transcript id."""
    return {r[0]: r[1] for r in project._db.execute(
        "SELECT id, coalesce(respondent_id, id) FROM transcripts")}


def respondent_attributes(project: Project) -> dict[str, dict[str, str]]:
    """Every respondent's own attributes (from respondents.csv or a REFI-QDA case)."""
    return {
        r["id"]: {str(k): str(v) for k, v in json.loads(r["attributes"]).items()}
        for r in project._db.execute("SELECT id, attributes FROM respondents ORDER BY id")
    }


def respondent_segments(
    project: Project, transcripts: Sequence[str] | None = None
) -> list[tuple[str, int, str]]:
    """(transcript, number, text) of every respondent turn, in order."""
    for transcript in transcripts or ():
        require_transcript(project, transcript)
    if transcripts is not None and not transcripts:
        return []
    query = "SELECT transcript_id, number, text FROM segments WHERE interviewer = 0"
    params: list[str] = []
    if transcripts is not None:
        query += f" AND transcript_id IN ({','.join('?' * len(transcripts))})"
        params.extend(transcripts)
    query += " ORDER BY transcript_id, number"
    return [(r[0], r[1], r[2]) for r in project._db.execute(query, params)]


def segments_of(project: Project, transcripts: Iterable[str]) -> dict[tuple[str, int], Segment]:
    """The segments of ``transcripts`` by (transcript, number)."""
    ordered = sorted(set(transcripts))
    found: dict[tuple[str, int], Segment] = {}
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        for r in project._db.execute(
            "SELECT transcript_id, number, speaker, interviewer, text, start_time, end_time "
            f"FROM segments WHERE transcript_id IN ({','.join('?' * len(chunk))})", chunk,
        ):
            found[(r[0], r[1])] = Segment(
                number=r[1], speaker=r[2], text=r[4], interviewer=bool(r[3]),
                start_time=r[5], end_time=r[6],
            )
    return found


def transcripts_where(
    project: Project, conditions: Sequence[Condition], *, option: str = "--where"
) -> list[str] | None:
    """The ids of the transcripts whose attributes (see :func:`transcript_attributes`)
    meet every condition; None when there are no conditions (every transcript).

    An attribute that no transcript or respondent has is refused, naming the ones there
    are: a typo must not read as "no such interviews".
    """
    if not conditions:
        return None
    attributes = transcript_attributes(project)
    known = sorted({key for attrs in attributes.values() for key in attrs})
    for condition in conditions:
        if condition.attribute not in known:
            raise TranscriptError(
                f"{option} {condition}: no transcript or respondent has the attribute "
                f"'{condition.attribute}'; use one of {', '.join(known) or 'none yet'}"
            )
    return [
        transcript for transcript, attrs in attributes.items()
        if all(condition.holds(attrs) for condition in conditions)
    ]


def select_transcripts(
    project: Project, ids: Sequence[str] = (), where: Sequence[Condition] = (), *,
    option: str = "--where",
) -> list[str] | None:
    """The transcripts a command works on: ``ids`` (each must be in the project; none
    given means every transcript) that meet every condition of ``where``. None stands
    for every transcript, so callers can pass it on to :func:`qcode.store.codings.select`.
    """
    for transcript in ids:
        require_transcript(project, transcript)
    matching = transcripts_where(project, where, option=option)
    if not ids:
        return matching
    named = list(dict.fromkeys(ids))
    if matching is None:
        return named
    allowed = set(matching)
    return [transcript for transcript in named if transcript in allowed]
