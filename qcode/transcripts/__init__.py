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
from dataclasses import dataclass
from pathlib import Path

from qcode.errors import TranscriptError
from qcode.models import Transcript
from qcode.neutralise import undecodable
from qcode.transcripts.decode import decode_bytes
from qcode.transcripts.text import build_transcript, parse_text

__all__ = [
    "SUPPORTED_SUFFIXES", "FoundFiles", "collect_files", "decode_bytes", "find_transcripts",
    "parse_file", "parse_text", "skipped_notes",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".vtt", ".srt")

# Files a folder of interviews often holds that qcode cannot read, with how to make them
# readable. Data files qcode reads with other commands (respondents.csv, codings CSV, a
# codebook) are not transcripts and are passed over without a word.
_CONVERT: tuple[tuple[tuple[str, ...], str], ...] = (
    ((".doc", ".rtf", ".odt", ".wpd", ".pages", ".docm", ".dot", ".dotx"),
     "open each in Word (or LibreOffice) and save it as .docx ('Word Document'), then "
     "import again"),
    ((".pdf",),
     "qcode reads no PDF: save the original Word file as .docx, or copy the text into a "
     ".txt file, then import again"),
    ((".mp3", ".m4a", ".wav", ".ogg", ".flac", ".mp4", ".mov", ".m4v", ".webm", ".avi"),
     "recordings are not transcripts: transcribe them first (Teams, Word or Amberscript "
     "write .vtt, .srt or .docx)"),
)
_DATA_SUFFIXES = frozenset({".csv", ".tsv", ".yaml", ".yml", ".json", ".xlsx", ".xls", ".qdc",
                            ".qdpx", ".db", ".db-wal", ".db-shm"})
SHOWN = 5


@dataclass(frozen=True)
class FoundFiles:
    """The transcript files in the paths given, and the files of folders that were passed
    over because qcode cannot read them as transcripts."""

    files: list[Path]
    skipped: list[Path]


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
    return dataclasses.replace(transcript, origin=str(path.resolve()))


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


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders (recursively, skipping hidden entries) into transcript files."""
    return find_transcripts(paths).files


def find_transcripts(paths: Sequence[Path]) -> FoundFiles:
    """Expand folders (recursively, skipping hidden entries) into transcript files, and
    keep the files passed over (see :func:`skipped_notes`). A file named explicitly is
    taken as it is: reading it says what is wrong with it."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            # "~$name.docx" is the lock file Word keeps beside a document it has open.
            entries = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.name.startswith("~$")
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            found = [p for p in entries if p.suffix.lower() in SUPPORTED_SUFFIXES]
            passed = [p for p in entries if p.suffix.lower() not in SUPPORTED_SUFFIXES
                      and p.suffix.lower() not in _DATA_SUFFIXES]
            if not found:
                unreadable = f"; {skipped_notes(passed)[0]}" if passed else ""
                raise TranscriptError(
                    f"{path}: no transcripts in this folder (looked for "
                    f"{', '.join(SUPPORTED_SUFFIXES)}){unreadable}"
                )
            files.extend(found)
            skipped.extend(passed)
        elif path.is_file():
            files.append(path)
        else:
            raise TranscriptError(f"{path}: no such file or folder")
    return FoundFiles(files, skipped)


def skipped_notes(skipped: Sequence[Path]) -> list[str]:
    """One line per kind of file passed over, naming the files and how to convert them."""
    notes: list[str] = []
    left = list(skipped)
    for suffixes, advice in _CONVERT:
        kind = [p for p in left if p.suffix.lower() in suffixes]
        if kind:
            notes.append(f"skipped {len(kind)} file(s) qcode cannot read as transcripts: "
                         f"{_names(kind)}; {advice}")
            left = [p for p in left if p not in kind]
    if left:
        notes.append(f"skipped {len(left)} other file(s) that are not transcripts: "
                     f"{_names(left)}; qcode imports {', '.join(SUPPORTED_SUFFIXES)}")
    return notes


def _names(paths: Sequence[Path]) -> str:
    shown = ", ".join(str(p) for p in paths[:SHOWN])
    return shown + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")
