"""Quotes as one self-contained, printable HTML page.

Inline CSS only: no scripts, fonts, images or links outside the page, so the file opens
the same offline, in a mail attachment or in an archive years later. A Content Security
Policy forbids anything else should someone edit the page by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from qcode.exports.language import counted, word
from qcode.exports.quote_groups import QuoteGroup, attribution, group_by_code
from qcode.models import Quote

_STYLE = """
body { font-family: Georgia, "Times New Roman", serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #bbb; }
h2 .code { font-family: Menlo, Consolas, monospace; font-size: 0.85em; color: #555; }
nav ol { padding-left: 1.5em; }
nav .count, .count { color: #666; font-size: 0.9em; }
figure { margin: 1.2em 0; break-inside: avoid; page-break-inside: avoid; }
blockquote { margin: 0; padding: 0.4em 1em; border-left: 4px solid #8a9bb0;
             background: #f5f7fa; white-space: pre-wrap; overflow-wrap: anywhere; }
figcaption { font-size: 0.85em; color: #444; margin: 0.3em 0 0 1.2em; }
.memo { font-size: 0.85em; margin: 0.2em 0 0 1.2em; white-space: pre-wrap; }
.empty { font-style: italic; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  nav { break-after: page; page-break-after: always; }
  a { color: inherit; text-decoration: none; }
  blockquote { background: none; }
}
""".strip()

_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def anchor(code: str) -> str:
    """An id for a code's section, safe in an href fragment."""
    return "code-" + re.sub(r"[^A-Za-z0-9_.-]", "-", code)


def write_quotes_html(
    quotes: Sequence[Quote],
    target: Path,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
) -> None:
    """Write ``quotes`` grouped by code as one HTML page to ``target``, its frame in
    ``lang``."""
    heading = title or word(lang, "quotes")
    groups = group_by_code(quotes, labels)
    parts = [
        "<!DOCTYPE html>",
        # The quotes are Dutch whatever the language of the frame around them.
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="qcode">',
        f"<title>{escape(heading)}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(heading)}</h1>",
    ]
    if groups:
        parts += _contents(groups, lang)
        for group in groups:
            parts += _section(group, lang)
    else:
        parts.append(f'<p class="empty">{escape(word(lang, "no_quotes"))}</p>')
    parts += ["</body>", "</html>"]
    target.write_text("\n".join(parts) + "\n", encoding="utf-8", newline="")


def _contents(groups: Sequence[QuoteGroup], lang: str) -> list[str]:
    total = sum(len(group.quotes) for group in groups)
    lines = [
        "<nav>",
        f'<p class="count">{counted(total, "quote", lang)}, '
        f'{counted(len(groups), "code", lang)}</p>',
        "<ol>",
    ]
    for group in groups:
        lines.append(
            f'<li><a href="#{escape(anchor(group.code))}">{escape(group.heading)}</a> '
            f'<span class="count">({counted(len(group.quotes), "quote", lang)})</span></li>'
        )
    lines += ["</ol>", "</nav>"]
    return lines


def _section(group: QuoteGroup, lang: str) -> list[str]:
    title = f'<span class="code">{escape(group.code)}</span>'
    if group.label:
        title += f" — {escape(group.label)}"
    lines = [
        f'<section id="{escape(anchor(group.code))}">',
        f"<h2>{title}</h2>",
        f'<p class="count">{counted(len(group.quotes), "quote", lang)}</p>',
    ]
    for quote in group.quotes:
        caption = escape(attribution(quote, lang))
        lines += [
            "<figure>",
            # No whitespace around the text: pre-wrap would show it.
            f"<blockquote>{escape(quote.text)}</blockquote>",
            f"<figcaption>{caption}</figcaption>",
        ]
        if quote.memo:
            lines.append(f'<p class="memo"><strong>{word(lang, "memo")}:</strong> '
                         f'{escape(quote.memo)}</p>')
        lines.append("</figure>")
    lines.append("</section>")
    return lines
