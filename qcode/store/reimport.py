"""Saving a transcript: new, unchanged, or changed with everything on it following its text.

When a transcript is imported again with edited text, its old and new turns are aligned
like a diff (turns whose text is unchanged pair up in order, so a turn inserted above
shifts the numbers below it). A coding then follows its text:

- on an unchanged turn, it moves with the turn;
- a coded span moves to the edited version of its turn when the span's words still occur
  there exactly once, else to the one turn elsewhere that holds them;
- a whole-turn coding whose turn was edited goes to the one turn elsewhere with exactly
  its old text; where several turns hold that text (a short "Ja."), the one whose
  neighbouring turns match the old neighbours wins.

A coding that has no single place refuses the whole import, listing the codings: nothing
is ever left on another turn. Suggestion decisions follow their turn when it is unchanged;
those on edited turns are dropped and counted (``suggest`` proposes again).

Memos on segments (annotations) follow their text by the same rules, on any turn
(interviewer turns too), with one addition: a memo on a whole turn whose text was edited
and stands nowhere else unchanged stays with the edited turn (the turn the diff pairs
with it), since a note about a turn is still about it after a typo is corrected. A memo
that has no single place is not dropped and does not refuse the import: it becomes a memo
on the transcript, and the import says so. A note on a place is worth keeping even when
the place is gone, where a coding on the wrong text would be wrong.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qcode.errors import TranscriptError
from qcode.models import Coding, Memo, Segment, Transcript
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store import search as search_store
from qcode.store.project import Project, now_iso
from qcode.store.transcripts import ensure_respondent, get_segments
from qcode.values import unreadable_character
from qcode.words import plural

SHOWN = 5


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
class Alignment:
    """Where each old turn now stands. ``same`` pairs turns with identical text; ``edited``
    pairs a changed turn with its changed counterpart (same place in the diff)."""

    same: dict[int, int]
    edited: dict[int, int]


def save_transcript(project: Project, transcript: Transcript) -> SaveOutcome:
    """Insert a transcript, or update a changed one without losing anything on it.

    Refuses (naming both files) an id that already belongs to another file that is still
    there, and (naming the codings) a change that leaves a coding without a single place.
    """
    check_transcript_id(transcript)
    db = project._db
    with project.atomic():
        row = db.execute(
            "SELECT content_hash, respondent_id, source, origin FROM transcripts WHERE id = ?",
            (transcript.id,),
        ).fetchone()
        notes = list(transcript.notes)
        if row is not None:
            notes.extend(_check_origin(project, transcript, row["source"], row["origin"],
                                       same_text=row["content_hash"] == transcript.content_hash))
        # A respondent named in the file wins; otherwise an earlier link (from a
        # respondents.csv elsewhere) stays.
        respondent = transcript.respondent or (
            row["respondent_id"] if row is not None and row["respondent_id"] else transcript.id
        )
        ensure_respondent(project, respondent)
        metadata = json.dumps(transcript.metadata, ensure_ascii=False, sort_keys=True)
        words = transcript.word_count
        origin = transcript.origin or (row["origin"] if row is not None else None)
        if row is None:
            db.execute(
                "INSERT INTO transcripts(id, respondent_id, source, format, content_hash, "
                "metadata, word_count, imported_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (transcript.id, respondent, transcript.source, transcript.format,
                 transcript.content_hash, metadata, words, now_iso(), origin),
            )
            _insert_segments(project, transcript.id, transcript.segments)
            _save_header_and_labels(project, transcript)
            return SaveOutcome(transcript.id, "new", len(transcript.segments), words,
                               notes=tuple(notes))
        if row["content_hash"] == transcript.content_hash:
            # Same text: front matter, header or the source path may still have been edited.
            db.execute(
                "UPDATE transcripts SET metadata = ?, respondent_id = ?, source = ?, origin = ? "
                "WHERE id = ?",
                (metadata, respondent, transcript.source, origin, transcript.id),
            )
            _save_header_and_labels(project, transcript)
            return SaveOutcome(transcript.id, "unchanged", len(transcript.segments), words,
                               notes=tuple(notes))
        old = get_segments(project, transcript.id)
        alignment = align(old, transcript.segments)
        moves = _place_codings(project, transcript, old, alignment)
        memo_moves, memo_notes = _place_memos(project, transcript, old, alignment)
        notes.extend(memo_notes)
        notes.extend(_carry_suggestions(project, transcript.id, alignment))
        # The search index of the old text goes with it; the import indexes the new text.
        search_store.forget(project, transcript.id)
        db.execute("DELETE FROM segments WHERE transcript_id = ?", (transcript.id,))
        _insert_segments(project, transcript.id, transcript.segments)
        codings_store.move(project, moves)
        memos_store.move_segment_memos(project, memo_moves)
        db.execute(
            "UPDATE transcripts SET respondent_id = ?, source = ?, format = ?, content_hash = ?, "
            "metadata = ?, word_count = ?, imported_at = ?, origin = ? WHERE id = ?",
            (respondent, transcript.source, transcript.format, transcript.content_hash,
             metadata, words, now_iso(), origin, transcript.id),
        )
        _save_header_and_labels(project, transcript)
        moved = sum(1 for coding, number, start, _ in moves
                    if (coding.segment, coding.start) != (number, start))
        return SaveOutcome(transcript.id, "updated", len(transcript.segments), words,
                           reanchored=moved, notes=tuple(notes))


def _save_header_and_labels(project: Project, transcript: Transcript) -> None:
    """The header as the file now has it; the interviewer labels only when the user named
    some (else the remembered ones stay)."""
    project._db.execute("UPDATE transcripts SET header = ? WHERE id = ?",
                        (transcript.header, transcript.id))
    if transcript.interviewer_labels is not None:
        project._db.execute(
            "UPDATE transcripts SET interviewer_labels = ? WHERE id = ?",
            (json.dumps(list(transcript.interviewer_labels), ensure_ascii=False),
             transcript.id),
        )


def check_transcript_id(transcript: Transcript) -> None:
    """Refuse an id that is empty or holds a character that would hide or garble it."""
    if not transcript.id.strip() or transcript.id != transcript.id.strip():
        raise TranscriptError(
            f"{transcript.source}: transcript id {transcript.id!r} is empty or starts or ends "
            "with a space; rename the file or set 'id:' in its front matter"
        )
    bad = unreadable_character(transcript.id)
    if bad:
        raise TranscriptError(
            f"{transcript.source}: transcript id {transcript.id!r} contains {bad}, which "
            "would hide or garble it in listings; rename the file or set 'id:' in its "
            "front matter"
        )


def _check_origin(
    project: Project, transcript: Transcript, old_source: str, old_origin: str | None, *,
    same_text: bool,
) -> list[str]:
    """Refuse a second file that claims an id another file still holds, unless it is a
    revision of that file's interview (a copy in a newer folder with edits)."""
    if not transcript.origin or not old_origin or old_origin == transcript.origin:
        return []
    if same_text:
        return [f"{transcript.source}: transcript '{transcript.id}' was imported from "
                f"{old_source}; same text, now recorded as coming from here"]
    if Path(old_origin).exists():
        if is_revision(get_segments(project, transcript.id), transcript.segments):
            return [f"{transcript.source}: transcript '{transcript.id}' was imported from "
                    f"{old_source}; this file revises the same interview, so it replaces it"]
        raise TranscriptError(
            f"{transcript.source}: transcript id '{transcript.id}' already belongs to "
            f"{old_source}, a different file; import this one under another id "
            "(qcode import --id-prefix PREFIX, e.g. the case, or 'id:' in its front matter)"
        )
    return [f"{transcript.source}: transcript '{transcript.id}' was imported from "
            f"{old_source}, which is no longer there; updated from this file"]


