"""Check transcript files for identifiers and write masked copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qcode.anonymity.detect import find_identifiers
from qcode.anonymity.findings import AnonymityError, Detector, Finding, Span
from qcode.anonymity.sources import TranscriptText, read_transcript
from qcode.files import write_bytes_atomic

MASKED_MARK = ".masked"
"""Added to a file's stem for its masked copy beside it: ``r01.txt`` -> ``r01.masked.txt``."""


@dataclass(frozen=True)
class FileCheck:
    """The findings in one file, in file order."""

    path: Path
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class AnonymityReport:
    files: tuple[FileCheck, ...]
    names_checked: bool

    @property
    def findings(self) -> list[Finding]:
        return [finding for checked in self.files for finding in checked.findings]

    @property
    def files_with_findings(self) -> int:
        return sum(1 for checked in self.files if checked.findings)


@dataclass(frozen=True)
class MaskedCopy:
    source: Path
    target: Path
    masked: int


def check_files(files: Sequence[Path], *, names: Detector | None = None) -> AnonymityReport:
    """Check each file for identifiers; ``names`` finds person names and places (see
    :class:`qcode.anonymity.names.DeduceNames`), without it they are not checked.

    Raises:
        TranscriptError: a file that ``qcode import`` would refuse as well.
    """
    checked = []
    for path in files:
        transcript = read_transcript(Path(path))
        checked.append(FileCheck(Path(path), tuple(_scan(transcript, names))))
    return AnonymityReport(tuple(checked), names_checked=names is not None)


def check_paths(paths: Sequence[Path], *, names: Detector | None = None) -> AnonymityReport:
    """:func:`check_files` on files and folders, found as ``qcode import`` finds them."""
    from qcode.transcripts import collect_files

    return check_files(collect_files(paths), names=names)


def mask_paths(
    paths: Sequence[Path], *, out_dir: Path | None = None, names: Detector | None = None
) -> tuple[AnonymityReport, list[MaskedCopy]]:
    """Check files and folders and write masked copies, never touching the originals.

    Without ``out_dir`` a file with findings gets ``NAME.masked.SUFFIX`` beside it (files
    so named in a folder are earlier copies: they are skipped as input and overwritten). With
    ``out_dir`` every file is written there (clean ones unchanged, so the folder can be
    imported as it is), keeping its path below the folder it was found in; files already
    inside ``out_dir`` are skipped.

    Raises:
        AnonymityError: a copy would overwrite an input file, or two inputs would be
            written to one copy; nothing is written then.
        TranscriptError: a file that ``qcode import`` would refuse.
    """
    from qcode.transcripts import collect_files

    planned: list[tuple[Path, Path]] = []
    for path in paths:
        for file in collect_files([path]):
            if out_dir is None:
                if path.is_dir() and file.stem.endswith(MASKED_MARK):
                    continue  # a masked copy from an earlier run: it is rewritten, not read
                target = file.with_name(f"{file.stem}{MASKED_MARK}{file.suffix}")
            else:
                if _inside_input_folder(out_dir, path) and out_dir.resolve() in \
                        file.resolve().parents:
                    continue  # a copy from an earlier run into a folder inside this one
                below = file.relative_to(path) if path.is_dir() else Path(file.name)
                target = out_dir / below
            planned.append((file, target))
    _refuse_clashes(planned)

    # Read and check everything before writing anything: a file import would refuse
    # stops the run with no copies half made.
    checked: list[tuple[FileCheck, TranscriptText, Path]] = []
    for file, target in planned:
        transcript = read_transcript(file)
        checked.append((FileCheck(file, tuple(_scan(transcript, names))), transcript, target))
    written: list[MaskedCopy] = []
    for result, transcript, target in checked:
        if not result.findings and out_dir is None:
            continue
        by_passage: dict[int, list[Span]] = {}
        for finding in result.findings:
            by_passage.setdefault(finding.passage, []).append(
                Span(finding.start, finding.end, finding.kind)
            )
        content = transcript.masked(by_passage) if by_passage else result.path.read_bytes()
        _write(target, content)
        written.append(MaskedCopy(result.path, target, len(result.findings)))
    report = AnonymityReport(tuple(r for r, _, _ in checked), names_checked=names is not None)
    return report, written


def _scan(transcript: TranscriptText, names: Detector | None) -> list[Finding]:
    extra = (names,) if names is not None else ()
    findings = []
    for index, passage in enumerate(transcript.passages):
        for span in find_identifiers(passage, extra=extra):
            line, column = transcript.locate(index, span.start)
            findings.append(Finding(transcript.source, line, column, span.kind,
                                    passage[span.start:span.end], index, span.start,
                                    span.end))
    return findings


def _inside_input_folder(out_dir: Path, path: Path) -> bool:
    return path.is_dir() and path.resolve() in out_dir.resolve().parents


def _refuse_clashes(planned: list[tuple[Path, Path]]) -> None:
    inputs = {file.resolve(): file for file, _ in planned}
    targets: dict[Path, Path] = {}
    for file, target in planned:
        resolved = target.resolve()
        if resolved in inputs:
            raise AnonymityError(
                f"{target}: the masked copy of {file} would overwrite "
                f"{'the original' if inputs[resolved] == file else inputs[resolved]}; "
                "choose an --out folder outside the transcripts"
            )
        if resolved in targets:
            raise AnonymityError(
                f"{target}: both {targets[resolved]} and {file} would be masked into this "
                "file; give them different names or mask them one at a time"
            )
        targets[resolved] = file


def _write(target: Path, content: bytes) -> None:
    """Write through the one atomic writer, so an interrupted run leaves no half copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, content)
