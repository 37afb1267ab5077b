"""Quotes as a Markdown document: a heading per code, each quote a blockquote."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path

from qcode.exports.language import counted, word
from qcode.exports.quote_groups import attribution, group_by_code
from qcode.models import Quote

# Characters that start inline Markdown syntax anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>])")
# Text at the start of a line that Markdown would read as a heading, list or rule.
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")


def markdown_text(line: str) -> str:
    """Escape one line of interview text so Markdown shows it as written."""
    line = _INLINE.sub(r"\\\1", line)
    match = _BLOCK_START.match(line)
    if match:
        indent, marker = match.groups()
        rest = line[match.end():]
        if marker.isdigit():
            return f"{indent}{marker}\\{rest}"
        return f"{indent}\\{marker}{rest}"
    return line


def blockquote(text: str) -> list[str]:
    """A quote as blockquote lines; its own line breaks become hard breaks."""
    lines = text.replace("\r\n", "\n").split("\n")
    quoted = [f"> {markdown_text(line)}".rstrip() for line in lines]
    # A trailing backslash is CommonMark's hard line break: it keeps the speaker's lines
    # apart. Not before or on an empty line, which already ends a paragraph.
    return [
        line + "\\" if line != ">" and following != ">" else line
        for line, following in pairwise(quoted)
    ] + quoted[-1:]


def write_quotes_md(
    quotes: Sequence[Quote],
    target: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
) -> None:
    """Write ``quotes`` grouped by code as Markdown to ``target``, its frame in ``lang``."""
    lines = [f"# {markdown_text(title or word(lang, 'quotes'))}", ""]
    groups = group_by_code(quotes, labels)
    if not groups:
        lines.append(word(lang, "no_quotes"))
    for group in groups:
        lines += [f"## {markdown_text(group.heading)}", ""]
        lines += [counted(len(group.quotes), "quote", lang), ""]
        for quote in group.quotes:
            lines += blockquote(quote.text)
            lines += ["", markdown_text(attribution(quote, lang))]
            if quote.memo:
                lines += ["", f"*{word(lang, 'memo')}:* "
                          + markdown_text(quote.memo.replace("\n", " "))]
            lines.append("")
    target.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8", newline="")