# -- where turns went ----------------------------------------------------------------------


REVISION_SHARE = 0.5
"""Share of the old respondent text that must come back unchanged for a file elsewhere to
count as a revision of the same interview (not another interview under the same id)."""


def is_revision(old: Sequence[Segment], new: Sequence[Segment]) -> bool:
    """True when at least half of the old respondent text stands unchanged in ``new``.

    Interviewer turns are left out: interviews of one study share the questions of their
    interview guide, so only what respondents said tells two interviews apart.
    """
    before = [s.text for s in old if s.codable]
    after = [s.text for s in new if s.codable]
    total = sum(len(text) for text in before)
    if not total:
        return False
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    kept = sum(len(text) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag == "equal"
               for text in before[i1:i2])
    return kept / total >= REVISION_SHARE


def align(old: Sequence[Segment], new: Sequence[Segment]) -> Alignment:
    """Pair old turns with new ones the way a diff of the turn texts does."""
    matcher = difflib.SequenceMatcher(None, [s.text for s in old], [s.text for s in new],
                                      autojunk=False)
    same: dict[int, int] = {}
    edited: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                same[old[i1 + k].number] = new[j1 + k].number
        elif tag == "replace":
            for i, j in _pair_edits(old[i1:i2], new[j1:j2]):
                edited[i] = j
    return Alignment(same, edited)


