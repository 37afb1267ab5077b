"""Write the project as REFI-QDA: a ``.qdpx`` project or a ``.qdc`` codebook.

What goes where in the ``.qdpx``:

- coders -> ``Users``; the codebook -> ``CodeBook`` (nesting, label as name, description,
  colour) and its code groups -> ``Sets``;
- each transcript -> a ``TextSource`` whose text is ``sources/<guid>.txt`` (UTF-8): its
  segments in order, a turn written as ``Speaker: text``, segments separated by a blank line
  (``SEGMENT_SEPARATOR``). Interviewer turns are included, so the conversation reads whole;
- a transcript's header (the text before its first speaker label) opens that text;
- each coding -> its own ``PlainTextSelection`` (the whole segment text, or the span inside
  it, as character offsets into that exact text) named ``line:N transcript:segment``, with
  the coder (``creatingUser``), time and memo (``Description``) on the selection, and one
  ``Coding`` with the same coder and time; the memo is also a ``Note`` referenced from the
  coding. One coding per selection is what QualCoder and qc read completely;
- every code gets a colour (its own, its parent's, or one of a fixed palette);
- respondents -> ``Cases`` with their attributes as ``VariableValue`` s and their transcripts
  as ``SourceRef`` s; a transcript's front matter -> ``VariableValue`` s on its source; all
  values are ``Text`` variables;
- memos -> ``Note`` s referred to from the project, a source or a code, annotations with
  their selection, a respondent's as its case's ``Description`` (see :mod:`qcode.refi.notes`).

Beside that, ``qcode.json`` keeps what REFI-QDA has no place for (code ids and the YAML-only
code fields, segment boundaries with speakers and times, provenance), so qcode -> qdpx ->
qcode loses nothing; other programs ignore it. Every GUID is derived from the project's
content (see :func:`~qcode.refi.xml.guid`), so re-exports are identical.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from qcode import __version__
from qcode.errors import ExportError
from qcode.models import Codebook, Coding, Memo, Segment
from qcode.refi.codes import CodeGroup, exported_colours, load_code_groups
from qcode.refi.notes import SOURCE_DESCRIPTION_COPIES, NoteWriter
from qcode.refi.xml import CODEBOOK_NS, PROJECT_NS, guid
from qcode.store.project import Project
from qcode.store.transcripts import TranscriptRecord

SEGMENT_SEPARATOR = "\n\n"
SIDECAR_NAME = "qcode.json"
SIDECAR_FORMAT = "qcode-refi-1"
ORIGIN = f"qcode {__version__}"
# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# xsd:dateTime; codings imported from CSV may carry any text as their time.
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


@dataclass(frozen=True)
class SourceText:
    """One transcript as exported: its text and where each segment's text starts."""

    transcript: str
    text: str
    offsets: dict[int, int]
    segments: tuple[Segment, ...]


@dataclass
class RefiProject:
    """Everything of a project that goes into a REFI-QDA export, read from the store."""

    codebook: Codebook | None
    groups: list[CodeGroup]
    transcripts: list[TranscriptRecord]
    segments: dict[str, list[Segment]]
    respondents: dict[str, dict[str, str]]
    codings: list[Coding]
    coders: list[str] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    codes: int
    groups: int
    transcripts: int
    selections: int
    codings: int
    memos: int
    coders: int
    cases: int


def collect_project(project: Project) -> RefiProject:
    """Read what the export needs from the project, as plain data."""
    from qcode.store import codings as codings_store
    from qcode.store import memos as memos_store
    from qcode.store.codebook import load_stored_codebook
    from qcode.store.transcripts import get_segments, respondent_attributes, transcript_records

    codebook = load_stored_codebook(project)
    transcripts = transcript_records(project)
    respondents = respondent_attributes(project)
    codings = codings_store.select(project)
    memos = memos_store.select(project)
    return RefiProject(
        codebook=codebook,
        groups=load_code_groups(project, codebook) if codebook else [],
        transcripts=transcripts,
        segments={t.id: get_segments(project, t.id) for t in transcripts},
        respondents=respondents,
        codings=codings,
        coders=sorted({c.coder for c in codings} | {m.coder for m in memos}),
        memos=memos,
    )


