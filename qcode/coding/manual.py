"""Who is coding: the coder name every command that codes or selects falls back on."""

from __future__ import annotations

import getpass
import os

CODER_ENV = "QCODE_CODER"


def default_coder(explicit: str | None = None) -> str:
    """The coder's name: ``--coder``, else ``QCODE_CODER``, else the OS user."""
    if explicit:
        return explicit
    from_env = os.environ.get(CODER_ENV)
    if from_env:
        return from_env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
