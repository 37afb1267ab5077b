"""Memos as REFI-QDA notes, both ways.

Writing (qcode -> ``.qdpx``), every memo but a respondent's becomes a ``Note`` in
``Notes`` with its text inline, its coder as ``creatingUser`` and its times, referred to
from where the schema lets it be:

- the journal (``project``) and case memos (a house: REFI-QDA has no place for it):
  ``NoteRef`` s at the end of ``Project``, the notes that apply to the whole project;
- a transcript's memos: ``NoteRef`` s in its ``TextSource``;
- a code's memos: ``NoteRef`` s in its ``Code``;
- a segment's memos (annotations): a ``Note`` holding the ``PlainTextSelection`` of the
  turn or span it is about, referred to from the ``TextSource``, as QualCoder writes them;
- a respondent's memos: the ``Description`` of the respondent's ``Case`` (a case has no
  ``NoteRef``), several joined by a blank line.

``qcode.json`` keeps what the notes cannot say (that a project note is a case memo, that
an annotation is on a whole turn, each respondent memo's coder and times), so a qcode
project comes back with every memo where it was.

Reading (another program -> qcode), what other programs write becomes memos: the
project's ``Description`` and notes referred to from ``Project``, and notes nothing refers
to (QualCoder's journals) become the journal; a source's ``Description`` and the notes it
refers to become transcript memos, or annotations when the note holds a selection (a
selection across three turns annotates each of them; one on no turn's text stays a
transcript memo, said in a note); a selection without codings that carries a note or a
description (and NVivo's ``Link`` from a note to a selection) is an annotation too; a
case's ``Description`` a respondent memo; the notes a code refers to its memos. A note
with a selection that no source refers to stays in the journal when the file has several
sources, and the import says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from qcode.models import Memo, MemoTarget
from qcode.refi.sources import PlacedSegment, map_selection
from qcode.refi.xml import child, child_text, children, guid, local

UNKNOWN_CODER = "unknown"
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def _when(value: str) -> str | None:
    return value if _DATETIME.match(value) else None


# -- writing -----------------------------------------------------------------------------


class NoteWriter:
    """Turns a project's memos into ``Note`` elements and the references to them."""

    def __init__(self, memos: Sequence[Memo], check: Callable[[str, str], str]) -> None:
        self.check = check
        """``check(text, where)``: the exporter's test that XML can hold a text."""
        self.notes: list[Element] = []
        self.sidecar: dict[str, Any] = {}
        self.respondent_memos: dict[str, list[list[str]]] = {}
        self.files: list[tuple[str, bytes]] = []
        """Texts of notes kept as files in ``sources/`` (journal entries: QualCoder reads a
        note as a journal only from a file)."""
        self.count = 0
        self._by_kind: dict[str, list[Memo]] = {}
        self._used: set[str] = set()
        for memo in memos:
            self._by_kind.setdefault(memo.target.kind, []).append(memo)

    def coders(self) -> set[str]:
        return {m.coder for found in self._by_kind.values() for m in found}

    def _note(self, memo: Memo, name: str, *, as_file: bool = False) -> Element:
        t = memo.target
        key = guid("memo", t.kind, t.name, t.segment, t.start, t.end, memo.coder,
                   memo.created_at, memo.text)
        number = 2
        base = key
        while key in self._used:
            key = guid("memo", base, number)
            number += 1
        self._used.add(key)
        note = ET.Element("Note", {"guid": key, "name": self.check(name, "a memo's name"),
                                   "creatingUser": guid("coder", memo.coder)})
        created, updated = _when(memo.created_at), _when(memo.updated_at)
        if created:
            note.set("creationDateTime", created)
        if updated and updated != created:
            note.set("modifyingUser", guid("coder", memo.coder))
            note.set("modifiedDateTime", updated)
        text = self.check(memo.text, f"the memo on {t.describe()}")
        if as_file:
            # The schema allows the text inline or in a file, not both.
            note.set("plainTextPath", f"internal://{key}.txt")
            self.files.append((f"sources/{key}.txt", text.encode("utf-8")))
        else:
            ET.SubElement(note, "PlainTextContent").text = text
        self.notes.append(note)
        self.count += 1
        return note

    def project_refs(self) -> list[str]:
        """Notes for the journal and for case memos, to refer to from ``Project``."""
        refs = []
        for memo in self._by_kind.get("project", []):
            refs.append(self._note(memo, f"Journal {memo.created_at[:10]} ({memo.coder})",
                                   as_file=True).get("guid", ""))
        for memo in self._by_kind.get("case", []):
            key = self._note(memo, f"Case {memo.target.name} ({memo.coder})").get("guid", "")
            self.sidecar[key] = {"case": memo.target.name}
            refs.append(key)
        return refs

    def code_refs(self) -> dict[str, list[str]]:
        """Notes for code memos, by code id, to refer to from each ``Code``."""
        refs: dict[str, list[str]] = {}
        for memo in self._by_kind.get("code", []):
            note = self._note(memo, f"Memo {memo.target.name} ({memo.coder})")
            refs.setdefault(memo.target.name, []).append(note.get("guid", ""))
        return refs

    def source_refs(self, transcript: str, offsets: Mapping[int, int],
                    lengths: Mapping[int, int]) -> list[str]:
        """Notes for a transcript's memos and its annotations (each with the selection of
        its turn or span in the exported text), to refer to from its ``TextSource``."""
        refs = []
        for memo in self._by_kind.get("transcript", []):
            if memo.target.name == transcript:
                refs.append(self._note(memo, f"Memo {transcript} ({memo.coder})").get("guid", ""))
        for memo in self._by_kind.get("segment", []):
            t = memo.target
            if t.name != transcript or t.segment is None or t.segment not in offsets:
                continue
            note = self._note(memo, f"Annotation {transcript}:{t.segment} ({memo.coder})")
            start = offsets[t.segment] + (t.start or 0)
            end = offsets[t.segment] + (t.end if t.end is not None else lengths[t.segment])
            key = note.get("guid", "")
            ET.SubElement(note, "PlainTextSelection", {
                "guid": guid("memo selection", key), "startPosition": str(start),
                "endPosition": str(end)})
            self.sidecar[key] = {"whole": t.span is None}
            refs.append(key)
        return refs

    def source_description(self, transcript: str) -> str:
        """A transcript's memos joined, also written as its source's ``Description``: the
        one place QualCoder reads a document memo from. qcode reads the notes back and
        leaves this copy (see ``SOURCE_DESCRIPTION_COPIES``)."""
        found = [m for m in self._by_kind.get("transcript", []) if m.target.name == transcript]
        return self.check("\n\n".join(m.text for m in found),
                          f"the memos on transcript {transcript}") if found else ""

    def respondent_description(self, respondent: str, case_guid: str) -> str:
        """The respondent's memos joined, for the ``Description`` of their ``Case``."""
        found = [m for m in self._by_kind.get("respondent", []) if m.target.name == respondent]
        if not found:
            return ""
        self.respondent_memos[case_guid] = [[m.coder, m.created_at, m.updated_at, m.text]
                                            for m in found]
        self.count += len(found)
        return self.check("\n\n".join(m.text for m in found),
                          f"the memos on respondent {respondent}")


