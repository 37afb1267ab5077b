"""WebVTT (.vtt) and SubRip (.srt) transcripts, as written by Teams, Zoom and transcription
services.

Consecutive cues of one speaker form one segment. Cue texts are joined with ``\\n``: each
cue stays recognisable as a line of the segment and no character is invented between them.
Markup (``<v>``, ``<c>``, ``<i>``, ``<b>``, ``<font>``, inline timestamps, ``{\\an8}``) is
removed; apart from that the cue text is kept as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.errors import TranscriptError, located
from qcode.models import DEFAULT_INTERVIEWER_LABELS, Segment, Transcript
from qcode.transcripts.speakers import (
    interviewer_keys,
    label_key,
    match_label,
    no_interviewer_warning,
    speaker_keys,
)

_TIMING = re.compile(r"(?P<start>\S+)[ \t]+-->[ \t]+(?P<end>\S+)(?:[ \t].*)?")
_TIMESTAMP = re.compile(r"(?:(?P<h>\d+):)?(?P<m>[0-5]\d):(?P<s>[0-5]\d)[.,](?P<ms>\d{3})")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*(?:[ \t]+(?P<name>[^>]*))?>")
# Only tag-like "<...>" is markup, so "minder < 5 meldingen" in an .srt file survives.
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>|<\d[\d:.]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}\n]*\}")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


@dataclass
class _Cue:
    line: int
    start: int
    end: int
    text: str
    voice: str | None


def parse_subtitles(
    text: str,
    *,
    source: str,
    transcript_id: str,
    format: str,
    interviewer_labels: Sequence[str] | None = None,
    notes: Sequence[str] = (),
) -> Transcript:
    """Parse decoded .vtt or .srt text (``format`` is ``"vtt"`` or ``"srt"``).

    The speaker of a cue is its WebVTT voice (``<v Name>``, the first one when a cue has
    several) or a ``Name:`` prefix, accepted by the same rules as labels in text files. A
    cue without a speaker continues the previous speaker's segment; when no cue names a
    speaker every cue is a segment of its own. Segments carry the first cue's start and
    the last cue's end as ``HH:MM:SS.mmm``.

    Raises:
        TranscriptError: a malformed timing line (with its line number), or no cue text.
    """
    cues = _read_cues(text, source, vtt=format == "vtt")
    labels = DEFAULT_INTERVIEWER_LABELS if interviewer_labels is None else interviewer_labels
    interviewers = interviewer_keys(labels)
    speakers = _cue_speakers(cues, interviewers)
    segments: list[Segment] = []
    cue_texts: list[str] = []
    named = any(speaker is not None for speaker, _ in speakers)
    for cue, (speaker, cue_text) in zip(cues, speakers, strict=True):
        previous = segments[-1] if segments else None
        # Cues without a speaker before the first named one stay separate segments.
        if previous is None or not named or not previous.speaker:
            continues = False
        else:
            continues = speaker is None or label_key(speaker) == label_key(previous.speaker)
        if previous is not None and continues:
            cue_texts.append(cue_text)
            segments[-1] = Segment(
                number=previous.number,
                speaker=previous.speaker,
                text="\n".join(cue_texts),
                interviewer=previous.interviewer,
                start_time=previous.start_time,
                end_time=_format(cue.end),
            )
            continue
        cue_texts = [cue_text]
        segments.append(
            Segment(
                number=len(segments) + 1,
                speaker=speaker or "",
                text=cue_text,
                interviewer=speaker is not None and label_key(speaker) in interviewers,
                start_time=_format(cue.start),
                end_time=_format(cue.end),
            )
        )
    if not segments:
        raise TranscriptError(
            f"{source}: empty transcript: no cue with text found; check that the file holds "
            "the subtitles and not only a header"
        )
    warning = None
    if not any(segment.interviewer for segment in segments):
        warning = no_interviewer_warning(source, [s.speaker for s in segments], labels)
    return Transcript(
        id=transcript_id,
        source=source,
        format=format,
        segments=tuple(segments),
        notes=tuple(notes),
        warnings=(warning,) if warning else (),
    )


def _cue_speakers(
    cues: Sequence[_Cue], interviewers: frozenset[str]
) -> list[tuple[str | None, str]]:
    """Each cue's speaker (or ``None``) and its text without a ``Name:`` prefix."""
    prefixes = [None if cue.voice else match_label(cue.text) for cue in cues]
    candidates = [
        label_key(cue.voice) if cue.voice else prefix.key if prefix else None
        for cue, prefix in zip(cues, prefixes, strict=True)
    ]
    accepted = speaker_keys(
        [key for key in candidates if key is not None],
        interviewers,
        opens_with=candidates[0] if candidates else None,
    ).accepted
    result: list[tuple[str | None, str]] = []
    for cue, prefix in zip(cues, prefixes, strict=True):
        if cue.voice:
            result.append((cue.voice, cue.text))
        elif prefix is not None and prefix.key in accepted:
            result.append((prefix.label, cue.text[prefix.text_offset :].strip()))
        else:
            result.append((None, cue.text))
    return result


