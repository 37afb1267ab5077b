"""Memos through REFI-QDA: every kind of memo out and back in, the export valid against
the schema, and a QualCoder-style project (a journal, an annotation and a source memo,
written here from the schema) coming in as memos."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from qcode.codebook import load_codebook
from qcode.importing import import_paths
from qcode.importing.qdpx import import_qdpx
from qcode.models import Coding, Memo
from qcode.refi.export import export_qdpx
from qcode.store import Project, init_project
from qcode.store import memos as memos_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from qcode.store.transcripts import get_segments
from qcode.values import parse_memo_target

SCHEMA = Path(__file__).parent / "fixtures" / "refi" / "Project.xsd"
NS = "{urn:QDA-XML:project:1.0}"


def memo(target: str, text: str, coder: str, created: str, updated: str = "",
         span: tuple[int, int] | None = None) -> Memo:
    return Memo(parse_memo_target(target, span=span), text, coder, created_at=created,
                updated_at=updated or created)


EVERY_KIND = [
    memo("project", "Dag 1: twee interviews in Noord; codeboek v2 besproken.", "ans",
         "2026-03-12T17:00:00+00:00"),
    memo("project", "Dag 2: coderen van Zuid, ‘één tafel’ als code overwogen.", "b",
         "2026-03-13T17:00:00+00:00", "2026-03-14T09:30:00+00:00"),
    memo("case:Veiligheidshuis Noord", "Ondersteunt alleen; procesregisseurs zitten voor.",
         "ans", "2026-03-15T10:00:00+00:00"),
    memo("respondent:R01", "Hoofd van het huis sinds 2019.", "ans", "2026-03-15T10:05:00+00:00"),
    memo("respondent:R01", "Tweede gesprek gepland.", "b", "2026-03-16T10:05:00+00:00"),
    memo("transcript:noord-r01", "Opname deels onverstaanbaar (minuut 12).", "ans",
         "2026-03-15T11:00:00+00:00"),
    memo("code:trust.high", "Alleen als de respondent het zelf zo zegt.", "b",
         "2026-03-17T08:00:00+00:00"),
    memo("segment:noord-r01:4", "Stellig, zonder aarzeling.", "ans",
         "2026-03-18T08:00:00+00:00"),
    memo("segment:noord-r01:6", "AVG als rem, niet als reden.", "ans",
         "2026-03-18T08:05:00+00:00", span=(22, 42)),
    memo("segment:zuid-r02:3", "Sturende vraag van de interviewer.", "b",
         "2026-03-19T08:00:00+00:00"),
]


def kept(project: Project) -> list[tuple[object, ...]]:
    return sorted((m.target.describe(), m.text, m.coder, m.created_at, m.updated_at)
                  for m in memos_store.select(project))


@pytest.fixture()
def with_memos(project: Project) -> Project:
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans", memo="coderingsmemo")])
    memos_store.add(project, EVERY_KIND)
    return project


def test_every_kind_of_memo_survives_a_round_trip(with_memos: Project, sample_files: Path,
                                                 tmp_path: Path) -> None:
    assert get_segments(with_memos, "noord-r01")[5].text[22:42] == "lastiger door de AVG"
    out = tmp_path / "noord.qdpx"
    summary = export_qdpx(with_memos, out, name="noord")
    assert summary.memos == len(EVERY_KIND) + 1  # and the coding's memo
    fresh = init_project(tmp_path / "fresh")
    import_qdpx(fresh, out)
    assert kept(fresh) == kept(with_memos)
    assert [c.memo for c in list_codings(fresh)] == ["coderingsmemo"]
    # Exporting the imported project gives the same file.
    again = tmp_path / "again.qdpx"
    export_qdpx(fresh, again, name="noord")
    assert _members(again) == _members(out)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_is_valid_and_puts_each_memo_where_the_schema_has_room(
    with_memos: Project, tmp_path: Path
) -> None:
    import xmlschema

    out = tmp_path / "noord.qdpx"
    export_qdpx(with_memos, out)
    qde = _members(out)["project.qde"]
    xmlschema.XMLSchema(str(SCHEMA)).validate(qde.decode("utf-8"))
    root = ET.fromstring(qde)
    notes = {n.get("guid"): n for n in root.iter(f"{NS}Note")}
    members = _members(out)
    # Journal entries are notes whose text is a file (QualCoder reads journals only so);
    # every other note holds its text inline.
    text = {g: n.findtext(f"{NS}PlainTextContent") or members[
        "sources/" + n.get("plainTextPath", "").removeprefix("internal://")].decode("utf-8")
        for g, n in notes.items()}
    project_refs = [text[r.get("targetGUID")] for r in root.findall(f"{NS}NoteRef")]
    assert project_refs[:2] == [EVERY_KIND[0].text, EVERY_KIND[1].text]
    journal = notes[root.findall(f"{NS}NoteRef")[0].get("targetGUID")]
    assert journal.find(f"{NS}PlainTextContent") is None and journal.get("name")
    assert EVERY_KIND[2].text in project_refs  # a house has no place of its own
    code = next(c for c in root.iter(f"{NS}Code") if c.get("name") == "Hoog vertrouwen")
    assert [text[r.get("targetGUID")] for r in code.findall(f"{NS}NoteRef")] == [
        EVERY_KIND[6].text]
    case = next(c for c in root.iter(f"{NS}Case") if c.get("name") == "R01")
    assert case.findtext(f"{NS}Description") == (
        "Hoofd van het huis sinds 2019.\n\nTweede gesprek gepland.")
    source = next(s for s in root.iter(f"{NS}TextSource") if s.get("name") == "noord-r01")
    plain = _members(out)[f"sources/{source.get('guid')}.txt"].decode("utf-8")
    annotated = {text[r.get("targetGUID")]: notes[r.get("targetGUID")]
                 for r in source.findall(f"{NS}NoteRef")}
    span = annotated["AVG als rem, niet als reden."].find(f"{NS}PlainTextSelection")
    assert span is not None
    assert plain[int(span.get("startPosition", "")):int(span.get("endPosition", ""))] == \
        "lastiger door de AVG"
    whole = annotated["Stellig, zonder aarzeling."].find(f"{NS}PlainTextSelection")
    assert whole is not None and plain[int(whole.get("startPosition", "")):int(
        whole.get("endPosition", ""))].startswith("Het vertrouwen is hoog.")
    assert annotated["Opname deels onverstaanbaar (minuut 12)."].find(
        f"{NS}PlainTextSelection") is None
    # The transcript's memo is also its source's Description, where QualCoder reads it.
    assert source.findtext(f"{NS}Description") == "Opname deels onverstaanbaar (minuut 12)."
    b = next(n for g, n in notes.items() if text[g] == EVERY_KIND[1].text)
    assert b.get("modifiedDateTime") == "2026-03-14T09:30:00+00:00"
    users = {u.get("guid") for u in root.iter(f"{NS}User")}
    assert all(n.get("creatingUser") in users for n in notes.values())


# -- a QualCoder-style project, written from the schema -------------------------------------

SOURCE_TEXT = ("I: Hoe verloopt het casusoverleg?\n\nR: We zitten met zes partners aan één "
               "tafel. De procesregisseur zit voor.\n\nI: En daarna?\n\nR: Dan volgen we de "
               "afspraken op.")
JOURNAL_TEXT = "Eerste indruk: het huis draait op één procesregisseur.\r\nNog navragen."
USER = "5c94bc9e-db8c-4f1d-9cd6-e900c7440860"


def qualcoder_qdpx(path: Path) -> Path:
    start = SOURCE_TEXT.index("De procesregisseur")
    end = start + len("De procesregisseur zit voor.")
    coded = SOURCE_TEXT.index("Dan volgen")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="vh.qda" origin="QualCoder 3.6"
 creatingUserGUID="{USER}" creationDateTime="2026-02-01T10:00:00Z">
<Users>
<User guid="{USER}" name="marieke" />
</Users>
<CodeBook><Codes>
<Code guid="11111111-0000-0000-0000-000000000001" name="Regie" isCodable="true" color="#ff7f0e">
<Description>Wie de regie heeft over een casus.</Description>
<NoteRef targetGUID="33333333-0000-0000-0000-000000000004" />
</Code>
</Codes></CodeBook>
<Cases>
<Case guid="22222222-0000-0000-0000-000000000001" name="Marieke R.">
<Description>Teamleider, sinds 2020 in het huis.</Description>
<SourceRef targetGUID="44444444-0000-0000-0000-000000000001"/>
</Case>
</Cases>
<Sources>
<TextSource plainTextPath="internal://44444444-0000-0000-0000-000000000001.txt"
 creatingUser="{USER}" creationDateTime="2026-02-02T10:00:00Z"
 guid="44444444-0000-0000-0000-000000000001" name="interview-huis-west">
<Description>Interview op locatie, rumoerig.</Description>
<PlainTextSelection guid="55555555-0000-0000-0000-000000000001" startPosition="{coded}"
 endPosition="{len(SOURCE_TEXT)}" name="Dan volgen" creatingUser="{USER}"
 creationDateTime="2026-02-03T10:00:00Z">
<Description>Opvolging hoort bij het huis.</Description>
<Coding guid="66666666-0000-0000-0000-000000000001" creatingUser="{USER}" >
<CodeRef targetGUID="11111111-0000-0000-0000-000000000001" />
</Coding>
</PlainTextSelection>
<NoteRef targetGUID="33333333-0000-0000-0000-000000000002" />
</TextSource>
</Sources>
<Notes>
<Note guid="33333333-0000-0000-0000-000000000001" creatingUser="{USER}"
 creationDateTime="2026-02-04T18:00:00Z" name="Journaal week 1"
 plainTextPath="internal://33333333-0000-0000-0000-000000000001.txt" >
<Description /></Note>
<Note guid="33333333-0000-0000-0000-000000000002" creatingUser="{USER}"
 creationDateTime="2026-02-05T09:00:00Z" >
<PlainTextContent>Wie is die procesregisseur precies?</PlainTextContent>
<PlainTextSelection guid="77777777-0000-0000-0000-000000000001" startPosition="{start}"
 endPosition="{end}" />
</Note>
<Note guid="33333333-0000-0000-0000-000000000004" creatingUser="{USER}" >
<PlainTextContent>Regie botst met 'procesregie'.</PlainTextContent>
</Note>
</Notes>
<Description>Replicatie Veiligheidshuis West.</Description>
</Project>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/44444444-0000-0000-0000-000000000001.txt",
                         SOURCE_TEXT.encode("utf-8"))
        # QualCoder writes a journal's text beside the sources, with a byte order mark.
        archive.writestr("sources/33333333-0000-0000-0000-000000000001.txt",
                         JOURNAL_TEXT.encode("utf-8-sig"))
    return path


def test_a_qualcoder_journal_annotation_and_source_memo_become_memos(tmp_path: Path) -> None:
    import xmlschema

    qdpx = qualcoder_qdpx(tmp_path / "west.qdpx")
    with zipfile.ZipFile(qdpx) as archive:
        xmlschema.XMLSchema(str(SCHEMA)).validate(archive.read("project.qde").decode("utf-8"))
    project = init_project(tmp_path / "west")
    report = import_qdpx(project, qdpx)
    found = {(m.target.describe(), m.text, m.coder, m.created_at)
             for m in memos_store.select(project)}
    # Memos the file gives no time get the time of the import.
    found = {(t, x, c, w if w.startswith("2026-02") else "") for t, x, c, w in found}
    segment = get_segments(project, "interview-huis-west")[1]
    start = segment.text.index("De procesregisseur")
    assert found == {
        ("project", "Eerste indruk: het huis draait op één procesregisseur.\nNog navragen.",
         "marieke", "2026-02-04T18:00:00Z"),
        ("project", "Replicatie Veiligheidshuis West.", "marieke", "2026-02-01T10:00:00Z"),
        ("transcript:interview-huis-west", "Interview op locatie, rumoerig.", "marieke",
         "2026-02-02T10:00:00Z"),
        (f"segment:interview-huis-west:2 [{start}:{start + 28}]",
         "Wie is die procesregisseur precies?", "marieke", "2026-02-05T09:00:00Z"),
        # A case has no creatingUser: the project's creator is taken, as for codings.
        ("respondent:Marieke R.", "Teamleider, sinds 2020 in het huis.", "marieke", ""),
        ("code:regie", "Regie botst met 'procesregie'.", "marieke", ""),
    }
    assert segment.text[start:start + 28] == "De procesregisseur zit voor."
    # The coded selection's description stays the coding's memo, not a memo of its own.
    [coding] = list_codings(project)
    assert (coding.segment, coding.code, coding.memo) == (4, "regie",
                                                          "Opvolging hoort bij het huis.")
    assert "6 new memos" in report.notes[0]
    # Importing the same file again adds nothing.
    again = import_qdpx(project, qdpx)
    assert "0 new memos (6 already present)" in again.notes[0]


def test_annotations_nvivo_links_and_notes_no_source_refers_to(tmp_path: Path) -> None:
    second = SOURCE_TEXT.index("R: Dan")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="NVivo">
<Users><User guid="{USER}" name="kees" /></Users>
<CodeBook><Codes><Code guid="11111111-0000-0000-0000-000000000001" name="Regie"
 isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="44444444-0000-0000-0000-000000000001" name="a" plainTextPath="internal://a.txt">
<PlainTextSelection guid="55555555-0000-0000-0000-000000000009" startPosition="{second}"
 endPosition="{len(SOURCE_TEXT)}" creatingUser="{USER}" />
<PlainTextSelection guid="55555555-0000-0000-0000-000000000008" startPosition="0"
 endPosition="2"><Description>Alleen een label.</Description></PlainTextSelection>
</TextSource>
<TextSource guid="44444444-0000-0000-0000-000000000002" name="b" plainTextPath="internal://a.txt" />
</Sources>
<Notes>
<Note guid="33333333-0000-0000-0000-000000000005" creatingUser="{USER}">
<PlainTextContent>Gekoppeld via een link.</PlainTextContent></Note>
<Note guid="33333333-0000-0000-0000-000000000006" creatingUser="{USER}">
<PlainTextContent>Zwevende annotatie.</PlainTextContent>
<PlainTextSelection guid="77777777-0000-0000-0000-000000000002" startPosition="0" endPosition="5"/>
</Note>
</Notes>
<Links><Link guid="88888888-0000-0000-0000-000000000001"
 originGUID="33333333-0000-0000-0000-000000000005"
 targetGUID="55555555-0000-0000-0000-000000000009"/></Links>
</Project>"""
    qdpx = tmp_path / "links.qdpx"
    with zipfile.ZipFile(qdpx, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/a.txt", SOURCE_TEXT.encode("utf-8"))
    project = init_project(tmp_path / "p")
    report = import_qdpx(project, qdpx)
    found = sorted((m.target.describe(), m.text) for m in memos_store.select(project))
    assert found == [
        ("project", "Zwevende annotatie."),
        ("segment:a:4", "Gekoppeld via een link."),
        ("transcript:a", "Alleen een label."),
    ]
    assert any("covers no turn's text" in note for note in report.notes)
    assert any("1 annotation(s) that no source refers to kept in the project journal" in note
               for note in report.notes)


def test_memos_from_the_sample_round_trip_through_the_command(sample_files: Path,
                                                              tmp_path: Path) -> None:
    from tests.conftest import qcode

    project = init_project(tmp_path / "cmd")
    import_paths(project, [sample_files / "interviews"])
    save_codebook(project, load_codebook(sample_files / "mini.yaml"))
    memos_store.add(project, EVERY_KIND[:3])
    root = project.root
    project.close()
    out = tmp_path / "cmd.qdpx"
    result = qcode(root, "export", "qdpx", "-o", str(out))
    assert result.exit_code == 0, result.output
    target = tmp_path / "back"
    init_project(target).close()
    imported = qcode(target, "import", str(out))
    assert imported.exit_code == 0, imported.output
    assert "3 new memos" in imported.stderr
