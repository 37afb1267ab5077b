"""The full-text search index: the lemmas and word forms of every segment in SQLite's
FTS5 (schema in migration 4).

``search_rows`` holds one row per segment whose ``words`` are, space-separated, the lemma
of each of the segment's tokens in order, then the written forms that differ from their
lemma (made by :func:`qcode.nlp.wordsearch.index_text`): every form and every lemma of
the segment is a term of the FTS5 table ``search_index`` (kept in step by triggers, no
positions: hits are confirmed on the text), and ``search_terms`` lists them all.
``search_sources`` records the text (content hash) and lemmatiser each transcript was
indexed with; ``search_compounds`` holds, for every term, the parts a search word finds
it by inside a compound (``informatie`` in *informatiedeling*), so a search needs no
dictionary of its own.

Lemmatising is Python, so this module never makes rows itself: the import fills them
(:func:`qcode.analysis.textindex.refresh_index`), :func:`forget` drops a transcript's
rows whenever its text changes, and a search first indexes whatever
:func:`stale_transcripts` names (a project made before migration 4, a lemmatiser that
changed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from qcode.store.project import Project


@dataclass(frozen=True)
class IndexedSegment:
    """A segment the index found, with its text and its indexed words."""

    transcript: str
    segment: int
    speaker: str
    interviewer: bool
    text: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class WordLookup:
    """The terms one word of a query stands for: a token matches when its form or its
    lemma is one of ``terms``, or (with a ``prefix``) starts with it; ``exact`` looks at
    the form only."""

    terms: frozenset[str] = frozenset()
    prefix: str = ""
    exact: bool = False

    def matching(self, forms: Sequence[str], lemmas: Sequence[str]) -> list[bool]:
        """For each token of a segment (its form and lemma), whether it matches."""
        prefix, terms = self.prefix, self.terms
        if prefix and self.exact:
            return [form.startswith(prefix) for form in forms]
        if prefix:
            return [form.startswith(prefix) or lemma.startswith(prefix)
                    for form, lemma in zip(forms, lemmas, strict=True)]
        if self.exact:
            return [form in terms for form in forms]
        return [form in terms or lemma in terms
                for form, lemma in zip(forms, lemmas, strict=True)]


# -- keeping it in step ----------------------------------------------------------------


def stale_transcripts(project: Project, lemmatiser: str) -> list[str]:
    """Transcripts whose index is missing or was made from other text or another
    lemmatiser, in id order."""
    return [r[0] for r in project._db.execute(
        "SELECT t.id FROM transcripts t LEFT JOIN search_sources s ON s.transcript_id = t.id "
        "WHERE s.transcript_id IS NULL OR s.content_hash != t.content_hash "
        "OR s.lemmatiser != ? ORDER BY t.id", (lemmatiser,),
    )]


def forget(project: Project, transcript: str) -> None:
    """Drop a transcript's rows from the index (its text is about to change). Runs in the
    caller's transaction; the next search or import indexes it again."""
    project._db.execute("DELETE FROM search_rows WHERE transcript_id = ?", (transcript,))
    project._db.execute("DELETE FROM search_sources WHERE transcript_id = ?", (transcript,))


def replace_rows(
    project: Project, transcript: str, rows: Iterable[tuple[int, bool, str]], *,
    lemmatiser: str,
) -> None:
    """Index a transcript anew: ``rows`` are (segment, interviewer, words), and the
    transcript's current text is recorded as the one indexed."""
    with project.atomic():
        forget(project, transcript)
        project._db.executemany(
            "INSERT INTO search_rows(transcript_id, segment, interviewer, words) "
            "VALUES (?, ?, ?, ?)",
            [(transcript, number, int(interviewer), words) for number, interviewer, words in rows],
        )
        project._db.execute(
            "INSERT INTO search_sources(transcript_id, content_hash, lemmatiser) "
            "SELECT id, content_hash, ? FROM transcripts WHERE id = ?",
            (lemmatiser, transcript),
        )


def unsplit_terms(project: Project) -> list[str]:
    """Terms of the index whose compound parts are not recorded yet."""
    return [r[0] for r in project._db.execute(
        "SELECT v.term FROM search_terms v "
        "WHERE NOT EXISTS (SELECT 1 FROM search_split s WHERE s.term = v.term)")]


def add_compound_parts(project: Project, parts: dict[str, set[str]]) -> None:
    """Record the compound parts of terms of the index (a term may have none)."""
    with project.atomic():
        project._db.executemany("INSERT OR IGNORE INTO search_split(term) VALUES (?)",
                                [(term,) for term in parts])
        project._db.executemany(
            "INSERT OR IGNORE INTO search_compounds(part, term) VALUES (?, ?)",
            [(part, term) for term, found in parts.items() for part in found])


