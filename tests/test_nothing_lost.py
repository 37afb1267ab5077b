"""Nothing lost or misplaced without a word: the everyday ways a corpus used to lose work.

Each test is one of the defects found when qcode was tried as a new user and by hostile
use: a database overwritten by an export, one house's interview replaced by another's,
codings left on the wrong turn, renames folding codes and memos, links and attributes
reset by a re-import, decisions dropped silently, ids that garble listings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcode.codebook import load_codebook
from qcode.errors import TranscriptError, UsageError
from qcode.importing import import_paths
from qcode.models import Coding
from qcode.store import Project
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from qcode.store.suggestions import Proposal
from qcode.store.transcripts import get_segments, transcript_attributes
from tests.conftest import MINI_CODEBOOK, assert_user_error, qcode, snapshot

# An interview with short answers that recur ("Ja."): the turns a re-import used to
# confuse when their numbers shifted.
SHORT_ANSWERS = """\
---
respondent: R07
case: Veiligheidshuis Noord
role: politie
---
I: Kent u het Veiligheidshuis?

R: Ja.

I: Werkt u er zelf ook?

R: Ja.

I: Wat merkt u van de AVG?

R: De AVG maakt het delen lastig, maar het convenant helpt.
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _codebook(project: Project, folder: Path, text: str = MINI_CODEBOOK) -> None:
    save_codebook(project, load_codebook(_write(folder / "codes.yaml", text)))


# 1 -- an output never replaces the project ------------------------------------------------


