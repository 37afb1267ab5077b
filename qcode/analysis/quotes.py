"""Coded segments and spans as quotes, attributed to respondent, case and role."""

from __future__ import annotations

from collections.abc import Sequence

from qcode.models import Quote
from qcode.store import codings as codings_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project
from qcode.store.transcripts import segments_of, select_transcripts, transcript_attributes
from qcode.values import Condition


def collect_quotes(
    project: Project,
    *,
    codes: Sequence[str] = (),
    coders: Sequence[str] = (),
    transcripts: Sequence[str] = (),
    where: Sequence[Condition] = (),
) -> list[Quote]:
    """One quote per coding, in codebook order, then transcript and segment.

    ``codes`` select a code together with its sub-codes; ``transcripts`` and ``where``
    the transcripts (default all). The quote text is the coded span, or the whole
    segment, exactly as imported.
    """
    codebook = require_codebook(project)
    position = {code.id: i for i, code in enumerate(codebook.codes)}
    labels = {code.id: code.label for code in codebook.codes}
    attributes = transcript_attributes(project)
    codings_store.require_coders(project, coders)
    chosen = select_transcripts(project, transcripts, where)
    codings = codings_store.select(project, transcripts=chosen, codes=codes, coders=coders)
    segments = segments_of(project, {c.transcript for c in codings})
    codings.sort(key=lambda c: (position.get(c.code, len(position)), c.transcript, c.segment,
                                c.start or 0, c.coder))
    quotes = []
    for c in codings:
        attrs = attributes[c.transcript]
        text = segments[(c.transcript, c.segment)].text
        if c.start is not None:
            text = text[c.start:c.end]
        quotes.append(
            Quote(
                transcript=c.transcript, respondent=attrs["respondent"],
                case=attrs.get("case", ""), role=attrs.get("role", ""), segment=c.segment,
                code=c.code, label=labels.get(c.code, ""), coder=c.coder,
                provenance=c.provenance, memo=c.memo, start=c.start, end=c.end, text=text,
            )
        )
    return quotes
