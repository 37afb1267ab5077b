"""The one error family of qcode, and the exit codes the CLI maps it to.

Library code raises a subclass of :class:`QcodeError` whose message a researcher can act
on: which file, line or value is wrong, and how to put it right. The CLI prints that
message on one line and exits with the error's status: :attr:`ExitStatus.USAGE` (2) for a
value on the command line that cannot be read (:class:`UsageError`, like typer's own
usage errors), :attr:`ExitStatus.USER_ERROR` (1) for everything about the user's data
and files.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0
    USER_ERROR = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class QcodeError(Exception):
    """Something the user can fix. The message names what and where.

    ``problems`` (instead of a message) are several such messages, one for each thing that
    is wrong (every bad line of a file), so that one run shows them all; the CLI prints
    each on its own line.
    """

    exit_status = ExitStatus.USER_ERROR

    def __init__(self, message: str = "", *, problems: list[str] | None = None) -> None:
        self.problems: list[str] = list(problems) if problems else [message]
        super().__init__("\n".join(self.problems))


class UsageError(QcodeError):
    """A value on the command line that cannot be read (a malformed span, ``OLD=NEW``
    pair or filter): a usage mistake, like an unknown option."""

    exit_status = ExitStatus.USAGE


class ProjectError(QcodeError):
    """No project, a damaged project, or one made by a newer qcode."""


class TranscriptError(QcodeError):
    """A transcript file cannot be read or parsed."""


class CodebookError(QcodeError):
    """A codebook file is invalid, or loading it would lose codings."""


class CodingError(QcodeError):
    """A coding refers to something that does not exist or is not codable."""


class MemoError(QcodeError):
    """A memo refers to something the project lacks, or cannot be changed as asked."""


class ExportError(QcodeError):
    """An export cannot be written."""


def located(source: str, line: int | None = None, column: int | None = None) -> str:
    """Format a ``file:line:column`` prefix, leaving out the parts that are unknown."""
    where = source
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where
