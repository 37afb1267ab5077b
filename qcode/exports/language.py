"""The words of an export, in Dutch or English: a Dutch export is Dutch throughout.

The quote texts themselves are never translated; this is the frame around them (titles,
counts, attributions, sheet and column names for people). CSV keeps the column names
``qcode codings import`` and scripts know, whatever the language.
"""

from __future__ import annotations

from qcode.words import plural

LANGUAGES = ("nl", "en")

_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "quotes": "Citaten", "quote": "citaat", "code": "code", "no_quotes":
        "Er zijn geen citaten om te exporteren.", "transcript": "transcript",
        "segment": "segment", "characters": "tekens", "coder": "codeur", "memo": "Memo",
        "matrix_sheet": "matrix", "quotes_sheet": "citaten", "info_sheet": "toelichting",
        "title": "titel", "exported_by": "gemaakt met", "code_matrix": "Codematrix",
    },
    "en": {
        "quotes": "Quotes", "quote": "quote", "code": "code", "no_quotes":
        "There are no quotes to export.", "transcript": "transcript", "segment": "segment",
        "characters": "characters", "coder": "coder", "memo": "Memo",
        "matrix_sheet": "matrix", "quotes_sheet": "quotes", "info_sheet": "info",
        "title": "title", "exported_by": "exported by", "code_matrix": "Code matrix",
    },
}

# Column headings of the quote table for people (.xlsx); .csv keeps the English names.
QUOTE_HEADINGS: dict[str, dict[str, str]] = {
    "nl": {"case": "casus", "role": "rol", "coder": "codeur", "provenance": "herkomst",
           "start": "begin", "end": "eind", "text": "tekst"},
    "en": {},
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown export language {lang!r}; use one of {LANGUAGES}")
    return lang


def word(lang: str, key: str) -> str:
    return _WORDS[check_language(lang)][key]


def counted(count: int, key: str, lang: str) -> str:
    """``1 citaat``, ``3 citaten``, ``2 quotes``."""
    return plural(count, word(lang, key), lang)


def heading(column: str, lang: str) -> str:
    return QUOTE_HEADINGS[check_language(lang)].get(column, column)