def _read_cues(text: str, source: str, *, vtt: bool) -> list[_Cue]:
    cues: list[_Cue] = []
    for position, (first_line, block) in enumerate(_blocks(text.split("\n"))):
        if vtt and position == 0 and block[0].startswith("WEBVTT"):
            continue
        if "-->" in block[0]:
            timing = 0
        elif len(block) > 1 and "-->" in block[1]:
            timing = 1  # a cue identifier or an SRT sequence number comes first
        elif vtt and block[0].split(maxsplit=1)[0] in _SKIPPED_BLOCKS:
            continue
        else:
            example = "00:00:01.000" if vtt else "00:00:01,000"
            raise TranscriptError(
                f"{located(source, first_line)}: expected a cue with a timing line such as "
                f"'{example} --> 00:00:04{example[-4:]}'; fix or remove this block"
            )
        line = first_line + timing
        start, end = _timing(block[timing], source, line, vtt=vtt)
        raw = "\n".join(block[timing + 1 :])
        voice = _VOICE.search(raw)
        cleaned = _TAG.sub("", raw)
        cleaned = html.unescape(cleaned) if vtt else _ASS_OVERRIDE.sub("", cleaned)
        cue_text = cleaned.strip()
        if cue_text:
            name = (voice.group("name") or "").strip() if voice else ""
            cues.append(_Cue(line, start, end, cue_text, html.unescape(name) or None))
    return cues


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the 1-based number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _timing(line_text: str, source: str, line: int, *, vtt: bool) -> tuple[int, int]:
    """Parse ``start --> end [settings]`` into milliseconds."""
    found = _TIMING.fullmatch(line_text.strip())
    start = _milliseconds(found.group("start")) if found else None
    end = _milliseconds(found.group("end")) if found else None
    if start is None or end is None:
        form = "HH:MM:SS.mmm --> HH:MM:SS.mmm" if vtt else "HH:MM:SS,mmm --> HH:MM:SS,mmm"
        raise TranscriptError(
            f"{located(source, line)}: malformed cue timing '{line_text.strip()}'; write it "
            f"as '{form}'"
        )
    if end < start:
        raise TranscriptError(
            f"{located(source, line)}: cue ends ({_format(end)}) before it starts "
            f"({_format(start)}); fix the timing line"
        )
    return start, end


def _milliseconds(stamp: str) -> int | None:
    found = _TIMESTAMP.fullmatch(stamp)
    if found is None:
        return None
    hours = int(found.group("h") or 0)
    minutes, seconds = int(found.group("m")), int(found.group("s"))
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(found.group("ms"))


def _format(milliseconds: int) -> str:
    seconds, millis = divmod(milliseconds, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