@pytest.mark.parametrize("command", [
    ["codings", "export", "qcode.db"],
    ["codings", "export", "qcode.db-wal"],
    ["export", "quotes", "-o", "qcode.db"],
    ["codings", "export", "codings.txt"],
])
def test_no_writer_replaces_the_project_or_takes_an_unknown_suffix(
    project: Project, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    monkeypatch.chdir(project.root)
    before = project.db_path.read_bytes()
    result = qcode(project, *command)
    assert_user_error(result, command[-1])
    assert ("database file" in result.stderr) or ("format" in result.stderr)
    assert project.db_path.read_bytes() == before
    assert not list(project.root.glob("*.csv")) and not list(project.root.glob("*.txt"))


# 2 -- one id, two files ----------------------------------------------------------------


def test_an_id_held_by_another_file_is_refused_naming_both(empty_project: Project,
                                                           tmp_path: Path) -> None:
    from tests.conftest import INTERVIEW_ONE, INTERVIEW_TWO

    house_a = _write(tmp_path / "huisA" / "r01.txt", INTERVIEW_ONE)
    house_b = _write(tmp_path / "huisB" / "r01.txt", INTERVIEW_TWO)
    import_paths(empty_project, [house_a])
    before = snapshot(empty_project)
    with pytest.raises(TranscriptError) as caught:
        import_paths(empty_project, [house_b])
    message = str(caught.value)
    assert str(house_b) in message and str(house_a) in message
    assert "--id-prefix" in message
    assert snapshot(empty_project) == before
    # Under another id both interviews are kept.
    import_paths(empty_project, [house_b], id_prefix="huisB-")
    ids = sorted(transcript_attributes(empty_project))
    assert ids == ["huisB-r01", "r01"]
    assert get_segments(empty_project, "r01")[1].text.startswith("Ik ben hoofd")


def test_a_revised_copy_in_a_newer_folder_updates_the_interview(empty_project: Project,
                                                              tmp_path: Path) -> None:
    from tests.conftest import INTERVIEW_ONE

    first = _write(tmp_path / "versie1" / "r01.txt", INTERVIEW_ONE)
    import_paths(empty_project, [first])
    revised = _write(tmp_path / "versie2" / "r01.txt",
                     INTERVIEW_ONE.replace("lastiger door de AVG", "lastiger, door de AVG"))
    report = import_paths(empty_project, [revised])
    assert report.outcomes[0].status == "updated"
    assert any("revises the same interview" in note for note in report.notes)


# 3 -- codings follow their text -------------------------------------------------------------


def test_codings_follow_their_turn_when_a_turn_is_inserted_above(empty_project: Project,
                                                                tmp_path: Path) -> None:
    path = _write(tmp_path / "interviews" / "r07.txt", SHORT_ANSWERS)
    import_paths(empty_project, [path])
    _codebook(empty_project, tmp_path)
    add_codings(empty_project, [
        Coding("r07", 4, "dialogue", "ans", memo="werkt er zelf"),   # the second "Ja."
        Coding("r07", 6, "trust.low", "ans", start=3, end=6),        # "AVG"
    ])
    # A new question and a new "Ja." at the top: every old turn moves two places down, and
    # old number 4 now holds another "Ja.".
    _write(path, SHORT_ANSWERS.replace("I: Kent u", "I: Mag ik opnemen?\n\nR: Ja.\n\nI: Kent u"))
    report = import_paths(empty_project, [path])
    assert report.outcomes[0].reanchored == 2
    texts = {s.number: s.text for s in get_segments(empty_project, "r07")}
    moved = {c.code: c for c in list_codings(empty_project)}
    assert moved["dialogue"].segment == 6 and texts[5] == "Werkt u er zelf ook?"
    assert moved["dialogue"].memo == "werkt er zelf"
    span = moved["trust.low"]
    assert span.segment == 8 and texts[8][span.start:span.end] == "AVG"


def test_a_coded_span_follows_its_words_into_the_edited_turn(empty_project: Project,
                                                            tmp_path: Path) -> None:
    path = _write(tmp_path / "interviews" / "r07.txt", SHORT_ANSWERS)
    import_paths(empty_project, [path])
    _codebook(empty_project, tmp_path)
    start = SHORT_ANSWERS.split("R: ")[-1].index("het convenant ")
    add_codings(empty_project, [Coding("r07", 6, "trust.low", "ans", start=start,
                                       end=start + 14)])
    assert get_segments(empty_project, "r07")[5].text[start:start + 14] == "het convenant "
    _write(path, SHORT_ANSWERS.replace("De AVG maakt", "Eerlijk gezegd maakt de AVG"))
    import_paths(empty_project, [path])
    [coding] = list_codings(empty_project)
    text = get_segments(empty_project, "r07")[5].text
    assert coding.segment == 6 and text[coding.start:coding.end] == "het convenant "


# 4 and 5 -- renames apply at once and keep every memo ---------------------------------------


def _renamed_codebook(*pairs: tuple[str, str]) -> str:
    text = MINI_CODEBOOK
    for old, new in pairs:
        text = text.replace(f"      {old}:\n", f"      {new}:\n")
    return text


def test_a_chain_of_renames_is_applied_at_once(project: Project, tmp_path: Path) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("noord-r01", 6, "trust.low", "ans")])
    # high -> low and low -> matig: high's codings must land on low, not on matig.
    text = MINI_CODEBOOK.replace("      low:\n        label: Laag vertrouwen",
                                 "      matig:\n        label: Matig vertrouwen")
    text = text.replace("      high:\n        label: Hoog vertrouwen",
                        "      low:\n        label: Laag vertrouwen")
    change = save_codebook(project, load_codebook(_write(tmp_path / "v2.yaml", text)),
                           renames={"trust.high": "trust.low", "trust.low": "trust.matig"})
    assert {(c.segment, c.code) for c in list_codings(project)} == {
        (4, "trust.low"), (6, "trust.matig")}
    assert change.moved == {("trust.high", "trust.low"): 1, ("trust.low", "trust.matig"): 1}


def test_a_swap_swaps(project: Project, tmp_path: Path) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("noord-r01", 6, "trust.low", "ans")])
    save_codebook(project, load_codebook(_write(tmp_path / "same.yaml", MINI_CODEBOOK)),
                  renames={"trust.high": "trust.low", "trust.low": "trust.high"})
    assert {(c.segment, c.code) for c in list_codings(project)} == {
        (4, "trust.low"), (6, "trust.high")}


def test_conflicting_renames_are_refused(project: Project, tmp_path: Path) -> None:
    from qcode.values import parse_mapping

    with pytest.raises(UsageError, match="'trust.low' is already mapped to 'trust.high'"):
        parse_mapping(["trust.low=trust.high", "trust.low=governance"], option="--rename")


