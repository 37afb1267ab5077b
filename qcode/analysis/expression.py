"""Coding-query expressions: codes combined with AND, OR, NOT and parentheses.

``trust.low AND (governance.lead_organisation OR NOT governance)``. A code stands for
itself and its sub-codes (``trust`` holds where ``trust.high`` was coded); ``=trust``
for that exact code only. NOT binds tightest, then AND, then OR; the operators may be
written in any case. Reading an expression needs nothing but the text; whether its codes
exist is checked against a codebook with :func:`check_codes`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from qcode.errors import CodingError, UsageError
from qcode.models import within

CODE_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
OPERATORS = ("AND", "OR", "NOT")
_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<equals>=)|(?P<word>[^\s()=]+))")


@dataclass(frozen=True)
class CodeTerm:
    """A code in an expression; ``position`` is where it starts (1-based)."""

    code: str
    exact: bool
    position: int


@dataclass(frozen=True)
class Not:
    operand: Expression


@dataclass(frozen=True)
class And:
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Or:
    left: Expression
    right: Expression


Expression = CodeTerm | Not | And | Or


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "=", "AND", "OR", "NOT", "code", "end"
    text: str
    position: int


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokens(text))
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def fail(self, expected: str, why: str = "") -> UsageError:
        token = self.current
        found = "the end of the expression" if token.kind == "end" else f"'{token.text}'"
        return UsageError(
            f"query {self.text!r}: expected {expected} at position {token.position}{why}, "
            f"found {found}; combine codes with AND, OR, NOT and parentheses, e.g. "
            "'trust.low AND governance.lead_organisation'"
        )

    def expression(self) -> Expression:
        node = self.conjunction()
        while self.current.kind == "OR":
            self.index += 1
            node = Or(node, self.conjunction())
        return node

    def conjunction(self) -> Expression:
        node = self.factor()
        while self.current.kind == "AND":
            self.index += 1
            node = And(node, self.factor())
        return node

    def factor(self) -> Expression:
        token = self.current
        if token.kind == "NOT":
            self.index += 1
            return Not(self.factor())
        if token.kind == "(":
            self.index += 1
            node = self.expression()
            if self.current.kind != ")":
                raise self.fail("')'", f" to close the '(' at position {token.position}")
            self.index += 1
            return node
        exact = token.kind == "="
        if exact:
            self.index += 1
        code = self.current
        if code.kind != "code":
            raise self.fail("a code after '='" if exact else "a code, '(' or NOT")
        self.index += 1
        return CodeTerm(code.text, exact, token.position)


def _tokens(text: str) -> Iterator[_Token]:
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:
            yield _Token("end", "", len(text.rstrip()) + 1)
            return
        start = match.start(match.lastgroup or 0) + 1
        position = match.end()
        if match.group("paren"):
            yield _Token(match.group("paren"), match.group("paren"), start)
        elif match.group("equals"):
            yield _Token("=", "=", start)
        else:
            word = match.group("word")
            if word.upper() in OPERATORS:
                yield _Token(word.upper(), word, start)
            elif CODE_ID.fullmatch(word):
                yield _Token("code", word, start)
            else:
                raise UsageError(
                    f"query {text!r}: '{word}' at position {start} is neither a code id "
                    "(lowercase, dotted: trust.high) nor AND, OR or NOT"
                )


def parse_expression(text: str) -> Expression:
    """Read a coding query, or raise UsageError naming the position of the mistake."""
    parser = _Parser(text)
    if parser.current.kind == "end":
        raise UsageError(
            f"query {text!r}: empty; give codes combined with AND, OR and NOT, e.g. "
            "'trust.low AND governance.lead_organisation'"
        )
    node = parser.expression()
    if parser.current.kind != "end":
        raise parser.fail("AND, OR or the end of the expression")
    return node


def code_terms(expression: Expression) -> list[CodeTerm]:
    """The codes of an expression, left to right."""
    if isinstance(expression, CodeTerm):
        return [expression]
    if isinstance(expression, Not):
        return code_terms(expression.operand)
    return [*code_terms(expression.left), *code_terms(expression.right)]


def check_codes(text: str, expression: Expression, known: Sequence[str]) -> None:
    """A CodingError for the first code of ``expression`` that is not in ``known``, with
    its position and the closest code id."""
    ids = set(known)
    for term in code_terms(expression):
        if term.code not in ids:
            close = difflib.get_close_matches(term.code, sorted(ids), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "see 'qcode codebook show'"
            raise CodingError(
                f"query {text!r}: unknown code '{term.code}' at position {term.position}; "
                f"{hint}"
            )


def holds(expression: Expression, codes: Iterable[str]) -> bool:
    """Whether a unit coded with ``codes`` meets the expression."""
    present = frozenset(codes)
    return _holds(expression, present)


def _holds(expression: Expression, codes: frozenset[str]) -> bool:
    if isinstance(expression, CodeTerm):
        if expression.exact:
            return expression.code in codes
        return any(within(code, expression.code) for code in codes)
    if isinstance(expression, Not):
        return not _holds(expression.operand, codes)
    if isinstance(expression, And):
        return _holds(expression.left, codes) and _holds(expression.right, codes)
    return _holds(expression.left, codes) or _holds(expression.right, codes)


def refers_to(expression: Expression, code: str) -> bool:
    """Whether ``code`` is one the expression names (itself, or a sub-code of a code
    named without ``=``)."""
    return any(code == term.code if term.exact else within(code, term.code)
               for term in code_terms(expression))
