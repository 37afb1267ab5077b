"""What an SQLite error means for the researcher's files, in words they can act on.

SQLite reports a damaged page, a full disk, a read-only share, an I/O error and a busy
project as exceptions of a handful of classes, told apart only by their text. Here each is
turned into one line naming the project (or the other project, or the backup), saying
that nothing was changed and what to do. Anything else (a mistake in qcode's own SQL) is
left alone: that is a bug, and must read as one.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qcode.errors import ProjectError, QcodeError

BUSY_TIMEOUT_ENV = "QCODE_BUSY_TIMEOUT"

_PROBLEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("damaged", ("malformed", "not a database", "corrupt")),
    ("disk full", ("disk is full", "database or disk is full")),
    ("read-only", ("readonly", "read-only")),
    ("disk error", ("disk i/o error",)),
    ("busy", ("locked", "busy")),
)


def problem_kind(error: sqlite3.Error) -> str | None:
    """What an SQLite error means for the files (``damaged``, ``disk full``,
    ``read-only``, ``disk error``, ``busy``), or None for anything else, such as a
    mistake in qcode's own SQL."""
    text = str(error).lower()
    for kind, phrases in _PROBLEMS:
        if any(phrase in text for phrase in phrases):
            return kind
    return None


def database_error(
    db_path: Path, error: sqlite3.Error, *, whose: str = "the project", waited: float = 5.0
) -> QcodeError | None:
    """A message a researcher can act on for an SQLite error about the database at
    ``db_path`` (``whose`` names it: "the project", "the other project"), or None when
    the error says nothing about the files (then it is a bug and stays one). ``waited``
    is how long a busy project was waited for."""
    kind = problem_kind(error)
    if kind == "damaged":
        restore = ("restore your latest copy from 'qcode backup'" if whose == "the project"
                   else "ask for a fresh 'qcode backup' of it")
        return ProjectError(
            f"{db_path}: {whose}'s database is damaged ({error}); nothing was changed. Keep "
            f"this file, and {restore}, or rescue what SQLite can still read with: "
            f"sqlite3 {db_path.name} .recover | sqlite3 rescued.db"
        )
    if kind == "disk full":
        return ProjectError(
            f"{db_path}: the disk is full ({error}); {whose} is unchanged. Free some space "
            "and run the command again"
        )
    if kind == "read-only":
        return read_only_error(db_path, whose=whose)
    if kind == "disk error":
        return ProjectError(
            f"{db_path}: the disk could not be read or written ({error}); {whose} is "
            "unchanged. Check the drive (a network drive that went away?) and run the "
            "command again"
        )
    if kind == "busy":
        return QcodeError(
            f"{db_path}: {whose} is busy (another qcode command is writing to it; "
            f"waited {waited:g} s); wait for it to finish and run the command again, or set "
            f"{BUSY_TIMEOUT_ENV} to wait longer"
        )
    return None


def read_only_error(db_path: Path, *, whose: str = "the project") -> ProjectError:
    return ProjectError(
        f"{db_path}: {whose} is read-only (a backup on a read-only share?); commands that "
        "only read it work, but this one would change it: copy it to a folder you can write "
        "to first"
    )


def open_read_only(db_path: Path) -> sqlite3.Connection:
    """Open a project that cannot be written. A WAL project in a folder that cannot be
    written has no shared-memory file to read through; there it is opened as immutable."""
    uri = db_path.resolve().as_uri()
    for flags in ("?mode=ro", "?immutable=1"):
        db = sqlite3.connect(uri + flags, uri=True, isolation_level=None)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            db.close()
            continue
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        return db
    raise sqlite3.OperationalError("attempt to write a readonly database")


@contextlib.contextmanager
def translated_errors(
    db_path: Path, *, whose: str = "the project", then: str = ""
) -> Iterator[None]:
    """Turn SQLite's file errors inside the block (a damaged page, a full disk) into the
    one-line QcodeError that says what it means for ``whose``; ``then`` is added after a
    semicolon (``nothing was merged``)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        translated = database_error(db_path, exc, whose=whose)
        if translated is None:
            raise
        raise type(translated)(f"{translated}; {then}" if then else str(translated)) from None
