"""Assisted coding in the store: suggest, review, train and evaluate.

The NLP work is done by :mod:`qcode.nlp`; this module feeds it the project's segments
and codings and keeps its results: pending suggestions apart from confirmed codings,
trained models beside the codebook version they were trained on.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qcode.coding.manual import CodingValidator, add_codings
from qcode.errors import CodingError, QcodeError
from qcode.models import Codebook, Coding
from qcode.store.codebook import require_codebook
from qcode.store.project import Project, now_iso
from qcode.store.transcripts import require_transcript

if TYPE_CHECKING:
    from qcode.nlp import CodedSegment, EvaluationReport, ModelInfo, Suggestion, TrainedModel

MODEL_LEVELS = ("top", "full")
CHUNK = 512


@dataclass(frozen=True)
class StoredSuggestion:
    id: int
    transcript: str
    segment: int
    code: str
    score: float
    method: str
    evidence: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    status: str
    text: str


@dataclass(frozen=True)
class SuggestOutcome:
    segments: int
    words: int
    new: int
    updated: int
    removed: int
    skipped_coded: int
    skipped_decided: int
    models: tuple[str, ...]
    suggestions: tuple[StoredSuggestion, ...]


def respondent_segments(
    project: Project, transcripts: Sequence[str] = ()
) -> list[tuple[str, int, str]]:
    """(transcript, number, text) of every respondent turn, in order."""
    for transcript in transcripts:
        require_transcript(project, transcript)
    query = "SELECT transcript_id, number, text FROM segments WHERE interviewer = 0"
    params: list[str] = []
    if transcripts:
        query += f" AND transcript_id IN ({','.join('?' * len(transcripts))})"
        params.extend(transcripts)
    query += " ORDER BY transcript_id, number"
    return [(r[0], r[1], r[2]) for r in project.db.execute(query, params)]


def _require_transcripts(project: Project) -> None:
    if project.db.execute("SELECT 1 FROM transcripts LIMIT 1").fetchone() is None:
        raise QcodeError("the project has no transcripts yet; add some with 'qcode import PATH'")


# -- models ------------------------------------------------------------------------------


def load_models(project: Project, codebook: Codebook) -> list[TrainedModel]:
    """The project's trained models (full level first), refused when the codebook changed
    since they were trained."""
    from qcode.nlp import TrainedModel

    rows = project.db.execute(
        "SELECT level, codebook_version, data FROM models ORDER BY level = 'top'"
    ).fetchall()
    for row in rows:
        if row["codebook_version"] != codebook.version:
            raise QcodeError(
                f"the {row['level']}-level model was trained on codebook version "
                f"{row['codebook_version']}, but the codebook is now version {codebook.version}; "
                "run 'qcode train' again (or suggest with --rules-only)"
            )
    return [TrainedModel.from_bytes(row["data"]) for row in rows]


def coded_segments(project: Project, *, coders: Sequence[str] = ()) -> list[CodedSegment]:
    """Respondent segments of every transcript that has confirmed codings, each with its
    codes (empty for a segment the coders left uncoded) and its rejected suggestions."""
    from qcode.nlp import CodedSegment

    query = "SELECT transcript_id, segment, code_id FROM codings"
    params: list[str] = []
    if coders:
        query += f" WHERE coder IN ({','.join('?' * len(coders))})"
        params.extend(coders)
    codes: dict[tuple[str, int], set[str]] = {}
    for row in project.db.execute(query, params):
        codes.setdefault((row[0], row[1]), set()).add(row[2])
    rejected: dict[tuple[str, int], set[str]] = {}
    for row in project.db.execute(
        "SELECT transcript_id, segment, code_id FROM suggestions WHERE status = 'rejected'"
    ):
        rejected.setdefault((row[0], row[1]), set()).add(row[2])
    coded_transcripts = sorted({transcript for transcript, _ in codes})
    if not coded_transcripts:
        return []
    return [
        CodedSegment(transcript=t, segment=n, text=text,
                     codes=frozenset(codes.get((t, n), ())),
                     rejected=frozenset(rejected.get((t, n), set()) - codes.get((t, n), set())))
        for t, n, text in respondent_segments(project, coded_transcripts)
    ]


def train(
    project: Project,
    *,
    levels: Sequence[str] = MODEL_LEVELS,
    coders: Sequence[str] = (),
    skip_rare: bool = False,
    min_examples: int | None = None,
) -> list[ModelInfo]:
    """Train and store one model per level from the confirmed codings.

    Rejected suggestions are negative evidence. Refuses (naming the codes) when a code has
    too few examples, unless ``skip_rare`` leaves those codes out. A level at which no code
    has enough examples is left out (and a model stored for it before is dropped, so a
    stale one is never used); only when no level can be trained is that an error.
    """
    from qcode.nlp import NothingToTrainError, TrainingExample, train_model

    codebook = require_codebook(project)
    segments = coded_segments(project, coders=coders)
    if not segments:
        raise QcodeError(
            "no confirmed codings to learn from; code some segments first "
            "('qcode codings add' or 'qcode review')"
        )
    examples = [
        TrainingExample(text=s.text, positive=s.codes, negative=s.rejected, group=s.transcript)
        for s in segments
    ]
    options = {} if min_examples is None else {"min_examples": min_examples}
    models = []
    untrainable: list[NothingToTrainError] = []
    for level in levels:
        try:
            models.append(train_model(examples, codebook, level=level, skip_rare=skip_rare,
                                      **options))  # type: ignore[arg-type]
        except NothingToTrainError as exc:
            untrainable.append(exc)
    if not models:
        raise untrainable[0]
    with project.atomic() as db:
        for missing in untrainable:
            db.execute("DELETE FROM models WHERE level = ?", (missing.level,))
        for model in models:
            db.execute(
                "INSERT OR REPLACE INTO models(level, codebook_version, trained_at, examples, "
                "labels, data) VALUES (?, ?, ?, ?, ?, ?)",
                (model.level, codebook.version, now_iso(), model.info.examples,
                 json.dumps(list(model.labels)), model.to_bytes()),
            )
    return [model.info for model in models]


def evaluate_project(
    project: Project, *, level: str = "top", k: int = 5, coders: Sequence[str] = (),
    min_score: float | None = None,
) -> EvaluationReport:
    """Cross-validate suggestions on the confirmed codings, split by transcript."""
    from qcode.nlp import evaluate

    codebook = require_codebook(project)
    segments = coded_segments(project, coders=coders)
    if len({s.transcript for s in segments}) < 2:
        raise QcodeError(
            "evaluation needs confirmed codings in at least two transcripts (it tests on "
            "transcripts the model has not seen)"
        )
    options = {} if min_score is None else {"min_score": min_score}
    return evaluate(codebook, segments, level=level, k=k, **options)  # type: ignore[arg-type]


# -- suggest -----------------------------------------------------------------------------


def suggest_for_project(
    project: Project,
    *,
    transcripts: Sequence[str] = (),
    min_score: float | None = None,
    rules_only: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> SuggestOutcome:
    """Suggest codes for respondent turns and keep them as pending suggestions.

    Idempotent: a second run updates scores and evidence in place. Codes already
    confirmed on a segment (or a sub-code of them) and suggestions a coder already
    accepted or rejected are not suggested again. Confirmed codings are never touched.
    """
    from qcode.nlp import DEFAULT_MIN_SCORE, RuleMatcher, iter_suggestions

    codebook = require_codebook(project)
    if not transcripts:
        _require_transcripts(project)
    models = [] if rules_only else load_models(project, codebook)
    segments = respondent_segments(project, transcripts)
    threshold = DEFAULT_MIN_SCORE if min_score is None else min_score
    matcher = RuleMatcher(codebook)
    found: list[Suggestion] = []
    progress(0, len(segments))
    for start in range(0, len(segments), CHUNK):
        chunk = segments[start:start + CHUNK]
        found.extend(iter_suggestions(codebook, chunk, model=models or None,
                                      min_score=threshold, matcher=matcher))
        progress(min(start + CHUNK, len(segments)), len(segments))
    counts = _store_suggestions(project, codebook, found, {t for t, _, _ in segments})
    stored = pending_suggestions(project, transcripts=transcripts)
    return SuggestOutcome(
        segments=len(segments), words=sum(len(text.split()) for _, _, text in segments),
        models=tuple(m.level for m in models), suggestions=tuple(stored), **counts,
    )


def _store_suggestions(
    project: Project, codebook: Codebook, found: Iterable[Suggestion], transcripts: set[str]
) -> dict[str, int]:
    confirmed: dict[tuple[str, int], set[str]] = {}
    for row in project.db.execute("SELECT transcript_id, segment, code_id FROM codings"):
        confirmed.setdefault((row[0], row[1]), set()).add(row[2])
    existing = {
        (r["transcript_id"], r["segment"], r["code_id"]): r["status"]
        for r in project.db.execute(
            "SELECT transcript_id, segment, code_id, status FROM suggestions"
        )
    }
    counts = {"new": 0, "updated": 0, "removed": 0, "skipped_coded": 0, "skipped_decided": 0}
    keep: set[tuple[str, int, str]] = set()
    created = now_iso()
    with project.atomic() as db:
        for s in found:
            key = (s.transcript, s.segment, s.code)
            coded = confirmed.get((s.transcript, s.segment), set())
            if any(c == s.code or c.startswith(s.code + ".") for c in coded):
                counts["skipped_coded"] += 1
                continue
            status = existing.get(key)
            if status in ("accepted", "rejected"):
                counts["skipped_decided"] += 1
                continue
            keep.add(key)
            evidence = json.dumps(
                {"evidence": list(s.evidence), "spans": [list(x) for x in s.spans]},
                ensure_ascii=False,
            )
            db.execute(
                "INSERT INTO suggestions(transcript_id, segment, code_id, score, method, evidence,"
                " codebook_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(transcript_id, segment, code_id) DO UPDATE SET score = excluded.score,"
                " method = excluded.method, evidence = excluded.evidence, "
                "codebook_version = excluded.codebook_version",
                (s.transcript, s.segment, s.code, round(float(s.score), 4), s.method, evidence,
                 codebook.version, created),
            )
            counts["updated" if status == "pending" else "new"] += 1
        # Pending suggestions this run no longer makes (a new model, a changed codebook)
        # are withdrawn, so the pending list always reflects the latest run.
        for key, status in existing.items():
            if status == "pending" and key[0] in transcripts and key not in keep:
                db.execute(
                    "DELETE FROM suggestions WHERE transcript_id = ? AND segment = ? AND "
                    "code_id = ? AND status = 'pending'", key,
                )
                counts["removed"] += 1
    return counts


# -- review ------------------------------------------------------------------------------


def pending_suggestions(
    project: Project, *, transcripts: Sequence[str] = (), min_score: float = 0.0
) -> list[StoredSuggestion]:
    """Pending suggestions in transcript and segment order, best score first."""
    for transcript in transcripts:
        require_transcript(project, transcript)
    query = (
        "SELECT s.*, g.text FROM suggestions s JOIN segments g ON g.transcript_id = "
        "s.transcript_id AND g.number = s.segment WHERE s.status = 'pending' AND s.score >= ?"
    )
    params: list[object] = [min_score]
    if transcripts:
        query += f" AND s.transcript_id IN ({','.join('?' * len(transcripts))})"
        params.extend(transcripts)
    query += " ORDER BY s.transcript_id, s.segment, s.score DESC, s.code_id"
    return [_stored(row) for row in project.db.execute(query, params)]


def _stored(r: sqlite3.Row) -> StoredSuggestion:
    payload = json.loads(r["evidence"])
    return StoredSuggestion(
        id=r["id"], transcript=r["transcript_id"], segment=r["segment"], code=r["code_id"],
        score=r["score"], method=r["method"], evidence=tuple(payload.get("evidence", ())),
        spans=tuple((int(a), int(b)) for a, b in payload.get("spans", ())),
        status=r["status"], text=r["text"],
    )


def find_suggestion(project: Project, spec: str) -> StoredSuggestion:
    """The pending suggestion named ``TRANSCRIPT:SEGMENT:CODE``."""
    parts = spec.rsplit(":", 2)
    if len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()):
        raise CodingError(f"{spec}: expected TRANSCRIPT:SEGMENT:CODE, e.g. noordrand-r01:12:trust")
    transcript, segment, code = parts[0], int(parts[1]), parts[2]
    require_transcript(project, transcript)
    row = project.db.execute(
        "SELECT s.*, g.text FROM suggestions s JOIN segments g ON g.transcript_id = "
        "s.transcript_id AND g.number = s.segment WHERE s.transcript_id = ? AND s.segment = ? "
        "AND s.code_id = ?",
        (transcript, segment, code),
    ).fetchone()
    if row is None:
        raise CodingError(f"{spec}: no such suggestion; see 'qcode suggest --format jsonl'")
    found = _stored(row)
    if found.status != "pending":
        raise CodingError(f"{spec}: this suggestion was already {found.status}")
    return found


def accept(
    project: Project, suggestion: StoredSuggestion, *, coder: str, code: str | None = None,
    provenance: str | None = None, memo: str = "", span: tuple[int, int] | None = None,
) -> Coding:
    """Confirm a suggestion as a coding (of ``span`` in the segment, when given). With
    another ``code`` the coder corrected the machine: the coding is manual and the
    suggested code counts as rejected."""
    chosen = code or suggestion.code
    if provenance is None:
        provenance = "suggestion" if chosen == suggestion.code else "manual"
    start, end = span if span is not None else (None, None)
    coding = Coding(transcript=suggestion.transcript, segment=suggestion.segment, code=chosen,
                    coder=coder, provenance=provenance, memo=memo, start=start, end=end)
    with project.atomic() as db:
        add_codings(project, [coding])
        status = "accepted" if chosen == suggestion.code else "rejected"
        db.execute(
            "UPDATE suggestions SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?",
            (status, now_iso(), coder, suggestion.id),
        )
    return coding


def reject(project: Project, suggestion: StoredSuggestion, *, coder: str) -> None:
    with project.atomic() as db:
        db.execute(
            "UPDATE suggestions SET status = 'rejected', decided_at = ?, decided_by = ? "
            "WHERE id = ?",
            (now_iso(), coder, suggestion.id),
        )


def accept_above(
    project: Project, score: float, *, coder: str, transcripts: Sequence[str] = ()
) -> list[Coding]:
    """Accept every pending suggestion scoring at least ``score``, as bulk provenance."""
    if not 0.0 <= score <= 1.0:
        raise CodingError(f"--accept-above {score}: a score lies between 0 and 1")
    accepted = []
    with project.atomic():
        for suggestion in pending_suggestions(project, transcripts=transcripts, min_score=score):
            accepted.append(accept(project, suggestion, coder=coder, provenance="bulk"))
    return accepted


def check_code(project: Project, code: str) -> None:
    """Raise the usual unknown-code error (with a suggestion) for ``code``."""
    CodingValidator(project).check_code(code)
