"""Codes and code groups between REFI-QDA and qcode's codebook.

A REFI-QDA code has a GUID and a free-text name ("Onderling vertrouwen", "code group 1");
a qcode code has a dotted id whose components match ``^[a-z][a-z0-9_]*$``. Reading a code:

- its id is the id of the project's code with the same GUID when there is one (qcode writes
  ``uuid5(code id)`` as the GUID, so a codebook that went to ATLAS.ti and came back keeps its
  ids, and a code moved to another parent is renamed with its codings);
- else the id of the project's code with the same label path (its parents' labels and its
  own, compared without case and extra spaces), when exactly one code has that path: a
  program that gives every code a new GUID (QualCoder, MAXQDA) still brings the project's
  codes back as themselves;
- otherwise it is derived from the name: lowercase, diacritics folded to ASCII, anything else
  turned into ``_``, a ``code_`` prefix when it would not start with a letter, and ``_2``,
  ``_3`` ... when two sibling codes would get the same id;
- the name itself becomes the code's (Dutch) ``label``; ``Description`` and ``color`` are
  kept (``#abc`` is written out as ``#aabbcc``).

``Sets`` of codes are code groups: qcode's codebook has no place for them (a code can be in
several groups, so they are no parents), so they are kept beside the codebook as project
metadata, tied to the codebook version they came with, and written back on export.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from qcode.codebook.nodes import MAX_CODE_DEPTH, too_deep
from qcode.models import Code, Codebook
from qcode.refi.xml import RefiError, child_text, children, guid
from qcode.refi.xml import child as child_element
from qcode.store.project import Project
from qcode.words import plural

CODE_GROUPS_META = "code_groups"
SHOWN = 5
_RGB = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


@dataclass(frozen=True)
class CodeGroup:
    """A named group of codes (a REFI-QDA ``Set``, an ATLAS.ti code group)."""

    name: str
    description: str
    codes: tuple[str, ...]


@dataclass
class RefiCodes:
    """The codes read from a REFI-QDA ``Codes`` element."""

    codes: list[Code] = field(default_factory=list)
    by_guid: dict[str, str] = field(default_factory=dict)
    """REFI GUID (normalised) -> qcode code id."""
    renames: dict[str, str] = field(default_factory=dict)
    """Old id -> new id for project codes whose GUID now sits elsewhere in the tree."""
    by_label_path: list[tuple[str, str]] = field(default_factory=list)
    """(label path in the file, project code id) of codes matched by their label path."""
    notes: list[str] = field(default_factory=list)


def normal_guid(value: str | None) -> str:
    """GUIDs compare without braces and case: ``{ABC-...}`` equals ``abc-...``."""
    return (value or "").strip().strip("{}").lower()


def ref_guid(element: Element | None) -> str:
    """The GUID a reference points to. The schema says ``targetGUID``; ATLAS.ti 23 writes
    ``guid`` on ``MemberCode``, so both are read."""
    if element is None:
        return ""
    return normal_guid(element.get("targetGUID") or element.get("guid"))


def code_id_component(name: str) -> str:
    """A valid id component for a code called ``name``: ``Casuïstiek (zorg)`` ->
    ``casuistiek_zorg``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    component = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    if not component:
        return "code"
    return component if component[0].isalpha() else f"code_{component}"


def code_guids(codebook: Codebook | None) -> dict[str, Code]:
    """GUID -> code for the codes of ``codebook`` (the GUIDs qcode exports)."""
    if codebook is None:
        return {}
    return {guid("code", code.id): code for code in codebook.codes}


