"""Writing an export file all at once or not at all.

Every exporter writes into a temporary file next to the target and moves it into place
with :func:`os.replace` only when it is complete, so a crash, a bad value or Ctrl-C never
leaves a half-written matrix or quote file where the researcher expects a finished one.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from qcode.errors import ExportError
from qcode.models import Quote

# XML 1.0 (and so .xlsx and .docx) cannot hold these characters at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export_format(path: Path, what: str, formats: Sequence[str]) -> str:
    """The lower-case suffix of ``path`` when it is one of ``formats``, else an ExportError."""
    suffix = path.suffix.lower()
    choices = ", ".join(formats[:-1]) + f" or {formats[-1]}"
    if not path.suffix:
        raise ExportError(f"{path}: no suffix to tell the {what} format; use {choices}")
    if suffix not in formats:
        raise ExportError(f"{path}: unknown {what} format '{path.suffix}'; use {choices}")
    return suffix


def check_xml_text(text: str, path: Path, where: str) -> None:
    """Refuse text that an XML-based format (.xlsx, .docx) cannot store.

    Silently dropping characters would make a quote differ from the transcript, so the
    researcher is told which quote it is and pointed to a format that keeps it.
    """
    found = _NOT_XML.search(text)
    if found:
        raise ExportError(
            f"{path}: {where} contains the control character "
            f"U+{ord(found.group()):04X}, which {path.suffix} cannot hold; "
            "remove it from the transcript or export to .csv"
        )


def check_quote_texts(
    quotes: Sequence[Quote],
    path: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> None:
    """Name the quote an XML-based format cannot store, before anything is written."""
    check_xml_text(title, path, "the title")
    for code, label in (labels or {}).items():
        check_xml_text(f"{code} {label}", path, f"the label of code {code}")
    for quote in quotes:
        where = f"the quote from {quote.transcript} segment {quote.segment} ({quote.code})"
        for text in (quote.text, quote.memo, quote.label, quote.code, quote.coder,
                     quote.transcript, quote.respondent, quote.case, quote.role):
            check_xml_text(text, path, where)


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it onto ``path`` on success.

    On any exception (including KeyboardInterrupt) the temporary file is removed and
    ``path`` keeps whatever it held before.
    """
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"{path}: folder {folder} does not exist; create it first")
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name inside it")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as err:
        raise ExportError(f"{path}: cannot write in {folder}: {err.strerror}") from err
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except PermissionError as err:
        raise ExportError(
            f"{path}: cannot write: {err.strerror} (is it open in another program?)"
        ) from err
    except OSError as err:
        raise ExportError(f"{path}: cannot write: {err.strerror}") from err
    finally:
        temporary.unlink(missing_ok=True)


def _file_mode(path: Path) -> int:
    """The permissions a plain ``open(path, "w")`` would have given the file.

    mkstemp creates private (0600) files; an export should instead keep the mode of the
    file it replaces, or follow the umask like any other new file.
    """
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
