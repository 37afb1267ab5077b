"""Keeping the search index in step with the transcripts.

The import indexes what it stores (in its own transaction, so a transcript is never
stored without its index); a re-import drops the old rows in the store
(:func:`qcode.store.search.forget`) and indexes the new text. A project made before the
index existed, or indexed with another lemmatiser, is brought up to date by the first
search: lemmas come from simplemma, which a SQL migration cannot run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qcode.nlp.wordsearch import compound_parts_of, index_text, lemmatiser_version
from qcode.store import search as search_store
from qcode.store.project import Project
from qcode.store.transcripts import get_segments


def refresh_index(
    project: Project,
    transcripts: Sequence[str] | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Index every transcript (of ``transcripts``, default all) whose index is missing or
    out of date, in one transaction; return their ids."""
    version = lemmatiser_version()
    stale = search_store.stale_transcripts(project, version)
    if transcripts is not None:
        wanted = set(transcripts)
        stale = [t for t in stale if t in wanted]
    if not stale:
        return []
    with project.atomic():
        if project.get_meta(SPLIT_WITH) != version:
            # Compound parts depend on the dictionary too: split every word again.
            search_store.forget_compound_parts(project)
            project.set_meta(SPLIT_WITH, version)
        for done, transcript in enumerate(stale, start=1):
            rows = [(segment.number, segment.interviewer, index_text(segment.text))
                    for segment in get_segments(project, transcript)]
            search_store.replace_rows(project, transcript, rows, lemmatiser=version)
            if progress is not None:
                progress(done, len(stale))
        search_store.add_compound_parts(project, {
            term: compound_parts_of(term) for term in search_store.unsplit_terms(project)})
    return stale


SPLIT_WITH = "search_compounds_lemmatiser"
"""Meta key: the lemmatiser the recorded compound parts were worked out with."""
