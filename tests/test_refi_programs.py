"""REFI-QDA as other programs read and write it: one selection per coding with its coder,
time and memo (QualCoder), a ``line:N`` name (qc), a colour on every code, and a project
that went through another program (every GUID new) coming back into the original."""

from __future__ import annotations

import re
import uuid
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from qcode.refi.codes import PALETTE
from qcode.refi.xml import guid
from qcode.store import find_project
from tests import test_refi
from tests.conftest import assert_user_error, qcode, snapshot
from tests.test_refi import NS, fresh, rows, write_qdpx

# The sample project, its export and the schema, as test_refi builds them.
sample_project = test_refi.sample_project
sample_qdpx = test_refi.sample_qdpx
schema = test_refi.schema
cli_project = test_refi.cli_project

CODINGS = 344


def _archive(path: Path) -> tuple[ET.Element, dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist()
                 if n.startswith("sources/")}
    return root, texts


def test_every_coding_is_its_own_selection_with_coder_time_and_memo(
    sample_project: Path, sample_qdpx: Path, schema  # type: ignore[no-untyped-def]
) -> None:
    with zipfile.ZipFile(sample_qdpx) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))
    root, texts = _archive(sample_qdpx)
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
    notes = {n.get("guid"): n.find("q:PlainTextContent", NS).text
             for n in root.findall("q:Notes/q:Note", NS)}
    memos = {(t, s, c, k): m for t, s, c, k, m in rows(
        sample_project, "SELECT transcript_id, segment, code_id, coder, memo FROM codings")}
    selections = root.findall(".//q:PlainTextSelection", NS)
    assert len(selections) == CODINGS
    seen_coders: set[str] = set()
    shared_ranges: dict[tuple[str, str, str], set[str]] = {}
    for source in root.findall("q:Sources/q:TextSource", NS):
        text = texts[source.get("plainTextPath").replace("internal://", "sources/")]
        for selection in source.findall("q:PlainTextSelection", NS):
            codings = selection.findall("q:Coding", NS)
            assert len(codings) == 1
            coding = codings[0]
            # The coder and the time are on the selection, where QualCoder reads them.
            assert selection.get("creatingUser") == coding.get("creatingUser")
            coder = users[selection.get("creatingUser")]
            seen_coders.add(coder)
            stamp = selection.get("creationDateTime")
            assert stamp == coding.get("creationDateTime") and stamp.endswith("Z")
            datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            # qc places a selection on the line its name gives, counted from 0.
            name = selection.get("name")
            found = re.fullmatch(r"line:(\d+) (\S+):(\d+)", name)
            assert found, name
            start = int(selection.get("startPosition"))
            assert int(found.group(1)) == text.count("\n", 0, start)
            assert found.group(2) == source.get("name")
            code = coding.find("q:CodeRef", NS).get("targetGUID")
            key = (found.group(2), int(found.group(3)), code, coder)
            memo = next(m for (t, s, c, k), m in memos.items()
                        if (t, s, guid("code", c), k) == key)
            # The memo is the selection's Description (QualCoder) and a Note (the schema).
            description = selection.find("q:Description", NS)
            ref = coding.find("q:NoteRef", NS)
            if memo:
                assert description.text == memo == notes[ref.get("targetGUID")]
            else:
                assert description is None and ref is None
            shared_ranges.setdefault((source.get("name"), selection.get("startPosition"),
                                      code), set()).add(coder)
    assert seen_coders == {"ans", "b", "ref"}
    # Two coders who coded the same text with the same code: two selections, two users.
    assert any(len(coders) == 2 for coders in shared_ranges.values())


def test_every_code_has_a_colour_and_a_sub_code_inherits_its_parents(
    cli_project: Path, tmp_path: Path, schema  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "mini.qdpx"
    assert qcode(cli_project, "export", "qdpx", "-o", str(out)).exit_code == 0
    root, _ = _archive(out)
    colours = {c.get("name"): c.get("color") for c in root.iter(f"{{{NS['q']}}}Code")}
    assert all(colours.values()), colours
    assert colours["Onderling vertrouwen"] == colours["Mondeling delen"] == "#1f77b4"
    # Top-level codes without a colour get the palette's, in codebook order.
    assert colours["Netwerkgovernance"] == PALETTE[1]
    assert colours["Netwerk administratieve organisatie"] == PALETTE[1]
    assert colours["Dialoog tussen politie en ketenpartners"] == PALETTE[2]
    with zipfile.ZipFile(out) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))
    # Read back, with or without qcode.json, a colour that is only inherited or assigned
    # stays so: the codebook is unchanged.
    before = rows(cli_project, "SELECT id, color FROM codes ORDER BY id")
    stripped = _strip_sidecar(out, tmp_path / "stripped.qdpx")
    result = qcode(cli_project, "import", str(stripped))
    assert result.exit_code == 0, result.output
    assert rows(cli_project, "SELECT id, color FROM codes ORDER BY id") == before
    qdc = tmp_path / "mini.qdc"
    assert qcode(cli_project, "export", "qdc", "-o", str(qdc)).exit_code == 0
    target = fresh(tmp_path)
    assert qcode(target, "codebook", "load", str(qdc)).exit_code == 0
    assert rows(target, "SELECT label, color FROM codes WHERE parent_id IS NOT NULL") == [
        (label, None) for (label,) in rows(
            cli_project, "SELECT label FROM codes WHERE parent_id IS NOT NULL ORDER BY position")]


