"""Write a :class:`~qcode.models.Codebook` back to YAML in the format the loader reads.

The output is stable (same codebook, same text), keeps diacritics as written, and loads
back into an equal codebook, so it serves for exports and round trips.
"""

from __future__ import annotations

from typing import Any

import yaml

from qcode.errors import CodebookError
from qcode.models import Code, Codebook


class _Flow(list[Any]):
    """A list written on one line: keywords and each pattern's tokens."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # The loader refuses anchors, so the dump must never write one.
        return True


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    if "\x85" in data:
        # PyYAML writes NEL (U+0085) raw, and reading it back turns it into a line
        # break or a space; a double-quoted scalar escapes it as "\N".
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_text)


def codebook_to_yaml(codebook: Codebook) -> str:
    """The codebook as YAML text that :func:`parse_codebook` reads back to an equal codebook."""
    children: dict[str | None, list[Code]] = {}
    for code in codebook.codes:
        children.setdefault(code.parent, []).append(code)
    for code in codebook.codes:
        if code.parent is not None and codebook.get(code.parent) is None:
            raise CodebookError(
                f"{codebook.source or codebook.name}: code {code.id!r} names parent "
                f"{code.parent!r}, which is not in the codebook"
            )
    document: dict[str, Any] = {"codebook": codebook.name}
    if codebook.description:
        document["description"] = codebook.description
    document["codes"] = _codes(children, None)
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )


def _codes(children: dict[str | None, list[Code]], parent: str | None) -> dict[str, Any]:
    return {code.id.rsplit(".", 1)[-1]: _code(code, children) for code in children[parent]}


def _code(code: Code, children: dict[str | None, list[Code]]) -> dict[str, Any]:
    fields: dict[str, Any] = {"label": code.label}
    for name in ("description", "include", "exclude"):
        if getattr(code, name):
            fields[name] = getattr(code, name)
    if code.examples:
        fields["examples"] = list(code.examples)
    if code.keywords:
        fields["keywords"] = _Flow(code.keywords)
    if code.patterns:
        fields["patterns"] = [_Flow(dict(token) for token in pattern) for pattern in code.patterns]
    if code.level:
        fields["level"] = code.level
    if code.color:
        fields["color"] = code.color
    if code.id in children:
        fields["codes"] = _codes(children, code.id)
    return fields
