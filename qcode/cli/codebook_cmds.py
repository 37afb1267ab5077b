"""codebook load | check | show."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.markup import escape
from rich.tree import Tree

from qcode.cli.app import app
from qcode.cli.common import ListFormat, console, emit, note, open_project
from qcode.errors import CodebookError
from qcode.store.codebook import require_codebook, save_codebook
from qcode.words import plural

codebook_app = typer.Typer(help="Load, check and show the project's codebook.",
                           no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")


def _parse_renames(values: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise CodebookError(
                f"--rename {value}: expected OLD=NEW, e.g. --rename trust.hoog=trust.high"
            )
        renames[old.strip()] = new.strip()
    return renames


@codebook_app.command("load")
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Codebook YAML file (or REFI-QDA .qdc)."),
    rename: list[str] = typer.Option(
        [], "--rename", help="Map a code that disappears onto a new one: OLD=NEW (repeatable)."
    ),
) -> None:
    """Load (or re-load) a YAML codebook into the project.

    Codings are never dropped: a code that disappears while codings use it is refused
    unless you map it with --rename OLD=NEW.

    A REFI-QDA codebook (.qdc from ATLAS.ti, NVivo, MAXQDA) loads too, with its code groups.

    Example: qcode codebook load codebooks/veiligheidshuis.yaml
    """
    from qcode.codebook import load_codebook

    renames = _parse_renames(rename)
    if file.suffix.lower() == ".qdc":
        from qcode.refi.codebook import load_qdc

        with open_project(ctx) as project:
            codebook, change, groups, notes = load_qdc(project, file, renames=renames)
        for message in notes:
            note(f"note: {message}")
        if groups:
            note(f"kept {plural(len(groups), 'code group')} beside the codebook: "
                 + ", ".join(f"{g.name} ({plural(len(g.codes), 'code')})" for g in groups))
    else:
        codebook = load_codebook(file)
        with open_project(ctx) as project:
            change = save_codebook(project, codebook, renames=renames)
    if change.unchanged:
        note(f"codebook {codebook.name} unchanged (version {change.version})")
        return
    note(
        f"loaded codebook {codebook.name}: {plural(len(codebook.codes), 'code')}, version "
        f"{change.version} "
        f"({len(change.added)} added, {len(change.changed)} changed, {len(change.removed)} "
        f"removed, {len(change.renamed)} renamed)"
    )


@codebook_app.command("check")
def check(file: Path = typer.Argument(..., help="Codebook YAML file.")) -> None:
    """Validate a codebook file without loading it; problems are reported with line and column.

    Example: qcode codebook check codebooks/veiligheidshuis.yaml
    """
    from qcode.codebook import load_codebook

    if file.suffix.lower() == ".qdc":
        from qcode.refi.codebook import read_qdc

        codebook = read_qdc(file)[0]
    else:
        codebook = load_codebook(file)
    top = sum(1 for c in codebook.codes if c.parent is None)
    note(f"{file}: ok, {plural(len(codebook.codes), 'code')} ({top} top-level), version "
         f"{codebook.version}")


class CodebookFormat(str, Enum):
    tree = "tree"
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


@codebook_app.command("show")
def show(
    ctx: typer.Context,
    fmt: CodebookFormat = typer.Option(CodebookFormat.tree, "--format", "-f",
                                       help="tree, table, csv or jsonl."),
) -> None:
    """Print the project's codebook as a tree (or a table, csv, jsonl).

    Example: qcode codebook show --format jsonl
    """
    with open_project(ctx) as project:
        codebook = require_codebook(project)
    if fmt is CodebookFormat.tree:
        root = Tree(f"[bold]{escape(codebook.name)}[/] ({plural(len(codebook.codes), 'code')})")
        nodes: dict[str, Tree] = {}
        for code in codebook.codes:
            parent = nodes.get(code.parent, root) if code.parent else root
            level = f" [dim]level {code.level}[/]" if code.level else ""
            colour = f"[{code.color}]■[/] " if code.color else ""
            nodes[code.id] = parent.add(
                f"{colour}[bold]{escape(code.id)}[/] {escape(code.label)}{level}"
            )
        console.print(root)
        return
    rows = [
        {"id": c.id, "label": c.label, "parent": c.parent, "level": c.level, "color": c.color,
         "description": c.description, "keywords": list(c.keywords)}
        for c in codebook.codes
    ]
    columns = ["id", "label", "parent", "level"] if fmt is CodebookFormat.table else list(rows[0])
    emit(rows, ListFormat(fmt.value), columns=columns, title=codebook.name)
