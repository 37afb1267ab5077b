"""``qcode codebook load FILE.qdc``: a REFI-QDA codebook as the project's codebook.

The codes are read as :mod:`qcode.refi.codes` describes (ids from the project's
codes with the same GUID, else from the names; names as labels), the ``Sets`` are kept as
code groups. The file is read and checked completely before the project is touched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from qcode.errors import CodebookError
from qcode.models import Code, Codebook
from qcode.refi.codes import (
    CodeGroup,
    code_guids,
    read_codes,
    read_sets,
    save_code_groups,
)
from qcode.refi.xml import RefiError, child, parse_xml
from qcode.store.codebook import CodebookChange, load_stored_codebook, save_codebook
from qcode.store.project import Project
from qcode.values import merge_mappings


def save_refi_codebook(
    project: Project, codebook: Codebook, groups: list[CodeGroup], renames: dict[str, str]
) -> CodebookChange:
    """Save a codebook read from REFI-QDA, and its code groups, in one transaction."""
    with project.atomic():
        change = save_codebook(project, codebook, renames=renames)
        if groups:
            save_code_groups(project, groups, codebook)
    return change


def load_qdc(
    project: Project, path: Path, *, renames: Mapping[str, str] | None = None
) -> tuple[Codebook, CodebookChange, list[CodeGroup], list[str]]:
    """Load a REFI-QDA codebook file (``.qdc``) as the project's codebook, with its code
    groups; codes whose GUID the project knows keep their ids (and codings)."""
    existing = load_stored_codebook(project)
    codebook, groups, found_renames, notes = read_qdc(path, known_codes=code_guids(existing))
    if existing is not None:
        # A .qdc has no codebook name: re-loading one keeps the project's.
        codebook = dataclasses.replace(codebook, name=existing.name,
                                       description=existing.description)
    all_renames = merge_mappings(found_renames, dict(renames or {}),
                                 what=f"{path}: --rename and the file's code GUIDs")
    with project.atomic():
        change = save_refi_codebook(project, codebook, groups, all_renames)
    return codebook, change, groups, notes


def read_qdc(
    path: Path, *, known_codes: Mapping[str, Code] | None = None
) -> tuple[Codebook, list[CodeGroup], dict[str, str], list[str]]:
    """Read a ``.qdc`` file: the codebook, its code groups, renames of known codes, notes."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"{path}: codebook file not found; check the path") from None
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read the codebook file: {exc.strerror or exc}"
                            ) from None
    source = str(path)
    root = parse_xml(raw, source=source, root_name="CodeBook")
    codes_element = child(root, "Codes")
    if codes_element is None or child(codes_element, "Code") is None:
        raise RefiError(f"{source}: the codebook has no codes; expected <Codes> with <Code>s")
    codes = read_codes(codes_element, source=source, known=known_codes or {})
    groups = read_sets(child(root, "Sets"), codes.by_guid, source=source, notes=codes.notes)
    codebook = Codebook(name=path.stem, codes=tuple(codes.codes),
                        description=f"Uit {root.get('origin') or 'REFI-QDA'} ({path.name})",
                        source=source)
    return codebook, groups, codes.renames, codes.notes
