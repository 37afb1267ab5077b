"""Files qcode reads from a researcher and writes for one: the one place for both.

Reading: UTF-8 text (codebooks, CSV) with located errors, and CSV rows with their line
numbers. Writing: :func:`atomic_output`, the one atomic writer every output goes through
(exports, REFI-QDA files, masked transcripts, backups). It never touches the project's own
database files, writes into a temporary file created exclusively beside the target, and
moves it into place only when it is complete, so a crash, a full disk or Ctrl-C leaves the
target as it was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from qcode.errors import ExportError, QcodeError, located

PROJECT_FILES: tuple[str, ...] = ("qcode.db", "qcode.db-wal", "qcode.db-shm", "qcode.db-journal")
"""The project's database and SQLite's files beside it: never an output."""


def read_utf8(
    path: Path, *, what: str, error: type[QcodeError] = QcodeError, hint: str = ""
) -> str:
    """The text of a UTF-8 file (a byte order mark is allowed), or ``error`` with a
    one-line message naming the file (and the line and column of a bad byte)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; check the path") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder; name a {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise error(
            f"{located(str(path), line, column)}: the {what} is not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x}); save it as UTF-8{hint}"
        ) from None


def read_csv_rows(
    path: Path, *, required: Sequence[str], what: str, known: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as (line number, row) pairs, with the header checked.

    Accepts comma, semicolon (Dutch Excel) or tab as the delimiter. The ``required`` and
    ``known`` columns are found whatever their case (``Transcript``, ``SEGMENT``) and named
    as written here; other columns keep their names. A cell that starts with an apostrophe
    before ``=``, ``+``, ``-``, ``@``, tab or carriage return loses that one apostrophe: it
    is how qcode (and a spreadsheet) marks text that must not run as a formula (see
    :mod:`qcode.neutralise`), so qcode's own CSV files read back as written. A quote that
    is never closed, a stray quote and a column name given twice are refused with the line
    they are on.
    """
    from qcode.neutralise import csv_cell_read

    text = read_utf8(path, what=what, hint=" (in Excel: 'CSV UTF-8')")
    if not text.strip():
        raise QcodeError(f"{path}: empty file; expected a header row with {', '.join(required)}")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    started = 1
    try:
        canonical = {name.casefold(): name for name in (*required, *known)}
        header = [canonical.get(name.strip().casefold(), name.strip())
                  for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        _check_header(path, header, required)
        rows: list[tuple[int, dict[str, str]]] = []
        started = reader.line_num + 1
        for row in reader:
            if None in row:
                raise QcodeError(
                    f"{path}:{reader.line_num}: more values than columns; check the quoting"
                )
            cleaned = {key: csv_cell_read(value or "") for key, value in row.items()}
            if any(value.strip() for value in cleaned.values()):
                rows.append((reader.line_num, cleaned))
            started = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc):
            raise QcodeError(
                f"{path}:{started}: a quote (\") opened on this line is never closed; close "
                "it, or remove the stray quote"
            ) from None
        raise QcodeError(
            f"{path}:{reader.reader.line_num}: malformed CSV ({exc}); check the quotes on "
            "this line"
        ) from None
    return rows


def _check_header(path: Path, header: Sequence[str], required: Sequence[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise QcodeError(
            f"{path}:1: missing {'column' if len(missing) == 1 else 'columns'} "
            f"{', '.join(missing)}; the header has "
            f"{', '.join(header) or 'nothing'} and needs {', '.join(required)}"
        )
    first: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name and name in first:
            raise QcodeError(
                f"{path}:1: the column '{name}' appears twice (columns {first[name]} and "
                f"{number}); rename or remove one"
            )
        first.setdefault(name, number)


# -- writing -----------------------------------------------------------------------------


def output_format(path: Path, what: str, formats: Sequence[str]) -> str:
    """The lower-case suffix of ``path`` when it is one of ``formats``, else an ExportError.

    Also refuses the project's own database files, whatever the suffix list says."""
    refuse_project_file(path)
    suffix = path.suffix.lower()
    choices = ", ".join(formats[:-1]) + f" or {formats[-1]}" if len(formats) > 1 else formats[0]
    if not path.suffix:
        raise ExportError(f"{path}: no suffix to tell the {what} format; use {choices}")
    if suffix not in formats:
        raise ExportError(f"{path}: unknown {what} format '{path.suffix}'; use {choices}")
    return suffix


def refuse_project_file(path: Path) -> None:
    """An ExportError when ``path`` names a qcode project database or SQLite's files
    beside it: an output must never replace a project."""
    if path.name.lower() in PROJECT_FILES:
        raise ExportError(
            f"{path}: that is a qcode project's database file; write the output to another "
            "file name"
        )


@contextlib.contextmanager
def atomic_output(
    path: Path, *, mode: int | None = None, database: bool = False
) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; move it onto ``path`` on success.

    The temporary file is created exclusively with a unique name (a planted file or
    symlink cannot redirect the write), flushed to disk, given ``mode`` (default: the mode
    of the file it replaces, else what the umask gives a new file) and renamed over the
    target. On any exception (including KeyboardInterrupt) it is removed and ``path``
    keeps whatever it held before. Only a backup (``database=True``, which checks that it
    is not the live project) may be named like a project database.
    """
    if not database:
        refuse_project_file(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist; create it first")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name inside it")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as err:
        raise ExportError(f"{path}: cannot write in {folder}: {_reason(err)}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _flush(temporary)
        os.chmod(temporary, _file_mode(path) if mode is None else mode)
        os.replace(temporary, path)
    except PermissionError as err:
        raise ExportError(
            f"{path}: cannot write: {_reason(err)} (is it open in another program?)"
        ) from None
    except OSError as err:
        raise ExportError(f"{path}: cannot write: {_reason(err)}; nothing was written") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def write_bytes_atomic(path: Path, content: bytes, *, mode: int | None = None) -> None:
    """Write ``content`` to ``path`` through :func:`atomic_output`."""
    with atomic_output(path, mode=mode) as temporary:
        temporary.write_bytes(content)


def _flush(path: Path) -> None:
    """Put the finished file on disk before the rename, so a power cut cannot leave an
    empty file under the target's name."""
    with contextlib.suppress(OSError), open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "the disk is full; free some space and try again"
    if err.errno == errno.EROFS:
        return "the folder is on a read-only disk"
    return str(err.strerror or err)


def _file_mode(path: Path) -> int:
    """The permissions a plain ``open(path, "w")`` would have given the file: those of
    the file it replaces, or what the umask leaves of 0666 for a new one."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
