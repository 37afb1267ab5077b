"""Imports that understand real files: Word headers, Teams speaker names, remembered
interviewer labels, folders with files qcode cannot read, respondents linked later."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from qcode.importing import import_paths
from qcode.models import Coding
from qcode.store import Project, find_project
from qcode.store.codings import add as add_codings
from qcode.store.transcripts import (
    get_segments,
    list_transcripts,
    respondent_attributes,
    transcript_header,
)
from qcode.transcripts import parse_file
from tests.conftest import MINI_CODEBOOK, assert_usage_error, qcode, snapshot

TITLE = "Interview Veiligheidshuis Midden – wijkagent"
DATE_LINE = "Datum: 19 maart 2024, locatie: gemeentehuis Zuidwijk"
TURNS = [
    "I: Hoe vaak bent u in het Veiligheidshuis?",
    "R: Eens per week, op dinsdag. Dan is het casusoverleg.",
    "I: En hoe gaat het delen van informatie?",
    "R: Mondeling gaat prima. Schriftelijk is lastiger door de AVG.",
]


def word_file(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_docx_title_and_date_line_are_the_header_not_turns(tmp_path: Path) -> None:
    path = word_file(tmp_path / "midden-r07.docx", [TITLE, DATE_LINE, "", *TURNS])
    transcript = parse_file(path)
    assert transcript.header == f"{TITLE}\n{DATE_LINE}"
    assert [(s.number, s.speaker, s.interviewer) for s in transcript.segments] == [
        (1, "I", True), (2, "R", False), (3, "I", True), (4, "R", False)]
    # The header counts for nothing: no words, no respondent turns.
    assert transcript.word_count == sum(len(t.split(": ", 1)[1].split()) for t in TURNS)
    assert any("2 line(s) before the first speaker label" in n and "Interview Veiligheidshuis"
               in n for n in transcript.notes)


def test_a_date_line_that_opens_the_file_is_header_too(tmp_path: Path) -> None:
    path = tmp_path / "zuid-r03.txt"
    path.write_text("\n\n".join([DATE_LINE, *TURNS]) + "\n", encoding="utf-8")
    transcript = parse_file(path)
    assert transcript.header == DATE_LINE
    assert [s.speaker for s in transcript.segments] == ["I", "R", "I", "R"]


def test_a_labelled_file_without_header_has_none_and_paragraph_files_keep_their_text(
    tmp_path: Path,
) -> None:
    labelled = tmp_path / "a.txt"
    labelled.write_text("\n\n".join(TURNS), encoding="utf-8")
    assert parse_file(labelled).header == ""
    plain = tmp_path / "b.txt"
    plain.write_text(f"{DATE_LINE}\n\nWe bespreken alles aan één tafel.\n", encoding="utf-8")
    transcript = parse_file(plain)
    assert transcript.header == ""
    assert [s.text for s in transcript.segments] == [DATE_LINE, "We bespreken alles aan één tafel."]


def test_header_is_stored_shown_exported_and_read_back(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    word_file(folder / "midden-r07.docx", [TITLE, DATE_LINE, *TURNS])
    project = tmp_path / "project"
    assert qcode(project, "init", str(project)).exit_code == 0
    result = qcode(project, "import", str(folder))
    assert result.exit_code == 0, result.output
    assert "kept as the transcript's header" in result.stderr
    with find_project(project) as opened:
        assert transcript_header(opened, "midden-r07") == f"{TITLE}\n{DATE_LINE}"
        summary = list_transcripts(opened)[0]
        assert (summary.segments, summary.respondent_segments) == (4, 2)
    shown = qcode(project, "show", "midden-r07")
    assert shown.exit_code == 0 and "19 maart 2024" in shown.stdout
    listed = qcode(project, "transcripts", "--format", "jsonl")
    assert json.loads(listed.stdout)["header"] == f"{TITLE}\n{DATE_LINE}"
    out = tmp_path / "midden.qdpx"
    assert qcode(project, "export", "qdpx", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        text = next(archive.read(n) for n in archive.namelist() if n.startswith("sources/"))
    assert text.decode("utf-8").startswith(f"{TITLE}\n{DATE_LINE}\n\nI: Hoe vaak")
    # Back in: with qcode.json, and without it (as another program would send it).
    for name, keep_sidecar in (("again", True), ("foreign", False)):
        path = out if keep_sidecar else _without_sidecar(out, tmp_path / "foreign.qdpx")
        target = tmp_path / name
        assert qcode(target, "init", str(target)).exit_code == 0
        assert qcode(target, "import", str(path)).exit_code == 0
        with find_project(target) as opened:
            assert transcript_header(opened, "midden-r07") == f"{TITLE}\n{DATE_LINE}"
            assert [s.speaker for s in get_segments(opened, "midden-r07")] == ["I", "R", "I", "R"]


def _without_sidecar(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            if info.filename != "qcode.json":
                copy.writestr(info, original.read(info))
    return target


def test_an_existing_header_segment_becomes_the_header_and_codings_follow_their_turns(
    empty_project: Project, tmp_path: Path,
) -> None:
    """A project imported before headers existed has the title as segment 1. Importing the
    file again moves the codings with their turns; the header takes no coding along."""
    from qcode.codebook import parse_codebook
    from qcode.models import Segment, Transcript
    from qcode.store.codebook import save_codebook
    from qcode.store.reimport import save_transcript

    save_codebook(empty_project, parse_codebook(MINI_CODEBOOK, source="mini.yaml"))
    path = tmp_path / "midden-r07.txt"
    path.write_text("\n\n".join([TITLE, *TURNS]), encoding="utf-8")
    parsed = parse_file(path)
    old = Transcript(id=parsed.id, source=str(path), format="text",
                     segments=(Segment(1, "", TITLE),
                               *(Segment(s.number + 1, s.speaker, s.text, s.interviewer)
                                 for s in parsed.segments)),
                     origin=parsed.origin)
    save_transcript(empty_project, old)
    add_codings(empty_project, [Coding("midden-r07", 5, "trust.information_sharing", "ans")])
    report = import_paths(empty_project, [path])
    assert report.outcomes[0].status == "updated"
    codings = [(c.segment, c.code) for c in _codings(empty_project)]
    assert codings == [(4, "trust.information_sharing")]
    assert transcript_header(empty_project, "midden-r07") == TITLE


def _codings(project: Project) -> list[Coding]:
    from qcode.store.codings import select

    return select(project)


TEAMS_VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Marieke de Vries>Hoe werkt het casusoverleg bij jullie?</v>

00:00:05.000 --> 00:00:09.000
<v Jan Bakker>We zitten elke dinsdag met alle partners aan tafel.</v>

00:00:10.000 --> 00:00:12.000
<v Marieke de Vries>En de AVG?</v>

00:00:13.000 --> 00:00:17.000
<v Jan Bakker>Die maakt schriftelijk delen lastig.</v>
"""