def read_codes(parent: Element, *, source: str, known: Mapping[str, Code]) -> RefiCodes:
    """Read the (nested) ``Code`` elements under ``parent`` into qcode codes, every parent
    before its children. ``known`` maps GUIDs of the project's current codes to them: such a
    code keeps its id and what REFI-QDA has no place for (include, exclude, examples,
    keywords, patterns, level); label, description, colour and place come from the file."""
    result = RefiCodes()
    in_file = {normal_guid(code.get("guid")) for code in parent.iter() if _is_code(code)}
    # Codes the file names by GUID keep that match; the others may be found by label path.
    named = {code.id for code_guid, code in known.items() if code_guid in in_file}
    by_path = {path: code for path, code in label_paths(known.values()).items()
               if code.id not in named}
    reading = _Reading(source, known, by_path, exported_colours(known.values()), result)
    reading.level(parent, None, (), None)
    found = result.by_label_path
    if found:
        shown = "; ".join(f"'{path}' -> {code}" for path, code in found[:SHOWN])
        more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        result.notes.append(
            f"{source}: {len(found)} code(s) with a GUID this project does not know matched "
            f"to its codes by their label path: {shown}{more}")
    return result


PALETTE: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)
"""Colours for top-level codes the codebook gives none (Tableau 10: told apart in print and
by most colour-blind readers), in codebook order, so the same codebook exports alike."""


def exported_colours(codes: Iterable[Code]) -> dict[str, str]:
    """The colour every code gets in an export: its own, else its parent's (as exported),
    else for a top-level code the next colour of :data:`PALETTE`. Other programs invent a
    random colour for a code without one, so every code gets one. ``codes`` come parents
    first, as in a codebook."""
    colours: dict[str, str] = {}
    top = 0
    for code in codes:
        if code.color:
            colours[code.id] = code.color.lower()
        elif code.parent is not None and code.parent in colours:
            colours[code.id] = colours[code.parent]
        else:
            colours[code.id] = PALETTE[top % len(PALETTE)]
        if code.parent is None:
            top += 1
    return colours


def _is_code(element: Element) -> bool:
    return isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == "Code"


def label_key(label: str) -> str:
    """A label as compared between programs: without case and extra spaces, composed."""
    return " ".join(unicodedata.normalize("NFC", label).split()).casefold()


def label_paths(codes: Iterable[Code]) -> dict[tuple[str, ...], Code]:
    """Each code by its label path (its parents' labels and its own, see :func:`label_key`);
    paths that two codes share are left out: they name no code for sure."""
    by_id = {code.id: code for code in codes}
    paths: dict[tuple[str, ...], list[Code]] = {}
    for code in by_id.values():
        path: list[str] = []
        current: Code | None = code
        while current is not None:
            path.append(label_key(current.label))
            current = by_id.get(current.parent) if current.parent else None
        paths.setdefault(tuple(reversed(path)), []).append(code)
    return {path: found[0] for path, found in paths.items() if len(found) == 1}


class _Reading:
    """Reading one ``Codes`` tree, level by level."""

    def __init__(self, source: str, known: Mapping[str, Code],
                 by_path: dict[tuple[str, ...], Code], colours: Mapping[str, str],
                 result: RefiCodes) -> None:
        self.source = source
        self.known = known
        self.by_path = by_path
        self.colours = colours
        self.result = result

    def level(self, element: Element, parent: str | None, parent_labels: tuple[str, ...],
              parent_colour: str | None) -> None:
        result = self.result
        used: set[str] = set()
        if parent is not None and parent.count(".") + 1 >= MAX_CODE_DEPTH \
                and child_element(element, "Code") is not None:
            raise RefiError(f"{self.source}: {too_deep(parent + '.…')}")
        for code in children(element, "Code"):
            code_guid = normal_guid(code.get("guid"))
            name = (code.get("name") or "").strip()
            if not code_guid:
                raise RefiError(f"{self.source}: the code '{name}' has no guid; export the "
                                "file again")
            if code_guid in result.by_guid:
                raise RefiError(
                    f"{self.source}: two codes share the guid {code_guid} ('{name}' and "
                    f"'{result.by_guid[code_guid]}'); the file is damaged"
                )
            labels = (*parent_labels, name)
            path = tuple(label_key(label) for label in labels)
            previous = self.known.get(code_guid)
            if previous is None and path in self.by_path:
                previous = self.by_path.pop(path)
                result.by_label_path.append((" / ".join(labels), previous.id))
            component = previous.id.rsplit(".", 1)[-1] if previous else code_id_component(name)
            component = _unique(component, used)
            code_id = component if parent is None else f"{parent}.{component}"
            if previous and previous.id != code_id:
                result.renames[previous.id] = code_id
            result.by_guid[code_guid] = code_id
            written = _colour(code.get("color"), name, self.source, result.notes)
            colour = self._own_colour(written, previous, parent_colour)
            read = Code(
                id=code_id,
                label=name or component,
                parent=parent,
                description=child_text(code, "Description").strip(),
                color=colour,
            )
            if previous is not None:
                read = dataclasses.replace(
                    previous, id=read.id, label=read.label, parent=read.parent,
                    description=read.description, color=read.color,
                )
            result.codes.append(read)
            self.level(code, code_id, labels,
                       written.lower() if written else parent_colour)

    def _own_colour(self, written: str | None, previous: Code | None,
                    parent_colour: str | None) -> str | None:
        """The colour a code keeps: qcode writes every code a colour (see
        :func:`exported_colours`), so a colour that is only what qcode would export for the
        project's code, or only its parent's, is no colour of its own."""
        if written is None:
            return None
        if previous is not None and written.lower() == self.colours.get(previous.id):
            return previous.color
        if parent_colour is not None and written.lower() == parent_colour:
            return None
        return written