def render_source(transcript: str, segments: Iterable[Segment], header: str = "") -> SourceText:
    """The exported text of a transcript and the offset of each segment's text in it: its
    header (the text before the first speaker label), then every segment."""
    parts: list[str] = []
    offsets: dict[int, int] = {}
    position = 0
    kept = tuple(segments)
    if header:
        parts.append(header)
        position = len(header)
    for segment in kept:
        if parts:
            parts.append(SEGMENT_SEPARATOR)
            position += len(SEGMENT_SEPARATOR)
        prefix = f"{segment.speaker}: " if segment.speaker else ""
        parts.append(prefix + segment.text)
        offsets[segment.number] = position + len(prefix)
        position += len(prefix) + len(segment.text)
    return SourceText(transcript, "".join(parts), offsets, kept)


def export_qdpx(project: Project, path: Path, *, name: str | None = None) -> ExportSummary:
    """Write the project to ``path`` as a REFI-QDA project (``.qdpx``)."""
    from qcode.refi.archive import write_qdpx

    if path.suffix.lower() != ".qdpx":
        raise ExportError(f"{path}: a REFI-QDA project file ends in .qdpx; e.g. -o project.qdpx")
    content = collect_project(project)
    writer = _ProjectWriter(content, name or project.root.resolve().name or "qcode")
    members = writer.members()
    write_qdpx(path, members)
    return ExportSummary(
        path=path, codes=len(content.codebook.codes) if content.codebook else 0,
        groups=len(content.groups), transcripts=len(content.transcripts),
        selections=writer.selection_count, codings=len(content.codings),
        memos=writer.memo_count, coders=len(content.coders), cases=len(content.respondents),
    )


def export_qdc(project: Project, path: Path) -> ExportSummary:
    """Write the project's codebook to ``path`` as a REFI-QDA codebook (``.qdc``)."""
    from qcode.store.codebook import require_codebook

    if path.suffix.lower() != ".qdc":
        raise ExportError(f"{path}: a REFI-QDA codebook file ends in .qdc; e.g. -o codes.qdc")
    codebook = require_codebook(project)
    groups = load_code_groups(project, codebook)
    root = ET.Element(_q("CodeBook", CODEBOOK_NS), {"origin": ORIGIN})
    root.append(_codes_element(codebook, CODEBOOK_NS))
    if groups:
        root.append(_sets_element(groups, CODEBOOK_NS))
    from qcode.files import write_bytes_atomic

    write_bytes_atomic(path, _serialise(root, CODEBOOK_NS))
    return ExportSummary(path=path, codes=len(codebook.codes), groups=len(groups),
                         transcripts=0, selections=0, codings=0, memos=0, coders=0, cases=0)


def _q(name: str, ns: str = PROJECT_NS) -> str:
    # Elements are built without a namespace and the root carries ``xmlns``: ElementTree
    # cannot write a default namespace together with unqualified attributes.
    return name


def _sub(parent: ET.Element, tag: str, ns: str = PROJECT_NS, /, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, _q(tag, ns), attributes)


def _text(value: str, where: str) -> str:
    bad = _NOT_XML.search(value)
    if bad:
        raise ExportError(
            f"{where} contains the control character U+{ord(bad.group()):04X}, which XML "
            "cannot hold; remove it and export again"
        )
    return value


def _codes_element(codebook: Codebook, ns: str,
                   note_refs: dict[str, list[str]] | None = None) -> ET.Element:
    codes = ET.Element(_q("Codes", ns))
    elements: dict[str | None, ET.Element] = {None: codes}
    colours = exported_colours(codebook.codes)
    for code in codebook.codes:
        element = _sub(elements[code.parent], "Code", ns, guid=guid("code", code.id),
                       name=_text(code.label, f"the label of code {code.id}"), isCodable="true",
                       color=colours[code.id])
        if code.description:
            description = _sub(element, "Description", ns)
            description.text = _text(code.description, f"the description of code {code.id}")
        for note in (note_refs or {}).get(code.id, []):
            _sub(element, "NoteRef", ns, targetGUID=note)
        elements[code.id] = element
    return codes


def _sets_element(groups: list[CodeGroup], ns: str) -> ET.Element:
    sets = ET.Element(_q("Sets", ns))
    for group in groups:
        element = _sub(sets, "Set", ns, guid=guid("code group", group.name),
                       name=_text(group.name, f"code group '{group.name}'"))
        if group.description:
            _sub(element, "Description", ns).text = _text(group.description,
                                                          f"code group '{group.name}'")
        for code in group.codes:
            _sub(element, "MemberCode", ns, targetGUID=guid("code", code))
    return sets


