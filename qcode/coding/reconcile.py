"""Where coders differ, and recording what they agreed on.

``list_disagreements`` finds the segments on which the compared coders' codes differ
(at the top or full level), with the text and each coder's codes. ``write_worksheet``
turns them into a reconciliation worksheet (.csv, .xlsx or .md) with an empty
``agreed`` column; ``reconcile_segment`` and ``reconcile_worksheet`` record the agreed
codes as a separate coder (``consensus``), so the original codings stay as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qcode.analysis.agreement import CONSENSUS_CODER, coded_units
from qcode.coding.blind import refuse_during_blind_round
from qcode.errors import CodingError, QcodeError
from qcode.exports.table import TableFile, write_table
from qcode.files import atomic_output, output_format
from qcode.models import Coding, at_level
from qcode.neutralise import markdown_line, markdown_quote
from qcode.store import codings as codings_store
from qcode.store.project import Project
from qcode.store.transcripts import segments_of

WORKSHEET_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".md")
NO_CODES = "-"
"""Written in the ``agreed`` column: the coders agreed the segment has none of the codes."""


@dataclass(frozen=True)
class Disagreement:
    """One segment on which the coders differ.

    ``differ`` are the codes (at the compared level) that some but not all coders
    applied; ``codes`` maps each coder to the full code ids they applied there (within
    the selected codes); ``consensus`` is what the consensus coder recorded, if anything.
    """

    transcript: str
    segment: int
    speaker: str
    text: str
    differ: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]
    consensus: tuple[str, ...]


@dataclass(frozen=True)
class DisagreementList:
    coders: tuple[str, ...]
    level: str
    transcripts: tuple[str, ...]
    n_units: int
    segments: tuple[Disagreement, ...]
    consensus_coder: str


def list_disagreements(
    project: Project,
    *,
    coders: Sequence[str] = (),
    codes: Sequence[str] = (),
    level: str = "top",
    consensus_coder: str = CONSENSUS_CODER,
) -> DisagreementList:
    """The segments, among those :func:`agreement_report` compares, where the coders'
    codes differ at ``level``, in transcript and segment order. Refused while a blind
    round is on: the list shows each coder's codes side by side."""
    refuse_during_blind_round(project, "'qcode disagreements'")
    units = coded_units(project, coders=coders, codes=codes, level=level)
    segments = segments_of(project, units.transcripts)
    selected = {code.id for code in units.codes}
    agreed: dict[tuple[str, int], set[str]] = {}
    consensus = [consensus_coder] if consensus_coder in codings_store.coders(project) else []
    for coding in codings_store.select(project, coders=consensus) if consensus else ():
        if at_level(coding.code, level) in selected:
            agreed.setdefault((coding.transcript, coding.segment), set()).add(coding.code)
    found = []
    for unit in units.units:
        judged = [units.judged(coder, unit) for coder in units.coders]
        differ = frozenset.union(*judged) - frozenset.intersection(*judged)
        if not differ:
            continue
        speaker, text = segments[unit].speaker, segments[unit].text
        found.append(Disagreement(
            transcript=unit[0], segment=unit[1], speaker=speaker, text=text,
            differ=tuple(code.id for code in units.codes if code.id in differ),
            codes={c: tuple(sorted(units.applied[c].get(unit, ()))) for c in units.coders},
            consensus=tuple(sorted(agreed.get(unit, ()))),
        ))
    return DisagreementList(
        coders=units.coders, level=level, transcripts=units.transcripts,
        n_units=len(units.units), segments=tuple(found), consensus_coder=consensus_coder,
    )


# -- the worksheet -----------------------------------------------------------------------


def worksheet_table(found: DisagreementList) -> tuple[list[str], list[dict[str, str | int]]]:
    """The worksheet's columns and rows: transcript, segment, differ, one column per
    coder, consensus, agreed (left empty to fill in), text. Codes are space-separated."""
    fixed = ["transcript", "segment", "differ", "consensus", "agreed", "text"]
    names = {c: (f"coder:{c}" if c in fixed else c) for c in found.coders}
    columns = [*fixed[:3], *names.values(), *fixed[3:]]
    rows: list[dict[str, str | int]] = []
    for d in found.segments:
        row: dict[str, str | int] = {
            "transcript": d.transcript, "segment": d.segment, "differ": " ".join(d.differ),
        }
        for coder, column in names.items():
            row[column] = " ".join(d.codes[coder])
        row.update(consensus=" ".join(d.consensus), agreed="", text=d.text)
        rows.append(row)
    return columns, rows


def write_worksheet(found: DisagreementList, path: Path) -> None:
    """Write the disagreements to ``path`` (.csv, .xlsx or .md), all or nothing."""
    suffix = output_format(path, "worksheet", WORKSHEET_FORMATS)
    if suffix == ".md":
        with atomic_output(path) as temporary:
            temporary.write_text(_markdown(found), encoding="utf-8", newline="")
        return
    columns, rows = worksheet_table(found)
    table = TableFile(
        columns, [[row[name] for name in columns] for row in rows], sheet="disagreements",
        frozen="C2", wide={"text": 80},
        place=lambda index: f"transcript {rows[index]['transcript']} segment "
        f"{rows[index]['segment']}",
    )
    write_table(table, path, what="worksheet", formats=WORKSHEET_FORMATS)


