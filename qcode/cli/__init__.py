"""The ``qcode`` command line: thin wrappers that call the library and render results."""

from __future__ import annotations

from qcode.cli import (  # noqa: F401  (importing registers the commands)
    agreement_cmds,
    anonymity_cmd,
    assist_cmds,
    backup_cmd,
    codebook_cmds,
    codings_cmds,
    demo_cmd,
    export_cmds,
    memo_cmds,
    query_cmds,
    refi_cmds,
    report_cmd,
    saturation_cmd,
    search_cmd,
    settings_cmds,
    tag_cmd,
    transcripts_cmds,
)
from qcode.cli.app import app, main
from qcode.cli.command import finish

# Every command registered above (and any added later) reads --project after its name
# too and prints its help the qcode way.
finish(app)

__all__ = ["app", "main"]
