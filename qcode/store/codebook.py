"""Keep the project's codebook in the store; reloading never drops codings silently."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from qcode.errors import CodebookError
from qcode.models import Code, Codebook
from qcode.store.project import Project, now_iso
from qcode.words import plural


@dataclass(frozen=True)
class CodebookChange:
    """What loading a codebook changed, by code id."""

    version: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...]
    unchanged: bool


def save_codebook(
    project: Project, codebook: Codebook, *, renames: Mapping[str, str] | None = None
) -> CodebookChange:
    """Replace the project's codebook with ``codebook``.

    A code that disappears while codings use it must be mapped to a code of the new
    codebook with ``renames`` (old id -> new id); otherwise nothing changes and the
    error lists the affected codings.
    """
    renames = dict(renames or {})
    new_ids = set(codebook.ids)
    with project.atomic() as db:
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
        used = {
            row["code_id"]: row["n"]
            for row in db.execute("SELECT code_id, count(*) AS n FROM codings GROUP BY code_id")
        }
        orphaned = sorted(c for c in used if c not in new_ids and c not in renames)
        if orphaned:
            examples = _affected_codings(project, orphaned)
            raise CodebookError(
                f"{codebook.source}: {plural(len(orphaned), 'code')} in use would disappear: "
                + ", ".join(f"{c} ({plural(used[c], 'coding')})" for c in orphaned)
                + f" [{examples}]; keep them in the codebook, or map each with "
                "--rename OLD=NEW"
            )
        for source, target in renames.items():
            # A coding that would collide with an identical one on the target code is a
            # duplicate after the rename: keep one.
            db.execute(
                "DELETE FROM codings WHERE code_id = ? AND EXISTS (SELECT 1 FROM codings c2 "
                "WHERE c2.code_id = ? AND c2.transcript_id = codings.transcript_id AND "
                "c2.segment = codings.segment AND c2.coder = codings.coder AND "
                "ifnull(c2.start, -1) = ifnull(codings.start, -1) AND "
                "ifnull(c2.end, -1) = ifnull(codings.end, -1))",
                (source, target),
            )
            db.execute("UPDATE codings SET code_id = ? WHERE code_id = ?", (target, source))
            db.execute("UPDATE OR REPLACE suggestions SET code_id = ? WHERE code_id = ?",
                       (target, source))
        # Suggestions are not codings: pending ones for codes that are gone are dropped.
        db.execute(
            f"DELETE FROM suggestions WHERE status = 'pending' AND code_id NOT IN "
            f"({','.join('?' * len(new_ids))})",
            sorted(new_ids),
        )
        db.execute("DELETE FROM codes")
        db.executemany(
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
    )


def _affected_codings(project: Project, codes: list[str], limit: int = 5) -> str:
    placeholders = ",".join("?" * len(codes))
    rows = project.db.execute(
        f"SELECT transcript_id, segment, code_id, coder FROM codings "
        f"WHERE code_id IN ({placeholders}) ORDER BY transcript_id, segment LIMIT ?",
        (*codes, limit + 1),
    ).fetchall()
    shown = [f"{r['transcript_id']}:{r['segment']} {r['code_id']} by {r['coder']}" for r in rows]
    if len(shown) > limit:
        shown = [*shown[:limit], "..."]
    return "; ".join(shown)


def load_stored_codebook(project: Project) -> Codebook | None:
    """The project's codebook, or None before one was loaded."""
    rows = project.db.execute("SELECT * FROM codes ORDER BY position").fetchall()
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


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
