"""Read a REFI-QDA project file (``.qdpx``) into plain qcode data, touching no project.

:mod:`qcode.importing.qdpx` stores what this reads (``qcode import FILE.qdpx``).

A ``.qdpx`` brings, in one transaction (a bad file changes nothing):

- its codebook, which replaces the project's (see :mod:`qcode.refi.codes` for how
  ids are made; codes in use never disappear silently), and its code ``Sets`` as groups;
- each text source as a transcript and each coded selection as codings of the segments it
  overlaps (see :mod:`qcode.refi.sources`), by the coder named in ``Users``
  (``unknown`` when the file names none), with the coding's notes as its memo, provenance
  ``imported`` (a qcode export keeps its own) and the coding's time;
- each case as a respondent, its variable values as the respondent's attributes, and its
  sources linked to it; a source's own variable values become the transcript's metadata;
- journals, annotations and source, case and code memos as memos (see
  :mod:`qcode.refi.notes`).

Real exporters differ, so any ``*.qde`` name is accepted, sources are found with or without
``internal://``, a near-empty ``.txt`` beside a ``.docx`` twin (NVivo) gives way to the
``.docx`` text, and sources without any text are skipped with a note.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

from qcode.errors import CodebookError
from qcode.models import Code, Codebook, Coding, Memo, Transcript
from qcode.refi.archive import QdpxArchive
from qcode.refi.codes import (
    CodeGroup,
    code_guids,
    normal_guid,
    read_codes,
    read_sets,
    ref_guid,
)
from qcode.refi.export import SIDECAR_FORMAT, SIDECAR_NAME
from qcode.refi.notes import SOURCE_DESCRIPTION_COPIES, NoteReader
from qcode.refi.sources import (
    Layout,
    PlacedSegment,
    SegmentRange,
    archive_member,
    decode_source,
    map_selection,
    place_segments,
    read_source_text,
    segments_from_layout,
)
from qcode.refi.xml import RefiError, child, child_text, children, parse_xml
from qcode.words import plural

UNKNOWN_CODER = "unknown"
SHOWN = 5
_OTHER_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
_DOCUMENT_SUFFIXES = frozenset({".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md",
                                ".html", ".htm", ".vtt", ".srt"})


@dataclass
class QdpxContent:
    """What a ``.qdpx`` holds, as qcode data, before anything is stored."""

    name: str
    origin: str
    codebook: Codebook | None
    groups: list[CodeGroup]
    renames: dict[str, str]
    transcripts: list[Transcript] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    respondents: dict[str, dict[str, str]] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)
    selections: int = 0
    by_label_path: list[tuple[str, str]] = field(default_factory=list)
    """(label path in the file, code id) of the project's codes found by label path."""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)


def read_qdpx(
    path: Path, *, known_codes: Mapping[str, Code] | None = None,
    interviewer_labels: Sequence[str] | None = None,
    remembered_labels: Mapping[str, Sequence[str]] | None = None,
) -> QdpxContent:
    """Read a ``.qdpx`` file into qcode data without touching any project.

    ``interviewer_labels`` are the labels the user names now; ``remembered_labels`` those
    named at an earlier import, per transcript id, used when none are named now."""
    with QdpxArchive(path) as archive:
        return _QdpxReader(archive, known_codes or {}, interviewer_labels,
                           remembered_labels or {}).read()


