"""Quotes as a Markdown document: a heading per code, each quote a blockquote."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from qcode.exports.language import counted, word
from qcode.exports.quote_groups import attribution, group_by_code
from qcode.models import Quote
from qcode.neutralise import markdown_line, markdown_quote


def write_quotes_md(
    quotes: Sequence[Quote],
    target: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
) -> None:
    """Write ``quotes`` grouped by code as Markdown to ``target``, its frame in ``lang``."""
    lines = [f"# {markdown_line(title or word(lang, 'quotes'))}", ""]
    groups = group_by_code(quotes, labels)
    if not groups:
        lines.append(word(lang, "no_quotes"))
    for group in groups:
        lines += [f"## {markdown_line(group.heading)}", ""]
        lines += [counted(len(group.quotes), "quote", lang), ""]
        for quote in group.quotes:
            lines += markdown_quote(quote.text)
            lines += ["", markdown_line(attribution(quote, lang))]
            if quote.memo:
                lines += ["", f"*{word(lang, 'memo')}:* "
                          + markdown_line(quote.memo.replace("\n", " "))]
            lines.append("")
    target.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8", newline="")