def _strip_sidecar(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            if info.filename != "qcode.json":
                copy.writestr(info, original.read(info))
    return target


_GUID = re.compile(r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\}?")


def regenerate(source: Path, target: Path, *, edit: str = "") -> Path:
    """The project as another program sends it back: every GUID new (upper case),
    sources named after their files ("noordrand-r01.txt"), no qcode.json; ``edit`` is
    XML put inside the first source (a coding added in the other program)."""
    with zipfile.ZipFile(source) as archive:
        qde = archive.read("project.qde").decode("utf-8")
        texts = {n: archive.read(n) for n in archive.namelist() if n.startswith("sources/")}
    fresh_guids: dict[str, str] = {}

    def new(found: re.Match[str]) -> str:
        old = found.group().strip("{}").lower()
        fresh_guids.setdefault(old, str(uuid.uuid4()).upper())
        return fresh_guids[old]

    qde = _GUID.sub(new, qde)
    qde = re.sub(r'(<TextSource [^>]*name=")([^"]+)(")', r"\1\2.txt\3", qde)
    if edit:
        qde = qde.replace("</TextSource>", edit + "</TextSource>", 1)
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, content in texts.items():
            old = name.removeprefix("sources/").removesuffix(".txt")
            archive.writestr(f"sources/{fresh_guids[old]}.txt", content)
    return target


@pytest.fixture()
def original(sample_project: Path, tmp_path: Path) -> Path:
    """A copy of the sample project to import into (the module's one stays as it is)."""
    copy = tmp_path / "original"
    copy.mkdir()
    assert qcode(sample_project, "backup", str(copy)).exit_code == 0
    return copy


def test_a_project_back_from_another_program_with_new_guids_imports_into_the_original(
    original: Path, sample_qdpx: Path, tmp_path: Path,
) -> None:
    root, texts = _archive(sample_qdpx)
    first = root.find("q:Sources/q:TextSource", NS)
    text = texts[first.get("plainTextPath").replace("internal://", "sources/")]
    start = text.index("R: ") + 3
    added_code = str(uuid.uuid4()).upper()
    # In the other program: a new sub-code of trust, and a coding with a memo on it, the
    # coder, time and memo only on the selection (as QualCoder writes them).
    edit = (f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{start}" '
            f'endPosition="{start + 20}" creatingUser="USER-REF" '
            'creationDateTime="2026-04-02T09:30:00Z"><Description>nieuw in QualCoder'
            f'</Description><Coding guid="{uuid.uuid4()}">'
            f'<CodeRef targetGUID="{added_code}"/></Coding></PlainTextSelection>')
    back = regenerate(sample_qdpx, tmp_path / "terug.qdpx", edit=edit)
    qde = zipfile.ZipFile(back).read("project.qde").decode("utf-8")
    ref = re.search(r'<User guid="([^"]+)" name="ref"', qde).group(1)
    qde = qde.replace("USER-REF", ref)
    trust = re.search(r'<Code guid="([^"]+)" name="Onderling vertrouwen"[^>]*>', qde)
    qde = qde.replace(trust.group(), trust.group() + f'<Code guid="{added_code}" '
                      'name="Vertrouwen in de officier" isCodable="true"/>')
    write_qdpx(back, qde, {n: zipfile.ZipFile(sample_qdpx).read(o) for n, o in
                           _renamed_sources(back, sample_qdpx)})
    with find_project(original) as project:
        codings_before = rows(original, "SELECT transcript_id, segment, code_id, coder, memo, "
                                        "start, end FROM codings ORDER BY 1, 2, 3, 4, 6")
        segments_before = snapshot(project)[[t for t, _ in snapshot(project)].index("segments")]
    result = qcode(original, "import", str(back))
    assert result.exit_code == 0, result.output
    assert "58 code(s) with a GUID this project does not know matched to its codes by their " \
           "label path: 'Vorm van netwerksturing' -> governance;" in result.stderr
    assert f"1 new coding ({CODINGS} already present)" in result.stderr
    assert "imported 0 new, 0 updated, 6 unchanged" in result.stderr
    assert rows(original, "SELECT id, label FROM codes WHERE label = 'Vertrouwen in de "
                          "officier'") == [("trust.vertrouwen_in_de_officier",
                                            "Vertrouwen in de officier")]
    after = rows(original, "SELECT transcript_id, segment, code_id, coder, memo, start, end "
                           "FROM codings ORDER BY 1, 2, 3, 4, 6")
    assert [c for c in after if c not in codings_before] == [
        (first.get("name"), 2, "trust.vertrouwen_in_de_officier", "ref",
         "nieuw in QualCoder", 0, 20)]
    assert rows(original, "SELECT created_at FROM codings WHERE code_id = "
                          "'trust.vertrouwen_in_de_officier'") == [("2026-04-02T09:30:00Z",)]
    with find_project(original) as project:
        assert snapshot(project)[[t for t, _ in snapshot(project)].index("segments")] == \
            segments_before
    # The study codebook's fields that REFI-QDA has no place for are still there.
    assert rows(original, "SELECT count(*) FROM codes WHERE keywords != '[]'")[0][0] > 20


def _renamed_sources(back: Path, sample: Path) -> list[tuple[str, str]]:
    """(name in the regenerated file, name in the sample) for each source text."""
    with zipfile.ZipFile(back) as new, zipfile.ZipFile(sample) as old:
        texts = {old.read(n): n for n in old.namelist() if n.startswith("sources/")}
        return [(n, texts[new.read(n)]) for n in new.namelist() if n.startswith("sources/")]


def test_a_code_relabelled_in_the_other_program_is_refused_until_renamed(
    original: Path, sample_qdpx: Path, tmp_path: Path,
) -> None:
    back = regenerate(sample_qdpx, tmp_path / "hernoemd.qdpx")
    qde = zipfile.ZipFile(back).read("project.qde").decode("utf-8")
    assert qde.count('name="Mondeling delen"') == 1
    qde = qde.replace('name="Mondeling delen"', 'name="Mondeling overleg"')
    write_qdpx(back, qde, {n: zipfile.ZipFile(sample_qdpx).read(o) for n, o in
                           _renamed_sources(back, sample_qdpx)})
    with find_project(original) as project:
        before = snapshot(project)
    refused = qcode(original, "import", str(back))
    assert_user_error(refused, "code(s) in use here are not in the file's codebook")
    assert "trust.information_sharing.oral (" in refused.stderr
    assert "trust.information_sharing.mondeling_overleg ('Mondeling overleg')" in refused.stderr
    assert "--rename trust.information_sharing.oral=trust.information_sharing.mondeling_" \
           "overleg" in refused.stderr
    with find_project(original) as project:
        assert snapshot(project) == before
    in_use = rows(original, "SELECT count(*) FROM codings WHERE code_id = "
                            "'trust.information_sharing.oral'")[0][0]
    done = qcode(original, "import", str(back), "--rename",
                 "trust.information_sharing.oral=trust.information_sharing.mondeling_overleg")
    assert done.exit_code == 0, done.output
    assert rows(original, "SELECT count(*) FROM codings WHERE code_id = "
                          "'trust.information_sharing.mondeling_overleg'") == [(in_use,)]
    assert "0 new codings" in done.stderr


LEFT_OUT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Uit MAXQDA" origin="MAXQDA 2022">
 <Users><User guid="b0000000-0000-0000-0000-000000000001" name="Sanne"/></Users>
 <CodeBook><Codes>
  <Code guid="c0000000-0000-0000-0000-000000000001" name="Vertrouwen" isCodable="true">
   <NoteRef targetGUID="00000000-0000-0000-0000-00000000000c"/>
  </Code>
 </Codes></CodeBook>
 <Cases>
  <Case guid="e0000000-0000-0000-0000-000000000001" name="R7"><Description>wijkagent</Description>
   <SourceRef targetGUID="f0000000-0000-0000-0000-000000000001"/>
   <SourceRef targetGUID="f0000000-0000-0000-0000-0000000000ff"/></Case>
 </Cases>
 <Sources>
  <TextSource guid="f0000000-0000-0000-0000-000000000001" name="interview-a.txt"
   plainTextPath="internal://a.txt">
   <Description>eerste gesprek</Description>
   <PlainTextSelection guid="a0000000-0000-0000-0000-000000000001" startPosition="3"
    endPosition="20" creatingUser="b0000000-0000-0000-0000-000000000001"
    creationDateTime="2025-11-03T14:00:00Z"><Description>sterk citaat</Description>
    <Coding guid="a0000000-0000-0000-0000-000000000002">
     <CodeRef targetGUID="c0000000-0000-0000-0000-000000000001"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="a0000000-0000-0000-0000-000000000003" startPosition="0"
    endPosition="2"><Description>alleen een aantekening</Description></PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes>
  <Note guid="00000000-0000-0000-0000-00000000000a" name="Dagboek"><PlainTextContent>dag 1</PlainTextContent></Note>
  <Note guid="00000000-0000-0000-0000-00000000000c" name="Codememo"><PlainTextContent>over vertrouwen</PlainTextContent></Note>
 </Notes>
 <Links><Link guid="d0000000-0000-0000-0000-000000000001" name="hangt samen met"/></Links>
 <Description>Een project over het huis.</Description>
</Project>"""


def test_import_says_what_it_leaves_out_and_keeps_selection_memos(tmp_path: Path) -> None:
    qdpx = write_qdpx(tmp_path / "maxqda.qdpx", LEFT_OUT,
                      {"sources/a.txt": b"R: Ik vertrouw de partners, meestal.\n"})
    target = fresh(tmp_path)
    result = qcode(target, "import", str(qdpx))
    assert result.exit_code == 0, result.output
    left = next(line for line in result.stderr.splitlines() if "left out, as qcode" in line)
    # Only the link has no place in qcode; the notes and descriptions become memos.
    assert left.endswith("left out, as qcode has no place for them: 1 link(s) between items")
    memos = sorted(rows(target, "SELECT kind, target, text FROM memos"))
    assert memos == sorted([
        ("project", "", "dag 1"), ("project", "", "Een project over het huis."),
        ("code", "vertrouwen", "over vertrouwen"), ("respondent", "R7", "wijkagent"),
        ("transcript", "interview-a", "eerste gesprek"),
        # The annotation covers only the speaker label "R:", no turn's text: it stays on
        # the transcript (and the import says so).
        ("transcript", "interview-a", "alleen een aantekening"),
    ])
    assert "1 reference(s) of case(s) to a source that is not in the file or was skipped " \
           "left out: 'R7' (1)" in result.stderr
    # The source keeps its name without the file's extension; the selection's coder, time
    # and Description (the coding memo, as QualCoder and MAXQDA write it) are kept.
    assert rows(target, "SELECT id, respondent_id FROM transcripts") == [("interview-a", "R7")]
    assert rows(target, "SELECT coder, memo, created_at, start, end FROM codings") == [
        ("Sanne", "sterk citaat", "2025-11-03T14:00:00Z", 0, 17)]


def test_codebook_csv_has_the_columns_taguette_reads(cli_project: Path) -> None:
    import csv
    import io

    result = qcode(cli_project, "codebook", "show", "--format", "csv")
    assert result.exit_code == 0
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    header = [h.lower() for h in table[0]]
    # Taguette takes the tag from exactly one of tag, name or path; description beside it.
    assert [h for h in header if h in ("tag", "name", "path")] == ["path"]
    assert "description" in header
    by_path = {row["path"]: row for row in table}
    assert by_path["trust.information_sharing.oral"]["label"] == "Mondeling delen"
    assert by_path["trust"]["description"] == "Hoe partners elkaar vertrouwen en informatie delen."



def test_a_codebook_back_with_new_guids_loads_onto_the_projects_codes(
    cli_project: Path, tmp_path: Path,
) -> None:
    qdc = tmp_path / "mini.qdc"
    assert qcode(cli_project, "export", "qdc", "-o", str(qdc)).exit_code == 0
    text = _GUID.sub(lambda _: str(uuid.uuid4()).upper(), qdc.read_text(encoding="utf-8"))
    qdc.write_text(text.replace('name="Hoog vertrouwen"', 'name="hoog  Vertrouwen"'),
                   encoding="utf-8")
    before = rows(cli_project, "SELECT id, parent_id, keywords FROM codes ORDER BY id")
    result = qcode(cli_project, "codebook", "load", str(qdc))
    assert result.exit_code == 0, result.output
    assert "9 code(s) with a GUID this project does not know matched to its codes by their " \
           "label path: 'Onderling vertrouwen' -> trust; 'Onderling vertrouwen / " \
           "hoog  Vertrouwen' -> trust.high" in result.stderr
    assert rows(cli_project, "SELECT id, parent_id, keywords FROM codes ORDER BY id") == before
    assert rows(cli_project, "SELECT code_id, coder FROM codings") == [("trust", "ans")]
