"""Open, create and find projects; run each command's writes in one transaction."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from qcode.errors import ProjectError, QcodeError
from qcode.store.migrations import MIGRATIONS
from qcode.store.problems import (
    BUSY_TIMEOUT_ENV,
    database_error,
    open_read_only,
    problem_kind,
    read_only_error,
)

DB_NAME = "qcode.db"
PROJECT_ENV = "QCODE_PROJECT"
BUSY_TIMEOUT_MS = 5000


def now_iso() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Project:
    """An open project. Use :meth:`atomic` around every group of writes.

    The database connection is private to :mod:`qcode.store`: everything else reads and
    writes through the store's functions, so each rule about the data lives in one place.
    """

    def __init__(self, db_path: Path, *, connection: sqlite3.Connection | None = None) -> None:
        self.db_path = db_path
        self.root = db_path.parent
        self.busy_timeout = busy_timeout()
        self.read_only = False
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so one command's
            # writes are exactly one transaction.
            self._db = connection or sqlite3.connect(
                db_path, isolation_level=None, timeout=self.busy_timeout
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            if connection is None:
                try:
                    self._db.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError as exc:
                    # A backup on a read-only share: it can still be read, never changed.
                    if problem_kind(exc) != "read-only":
                        raise
                    self._db.close()
                    self._db = open_read_only(db_path)
                    self.read_only = True
                self._db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            translated = database_error(db_path, exc)
            if translated is None or problem_kind(exc) == "damaged":
                raise ProjectError(
                    f"{db_path}: not a qcode project database ({exc}); "
                    "restore it from a backup or run 'qcode init' in another folder"
                ) from exc
            raise translated from None
        self._depth = 0
        self._migrate()

    # -- transactions -------------------------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """Run the block in one transaction; nested calls join the outer one.

        Any exception (a user error, a crash, Ctrl-C) rolls everything back, so the
        project is left exactly as it was.
        """
        if self.read_only:
            raise read_only_error(self.db_path)
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _locked_error(self.db_path, exc, self.busy_timeout) from exc
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        try:
            self._db.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            self._rollback()
            raise QcodeError(
                f"{self.db_path}: the change would break the project's consistency ({exc}); "
                "nothing was changed"
            ) from exc
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise _locked_error(self.db_path, exc, self.busy_timeout) from exc

    def _rollback(self) -> None:
        """Undo the open transaction. After some errors (a full disk, an I/O error)
        SQLite has already rolled it back itself; the error that caused it is what the
        user needs to hear, not that there was nothing left to roll back."""
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def close(self) -> None:
        self._db.close()

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> Project:
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        self.close()
        if isinstance(error, sqlite3.DatabaseError):
            translated = database_error(self.db_path, error)
            if translated is not None:
                raise translated from None

    # -- metadata -----------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.atomic():
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- migrations ---------------------------------------------------------------

    def _migrate(self) -> None:
        current = self.schema_version
        latest = MIGRATIONS[-1].number
        if current > latest:
            raise ProjectError(
                f"{self.db_path}: made by a newer qcode (schema {current}, this qcode knows "
                f"up to {latest}); upgrade qcode to open it"
            )
        if self.read_only and current < latest:
            raise ProjectError(
                f"{self.db_path}: read-only, and made by an older qcode (schema {current}); "
                "copy it to a folder you can write to and open it there once to bring it up "
                "to date"
            )
        for migration in MIGRATIONS:
            if migration.number <= current:
                continue
            with self.atomic():
                for statement in _split_sql(migration.sql):
                    try:
                        self._db.execute(statement)
                    except sqlite3.OperationalError as exc:
                        # e.g. a Python whose SQLite was built without FTS5
                        raise ProjectError(
                            f"{self.db_path}: cannot bring the project up to schema "
                            f"{migration.number} ({migration.name}): {exc}; this Python's "
                            "SQLite lacks a feature qcode needs (use a Python from "
                            "python.org, your system's packages or conda); nothing was changed"
                        ) from exc
                self._db.execute(f"PRAGMA user_version = {migration.number}")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS migrations "
                    "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                self._db.execute(
                    "INSERT INTO migrations(number, name, applied_at) VALUES (?, ?, ?)",
                    (migration.number, migration.name, now_iso()),
                )


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def busy_timeout() -> float:
    """Seconds a write waits for another command's write to finish before giving up:
    ``QCODE_BUSY_TIMEOUT``, else 5. Two coders on a shared drive rarely collide for longer."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not value:
        return BUSY_TIMEOUT_MS / 1000
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:  # also refuses nan
        raise ProjectError(
            f"{BUSY_TIMEOUT_ENV}={value!r}: expected the seconds to wait for a busy project, "
            "a number from 0 to 3600, e.g. 5"
        )
    return seconds


