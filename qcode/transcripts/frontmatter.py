"""YAML front matter between ``---`` lines at the top of a text transcript.

Values are read from the YAML node tree, not constructed, so every value stays the string
the researcher typed: ``date: 2018-06-14`` stays ``"2018-06-14"``, ``respondent: 007``
keeps its zeros and ``case: no`` is not turned into ``False``. Constructing nothing is
also the safest way to load YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

from qcode.errors import TranscriptError, located

_FENCE = "---"
_CLOSING_FENCES = ("---", "...")
_NULL_TAG = "tag:yaml.org,2002:null"
_FIX = "fix the YAML between the '---' lines"
_SPECIAL_KEYS = ("id", "respondent", "interviewer", "speakers")
# Front matter holds values and lists of values; anything nested deeper is a mistake, and
# refusing it before composing keeps PyYAML's recursive composer far from Python's limit.
_MAX_NESTING = 20


@dataclass(frozen=True)
class FrontMatter:
    """What the front matter says about the transcript."""

    metadata: dict[str, str] = field(default_factory=dict)
    transcript_id: str | None = None
    respondent: str | None = None
    interviewer_labels: tuple[str, ...] | None = None
    speakers: tuple[str, ...] | None = None


def split_front_matter(lines: Sequence[str], source: str) -> tuple[FrontMatter | None, int]:
    """Read the front matter at the top of ``lines``, if there is any.

    Returns the front matter (``None`` when the file has none) and the index of the first
    line after it. Keys are compared in lower case. ``id``, ``respondent``, ``interviewer``
    (one label, a comma-separated string or a list) and ``speakers`` (a list of every
    speaker label, which switches off label guessing) are taken out; every other key goes
    into ``metadata``, lists joined with ``", "``. Empty values are left out.
    """
    if not lines or lines[0].rstrip() != _FENCE:
        return None, 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSING_FENCES:
            closing = index
            break
    else:
        raise TranscriptError(
            f"{located(source, 1)}: the front matter opened with '---' is never closed; "
            "add a line with only '---' after the last 'key: value' line"
        )
    values = _read_yaml("\n".join(lines[1:closing]), source, first_line=2)
    return _front_matter(values), closing + 1


def _read_yaml(body: str, source: str, first_line: int) -> dict[str, tuple[str, ...] | str]:
    try:
        depth = 0
        for event in yaml.parse(body, Loader=yaml.SafeLoader):
            at = event.start_mark
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise TranscriptError(
                    f"{located(source, None if at is None else first_line + at.line)}: YAML "
                    "anchors and aliases (& and *) are not allowed in front matter; write "
                    "the value out"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _MAX_NESTING:
                    raise TranscriptError(
                        f"{located(source, None if at is None else first_line + at.line)}: "
                        f"front matter nested more than {_MAX_NESTING} levels deep; {_FIX}"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        root = yaml.compose(body, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        problem = " ".join(str(exc.problem or "not valid YAML").split())
        if exc.context:
            problem += f" ({' '.join(exc.context.split())})"
        raise TranscriptError(
            f"{located(source, line)}: invalid front matter: {problem}; {_FIX}"
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise TranscriptError(f"{source}: invalid front matter: {problem}; {_FIX}") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise TranscriptError(
            f"{located(source, first_line + root.start_mark.line)}: front matter must be "
            f"'key: value' lines; {_FIX}"
        )
    values: dict[str, tuple[str, ...] | str] = {}
    for key_node, value_node in root.value:
        line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode) or not key_node.value.strip():
            raise TranscriptError(
                f"{located(source, line)}: front matter keys must be plain words; {_FIX}"
            )
        key = key_node.value.strip().lower()
        if key in values:
            raise TranscriptError(
                f"{located(source, line)}: front matter key '{key}' appears twice; keep one"
            )
        value = _scalar_or_list(value_node, key, source, line)
        if value:
            values[key] = value
    return values


def _scalar_or_list(
    node: yaml.Node, key: str, source: str, line: int
) -> tuple[str, ...] | str:
    if isinstance(node, yaml.ScalarNode):
        return "" if node.tag == _NULL_TAG else str(node.value).strip()
    if isinstance(node, yaml.SequenceNode) and all(
        isinstance(item, yaml.ScalarNode) for item in node.value
    ):
        return tuple(
            str(item.value).strip()
            for item in node.value
            if item.tag != _NULL_TAG and str(item.value).strip()
        )
    raise TranscriptError(
        f"{located(source, line)}: front matter key '{key}' must hold a value or a list of "
        f"values, not a nested mapping; {_FIX}"
    )


def _front_matter(values: dict[str, tuple[str, ...] | str]) -> FrontMatter:
    special = {name: values.pop(name) for name in _SPECIAL_KEYS if name in values}
    joined = {
        key: value if isinstance(value, str) else ", ".join(value)
        for key, value in values.items()
    }
    return FrontMatter(
        metadata=joined,
        transcript_id=_single(special.get("id")),
        respondent=_single(special.get("respondent")),
        interviewer_labels=_labels(special.get("interviewer")),
        speakers=_labels(special.get("speakers")),
    )


def _single(value: tuple[str, ...] | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ", ".join(value)


def _labels(value: tuple[str, ...] | str | None) -> tuple[str, ...] | None:
    """Labels from a list, or from one string that may separate them with commas."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item.strip()) or None
