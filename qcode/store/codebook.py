"""Keep the project's codebook in the store; reloading never drops codings silently."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from qcode.errors import CodebookError
from qcode.models import Codebook, Coding
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store import suggestions as suggestions_store
from qcode.store.codes import load_stored_codebook, require_codebook
from qcode.store.project import Project, now_iso
from qcode.words import plural

__all__ = ["CodebookChange", "load_stored_codebook", "require_codebook", "save_codebook"]


@dataclass(frozen=True)
class CodebookChange:
    """What loading a codebook changed, by code id."""

    version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]
    unchanged: bool
    moved: dict[tuple[str, str], int] = field(default_factory=dict)
    """Codings moved per (old code, new code)."""
    folded: tuple[Coding, ...] = ()
    """Codings a rename made identical to another one of their coder: merged, memos joined."""
    memos_moved: dict[tuple[str, str], int] = field(default_factory=dict)
    """Memos on codes moved per (old code, new code)."""


def save_codebook(
    project: Project, codebook: Codebook, *, renames: Mapping[str, str] | None = None
) -> CodebookChange:
    """Replace the project's codebook with ``codebook``.

    A code that disappears while codings use it must be mapped to a code of the new
    codebook with ``renames`` (old id -> new id, all applied at once); otherwise nothing
    changes and the error lists the affected codings. Codings that a rename folds into
    one keep both memos (see :func:`qcode.store.codings.rename_codes`).
    """
    renames = dict(renames or {})
    new_ids = set(codebook.ids)
    with project.atomic():
        old = load_stored_codebook(project)
        old_codes = {c.id: c for c in old.codes} if old else {}
        for source, target in renames.items():
            if source not in old_codes:
                raise CodebookError(
                    f"--rename {source}={target}: '{source}' is not a code of the current "
                    "codebook; see 'qcode codebook show'"
                )
            if target not in new_ids:
                raise CodebookError(
                    f"--rename {source}={target}: '{target}' is not a code of {codebook.source}"
                )
        used = codings_store.codes_in_use(project)
        orphaned = sorted(c for c in used if c not in new_ids and c not in renames)
        if orphaned:
            shown = "; ".join(
                f"{c.transcript}:{c.segment} {c.code} by {c.coder}"
                for c in codings_store.examples(project, orphaned)
            )
            raise CodebookError(
                f"{codebook.source}: {plural(len(orphaned), 'code')} in use would disappear: "
                + ", ".join(f"{c} ({plural(used[c], 'coding')})" for c in orphaned)
                + f" [{shown}]; keep them in the codebook, or map each with "
                "--rename OLD=NEW"
            )
        with_memos = memos_store.codes_with_memos(project)
        unmapped = sorted(c for c in with_memos if c not in new_ids and c not in renames)
        if unmapped:
            raise CodebookError(
                f"{codebook.source}: {len(unmapped)} code(s) with memos would disappear: "
                + ", ".join(f"{c} ({with_memos[c]} memo(s))" for c in unmapped)
                + "; keep them in the codebook, map each with --rename OLD=NEW, or remove "
                "the memos first (qcode memo list code:ID)"
            )
        outcome = codings_store.rename_codes(project, renames)
        memos_moved = memos_store.rename_codes(project, renames)
        suggestions_store.rename_codes(project, renames, keep=new_ids)
        project._db.execute("DELETE FROM codes")
        project._db.executemany(
            "INSERT INTO codes(id, parent_id, position, label, description, include, exclude, "
            "examples, keywords, patterns, level, color) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (c.id, c.parent, i, c.label, c.description, c.include, c.exclude,
                 _dump(list(c.examples)), _dump(list(c.keywords)),
                 _dump([list(p) for p in c.patterns]), c.level, c.color)
                for i, c in enumerate(codebook.codes)
            ],
        )
        for key, value in (
            ("codebook_name", codebook.name),
            ("codebook_description", codebook.description),
            ("codebook_source", codebook.source),
            ("codebook_version", codebook.version),
            ("codebook_loaded_at", now_iso()),
        ):
            project.set_meta(key, value)
    new_codes = {c.id: c for c in codebook.codes}
    return CodebookChange(
        version=codebook.version,
        added=tuple(c for c in codebook.ids if c not in old_codes),
        removed=tuple(c for c in old_codes if c not in new_codes),
        changed=tuple(c for c in codebook.ids if c in old_codes and old_codes[c] != new_codes[c]),
        renamed=tuple(renames.items()),
        unchanged=old is not None and old.version == codebook.version,
        moved=outcome.moved,
        folded=outcome.folded,
        memos_moved=memos_moved,
    )


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