def _locked_error(
    db_path: Path, exc: sqlite3.OperationalError, waited: float = BUSY_TIMEOUT_MS / 1000
) -> QcodeError:
    return database_error(db_path, exc, waited=waited) or QcodeError(
        f"{db_path}: database error ({exc})")


def open_copy(db_path: Path) -> Project:
    """Another project, copied into memory and brought to this qcode's schema, to read
    from (``qcode merge``). The original is opened read-only and never changed."""
    if not db_path.is_file():
        raise ProjectError(f"{db_path.parent}: no qcode project there (no {DB_NAME})")
    uri = db_path.resolve().as_uri() + "?mode=ro"
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        source = sqlite3.connect(uri, uri=True)
        try:
            version = int(source.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version == 0 or not {"transcripts", "codings"} <= tables:
                raise ProjectError(f"{db_path}: not a qcode project database (no qcode tables)")
            source.backup(memory)
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        memory.close()
        translated = database_error(db_path, exc, whose="the other project")
        if translated is not None and "not a database" not in str(exc):
            raise translated from None
        raise ProjectError(
            f"{db_path}: not a readable qcode project database ({exc}); if it is a coder's "
            "project, ask them for a fresh copy or a backup ('qcode backup')"
        ) from None
    except ProjectError:
        memory.close()
        raise
    return Project(db_path, connection=memory)


def data_version(project: Project) -> int:
    """A number that changes when another connection (another qcode, another coder) has
    committed a change to the project since this one last looked; the project's own
    writes leave it as it is. Cheap: no table is read."""
    return int(project._db.execute("PRAGMA data_version").fetchone()[0])


def init_project(folder: Path) -> Project:
    """Create an empty project in ``folder`` (made if missing)."""
    db_path = folder / DB_NAME
    if db_path.exists():
        raise ProjectError(
            f"{db_path}: a project already exists here; use it, or choose another folder"
        )
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder}: exists and is not a folder; choose another path")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"{folder}: cannot create the project folder ({exc.strerror})") from exc
    project = Project(db_path)
    project.set_meta("created_at", now_iso())
    return project


def find_project(explicit: Path | None = None, *, start: Path | None = None) -> Project:
    """Open the project named by ``explicit`` or ``QCODE_PROJECT``, else the nearest
    ``qcode.db`` in ``start`` (the current folder) or one of its parents, like git."""
    named = explicit if explicit is not None else _env_project()
    if named is not None:
        db_path = named if named.name == DB_NAME or named.is_file() else named / DB_NAME
        if not db_path.is_file():
            raise ProjectError(
                f"{named}: no qcode project there (no {DB_NAME}); run 'qcode init {named}' first"
            )
        return Project(db_path)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DB_NAME
        if candidate.is_file():
            return Project(candidate)
    raise ProjectError(
        f"{here}: not inside a qcode project (no {DB_NAME} here or above); "
        "run 'qcode init' or pass --project PATH"
    )


def _env_project() -> Path | None:
    value = os.environ.get(PROJECT_ENV)
    return Path(value) if value else None
