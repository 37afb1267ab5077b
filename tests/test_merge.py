"""Merging another coder's project: matched by text, atomic, idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.coding.assisted import accept, find_suggestion, reject
from qcode.coding.merge import MergeError, merge_project
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.store import Project, find_project, init_project
from qcode.store import suggestions as suggestions_store
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from qcode.store.suggestions import Proposal
from tests.conftest import MINI_CODEBOOK, snapshot

runner = CliRunner()


def _new_project(folder: Path, interviews: Path, codebook_text: str = MINI_CODEBOOK) -> Project:
    from qcode.codebook import load_codebook
    from qcode.importing import import_paths
    from qcode.store.codebook import save_codebook

    project = init_project(folder)
    import_paths(project, [interviews])
    codebook = folder / "codebook.yaml"
    codebook.write_text(codebook_text, encoding="utf-8")
    save_codebook(project, load_codebook(codebook))
    return project


def _suggest(project: Project, transcript: str, segment: int, code: str) -> None:
    """A pending suggestion, as 'qcode suggest' stores it (without running the NLP)."""
    suggestions_store.add_proposals(project, [
        Proposal(transcript, segment, code, score=0.8, method="rules", evidence=("vertrouwen",))
    ], codebook_version="v1")


def _decisions(project: Project) -> list[tuple[str, int, str, str, str]]:
    return [(d.transcript, d.segment, d.code, d.status, d.coder)
            for d in suggestions_store.decisions(project)]


@pytest.fixture()
def other(sample_files: Path, tmp_path: Path) -> Project:
    """Bert's project: the same two interviews, noord-r01 under another file name."""
    interviews = tmp_path / "bert-interviews"
    interviews.mkdir()
    shutil.copy(sample_files / "interviews" / "noord-r01.txt", interviews / "interview-1.txt")
    shutil.copy(sample_files / "interviews" / "zuid-r02.txt", interviews / "zuid-r02.txt")
    project = _new_project(tmp_path / "bert", interviews)
    add_codings(project, [
        Coding(transcript="interview-1", segment=4, code="trust.high", coder="bert",
               provenance="imported", memo="één tafel, coöperatie", start=0, end=22,
               created_at="2026-03-02T09:00:00+00:00"),
        Coding(transcript="interview-1", segment=6, code="trust.information_sharing.written",
               coder="bert", created_at="2026-03-02T09:05:00+00:00"),
        Coding(transcript="zuid-r02", segment=2, code="dialogue", coder="bert"),
    ])
    _suggest(project, "zuid-r02", 4, "trust.low")
    _suggest(project, "zuid-r02", 2, "trust")
    _suggest(project, "interview-1", 2, "governance")
    accept(project, find_suggestion(project, "zuid-r02:4:trust.low", coder="bert"), coder="bert")
    reject(project, find_suggestion(project, "zuid-r02:2:trust", coder="bert"), coder="bert")
    yield project
    project.close()


def test_merge_brings_codings_and_decisions_keeping_who_coded_what(
    project: Project, other: Project
) -> None:
    add_codings(project, [Coding(transcript="noord-r01", segment=4, code="trust.high",
                                 coder="ans")])
    _suggest(project, "zuid-r02", 2, "trust")  # pending here, rejected there
    before_other = snapshot(other)
    outcome = merge_project(project, other.root)
    assert outcome.transcripts == (("interview-1", "noord-r01"), ("zuid-r02", "zuid-r02"))
    assert outcome.added == 4 and outcome.already_present == 0
    assert {c: (n.added, n.already_present) for c, n in outcome.by_coder.items()} == {"bert": (4, 0)}
    assert outcome.decisions_added == 2 and outcome.decisions_present == 0
    merged = {(c.transcript, c.segment, c.code): c for c in list_codings(project, coders=["bert"])}
    span = merged[("noord-r01", 4, "trust.high")]
    assert (span.coder, span.provenance, span.memo, span.start, span.end, span.created_at) == (
        "bert", "imported", "één tafel, coöperatie", 0, 22, "2026-03-02T09:00:00+00:00")
    assert merged[("zuid-r02", 4, "trust.low")].provenance == "suggestion"
    assert [c.coder for c in list_codings(project, coders=["ans"])] == ["ans"]
    assert _decisions(project) == [
        ("zuid-r02", 2, "trust", "rejected", "bert"),
        ("zuid-r02", 4, "trust.low", "accepted", "bert"),
    ]
    assert snapshot(other) == before_other  # the other project is only read


def test_merging_twice_changes_nothing(project: Project, other: Project) -> None:
    merge_project(project, other.root)
    before = snapshot(project)
    again = merge_project(project, other.root)
    assert again.added == 0 and again.already_present == 4
    assert again.decisions_added == 0 and again.decisions_present == 2
    assert snapshot(project) == before


def test_dry_run_reports_and_changes_nothing(project: Project, other: Project) -> None:
    before = snapshot(project)
    outcome = merge_project(project, other.root, dry_run=True)
    assert outcome.dry_run and outcome.added == 4 and outcome.decisions_added == 2
    assert snapshot(project) == before