def _pair_edits(old: Sequence[Segment], new: Sequence[Segment]) -> list[tuple[int, int]]:
    """Edited turns of one changed stretch: in order when it kept its number of turns,
    else each old turn with the most similar new one (at least half alike), in order."""
    if len(old) == len(new):
        return [(o.number, n.number) for o, n in zip(old, new, strict=True)]
    pairs: list[tuple[int, int]] = []
    start = 0
    for o in old:
        best, best_ratio = None, 0.5
        for index in range(start, len(new)):
            ratio = difflib.SequenceMatcher(None, o.text, new[index].text).ratio()
            if ratio > best_ratio:
                best, best_ratio = index, ratio
        if best is not None:
            pairs.append((o.number, new[best].number))
            start = best + 1
    return pairs


def _place_codings(
    project: Project, transcript: Transcript, old: Sequence[Segment], alignment: Alignment
) -> list[tuple[Coding, int, int | None, int | None]]:
    old_by_number = {s.number: s for s in old}
    new_by_number = {s.number: s for s in transcript.segments}
    taken = set(alignment.same.values())
    free = [s for s in transcript.segments if s.codable and s.number not in taken]
    moves: list[tuple[Coding, int, int | None, int | None]] = []
    lost: list[str] = []
    for coding in codings_store.select(project, transcripts=[transcript.id]):
        segment = old_by_number[coding.segment]
        whole = coding.start is None
        text = segment.text if whole else segment.text[coding.start:coding.end]
        target = alignment.same.get(coding.segment)
        if target is not None and new_by_number[target].codable:
            moves.append((coding, target, coding.start, coding.end))
            continue
        place = _find_place(text, whole=whole, old=segment, old_by_number=old_by_number,
                            new_by_number=new_by_number, free=free,
                            edited=alignment.edited.get(coding.segment))
        if place is None:
            lost.append(f"segment {coding.segment} {coding.code} ({coding.coder})")
            continue
        number, offset = place
        if whole:
            moves.append((coding, number, None, None))
        else:
            moves.append((coding, number, offset, offset + len(text)))
    if lost:
        shown = ", ".join(lost[:SHOWN]) + (f" and {len(lost) - SHOWN} more"
                                           if len(lost) > SHOWN else "")
        raise TranscriptError(
            f"{transcript.source}: transcript '{transcript.id}' changed and "
            f"{plural(len(lost), 'coding')} {'has' if len(lost) == 1 else 'have'} no single "
            f"place in its new text: {shown}; restore the old text, "
            f"or remove those codings first (qcode codings remove {transcript.id} SEGMENT "
            "CODE) and import again"
        )
    return moves


