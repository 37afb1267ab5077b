"""The text transcript format: front matter, then speaker turns or plain paragraphs.

Segment texts are slices of the decoded file, stripped only at the ends, so a quote taken
from a segment is byte-for-byte the text in the file (after line endings are made ``\\n``).
Nothing is Unicode-normalised: ``coöperatie`` stays as it was typed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from qcode.errors import TranscriptError
from qcode.models import DEFAULT_INTERVIEWER_LABELS, Segment, Transcript
from qcode.transcripts.frontmatter import split_front_matter
from qcode.transcripts.speakers import (
    LabelMatch,
    doubtful_note,
    interviewer_keys,
    label_key,
    match_label,
    no_interviewer_warning,
    speaker_keys,
)


def parse_text(
    text: str,
    *,
    source: str,
    transcript_id: str,
    interviewer_labels: Sequence[str] | None = None,
) -> Transcript:
    """Parse a transcript in the text format (see DESIGN.md, "Transcript text format").

    Args:
        text: The decoded text, line endings already ``\\n``.
        source: The file name, used in error messages and stored with the transcript.
        transcript_id: The id to use unless the front matter has an ``id`` key.
        interviewer_labels: Speaker labels of the interviewer. When given they win over the
            front matter's ``interviewer`` key, which wins over ``DEFAULT_INTERVIEWER_LABELS``.

    Turns: a line ``Label: text`` starts a turn when ``Label`` is a speaker label (see
    :func:`qcode.transcripts.speakers.speaker_keys`); following lines without a label,
    blank lines included, belong to that turn. A turn whose label has no text still gets
    its segment (with empty text), so that filling it in later does not renumber the turns
    after it and orphan their codings. Text before the first turn is the transcript's
    ``header`` (a title, "Datum: ..."), kept but never a segment; every paragraph of a file
    without speaker labels becomes a segment of its own with speaker ``""``.

    Raises:
        TranscriptError: bad front matter, or no text at all.
    """
    return build_transcript(
        text,
        source=source,
        transcript_id=transcript_id,
        interviewer_labels=interviewer_labels,
        format="text",
    )


def build_transcript(
    text: str,
    *,
    source: str,
    transcript_id: str,
    interviewer_labels: Sequence[str] | None,
    format: str,
    notes: Sequence[str] = (),
    paragraph_starts: Collection[int] | None = None,
) -> Transcript:
    """Parse text-format ``text`` into a transcript of the given ``format``.

    ``paragraph_starts`` are 0-based line indices that start a new paragraph even without a
    blank line before them; the .docx reader passes its Word paragraphs this way.
    """
    lines = text.split("\n")  # not splitlines(): it also splits on \x0b, \x1c, \u2028...
    front, body_start = split_front_matter(lines, source)
    if interviewer_labels is not None:
        labels = tuple(interviewer_labels)
    elif front is not None and front.interviewer_labels is not None:
        labels = front.interviewer_labels
    else:
        labels = DEFAULT_INTERVIEWER_LABELS
    declared = front.speakers if front is not None else None
    body = _Body(text, lines, paragraph_starts or (), source)
    segments = body.segments(
        body_start,
        interviewer_keys(labels),
        None if declared is None else frozenset(label_key(label) for label in declared),
    )
    if not any(segment.text for segment in segments):
        where = " after the front matter" if front is not None else ""
        raise TranscriptError(
            f"{source}: empty transcript: there is no interview text{where}; add the "
            "transcript text or leave this file out"
        )
    warning = None
    if not any(segment.interviewer for segment in segments):
        warning = no_interviewer_warning(source, [s.speaker for s in segments], labels)
    return Transcript(
        id=(front.transcript_id if front is not None else None) or transcript_id,
        source=source,
        format=format,
        segments=tuple(segments),
        respondent=front.respondent if front is not None else None,
        metadata=dict(front.metadata) if front is not None else {},
        notes=(*notes, *body.notes),
        header=body.header,
        warnings=(warning,) if warning else (),
    )


def header_note(source: str, header: str) -> str:
    """What an import says about a transcript's header."""
    lines = [line.strip() for line in header.split("\n") if line.strip()]
    shown = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    return (
        f"{source}: the {len(lines)} line(s) before the first speaker label (\"{shown}\") "
        "are kept as the transcript's header: shown by 'qcode show' and exported, never "
        "coded or counted as a turn"
    )


class _Body:
    """The lines of one transcript with their offsets, for slicing exact segment texts."""

    def __init__(
        self, text: str, lines: list[str], paragraph_starts: Collection[int], source: str
    ) -> None:
        self.text = text
        self.lines = lines
        self.paragraph_starts = paragraph_starts
        self.source = source
        self.notes: list[str] = []
        self.header = ""
        self.starts: list[int] = []
        offset = 0
        for line in lines:
            self.starts.append(offset)
            offset += len(line) + 1

    def segments(
        self, body_start: int, interviewers: frozenset[str], declared: frozenset[str] | None
    ) -> list[Segment]:
        end = len(self.lines)
        candidates: dict[int, LabelMatch] = {}
        for index in range(body_start, end):
            found = match_label(self.lines[index])
            if found is not None:
                candidates[index] = found
        first = next((i for i in range(body_start, end) if self.lines[i].strip()), None)
        opening = candidates[first].key if first in candidates else None
        keys = [found.key for found in candidates.values()]
        choice = speaker_keys(keys, interviewers, opens_with=opening, declared=declared)
        turns = [index for index, found in candidates.items() if found.key in choice.accepted]
        for key in sorted(choice.doubtful, key=keys.index):
            index = next(i for i, found in candidates.items() if found.key == key)
            self.notes.append(
                doubtful_note(self.source, index + 1, candidates[index].label, keys.count(key))
            )

        segments: list[Segment] = []
        if turns:
            self.header = self._header(body_start, turns[0])
            if self.header:
                self.notes.append(header_note(self.source, self.header))
        else:
            for paragraph in self._paragraphs(body_start, end):
                segments.append(Segment(number=len(segments) + 1, speaker="", text=paragraph))
        for position, index in enumerate(turns):
            found = candidates[index]
            stop = turns[position + 1] if position + 1 < len(turns) else end
            segments.append(
                Segment(
                    number=len(segments) + 1,
                    speaker=found.label,
                    text=self._slice(self.starts[index] + found.text_offset, stop - 1),
                    interviewer=found.key in interviewers,
                )
            )
        return segments

    def _header(self, begin: int, end: int) -> str:
        """The text of lines ``begin`` to ``end`` (exclusive), stripped at both ends."""
        filled = [index for index in range(begin, end) if self.lines[index].strip()]
        if not filled:
            return ""
        return self._slice(self.starts[filled[0]], filled[-1])

    def _paragraphs(self, begin: int, end: int) -> list[str]:
        """The paragraphs of lines ``begin`` to ``end`` (exclusive), split at blank lines."""
        paragraphs: list[str] = []
        first: int | None = None
        for index in range(begin, end):
            blank = not self.lines[index].strip()
            if first is not None and (blank or index in self.paragraph_starts):
                paragraphs.append(self._slice(self.starts[first], index - 1))
                first = None
            if first is None and not blank:
                first = index
        if first is not None:
            paragraphs.append(self._slice(self.starts[first], end - 1))
        return paragraphs

    def _slice(self, offset: int, last_line: int) -> str:
        """The text from ``offset`` to the end of line ``last_line``, stripped at both ends."""
        stop = self.starts[last_line] + len(self.lines[last_line])
        return self.text[offset:stop].strip()
