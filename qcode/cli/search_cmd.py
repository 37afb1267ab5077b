"""search: keyword in context, by Dutch lemma and inside compounds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    WHERE_OPTION,
    ListFormat,
    console,
    emit,
    err_console,
    note,
    open_project,
)
from qcode.errors import UsageError
from qcode.neutralise import terminal_text
from qcode.values import parse_where

if TYPE_CHECKING:
    from qcode.analysis.search import Hit

_SPACE = re.compile(r"\s+")
COLUMNS = ["transcript", "segment", "respondent", "case", "left", "match", "right", "codes"]


@app.command("search")
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help='Words to find: vertrouwen, "informatie delen" '
                                "(a phrase), casus* (a prefix); a hit for any of them."),
    transcripts: list[str] = typer.Argument(None, metavar="[ID]...",
                                            help="Transcript ids (default: all)."),
    all_turns: bool = typer.Option(False, "--all-turns",
                                   help="Search interviewer turns too (default: respondents)."),
    exact: bool = typer.Option(False, "--exact", help="Match the words as written (case "
                               "ignored): no other word forms, no compounds."),
    regex: bool = typer.Option(False, "--regex", help="QUERY is a regular expression (case "
                               "ignored; (?-i) to heed case), stopped if it runs away."),
    context: int = typer.Option(8, "--context", min=0, help="Words of context on each side."),
    where: list[str] = WHERE_OPTION,
    count_by: str | None = typer.Option(None, "--count-by", help="Print hits per case, "
                                        "respondent, role or any attribute instead."),
    code: str | None = typer.Option(None, "--code", help="Make every segment with a hit a "
                                    "pending suggestion of this code, for 'qcode review'."),
    fmt: ListFormat = FORMAT_OPTION,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the hits to a "
                                       "file: .csv, .xlsx, .md, .docx or .html."),
) -> None:
    """Find where respondents use a word, with the words around it and the codes already
    on the segment, so uncoded mentions stand out.

    A word finds its Dutch word forms (vertrouwen: vertrouwde, vertrouw) and compounds it
    is part of (informatie: informatiedeling). --code CODE turns the hits into pending
    suggestions: auto-coding from a search, but a coder still decides each one.

    Example: qcode search casusregie --count-by case
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from qcode.analysis import search as searching

    if exact and regex:
        raise UsageError("--exact and --regex: give one of the two")
    conditions = parse_where(where)
    if output is not None:
        searching.check_hits_target(output)
    mode = "regex" if regex else "exact" if exact else "words"
    with open_project(ctx) as project:
        with Progress(TextColumn("indexing transcripts for search (once)"), BarColumn(),
                      MofNCompleteColumn(), console=err_console, transient=True) as bar:
            task = bar.add_task("index", total=None, visible=False)
            result = searching.search(
                project, query, transcripts=transcripts or (), where=conditions, mode=mode,
                all_turns=all_turns, context=context, propose=code,
                progress=lambda done, total: bar.update(task, completed=done, total=total,
                                                        visible=True),
            )
        counts = searching.count_hits(project, result, count_by) if count_by else None
    if result.indexed:
        note(f"indexed {len(result.indexed)} transcript(s) for search")
    segments = len({(h.transcript, h.segment) for h in result.hits})
    summary = (f"{len(result.hits)} hit(s) in {segments} segment(s) of "
               f"{len({h.transcript for h in result.hits})} transcript(s); "
               f"{len(result.transcripts)} transcript(s) searched")
    if counts is not None:
        assert count_by is not None
        rows = [{count_by: c.group, "hits": c.hits, "segments": c.segments,
                 "respondents": c.respondents, "transcripts": c.transcripts} for c in counts]
        emit(rows, fmt, columns=[count_by, "hits", "segments", "respondents", "transcripts"],
             title=f"Hits for {query} by {count_by}", empty="no transcripts searched")
    elif output is not None:
        searching.write_hits(result, output, query=query)
        summary += f"; wrote them to {output}"
    elif fmt is ListFormat.table:
        if result.hits:
            _print_kwic(result.hits)
        else:
            note("no hits")
    else:
        emit([searching.hit_row(hit) for hit in result.hits], fmt,
             columns=[*COLUMNS, "start", "end"])
    note(summary)
    if result.proposals is not None:
        p = result.proposals
        note(f"suggested {p.code} for {p.segments} segment(s) ({p.new} new, {p.kept} already "
             f"suggested); accept or reject them with 'qcode review'"
             + (f"; {p.interviewer_hits} hit(s) in interviewer turns are never coded"
                if p.interviewer_hits else ""))


def _print_kwic(hits: Sequence[Hit]) -> None:
    """Each hit as two lines: where it is and the codes on its segment, then the match
    in the middle of its context (a concordance), cut to the terminal's width."""
    from rich.text import Text

    width = max(console.width, 40)
    for hit in hits:
        head = Text(f"{hit.transcript}:{hit.segment} {_line(hit.respondent)}  ", style="bold")
        if hit.codes:
            head.append(_line(" ".join(hit.codes)), style="cyan")
        else:
            head.append("not coded", style="bold red")
        if hit.case:
            head.append(f"  {_line(hit.case)}", style="dim")
        head.truncate(width, overflow="ellipsis")
        match = _line(hit.match)[: width - 24]
        side = max((width - len(match) - 4) // 2, 10)
        left = _line(hit.left).lstrip()
        left = left if len(left) <= side else "…" + left[-(side - 1):]
        right = _line(hit.right).rstrip()
        right = right if len(right) <= side else right[: side - 1] + "…"
        line = Text("  " + left.rjust(side))
        line.append(match, style="bold yellow")
        line.append(right)
        console.print(head, no_wrap=True, overflow="ellipsis")
        console.print(line, no_wrap=True, overflow="ellipsis")


def _line(text: str) -> str:
    """Text on one line, with control characters shown rather than obeyed."""
    return _SPACE.sub(" ", terminal_text(text))
