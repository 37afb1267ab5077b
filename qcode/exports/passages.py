"""Passages of transcripts to read: search hits in their context and the segments a
coding query finds, as a Word document or one self-contained HTML page.

Each passage is a piece of text (the words around a hit, or a whole segment) with the
found words marked (bold in Word, ``<mark>`` in HTML) and a caption saying who said it
and where; passages are grouped under headings (a transcript, a case). The text is
written exactly as given; HTML escapes it, Word refuses characters it cannot hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from qcode.exports.output import check_xml_text
from qcode.files import atomic_output, output_format

PASSAGE_FORMATS: tuple[str, ...] = (".docx", ".html")

_STYLE = """
body { font-family: Georgia, "Times New Roman", serif; max-width: 50em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #bbb; }
p.intro, figcaption, .count { color: #555; font-size: 0.88em; }
figure { margin: 0.9em 0; break-inside: avoid; page-break-inside: avoid; }
blockquote { margin: 0; padding: 0.35em 0.9em; border-left: 4px solid #8a9bb0;
             background: #f5f7fa; white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #ffe58f; padding: 0 0.1em; -webkit-print-color-adjust: exact;
       print-color-adjust: exact; }
figcaption { margin: 0.2em 0 0 1.1em; }
.empty { font-style: italic; }
""".strip()
_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Passage:
    """A piece of text with marked ranges (character offsets into ``text``), its caption
    and the heading it is grouped under."""

    group: str
    text: str
    marks: tuple[tuple[int, int], ...]
    caption: str
    lead_in: bool = False
    """The text starts inside its segment (show an ellipsis before it)."""
    lead_out: bool = False
    """The text stops inside its segment (show an ellipsis after it)."""


def write_passages(
    passages: Sequence[Passage], path: Path, *, title: str, intro: str = "",
    empty: str = "Nothing found.",
) -> None:
    """Write ``passages`` to ``path`` (.docx or .html), grouped in the order given.

    Raises ExportError for an unknown suffix, a missing folder, text Word cannot hold
    or a failed write; nothing is left behind when writing fails.
    """
    suffix = output_format(path, "document", PASSAGE_FORMATS)
    groups: dict[str, list[Passage]] = {}
    for passage in passages:
        groups.setdefault(passage.group, []).append(passage)
    if suffix == ".docx":
        for where, text in [("the title", title), ("the introduction", intro)] + [
            (f"the passage from {p.caption}", f"{p.group} {p.text} {p.caption}")
            for p in passages
        ]:
            check_xml_text(text, path, where)
    with atomic_output(path) as temporary:
        if suffix == ".docx":
            _write_docx(groups, temporary, title=title, intro=intro, empty=empty)
        else:
            temporary.write_text(_html(groups, title=title, intro=intro, empty=empty),
                                 encoding="utf-8", newline="")


def _pieces(passage: Passage) -> list[tuple[str, bool]]:
    """The passage's text as (piece, marked) pairs, with ellipses where it was cut."""
    pieces: list[tuple[str, bool]] = [("…", False)] if passage.lead_in else []
    position = 0
    for start, end in sorted(passage.marks):
        if start < position:
            continue
        pieces += [(passage.text[position:start], False), (passage.text[start:end], True)]
        position = end
    pieces.append((passage.text[position:], False))
    if passage.lead_out:
        pieces.append(("…", False))
    return [(text, marked) for text, marked in pieces if text]


def _html(groups: dict[str, list[Passage]], *, title: str, intro: str, empty: str) -> str:
    parts = [
        "<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="qcode">', f"<title>{escape(title)}</title>",
        f"<style>\n{_STYLE}\n</style>", "</head>", "<body>", f"<h1>{escape(title)}</h1>",
    ]
    if intro:
        parts.append(f'<p class="intro">{escape(intro)}</p>')
    if not groups:
        parts.append(f'<p class="empty">{escape(empty)}</p>')
    for group, passages in groups.items():
        parts.append(f'<h2>{escape(group)} <span class="count">({len(passages)})</span></h2>')
        for passage in passages:
            # No whitespace around the text: pre-wrap would show it.
            text = "".join(f"<mark>{escape(piece)}</mark>" if marked else escape(piece)
                           for piece, marked in _pieces(passage))
            parts += ["<figure>", f"<blockquote>{text}</blockquote>",
                      f"<figcaption>{escape(passage.caption)}</figcaption>", "</figure>"]
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _write_docx(
    groups: dict[str, list[Passage]], target: Path, *, title: str, intro: str, empty: str
) -> None:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    if intro:
        document.add_paragraph(intro)
    if not groups:
        document.add_paragraph(empty)
    for group, passages in groups.items():
        document.add_heading(f"{group} ({len(passages)})", level=1)
        for passage in passages:
            paragraph = document.add_paragraph(style="Quote")
            for piece, marked in _pieces(passage):
                paragraph.add_run(piece).bold = marked or None
            line = document.add_paragraph()
            line.paragraph_format.space_after = Pt(10)
            line.add_run(passage.caption).font.size = Pt(9)
    document.save(str(target))
