"""Quotes as a Markdown document: a heading per code, each quote a blockquote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from qcode.exports.quote_groups import attribution, group_by_code
from qcode.models import Quote
from qcode.neutralise import markdown_line, markdown_quote


def write_quotes_md(
    quotes: Sequence[Quote],
    target: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> None:
    """Write ``quotes`` grouped by code as Markdown to ``target``."""
    lines = [f"# {markdown_line(title or 'Quotes')}", ""]
    groups = group_by_code(quotes, labels)
    if not groups:
        lines.append("There are no quotes to export.")
    for group in groups:
        count = len(group.quotes)
        lines += [f"## {markdown_line(group.heading)}", ""]
        lines += [f"{count} quote{'s' if count != 1 else ''}", ""]
        for quote in group.quotes:
            lines += markdown_quote(quote.text)
            lines += ["", markdown_line(attribution(quote))]
            if quote.memo:
                lines += ["", "*Memo:* " + markdown_line(quote.memo.replace("\n", " "))]
            lines.append("")
    target.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8", newline="")
