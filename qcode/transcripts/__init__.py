"""Read transcript files (.txt, .md, .docx, .vtt, .srt) into :class:`~qcode.models.Transcript`.

Example::

    from qcode.transcripts import parse_file
    transcript = parse_file(Path("interviews/noord-r01.txt"))
    for segment in transcript.segments:
        ...

Every problem with a file is raised as :class:`~qcode.errors.TranscriptError` with a
one-line message naming the file (and line) and how to fix it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from qcode.errors import TranscriptError
from qcode.models import Transcript
from qcode.neutralise import undecodable
from qcode.transcripts.decode import decode_bytes
from qcode.transcripts.text import build_transcript, parse_text

__all__ = ["SUPPORTED_SUFFIXES", "decode_bytes", "parse_file", "parse_text"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".vtt", ".srt")


def parse_file(
    path: Path,
    *,
    transcript_id: str | None = None,
    interviewer_labels: Sequence[str] | None = None,
) -> Transcript:
    """Parse one transcript file, choosing the reader by its suffix.

    Args:
        path: A .txt or .md file (the text format), .docx, .vtt or .srt.
        transcript_id: The id to store the transcript under. Without it the front matter's
            ``id`` is used, else the file stem.
        interviewer_labels: Speaker labels of the interviewer; they win over the front
            matter's ``interviewer`` key and over ``DEFAULT_INTERVIEWER_LABELS``.

    Raises:
        TranscriptError: an unsupported suffix, an unreadable, binary, undecodable or empty
            file, or a format error (with its line).
    """
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    byte = undecodable(source)
    if byte is not None:
        # The id and the source are stored as text; bytes that are not UTF-8 cannot be.
        raise TranscriptError(
            f"{source}: the file name is not valid UTF-8 (byte {byte}), as in a zip made on "
            "Windows; rename the file (or its folder) and import again"
        )
    if suffix not in SUPPORTED_SUFFIXES:
        raise TranscriptError(
            f"{source}: cannot read '{suffix or 'no suffix'}' files as transcripts; save the "
            f"transcript as one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if transcript_id is not None and not transcript_id.strip():
        raise TranscriptError(f"{source}: the transcript id is empty; give a non-empty id")
    default_id = transcript_id or path.stem
    if suffix == ".docx":
        from qcode.transcripts.word import read_docx

        text, paragraph_starts = read_docx(path, source=source)
        transcript = build_transcript(
            text,
            source=source,
            transcript_id=default_id,
            interviewer_labels=interviewer_labels,
            format="docx",
            paragraph_starts=paragraph_starts,
        )
    else:
        text, notes = decode_bytes(_read_bytes(path, source), source=source)
        if suffix in (".vtt", ".srt"):
            from qcode.transcripts.subtitles import parse_subtitles

            transcript = parse_subtitles(
                text,
                source=source,
                transcript_id=default_id,
                format=suffix[1:],
                interviewer_labels=interviewer_labels,
                notes=notes,
            )
        else:
            transcript = build_transcript(
                text,
                source=source,
                transcript_id=default_id,
                interviewer_labels=interviewer_labels,
                format="text",
                notes=notes,
            )
    if transcript_id is not None and transcript.id != transcript_id:
        # An id the user gave explicitly wins over the front matter's.
        transcript = dataclasses.replace(transcript, id=transcript_id)
    return transcript


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise TranscriptError(f"{source}: is a folder, not a transcript file") from None
    except OSError as exc:
        raise TranscriptError(
            f"{source}: cannot read the file ({exc.strerror or exc}); check the path and "
            "its permissions"
        ) from None
