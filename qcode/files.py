"""Reading the text files a researcher hands qcode (codebooks, CSV), with located errors."""

from __future__ import annotations

from pathlib import Path

from qcode.errors import QcodeError, located


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