def test_conflicts_and_memos_keep_this_projects_version(project: Project, other: Project) -> None:
    add_codings(project, [Coding(transcript="zuid-r02", segment=2, code="dialogue", coder="bert",
                                 memo="eigen memo")])
    _suggest(project, "zuid-r02", 4, "trust.low")
    # bert decided this suggestion here one way and in his own project the other way; ans
    # decided it too, which is no conflict: decisions belong to their coder.
    reject(project, find_suggestion(project, "zuid-r02:4:trust.low", coder="bert"), coder="bert")
    reject(project, find_suggestion(project, "zuid-r02:4:trust.low", coder="ans"), coder="ans")
    outcome = merge_project(project, other.root)
    assert outcome.already_present == 1 and outcome.memo_differs == 1
    assert [(c.transcript, c.code, c.coder, c.here, c.other) for c in outcome.conflicts] == [
        ("zuid-r02", "trust.low", "bert", "rejected", "accepted")]
    (kept,) = list_codings(project, transcripts=["zuid-r02"], codes=["dialogue"])
    assert kept.memo == "eigen memo"
    assert [d for d in _decisions(project) if d[2] == "trust.low"] == [
        ("zuid-r02", 4, "trust.low", "rejected", "ans"),
        ("zuid-r02", 4, "trust.low", "rejected", "bert"),
    ]


def test_rename_coder(project: Project, other: Project) -> None:
    outcome = merge_project(project, other.root, rename_coders={"bert": "bert-2"})
    assert list(outcome.by_coder) == ["bert-2"]
    assert {c.coder for c in list_codings(project)} == {"bert-2"}
    with pytest.raises(MergeError, match="--rename-coder zoe=z: no codings by 'zoe'"):
        merge_project(project, other.root, rename_coders={"zoe": "z"})


def test_mismatching_text_merges_nothing(project: Project, other: Project,
                                         sample_files: Path) -> None:
    # Bert's zuid-r02 has different text (one word changed): its codings have no place here,
    # and the good transcript (interview-1) must not be merged half-way either.
    changed = (sample_files / "interviews" / "zuid-r02.txt").read_text(encoding="utf-8")
    source = other.root.parent / "bert-interviews" / "zuid-r02.txt"  # edited where it was
    source.write_text(changed.replace("eerlijk gezegd", "om eerlijk te zijn"), encoding="utf-8")
    with other.atomic():
        other._db.execute("DELETE FROM decisions WHERE transcript_id = 'zuid-r02'")
        other._db.execute("DELETE FROM suggestions WHERE transcript_id = 'zuid-r02'")
        other._db.execute(
            "DELETE FROM codings WHERE transcript_id = 'zuid-r02' AND code_id != 'dialogue'")
    from qcode.importing import import_paths

    import_paths(other, [source])
    before = snapshot(project)
    with pytest.raises(MergeError, match=r"1 transcript\(s\) there have a text that matches no "
                                         r"transcript here: zuid-r02 \(1 coding\(s\) and decision"):
        merge_project(project, other.root)
    assert snapshot(project) == before


def test_incompatible_codebook_merges_nothing(project: Project, tmp_path: Path,
                                              sample_files: Path) -> None:
    extra = MINI_CODEBOOK + "  capacity:\n    label: Capaciteitsmanagement\n"
    with _new_project(tmp_path / "carla", sample_files / "interviews", extra) as carla:
        add_codings(carla, [
            Coding(transcript="noord-r01", segment=2, code="capacity", coder="carla"),
            Coding(transcript="noord-r01", segment=4, code="trust.high", coder="carla"),
        ])
    before = snapshot(project)
    with pytest.raises(MergeError, match=r"1 code\(s\) used there are not in this project's "
                                         r"codebook: capacity \(1\)"):
        merge_project(project, tmp_path / "carla")
    assert snapshot(project) == before


def test_not_a_project_or_this_project(project: Project, tmp_path: Path) -> None:
    with pytest.raises(QcodeError, match="no qcode project there"):
        merge_project(project, tmp_path / "nergens")
    with pytest.raises(MergeError, match="that is this project"):
        merge_project(project, project.root)
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "qcode.db").write_bytes(b"geen database" * 100)
    with pytest.raises(QcodeError, match="not a (readable )?qcode project database"):
        merge_project(project, junk)


def test_merge_command(project: Project, other: Project) -> None:
    args = ["--project", str(project.root), "merge", str(other.root)]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would add 4" in dry.stderr and "dry run: nothing was changed" in dry.stderr
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 transcripts matched by text (interview-1 as noord-r01)" in first.stderr
    assert "bert: added 4 codings, 0 already present" in first.stderr
    assert "suggestion decisions: added 2, 0 already present" in first.stderr
    with find_project(project.root) as reopened:
        before = snapshot(reopened)
    second = runner.invoke(app, args)
    assert "codings: added 0, 4 already present" in second.stderr
    with find_project(project.root) as reopened:
        assert snapshot(reopened) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rename-coder", "bert"], "--rename-coder bert: expected OLD=NEW"),
        (["--rename-coder", "zoe=z"], "no codings by 'zoe'"),
    ],
)
def test_merge_command_errors(project: Project, other: Project, extra: list[str],
                              message: str) -> None:
    before = snapshot(project)
    result = runner.invoke(app, ["--project", str(project.root), "merge", str(other.root), *extra])
    # A malformed OLD=NEW is a usage mistake (exit 2); an unknown coder is about the data.
    assert result.exit_code == (2 if "expected" in message else 1), result.output
    assert message in result.stderr
    assert result.stderr.startswith("error: ")
    assert snapshot(project) == before


def test_merge_command_refuses_mismatching_codebook(project: Project, tmp_path: Path,
                                                   sample_files: Path) -> None:
    extra = MINI_CODEBOOK + "  capacity:\n    label: Capaciteitsmanagement\n"
    with _new_project(tmp_path / "carla", sample_files / "interviews", extra) as carla:
        add_codings(carla, [Coding(transcript="noord-r01", segment=2, code="capacity",
                                   coder="carla")])
    before = snapshot(project)
    result = runner.invoke(app, ["--project", str(project.root), "merge", str(tmp_path / "carla")])
    assert result.exit_code == 1
    assert "not in this project's codebook: capacity (1)" in result.stderr
    assert "nothing was merged" in result.stderr
    assert snapshot(project) == before
