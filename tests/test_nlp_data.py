"""Small Dutch codebook and coded segments shared by the NLP tests (no tests here)."""

from __future__ import annotations

import random

from qcode.models import Code, Codebook

CODEBOOK = Codebook(
    name="mini",
    codes=(
        Code(id="trust", label="Vertrouwen", keywords=("vertrouwen", "wantrouwen")),
        Code(
            id="trust.sharing",
            label="Informatie delen",
            parent="trust",
            keywords=("informatie delen", "informatie", "convenant"),
        ),
        Code(id="trust.colocation", label="Samen gehuisvest", parent="trust"),
        Code(id="capacity", label="Capaciteit", keywords=("capaciteit", "werkdruk")),
        Code(id="dialogue", label="Dialoog", keywords=("contact", "bellen")),
    ),
)

SENTENCES: dict[str, list[str]] = {
    "trust.sharing": [
        "We delen informatie alleen aan tafel.",
        "Het convenant regelt wat we mogen uitwisselen.",
        "De informatiedeling met de zorg is lastig.",
        "Gegevens over een cliënt geven we niet zomaar door.",
    ],
    "trust": [
        "Je moet elkaar kunnen vertrouwen.",
        "Het vertrouwen tussen de partners is gegroeid.",
        "Er was veel wantrouwen in het begin.",
    ],
    "capacity": [
        "De werkdruk bij het basisteam is hoog.",
        "Er is te weinig capaciteit voor al die overleggen.",
        "Agenten hebben er eigenlijk geen tijd voor.",
    ],
    "dialogue": [
        "Ik bel de wijkagent gewoon even op.",
        "Het contact met de reclassering loopt via mij.",
        "We spreken elkaar elke week.",
    ],
    "": [
        "Dat weet ik eigenlijk niet precies.",
        "Ik werk hier nu drie jaar.",
        "Nou ja, zo gaat dat.",
    ],
}


def coded_segments(
    transcripts: int = 4, per_transcript: int = 12, seed: int = 1
) -> list[tuple[str, int, str, frozenset[str]]]:
    """(transcript, segment, text, codes) for synthetic respondent turns."""
    rng = random.Random(seed)
    codes = sorted(SENTENCES)
    found = []
    for t in range(transcripts):
        for n in range(per_transcript):
            code = codes[(t + n) % len(codes)]
            extra = rng.choice(SENTENCES[""])
            text = f"{rng.choice(SENTENCES[code])} {extra}"
            found.append((f"t{t + 1}", 2 * n + 2, text, frozenset({code} if code else set())))
    return found
