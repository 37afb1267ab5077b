"""Numbered schema migrations. Never edit one that has shipped; add the next instead."""

from __future__ import annotations

from typing import NamedTuple


class Migration(NamedTuple):
    number: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "core tables: respondents, transcripts, segments, codes, codings",
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE respondents (
            id TEXT PRIMARY KEY,
            attributes TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE transcripts (
            id TEXT PRIMARY KEY,
            respondent_id TEXT REFERENCES respondents(id),
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}',
            word_count INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX transcripts_hash ON transcripts(content_hash);
        CREATE TABLE segments (
            transcript_id TEXT NOT NULL REFERENCES transcripts(id)
                DEFERRABLE INITIALLY DEFERRED,
            number INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            interviewer INTEGER NOT NULL CHECK (interviewer IN (0, 1)),
            text TEXT NOT NULL,
            start_time TEXT,
            end_time TEXT,
            PRIMARY KEY (transcript_id, number)
        );
        CREATE TABLE codes (
            id TEXT PRIMARY KEY,
            parent_id TEXT REFERENCES codes(id) DEFERRABLE INITIALLY DEFERRED,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            include TEXT NOT NULL DEFAULT '',
            exclude TEXT NOT NULL DEFAULT '',
            examples TEXT NOT NULL DEFAULT '[]',
            keywords TEXT NOT NULL DEFAULT '[]',
            patterns TEXT NOT NULL DEFAULT '[]',
            level TEXT,
            color TEXT
        );
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            transcript_id TEXT NOT NULL,
            segment INTEGER NOT NULL,
            code_id TEXT NOT NULL REFERENCES codes(id) DEFERRABLE INITIALLY DEFERRED,
            coder TEXT NOT NULL,
            provenance TEXT NOT NULL
                CHECK (provenance IN ('manual', 'suggestion', 'bulk', 'imported')),
            memo TEXT NOT NULL DEFAULT '',
            start INTEGER,
            end INTEGER,
            created_at TEXT NOT NULL,
            FOREIGN KEY (transcript_id, segment) REFERENCES segments(transcript_id, number)
                DEFERRABLE INITIALLY DEFERRED,
            CHECK ((start IS NULL) = (end IS NULL)),
            CHECK (start IS NULL OR (start >= 0 AND end > start))
        );
        CREATE UNIQUE INDEX codings_unique ON codings(
            transcript_id, segment, code_id, coder, ifnull(start, -1), ifnull(end, -1)
        );
        CREATE INDEX codings_code ON codings(code_id);
        """,
    ),
    Migration(
        2,
        "suggestions and trained models",
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            transcript_id TEXT NOT NULL,
            segment INTEGER NOT NULL,
            code_id TEXT NOT NULL,
            score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
            method TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'rejected')),
            codebook_version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            decided_at TEXT,
            decided_by TEXT,
            FOREIGN KEY (transcript_id, segment) REFERENCES segments(transcript_id, number)
                DEFERRABLE INITIALLY DEFERRED,
            UNIQUE (transcript_id, segment, code_id)
        );
        CREATE INDEX suggestions_status ON suggestions(status, transcript_id, segment);
        CREATE TABLE models (
            level TEXT PRIMARY KEY CHECK (level IN ('top', 'full')),
            codebook_version TEXT NOT NULL,
            trained_at TEXT NOT NULL,
            examples INTEGER NOT NULL,
            labels TEXT NOT NULL,
            data BLOB NOT NULL
        );
        """,
    ),
    Migration(
        3,
        "suggestion decisions per coder; transcript origin and per-interview attributes",
        """
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            transcript_id TEXT NOT NULL,
            segment INTEGER NOT NULL,
            code_id TEXT NOT NULL,
            coder TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
            score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
            method TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            codebook_version TEXT NOT NULL,
            suggested_at TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            FOREIGN KEY (transcript_id, segment) REFERENCES segments(transcript_id, number)
                DEFERRABLE INITIALLY DEFERRED,
            UNIQUE (transcript_id, segment, code_id, coder)
        );
        CREATE INDEX decisions_coder ON decisions(coder, transcript_id, segment);
        INSERT INTO decisions(transcript_id, segment, code_id, coder, status, score, method,
                              evidence, codebook_version, suggested_at, decided_at)
            SELECT transcript_id, segment, code_id, coalesce(decided_by, 'unknown'), status,
                   score, method, evidence, codebook_version, created_at,
                   coalesce(decided_at, created_at)
            FROM suggestions WHERE status IN ('accepted', 'rejected');
        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY,
            transcript_id TEXT NOT NULL,
            segment INTEGER NOT NULL,
            code_id TEXT NOT NULL,
            score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
            method TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            codebook_version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            FOREIGN KEY (transcript_id, segment) REFERENCES segments(transcript_id, number)
                DEFERRABLE INITIALLY DEFERRED,
            UNIQUE (transcript_id, segment, code_id)
        );
        INSERT INTO proposals(transcript_id, segment, code_id, score, method, evidence,
                              codebook_version, created_at)
            SELECT transcript_id, segment, code_id, score, method, evidence, codebook_version,
                   created_at
            FROM suggestions WHERE status = 'pending';
        DROP TABLE suggestions;
        ALTER TABLE proposals RENAME TO suggestions;
        CREATE INDEX suggestions_segment ON suggestions(transcript_id, segment);
        ALTER TABLE transcripts ADD COLUMN origin TEXT;
        ALTER TABLE transcripts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
        """,
    ),
    Migration(
        4,
        "full-text search index over the lemmas and word forms of every segment",
        # The rows are filled from Python (lemmas come from simplemma): at import, and for
        # a project made before this migration on its first search (qcode.store.search).
        # search_sources records which text and lemmatiser each transcript was indexed
        # with, so a re-imported transcript or a new lemmatiser is indexed again.
        # search_compounds lists, per word of the index, the parts a search word could
        # find it by inside a compound (search_split: the words already split).
        """
        CREATE TABLE search_rows (
            id INTEGER PRIMARY KEY,
            transcript_id TEXT NOT NULL,
            segment INTEGER NOT NULL,
            interviewer INTEGER NOT NULL CHECK (interviewer IN (0, 1)),
            words TEXT NOT NULL,
            FOREIGN KEY (transcript_id, segment) REFERENCES segments(transcript_id, number)
                DEFERRABLE INITIALLY DEFERRED,
            UNIQUE (transcript_id, segment)
        );
        CREATE TABLE search_sources (
            transcript_id TEXT PRIMARY KEY REFERENCES transcripts(id)
                DEFERRABLE INITIALLY DEFERRED,
            content_hash TEXT NOT NULL,
            lemmatiser TEXT NOT NULL
        );
        CREATE VIRTUAL TABLE search_index USING fts5(
            words, content = 'search_rows', content_rowid = 'id', detail = none,
            tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
        );
        CREATE VIRTUAL TABLE search_terms USING fts5vocab(search_index, row);
        CREATE TABLE search_split (
            term TEXT PRIMARY KEY
        ) WITHOUT ROWID;
        CREATE TABLE search_compounds (
            part TEXT NOT NULL,
            term TEXT NOT NULL,
            PRIMARY KEY (part, term)
        ) WITHOUT ROWID;
        CREATE TRIGGER search_rows_added AFTER INSERT ON search_rows BEGIN
            INSERT INTO search_index(rowid, words) VALUES (new.id, new.words);
        END;
        CREATE TRIGGER search_rows_removed AFTER DELETE ON search_rows BEGIN
            INSERT INTO search_index(search_index, rowid, words)
                VALUES ('delete', old.id, old.words);
        END;
        """,
    ),
    Migration(
        5,
        "memos on the project, cases, respondents, transcripts, codes and segments",
        """
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL
                CHECK (kind IN ('project', 'case', 'respondent', 'transcript', 'code',
                                'segment')),
            target TEXT NOT NULL,
            segment INTEGER,
            start INTEGER,
            end INTEGER,
            text TEXT NOT NULL CHECK (trim(text) <> ''),
            coder TEXT NOT NULL CHECK (trim(coder) <> ''),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            FOREIGN KEY (target, segment) REFERENCES segments(transcript_id, number)
                DEFERRABLE INITIALLY DEFERRED,
            CHECK ((kind = 'project') = (target = '')),
            CHECK ((kind = 'segment') = (segment IS NOT NULL)),
            CHECK ((start IS NULL) = (end IS NULL)),
            CHECK (start IS NULL OR (kind = 'segment' AND start >= 0 AND end > start))
        );
        CREATE INDEX memos_target ON memos(kind, target, segment);
        """,
    ),
    Migration(
        6,
        "a transcript's header text and its remembered interviewer labels",
        """
        ALTER TABLE transcripts ADD COLUMN header TEXT NOT NULL DEFAULT '';
        ALTER TABLE transcripts ADD COLUMN interviewer_labels TEXT;
        """,
    ),
)
