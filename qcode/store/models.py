"""Trained suggestion models, one per level, kept beside the codebook version they learnt."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.store.project import Project, now_iso


@dataclass(frozen=True)
class StoredModel:
    level: str
    codebook_version: str
    trained_at: str
    examples: int
    labels: tuple[str, ...]
    data: bytes


def save(project: Project, models: Sequence[StoredModel], *, drop: Sequence[str] = ()) -> None:
    """Keep the models, replacing the earlier model of each level, and remove the models of
    the ``drop`` levels (a level that can no longer be trained must not leave a stale
    model behind), in one transaction."""
    with project.atomic():
        project._db.executemany("DELETE FROM models WHERE level = ?", [(level,) for level in drop])
        for model in models:
            project._db.execute(
                "INSERT OR REPLACE INTO models(level, codebook_version, trained_at, examples, "
                "labels, data) VALUES (?, ?, ?, ?, ?, ?)",
                (model.level, model.codebook_version, model.trained_at or now_iso(),
                 model.examples, json.dumps(list(model.labels)), model.data),
            )


def load(project: Project) -> list[StoredModel]:
    """The stored models, the full level first."""
    return [
        StoredModel(level=r["level"], codebook_version=r["codebook_version"],
                    trained_at=r["trained_at"], examples=r["examples"],
                    labels=tuple(json.loads(r["labels"])), data=r["data"])
        for r in project._db.execute("SELECT * FROM models ORDER BY level = 'top'")
    ]
