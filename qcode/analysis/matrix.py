"""Code-by-group matrices: how often each code occurs per respondent, case, role, ..."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from qcode.errors import QcodeError
from qcode.models import CODE_LEVELS, at_level
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import segments_of, select_transcripts, transcript_attributes
from qcode.values import Condition

if TYPE_CHECKING:
    import pandas as pd

MEASURES = ("count", "presence", "words")
LEVELS = CODE_LEVELS
MISSING_GROUP = "(missing)"
GROUP_SEPARATOR = " / "


def build_matrix(
    project: Project,
    *,
    by: str = "respondent",
    measure: str = "count",
    level: str = "full",
    coders: Sequence[str] = (),
    then_by: str | None = None,
    missing_ok: bool = False,
    where: Sequence[Condition] = (),
) -> pd.DataFrame:
    """A frame indexed by code id with a ``label`` column and one column per group.

    ``count`` is the number of distinct coded segments (a segment coded twice with the
    same code, by two coders or in two spans, counts once); ``presence`` is 1 where the
    count is above 0; ``words`` adds up the words of the distinct coded texts (the span,
    or the whole segment). With ``level="top"`` sub-codes roll up into their top-level
    code. Interviewer turns are never coded, so they never count.

    ``then_by`` names a second attribute (``wave``, ``year``) that splits every group:
    the columns become ``"<group> / <subgroup>"`` (``"Veiligheidshuis Noordrand / 2026"``),
    ordered by group, then subgroup, and only combinations that occur appear.

    ``by`` must be an attribute some transcript or respondent has, unless ``missing_ok``:
    then transcripts without it count in the group ``(missing)``.
    ``where`` keeps the transcripts whose attributes meet every condition (the groups
    are then those of the transcripts kept).
    """
    import pandas as pd

    if measure not in MEASURES:
        raise QcodeError(f"unknown measure '{measure}'; use one of {', '.join(MEASURES)}")
    if level not in LEVELS:
        raise QcodeError(f"unknown level '{level}'; use one of {', '.join(LEVELS)}")
    codebook = require_codebook(project)
    attributes = transcript_attributes(project)
    if not missing_ok:
        check_attribute(attributes, by, option="--by")
    if then_by is not None:
        if then_by == by:
            raise QcodeError(
                f"--then-by {then_by}: the same attribute as --by; choose a second one, "
                "e.g. --then-by wave"
            )
        check_attribute(attributes, then_by, option="--then-by")
    codings_store.require_coders(project, coders)
    chosen = select_transcripts(project, (), where)
    if chosen is not None:
        attributes = {t: attributes[t] for t in chosen}
    codings = codings_store.select(project, coders=coders, transcripts=chosen)
    segments = segments_of(project, {c.transcript for c in codings})
    rows = []
    for c in codings:
        text = segments[(c.transcript, c.segment)].text
        if c.start is not None:
            text = text[c.start:c.end]
        group = group_of(attributes[c.transcript], by, then_by)
        rows.append((at_level(c.code, level), group, c.transcript, c.segment, c.start, c.end,
                     len(text.split())))
    frame = pd.DataFrame(
        rows, columns=["code", "group", "transcript", "segment", "start", "end", "words"]
    )
    codes = [c for c in codebook.codes if level == "full" or c.parent is None]
    groups = group_names(attributes.values(), by, then_by)
    if measure == "words":
        # Each distinct coded text once per code: two coders on one span count once.
        distinct = frame.drop_duplicates(["code", "transcript", "segment", "start", "end"])
        cells = distinct.groupby(["code", "group"])["words"].sum()
    else:
        distinct = frame.drop_duplicates(["code", "transcript", "segment"])
        cells = distinct.groupby(["code", "group"]).size()
    table = cells.unstack("group") if len(cells) else pd.DataFrame()
    table = table.reindex(index=[c.id for c in codes], columns=groups).fillna(0).astype(int)
    if measure == "presence":
        table = (table > 0).astype(int)
    table.insert(0, "label", [c.label for c in codes])
    table.index.name = "code"
    table.columns.name = None
    return table


def check_attribute(
    attributes: Mapping[str, Mapping[str, str]], name: str, *, option: str
) -> None:
    """Refuse an attribute that no transcript or respondent has, naming the ones that exist."""
    known = sorted({key for attrs in attributes.values() for key in attrs})
    if attributes and name not in known:
        raise QcodeError(
            f"{option} {name}: no transcript or respondent has that attribute; "
            f"use one of {', '.join(known)}"
        )


def group_of(attributes: Mapping[str, str], by: str, then_by: str | None = None) -> str:
    """The matrix column a transcript counts in: its ``by`` value, split by ``then_by``."""
    group = attributes.get(by) or MISSING_GROUP
    if then_by is None:
        return group
    return f"{group}{GROUP_SEPARATOR}{attributes.get(then_by) or MISSING_GROUP}"


def group_names(
    attributes: Iterable[Mapping[str, str]], by: str, then_by: str | None = None
) -> list[str]:
    """Every column name in order: by group, then (when split) by subgroup."""
    if then_by is None:
        return sorted({attrs.get(by) or MISSING_GROUP for attrs in attributes})
    # Sorted as pairs, so that "A / 2" stays before "A-B / 1" whatever the separator sorts as.
    pairs = sorted({(attrs.get(by) or MISSING_GROUP, attrs.get(then_by) or MISSING_GROUP)
                    for attrs in attributes})
    return [f"{group}{GROUP_SEPARATOR}{subgroup}" for group, subgroup in pairs]
