"""Codebook ``REGEX`` predicates with a time limit, so no pattern can make suggest hang.

spaCy's Matcher runs a ``REGEX`` predicate with Python's ``re``, which cannot be stopped:
an expression such as ``^(a+)+$`` takes seconds on one 30-letter word and twice as long
for every letter more. qcode instead hands the Matcher a token extension attribute per
expression, computed by the ``regex`` package with a time limit per word. An expression
that runs out of time is stopped for the rest of the run (it matches nothing more) and
:attr:`RegexGuard.stopped` says which one it was, on which code, so the researcher can
fix it; every other pattern keeps working.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

REGEX_SECONDS = 0.25
"""The longest one expression may search one word. Sane expressions need microseconds."""

_FIELDS: dict[str, str] = {
    "ORTH": "text", "TEXT": "text", "NORM": "norm_", "LOWER": "lower_", "LEMMA": "lemma_",
}


class RegexGuard:
    """The timed expressions of one codebook's patterns, and the ones that were stopped."""

    def __init__(self, seconds: float = REGEX_SECONDS) -> None:
        self.seconds = seconds
        self.stopped: list[str] = []
        self._disabled: set[str] = set()

    def timed_token(self, token: dict[str, Any], code: str, number: int) -> dict[str, Any]:
        """``token`` (one token of a Matcher pattern) with every ``REGEX`` predicate
        replaced by a timed extension attribute that means the same."""
        timed: dict[str, Any] = {}
        extensions: dict[str, bool] = {}
        for attribute, value in token.items():
            if isinstance(value, dict) and "REGEX" in value and attribute in _FIELDS:
                rest = {k: v for k, v in value.items() if k != "REGEX"}
                if rest:
                    timed[attribute] = rest
                name = self._register(attribute, str(value["REGEX"]), code, number)
                extensions[name] = True
            else:
                timed[attribute] = value
        if extensions:
            timed["_"] = extensions
        return timed

    def _register(self, attribute: str, expression: str, code: str, number: int) -> str:
        import regex
        from spacy.tokens import Token

        digest = hashlib.sha1(f"{attribute}\x1f{expression}".encode()).hexdigest()[:16]
        name = f"qcode_regex_{digest}"
        compiled = regex.compile(expression)
        field = _FIELDS[attribute]
        label = f"pattern {number} of code {code}: REGEX {expression!r} on {attribute}"
        Token.set_extension(name, getter=self._getter(name, compiled, field, label),
                            force=True)
        return name

    def _getter(self, name: str, compiled: Any, field: str, label: str) -> Callable[[Any], bool]:
        def matches(token: Any) -> bool:
            if name in self._disabled:
                return False
            text = getattr(token, field)
            try:
                return compiled.search(text, timeout=self.seconds) is not None
            except TimeoutError:
                self._disabled.add(name)
                word = text if len(text) <= 40 else text[:39] + "…"
                self.stopped.append(
                    f"{label} was stopped after {self.seconds:g} s on the word {word!r} and "
                    "left out of this run; simplify it (a repeat inside a repeat, such as "
                    "(a+)+, can take forever)"
                )
                return False

        return matches