def test_a_rename_that_folds_two_codings_keeps_both_memos(project: Project,
                                                          tmp_path: Path) -> None:
    add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans", memo="korte lijntjes"),
        Coding("noord-r01", 4, "trust.low", "ans", memo="maar niet met de woningcorporatie"),
        Coding("noord-r01", 4, "trust.low", "bert", memo="twijfel"),
    ])
    text = MINI_CODEBOOK.replace("      low:\n        label: Laag vertrouwen\n        level: low\n",
                                 "")
    change = save_codebook(project, load_codebook(_write(tmp_path / "v2.yaml", text)),
                           renames={"trust.low": "trust.high"})
    by_coder = {c.coder: c for c in list_codings(project)}
    assert by_coder["ans"].code == "trust.high"
    assert by_coder["ans"].memo == "korte lijntjes\n\nmaar niet met de woningcorporatie"
    assert (by_coder["bert"].code, by_coder["bert"].memo) == ("trust.high", "twijfel")
    assert [c.coder for c in change.folded] == ["ans"]


def test_the_cli_says_when_a_rename_folds_codings(project: Project, tmp_path: Path) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans", memo="een"),
                          Coding("noord-r01", 4, "trust.low", "ans", memo="twee")])
    text = MINI_CODEBOOK.replace("      low:\n        label: Laag vertrouwen\n        level: low\n",
                                 "")
    path = _write(tmp_path / "v2.yaml", text)
    result = qcode(project, "codebook", "load", str(path), "--rename", "trust.low=trust.high")
    assert result.exit_code == 0, result.output
    assert "moved 1 coding(s) from trust.low to trust.high" in result.stderr
    assert "both memos are kept" in result.stderr


# 6 and 7 -- respondents and attributes -----------------------------------------------------


def test_reimport_without_meta_keeps_links_and_attributes(empty_project: Project,
                                                         tmp_path: Path) -> None:
    from tests.conftest import INTERVIEW_TWO

    plain = INTERVIEW_TWO.replace("respondent: R02\ncase: Veiligheidshuis Zuid\nrole: politie\n",
                                  "")
    folder = tmp_path / "interviews"
    _write(folder / "zuid-r02.txt", plain)
    meta = _write(tmp_path / "elders" / "respondenten.csv",
                  "respondent,transcript,case,role\nR02,zuid-r02,Veiligheidshuis Zuid,politie\n")
    import_paths(empty_project, [folder], meta=meta)
    before = transcript_attributes(empty_project)["zuid-r02"]
    assert (before["respondent"], before["case"]) == ("R02", "Veiligheidshuis Zuid")
    import_paths(empty_project, [folder])
    after = transcript_attributes(empty_project)["zuid-r02"]
    assert after == before


def test_two_waves_of_one_respondent_keep_their_own_wave(empty_project: Project,
                                                        tmp_path: Path) -> None:
    from tests.conftest import INTERVIEW_TWO

    plain = INTERVIEW_TWO.replace("respondent: R02\n", "")
    folder = tmp_path / "interviews"
    _write(folder / "r02-2024.txt", plain)
    _write(folder / "r02-2026.txt", plain.replace("twee dagen", "drie dagen"))
    _write(folder / "respondents.csv",
           "respondent,transcript,role,wave,date\n"
           "R02,r02-2024,politie,1,2024-03-01\n"
           "R02,r02-2026,politie,2,2026-03-04\n")
    import_paths(empty_project, [folder])
    attributes = transcript_attributes(empty_project)
    assert (attributes["r02-2024"]["wave"], attributes["r02-2024"]["date"]) == ("1", "2024-03-01")
    assert (attributes["r02-2026"]["wave"], attributes["r02-2026"]["date"]) == ("2", "2026-03-04")
    assert attributes["r02-2024"]["respondent"] == attributes["r02-2026"]["respondent"] == "R02"


def test_conflicting_respondent_attributes_are_refused_naming_the_rows(
    empty_project: Project, tmp_path: Path
) -> None:
    from tests.conftest import INTERVIEW_TWO

    folder = tmp_path / "interviews"
    _write(folder / "a.txt", INTERVIEW_TWO.replace("respondent: R02\n", ""))
    _write(folder / "b.txt", INTERVIEW_TWO.replace("respondent: R02\n", ""))
    meta = _write(folder / "respondents.csv",
                  "respondent,transcript,role\nR02,a,politie\nR02,b,gemeente\n")
    before = snapshot(empty_project)
    with pytest.raises(TranscriptError) as caught:
        import_paths(empty_project, [folder])
    assert f"{meta}:2 and {meta}:3: respondent 'R02' has role 'politie' and 'gemeente'" in str(
        caught.value)
    assert snapshot(empty_project) == before


