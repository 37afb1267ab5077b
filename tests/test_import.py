"""Importing transcripts into a project: new, unchanged, changed, and refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.errors import QcodeError, TranscriptError
from qcode.importing import import_paths
from qcode.models import Coding
from qcode.store import Project
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from qcode.store.transcripts import get_segments, list_transcripts, transcript_attributes
from tests.conftest import INTERVIEW_ONE, snapshot


def test_import_folder_stores_segments_and_attributes(
    empty_project: Project, sample_files: Path
) -> None:
    report = import_paths(empty_project, [sample_files / "interviews"])
    assert report.count("new") == 2
    summaries = {s.id: s for s in list_transcripts(empty_project)}
    assert summaries["noord-r01"].respondent == "R01"
    assert summaries["noord-r01"].case == "Veiligheidshuis Noord"
    assert summaries["noord-r01"].segments == 6
    assert summaries["noord-r01"].respondent_segments == 3
    segments = get_segments(empty_project, "noord-r01")
    assert segments[1].text.startswith("Ik ben hoofd van het Veiligheidshuis. Wij zijn een coöperatie")
    assert "casuïstiek" in segments[1].text and "één" in segments[1].text
    assert segments[0].interviewer and not segments[1].interviewer


def test_reimport_unchanged_is_a_no_op(empty_project: Project, sample_files: Path) -> None:
    import_paths(empty_project, [sample_files / "interviews"])
    before = snapshot(empty_project)
    report = import_paths(empty_project, [sample_files / "interviews"])
    assert report.count("unchanged") == 2
    assert report.count("new") == 0
    after = snapshot(empty_project)
    # Only the source path may be rewritten; it is the same here.
    assert before == after


def test_changed_transcript_reanchors_codings(project: Project, sample_files: Path) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ref"),
                          Coding("noord-r01", 6, "trust.information_sharing.written", "ref",
                                 start=0, end=18)])
    changed = INTERVIEW_ONE.replace(
        "I: Hoe is het vertrouwen", "I: Nog een vraag vooraf.\n\nR: Ja, graag.\n\nI: Hoe is het vertrouwen"
    )
    (sample_files / "interviews" / "noord-r01.txt").write_text(changed, encoding="utf-8")
    report = import_paths(project, [sample_files / "interviews" / "noord-r01.txt"])
    assert report.outcomes[0].status == "updated"
    assert report.outcomes[0].reanchored == 2
    codings = {c.code: c for c in list_codings(project)}
    assert codings["trust.high"].segment == 6
    written = codings["trust.information_sharing.written"]
    assert written.segment == 8
    assert get_segments(project, "noord-r01")[7].text[written.start:written.end] == "Schriftelijk delen"


def test_changed_transcript_that_orphans_codings_is_refused(
    project: Project, sample_files: Path
) -> None:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ref")])
    before = snapshot(project)
    changed = INTERVIEW_ONE.replace("Het vertrouwen is hoog.", "Het vertrouwen is matig.")
    (sample_files / "interviews" / "noord-r01.txt").write_text(changed, encoding="utf-8")
    with pytest.raises(TranscriptError) as caught:
        import_paths(project, [sample_files / "interviews"])
    message = str(caught.value)
    assert "transcript 'noord-r01' changed and 1 coding has no single place" in message
    assert "segment 4 trust.high (ref)" in message
    assert snapshot(project) == before


def test_bad_file_in_folder_changes_nothing(empty_project: Project, sample_files: Path) -> None:
    (sample_files / "interviews" / "kapot.txt").write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(TranscriptError, match="kapot.txt"):
        import_paths(empty_project, [sample_files / "interviews"])
    assert list_transcripts(empty_project) == []


def test_duplicate_transcript_ids_are_refused(empty_project: Project, sample_files: Path) -> None:
    other = sample_files / "elders"
    other.mkdir()
    (other / "noord-r01.txt").write_text(INTERVIEW_ONE, encoding="utf-8")
    with pytest.raises(TranscriptError, match="transcript id 'noord-r01' is also the id of"):
        import_paths(empty_project, [sample_files / "interviews", other])


def test_missing_path_and_empty_folder(empty_project: Project, tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="no such file or folder"):
        import_paths(empty_project, [tmp_path / "nope"])
    (tmp_path / "leeg").mkdir()
    with pytest.raises(TranscriptError, match="no transcripts in this folder"):
        import_paths(empty_project, [tmp_path / "leeg"])


def test_respondents_csv_beside_files_sets_attributes(
    empty_project: Project, sample_files: Path
) -> None:
    (sample_files / "interviews" / "respondents.csv").write_text(
        "respondent,case,role,organisatie\nR01,Veiligheidshuis Noord,manager,gemeente\n"
        "R02,Veiligheidshuis Zuid,politie-huis,politie\n",
        encoding="utf-8",
    )
    report = import_paths(empty_project, [sample_files / "interviews"])
    assert report.respondents_updated == 2
    attributes = transcript_attributes(empty_project)
    assert attributes["zuid-r02"]["role"] == "politie-huis"  # the CSV wins over front matter
    assert attributes["noord-r01"]["organisatie"] == "gemeente"


def test_meta_option_links_transcripts_to_respondents(
    empty_project: Project, sample_files: Path
) -> None:
    meta = sample_files / "meta.csv"
    meta.write_text("respondent;transcript;wave\nR09;zuid-r02;2026\n", encoding="utf-8")
    import_paths(empty_project, [sample_files / "interviews"], meta=meta)
    attributes = transcript_attributes(empty_project)
    assert attributes["zuid-r02"]["respondent"] == "R09"
    assert attributes["zuid-r02"]["wave"] == "2026"


def test_respondents_csv_errors(empty_project: Project, sample_files: Path) -> None:
    meta = sample_files / "meta.csv"
    meta.write_text("naam,case\nR01,Noord\n", encoding="utf-8")
    with pytest.raises(QcodeError, match=r"meta.csv:1: missing column respondent"):
        import_paths(empty_project, [sample_files / "interviews"], meta=meta)
    meta.write_text("respondent,case\nR01,Noord\nR01,Zuid\n", encoding="utf-8")
    with pytest.raises(QcodeError, match="meta.csv:3: duplicate respondent 'R01'"):
        import_paths(empty_project, [sample_files / "interviews"], meta=meta)
    assert list_transcripts(empty_project) == []