def _place_memos(
    project: Project, transcript: Transcript, old: Sequence[Segment], alignment: Alignment
) -> tuple[list[tuple[Memo, int, int | None, int | None]], list[str]]:
    """Where each segment memo goes (segment 0: onto the transcript), and a note for each
    memo that found no single place."""
    old_by_number = {s.number: s for s in old}
    new_by_number = {s.number: s for s in transcript.segments}
    taken = set(alignment.same.values())
    free = [s for s in transcript.segments if s.number not in taken]
    moves: list[tuple[Memo, int, int | None, int | None]] = []
    notes: list[str] = []
    for memo in memos_store.segment_memos(project, transcript.id):
        target = memo.target
        assert target.segment is not None
        segment = old_by_number[target.segment]
        span = target.span
        text = segment.text if span is None else segment.text[span[0]:span[1]]
        same = alignment.same.get(target.segment)
        if same is not None:
            moves.append((memo, same, target.start, target.end))
            continue
        edited = alignment.edited.get(target.segment)
        place = _find_place(text, whole=span is None, old=segment,
                            old_by_number=old_by_number, new_by_number=new_by_number,
                            free=free, edited=edited)
        if place is None and span is None and edited is not None:
            place = edited, 0
        if place is None:
            moves.append((memo, 0, None, None))
            notes.append(
                f"{transcript.id}: the memo by {memo.coder} on {target.describe()} has no "
                "single place in the new text; it is kept as a memo on the transcript "
                f"(qcode memo list transcript:{transcript.id})"
            )
        elif span is None:
            moves.append((memo, place[0], None, None))
        else:
            moves.append((memo, place[0], place[1], place[1] + len(text)))
    return moves, notes


def _find_place(
    text: str, *, whole: bool, old: Segment, old_by_number: Mapping[int, Segment],
    new_by_number: Mapping[int, Segment], free: Sequence[Segment], edited: int | None,
) -> tuple[int, int] | None:
    """The (turn, offset) where a coding's text now stands, if there is exactly one."""
    if not whole and edited is not None:
        counterpart = new_by_number[edited]
        if counterpart.codable and counterpart.text.count(text) == 1:
            return edited, counterpart.text.index(text)
    if whole:
        candidates = [s for s in free if s.text == text]
    else:
        candidates = [s for s in free if s.text.count(text) == 1]
    if len(candidates) > 1:
        candidates = _best_neighbours(old, candidates, old_by_number, new_by_number)
    if len(candidates) != 1:
        return None
    found = candidates[0]
    return found.number, 0 if whole else found.text.index(text)


def _best_neighbours(
    old: Segment, candidates: Sequence[Segment], old_by_number: Mapping[int, Segment],
    new_by_number: Mapping[int, Segment],
) -> list[Segment]:
    """The candidates whose turns before and after match the old turn's, if one matches
    best."""
    def neighbours(number: int, by_number: Mapping[int, Segment]) -> tuple[str | None, ...]:
        return tuple(by_number[n].text if n in by_number else None
                     for n in (number - 1, number + 1))

    before = neighbours(old.number, old_by_number)
    scores = [
        sum(a is not None and a == b
            for a, b in zip(before, neighbours(c.number, new_by_number), strict=True))
        for c in candidates
    ]
    best = max(scores)
    winners = [c for c, score in zip(candidates, scores, strict=True) if score == best]
    return winners if best > 0 else list(candidates)


def _carry_suggestions(project: Project, transcript_id: str, alignment: Alignment) -> list[str]:
    """Suggestions and decisions follow unchanged turns; on edited turns they go, counted."""
    db = project._db
    notes: list[str] = []
    for table, what in (("decisions", "review decision(s)"),
                        ("suggestions", "pending suggestion(s)")):
        rows = db.execute(f"SELECT id, segment FROM {table} WHERE transcript_id = ?",
                          (transcript_id,)).fetchall()
        keep = [(r["id"], alignment.same[r["segment"]]) for r in rows
                if r["segment"] in alignment.same]
        dropped = [r["id"] for r in rows if r["segment"] not in alignment.same]
        db.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in dropped])
        db.executemany(f"UPDATE {table} SET segment = -id WHERE id = ?", [(i,) for i, _ in keep])
        db.executemany(f"UPDATE {table} SET segment = ? WHERE id = ?",
                       [(number, i) for i, number in keep])
        if dropped:
            hint = ("; 'qcode suggest' proposes them again" if table == "decisions"
                    else "; run 'qcode suggest' again")
            notes.append(f"{transcript_id}: {len(dropped)} {what} on turns whose text "
                         f"changed were dropped{hint}")
    return notes


def _insert_segments(project: Project, transcript_id: str, segments: Sequence[Segment]) -> None:
    project._db.executemany(
        "INSERT INTO segments(transcript_id, number, speaker, interviewer, text, start_time, "
        "end_time) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (transcript_id, s.number, s.speaker, int(s.interviewer), s.text, s.start_time,
             s.end_time)
            for s in segments
        ],
    )
