"""Read codebook YAML into a node tree that keeps the line and column of every value.

PyYAML's ``safe_load`` forgets where a value came from and silently keeps the last of two
equal keys, so the loader composes the document into nodes and walks them itself. Every
problem becomes a :class:`CodebookError` whose message starts with ``file:line:column:``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qcode.errors import CodebookError, located
from qcode.files import read_utf8

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"

# Known PyYAML complaints, each with the fix a researcher most likely needs.
_YAML_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "check the indentation, or quote a text that contains ': '"),
    ("could not find expected ':'", "write 'field: value', check the indentation, close quotes"),
    ("expected alphabetic or numeric", "quote values that start with '*', '&' or '!', e.g. \"*\""),
    ("undefined alias", "quote values that start with '*', e.g. OP: \"*\""),
    ("expected ',' or ']'", "check the brackets; quote texts that contain ',', '[' or ']'"),
    ("expected ',' or '}'", "check the braces; quote texts that contain ',', '{' or '}'"),
    ("expected <block end>", "check the indentation: fields of one code must line up"),
    ("did not find expected key", "check the indentation: fields of one code must line up"),
    ("did not find expected '-'", "check the indentation of the list items"),
    ("unknown escape", "inside double quotes write \\\\ for a backslash, or use single quotes"),
    ("end of stream", "close the quote or bracket that is still open"),
    ("single document", "a codebook is one YAML document: remove the extra '---'"),
)


MAX_CODE_DEPTH = 25
"""How deep codes may be nested, in a YAML codebook and a REFI-QDA file alike."""
# Deeper than any codebook needs (a code level is two YAML levels), shallow enough that
# PyYAML's recursive composer and the loader's own recursion never hit Python's limit.
MAX_NESTING = 2 * MAX_CODE_DEPTH + 10


def too_deep(code_id: str) -> str:
    """The one message for a code nested deeper than :data:`MAX_CODE_DEPTH`."""
    shown = code_id if len(code_id) <= 60 else code_id[:59] + "…"
    return (f"code '{shown}' is nested more than {MAX_CODE_DEPTH} levels deep; a codebook "
            "needs far fewer, so flatten the code tree")


class _Refused(yaml.YAMLError):
    """An anchor or alias (refused so no codebook can expand into a billion laughs), or
    nesting deeper than :data:`MAX_NESTING`."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None


