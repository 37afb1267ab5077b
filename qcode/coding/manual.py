"""Who is coding: the coder name every command that codes or selects falls back on."""

from __future__ import annotations

import getpass
import os

from qcode.errors import CodingError
from qcode.neutralise import undecodable

CODER_ENV = "QCODE_CODER"


def default_coder(explicit: str | None = None) -> str:
    """The coder's name: ``--coder``, else ``QCODE_CODER``, else the OS user."""
    if explicit:
        return explicit
    from_env = os.environ.get(CODER_ENV)
    if from_env:
        if undecodable(from_env):
            raise CodingError(
                f"{CODER_ENV} is not valid UTF-8 text (byte {undecodable(from_env)}); set it "
                "again in a UTF-8 terminal, or pass --coder NAME"
            )
        return from_env
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
    return "unknown" if undecodable(user) else user