def forget_compound_parts(project: Project) -> None:
    """Drop every recorded compound part (the rules or the dictionary changed)."""
    with project.atomic():
        project._db.execute("DELETE FROM search_split")
        project._db.execute("DELETE FROM search_compounds")


# -- looking things up ------------------------------------------------------------------


def compounds_with(project: Project, parts: Sequence[str]) -> set[str]:
    """Terms of the index that hold any of ``parts`` as a compound part."""
    if not parts:
        return set()
    return {r[0] for r in project._db.execute(
        f"SELECT term FROM search_compounds WHERE part IN ({','.join('?' * len(parts))})",
        list(parts))}


def containing(project: Project, term: str, *, limit: int = 3) -> list[tuple[str, str]]:
    """(text, words) of a few segments whose form or lemma is ``term``: where the index
    says which lemma it gave a word."""
    return [(r[0], r[1]) for r in project._db.execute(
        "SELECT s.text, r.words FROM search_rows r JOIN segments s ON "
        "s.transcript_id = r.transcript_id AND s.number = r.segment WHERE r.id IN "
        "(SELECT rowid FROM search_index WHERE search_index MATCH ? LIMIT ?)",
        (_quoted(term), limit),
    )]


def find(
    project: Project,
    terms: Sequence[Sequence[WordLookup]],
    *,
    transcripts: Sequence[str] | None = None,
    interviewer_turns: bool = False,
) -> list[IndexedSegment]:
    """Segments that may hold any of ``terms`` (each a sequence of words that must all be
    in the segment), in transcript and segment order. The caller confirms where, and
    whether the words stand next to each other."""
    clauses = [_all_of(words) for words in terms]
    expression = " OR ".join(f"({c})" for c in clauses if c)
    if not expression or (transcripts is not None and not transcripts):
        return []
    query = (
        "SELECT r.transcript_id, r.segment, r.interviewer, r.words, s.text, s.speaker "
        "FROM search_index JOIN search_rows r ON r.id = search_index.rowid "
        "JOIN segments s ON s.transcript_id = r.transcript_id AND s.number = r.segment "
        "WHERE search_index MATCH ?"
    )
    params: list[object] = [expression]
    if not interviewer_turns:
        query += " AND r.interviewer = 0"
    if transcripts is not None:
        query += " AND r.transcript_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(transcripts)))
    query += " ORDER BY r.transcript_id, r.segment"
    return [
        IndexedSegment(transcript=r[0], segment=r[1], speaker=r[5], interviewer=bool(r[2]),
                       text=r[4], words=tuple(r[3].split(" ")) if r[3] else ())
        for r in project._db.execute(query, params)
    ]


def _all_of(words: Sequence[WordLookup]) -> str:
    """FTS5 syntax for a segment holding every word (empty when one cannot match)."""
    parts = []
    for word in words:
        options = [_quoted(term) for term in sorted(word.terms)]
        if word.prefix:
            options.append(f"{_quoted(word.prefix)}*")
        if not options:
            return ""
        parts.append("(" + " OR ".join(options) + ")")
    return " AND ".join(parts)


def _quoted(term: str) -> str:
    """A term as an FTS5 string: inside double quotes nothing is an operator."""
    return '"' + term.replace('"', '""') + '"'


def scan(
    project: Project, *, transcripts: Sequence[str] | None = None,
    interviewer_turns: bool = False,
) -> Iterator[tuple[str, int, str, bool, str]]:
    """(transcript, segment, speaker, interviewer, text) of every segment searched, in
    order: what a regular expression runs over (no index can narrow that down)."""
    if transcripts is not None and not transcripts:
        return
    query = "SELECT transcript_id, number, speaker, interviewer, text FROM segments WHERE 1 = 1"
    params: list[object] = []
    if not interviewer_turns:
        query += " AND interviewer = 0"
    if transcripts is not None:
        query += " AND transcript_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(transcripts)))
    query += " ORDER BY transcript_id, number"
    for r in project._db.execute(query, params):
        yield r[0], r[1], r[2], bool(r[3]), r[4]


def index_size(project: Project) -> tuple[int, int]:
    """(indexed segments, indexed transcripts), for a note or a benchmark."""
    rows = project._db.execute("SELECT count(*) FROM search_rows").fetchone()[0]
    sources = project._db.execute("SELECT count(*) FROM search_sources").fetchone()[0]
    return int(rows), int(sources)
