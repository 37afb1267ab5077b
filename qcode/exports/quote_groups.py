"""Quotes grouped by code, with the attribution line every reading format shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qcode.exports.language import word
from qcode.models import Quote


@dataclass(frozen=True)
class QuoteGroup:
    """The quotes of one code, in the order they were given."""

    code: str
    label: str
    quotes: tuple[Quote, ...]

    @property
    def heading(self) -> str:
        return f"{self.code} — {self.label}" if self.label else self.code


def code_label(quote: Quote, labels: Mapping[str, str] | None) -> str:
    """The label shown for a quote's code: the ``labels`` mapping wins over the quote's own."""
    if labels and labels.get(quote.code):
        return labels[quote.code]
    return quote.label


def group_by_code(
    quotes: Sequence[Quote], labels: Mapping[str, str] | None = None
) -> list[QuoteGroup]:
    """Group quotes by code.

    Codes listed in ``labels`` come first, in its order (pass the codebook's labels and
    the export follows the codebook); other codes follow in code-id order, compared part
    by part so that every parent comes right before its children.
    """
    by_code: dict[str, list[Quote]] = {}
    for quote in quotes:
        by_code.setdefault(quote.code, []).append(quote)
    listed = [code for code in (labels or {}) if code in by_code]
    unlisted = sorted(set(by_code) - set(listed), key=lambda code: code.split("."))
    return [
        QuoteGroup(
            code=code,
            label=code_label(by_code[code][0], labels),
            quotes=tuple(by_code[code]),
        )
        for code in listed + unlisted
    ]


def speaker(quote: Quote) -> str:
    """``R03 (Veiligheidshuis Midden, politie)``, leaving out what is unknown."""
    who = quote.respondent or quote.transcript
    context = ", ".join(part for part in (quote.case, quote.role) if part)
    return f"{who} ({context})" if context else who


def location(quote: Quote, lang: str = "en") -> str:
    """``transcript r03, segment 12, characters 10–48`` (``tekens`` in Dutch)."""
    where = (f"{word(lang, 'transcript')} {quote.transcript}, "
             f"{word(lang, 'segment')} {quote.segment}")
    if quote.start is not None and quote.end is not None:
        where += f", {word(lang, 'characters')} {quote.start}–{quote.end}"
    return where


def credit(quote: Quote, lang: str = "en") -> str:
    """``coder ref (suggestion)``: who coded the quote; empty when unknown."""
    if not quote.coder:
        return ""
    line = f"{word(lang, 'coder')} {quote.coder}"
    if quote.provenance and quote.provenance != "manual":
        line += f" ({quote.provenance})"
    return line


def attribution(quote: Quote, lang: str = "en") -> str:
    """The line under a quote: who said it, where, and who coded it."""
    line = f"— {speaker(quote)}, {location(quote, lang)}"
    coded = credit(quote, lang)
    return f"{line}; {coded}" if coded else line
