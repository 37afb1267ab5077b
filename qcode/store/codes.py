"""The project's codebook as stored, read back (saving is :mod:`qcode.store.codebook`)."""

from __future__ import annotations

import json

from qcode.errors import CodebookError
from qcode.models import Code, Codebook
from qcode.store.project import Project


def load_stored_codebook(project: Project) -> Codebook | None:
    """The project's codebook, or None before one was loaded."""
    rows = project._db.execute("SELECT * FROM codes ORDER BY position").fetchall()
    if not rows:
        return None
    codes = tuple(
        Code(
            id=r["id"], label=r["label"], parent=r["parent_id"], description=r["description"],
            include=r["include"], exclude=r["exclude"],
            examples=tuple(json.loads(r["examples"])), keywords=tuple(json.loads(r["keywords"])),
            patterns=tuple(tuple(p) for p in json.loads(r["patterns"])),
            level=r["level"], color=r["color"],
        )
        for r in rows
    )
    return Codebook(
        name=project.get_meta("codebook_name", "") or "",
        codes=codes,
        description=project.get_meta("codebook_description", "") or "",
        source=project.get_meta("codebook_source", "") or "",
    )


def require_codebook(project: Project) -> Codebook:
    codebook = load_stored_codebook(project)
    if codebook is None:
        raise CodebookError(
            "the project has no codebook yet; load one with 'qcode codebook load FILE.yaml'"
        )
    return codebook
