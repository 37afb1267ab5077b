"""Copy a project while it is in use, with SQLite's online backup API.

Copying ``qcode.db`` with the file manager while a coder is working can catch the file
half-written, and misses every change still in ``qcode.db-wal``. SQLite's backup API
instead reads one consistent snapshot (in WAL mode writers go on meanwhile) and writes it
into a fresh database, which is checked and only then renamed into place: a failed or
interrupted backup never leaves a half file behind, nor replaces a good older backup.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from qcode.errors import QcodeError
from qcode.files import atomic_output
from qcode.store.problems import database_error, problem_kind
from qcode.store.project import DB_NAME, Project


@dataclass(frozen=True)
class BackupReport:
    """What a backup copied; the counts are those of the copy, not of the live project."""

    source: Path
    destination: Path
    size: int
    transcripts: int
    codings: int
    schema_version: int


def backup_project(project: Project, destination: Path, *, force: bool = False) -> BackupReport:
    """Write a consistent copy of ``project`` to ``destination``, a file or a folder.

    A folder gets a ``qcode.db`` inside it, so the copy opens as a project at once. The copy
    is one self-contained file (rollback journal, not WAL), so it can be moved or mailed as
    it is. An existing file is replaced only with ``force``; the project itself never is.

    Raises:
        QcodeError: the destination exists (without ``force``), is the project itself,
            lies in a folder that does not exist, or cannot be written.
    """
    target = Path(destination)
    if target.is_dir():
        target = target / DB_NAME
    if _same_file(target, project.db_path):
        raise QcodeError(
            f"{target}: is the project's own database; back it up to another file or folder"
        )
    if target.exists() and not force:
        raise QcodeError(
            f"{target}: already exists; choose another name, or pass --force to replace it"
        )
    if target.exists() and not target.is_file():
        raise QcodeError(f"{target}: exists and is not a file; choose another name")
    for suffix in ("-wal", "-shm", "-journal"):
        # SQLite would replay a leftover log of the old file into the new copy.
        if Path(f"{target}{suffix}").exists():
            raise QcodeError(
                f"{target}: is open in qcode or was not closed cleanly ({target.name}{suffix} "
                "lies beside it); close it there, or choose another name"
            )
    folder = target.parent
    if not folder.is_dir():
        raise QcodeError(f"{folder}: no such folder; create it first")
    try:
        # As readable as the project, no more: transcripts are confidential.
        mode = stat.S_IMODE(project.db_path.stat().st_mode)
        with atomic_output(target, mode=mode, database=True) as partial:
            try:
                report = _copy(project, partial, target)
            finally:
                for suffix in ("-journal", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    except sqlite3.Error as exc:
        kind = problem_kind(exc)
        if kind == "damaged":
            raise QcodeError(
                f"{project.db_path}: the project's database is damaged ({exc}), so no backup "
                f"was written to {target}. Keep your older backups; rescue what SQLite can "
                f"still read with: sqlite3 {project.db_path.name} .recover | sqlite3 "
                "rescued.db"
            ) from None
        if kind in ("disk full", "read-only", "disk error"):
            raise database_error(target, exc, whose="the backup") or QcodeError(str(exc)) \
                from None
        raise QcodeError(
            f"{target}: the backup failed ({exc}); nothing was written, try again"
        ) from None
    return report


def _copy(project: Project, partial: Path, target: Path) -> BackupReport:
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        # pages=-1 (the default) copies everything in one step under one read transaction:
        # a single snapshot, however busy the other coders are.
        project._db.backup(copy)
        # One self-contained file; opening it as a project switches it back to WAL.
        copy.execute("PRAGMA journal_mode = DELETE")
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise QcodeError(
                f"{project.db_path}: the copy fails SQLite's integrity check "
                f"({'; '.join(problems[:3])}); the project itself may be damaged, keep your "
                "older backups"
            )
        transcripts = copy.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        codings = copy.execute("SELECT count(*) FROM codings").fetchone()[0]
        version = copy.execute("PRAGMA user_version").fetchone()[0]
    finally:
        copy.close()
    return BackupReport(
        source=project.db_path, destination=target, size=partial.stat().st_size,
        transcripts=int(transcripts), codings=int(codings), schema_version=int(version),
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False