def _serialise(root: ET.Element, ns: str) -> bytes:
    root.set("xmlns", ns)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def coding_key(coding: Coding) -> tuple[object, ...]:
    """What identifies a coding: the same in every export and after a round trip."""
    return (coding.transcript, coding.segment, coding.code, coding.coder,
            "whole" if coding.start is None else f"{coding.start}:{coding.end}")


class _ProjectWriter:
    def __init__(self, content: RefiProject, name: str) -> None:
        self.content = content
        self.name = name
        self.selection_count = 0
        self.memo_count = 0
        self.notes: list[ET.Element] = []
        self.sidecar: dict[str, Any] = {"format": SIDECAR_FORMAT, "transcripts": {},
                                           "codings": {}}
        self.memo_notes = NoteWriter(content.memos, _text)

    def members(self) -> list[tuple[str, bytes]]:
        content = self.content
        root = ET.Element(_q("Project"), {"name": _text(self.name, "the project name"),
                                          "origin": ORIGIN})
        if content.coders:
            users = _sub(root, "Users")
            for coder in content.coders:
                _sub(users, "User", guid=guid("coder", coder), name=_text(coder, "a coder name"))
        if content.codebook is not None:
            _sub(root, "CodeBook").append(_codes_element(content.codebook, PROJECT_NS,
                                                         self.memo_notes.code_refs()))
            from qcode.codebook import codebook_to_yaml

            self.sidecar["codebook"] = codebook_to_yaml(content.codebook)
        variables = sorted({k for attrs in content.respondents.values() for k in attrs}
                           | {k for t in content.transcripts for k in t.metadata})
        if variables:
            element = _sub(root, "Variables")
            for variable in variables:
                _sub(element, "Variable", guid=guid("variable", variable),
                     name=_text(variable, f"attribute '{variable}'"), typeOfVariable="Text")
        self._cases(root)
        files = self._sources(root)
        project_notes = self.memo_notes.project_refs()
        if self.notes or self.memo_notes.notes:
            _sub(root, "Notes").extend([*self.notes, *self.memo_notes.notes])
        if content.groups:
            root.append(_sets_element(content.groups, PROJECT_NS))
        for note in project_notes:
            _sub(root, "NoteRef", targetGUID=note)
        self.memo_count += self.memo_notes.count
        if self.memo_notes.sidecar:
            self.sidecar["memos"] = self.memo_notes.sidecar
        if self.memo_notes.respondent_memos:
            self.sidecar["respondent_memos"] = self.memo_notes.respondent_memos
        sidecar = json.dumps(self.sidecar, ensure_ascii=False, sort_keys=True, indent=1)
        return [("project.qde", _serialise(root, PROJECT_NS)), *files,
                *self.memo_notes.files, (SIDECAR_NAME, sidecar.encode("utf-8"))]

    def _cases(self, root: ET.Element) -> None:
        if not self.content.respondents:
            return
        cases = _sub(root, "Cases")
        for respondent, attributes in self.content.respondents.items():
            case_guid = guid("respondent", respondent)
            case = _sub(cases, "Case", guid=case_guid, name=_text(respondent, "a respondent id"))
            description = self.memo_notes.respondent_description(respondent, case_guid)
            if description:
                _sub(case, "Description").text = description
            self._values(case, attributes, f"respondent {respondent}")
            for transcript in self.content.transcripts:
                if transcript.respondent == respondent:
                    _sub(case, "SourceRef", targetGUID=guid("transcript", transcript.id))

    def _values(self, parent: ET.Element, values: dict[str, str], where: str) -> None:
        for variable in sorted(values):
            value = _sub(parent, "VariableValue")
            _sub(value, "VariableRef", targetGUID=guid("variable", variable))
            _sub(value, "TextValue").text = _text(str(values[variable]),
                                                 f"attribute '{variable}' of {where}")

    def _sources(self, root: ET.Element) -> list[tuple[str, bytes]]:
        files: list[tuple[str, bytes]] = []
        if not self.content.transcripts:
            return files
        sources = _sub(root, "Sources")
        by_transcript: dict[str, list[Coding]] = {}
        for coding in self.content.codings:
            by_transcript.setdefault(coding.transcript, []).append(coding)
        for transcript in self.content.transcripts:
            transcript_id = transcript.id
            source_guid = guid("transcript", transcript_id)
            header = _text(transcript.header, f"the header of transcript {transcript_id}")
            rendered = render_source(transcript_id, self.content.segments[transcript_id], header)
            element = _sub(sources, "TextSource", guid=source_guid,
                           name=_text(transcript_id, "a transcript id"),
                           plainTextPath=f"internal://{source_guid}.txt")
            description = self.memo_notes.source_description(transcript_id)
            if description:
                # First in the element, as the schema orders it.
                described = ET.Element(_q("Description"))
                described.text = description
                element.insert(0, described)
                self.sidecar[SOURCE_DESCRIPTION_COPIES] = True
            self._selections(element, rendered, by_transcript.get(transcript_id, []))
            lengths = {s.number: len(s.text) for s in rendered.segments}
            for note in self.memo_notes.source_refs(transcript_id, rendered.offsets, lengths):
                _sub(element, "NoteRef", targetGUID=note)
            self._values(element, transcript.metadata, f"transcript {transcript_id}")
            files.append((f"sources/{source_guid}.txt", rendered.text.encode("utf-8")))
            entry: dict[str, Any] = {
                "id": transcript_id, "source": transcript.source, "format": transcript.format,
                "segments": [
                    [s.number, s.speaker, s.interviewer, rendered.offsets[s.number],
                     len(s.text), s.start_time, s.end_time]
                    for s in rendered.segments
                ],
            }
            if header:
                entry["header"] = header
            self.sidecar["transcripts"][source_guid] = entry
        return files

    def _selections(self, source: ET.Element, rendered: SourceText,
                    codings: list[Coding]) -> None:
        """One selection per coding, with the coder, time and memo on the selection itself:
        QualCoder reads them only there, and a selection holding two coders' codings would
        give both to one of them."""
        texts = {s.number: s.text for s in rendered.segments}
        line_starts = [0] + [i + 1 for i, ch in enumerate(rendered.text) if ch == "\n"]
        placed = []
        for coding in codings:
            offset = rendered.offsets[coding.segment]
            start = offset + (coding.start or 0)
            end = offset + (coding.end if coding.end is not None else len(texts[coding.segment]))
            placed.append((start, end, coding.segment, coding.code, coding.coder,
                           coding.created_at, coding))
        for start, end, segment, _, _, _, coding in sorted(placed, key=lambda p: p[:6]):
            self.selection_count += 1
            # qc places a selection on the line its name gives ("line:N", counted from 0
            # as qc counts); the rest of the name is for people.
            line = bisect.bisect_right(line_starts, start) - 1
            key = coding_key(coding)
            selection = _sub(
                source, "PlainTextSelection", guid=guid("selection", *key),
                name=f"line:{line} {rendered.transcript}:{segment}",
                startPosition=str(start), endPosition=str(end),
                creatingUser=guid("coder", coding.coder),
            )
            created = _xsd_datetime(coding.created_at)
            if created:
                selection.set("creationDateTime", created)
            if coding.memo:
                where = f"the memo of {coding.transcript}:{coding.segment} {coding.code}"
                _sub(selection, "Description").text = _text(coding.memo, where)
            self._coding(selection, coding, created)

    def _coding(self, selection: ET.Element, coding: Coding, created: str | None) -> None:
        key = coding_key(coding)
        coding_guid = guid("coding", *key)
        element = _sub(selection, "Coding", guid=coding_guid,
                       creatingUser=guid("coder", coding.coder))
        if created:
            element.set("creationDateTime", created)
        _sub(element, "CodeRef", targetGUID=guid("code", coding.code))
        self.sidecar["codings"][coding_guid] = [
            coding.provenance, coding.start is not None, coding.created_at,
        ]
        if not coding.memo:
            return
        # The memo is also a Note referenced from the coding: the schema's own place for it,
        # read by the programs that do not read a selection's Description.
        self.memo_count += 1
        note_guid = guid("memo", *key)
        _sub(element, "NoteRef", targetGUID=note_guid)
        note = ET.Element(_q("Note"), {
            "guid": note_guid, "name": f"Memo {coding.transcript}:{coding.segment} "
            f"{coding.code} ({coding.coder})", "creatingUser": guid("coder", coding.coder),
        })
        if created:
            note.set("creationDateTime", created)
        where = f"the memo of {coding.transcript}:{coding.segment} {coding.code}"
        _sub(note, "PlainTextContent").text = _text(coding.memo, where)
        self.notes.append(note)


def _xsd_datetime(value: str) -> str | None:
    """A coding's time as xsd:dateTime in UTC with ``Z`` (QualCoder shows the ``Z`` form
    best), or None when it is no time at all (codings from CSV may carry any text)."""
    if not _DATETIME.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # valid for XML, beyond Python's reading (a year past 9999)
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"