def _unique(component: str, used: set[str]) -> str:
    candidate, number = component, 2
    while candidate in used:
        candidate = f"{component}_{number}"
        number += 1
    used.add(candidate)
    return candidate


def _colour(value: str | None, name: str, source: str, notes: list[str]) -> str | None:
    if not value:
        return None
    value = value.strip()
    if not _RGB.match(value):
        notes.append(f"{source}: code '{name}': colour '{value}' is not #rrggbb; left out")
        return None
    if len(value) == 4:
        value = "#" + "".join(digit * 2 for digit in value[1:])
    return value


def read_sets(
    parent: Element | None, by_guid: Mapping[str, str], *, source: str, notes: list[str]
) -> list[CodeGroup]:
    """The ``Set`` elements under ``parent`` that group codes; sets of only sources or
    notes (document groups) have no place in qcode and are reported in ``notes``."""
    groups: list[CodeGroup] = []
    if parent is None:
        return groups
    skipped = 0
    for element in children(parent, "Set"):
        members = [ref_guid(m) for m in children(element, "MemberCode")]
        others = [m for m in element if m.tag.endswith(("MemberSource", "MemberNote"))]
        if not members and others:
            skipped += 1
            continue
        unknown = [m for m in members if m not in by_guid]
        if unknown:
            notes.append(
                f"{source}: set '{element.get('name', '')}' names {plural(len(unknown), 'code')} "
                "not in the codebook; left out of the group"
            )
        groups.append(
            CodeGroup(
                name=(element.get("name") or "").strip(),
                description=child_text(element, "Description").strip(),
                codes=tuple(by_guid[m] for m in members if m in by_guid),
            )
        )
    if skipped:
        notes.append(f"{source}: {plural(skipped, 'set')} of documents or notes skipped "
                     "(qcode groups only codes)")
    return groups


def save_code_groups(project: Project, groups: list[CodeGroup], codebook: Codebook) -> None:
    """Keep ``groups`` as project metadata, for this version of the codebook only."""
    payload = {
        "codebook_version": codebook.version,
        "groups": [
            {"name": g.name, "description": g.description, "codes": list(g.codes)}
            for g in groups
        ],
    }
    project.set_meta(CODE_GROUPS_META, json.dumps(payload, ensure_ascii=False, sort_keys=True))


def load_code_groups(project: Project, codebook: Codebook) -> list[CodeGroup]:
    """The code groups that came with the project's current codebook (none after another
    codebook was loaded), limited to codes that exist."""
    stored = project.get_meta(CODE_GROUPS_META)
    if not stored:
        return []
    payload = json.loads(stored)
    if payload.get("codebook_version") != codebook.version:
        return []
    ids = set(codebook.ids)
    return [
        CodeGroup(g["name"], g["description"], tuple(c for c in g["codes"] if c in ids))
        for g in payload.get("groups", [])
    ]
