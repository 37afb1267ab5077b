"""Assisted coding in a project: suggest, review, train, evaluate, and their refusals."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.coding import assisted
from qcode.coding.manual import add_codings, list_codings
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.store import Project, init_project
from qcode.store.codebook import save_codebook
from tests.conftest import MINI_CODEBOOK, snapshot

runner = CliRunner()

# The mini interviews name each code with one keyword, which the calibrated rule score
# puts at about 0.2; a low threshold lets these tests see suggestions at all.
MINI = 0.15


def test_suggest_is_idempotent_and_never_touches_codings(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    codings_before = list_codings(project)
    first = assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    assert first.new > 0
    rows = project.db.execute("SELECT count(*) FROM suggestions").fetchone()[0]
    second = assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    assert second.new == 0 and second.updated == first.new
    assert project.db.execute("SELECT count(*) FROM suggestions").fetchone()[0] == rows
    assert list_codings(project) == codings_before
    # Segment 4 is coded trust.high: trust itself is not suggested there again.
    assert not any(s.segment == 4 and s.transcript == "noord-r01" and s.code == "trust"
                   for s in second.suggestions)


def test_suggestions_carry_evidence_from_the_segment(project: Project) -> None:
    outcome = assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    assert outcome.suggestions
    for suggestion in outcome.suggestions:
        assert 0 <= suggestion.score <= 1
        assert suggestion.method == "rules"
        assert suggestion.evidence
        for start, end in suggestion.spans:
            assert suggestion.text[start:end]


def test_accept_and_reject_record_provenance(project: Project) -> None:
    assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    pending = assisted.pending_suggestions(project)
    assert len(pending) >= 2
    first, second = pending[0], pending[1]
    coding = assisted.accept(project, first, coder="ans")
    assert coding.provenance == "suggestion"
    assisted.reject(project, second, coder="ans")
    statuses = dict(project.db.execute("SELECT id, status FROM suggestions").fetchall())
    assert statuses[first.id] == "accepted" and statuses[second.id] == "rejected"
    # Decided suggestions are not suggested again.
    again = assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    assert again.skipped_decided >= 1
    with pytest.raises(QcodeError, match="already rejected"):
        assisted.find_suggestion(project, f"{second.transcript}:{second.segment}:{second.code}")


def test_accept_with_another_code_rejects_the_suggestion(project: Project) -> None:
    assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    suggestion = assisted.pending_suggestions(project)[0]
    coding = assisted.accept(project, suggestion, coder="ans", code="dialogue")
    assert (coding.code, coding.provenance) == ("dialogue", "manual")
    status = project.db.execute("SELECT status FROM suggestions WHERE id = ?",
                                (suggestion.id,)).fetchone()[0]
    assert status == "rejected"


def test_accept_above_is_bulk(project: Project) -> None:
    assisted.suggest_for_project(project, rules_only=True, min_score=MINI)
    accepted = assisted.accept_above(project, 0.0, coder="ans")
    assert accepted and all(c.provenance == "bulk" for c in accepted)
    assert assisted.pending_suggestions(project) == []


def test_suggest_refusals_change_nothing(empty_project: Project, sample_files: Path) -> None:
    with pytest.raises(QcodeError, match="no codebook yet"):
        assisted.suggest_for_project(empty_project)
    from qcode.codebook import load_codebook

    save_codebook(empty_project, load_codebook(sample_files / "mini.yaml"))
    before = snapshot(empty_project)
    with pytest.raises(QcodeError, match="no transcripts yet"):
        assisted.suggest_for_project(empty_project)
    with pytest.raises(QcodeError, match="unknown transcript 'nergens'"):
        assisted.suggest_for_project(empty_project, transcripts=["nergens"])
    assert snapshot(empty_project) == before


def test_train_without_codings_is_refused(project: Project) -> None:
    with pytest.raises(QcodeError, match="no confirmed codings to learn from"):
        assisted.train(project)


def test_train_refuses_too_few_examples_and_names_codes(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("zuid-r02", 2, "trust.low", "ans")])
    before = snapshot(project)
    with pytest.raises(QcodeError) as caught:
        assisted.train(project, levels=("top",))
    assert "trust (2)" in str(caught.value)
    assert snapshot(project) == before


def test_evaluate_needs_two_coded_transcripts(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    with pytest.raises(QcodeError, match="at least two transcripts"):
        assisted.evaluate_project(project)


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample with its reference coding, trained at top level."""
    from qcode.demo import sample_root

    folder = tmp_path_factory.mktemp("sample")
    shutil.copytree(sample_root() / "transcripts_sample", folder / "transcripts")
    for args in (["init", str(folder)],
                 ["--project", str(folder), "import", str(folder / "transcripts")],
                 ["--project", str(folder), "codebook", "load",
                  str(sample_root() / "codebooks" / "veiligheidshuis.yaml")],
                 ["--project", str(folder), "codings", "import",
                  str(folder / "transcripts" / "codings.csv")],
                 ["--project", str(folder), "train", "--coder", "ref", "--skip-rare"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return folder


def test_cli_suggest_with_model_jsonl(sample_project: Path) -> None:
    result = runner.invoke(app, ["--project", str(sample_project), "suggest", "rivierstad-r05",
                                 "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    assert {"transcript", "segment", "code", "score", "method", "evidence"} <= set(rows[0])
    assert {r["method"] for r in rows} <= {"rules", "model", "rules+model"}


def test_cli_codebook_changed_since_training(sample_project: Path, tmp_path: Path) -> None:
    from qcode.demo import sample_root

    text = (sample_root() / "codebooks" / "veiligheidshuis.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("label: Vorm van netwerksturing",
                                    "label: Vorm van netwerkbesturing"), encoding="utf-8")
    project = sample_project
    assert runner.invoke(app, ["--project", str(project), "codebook", "load",
                               str(changed)]).exit_code == 0
    result = runner.invoke(app, ["--project", str(project), "suggest"])
    assert result.exit_code == 1
    assert "was trained on codebook version" in result.stderr
    assert "run 'qcode train' again" in result.stderr
    assert runner.invoke(app, ["--project", str(project), "codebook", "load",
                               str(sample_root() / "codebooks" / "veiligheidshuis.yaml")]
                         ).exit_code == 0


def test_cli_review_interactive_and_scripted(sample_project: Path) -> None:
    base = ["--project", str(sample_project)]
    assert runner.invoke(app, [*base, "suggest", "noordrand-r03", "--min-score", "0.05"]).exit_code == 0
    with Project(sample_project / "qcode.db") as project:
        pending = assisted.pending_suggestions(project, transcripts=["noordrand-r03"])
    assert len(pending) >= 3
    result = runner.invoke(app, [*base, "review", "noordrand-r03", "--coder", "ans"],
                           input="a\nr\nq\n")
    assert result.exit_code == 0, result.output
    assert "accepted 1, rejected 1, skipped 0" in result.stderr
    third = pending[2]
    spec = f"{third.transcript}:{third.segment}:{third.code}"
    result = runner.invoke(app, [*base, "review", "--reject", spec, "--coder", "ans"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, [*base, "review", "--accept", spec, "--coder", "ans"])
    assert again.exit_code == 1 and "already rejected" in again.stderr
    bad = runner.invoke(app, [*base, "review", "--accept", "noordrand-r03:x"])
    assert bad.exit_code == 1 and "expected TRANSCRIPT:SEGMENT:CODE" in bad.stderr
    with Project(sample_project / "qcode.db") as project:
        mine = list_codings(project, coders=["ans"])
    assert [c.provenance for c in mine] == ["suggestion"]


def test_cli_evaluate_reports_every_method(sample_project: Path) -> None:
    result = runner.invoke(app, ["--project", str(sample_project), "evaluate", "--coder", "ref",
                                 "--folds", "3", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = {json.loads(line)["code"]: json.loads(line) for line in result.stdout.splitlines()}
    assert "micro" in rows and "trust" in rows
    for method in ("baseline", "rules", "model", "combined"):
        assert 0 <= rows["micro"][f"{method}_f1"] <= 1
    # Every figure with three decimals, on screen and in CSV (0.400, never 0.4).
    # (table and csv share the formatting; the table is what people compare by eye)
    shown = runner.invoke(app, ["--project", str(sample_project), "evaluate", "--coder",
                                "ref", "--folds", "2"])
    figures = re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", shown.stdout)
    assert len(figures) > 20 and all(len(f.split(".")[1]) == 3 for f in figures), figures


def test_init_project_for_unused_import() -> None:
    # init_project and MINI_CODEBOOK are shared fixtures' building blocks; keep them used.
    assert callable(init_project) and "codebook: mini" in MINI_CODEBOOK


def test_cli_review_takes_one_key_re_asks_and_finds_another_code(project: Project) -> None:
    assisted.suggest_for_project(project, rules_only=True, min_score=0.0)
    first = assisted.pending_suggestions(project, transcripts=["noord-r01"])[0]
    base = ["--project", str(project.root), "review", "noord-r01", "--coder", "ans"]
    # A wrong key asks again; 'o' searches as the coding screen does (by Dutch label).
    result = runner.invoke(app, base, input="xo" "hoog vertrouwen\n" "1q")
    assert result.exit_code == 0, result.output
    assert "'x' is not one of a, r, s, o, q; press one of those keys" in result.stderr
    assert f"coded noord-r01:{first.segment} trust.high" in result.stderr
    assert "accepted 1, rejected 0, skipped 0" in result.stderr
    coded = list_codings(project, coders=["ans"])
    assert [(c.segment, c.code, c.provenance) for c in coded] == [
        (first.segment, "trust.high", "manual")]
    # No match: say so and ask again; an empty line goes back to the suggestion.
    other = ["--project", str(project.root), "review", "zuid-r02", "--coder", "ans"]
    result = runner.invoke(app, other, input="o" "xqzwv\n" "\n" "s" "q")
    assert "no code matches 'xqzwv'" in result.stderr
    assert "accepted 0, rejected 0, skipped 1" in result.stderr
