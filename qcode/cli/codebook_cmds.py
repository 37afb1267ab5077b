"""codebook load | check | show."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.text import Text
from rich.tree import Tree

from qcode.cli.app import app
from qcode.cli.common import ListFormat, console, emit, note, open_project, screen_text
from qcode.store.codebook import require_codebook, save_codebook
from qcode.values import parse_mapping
from qcode.words import plural

codebook_app = typer.Typer(help="Load, check and show the project's codebook.",
                           no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")


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

    renames = parse_mapping(rename, option="--rename", example="trust.hoog=trust.high")
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
    for (old, new), count in sorted(change.moved.items()):
        note(f"moved {count} coding(s) from {old} to {new}")
    for (old, new), count in sorted(change.memos_moved.items()):
        note(f"moved {count} memo(s) from {old} to {new}")
    for coding in change.folded:
        note(f"{coding.transcript}:{coding.segment} {coding.code} ({coding.coder}): two codings "
             "became one by the rename; both memos are kept in it")


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

    The csv has the path and description columns Taguette's codebook import reads.

    Example: qcode codebook show --format csv
    """
    with open_project(ctx) as project:
        codebook = require_codebook(project)
    if fmt is CodebookFormat.tree:
        heading = Text.assemble(screen_text(codebook.name),
                                f" ({plural(len(codebook.codes), 'code')})")
        heading.stylize("bold", 0, len(codebook.name))
        root = Tree(heading)
        nodes: dict[str, Tree] = {}
        for code in codebook.codes:
            parent = nodes.get(code.parent, root) if code.parent else root
            line = Text()
            if code.color:
                line.append("■ ", style=code.color)
            line.append_text(screen_text(code.id))
            line.stylize("bold", len(line) - len(code.id), len(line))
            line.append(" ").append_text(screen_text(code.label))
            if code.level:
                line.append(f" level {code.level}", style="dim")
            nodes[code.id] = parent.add(line)
        console.print(root)
        return
    # "path" is the code's place in the tree as Taguette names tags (a dotted path: the
    # id); with "description" it is what Taguette's codebook import reads.
    rows = [
        {"id": c.id, "path": c.id, "label": c.label, "parent": c.parent, "level": c.level,
         "color": c.color, "description": c.description, "keywords": list(c.keywords)}
        for c in codebook.codes
    ]
    columns = ["id", "label", "parent", "level"] if fmt is CodebookFormat.table else list(rows[0])
    emit(rows, ListFormat(fmt.value), columns=columns, title=codebook.name)


@codebook_app.command("export")
def export(
    ctx: typer.Context,
    output: Path = typer.Option(..., "--output", "-o", help="FILE.docx, .html or .md."),
    lang: str = typer.Option("nl", "--lang", help="nl (default) or en: the headings' language."),
    counts: bool = typer.Option(False, "--counts", help="Codings per code."),
    quotes: int = typer.Option(0, "--quotes", min=0, help="The N most typical coded quotes "
                               "per code (chosen as the report does)."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Count and quote only these "
                                     "coders' codings."),
) -> None:
    """Write the codebook for coders at other sites: the code tree with label, id,
    definition, include and exclude rules, examples, keywords, level and colour. The .docx
    uses Word's heading styles, so a table of contents can be generated; the .html is one
    self-contained page.

    Example: qcode codebook export -o codeboek.docx --counts --quotes 2
    """
    from qcode.report.codebook import write_codebook

    with open_project(ctx) as project:
        document = write_codebook(project, output, lang=lang, counts=counts, quotes=quotes,
                                  coders=coder)
    note(f"wrote {output}: {len(document.codebook.codes)} codes"
         + (f", up to {quotes} quote(s) per code" if quotes else ""))