# 9 -- review decisions follow their turn ---------------------------------------------------


def test_decisions_follow_unchanged_turns_and_dropped_ones_are_counted(
    empty_project: Project, tmp_path: Path
) -> None:
    path = _write(tmp_path / "interviews" / "r07.txt", SHORT_ANSWERS)
    import_paths(empty_project, [path])
    _codebook(empty_project, tmp_path)
    suggestions_store.add_proposals(empty_project, [
        Proposal("r07", 4, "dialogue", 0.7, "rules"),
        Proposal("r07", 6, "trust", 0.9, "rules", evidence=("AVG",)),
    ], codebook_version="v")
    for suggestion in suggestions_store.pending(empty_project, coder="ans"):
        suggestions_store.decide(empty_project, suggestion, coder="ans", status="rejected")
    # A turn inserted above, and the AVG answer edited.
    _write(path, SHORT_ANSWERS.replace("I: Kent u", "I: Mag ik opnemen?\n\nR: Ja.\n\nI: Kent u")
           .replace("maakt het delen lastig", "maakt het delen erg lastig"))
    report = import_paths(empty_project, [path])
    decisions = [(d.segment, d.code) for d in suggestions_store.decisions(empty_project)]
    assert decisions == [(6, "dialogue")]
    assert any("1 review decision(s) on turns whose text changed were dropped" in note
               for note in report.notes)
    # The kept decision still keeps the suggestion out of ans's pending list.
    suggestions_store.add_proposals(empty_project, [Proposal("r07", 6, "dialogue", 0.7, "rules")],
                                    codebook_version="v")
    assert suggestions_store.pending(empty_project, coder="ans") == []


# 11 -- ids that would garble listings ------------------------------------------------------


@pytest.mark.parametrize("name, shown", [
    ("r01\u202eLDP.txt", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("r01\x1b[2J.txt", "U+001B"),
    ("r01\u200b.txt", "U+200B (ZERO WIDTH SPACE)"),
])
def test_ids_with_invisible_or_control_characters_are_refused(
    empty_project: Project, tmp_path: Path, name: str, shown: str
) -> None:
    from tests.conftest import INTERVIEW_TWO

    path = _write(tmp_path / "interviews" / name, INTERVIEW_TWO)
    with pytest.raises(TranscriptError) as caught:
        import_paths(empty_project, [path])
    assert str(path) in str(caught.value) and shown in str(caught.value)
    assert snapshot(empty_project)[-1][0] == "transcripts"
    assert dict(snapshot(empty_project))["transcripts"] == []


def test_an_id_with_a_newline_from_front_matter_is_refused(empty_project: Project,
                                                           tmp_path: Path) -> None:
    from tests.conftest import INTERVIEW_TWO

    path = _write(tmp_path / "r02.txt",
                  INTERVIEW_TWO.replace("respondent: R02\n", 'id: "r02\\nextra"\n'))
    with pytest.raises(TranscriptError, match="U\\+000A"):
        import_paths(empty_project, [path])


def test_cli_import_refuses_an_id_prefix_that_garbles(project: Project, sample_files: Path) -> None:
    result = qcode(project, "import", str(sample_files / "interviews"), "--id-prefix", "a\u202e")
    assert result.exit_code == 2 and "U+202E" in result.stderr


def test_a_rename_that_contradicts_the_qdc_guids_is_refused() -> None:
    from qcode.values import merge_mappings

    # The .qdc moved trust.high under governance (same GUID); --rename says trust.low.
    with pytest.raises(UsageError, match="would become both 'governance.high' and 'trust.low'"):
        merge_mappings({"trust.high": "governance.high"}, {"trust.high": "trust.low"},
                       what="codes.qdc: --rename and the file's code GUIDs")


def test_jsonl_of_codings_after_all_this_is_still_well_formed(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans", memo="één\ttab")])
    lines = qcode(project, "codings", "list", "--format", "jsonl").stdout.splitlines()
    assert json.loads(lines[0])["memo"] == "één\ttab"
