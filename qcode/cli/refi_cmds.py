"""export qdpx | qdc: REFI-QDA for ATLAS.ti, NVivo, MAXQDA and QualCoder.

Import goes through the existing commands: ``qcode import FILE.qdpx`` and
``qcode codebook load FILE.qdc``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from qcode.cli.common import note, open_project
from qcode.cli.export_cmds import export_app
from qcode.words import plural


@export_app.command("qdpx")
def qdpx(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="The .qdpx file to write."),
    name: str | None = typer.Option(None, "--name", help="Project name shown in the other "
                                    "program (default: the project folder's name)."),
) -> None:
    """Export the project as REFI-QDA (.qdpx) for ATLAS.ti, NVivo, MAXQDA or QualCoder.

    Coders, the codebook (nesting, colours, descriptions, code groups), transcripts with
    every coding and span, memos as notes, respondents as cases with their attributes.
    Re-importing the file with 'qcode import' gives the same project back.

    Example: qcode export qdpx -o veiligheidshuizen.qdpx
    """
    from qcode.refi.export import export_qdpx

    with open_project(ctx) as project:
        summary = export_qdpx(project, output, name=name)
    note(
        f"wrote {output}: {plural(summary.codes, 'code')}, "
        f"{plural(summary.transcripts, 'transcript')}, {plural(summary.codings, 'coding')} in "
        f"{plural(summary.selections, 'selection')} by {plural(summary.coders, 'coder')}, "
        f"{plural(summary.memos, 'memo')}, {plural(summary.cases, 'case')}"
    )


@export_app.command("qdc")
def qdc(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="The .qdc file to write."),
) -> None:
    """Export the codebook as a REFI-QDA codebook (.qdc), with colours and code groups.

    Example: qcode export qdc -o veiligheidshuis.qdc
    """
    from qcode.refi.export import export_qdc

    with open_project(ctx) as project:
        summary = export_qdc(project, output)
    note(f"wrote {output}: {plural(summary.codes, 'code')}, "
         f"{plural(summary.groups, 'code group')}")