class _QdpxReader:
    def __init__(self, archive: QdpxArchive, known: Mapping[str, Code],
                 interviewer_labels: Sequence[str] | None,
                 remembered: Mapping[str, Sequence[str]]) -> None:
        self.archive = archive
        self.known = known
        self.interviewer_labels = interviewer_labels
        self.remembered = remembered
        self.member = archive.project_member()
        self.source = f"{archive.source}:{self.member}"
        self.notes: list[str] = []
        self.sidecar = self._sidecar()
        self.own_transcripts: dict[str, Any] = _mapping(self.sidecar.get("transcripts"))
        self.own_codings: dict[str, Any] = _mapping(self.sidecar.get("codings"))

    def _sidecar(self) -> dict[str, Any]:
        name = self.archive.find(SIDECAR_NAME)
        if name is None:
            return {}
        try:
            sidecar = json.loads(self.archive.read(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            sidecar = None
        if not isinstance(sidecar, dict) or sidecar.get("format") != SIDECAR_FORMAT:
            self.notes.append(f"{self.archive.source}: {SIDECAR_NAME} is not qcode's; ignored")
            return {}
        return sidecar

    def read(self) -> QdpxContent:
        root = parse_xml(self.archive.read(self.member), source=self.source,
                         root_name="Project")
        self.users = {
            normal_guid(u.get("guid")): (u.get("name") or u.get("id") or u.get("guid") or "")
            for u in _all(root, "Users", "User")
        }
        self.default_user = normal_guid(root.get("creatingUserGUID"))
        codebook, by_guid, renames = self._codebook(root, root.get("name") or "")
        self.by_guid = by_guid
        groups = read_sets(child(root, "Sets"), by_guid, source=self.source, notes=self.notes)
        self.variables = {normal_guid(v.get("guid")): (v.get("name") or "").strip()
                          for v in _all(root, "Variables", "Variable")}
        self.note_texts = {normal_guid(n.get("guid")): self._note_text(n)
                           for n in _all(root, "Notes", "Note")}
        content = QdpxContent(
            name=root.get("name") or self.archive.path.stem, origin=root.get("origin") or "",
            codebook=codebook, groups=groups, renames=renames,
            users=sorted(set(self.users.values())), by_label_path=self.by_label_path,
        )
        self.respondent_of: dict[str, str] = {}
        self.case_refs: list[tuple[str, str]] = []
        self.read_sources: set[str] = set()
        self.case_respondents: dict[str, str] = {}
        self.memo_reader = NoteReader(
            root, self.users, self.note_texts, normal_guid,
            sidecar=_mapping(self.sidecar.get("memos")),
            respondent_sidecar=_mapping(self.sidecar.get("respondent_memos")),
            default_user=self.default_user,
            source_descriptions_are_copies=bool(self.sidecar.get(SOURCE_DESCRIPTION_COPIES)),
        )
        self._cases(root, content)
        self._sources(root, content)
        self._unplaced_case_refs()
        self.memo_reader.finish(self.by_guid, self.case_respondents)
        content.memos = self.memo_reader.memos
        left_out = _left_out(root)
        if left_out:
            self.notes.append(f"{self.source}: left out, as qcode has no place for them: "
                              + ", ".join(left_out))
        content.notes = [*self.notes, *self.memo_reader.notes]
        return content

    # -- codes ---------------------------------------------------------------------

    def _codebook(
        self, root: Element, project_name: str
    ) -> tuple[Codebook | None, dict[str, str], dict[str, str]]:
        self.by_label_path: list[tuple[str, str]] = []
        codes_element = child(child(root, "CodeBook") or Element("none"), "Codes")
        if codes_element is None or child(codes_element, "Code") is None:
            return None, {}, {}
        codes = read_codes(codes_element, source=self.source, known=self.known)
        self.notes.extend(codes.notes)
        self.by_label_path = codes.by_label_path
        own = self._own_codebook(codes.by_guid, {c.id: c.parent for c in codes.codes})
        if own is not None:
            return own, {g: c.id for g, c in code_guids(own).items()}, {}
        name = project_name or self.archive.path.stem
        codebook = Codebook(name=name, codes=tuple(codes.codes),
                            description=f"Uit {self.archive.path.name}", source=self.source)
        return codebook, codes.by_guid, codes.renames

    def _own_codebook(self, by_guid: Mapping[str, str],
                      parents: Mapping[str, str | None]) -> Codebook | None:
        """qcode's own codebook from qcode.json, if it has exactly the file's code tree."""
        text = self.sidecar.get("codebook")
        if not isinstance(text, str):
            return None
        from qcode.codebook import parse_codebook

        try:
            own = parse_codebook(text, source=self.source)
        except CodebookError:
            return None
        own_guids = {g: c.id for g, c in code_guids(own).items()}
        if set(own_guids) != set(by_guid):
            return None
        # The same tree: each code's parent is the code the file nests it in.
        in_file = {own_guids[g]: by_guid[g] for g in own_guids}
        for code in own.codes:
            expected = in_file[code.parent] if code.parent is not None else None
            if parents[in_file[code.id]] != expected:
                return None
        return own

    # -- cases, notes, values -------------------------------------------------------

    def _cases(self, root: Element, content: QdpxContent) -> None:
        used: set[str] = set()
        for case in _all(root, "Cases", "Case"):
            respondent = (case.get("name") or "").strip() or normal_guid(case.get("guid"))
            if respondent in used:
                self.notes.append(f"{self.source}: two cases are called '{respondent}'; "
                                  "their attributes are merged")
            used.add(respondent)
            self.case_respondents[normal_guid(case.get("guid"))] = respondent
            attributes = content.respondents.setdefault(respondent, {})
            attributes.update(self._values(case))
            for ref in children(case, "SourceRef"):
                self.respondent_of.setdefault(ref_guid(ref), respondent)
                self.case_refs.append((respondent, ref_guid(ref)))

    def _unplaced_case_refs(self) -> None:
        """Say which cases refer to a source that is not in the file (or was skipped)."""
        unplaced: dict[str, int] = {}
        for respondent, source_guid in self.case_refs:
            if source_guid not in self.read_sources:
                unplaced[respondent] = unplaced.get(respondent, 0) + 1
        if unplaced:
            shown = ", ".join(f"'{r}' ({n})" for r, n in list(unplaced.items())[:SHOWN])
            more = f" and {len(unplaced) - SHOWN} more" if len(unplaced) > SHOWN else ""
            self.notes.append(
                f"{self.source}: {sum(unplaced.values())} reference(s) of case(s) to a source "
                f"that is not in the file or was skipped left out: {shown}{more}; the cases "
                "are kept as respondents"
            )

    def _values(self, element: Element) -> dict[str, str]:
        values: dict[str, str] = {}
        for value in children(element, "VariableValue"):
            ref = child(value, "VariableRef")
            variable = self.variables.get(ref_guid(ref))
            found = [v for v in value if v is not ref]
            if variable and found:
                values[variable] = found[0].text or ""
        return values

    def _note_text(self, note: Element) -> str:
        inline = child(note, "PlainTextContent")
        if inline is not None:
            return inline.text or ""
        path = note.get("plainTextPath")
        member = archive_member(self.archive, path) if path else None
        if member is None:
            return ""
        text, _ = decode_source(self.archive.read(member), source=f"{self.archive.source}:"
                                f"{member}")
        return text.text

    def _memo(self, coding: Element, selection: Element) -> str:
        """A coding's memo: the notes of the coding and of its selection and the
        selection's Description (QualCoder's and MAXQDA's place for it), each text once."""
        texts = []
        for element in (coding, selection):
            for ref in children(element, "NoteRef"):
                text = self.note_texts.get(ref_guid(ref), "").strip()
                if text and text not in texts:
                    texts.append(text)
        description = child_text(selection, "Description").strip()
        if description and description not in texts:
            texts.append(description)
        return "\n\n".join(texts)

    # -- sources and codings ---------------------------------------------------------

    def _sources(self, root: Element, content: QdpxContent) -> None:
        sources = child(root, "Sources")
        if sources is None:
            return
        skipped = [s for s in sources if isinstance(s.tag, str)
                   and s.tag.rsplit("}", 1)[-1] in _OTHER_SOURCES]
        if skipped:
            sources_word = "source" if len(skipped) == 1 else "sources"
            self.notes.append(f"{self.source}: {len(skipped)} PDF, picture, audio or video "
                              f"{sources_word} skipped; qcode codes text")
        ids: set[str] = set()
        for element in children(sources, "TextSource"):
            self._source(element, content, ids)

    def _source(self, element: Element, content: QdpxContent, ids: set[str]) -> None:
        from qcode.transcripts.text import build_transcript

        source_guid = normal_guid(element.get("guid"))
        own = _mapping(self.own_transcripts.get(source_guid))
        label = self._source_label(element, own)
        where = f"{self.archive.source}: source '{label}'"
        text = read_source_text(self.archive, element, where, self.notes)
        selections = list(children(element, "PlainTextSelection"))
        if not text.text.strip():
            dropped = f" and its {plural(len(selections), 'selection')}" if selections else ""
            self.notes.append(f"{where} has no text (neither .txt nor .docx); skipped{dropped}")
            return
        transcript_id = _unique_id(label, ids)
        respondent = self.respondent_of.get(source_guid)
        metadata = self._values(element)
        self.read_sources.add(source_guid)
        placed: list[PlacedSegment] | None = None
        header = str(own["header"]) if isinstance(own.get("header"), str) else ""
        if own:
            try:
                if not text.text.startswith(header):
                    raise RefiError(f"{where}: the qcode header does not fit the text")
                placed = segments_from_layout(text.text, own.get("segments", []), source=where)
            except RefiError as exc:
                self.notes.append(f"{exc}; the text is parsed instead")
        if placed is not None:
            transcript = Transcript(
                id=transcript_id, source=str(own.get("source") or where),
                format=str(own.get("format") or "qdpx"),
                segments=tuple(p.segment for p in placed), respondent=respondent,
                metadata=metadata, header=header,
            )
        else:
            named = self.interviewer_labels
            labels = named if named is not None else self.remembered.get(transcript_id)
            parsed = build_transcript(text.text, source=where, transcript_id=transcript_id,
                                      interviewer_labels=labels, format="qdpx")
            transcript = Transcript(id=transcript_id, source=where, format="qdpx",
                                    segments=parsed.segments, respondent=respondent,
                                    metadata={**parsed.metadata, **metadata},
                                    notes=parsed.notes, header=parsed.header,
                                    interviewer_labels=tuple(named) if named else None,
                                    warnings=parsed.warnings)
            placed = place_segments(text.text, parsed)
        self.notes.extend(transcript.notes)
        content.warnings.extend(transcript.warnings)
        content.transcripts.append(transcript)
        self.memo_reader.source(element, transcript_id, placed, text.position, where)
        self.interviewer_skips = 0
        layout = Layout(placed)
        for selection in selections:
            content.selections += 1
            self._selection(selection, transcript_id, layout, text.position, content, where)
        if self.interviewer_skips:
            self.notes.append(f"{where}: {plural(self.interviewer_skips, 'coding')} of interviewer "
                              "turns skipped; qcode codes only respondent turns (name the "
                              "interviewer with --interviewer LABEL)")
        if any(True for _ in children(element, "Coding")):
            self.notes.append(f"{where}: codings of the whole source skipped; qcode codes "
                              "segments")

    def _source_label(self, element: Element, own: Mapping[str, Any]) -> str:
        if isinstance(own.get("id"), str) and own["id"].strip():
            return str(own["id"])
        name = (element.get("name") or "").strip()
        # Programs name a source after its file: "interview-a.txt" is interview-a.
        stem, dot, suffix = name.rpartition(".")
        if dot and stem.strip() and f".{suffix.lower()}" in _DOCUMENT_SUFFIXES:
            name = stem.strip()
        if name:
            return name
        path = element.get("plainTextPath") or element.get("richTextPath") or ""
        stem = PurePosixPath(path.split("://", 1)[-1]).stem
        return stem or normal_guid(element.get("guid")) or "source"

    def _selection(self, selection: Element, transcript: str, placed: Layout,
                   position: Callable[[int], int], content: QdpxContent, where: str) -> None:
        try:
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
        except ValueError:
            raise RefiError(
                f"{where}: selection {selection.get('guid')} has no valid startPosition/"
                "endPosition; the file is damaged"
            ) from None
        ranges = map_selection(placed, position(start), position(end))
        codings = list(children(selection, "Coding"))
        if not codings:
            return  # an annotation: counted with what the import leaves out
        if not ranges:
            if codings:
                self.notes.append(f"{where}: selection {start}-{end} covers no segment text "
                                  f"(only labels or blank lines); its "
                                  f"{plural(len(codings), 'coding')} skipped")
            return
        for coding in codings:
            self._coding(coding, selection, transcript, ranges, content, where)

    def _coding(self, coding: Element, selection: Element, transcript: str,
                ranges: list[SegmentRange], content: QdpxContent, where: str) -> None:
        ref = child(coding, "CodeRef")
        code_guid = ref_guid(ref)
        code = self.by_guid.get(code_guid)
        if code is None:
            raise RefiError(
                f"{where}: a coding refers to code {code_guid or '(none)'}, which is not in the "
                "file's codebook; the file is damaged"
            )
        user = normal_guid(coding.get("creatingUser") or selection.get("creatingUser")
                           or self.default_user)
        coder = self.users.get(user) or UNKNOWN_CODER
        own = self.own_codings.get(normal_guid(coding.get("guid")))
        provenance, span_kept = "imported", False
        created = coding.get("creationDateTime") or selection.get("creationDateTime") or ""
        if isinstance(own, list) and len(own) == 3:
            provenance, span_kept, created = str(own[0]), bool(own[1]), str(own[2])
        memo = self._memo(coding, selection)
        for item in ranges:
            segment = item.segment
            if segment.interviewer:
                self.interviewer_skips += 1
                continue
            span = item.span
            if span is None and span_kept and segment.text:
                span = (0, len(segment.text))
            content.codings.append(Coding(
                transcript=transcript, segment=segment.number, code=code, coder=coder,
                provenance=provenance, memo=memo, start=span[0] if span else None,
                end=span[1] if span else None, created_at=created,
            ))


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _all(root: Element, group: str, item: str) -> list[Element]:
    parent = child(root, group)
    return list(children(parent, item)) if parent is not None else []


def _unique_id(label: str, used: set[str]) -> str:
    candidate, number = label, 2
    while candidate in used:
        candidate = f"{label}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _left_out(root: Element) -> list[str]:
    """What of the file qcode keeps nowhere, counted by kind (``2 graph(s)``). Notes,
    descriptions and annotations become memos (:mod:`qcode.refi.notes`, which names any it
    cannot place); links between items other than notes, graphs, and codes or selections
    assigned to cases have no place in qcode."""
    counts: dict[str, int] = {}

    def count(what: str, number: int) -> None:
        if number:
            counts[what] = counts.get(what, 0) + number

    notes = {normal_guid(n.get("guid")) for n in _all(root, "Notes", "Note")}
    count("link(s) between items", sum(
        1 for link in _all(root, "Links", "Link")
        if normal_guid(link.get("originGUID")) not in notes
        and normal_guid(link.get("targetGUID")) not in notes))
    count("graph(s)", len(_all(root, "Graphs", "Graph")))
    cases = _all(root, "Cases", "Case")
    count("code(s) or selection(s) assigned to cases",
          sum(1 for c in cases for e in c if local_name(e) in ("CodeRef", "SelectionRef")))
    return [f"{n} {what}" for what, n in counts.items()]


def local_name(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
