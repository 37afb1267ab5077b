"""Validate spaCy ``Matcher`` token patterns without importing spaCy.

Commands that only load a codebook must start fast, so the checks mirror spaCy's own pattern
schema here, narrowed to what works on the offline pipeline: a blank Dutch tokenizer, a
sentencizer and lemmas, with no tagger, parser or entity recogniser.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qcode.codebook.nodes import NodeReader, closest, kind

TEXT_ATTRIBUTES: tuple[str, ...] = ("ORTH", "TEXT", "NORM", "LOWER", "LEMMA")
NUMBER_ATTRIBUTES: tuple[str, ...] = ("LENGTH",)
FLAG_ATTRIBUTES: tuple[str, ...] = (
    "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
    "IS_SPACE", "IS_STOP", "IS_SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL",
)
TOKEN_ATTRIBUTES: tuple[str, ...] = (
    *TEXT_ATTRIBUTES, *NUMBER_ATTRIBUTES, *FLAG_ATTRIBUTES, "OP",
)
"""The token attributes a codebook pattern may use."""

MODEL_ATTRIBUTES: tuple[str, ...] = (
    "POS", "TAG", "DEP", "MORPH", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID", "HEAD",
)
"""Attributes spaCy knows but only a trained tagger, parser or recogniser fills in."""

LIST_PREDICATES: tuple[str, ...] = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS")
TEXT_PREDICATES: tuple[str, ...] = ("REGEX", "FUZZY", *(f"FUZZY{n}" for n in range(1, 10)))
COMPARISONS: tuple[str, ...] = ("==", "!=", ">=", "<=", ">", "<")

OPERATORS = re.compile(r"^(!|\?|\+|\*|\{\d+\}|\{\d+,\d*\}|\{\d*,\d+\})$")
OPERATOR_CHOICES = "! ? + * {n} {n,m} {n,} {,m}"
# spaCy unrolls {n,m} into n to m copies of the token, so {2000000} alone takes seconds and
# a larger number hangs 'qcode suggest'; a pattern never needs to span more than a sentence.
MAX_REPEAT = 100

Pattern = tuple[dict[str, Any], ...]


def read_patterns(reader: NodeReader, node: Node, code_id: str) -> tuple[Pattern, ...]:
    """The ``patterns`` of a code: a list of token lists, each token a mapping."""
    if reader.is_null(node):
        return ()
    example = "patterns: [[{LEMMA: informatie}, {LEMMA: delen}]]"
    if not isinstance(node, SequenceNode):
        reader.fail(
            node, f"patterns of {code_id!r} must be a list of token lists, not {kind(node)}; "
            f"e.g. {example}"
        )
    patterns: list[Pattern] = []
    for pattern_node in node.value:
        if not isinstance(pattern_node, SequenceNode):
            reader.fail(
                pattern_node,
                f"each pattern must be a list of token mappings, not {kind(pattern_node)}; "
                f"e.g. {example}",
            )
        if not pattern_node.value:
            reader.fail(pattern_node, "empty pattern; give at least one token, e.g. {LEMMA: regie}")
        patterns.append(tuple(_token(reader, token) for token in pattern_node.value))
    return tuple(patterns)


def _token(reader: NodeReader, node: Node) -> dict[str, Any]:
    if not isinstance(node, MappingNode):
        reader.fail(node, f"each token of a pattern must be a mapping such as {{LEMMA: regie}}, "
                          f"not {kind(node)}")
    token: dict[str, Any] = {}
    for key, key_node, value_node in reader.items(node, "a token", "token attribute"):
        attribute = key.upper()
        if attribute in MODEL_ATTRIBUTES:
            reader.fail(
                key_node,
                f"token attribute {key!r} needs a tagger or parser, which the offline Dutch "
                f"pipeline does not have; use LEMMA, LOWER or ORTH instead",
            )
        if attribute not in TOKEN_ATTRIBUTES:
            reader.fail(
                key_node,
                f"unknown token attribute {key!r}; allowed: {', '.join(TOKEN_ATTRIBUTES)}"
                f"{closest(attribute, TOKEN_ATTRIBUTES)}",
            )
        if attribute in token:
            reader.fail(key_node, f"token attribute {attribute!r} given twice; keep one")
        token[attribute] = _value(reader, attribute, value_node)
    return token


def _value(reader: NodeReader, attribute: str, node: Node) -> Any:
    if attribute == "OP":
        if not isinstance(node, ScalarNode) or not OPERATORS.match(str(node.value)):
            reader.fail(
                node, f"OP must be one of {OPERATOR_CHOICES} (quoted), not {kind(node)}"
            )
        if any(int(n) > MAX_REPEAT for n in re.findall(r"\d+", str(node.value))):
            reader.fail(
                node, f"OP {node.value!r} repeats a token more than {MAX_REPEAT} times; a "
                "pattern matches within one sentence, so use a smaller number"
            )
        return str(node.value)
    if attribute in FLAG_ATTRIBUTES:
        return reader.flag(node, attribute)
    if attribute in NUMBER_ATTRIBUTES:
        if isinstance(node, MappingNode):
            return _predicates(reader, attribute, node, numeric=True)
        return reader.number(node, attribute, whole=True)
    if isinstance(node, MappingNode):
        return _predicates(reader, attribute, node, numeric=False)
    if not isinstance(node, ScalarNode) or reader.is_null(node) or not str(node.value):
        reader.fail(node, f"{attribute} takes a text or a mapping such as {{IN: [a, b]}}, "
                          f"not {kind(node)}")
    return str(node.value)


def _predicates(reader: NodeReader, attribute: str, node: MappingNode, *, numeric: bool) -> Any:
    allowed = LIST_PREDICATES + (COMPARISONS if numeric else TEXT_PREDICATES)
    pairs = reader.items(node, f"the value of {attribute}", "predicate")
    if not pairs:
        reader.fail(node, f"empty mapping for {attribute}; use one of {', '.join(allowed)}")
    predicates: dict[str, Any] = {}
    for key, key_node, value_node in pairs:
        predicate = key.upper()
        if predicate not in allowed:
            reader.fail(
                key_node,
                f"unknown predicate {key!r} for {attribute}; allowed: {', '.join(allowed)}"
                f"{closest(predicate, allowed)}",
            )
        if predicate in predicates:
            reader.fail(key_node, f"predicate {predicate!r} given twice; keep one")
        what = f"{attribute} {predicate}"
        if predicate in LIST_PREDICATES:
            if not isinstance(value_node, SequenceNode):
                reader.fail(value_node, f"{what} takes a list, not {kind(value_node)}")
            if numeric:
                predicates[predicate] = [
                    reader.number(item, what, whole=True) for item in value_node.value
                ]
            else:
                predicates[predicate] = [_text(reader, item, what) for item in value_node.value]
        elif predicate in COMPARISONS:
            predicates[predicate] = reader.number(value_node, what, whole=False)
        else:
            predicates[predicate] = _text(reader, value_node, what)
            if predicate == "REGEX":
                try:
                    re.compile(predicates[predicate])
                except re.error as exc:
                    reader.fail(
                        value_node,
                        f"REGEX {predicates[predicate]!r} does not compile ({exc.msg}); "
                        f"fix the regular expression",
                    )
    return predicates


def _text(reader: NodeReader, node: Node, what: str) -> str:
    if not isinstance(node, ScalarNode) or reader.is_null(node):
        reader.fail(node, f"{what} takes text, not {kind(node)}")
    return str(node.value)
