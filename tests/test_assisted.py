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
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.store import Project, init_project
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from tests.conftest import MINI_CODEBOOK, snapshot

runner = CliRunner()

# The mini interviews name each code with one keyword, which the calibrated rule score
# puts at about 0.2; a low threshold lets these tests see suggestions at all.
MINI = 0.15


def test_suggest_is_idempotent_and_never_touches_codings(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    codings_before = list_codings(project)
    first = assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    assert first.new > 0
    rows = project._db.execute("SELECT count(*) FROM suggestions").fetchone()[0]
    second = assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    assert second.new == 0 and second.updated == first.new
    assert project._db.execute("SELECT count(*) FROM suggestions").fetchone()[0] == rows
    assert list_codings(project) == codings_before
    # Segment 4 is coded trust.high: trust itself is not suggested there again.
    assert not any(s.segment == 4 and s.transcript == "noord-r01" and s.code == "trust"
                   for s in second.suggestions)


def test_suggestions_carry_evidence_from_the_segment(project: Project) -> None:
    outcome = assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    assert outcome.suggestions
    for suggestion in outcome.suggestions:
        assert 0 <= suggestion.score <= 1
        assert suggestion.method == "rules"
        assert suggestion.evidence
        for start, end in suggestion.spans:
            assert suggestion.text[start:end]


def test_accept_and_reject_record_provenance(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    pending = assisted.pending_suggestions(project, coder="ans")
    assert len(pending) >= 2
    first, second = pending[0], pending[1]
    coding = assisted.accept(project, first, coder="ans")
    assert coding.provenance == "suggestion"
    assisted.reject(project, second, coder="ans")
    statuses = {(d.transcript, d.segment, d.code): (d.status, d.coder)
                for d in suggestions_store.decisions(project)}
    assert statuses[(first.transcript, first.segment, first.code)] == ("accepted", "ans")
    assert statuses[(second.transcript, second.segment, second.code)] == ("rejected", "ans")
    # Decided suggestions are not pending again for the coder who decided them ...
    again = assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    decided = {(s.transcript, s.segment, s.code) for s in (first, second)}
    assert not decided & {(s.transcript, s.segment, s.code) for s in again.suggestions}
    with pytest.raises(QcodeError, match="already rejected"):
        assisted.find_suggestion(project, f"{second.transcript}:{second.segment}:{second.code}",
                                 coder="ans")
    # ... but another coder still sees them: a decision belongs to who took it.
    theirs = {(s.transcript, s.segment, s.code)
              for s in assisted.pending_suggestions(project, coder="bert")}
    assert (second.transcript, second.segment, second.code) in theirs


def test_accept_with_another_code_rejects_the_suggestion(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    suggestion = assisted.pending_suggestions(project, coder="ans")[0]
    coding = assisted.accept(project, suggestion, coder="ans", code="dialogue")
    assert (coding.code, coding.provenance) == ("dialogue", "manual")
    [decision] = suggestions_store.decisions(project)
    assert (decision.code, decision.status, decision.coder) == (suggestion.code, "rejected",
                                                                 "ans")


def test_accept_above_is_bulk(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=MINI)
    accepted = assisted.accept_above(project, 0.0, coder="ans")
    assert accepted and all(c.provenance == "bulk" for c in accepted)
    assert assisted.pending_suggestions(project, coder="ans") == []


def test_suggest_refusals_change_nothing(empty_project: Project, sample_files: Path) -> None:
    with pytest.raises(QcodeError, match="no codebook yet"):
        assisted.suggest_for_project(empty_project, coder="ans")
    from qcode.codebook import load_codebook

    save_codebook(empty_project, load_codebook(sample_files / "mini.yaml"))
    before = snapshot(empty_project)
    with pytest.raises(QcodeError, match="no transcripts yet"):
        assisted.suggest_for_project(empty_project, coder="ans")
    with pytest.raises(QcodeError, match="unknown transcript 'nergens'"):
        assisted.suggest_for_project(empty_project, coder="ans", transcripts=["nergens"])
    assert snapshot(empty_project) == before


def test_train_without_codings_learns_from_the_codebook(project: Project) -> None:
    [info] = assisted.train(project, levels=("top",), skip_rare=True)
    assert info.examples == 0 and info.seeds > 0
    # trust has a description and keywords in the codebook; dialogue only a label
    assert "trust" in info.labels and "dialogue" in info.skipped
    outcome = assisted.suggest_for_project(project, coder="ans", min_score=0.0)
    trust = [s for s in outcome.suggestions if s.code == "trust"]
    assert trust and trust[0].method in {"model", "rules+model"}


def test_train_refuses_too_few_examples_and_names_codes(project: Project) -> None:
    # dialogue has one coded segment and only its label in the codebook: two examples
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("zuid-r02", 2, "dialogue", "ans")])
    before = snapshot(project)
    with pytest.raises(QcodeError) as caught:
        assisted.train(project, levels=("top",))
    assert "dialogue (1)" in str(caught.value)
    assert "trust" not in str(caught.value).split(":")[-1]
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
    # a model trained on this transcript finds most of its codes already coded: a low
    # threshold leaves suggestions to look at
    result = runner.invoke(app, ["--project", str(sample_project), "suggest", "rivierstad-r05",
                                 "--min-score", "0.2", "--format", "jsonl"])
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
        pending = assisted.pending_suggestions(project, coder="ans", transcripts=["noordrand-r03"])
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
    # A value that cannot be read is a usage mistake (exit 2), like an unknown option.
    assert bad.exit_code == 2 and "expected TRANSCRIPT:SEGMENT:CODE" in bad.stderr
    with Project(sample_project / "qcode.db") as project:
        mine = list_codings(project, coders=["ans"])
    assert [c.provenance for c in mine] == ["suggestion"]


def test_cli_evaluate_reports_every_method_and_the_reliability(sample_project: Path) -> None:
    # One run for scripts, one for people (cross-validation is the slow part of the suite).
    result = runner.invoke(app, ["--project", str(sample_project), "evaluate", "--coder", "ref",
                                 "--folds", "3", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = {json.loads(line)["code"]: json.loads(line) for line in result.stdout.splitlines()}
    assert "micro" in rows and "trust" in rows
    for method in ("baseline", "rules", "model", "combined"):
        assert 0 <= rows["micro"][f"{method}_f1"] <= 1
    assert 0 <= rows["micro"]["combined_ece"] <= 0.2 and 0 <= rows["micro"]["rules_ece"] <= 0.2
    shown = runner.invoke(app, ["--project", str(sample_project), "evaluate", "--coder",
                                "ref", "--folds", "2"])
    assert shown.exit_code == 0, shown.output
    assert "Reliability of the scores" in shown.stdout and "share coded" in shown.stdout
    assert "expected calibration error" in shown.stderr
    assert "codebook" in shown.stdout  # the cold-start method beside the others
    # Every figure with three decimals, on screen and in CSV (0.400, never 0.4).
    # The reliability table's score bins (0.2-0.3) are ranges, not figures.
    tables = shown.stdout.split("Reliability of the scores")[0]
    figures = re.findall(r"(?<![\d.])\d+\.\d+(?![\d.])", tables)
    assert len(figures) > 20 and all(len(f.split(".")[1]) == 3 for f in figures), figures


def test_init_project_for_unused_import() -> None:
    # init_project and MINI_CODEBOOK are shared fixtures' building blocks; keep them used.
    assert callable(init_project) and "codebook: mini" in MINI_CODEBOOK


def test_trained_scores_spread_over_the_range(sample_project: Path) -> None:
    result = runner.invoke(app, ["--project", str(sample_project), "suggest", "--min-score",
                                 "0.01", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    scores = [json.loads(line)["score"] for line in result.stdout.splitlines()]
    assert len(set(scores)) > 30
    # what a model already coded is not suggested again; the rest still spreads
    assert len({min(int(score * 10), 9) for score in scores}) >= 4


def _coded_mini(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("noord-r01", 6, "trust.information_sharing.written", "ans"),
                          Coding("zuid-r02", 2, "trust.information_sharing", "ans"),
                          Coding("zuid-r02", 4, "trust.low", "ans")])


def test_cli_evaluate_curve_table_and_plot(project: Project, tmp_path: Path) -> None:
    _coded_mini(project)
    base = ["--project", str(project.root)]
    picture = tmp_path / "curve.svg"
    result = runner.invoke(app, [*base, "evaluate", "--curve", "--orderings", "2",
                                 "--plot", str(picture), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    points = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["transcripts"] for p in points] == [0, 1]
    assert {"micro_f1", "macro_f1", "lowest", "highest", "rules_alone"} <= set(points[0])
    assert picture.read_text(encoding="utf-8").startswith("<?xml")
    assert "drew the learning curve" in result.stderr


def test_cli_evaluate_curve_refusals(project: Project, tmp_path: Path) -> None:
    base = ["--project", str(project.root)]
    usage = runner.invoke(app, [*base, "evaluate", "--plot", str(tmp_path / "c.png")])
    assert usage.exit_code == 2 and "--curve" in usage.output
    _coded_mini(project)
    bad = runner.invoke(app, [*base, "evaluate", "--curve", "--plot", str(tmp_path / "c.gif")])
    assert bad.exit_code == 1 and ".gif" in bad.stderr
    assert not (tmp_path / "c.gif").exists()


def test_review_orders(project: Project) -> None:
    # a model from the codebook alone spreads the scores (rules alone give one per count)
    assisted.train(project, levels=("top",), skip_rare=True)
    assisted.suggest_for_project(project, coder="ans", min_score=0.0)
    pending = assisted.pending_suggestions(project, coder="ans")
    assert len({s.score for s in pending}) > 3
    by_score = assisted.order_suggestions(pending, "score")
    assert [s.score for s in by_score] == sorted((s.score for s in pending), reverse=True)
    uncertain = assisted.order_suggestions(pending, "uncertain")
    gaps = [abs(s.score - 0.5) for s in uncertain]
    assert gaps == sorted(gaps)
    assert assisted.order_suggestions(pending, "transcript") == pending
    with pytest.raises(QcodeError, match="unknown review order"):
        assisted.order_suggestions(pending, "random")


def test_cli_review_most_confident_first(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    best = max(assisted.pending_suggestions(project, coder="ans"), key=lambda s: s.score)
    result = runner.invoke(app, ["--project", str(project.root), "review", "--order", "score",
                                 "--coder", "ans"], input="a\nq\n")
    assert result.exit_code == 0, result.output
    coded = list_codings(project, coders=["ans"])
    assert [(c.transcript, c.segment, c.code) for c in coded] == [
        (best.transcript, best.segment, best.code)
    ]


def test_cli_review_takes_one_key_re_asks_and_finds_another_code(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    first = assisted.pending_suggestions(project, coder="ans", transcripts=["noord-r01"])[0]
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


def test_each_respondent_turn_is_read_with_the_question_it_answers(
    project: Project, tmp_path: Path
) -> None:
    from qcode.importing import import_paths

    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "oost-r03.txt").write_text(
        "I: Goedemorgen.\n\nI: Hoe werkt het huis?\n\nR: Goed.\n\nR: En verder ook.\n",
        encoding="utf-8",
    )
    import_paths(project, [folder])
    found = assisted.questions(project, ["noord-r01", "oost-r03"])
    assert found[("noord-r01", 4)] == "Hoe is het vertrouwen tussen de partners?"
    assert found[("oost-r03", 3)] == "Goedemorgen. Hoe werkt het huis?"
    assert ("oost-r03", 4) not in found  # it follows the respondent's own turn
    assert not any(key[1] % 2 for key in found if key[0] == "noord-r01")
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    segments = {s.segment: s for s in assisted.coded_segments(project)}
    assert segments[4].context == "Hoe is het vertrouwen tussen de partners?"