SOURCE_DESCRIPTION_COPIES = "source_descriptions_are_memo_copies"
"""Key of qcode's sidecar saying that each source's description repeats its memos."""


# -- reading ------------------------------------------------------------------------------


@dataclass
class NoteReader:
    """Collects the memos of a ``.qdpx`` as its reader walks the file.

    ``users`` maps user GUIDs to coder names, ``texts`` note GUIDs to their text (inline
    or from ``plainTextPath``), ``sidecar`` is qcode's own record (empty for files from
    other programs)."""

    root: Element
    users: Mapping[str, str]
    texts: Mapping[str, str]
    normal: Callable[[str | None], str]
    sidecar: Mapping[str, Any] = field(default_factory=dict)
    respondent_sidecar: Mapping[str, Any] = field(default_factory=dict)
    default_user: str = ""
    source_descriptions_are_copies: bool = False
    """True for qcode's own files, whose source descriptions repeat the transcript memos
    that the notes already hold."""
    memos: list[Memo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _placed: set[str] = field(default_factory=set)
    _sources: int = 0
    _only_source: tuple[str, Sequence[PlacedSegment], Callable[[int], int]] | None = None

    def __post_init__(self) -> None:
        self.elements = {self.normal(n.get("guid")): n for n in self._all_notes()}
        self.linked: dict[str, list[str]] = {}
        links = child(self.root, "Links")
        for link in children(links, "Link") if links is not None else ():
            self.linked.setdefault(self.normal(link.get("targetGUID")), []).append(
                self.normal(link.get("originGUID")))
        self.referenced = {self.normal(ref.get("targetGUID")) for ref in self.root.iter()
                           if isinstance(ref.tag, str) and local(ref.tag) == "NoteRef"}
        self.referenced |= {origin for origins in self.linked.values() for origin in origins}

    def _all_notes(self) -> list[Element]:
        notes = child(self.root, "Notes")
        return list(children(notes, "Note")) if notes is not None else []

    def _memo(self, note_guid: str, target: MemoTarget) -> Memo | None:
        element = self.elements.get(note_guid)
        text = self.texts.get(note_guid, "")
        if element is None or not text.strip():
            return None
        self._placed.add(note_guid)
        return self._make(target, text, element.get("creatingUser") or self.default_user,
                          element.get("creationDateTime") or "",
                          element.get("modifiedDateTime") or "")

    def _make(self, target: MemoTarget, text: str, user: str | None, created: str,
              updated: str) -> Memo:
        coder = self.users.get(self.normal(user)) or UNKNOWN_CODER
        return Memo(target=target, text=text, coder=coder, created_at=created,
                    updated_at=updated)

    def _add(self, memo: Memo | None) -> None:
        if memo is not None:
            self.memos.append(memo)

    # -- per source --------------------------------------------------------------------

    def source(self, element: Element, transcript: str, placed: Sequence[PlacedSegment],
               position: Callable[[int], int], where: str) -> None:
        """The memos of one ``TextSource`` that became ``transcript``."""
        self._sources += 1
        self._only_source = (transcript, placed, position) if self._sources == 1 else None
        description = child_text(element, "Description")
        if description.strip() and not self.source_descriptions_are_copies:
            self._add(self._make(MemoTarget("transcript", transcript), description,
                                 element.get("creatingUser") or self.default_user,
                                 element.get("creationDateTime") or "",
                                 element.get("modifiedDateTime") or ""))
        for ref in children(element, "NoteRef"):
            note_guid = self.normal(ref.get("targetGUID"))
            note = self.elements.get(note_guid)
            if note is None:
                continue
            selection = child(note, "PlainTextSelection")
            if selection is None:
                self._add(self._memo(note_guid, MemoTarget("transcript", transcript)))
            else:
                self._annotate(note_guid, selection, transcript, placed, position, where)
        for selection in children(element, "PlainTextSelection"):
            if child(selection, "Coding") is not None:
                continue
            notes = [self.normal(r.get("targetGUID")) for r in children(selection, "NoteRef")]
            notes += self.linked.get(self.normal(selection.get("guid")), [])
            for note_guid in notes:
                self._annotate(note_guid, selection, transcript, placed, position, where)
            text = child_text(selection, "Description")
            if text.strip():
                self._annotate("", selection, transcript, placed, position, where, text=text)

    def _annotate(self, note_guid: str, selection: Element, transcript: str,
                  placed: Sequence[PlacedSegment], position: Callable[[int], int], where: str,
                  *, text: str = "") -> None:
        """Annotations of every turn the selection touches (a memo on the transcript when
        it touches none)."""
        try:
            start = position(int(selection.get("startPosition", "")))
            end = position(int(selection.get("endPosition", "")))
            ranges = map_selection(placed, start, end)
        except ValueError:
            ranges = []
        whole = bool(self.sidecar.get(note_guid, {}).get("whole", True)) if note_guid else True
        targets = []
        for item in ranges:
            span = item.span
            if span is None and not whole and item.segment.text:
                span = (0, len(item.segment.text))
            targets.append(MemoTarget("segment", transcript, item.segment.number,
                                      span[0] if span else None, span[1] if span else None))
        if not targets:
            targets = [MemoTarget("transcript", transcript)]
            self.notes.append(f"{where}: an annotation covers no turn's text (only labels or "
                              "blank lines); kept as a memo on the transcript")
        for target in targets:
            if note_guid:
                self._add(self._memo(note_guid, target))
            else:
                self._add(self._make(target, text, selection.get("creatingUser")
                                     or self.default_user,
                                     selection.get("creationDateTime") or "",
                                     selection.get("modifiedDateTime") or ""))

    # -- the rest of the file -----------------------------------------------------------

    def finish(self, by_code_guid: Mapping[str, str],
               respondent_of_case: Mapping[str, str]) -> None:
        """Project, case and code memos, and the notes nothing placed yet."""
        root = self.root
        description = child_text(root, "Description")
        if description.strip():
            self._add(self._make(MemoTarget("project"), description,
                                 root.get("creatingUserGUID") or self.default_user,
                                 root.get("creationDateTime") or "",
                                 root.get("modifiedDateTime") or ""))
        for ref in children(root, "NoteRef"):
            note_guid = self.normal(ref.get("targetGUID"))
            case = self.sidecar.get(note_guid, {}).get("case")
            target = MemoTarget("case", str(case)) if case else MemoTarget("project")
            self._add(self._memo(note_guid, target))
        self._codes(root, by_code_guid)
        self._cases(root, respondent_of_case)
        unplaced_selections = 0
        for note_guid, note in self.elements.items():
            if note_guid in self.referenced or note_guid in self._placed:
                continue
            selection = child(note, "PlainTextSelection")
            if selection is not None and self._only_source is not None:
                transcript, placed, position = self._only_source
                self._annotate(note_guid, selection, transcript, placed, position,
                               "the only source")
                continue
            unplaced_selections += selection is not None
            self._add(self._memo(note_guid, MemoTarget("project")))
        if unplaced_selections:
            self.notes.append(f"{unplaced_selections} annotation(s) that no source refers to "
                              "kept in the project journal (the file has several sources)")

    def _codes(self, root: Element, by_code_guid: Mapping[str, str]) -> None:
        book = child(root, "CodeBook")
        codes = child(book, "Codes") if book is not None else None
        if codes is None:
            return
        for code in codes.iter():
            if not isinstance(code.tag, str) or local(code.tag) != "Code":
                continue
            code_id = by_code_guid.get(self.normal(code.get("guid")))
            for ref in children(code, "NoteRef"):
                if code_id:
                    self._add(self._memo(self.normal(ref.get("targetGUID")),
                                         MemoTarget("code", code_id)))

    def _cases(self, root: Element, respondent_of_case: Mapping[str, str]) -> None:
        cases = child(root, "Cases")
        for case in children(cases, "Case") if cases is not None else ():
            case_guid = self.normal(case.get("guid"))
            respondent = respondent_of_case.get(case_guid)
            text = child_text(case, "Description")
            if not respondent or not text.strip():
                continue
            own = self.respondent_sidecar.get(case_guid)
            rows = own if isinstance(own, list) and all(
                isinstance(r, list) and len(r) == 4 for r in own) else None
            if rows is not None and "\n\n".join(str(r[3]) for r in rows) == text:
                for coder, created, updated, memo_text in rows:
                    self.memos.append(Memo(MemoTarget("respondent", respondent),
                                           str(memo_text), str(coder), str(created),
                                           str(updated)))
            else:
                self._add(self._make(MemoTarget("respondent", respondent), text,
                                     self.default_user, "", ""))
