"""Code-by-group matrices: how often each code occurs per respondent, case, role, ..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qcode.errors import QcodeError
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import transcript_attributes

if TYPE_CHECKING:
    import pandas as pd

MEASURES = ("count", "presence", "words")
LEVELS = ("full", "top")
MISSING_GROUP = "(missing)"


def build_matrix(
    project: Project,
    *,
    by: str = "respondent",
    measure: str = "count",
    level: str = "full",
    coders: Sequence[str] = (),
) -> pd.DataFrame:
    """A frame indexed by code id with a ``label`` column and one column per group.

    ``count`` is the number of distinct coded segments (a segment coded twice with the
    same code, by two coders or in two spans, counts once); ``presence`` is 1 where the
    count is above 0; ``words`` adds up the words of the distinct coded texts (the span,
    or the whole segment). With ``level="top"`` sub-codes roll up into their top-level
    code. Interviewer turns are never coded, so they never count.
    """
    import pandas as pd

    if measure not in MEASURES:
        raise QcodeError(f"unknown measure '{measure}'; use one of {', '.join(MEASURES)}")
    if level not in LEVELS:
        raise QcodeError(f"unknown level '{level}'; use one of {', '.join(LEVELS)}")
    codebook = require_codebook(project)
    attributes = transcript_attributes(project)
    known = sorted({name for attrs in attributes.values() for name in attrs})
    if attributes and by not in known:
        raise QcodeError(
            f"--by {by}: no transcript or respondent has that attribute; "
            f"use one of {', '.join(known)}"
        )
    if coders:
        found = {r[0] for r in project.db.execute("SELECT DISTINCT coder FROM codings")}
        unknown = [c for c in coders if c not in found]
        if unknown:
            raise QcodeError(
                f"--coder {unknown[0]}: no codings by that coder; coders in this project: "
                f"{', '.join(sorted(found)) or 'none'}"
            )
    query = (
        "SELECT c.transcript_id, c.segment, c.code_id, c.start, c.end, s.text "
        "FROM codings c JOIN segments s ON s.transcript_id = c.transcript_id "
        "AND s.number = c.segment"
    )
    params: list[str] = []
    if coders:
        query += f" WHERE c.coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    rows = []
    for r in project.db.execute(query, params):
        text = r["text"] if r["start"] is None else r["text"][r["start"]:r["end"]]
        code = r["code_id"].split(".", 1)[0] if level == "top" else r["code_id"]
        group = attributes[r["transcript_id"]].get(by) or MISSING_GROUP
        rows.append((code, group, r["transcript_id"], r["segment"], r["start"], r["end"],
                     len(text.split())))
    frame = pd.DataFrame(
        rows, columns=["code", "group", "transcript", "segment", "start", "end", "words"]
    )
    codes = [c for c in codebook.codes if level == "full" or c.parent is None]
    groups = sorted({attrs.get(by) or MISSING_GROUP for attrs in attributes.values()})
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
