"""Blind double coding: a coder sees only their own codings, memos and decisions while a
round is on; the lead switches it for everyone; each coder has their own pending list."""

from __future__ import annotations

import csv
import io
import json

import pytest

from qcode.coding import assisted
from qcode.models import Coding
from qcode.session.session import CodingSession
from qcode.store import Project
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import load_stored_codebook
from qcode.store.codings import add as add_codings
from tests.conftest import assert_usage_error, assert_user_error, qcode, snapshot

ANS_MEMO = "vertrouwen groeit door de koffieautomaat"


@pytest.fixture()
def double_coded(project: Project) -> Project:
    """noord-r01 coded by ans (with a memo) and b; a suggestion ans rejected."""
    add_codings(project, [
        Coding("noord-r01", 2, "governance.nao", "ans"),
        Coding("noord-r01", 4, "trust.high", "ans", memo=ANS_MEMO),
        Coding("noord-r01", 4, "trust.information_sharing.oral", "b"),
        Coding("noord-r01", 6, "trust.low", "b"),
    ])
    codebook = load_stored_codebook(project)
    assert codebook is not None
    suggestions_store.add_proposals(project, [
        suggestions_store.Proposal("noord-r01", 6, "trust.information_sharing.written", 0.8,
                                   "rules", evidence=("schriftelijk",)),
        suggestions_store.Proposal("noord-r01", 2, "dialogue", 0.6, "rules"),
    ], codebook_version=codebook.version)
    suggestion = assisted.find_suggestion(project, "noord-r01:6:trust.information_sharing."
                                                   "written", coder="ans")
    assisted.reject(project, suggestion, coder="ans")
    return project


def test_a_blind_session_holds_only_the_coders_own_work(double_coded: Project) -> None:
    open_view = CodingSession(double_coded, "noord-r01", "b")
    assert [c.coder for c in open_view.other_codings(4)] == ["ans"]
    blind = CodingSession(double_coded, "noord-r01", "b", blind=True)
    everything = [c for codings in blind.codings.values() for c in codings]
    assert {c.coder for c in everything} == {"b"}
    assert all(blind.other_codings(n) == [] for n in blind.respondent_numbers)
    assert ANS_MEMO not in repr(blind.codings)
    assert [c.code for c in blind.own_codings(4)] == ["trust.information_sharing.oral"]
    # What ans rejected is still pending for b; b's progress counts b's codings only.
    assert [s.code for s in blind.pending(6)] == ["trust.information_sharing.written"]
    assert blind.progress().coded == 2


def test_show_and_codings_list_blind_by_flag_and_environment(double_coded: Project) -> None:
    everyone = qcode(double_coded, "show", "noord-r01", "--format", "jsonl")
    assert {c for line in everyone.stdout.splitlines()
            for c in json.loads(line)["codes"]} >= {"trust.high", "trust.low"}
    for args, env in ((["--blind", "--coder", "b"], {}), ([], {"QCODE_BLIND": "1",
                                                              "QCODE_CODER": "b"})):
        shown = qcode(double_coded, "show", "noord-r01", "--format", "jsonl", *args, **env)
        assert shown.exit_code == 0, shown.output
        codes = {c for line in shown.stdout.splitlines() for c in json.loads(line)["codes"]}
        assert codes == {"trust.information_sharing.oral", "trust.low"}
        assert "blind: only the codes of b are shown" in shown.stderr
        listed = qcode(double_coded, "codings", "list", "--format", "csv", *args, **env)
        assert {row["coder"] for row in csv.DictReader(io.StringIO(listed.stdout))} == {"b"}
        assert ANS_MEMO not in listed.stdout
    # A coder with no codings yet sees an uncoded transcript, not an error.
    fresh = qcode(double_coded, "show", "noord-r01", "--blind", "--coder", "c", "-f", "jsonl")
    assert fresh.exit_code == 0 and all(json.loads(line)["codes"] == []
                                        for line in fresh.stdout.splitlines())


def test_the_lead_switches_a_round_on_for_everyone_and_off_to_compare(
    double_coded: Project,
) -> None:
    assert qcode(double_coded, "settings").stdout.startswith("blind  off")
    switched = qcode(double_coded, "settings", "blind", "on")
    assert switched.exit_code == 0 and "blind round on" in switched.stderr
    assert qcode(double_coded, "settings").stdout.startswith("blind  on (since ")
    shown = qcode(double_coded, "show", "noord-r01", "-f", "jsonl", QCODE_CODER="ans")
    assert {c for line in shown.stdout.splitlines() for c in json.loads(line)["codes"]} == {
        "governance.nao", "trust.high"}
    session = CodingSession(double_coded, "noord-r01", "ans",
                            blind=True)  # what 'qcode tag' opens during the round
    assert all(session.other_codings(n) == [] for n in session.respondent_numbers)
    before = snapshot(double_coded)
    assert_user_error(qcode(double_coded, "disagreements"),
                      "a blind double-coding round is on (since ")
    assert snapshot(double_coded) == before
    assert qcode(double_coded, "settings", "blind", "off").exit_code == 0
    compared = qcode(double_coded, "disagreements", "--coders", "ans", "b")
    assert compared.exit_code == 0, compared.output
    assert "segments differ between ans, b" in compared.stderr


def test_blind_mistakes_are_one_line(double_coded: Project) -> None:
    assert_usage_error(qcode(double_coded, "show", "noord-r01", "--blind", "--coder", "ans",
                             "--coder", "b"), "a blind view shows one coder's own work")
    assert_user_error(qcode(double_coded, "show", "noord-r01", QCODE_BLIND="misschien"),
                      "QCODE_BLIND='misschien': expected 1 (blind) or 0 (not blind)")
    # Removing a code you do not have does not say who else has it, in a blind view.
    removing = qcode(double_coded, "codings", "remove", "noord-r01", "4", "trust.high",
                     "--coder", "b", QCODE_BLIND="1")
    assert_user_error(removing, "noord-r01:4 has no coding trust.high by b;")
    assert "ans" not in removing.stderr
    assert "it has trust.high by ans" in qcode(double_coded, "codings", "remove", "noord-r01",
                                               "4", "trust.high", "--coder", "b").stderr
    wrong = qcode(double_coded, "settings", "blind", "aan")
    assert wrong.exit_code == 2 and "'aan' is not one of 'on', 'off'" in wrong.stderr


def test_review_list_shows_each_coders_own_pending_suggestions(double_coded: Project) -> None:
    for coder, expected in (("b", {("noord-r01", "6", "trust.information_sharing.written"),
                                   ("noord-r01", "2", "dialogue")}),
                            ("ans", set())):
        listed = qcode(double_coded, "review", "--list", "--coder", coder, "--format", "csv")
        assert listed.exit_code == 0, listed.output
        found = {(r["transcript"], r["segment"], r["code"])
                 for r in csv.DictReader(io.StringIO(listed.stdout))}
        # ans coded segment 2 with governance.nao, not dialogue: dialogue stays pending.
        assert found == (expected if coder == "b" else {("noord-r01", "2", "dialogue")})
    jsonl = qcode(double_coded, "review", "--list", "--coder", "b", "--format", "jsonl")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert rows[0]["evidence"] == [] and rows[1]["evidence"] == ["schriftelijk"]
    table = qcode(double_coded, "review", "--list", "--coder", "nieuw")
    assert table.exit_code == 0 and "trust.information_sharing.written" in table.stdout
    assert_usage_error(qcode(double_coded, "review", "--list", "--accept",
                             "noord-r01:2:dialogue"), "--list shows your pending suggestions")
