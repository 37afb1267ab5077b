"""Counted words in Dutch and English: ``1 code``, ``2 codes``, ``1 casus``, ``3 casussen``.

Messages and exports say "1 coding" rather than "1 coding(s)" or "1 codings". Dutch
plurals are irregular enough (casus, citaat, codering) to be listed; English adds an s.
"""

from __future__ import annotations

DUTCH = {
    "casus": "casussen", "citaat": "citaten", "code": "codes", "codering": "coderingen",
    "codeur": "codeurs", "respondent": "respondenten", "segment": "segmenten",
    "transcript": "transcripten", "memo": "memo's", "rij": "rijen", "suggestie": "suggesties",
    "bestand": "bestanden", "groep": "groepen",
}
ENGLISH = {"casus": "cases", "quote": "quotes", "entity": "entities", "category": "categories"}


def plural(count: int, word: str, lang: str = "en") -> str:
    """``count`` and ``word``, in the plural unless ``count`` is one: ``plural(1, "code")``
    is ``1 code``, ``plural(2, "casus", "nl")`` is ``2 casussen``."""
    if count == 1:
        return f"{count} {word}"
    table = DUTCH if lang == "nl" else ENGLISH
    return f"{count} {table.get(word, word + ('' if lang == 'nl' else 's'))}"
