"""Memos on everything a researcher writes about: targets, the store's rules, the
commands, and memos following their text through re-imports, renames and merges."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcode.codebook import load_codebook
from qcode.errors import CodebookError, MemoError, UsageError
from qcode.importing import import_paths
from qcode.models import Coding, Memo, MemoTarget
from qcode.store import Project
from qcode.store import memos as memos_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.values import parse_memo_reference, parse_memo_target
from tests.conftest import (
    INTERVIEW_ONE,
    MINI_CODEBOOK,
    assert_usage_error,
    assert_user_error,
    qcode,
    snapshot,
)

# noord-r01: 1 I, 2 R ("Ik ben hoofd ..."), 3 I, 4 R ("Het vertrouwen is hoog. ..."),
# 5 I, 6 R ("Schriftelijk delen ..."); zuid-r02: 1 I, 2 R, 3 I, 4 R.
NOORD = "Veiligheidshuis Noord"


def memo(target: str, text: str, coder: str = "ans", **kwargs: object) -> Memo:
    return Memo(target=parse_memo_target(target), text=text, coder=coder, **kwargs)  # type: ignore[arg-type]


def where(project: Project) -> list[tuple[str, str, str]]:
    return [(m.target.describe(), m.text, m.coder) for m in memos_store.select(project)]


# -- targets ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("project", MemoTarget("project")),
    ("Project", MemoTarget("project")),
    ("case:Veiligheidshuis Noord", MemoTarget("case", "Veiligheidshuis Noord")),
    ("respondent:R01", MemoTarget("respondent", "R01")),
    ("transcript:noord-r01", MemoTarget("transcript", "noord-r01")),
    ("code:trust.information_sharing", MemoTarget("code", "trust.information_sharing")),
    ("segment:noord-r01:4", MemoTarget("segment", "noord-r01", 4)),
    ("segment:huis:a:r01:12", MemoTarget("segment", "huis:a:r01", 12)),
])
def test_memo_targets_are_read_as_typed(text: str, expected: MemoTarget) -> None:
    assert parse_memo_target(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected project, case:NAME"),
    ("huis", "expected project, case:NAME"),
    ("project:x", "expected project, case:NAME"),
    ("case:", "needs a name"),
    ("segment:noord-r01", "expected segment:ID:SEG"),
    ("segment:noord-r01:0", "expected segment:ID:SEG"),
    ("segment:noord-r01:²", "expected segment:ID:SEG"),
    ("case:Noord\u202e", r"U\+202E"),
])
def test_unreadable_memo_targets_are_usage_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_memo_target(text)


def test_a_span_belongs_to_a_segment() -> None:
    assert parse_memo_target("segment:r01:4", span=(0, 5)).span == (0, 5)
    with pytest.raises(UsageError, match="a span belongs to a segment"):
        parse_memo_target("transcript:r01", span=(0, 5))
    assert parse_memo_reference("12") == 12
    assert parse_memo_reference("code:trust") == MemoTarget("code", "trust")


_names = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")),
                 min_size=1, max_size=20).filter(lambda s: s.strip() == s and s.strip())


@given(kind=st.sampled_from(["case", "respondent", "transcript", "code", "segment"]),
       name=_names, segment=st.integers(1, 10_000))
def test_every_target_reads_back_as_written(kind: str, name: str, segment: int) -> None:
    target = MemoTarget(kind, name, segment if kind == "segment" else None)
    assert parse_memo_target(str(target)) == target


@given(st.text(max_size=40))
def test_any_text_is_a_target_or_a_usage_error(text: str) -> None:
    try:
        target = parse_memo_target(text)
    except UsageError as exc:
        assert "\n" not in str(exc)
        return
    assert target.kind in ("project", "case", "respondent", "transcript", "code", "segment")


# -- the store ------------------------------------------------------------------------


def test_memos_on_every_kind_of_target_keep_their_text_byte_for_byte(project: Project) -> None:
    text = "Coöperatie één tafel: ‘casuïstiek’ — café\r\nregel twee\u00a0"
    outcome = memos_store.add(project, [
        memo("project", "Dag 1: interviews in Noord afgerond."),
        memo(f"case:{NOORD}", text),
        memo("respondent:R01", "Hoofd van het huis."),
        memo("transcript:noord-r01", "Opname slecht verstaanbaar rond minuut 12."),
        memo("code:trust.high", "Alleen als de respondent het zelf zo noemt."),
        Memo(parse_memo_target("segment:noord-r01:4", span=(0, 23)), "Stellig.", "ans"),
        memo("segment:noord-r01:3", "Sturende vraag.", coder="b"),
    ])
    assert len(outcome.added) == 7 and not outcome.already_present
    stored = memos_store.select(project, target=MemoTarget("case", NOORD))
    assert [m.text for m in stored] == [text]
    assert stored[0].created_at and stored[0].updated_at == stored[0].created_at
    # A transcript's memos include its segments'; project first, then by target.
    assert [m.target.kind for m in memos_store.select(
        project, target=MemoTarget("transcript", "noord-r01"))] == ["transcript", "segment",
                                                                   "segment"]
    assert [m.target.kind for m in memos_store.select(project)] == [
        "project", "case", "respondent", "transcript", "code", "segment", "segment"]
    # An interviewer turn can carry a memo (a leading question), though not a coding.
    assert memos_store.select(project, coders=["b"])[0].target.segment == 3


def test_an_identical_memo_is_stored_once(project: Project) -> None:
    entry = memo("project", "Notitie", created_at="2026-03-20T10:00:00+00:00")
    memos_store.add(project, [entry])
    again = memos_store.add(project, [entry])
    assert not again.added and len(again.already_present) == 1
    # The same text written at another moment is another journal entry.
    memos_store.add(project, [memo("project", "Notitie", created_at="2026-03-21T10:00:00+00:00")])
    assert len(memos_store.select(project)) == 2


@pytest.mark.parametrize(("target", "message"), [
    ("case:Veiligheidshuis Nord", "did you mean 'Veiligheidshuis Noord'"),
    ("respondent:R99", "no respondent 'R99'"),
    ("transcript:noord-r1", "unknown transcript 'noord-r1'"),
    ("code:trust.middle", "no code 'trust.middle'"),
    ("segment:noord-r01:9", "noord-r01 has segments 1 to 6"),
])
def test_a_memo_on_something_the_project_lacks_is_refused(project: Project, target: str,
                                                          message: str) -> None:
    memos_store.add(project, [memo("project", "blijft")])
    before = snapshot(project)
    with pytest.raises(Exception, match=message):
        memos_store.add(project, [memo("project", "eerst goed"), memo(target, "tekst")])
    assert snapshot(project) == before


def test_spans_and_empty_texts_are_checked(project: Project) -> None:
    with pytest.raises(MemoError, match="runs past the end"):
        memos_store.add(project, [Memo(parse_memo_target("segment:noord-r01:4", span=(0, 999)),
                                       "x", "ans")])
    with pytest.raises(MemoError, match="the text is empty"):
        memos_store.add(project, [memo("project", " \n ")])


def test_resolve_edit_and_remove_respect_whose_memo_it_is(project: Project) -> None:
    memos_store.add(project, [
        memo("project", "een"), memo("project", "twee"), memo("code:trust", "van b", coder="b"),
    ])
    with pytest.raises(MemoError, match="has 2 memos by ans .numbers 1, 2."):
        memos_store.resolve(project, MemoTarget("project"), coder="ans")
    with pytest.raises(MemoError, match="is b's, not ans's; pass --coder b"):
        memos_store.resolve(project, 3, coder="ans")
    with pytest.raises(MemoError, match="there are memos there by b"):
        memos_store.resolve(project, MemoTarget("code", "trust"), coder="ans")
    found = memos_store.resolve(project, MemoTarget("code", "trust"), coder="b")
    changed = memos_store.edit(project, found, "van b, herzien")
    assert changed.created_at == found.created_at and changed.updated_at >= found.updated_at
    assert memos_store.get(project, 3).text == "van b, herzien"
    removed = memos_store.remove(project, memos_store.resolve(project, 2, coder="ans"))
    assert [m.text for m in memos_store.select(project, kinds=["project"])] == ["een"]
    memos_store.restore(project, removed)
    assert memos_store.get(project, 2).text == "twee"
    with pytest.raises(MemoError, match="no memo 9"):
        memos_store.get(project, 9)


# -- codebook changes -------------------------------------------------------------------


def test_a_rename_moves_code_memos_and_a_swap_swaps(project: Project, sample_files: Path) -> None:
    memos_store.add(project, [memo("code:trust.high", "hoog"), memo("code:trust.low", "laag")])
    change = save_codebook(project, load_codebook(sample_files / "mini.yaml"),
                           renames={"trust.high": "trust.low", "trust.low": "trust.high"})
    assert change.memos_moved == {("trust.high", "trust.low"): 1, ("trust.low", "trust.high"): 1}
    assert where(project) == [("code:trust.high", "laag", "ans"),
                              ("code:trust.low", "hoog", "ans")]


def test_a_code_with_memos_never_disappears_silently(project: Project, tmp_path: Path) -> None:
    memos_store.add(project, [memo("code:dialogue", "Kern van de tweede onderzoeksvraag.")])
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(MINI_CODEBOOK.split("  dialogue:")[0], encoding="utf-8")
    before = snapshot(project)
    with pytest.raises(CodebookError, match=r"code\(s\) with memos would disappear: dialogue "
                                            r"\(1 memo"):
        save_codebook(project, load_codebook(smaller))
    assert snapshot(project) == before
    change = save_codebook(project, load_codebook(smaller), renames={"dialogue": "governance"})
    assert change.memos_moved == {("dialogue", "governance"): 1}
    assert where(project)[0][0] == "code:governance"


# -- re-imports: memos follow their text ---------------------------------------------------


def _reimport(project: Project, sample_files: Path, text: str) -> tuple[str, ...]:
    (sample_files / "interviews" / "noord-r01.txt").write_text(text, encoding="utf-8")
    return import_paths(project, [sample_files / "interviews"]).notes


INSERTED = INTERVIEW_ONE.replace(
    "I: Hoe is het vertrouwen", "I: Even een tussenvraag.\n\nR: Graag.\n\nI: Hoe is het vertrouwen")


def test_memos_on_unchanged_turns_shift_with_an_inserted_turn(project: Project,
                                                              sample_files: Path) -> None:
    memos_store.add(project, [
        memo("segment:noord-r01:4", "Hoog vertrouwen, zonder aarzeling."),
        Memo(parse_memo_target("segment:noord-r01:6", span=(0, 19)), "AVG als rem.", "ans"),
        memo("segment:noord-r01:3", "Sturende vraag.", coder="b"),
        memo("transcript:noord-r01", "Blijft op het transcript."),
    ])
    _reimport(project, sample_files, INSERTED)
    assert where(project) == [
        ("transcript:noord-r01", "Blijft op het transcript.", "ans"),
        ("segment:noord-r01:5", "Sturende vraag.", "b"),
        ("segment:noord-r01:6", "Hoog vertrouwen, zonder aarzeling.", "ans"),
        ("segment:noord-r01:8 [0:19]", "AVG als rem.", "ans"),
    ]


def test_a_span_memo_follows_its_words_into_the_edited_turn(project: Project,
                                                            sample_files: Path) -> None:
    from qcode.store.transcripts import get_segments

    words = "lastiger door de AVG"
    old = get_segments(project, "noord-r01")[5].text
    start = old.index(words)
    memos_store.add(project, [Memo(parse_memo_target(
        "segment:noord-r01:6", span=(start, start + len(words))), "Waarom lastiger?", "ans")])
    _reimport(project, sample_files, INTERVIEW_ONE.replace(
        "Schriftelijk delen is", "Schriftelijk gegevens delen is nog steeds"))
    [moved] = memos_store.select(project)
    new = get_segments(project, "noord-r01")[5].text
    assert new != old
    assert moved.target.segment == 6 and moved.target.span is not None
    begin, end = moved.target.span
    assert new[begin:end] == words and begin != start


def test_a_memo_on_an_edited_turn_stays_with_it(project: Project, sample_files: Path) -> None:
    memos_store.add(project, [memo("segment:noord-r01:4", "Stellig antwoord.")])
    notes = _reimport(project, sample_files, INTERVIEW_ONE.replace(
        "Het vertrouwen is hoog.", "Het vertrouwen is erg hoog."))
    assert where(project) == [("segment:noord-r01:4", "Stellig antwoord.", "ans")]
    assert not any("memo" in note for note in notes)


def test_a_memo_with_no_single_place_is_kept_on_the_transcript_with_a_note(
    project: Project, sample_files: Path
) -> None:
    memos_store.add(project, [Memo(parse_memo_target("segment:noord-r01:4", span=(0, 23)),
                                   "Over vertrouwen.", "ans")])
    rewritten = INTERVIEW_ONE.replace(
        "R: Het vertrouwen is hoog. We delen veel mondeling, in het casusoverleg zelf.",
        "R: Goed, we spreken elkaar wekelijks.")
    notes = _reimport(project, sample_files, rewritten)
    assert where(project) == [("transcript:noord-r01", "Over vertrouwen.", "ans")]
    [message] = [note for note in notes if "memo" in note]
    assert "segment:noord-r01:4 [0:23] has no single place" in message
    assert "kept as a memo on the transcript" in message


# -- merging ------------------------------------------------------------------------------


def test_merge_brings_memos_once_and_keeps_the_text_here(project: Project,
                                                         sample_files: Path) -> None:
    from qcode.coding.merge import merge_project
    from qcode.store import init_project

    other_root = sample_files / "other"
    other = init_project(other_root)
    (sample_files / "copy").mkdir()
    for name in ("noord-r01.txt", "zuid-r02.txt"):
        (sample_files / "copy" / name.replace("noord", "n")).write_text(
            (sample_files / "interviews" / name).read_text(encoding="utf-8"), encoding="utf-8")
    import_paths(other, [sample_files / "copy"])
    save_codebook(other, load_codebook(sample_files / "mini.yaml"))
    add_codings(other, [Coding("n-r01", 4, "trust.high", "b")])
    memos_store.add(other, [
        memo("project", "Dagboek van b.", coder="b", created_at="2026-03-20T09:00:00+00:00"),
        memo(f"case:{NOORD}", "Noord ondersteunt alleen.", coder="b",
             created_at="2026-03-20T09:05:00+00:00"),
        memo("segment:n-r01:4", "Let op de toon.", coder="b",
             created_at="2026-03-20T09:10:00+00:00"),
        memo("code:trust", "Grens met consensus bewaken.", coder="b",
             created_at="2026-03-20T09:15:00+00:00"),
    ])
    other.close()
    outcome = merge_project(project, other_root)
    assert (outcome.memos_added, outcome.memos_present, outcome.memos_differ) == (4, 0, 0)
    assert ("segment:noord-r01:4", "Let op de toon.", "b") in where(project)
    again = merge_project(project, other_root)
    assert (again.memos_added, again.memos_present) == (0, 4)
    # The same memo changed here: the text here is kept and the difference reported.
    mine = memos_store.resolve(project, MemoTarget("code", "trust"), coder="b")
    memos_store.edit(project, mine, "Grens met consensus bewaken (herzien).")
    third = merge_project(project, other_root)
    assert (third.memos_added, third.memos_differ) == (0, 1)
    assert memos_store.get(project, mine.id or 0).text.endswith("(herzien).")


def test_merge_refuses_memos_on_a_case_this_project_lacks(project: Project,
                                                          sample_files: Path) -> None:
    from qcode.coding.merge import MergeError, merge_project
    from qcode.store import init_project

    other_root = sample_files / "other"
    other = init_project(other_root)
    import_paths(other, [sample_files / "interviews"])
    save_codebook(other, load_codebook(sample_files / "mini.yaml"))
    from qcode.store.transcripts import set_respondent_attributes

    set_respondent_attributes(other, "R01", {"case": "Veiligheidshuis West"})
    memos_store.add(other, [memo("case:Veiligheidshuis West", "Alleen daar.", coder="b")])
    other.close()
    before = snapshot(project)
    with pytest.raises(MergeError, match="case:Veiligheidshuis West .b."):
        merge_project(project, other_root)
    assert snapshot(project) == before


# -- the commands -----------------------------------------------------------------------


def test_memo_commands_end_to_end(project: Project) -> None:
    root = project.root
    project.close()
    result = qcode(root, "memo", "add", f"case:{NOORD}", "Eén huis, twee rollen.",
                   "--coder", "ans")
    assert result.exit_code == 0, result.output
    assert "added memo 1 on case:Veiligheidshuis Noord (ans)" in result.stderr
    assert qcode(root, "memo", "add", "segment:noord-r01:4", "Stellig.", "--span", "0:23",
                 "--coder", "ans").exit_code == 0
    assert qcode(root, "memo", "add", "project", "Dag één.", "--coder", "b").exit_code == 0
    listed = qcode(root, "memo", "list", "--format", "jsonl")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["id"], r["target"], r["span"], r["text"], r["coder"]) for r in rows] == [
        (3, "project", "", "Dag één.", "b"),
        (1, "case:Veiligheidshuis Noord", "", "Eén huis, twee rollen.", "ans"),
        (2, "segment:noord-r01:4", "0:23", "Stellig.", "ans"),
    ]
    assert set(rows[0]) == {"id", "target", "span", "text", "coder", "created_at", "updated_at"}
    csv_out = qcode(root, "memo", "list", "segment:noord-r01:4", "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "id,target,span,text,coder,created_at,updated_at"
    assert len(csv_out.splitlines()) == 2
    table = qcode(root, "memo", "list", "project")
    assert "Dag één." in table.stdout
    edited = qcode(root, "memo", "edit", f"case:{NOORD}", "Eén huis, drie rollen.",
                   "--coder", "ans")
    assert edited.exit_code == 0, edited.output
    assert "changed memo 1" in edited.stderr
    removed = qcode(root, "memo", "remove", "3", "--coder", "b")
    assert removed.exit_code == 0 and "removed memo 3 on project (b)" in removed.stderr
    assert "no memos" in qcode(root, "memo", "list", "project").stderr


@pytest.mark.parametrize(("args", "message"), [
    (["memo", "add", "case:Veiligheidshuis Oost", "tekst"], "no case 'Veiligheidshuis Oost'"),
    (["memo", "add", "project", "  "], "the text is empty"),
    (["memo", "edit", "1", "nieuw", "--coder", "b"], "is ans's, not b's; pass --coder ans"),
    (["memo", "remove", "7"], "no memo 7 in this project"),
    (["memo", "edit", "project", "x", "--coder", "b"], "no memo by b on project"),
    (["memo", "list", "--coder", "zz"], "--coder zz: no memos by that coder"),
    (["memo", "list", "code:trust.middle"], "no code 'trust.middle'"),
])
def test_memo_mistakes_exit_1_and_change_nothing(project: Project, args: list[str],
                                                 message: str) -> None:
    memos_store.add(project, [memo("project", "Eerste notitie.")])
    before = snapshot(project)
    root = project.root
    result = qcode(root, *args, QCODE_CODER="ans")
    assert_user_error(result, message)
    assert snapshot(project) == before


@pytest.mark.parametrize(("args", "message"), [
    (["memo", "add", "segment:noord-r01", "x"], "expected segment:ID:SEG"),
    (["memo", "add", "huis:Noord", "x"], "expected project, case:NAME"),
    (["memo", "add", "project", "x", "--span", "0:5"], "a span belongs to a segment"),
    (["memo", "add", "segment:noord-r01:4", "x", "--span", "5"], "expected START:END"),
    (["memo", "add", "project"], "no memo text"),
])
def test_unreadable_memo_values_exit_2(project: Project, args: list[str], message: str) -> None:
    before = snapshot(project)
    assert_usage_error(qcode(project.root, *args), message)
    assert snapshot(project) == before


def test_memo_add_edit_writes_in_the_editor(project: Project, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nwith open(sys.argv[1], 'a', encoding='utf-8') as f:\n"
                      "    f.write('Geschreven in de editor: één.\\n')\n", encoding="utf-8")
    command = f"{sys.executable} {editor}"
    result = qcode(project.root, "memo", "add", "transcript:noord-r01", "--edit",
                   "--coder", "ans", EDITOR=command, VISUAL=command)
    assert result.exit_code == 0, result.output
    assert where(project) == [("transcript:noord-r01", "Geschreven in de editor: één.", "ans")]
    # --edit on edit starts from the memo's text.
    assert qcode(project.root, "memo", "edit", "1", "--edit", "--coder", "ans",
                 EDITOR=command, VISUAL=command).exit_code == 0
    assert memos_store.get(project, 1).text == (
        "Geschreven in de editor: één.\nGeschreven in de editor: één.")


def test_memo_import_reads_what_memo_list_writes(project: Project, tmp_path: Path) -> None:
    memos_store.add(project, [
        memo("project", "=SOM(A1) staat er letterlijk", created_at="2026-03-20T09:00:00+00:00"),
        Memo(parse_memo_target("segment:noord-r01:4", span=(0, 23)), "Twee\nregels", "b",
             created_at="2026-03-21T09:00:00+00:00"),
    ])
    exported = qcode(project.root, "memo", "list", "--format", "csv").stdout
    (tmp_path / "memos.csv").write_text(exported, encoding="utf-8")
    target = tmp_path / "target"
    from qcode.store import init_project

    fresh = init_project(target)
    import_paths(fresh, [tmp_path / "interviews"] if (tmp_path / "interviews").exists()
                 else [project.root.parent / "interviews"])
    save_codebook(fresh, load_codebook(project.root.parent / "mini.yaml"))
    result = qcode(fresh.root, "memo", "import", str(tmp_path / "memos.csv"))
    assert result.exit_code == 0, result.output
    assert where(fresh) == where(project)
    again = qcode(fresh.root, "memo", "import", str(tmp_path / "memos.csv"))
    assert "2 were already present" in again.stderr and len(where(fresh)) == 2


def test_memo_import_names_the_bad_line_and_imports_nothing(project: Project,
                                                            tmp_path: Path) -> None:
    bad = tmp_path / "memos.csv"
    bad.write_text("target,text\nproject,goed\ncase:Nergens,fout\n", encoding="utf-8")
    before = snapshot(project)
    assert_user_error(qcode(project.root, "memo", "import", str(bad)),
                      f"{bad}:3: memo target case:Nergens: no case 'Nergens'")
    bad.write_text("target,text\nsegment:x,fout\n", encoding="utf-8")
    assert_user_error(qcode(project.root, "memo", "import", str(bad)),
                      f"{bad}:2: memo target 'segment:x'")
    assert snapshot(project) == before


def test_editor_that_cannot_start_is_one_line(project: Project) -> None:
    result = qcode(project.root, "memo", "add", "project", "--edit",
                   EDITOR="/nonexistent/editor-xyz", VISUAL="/nonexistent/editor-xyz")
    assert_user_error(result, "could not open the editor")


def test_a_backup_keeps_the_memos(project: Project, tmp_path: Path) -> None:
    memos_store.add(project, [memo("project", "Back-up vóór de tweede ronde."),
                              memo("segment:noord-r01:4", "Stellig.")])
    copy = tmp_path / "kopie.db"
    result = qcode(project.root, "backup", str(copy))
    assert result.exit_code == 0, result.output
    from qcode.store import find_project

    with find_project(copy) as restored:
        assert where(restored) == where(project)