def test_teams_names_without_an_interviewer_label_warn_and_the_label_is_remembered(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "teams"
    folder.mkdir()
    (folder / "midden-r08.vtt").write_text(TEAMS_VTT, encoding="utf-8")
    project = tmp_path / "project"
    assert qcode(project, "init", str(project)).exit_code == 0
    result = qcode(project, "import", str(folder))
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "none of its speaker labels is an interviewer label (I, Interviewer, Q)" in warning
    assert "Marieke de Vries (2 turns), Jan Bakker (2 turns)" in warning
    assert "--interviewer 'Marieke de Vries'" in warning
    named = qcode(project, "import", str(folder), "--interviewer", "Marieke de Vries")
    assert named.exit_code == 0 and "warning:" not in named.stderr
    assert _respondent_turns(project) == 2
    # A later plain import (a folder of new interviews, say) reads it the same way.
    again = qcode(project, "import", str(folder))
    assert again.exit_code == 0, again.output
    assert "warning:" not in again.stderr
    assert "Marieke de Vries as named at an earlier import" in again.stderr
    assert _respondent_turns(project) == 2
    # So does a changed file, and a .qdpx of the project from another program.
    changed = TEAMS_VTT.replace("elke dinsdag", "elke woensdag")
    (folder / "midden-r08.vtt").write_text(changed, encoding="utf-8")
    assert qcode(project, "import", str(folder)).exit_code == 0
    assert _respondent_turns(project) == 2


def _respondent_turns(project: Path) -> int:
    with find_project(project) as opened:
        return list_transcripts(opened)[0].respondent_segments


def test_remembered_labels_read_a_foreign_qdpx_the_same_way(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "midden-r09.txt").write_text(
        "Onderzoeker: Hoe gaat het overleg?\n\nWijkagent: Goed, we kennen elkaar.\n\n"
        "Onderzoeker: En de partners?\n\nWijkagent: Die zijn er elke week.\n", encoding="utf-8")
    project = tmp_path / "project"
    assert qcode(project, "init", str(project)).exit_code == 0
    assert qcode(project, "import", str(folder), "--interviewer", "Onderzoeker").exit_code == 0
    out = tmp_path / "p.qdpx"
    assert qcode(project, "export", "qdpx", "-o", str(out)).exit_code == 0
    foreign = _without_sidecar(out, tmp_path / "foreign.qdpx")
    result = qcode(project, "import", str(foreign))
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr
    assert "unchanged" in result.stderr
    assert _respondent_turns(project) == 2


def test_folder_import_lists_what_it_skipped_and_how_to_convert_it(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "noord-r01.txt").write_text("\n\n".join(TURNS), encoding="utf-8")
    (folder / "noord-r02.doc").write_bytes(b"\xd0\xcf\x11\xe0 oud Word-bestand")
    (folder / "noord-r03.pdf").write_bytes(b"%PDF-1.4")
    (folder / "opname-r04.m4a").write_bytes(b"\0")
    (folder / "aantekeningen.pages").write_bytes(b"\0")
    (folder / "respondents.csv").write_text("respondent,transcript\nR01,noord-r01\n",
                                            encoding="utf-8")
    (folder / "~$ord-r01.docx").write_bytes(b"Word lock file")
    (folder / "LEESMIJ").write_text("lees mij", encoding="utf-8")
    project = tmp_path / "project"
    assert qcode(project, "init", str(project)).exit_code == 0
    result = qcode(project, "import", str(folder))
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(notes) == 4, result.stderr
    assert "2 file(s)" in notes[0] and "noord-r02.doc" in notes[0] and \
        "aantekeningen.pages" in notes[0] and "save it as .docx" in notes[0]
    assert "noord-r03.pdf" in notes[1] and "qcode reads no PDF" in notes[1]
    assert "opname-r04.m4a" in notes[2] and "transcribe them first" in notes[2]
    assert "LEESMIJ" in notes[3]
    assert all("respondents.csv" not in n and "~$" not in n for n in notes)


def test_a_folder_of_only_word_97_files_says_how_to_convert_them(tmp_path: Path) -> None:
    folder = tmp_path / "oud"
    folder.mkdir()
    (folder / "r01.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    project = tmp_path / "project"
    assert qcode(project, "init", str(project)).exit_code == 0
    result = qcode(project, "import", str(folder))
    assert result.exit_code == 1
    assert "no transcripts in this folder" in result.stderr
    assert "r01.doc" in result.stderr and "save it as .docx" in result.stderr


def test_meta_removes_respondents_named_after_files_unless_the_user_gave_them_something(
    empty_project: Project, sample_files: Path, tmp_path: Path,
) -> None:
    folder = tmp_path / "zonder-voorwerk"
    folder.mkdir()
    for name in ("zuid-r10", "zuid-r11", "zuid-r12", "zuid-r13"):
        (folder / f"{name}.txt").write_text("\n\n".join(TURNS), encoding="utf-8")
    import_paths(empty_project, [folder])
    assert set(respondent_attributes(empty_project)) == {"zuid-r10", "zuid-r11", "zuid-r12",
                                                         "zuid-r13"}
    # zuid-r13 got a memo: it stays too.
    from qcode.models import Memo, MemoTarget
    from qcode.store import memos as memos_store

    memos_store.add(empty_project, [Memo(MemoTarget("respondent", "zuid-r13"),
                                         "belde terug na het gesprek", "ans")])
    # zuid-r12 was given an attribute by hand in an earlier respondents file: it stays.
    early = tmp_path / "vooraf.csv"
    early.write_text("respondent,rol\nzuid-r12,wijkagent\n", encoding="utf-8")
    import_paths(empty_project, [folder / "zuid-r12.txt"], meta=early)
    meta = tmp_path / "respondenten.csv"
    meta.write_text("respondent,transcript,case,role\n"
                    "R10,zuid-r10,Veiligheidshuis Zuid,politie\n"
                    "R11,zuid-r11,Veiligheidshuis Zuid,gemeente\n"
                    "R12,zuid-r12,Veiligheidshuis Zuid,politie\n"
                    "R13,zuid-r13,Veiligheidshuis Zuid,zorg\n", encoding="utf-8")
    report = import_paths(empty_project, [folder], meta=meta)
    assert set(respondent_attributes(empty_project)) == {"R10", "R11", "R12", "R13", "zuid-r12",
                                                         "zuid-r13"}
    assert any("removed 2 respondent(s)" in n and "zuid-r10, zuid-r11" in n
               for n in report.notes)
    # Exported as cases: no empty case for a file any more.
    from qcode.refi.export import collect_project

    assert sorted(collect_project(empty_project).respondents) == ["R10", "R11", "R12", "R13",
                                                                  "zuid-r12", "zuid-r13"]


def test_rename_is_refused_for_transcript_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    assert qcode(project, "init", str(project)).exit_code == 0
    (tmp_path / "a.txt").write_text("\n\n".join(TURNS), encoding="utf-8")
    with find_project(project) as opened:
        before = snapshot(opened)
    assert_usage_error(qcode(project, "import", str(tmp_path / "a.txt"), "--rename", "a=b"),
                       "--rename maps codes when importing a .qdpx project")
    with find_project(project) as opened:
        assert snapshot(opened) == before


@pytest.mark.parametrize("label", ["Datum", "Locatie", "Tijd"])
def test_header_words_are_never_speakers_once(tmp_path: Path, label: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(f"I: Vraag?\n\n{label}: iets\n\nR: Antwoord.\n\nI: Nog een?\n\nR: Ja.\n",
                    encoding="utf-8")
    transcript = parse_file(path)
    assert all(s.speaker != label for s in transcript.segments)
    assert f"{label}: iets" in transcript.segments[0].text


def test_a_monologue_or_a_paragraph_file_gets_no_interviewer_warning(tmp_path: Path) -> None:
    monologue = tmp_path / "r01.txt"
    monologue.write_text("R: Ik vertel het hele verhaal zelf.\n\nR: En nog wat.\n",
                         encoding="utf-8")
    assert parse_file(monologue).warnings == ()
    teams = tmp_path / "r02.txt"
    teams.write_text("Marieke: Hoe gaat het?\n\nJan: Goed.\n\nMarieke: En het huis?\n\n"
                     "Jan: Ook goed.\n", encoding="utf-8")
    assert "labels found: Marieke (2 turns), Jan (2 turns)" in parse_file(teams).warnings[0]
