"""The project store: one SQLite file, ``qcode.db``, in the project folder."""

from __future__ import annotations

from qcode.store.project import DB_NAME, Project, find_project, init_project

__all__ = ["DB_NAME", "Project", "find_project", "init_project"]
