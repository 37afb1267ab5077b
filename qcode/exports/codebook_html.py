"""The printable codebook as one self-contained HTML page, like the replication report:
inline styles, no script, font, image or link outside the page (a Content Security Policy
forbids them), every text from the project escaped."""

from __future__ import annotations

import re
from html import escape

from qcode.exports.codebook_doc import (
    COLOUR,
    WORDS,
    CodebookDocument,
    credit,
    fields,
    heading,
    no_quotes,
    paragraphs,
    subtitle,
    title,
)

POLICY = "default-src 'none'; style-src 'unsafe-inline'"
STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #1b1f24; max-width: 50em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }
h1 { font-size: 1.7em; margin-bottom: 0.1em; }
h2, h3, h4, h5, h6 { margin: 1.6em 0 0.4em; }
h2 { border-bottom: 2px solid #08519c; padding-bottom: 0.15em; }
.sub { color: #5b6570; font-style: italic; }
nav ul { list-style: none; padding-left: 1.1em; margin: 0; }
nav > ul { padding-left: 0; }
nav a { color: #08519c; text-decoration: none; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em;
           margin: 0.4em 0; font-size: 0.93em; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.code-id { font-family: ui-monospace, Menlo, Consolas, monospace; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #999;
          vertical-align: -0.1em; margin-right: 0.3em; -webkit-print-color-adjust: exact;
          print-color-adjust: exact; }
p.rule { margin: 0.4em 0; white-space: pre-wrap; }
figure { margin: 0.6em 0 1em; break-inside: avoid; page-break-inside: avoid; }
blockquote { margin: 0; padding: 0.4em 0.9em; border-left: 4px solid #8a9bb0;
             background: #f4f6f8; white-space: pre-wrap; overflow-wrap: anywhere; }
figcaption { font-size: 0.84em; color: #5b6570; margin: 0.2em 0 0 1.1em; }
.empty { font-style: italic; color: #5b6570; }
section.code { break-inside: avoid-page; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  nav { break-after: page; page-break-after: always; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def anchor(code_id: str) -> str:
    return "code-" + re.sub(r"[^A-Za-z0-9_.-]", "-", code_id)


def codebook_html(document: CodebookDocument, lang: str) -> str:
    w = WORDS[lang]
    codebook = document.codebook
    parts = [
        "<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="qcode">',
        f"<title>{escape(title(document, lang))}</title>", f"<style>\n{STYLE}\n</style>",
        "</head>", "<body>", f"<h1>{escape(title(document, lang))}</h1>",
        f'<p class="sub">{escape(subtitle(document, lang))}</p>',
    ]
    if codebook.description:
        parts.append(f'<p class="rule">{escape(codebook.description)}</p>')
    parts.append(f"<p>{escape(w['intro'])}</p>")
    parts.append(_contents(document, lang))
    if not codebook.codes:
        parts.append(f'<p class="empty">{escape(w["no_codes"])}</p>')
    for code in codebook.codes:
        level = min(code.depth + 2, 6)
        parts.append(f'<section class="code" id="{anchor(code.id)}">')
        parts.append(f"<h{level}>{escape(code.label)} "
                     f'<span class="code-id">({escape(code.id)})</span></h{level}>')
        parts.append('<dl class="facts">')
        for name, value in fields(document, code, lang):
            shown = escape(value)
            if name == w["colour"] and COLOUR.match(value):
                shown = (f'<span class="swatch" style="background:{value}"></span>'
                         f'<span class="code-id">{shown}</span>')
            elif name == w["id"]:
                shown = f'<span class="code-id">{shown}</span>'
            parts.append(f"<dt>{escape(name)}</dt><dd>{shown}</dd>")
        parts.append("</dl>")
        for name, text in paragraphs(code, lang):
            parts.append(f'<p class="rule"><strong>{escape(name)}.</strong> {escape(text)}</p>')
        if code.examples:
            parts.append(f"<p><strong>{escape(w['examples'])}:</strong></p><ul>")
            parts += [f"<li>{escape(example)}</li>" for example in code.examples]
            parts.append("</ul>")
        if document.quotes_wanted:
            parts.append(f"<p><strong>{escape(w['quotes'])}:</strong></p>")
            found = document.quotes.get(code.id, ())
            if not found:
                parts.append(f'<p class="empty">{escape(no_quotes(document, code, lang))}</p>')
            for quote in found:
                parts.append(f"<figure><blockquote>{escape(quote.text)}</blockquote>"
                             f"<figcaption>{escape(credit(quote, lang))}</figcaption></figure>")
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _contents(document: CodebookDocument, lang: str) -> str:
    """The code tree as nested lists of links."""
    lines = [f'<nav aria-label="{escape(WORDS[lang]["contents"])}">',
             f"<h2>{escape(WORDS[lang]['contents'])}</h2>"]
    depth = -1
    for code in document.codebook.codes:
        while depth < code.depth:
            lines.append("<ul>")
            depth += 1
        while depth > code.depth:
            lines.append("</li></ul>")
            depth -= 1
        if lines[-1] != "<ul>":
            lines.append("</li>")
        lines.append(f'<li><a href="#{anchor(code.id)}">{escape(heading(code))}</a>')
    while depth >= 0:
        lines.append("</li></ul>")
        depth -= 1
    lines.append("</nav>")
    return "\n".join(lines)