class _NoAliasLoader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                f"aliases are not allowed in a codebook; write out the value of "
                f"*{event.anchor} in full",
                event.start_mark,
            )
        if getattr(event, "anchor", None):
            raise _Refused(
                f"aliases are not allowed in a codebook; remove the anchor "
                f"&{event.anchor} and write values out in full",
                event.start_mark,
            )
        if self._depth >= MAX_NESTING:
            raise _Refused(
                f"nested more than {MAX_NESTING} levels deep (codes: more than "
                f"{MAX_CODE_DEPTH}); a codebook needs far fewer, so flatten the code tree and "
                "check the brackets and the indentation",
                event.start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_text(path: Path) -> str:
    """The text of a codebook file, decoded as UTF-8 (a byte order mark is allowed)."""
    return read_utf8(path, what="codebook file", error=CodebookError)


def compose(text: str, source: str) -> Node | None:
    """The document's root node, or None for an empty document; YAML errors converted."""
    try:
        return yaml.compose(text, Loader=_NoAliasLoader)
    except _Refused as exc:
        raise CodebookError(f"{located(source, exc.line, exc.column)}: {exc.problem}") from None
    except yaml.MarkedYAMLError as exc:
        raise _converted(exc, source) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise CodebookError(
            f"{located(source, line, column)}: invalid YAML: character U+{code:04X} is not "
            f"allowed in YAML text; remove it"
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above is marked
        raise CodebookError(f"{source}: invalid YAML: {_one_line(str(exc))}") from None


def _converted(exc: yaml.MarkedYAMLError, source: str) -> CodebookError:
    mark = exc.problem_mark or exc.context_mark
    where = located(source, mark.line + 1, mark.column + 1) if mark else source
    problem = _one_line(exc.problem or exc.context or "invalid YAML")
    context = ""
    if exc.context and exc.problem and exc.context_mark:
        context = f" ({_one_line(exc.context)} at line {exc.context_mark.line + 1})"
    said = f"{problem} {exc.context or ''}"
    hint = next((fix for clue, fix in _YAML_HINTS if clue in said), None)
    hint = hint or "check the indentation and the quoting around this place"
    return CodebookError(f"{where}: invalid YAML: {problem}{context}; {hint}")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def kind(node: Node) -> str:
    """What a node is, in words for a message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "empty"
    if node.tag == BOOL_TAG:
        return f"true/false ({node.value})"
    if node.tag in (INT_TAG, FLOAT_TAG):
        return f"a number ({node.value})"
    return f"text ({node.value!r})"


def closest(word: str, allowed: Sequence[str]) -> str:
    """'; did you mean X?' when one allowed word is close, else ''."""
    match = difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


class LocatedCodebookError(CodebookError):
    """A problem at one place in the codebook file (``line`` and ``column`` from 1)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class NodeReader:
    """Typed access to YAML nodes that fails with the node's file:line:column."""

    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: Node, message: str) -> NoReturn:
        mark = node.start_mark
        raise LocatedCodebookError(
            f"{located(self.source, mark.line + 1, mark.column + 1)}: {message}",
            mark.line + 1, mark.column + 1,
        )

    def note(self, node: Node, message: str) -> None:
        """A problem that need not stop reading: here it does (see :meth:`fail`); a reader
        that collects problems notes it and reads on."""
        self.fail(node, message)

    def items(self, node: Node, what: str, key_name: str) -> list[tuple[str, Node, Node]]:
        """The (key, key node, value node) pairs of a mapping, refusing duplicate keys.

        ``what`` names the mapping for a type error ("code 'trust'"), ``key_name`` names its
        keys for a duplicate error ("code id", "field").
        """
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} must be a mapping of 'name: value' lines, not {kind(node)}")
        seen: dict[str, Node] = {}
        pairs: list[tuple[str, Node, Node]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.note(key_node, f"a {key_name} must be a plain name, not {kind(key_node)}")
                continue
            key = key_node.value
            if key in seen:
                first = seen[key].start_mark.line + 1
                self.note(
                    key_node,
                    f"duplicate {key_name} {key!r} (first defined at line {first}); "
                    f"remove one or rename it",
                )
                continue
            seen[key] = key_node
            pairs.append((key, key_node, value_node))
        return pairs

    def check_fields(
        self, pairs: list[tuple[str, Node, Node]], allowed: Sequence[str], where: str
    ) -> None:
        for key, key_node, value_node in pairs:
            if key in allowed:
                continue
            hint = closest(key, allowed)
            if not hint and isinstance(value_node, MappingNode) and where.startswith("code"):
                hint = f"; if {key!r} is a sub-code, put it under 'codes:'"
            self.note(
                key_node,
                f"unknown field {key!r} in {where}; allowed: {', '.join(allowed)}{hint}",
            )

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == NULL_TAG

    def text(self, node: Node, what: str) -> str:
        """A text value as written (``112`` and ``ja`` stay text), stripped; '' for empty."""
        if self.is_null(node):
            return ""
        if not isinstance(node, ScalarNode):
            self.fail(node, f"{what} must be text, not {kind(node)}")
        return str(node.value).strip()

    def texts(self, node: Node, what: str, item: str, example: str) -> tuple[str, ...]:
        """A list of non-empty texts; refuses a single text, nested lists and empty items."""
        if self.is_null(node):
            return ()
        if not isinstance(node, SequenceNode):
            self.fail(node, f"{what} must be a list of texts, not {kind(node)}; e.g. {example}")
        values: list[str] = []
        for element in node.value:
            if not isinstance(element, ScalarNode) or self.is_null(element):
                self.fail(element, f"each {item} must be text, not {kind(element)}")
            value = " ".join(str(element.value).split())
            if not value:
                self.fail(element, f"empty {item} in {what}; remove it or fill it in")
            values.append(value)
        return tuple(values)

    def flag(self, node: Node, what: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != BOOL_TAG:
            self.fail(node, f"{what} takes true or false, not {kind(node)}")
        return bool(self._constructor.construct_object(node, deep=True))

    def number(self, node: Node, what: str, *, whole: bool) -> int | float:
        tags = (INT_TAG,) if whole else (INT_TAG, FLOAT_TAG)
        if not isinstance(node, ScalarNode) or node.tag not in tags:
            expected = "a whole number" if whole else "a number"
            self.fail(node, f"{what} takes {expected}, not {kind(node)}")
        value = self._constructor.construct_object(node, deep=True)
        assert isinstance(value, (int, float))
        return value
