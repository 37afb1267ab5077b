"""A printable codebook for training coders: the code tree with everything a coder needs to
apply each code, as a Word document, a self-contained HTML page or Markdown.

:class:`CodebookDocument` is what the writers format (read from the project by
:mod:`qcode.report.codebook`);
:func:`qcode.exports.codebook_files.write_codebook_document` writes it atomically in the
format the file name asks for, in Dutch (default) or English. Every text from the codebook
and the transcripts is made inert for the format it lands in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from qcode.models import Code, Codebook
from qcode.neutralise import markdown_text

LANGUAGES: tuple[str, ...] = ("nl", "en")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class CodebookQuote:
    """A typical coded text of a code, and where it comes from."""

    text: str
    respondent: str
    case: str
    transcript: str
    segment: int


@dataclass(frozen=True)
class CodebookDocument:
    """The codebook with, optionally, codings per code and typical quotes per code.

    ``counts`` is None when counts were not asked for; ``totals`` holds each code's
    codings together with its sub-codes'."""

    codebook: Codebook
    version: str
    made_on: str
    counts: Mapping[str, int] | None = None
    totals: Mapping[str, int] = field(default_factory=dict)
    quotes: Mapping[str, Sequence[CodebookQuote]] = field(default_factory=dict)
    quotes_wanted: int = 0


WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Codeboek", "contents": "Inhoud", "version": "versie",
        "made": "Gemaakt op {date} met qcode", "codes": "{count} codes",
        "intro": "Per code: de definitie, wanneer je de code wel en niet toekent, voorbeelden "
                 "en trefwoorden. Subcodes staan onder hun code. Codeer een respondentbeurt "
                 "(of een deel ervan) met elke code die erop van toepassing is.",
        "toc_hint": "Inhoudsopgave: klik met rechts en kies 'Veld bijwerken' (Word) om haar "
                    "te maken.",
        "id": "Code-id", "definition": "Definitie", "include": "Wel coderen",
        "exclude": "Niet coderen", "examples": "Voorbeelden", "keywords": "Trefwoorden",
        "level": "Niveau", "colour": "Kleur", "codings": "Coderingen",
        "codings_value": "{own} (met subcodes {total})", "quotes": "Typische citaten",
        "no_quotes": "Nog geen gecodeerde citaten.",
        "no_quotes_sub": "Geen citaten met deze code zelf; zie de subcodes.",
        "segment": "segment",
        "low": "laag", "moderate": "gemiddeld", "high": "hoog", "few": "weinig",
        "many": "veel", "no_codes": "Het codeboek heeft geen codes.",
    },
    "en": {
        "title": "Codebook", "contents": "Contents", "version": "version",
        "made": "Made on {date} with qcode", "codes": "{count} codes",
        "intro": "For each code: its definition, when to apply it and when not, examples and "
                 "keywords. Sub-codes are listed under their code. Code a respondent turn (or "
                 "part of it) with every code that applies.",
        "toc_hint": "Table of contents: right-click and choose 'Update Field' (Word) to build "
                    "it.",
        "id": "Code id", "definition": "Definition", "include": "Apply when",
        "exclude": "Do not apply when", "examples": "Examples", "keywords": "Keywords",
        "level": "Level", "colour": "Colour", "codings": "Codings",
        "codings_value": "{own} (with sub-codes {total})", "quotes": "Typical quotes",
        "no_quotes": "No coded quotes yet.",
        "no_quotes_sub": "No quotes with this code itself; see its sub-codes.",
        "segment": "segment",
        "low": "low", "moderate": "moderate", "high": "high", "few": "few", "many": "many",
        "no_codes": "The codebook has no codes.",
    },
}


def title(document: CodebookDocument, lang: str) -> str:
    return f"{WORDS[lang]['title']}: {document.codebook.name}"


def subtitle(document: CodebookDocument, lang: str) -> str:
    w = WORDS[lang]
    return " · ".join([f"{w['version']} {document.version}",
                       w["codes"].format(count=len(document.codebook.codes)),
                       w["made"].format(date=document.made_on)])


def heading(code: Code) -> str:
    return f"{code.label} ({code.id})"


def fields(document: CodebookDocument, code: Code, lang: str) -> list[tuple[str, str]]:
    """The one-line facts of a code, as (name, value), leaving out the empty ones."""
    w = WORDS[lang]
    found = [(w["id"], code.id)]
    if code.level:
        found.append((w["level"], w.get(code.level, code.level)))
    if code.color:
        found.append((w["colour"], code.color))
    if code.keywords:
        found.append((w["keywords"], ", ".join(code.keywords)))
    if document.counts is not None:
        own = document.counts.get(code.id, 0)
        total = document.totals.get(code.id, own)
        found.append((w["codings"], str(own) if total == own
                      else w["codings_value"].format(own=own, total=total)))
    return found


def paragraphs(code: Code, lang: str) -> list[tuple[str, str]]:
    """The prose of a code, as (name, text): definition, include and exclude rules."""
    w = WORDS[lang]
    return [(w[name], text) for name, text in (
        ("definition", code.description), ("include", code.include),
        ("exclude", code.exclude)) if text]


def no_quotes(document: CodebookDocument, code: Code, lang: str) -> str:
    """What to say where a code has no quotes: a parent's are with its sub-codes."""
    parent = any(c.parent == code.id for c in document.codebook.codes)
    return WORDS[lang]["no_quotes_sub" if parent else "no_quotes"]


def credit(quote: CodebookQuote, lang: str) -> str:
    parts = [quote.respondent, quote.case, f"{quote.transcript}, "
             f"{WORDS[lang]['segment']} {quote.segment}"]
    return " · ".join(p for p in parts if p)


def codebook_markdown(document: CodebookDocument, lang: str) -> str:
    """The codebook as Markdown: a heading per code, one level deeper per sub-code."""
    w = WORDS[lang]
    codebook = document.codebook
    lines = [f"# {markdown_text(title(document, lang))}", "",
             f"*{subtitle(document, lang)}*", ""]
    if codebook.description:
        lines += [markdown_text(codebook.description), ""]
    lines += [w["intro"], ""]
    if not codebook.codes:
        lines += [w["no_codes"], ""]
    lines += [f"## {w['contents']}", ""]
    for code in codebook.codes:
        lines.append(f"{'  ' * code.depth}- {markdown_text(heading(code))}")
    lines.append("")
    for code in codebook.codes:
        lines += [f"{'#' * min(code.depth + 2, 6)} {markdown_text(heading(code))}", ""]
        for name, value in fields(document, code, lang):
            lines.append(f"- **{name}:** {markdown_text(value)}")
        lines.append("")
        for name, text in paragraphs(code, lang):
            lines += [f"**{name}.** {markdown_text(text)}", ""]
        if code.examples:
            lines += [f"**{w['examples']}:**", ""]
            lines += [f"- {markdown_text(example)}" for example in code.examples]
            lines.append("")
        if document.quotes_wanted:
            lines += [f"**{w['quotes']}:**", ""]
            found = document.quotes.get(code.id, ())
            if not found:
                lines += [f"*{no_quotes(document, code, lang)}*", ""]
            for quote in found:
                lines += [f"> {markdown_text(quote.text)}", ">",
                          f"> — {markdown_text(credit(quote, lang))}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