def _markdown(found: DisagreementList) -> str:
    lines = [
        f"# Verschillen tussen {markdown_line(', '.join(found.coders))} "
        f"({markdown_line(found.level)}-niveau)", "",
        f"{len(found.segments)} van {found.n_units} segmenten verschillen.", "",
    ]
    for d in found.segments:
        lines += [f"## {markdown_line(d.transcript)}, segment {d.segment}", ""]
        lines += markdown_quote(d.text)
        lines += ["", f"- verschil: {markdown_line(' '.join(d.differ))}"]
        for coder in found.coders:
            codes = " ".join(d.codes[coder]) or NO_CODES
            lines.append(f"- {markdown_line(coder)}: {markdown_line(codes)}")
        if d.consensus:
            lines.append(f"- {markdown_line(found.consensus_coder)}: "
                         f"{markdown_line(' '.join(d.consensus))}")
        lines.append("")
    return "\n".join(lines)


# -- recording the agreed version --------------------------------------------------------


@dataclass(frozen=True)
class ReconcileOutcome:
    """What reconciling one segment changed for the consensus coder."""

    transcript: str
    segment: int
    coder: str
    added: tuple[str, ...]
    kept: tuple[str, ...]
    removed: tuple[str, ...]


def reconcile_segment(
    project: Project,
    transcript: str,
    segment: int,
    codes: Sequence[str],
    *,
    coder: str = CONSENSUS_CODER,
    memo: str = "",
) -> ReconcileOutcome:
    """Make ``codes`` exactly what ``coder`` has on the segment.

    Codes ``coder`` already has there are kept as they are (span and memo included),
    missing ones are added for the whole segment, and ``coder``'s other codes on the
    segment are removed. Only ``coder``'s codings change; every other coder's stay.
    An empty ``codes`` records that the segment has none of the codes.
    """
    references = codings_store.References(project)
    references.segment_text(transcript, segment)  # the transcript and segment exist
    if not coder.strip():
        raise CodingError("empty coder name; pass --coder NAME")
    wanted = list(dict.fromkeys(codes))
    for code in wanted:
        references.check(Coding(transcript=transcript, segment=segment, code=code, coder=coder))
    with project.atomic():
        mine = [c for c in codings_store.select(project, transcripts=[transcript])
                if c.segment == segment and c.coder == coder]
        present = sorted({c.code for c in mine})
        removed = [code for code in present if code not in wanted]
        if removed:
            codings_store.remove(project, transcript, segment, removed, coder=coder)
        added = [code for code in wanted if code not in present]
        codings_store.add(project, [
            Coding(transcript=transcript, segment=segment, code=code, coder=coder, memo=memo)
            for code in added
        ])
    return ReconcileOutcome(
        transcript=transcript, segment=segment, coder=coder, added=tuple(added),
        kept=tuple(code for code in wanted if code in present), removed=tuple(removed),
    )


def reconcile_worksheet(
    project: Project, path: Path, *, coder: str = CONSENSUS_CODER
) -> list[ReconcileOutcome]:
    """Record the ``agreed`` column of a filled-in worksheet (.csv or .xlsx), all rows
    or none. Rows with an empty ``agreed`` cell are skipped; ``-`` means no codes."""
    suffix = output_format(path, "worksheet", (".csv", ".xlsx"))
    if not path.is_file():
        raise QcodeError(f"{path}: no such file")
    rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)
    seen: dict[tuple[str, int], int] = {}
    decisions: list[tuple[int, str, int, list[str]]] = []
    for line, row in rows:
        agreed = row.get("agreed", "").strip()
        if not agreed:
            continue
        transcript = row.get("transcript", "").strip()
        number = row.get("segment", "").strip()
        if not transcript or not number.isdigit():
            raise CodingError(f"{path}:{line}: needs a transcript and a segment number")
        key = (transcript, int(number))
        if key in seen:
            raise CodingError(
                f"{path}:{line}: {transcript} segment {number} is also agreed on line "
                f"{seen[key]}; keep one of the two"
            )
        seen[key] = line
        codes = [] if agreed == NO_CODES else [c for c in re.split(r"[\s,;]+", agreed) if c]
        decisions.append((line, transcript, int(number), codes))
    outcomes = []
    with project.atomic():
        for line, transcript, segment, codes in decisions:
            try:
                outcomes.append(reconcile_segment(project, transcript, segment, codes,
                                                  coder=coder))
            except QcodeError as exc:
                raise CodingError(f"{path}:{line}: {exc}") from None
    return outcomes


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    from qcode.files import read_csv_rows

    return read_csv_rows(path, required=("transcript", "segment", "agreed"),
                         what="reconciliation worksheet")


def _read_xlsx(path: Path) -> list[tuple[int, dict[str, str]]]:
    import zlib
    from xml.etree.ElementTree import ParseError
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    # A worksheet cut off while it was copied fails anywhere from opening the zip to
    # reading its last row: every such failure is the same problem to the researcher.
    damaged = (BadZipFile, OSError, KeyError, ValueError, EOFError, ParseError, zlib.error,
               IndexError, TypeError)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            values = list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except damaged as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QcodeError(
            f"{path}: not a readable .xlsx file ({reason}); save it again from the "
            "spreadsheet program, or use the .csv worksheet"
        ) from None
    header = [str(v).strip() if v is not None else "" for v in (values[0] if values else ())]
    missing = [name for name in ("transcript", "segment", "agreed") if name not in header]
    if missing:
        raise QcodeError(f"{path}:1: missing column(s) {', '.join(missing)}")
    return [
        (line, {name: _cell_text(v) for name, v in zip(header, row, strict=False)})
        for line, row in enumerate(values[1:], start=2)
    ]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a segment number Excel stored as 6.0
    return str(value)
