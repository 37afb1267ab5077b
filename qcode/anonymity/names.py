"""Person names and places through deduce, the Dutch de-identification package, when it
is installed (``pip install 'qcode[anonymity]'``).

deduce is optional: it needs about 80 MB of lookup structures that it builds once (about
two minutes) and loads on every run (tens of seconds). qcode keeps that cache in the
user's cache folder, never inside a project or the package, so that a project folder
can be shared without it and a reinstall does not rebuild it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from qcode.anonymity.findings import Span

DEDUCE_REQUIREMENT = "deduce>=3,<4"
ENABLE_HINT = "pip install 'qcode[anonymity]' (or pip install 'deduce>=3,<4')"

# deduce's tags (after it merges first and last names) and the kinds they become. Its
# other tags (dates, phone numbers, institutions such as "Veilig Thuis") are left out:
# the pattern detectors cover the first, and organisations are not persons.
_KIND_OF_TAG = {"persoon": "name", "patient": "name", "locatie": "place"}


def cache_folder() -> Path:
    """Where deduce's lookup structures are kept: ``QCODE_CACHE_DIR``, else the
    platform's user cache folder (via platformdirs when it is installed), else
    ``$XDG_CACHE_HOME/qcode`` or ``~/.cache/qcode``."""
    explicit = os.environ.get("QCODE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    try:
        import platformdirs
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "qcode"
    return Path(platformdirs.user_cache_dir("qcode", appauthor=False))


def deduce_unavailable() -> str | None:
    """Why names and places cannot be checked, or None when deduce is ready to use."""
    try:
        version = metadata.version("deduce")
    except metadata.PackageNotFoundError:
        return f"deduce is not installed; to check them too: {ENABLE_HINT}"
    if not version.startswith("3."):
        return f"deduce {version} is installed, but qcode needs {DEDUCE_REQUIREMENT}: {ENABLE_HINT}"
    return None


class DeduceNames:
    """A detector (``text -> spans``) for person names and places.

    Without ``engine`` it loads deduce, its cache in ``cache`` (default
    :func:`cache_folder`); the tests pass an engine of their own with deduce's
    ``deidentify(text)`` interface.
    """

    def __init__(self, *, cache: Path | None = None, engine: Any = None) -> None:
        self.cache = (cache or cache_folder()) / f"deduce-{_deduce_version()}"
        self._engine = engine if engine is not None else _load_deduce(self.cache)

    def __call__(self, text: str) -> Iterator[Span]:
        document = self._engine.deidentify(text)
        for annotation in document.annotations:
            kind = _KIND_OF_TAG.get(str(annotation.tag).split("+")[0])
            start, end = annotation.start_char, annotation.end_char
            if kind is None or _ordinary_word(text, start, end):
                continue
            yield Span(start, end, kind)


def _ordinary_word(text: str, start: int, end: int) -> bool:
    """A single capitalised word that opens a sentence and is a Dutch word ("Krap.",
    "Mager.", "Ruiten ingegooid"): deduce matches it against its lists of surnames and
    places, but in an interview it is the word, not a name."""
    word = text[start:end]
    if not word.isalpha():
        return False
    before = start
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    # A speaker label ("R: Krap.") opens a sentence too, hence the colon.
    if before > 0 and text[before - 1] not in ".!?:\n":
        return False
    import simplemma

    return bool(simplemma.is_known(word.lower(), lang="nl"))


def _deduce_version() -> str:
    try:
        return metadata.version("deduce")
    except metadata.PackageNotFoundError:
        return "none"


def _load_deduce(cache: Path) -> Any:
    import logging

    # deduce configures the root logger to print DEBUG messages on stdout when it is
    # imported, which would mix with the findings; put the logging set-up back.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from deduce import Deduce
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    cache.mkdir(parents=True, exist_ok=True)
    return Deduce(cache_path=cache)
