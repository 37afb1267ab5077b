"""Codebooks: load and validate the YAML format, and write it back.

>>> from pathlib import Path
>>> codebook = load_codebook(Path("codebooks/veiligheidshuis.yaml"))  # doctest: +SKIP
>>> codebook.get("trust.low").level  # doctest: +SKIP
'low'
"""

from __future__ import annotations

from qcode.codebook.dump import codebook_to_yaml
from qcode.codebook.loader import CODE_FIELDS, CODEBOOK_FIELDS, load_codebook, parse_codebook
from qcode.codebook.patterns import TOKEN_ATTRIBUTES

__all__ = [
    "CODEBOOK_FIELDS",
    "CODE_FIELDS",
    "TOKEN_ATTRIBUTES",
    "codebook_to_yaml",
    "load_codebook",
    "parse_codebook",
]
