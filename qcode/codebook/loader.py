"""Load and validate a YAML codebook into a :class:`~qcode.models.Codebook`.

A broken file raises :class:`~qcode.errors.CodebookError` listing every problem, one a
line in file order, each starting with ``file:line:column:`` and saying what was expected
and how to fix it: a codebook with four mistakes is fixed in one round, not four. (A file
that is not YAML, or not shaped as a codebook at all, stops at the first problem.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode

from qcode.codebook.nodes import (
    MAX_CODE_DEPTH,
    NULL_TAG,
    LocatedCodebookError,
    NodeReader,
    compose,
    kind,
    read_text,
    too_deep,
)
from qcode.codebook.patterns import read_patterns
from qcode.errors import CodebookError
from qcode.models import LEVELS, Code, Codebook

T = TypeVar("T")

CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

CODEBOOK_FIELDS: tuple[str, ...] = ("codebook", "description", "codes")
CODE_FIELDS: tuple[str, ...] = (
    "label", "description", "include", "exclude", "examples", "keywords", "patterns",
    "level", "color", "codes",
)


def load_codebook(path: Path) -> Codebook:
    """Read, validate and return the codebook in the YAML file at ``path``.

    Raises :class:`CodebookError` naming the file (and line and column) on any problem.
    """
    path = Path(path)
    return parse_codebook(read_text(path), source=str(path))


def parse_codebook(text: str, *, source: str) -> Codebook:
    """Validate codebook YAML ``text``; ``source`` names it in messages and the result."""
    root = compose(text, source)
    if root is None:
        raise CodebookError(
            f"{source}:1:1: the codebook is empty; expected 'codebook: <name>' and 'codes:'"
        )
    return _CodebookReader(source).codebook(root)


class _CodebookReader(NodeReader):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.problems: list[LocatedCodebookError] = []

    def collect(self, read: Callable[[], T], default: T) -> T:
        """``read()``, or ``default`` with its problem noted, to go on to the next one."""
        try:
            return read()
        except LocatedCodebookError as exc:
            self.problems.append(exc)
            return default

    def note(self, node: Node, message: str) -> None:
        self.collect(lambda: self.fail(node, message), None)

    def codebook(self, root: Node) -> Codebook:
        try:
            codebook = self._codebook(root)
        except LocatedCodebookError as exc:  # one that stops reading: still report the rest
            self.problems.append(exc)
        if self.problems:
            problems = sorted(self.problems, key=lambda p: (p.line, p.column))
            raise CodebookError(problems=[str(p) for p in problems])
        return codebook

    def _codebook(self, root: Node) -> Codebook:
        if not isinstance(root, MappingNode):
            self.fail(
                root,
                f"the top of a codebook must be a mapping with 'codebook: <name>' and "
                f"'codes:', not {kind(root)}",
            )
        pairs = self.items(root, "the codebook", "field")
        self.check_fields(pairs, CODEBOOK_FIELDS, "the codebook")
        fields = {key: value for key, _, value in pairs}
        if "codebook" not in fields:
            self.fail(root, "missing 'codebook: <name>' at the top; add the codebook's name")
        if "codes" not in fields:
            self.fail(root, "missing 'codes:' at the top; add the codes as 'id: {label: ...}'")
        name = self.text(fields["codebook"], "codebook")
        if not name:
            self.fail(fields["codebook"], "the codebook name is empty; write 'codebook: <name>'")
        codes_node = fields["codes"]
        if self.is_null(codes_node) or (
            isinstance(codes_node, MappingNode) and not codes_node.value
        ):
            self.fail(codes_node, "'codes' is empty; add at least one code")
        codes: list[Code] = []
        self.codes(codes_node, None, codes)
        return Codebook(
            name=name,
            codes=tuple(codes),
            description=self.text(fields.get("description", _EMPTY), "description"),
            source=self.source,
        )

    def codes(self, node: Node, parent: str | None, out: list[Code]) -> None:
        """Append the codes under ``node`` to ``out``: each parent before its children."""
        where = "'codes'" if parent is None else f"the sub-codes of {parent!r}"
        for key, key_node, value_node in self.items(node, where, "code id"):
            if not CODE_ID.match(key):
                self.note(
                    key_node,
                    f"code id {key!r} is not valid: use lowercase letters, digits and '_', "
                    f"starting with a letter{_id_hint(key)}",
                )
            code_id = key if parent is None else f"{parent}.{key}"
            if code_id.count(".") >= MAX_CODE_DEPTH:
                self.fail(key_node, too_deep(code_id))

            def read(k: Node = key_node, v: Node = value_node, c: str = code_id) -> Node | None:
                return self.code(k, v, c, parent, out)

            children = self.collect(read, _children(value_node))
            if children is not None and not self.is_null(children):
                self.codes(children, code_id, out)

    def code(
        self, key_node: Node, node: Node, code_id: str, parent: str | None, out: list[Code]
    ) -> Node | None:
        """Append the code itself to ``out`` and return its ``codes`` node, if any."""
        if self.is_null(node):
            self.fail(key_node, f"code {code_id!r} has no fields; add 'label: <Dutch name>'")
        pairs = self.items(node, f"code {code_id!r}", "field")
        self.check_fields(pairs, CODE_FIELDS, f"code {code_id!r}")
        fields = {key: value for key, _, value in pairs}
        if "label" not in fields:
            self.note(key_node, f"code {code_id!r} has no label; add 'label: <Dutch name>'")
        label = self.collect(lambda: self.label(fields.get("label", _EMPTY), code_id), "")
        nothing: tuple[str, ...] = ()
        examples = self.collect(lambda: self.texts(
            fields.get("examples", _EMPTY), "examples", "example", "examples: [\"...\"]"
        ), nothing)
        keywords = self.collect(lambda: self.texts(
            fields.get("keywords", _EMPTY), "keywords", "keyword", "keywords: [regie, afspraak]"
        ), nothing)
        self.collect(lambda: self.check_repeats(fields.get("keywords"), keywords, "keyword"),
                     None)

        def text(name: str) -> str:
            return self.collect(lambda: self.text(fields.get(name, _EMPTY), name), "")

        out.append(
            Code(
                id=code_id,
                label=label,
                parent=parent,
                description=text("description"),
                include=text("include"),
                exclude=text("exclude"),
                examples=examples,
                keywords=keywords,
                patterns=self.collect(
                    lambda: read_patterns(self, fields.get("patterns", _EMPTY), code_id), ()),
                level=self.collect(lambda: self.level(fields.get("level")), None),
                color=self.collect(lambda: self.color(fields.get("color")), None),
            )
        )
        return fields.get("codes")

    def label(self, node: Node, code_id: str) -> str:
        label = self.text(node, "label")
        if not label and node is not _EMPTY:
            self.fail(node, f"the label of {code_id!r} is empty; write its Dutch name")
        return label

    def check_repeats(self, node: Node | None, values: tuple[str, ...], item: str) -> None:
        if node is None or not values:
            return
        first: dict[str, int] = {}
        for value, element in zip(values, node.value, strict=True):
            if value in first:
                self.fail(
                    element,
                    f"{item} {value!r} is listed twice (first at line {first[value]}); "
                    f"remove one",
                )
            first[value] = element.start_mark.line + 1

    def level(self, node: Node | None) -> str | None:
        if node is None or self.is_null(node):
            return None
        value = self.text(node, "level")
        if value not in LEVELS:
            self.fail(node, f"level {value!r} is not one of {', '.join(LEVELS)}")
        return value

    def color(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if self.is_null(node):
            self.fail(
                node,
                "color is empty; quote it, e.g. color: \"#1f77b4\" (an unquoted # starts a "
                "YAML comment)",
            )
        value = self.text(node, "color")
        if not COLOR.match(value):
            self.fail(node, f"color {value!r} is not '#rrggbb'; write e.g. color: \"#1f77b4\"")
        return value


def _children(node: Node) -> Node | None:
    """The ``codes:`` under a code whose own fields are broken, so its sub-codes are
    checked too."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "codes":
                return value_node
    return None


def _id_hint(key: str) -> str:
    suggestion = re.sub(r"[^a-z0-9_]+", "_", key.strip().lower()).strip("_")
    if suggestion and not suggestion[0].isalpha():
        suggestion = f"code_{suggestion}"
    return f" (e.g. {suggestion!r})" if suggestion and CODE_ID.match(suggestion) else ""


# Stands in for an optional field that is absent, so it reads like an empty value.
_EMPTY = ScalarNode(NULL_TAG, "")
