"""REFI-QDA: export .qdpx/.qdc, import the real files of other programs, round trips, bad files."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.demo import SAMPLE_CODINGS, sample_root
from qcode.models import Coding
from qcode.refi.xml import guid
from qcode.store import Project, find_project, init_project
from tests.conftest import assert_user_error, qcode, snapshot

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "refi-qda"
SCHEMA = ROOT / "tests" / "fixtures" / "refi" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
CB_NS = "urn:QDA-XML:codebook:1.0"

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"{SHARED} is absent: the real REFI-QDA exports of ATLAS.ti, NVivo and qc live "
    "there (CI has a copy of shared/ beside the clone)",
)
runner = CliRunner()






@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


# Spans and memos with diacritics that the sample's reference coding does not have.
EXTRA_CODER = "ans"
EXTRA_MEMO = "casuïstiek aan één tafel – coöperatie"


def _add_extra_codings(project: Project) -> None:
    from qcode.store.codings import add as add_codings
    from qcode.store.transcripts import get_segments

    extra = []
    for transcript, word in (("rivierstad-r05", "coöperatie"), ("rivierstad-r06", "casuïstiek"),
                             ("noordrand-r01", "één")):
        segment = next(s for s in get_segments(project, transcript)
                       if word in s.text and not s.interviewer)
        start = segment.text.index(word)
        extra.append(Coding(transcript, segment.number, "trust.information_sharing",
                            EXTRA_CODER, memo=EXTRA_MEMO, start=start, end=start + len(word)))
        extra.append(Coding(transcript, segment.number, "dialogue", EXTRA_CODER,
                            provenance="suggestion", start=0, end=len(segment.text)))
    add_codings(project, extra)


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample: six interviews, respondents, the study codebook, two coders,
    plus span codings with diacritics and memos."""
    from qcode.codebook import load_codebook
    from qcode.coding.csvio import import_codings_csv
    from qcode.importing import import_paths
    from qcode.store.codebook import save_codebook

    root = sample_root()
    folder = tmp_path_factory.mktemp("sample") / "project"
    with init_project(folder) as project:
        import_paths(project, [root / "transcripts_sample"])
        save_codebook(project, load_codebook(root / "codebooks" / "veiligheidshuis.yaml"))
        for name in SAMPLE_CODINGS:
            import_codings_csv(project, root / "transcripts_sample" / name, coder="ref")
        _add_extra_codings(project)
    return folder


@pytest.fixture(scope="module")
def sample_qdpx(sample_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "sample.qdpx"
    result = qcode(sample_project, "export", "qdpx", "-o", str(out), "--name", "vh")
    assert result.exit_code == 0, result.output
    assert "344 codings" in result.stderr and "6 cases" in result.stderr
    return out


def rows(project: Path, query: str) -> list[tuple[object, ...]]:
    with find_project(project) as opened:
        return [tuple(r) for r in opened._db.execute(query)]


def qde_root(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def write_qdpx(path: Path, qde: str, members: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, content in (members or {}).items():
            archive.writestr(name, content)
    return path


def fresh(tmp_path: Path, name: str = "fresh") -> Path:
    assert runner.invoke(app, ["init", str(tmp_path / name)]).exit_code == 0
    return tmp_path / name


# -- export ----------------------------------------------------------------------------


def test_schema_copy_matches_the_shared_one() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent; the copy in tests/fixtures/refi is used alone")
    assert SCHEMA.read_bytes() == (SHARED / "Project.xsd").read_bytes()


def test_export_qdpx_validates_and_holds_the_whole_project(  # type: ignore[no-untyped-def]
    sample_project: Path, sample_qdpx: Path, schema
) -> None:
    with zipfile.ZipFile(sample_qdpx) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde").decode("utf-8")
    schema.validate(qde)
    assert names[0] == "project.qde" and "qcode.json" in names
    sources = [n for n in names if n.startswith("sources/")]
    assert len(sources) == 6 and all(n.endswith(".txt") for n in sources)
    root = ET.fromstring(qde)
    assert [u.get("name") for u in root.findall("q:Users/q:User", NS)] == [EXTRA_CODER, "b", "ref"]
    assert len(root.findall(".//q:CodeBook//q:Code", NS)) == 58
    trust = root.find("q:CodeBook/q:Codes/q:Code[@name='Onderling vertrouwen']", NS)
    assert trust is not None and trust.get("color", "").startswith("#")
    assert trust.find("q:Description", NS) is not None
    assert len(trust.findall("q:Code", NS)) > 1  # nesting kept
    assert len(root.findall(".//q:Coding", NS)) == 344
    memos = rows(sample_project, "SELECT count(*) FROM codings WHERE memo != ''")[0][0]
    assert len(root.findall("q:Notes/q:Note", NS)) == memos == len(
        [c for c in root.findall(".//q:Coding", NS) if c.find("q:NoteRef", NS) is not None])
    cases = root.findall("q:Cases/q:Case", NS)
    assert [c.get("name") for c in cases] == ["R01", "R02", "R03", "R04", "R05", "R06"]
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}
    r01 = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v.find("q:TextValue", NS).text
           for v in cases[0].findall("q:VariableValue", NS)}
    assert r01["case"] == "Veiligheidshuis Noordrand" and r01["function"] == "hoofd Veiligheidshuis"
    assert cases[0].find("q:SourceRef", NS).get("targetGUID") == guid("transcript", "noordrand-r01")


def test_export_offsets_point_at_the_exact_quotes(sample_project: Path, sample_qdpx: Path) -> None:
    """Every selection's offsets, in the exported text, give the quote qcode has."""
    from qcode.analysis.quotes import collect_quotes

    with find_project(sample_project) as project:
        quotes = {(q.transcript, q.segment, q.code, q.coder): q.text for q in collect_quotes(project)}
    root = qde_root(sample_qdpx)
    codes = {guid("code", code): code for code in {key[2] for key in quotes}}
    users = {u.get("guid"): u.get("name") for u in root.findall("q:Users/q:User", NS)}
    checked = 0
    with zipfile.ZipFile(sample_qdpx) as archive:
        for source in root.findall("q:Sources/q:TextSource", NS):
            path = source.get("plainTextPath").replace("internal://", "sources/")
            text = archive.read(path).decode("utf-8")
            for selection in source.findall("q:PlainTextSelection", NS):
                quoted = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
                segment = int(selection.get("name").rsplit(":", 1)[1])
                for coding in selection.findall("q:Coding", NS):
                    code = codes[coding.find("q:CodeRef", NS).get("targetGUID")]
                    key = (source.get("name"), segment, code, users[coding.get("creatingUser")])
                    assert quoted == quotes[key], key
                    checked += 1
    assert checked == 344
    assert any(q == "coöperatie" for q in quotes.values())


def test_reexport_and_round_trip_export_are_byte_identical(
    sample_qdpx: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.qdpx"
    target = fresh(tmp_path)
    assert qcode(target, "import", str(sample_qdpx)).exit_code == 0
    assert qcode(target, "export", "qdpx", "-o", str(again), "--name", "vh").exit_code == 0
    assert again.read_bytes() == sample_qdpx.read_bytes()


ROUND_TRIP_QUERIES = (
    "SELECT * FROM respondents ORDER BY id",
    "SELECT id, respondent_id, source, format, content_hash, metadata, word_count "
    "FROM transcripts ORDER BY id",
    "SELECT * FROM segments ORDER BY transcript_id, number",
    "SELECT * FROM codes ORDER BY id",
    "SELECT transcript_id, segment, code_id, coder, provenance, memo, start, end, created_at "
    "FROM codings ORDER BY transcript_id, segment, code_id, coder, start",
)


def test_round_trip_keeps_every_code_coding_span_coder_memo_and_attribute(
    sample_project: Path, sample_qdpx: Path, tmp_path: Path
) -> None:
    target = fresh(tmp_path)
    result = qcode(target, "import", str(sample_qdpx))
    assert result.exit_code == 0, result.output
    assert "344 new codings" in result.stderr and "by 3 coders (ans, b, ref)" in result.stderr
    for query in ROUND_TRIP_QUERIES:
        assert rows(target, query) == rows(sample_project, query), query
    spans = rows(target, "SELECT transcript_id, segment, start, end, memo FROM codings "
                         f"WHERE coder = '{EXTRA_CODER}' AND memo != ''")
    assert len(spans) == 3
    for transcript, segment, start, end, memo in spans:
        text = rows(target, f"SELECT text FROM segments WHERE transcript_id = '{transcript}' "
                            f"AND number = {segment}")[0][0]
        assert str(text)[int(start):int(end)].encode() in {w.encode() for w in
                                                            ("coöperatie", "casuïstiek", "één")}
        assert str(memo).encode("utf-8") == EXTRA_MEMO.encode("utf-8")


def test_round_trip_through_refi_alone_keeps_every_quote(
    sample_project: Path, sample_qdpx: Path, tmp_path: Path
) -> None:
    """Without qcode.json (as after ATLAS.ti or NVivo) the REFI-QDA content alone brings
    back every coding: same quoted text, code label, coder and memo; ids from labels."""
    stripped = tmp_path / "stripped.qdpx"
    with zipfile.ZipFile(sample_qdpx) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if info.filename != "qcode.json":
                target.writestr(info, source.read(info))
    project = fresh(tmp_path)
    assert qcode(project, "import", str(stripped)).exit_code == 0
    quote_query = (
        "SELECT c.transcript_id, k.label, c.coder, c.memo, "
        "CASE WHEN c.start IS NULL THEN s.text ELSE substr(s.text, c.start + 1, c.end - c.start) "
        "END FROM codings c JOIN codes k ON k.id = c.code_id JOIN segments s "
        "ON s.transcript_id = c.transcript_id AND s.number = c.segment ORDER BY 1, 2, 3, 4, 5"
    )
    assert rows(project, quote_query) == rows(sample_project, quote_query)
    assert ("onderling_vertrouwen",) in rows(project, "SELECT id FROM codes")
    assert rows(project, "SELECT * FROM respondents ORDER BY id") == rows(
        sample_project, "SELECT * FROM respondents ORDER BY id")


def test_import_into_the_same_project_changes_nothing(sample_project: Path,
                                                      sample_qdpx: Path) -> None:
    with find_project(sample_project) as project:
        before = snapshot(project)
    result = qcode(sample_project, "import", str(sample_qdpx))
    assert result.exit_code == 0 and "0 new codings (344 already present)" in result.stderr
    with find_project(sample_project) as project:
        after = snapshot(project)
    # Only the time the codebook was (re)loaded and where from may move.
    moving = {"codebook_loaded_at", "codebook_source"}
    strip = [(t, [r for r in rs if not (t == "meta" and r[0] in moving)]) for t, rs in before]
    assert strip == [(t, [r for r in rs if not (t == "meta" and r[0] in moving)])
                     for t, rs in after]


def test_export_qdc_structure_and_reload_keeps_the_codebook(
    sample_project: Path, tmp_path: Path, schema  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "vh.qdc"
    result = qcode(sample_project, "export", "qdc", "-o", str(out))
    assert result.exit_code == 0 and "58 codes" in result.stderr
    root = ET.fromstring(out.read_bytes())
    assert root.tag == f"{{{CB_NS}}}CodeBook" and root.get("origin", "").startswith("qcode")
    assert [c.tag.split("}")[1] for c in root] == ["Codes"]
    assert len(root.findall(f".//{{{CB_NS}}}Code")) == 58
    # The codebook schema is not at hand; its Codes are the project schema's CodeType, so
    # they are validated there, moved into a minimal project.
    project = ET.Element(f"{{{NS['q']}}}Project", {"name": "check"})
    book = ET.SubElement(project, f"{{{NS['q']}}}CodeBook")
    book.append(_renamespace(root.find(f"{{{CB_NS}}}Codes"), NS["q"]))
    schema.validate(ET.tostring(project, encoding="unicode"))
    before = rows(sample_project, "SELECT * FROM codes ORDER BY id")
    reload = qcode(sample_project, "codebook", "load", str(out))
    assert reload.exit_code == 0 and "unchanged" in reload.stderr
    assert rows(sample_project, "SELECT * FROM codes ORDER BY id") == before


def _renamespace(element: ET.Element, namespace: str) -> ET.Element:
    copy = ET.Element(f"{{{namespace}}}{element.tag.split('}')[1]}", element.attrib)
    copy.text = element.text
    copy.extend(_renamespace(child, namespace) for child in element)
    return copy


def test_export_of_an_empty_project_is_valid(tmp_path: Path, schema) -> None:  # type: ignore[no-untyped-def]
    project = fresh(tmp_path)
    out = tmp_path / "leeg.qdpx"
    assert qcode(project, "export", "qdpx", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))
    assert_user_error(qcode(project, "export", "qdc", "-o", str(tmp_path / "leeg.qdc")),
                      "the project has no codebook yet")


def test_export_errors(sample_project: Path, tmp_path: Path) -> None:
    assert_user_error(qcode(sample_project, "export", "qdpx", "-o", str(tmp_path / "x.zip")),
                      "ends in .qdpx")
    assert_user_error(qcode(sample_project, "export", "qdc", "-o", str(tmp_path / "x.xml")),
                      "ends in .qdc")
    assert_user_error(
        qcode(sample_project, "export", "qdpx", "-o", str(tmp_path / "missing" / "x.qdpx")),
        "does not exist; create it first")
    assert not list(tmp_path.iterdir())


def test_export_refuses_text_xml_cannot_hold(cli_project_with_memo: Path, tmp_path: Path) -> None:
    result = qcode(cli_project_with_memo, "export", "qdpx", "-o", str(tmp_path / "x.qdpx"))
    assert_user_error(result, "U+000B")
    assert not (tmp_path / "x.qdpx").exists()


@pytest.fixture()
def cli_project_with_memo(project: Project) -> Path:
    from qcode.store.codings import add as add_codings

    add_codings(project, [Coding("noord-r01", 2, "trust", "ans", memo="a\x0bb")])
    return project.root


# -- the real files of other programs ----------------------------------------------------


@needs_shared
def test_qc_demo_loads_with_its_codes_and_selections(tmp_path: Path) -> None:
    target = fresh(tmp_path)
    result = qcode(target, "import", str(SHARED / "qc-demo.qdpx"))
    assert result.exit_code == 0, result.output
    assert "262 codes" in result.stderr and "158 coded selections" in result.stderr
    assert rows(target, "SELECT count(*) FROM codes") == [(262,)]
    assert rows(target, "SELECT count(*), count(DISTINCT coder) FROM codings") == [(205, 1)]
    assert ("rq1_definition.competencies.programming",) in rows(target, "SELECT id FROM codes")
    assert rows(target, "SELECT id FROM transcripts ORDER BY id") == [("admin-1",),
                                                                      ("board_2017",)]
    # Each coding quotes exactly the text of its selection in the source file.
    with zipfile.ZipFile(SHARED / "qc-demo.qdpx") as archive:
        text = archive.read("sources/board_2017.txt").decode("utf-8")
        root = ET.fromstring(archive.read("project.qde"))
    # A selection that starts at a speaker label ("Speaker 5:    There's ...") is clipped
    # to the turn's text (labels qcode takes as prose stay in).
    raw = [text[int(s.get("startPosition")):int(s.get("endPosition"))]
           for s in root.findall(".//q:PlainTextSelection", NS)]
    selections = {t.strip() for t in raw} | {re.sub(r"^[\w ]+:\s+", "", t).strip() for t in raw}
    quotes = rows(target, "SELECT substr(s.text, c.start + 1, c.end - c.start) FROM codings c "
                          "JOIN segments s ON s.transcript_id = c.transcript_id AND "
                          "s.number = c.segment WHERE c.start IS NOT NULL")
    assert quotes and all(str(q[0]).strip() in selections for q in quotes)


@needs_shared
def test_nvivo_loads_its_codes_and_users_and_skips_empty_sources(tmp_path: Path) -> None:
    target = fresh(tmp_path)
    result = qcode(target, "import", str(SHARED / "nvivo-mac-15.qdpx"))
    assert result.exit_code == 0, result.output
    assert rows(target, "SELECT count(*) FROM codes") == [(262,)]
    assert "users in the file: chrisp, cp" in result.stderr
    assert result.stderr.count("has no text (neither .txt nor .docx); skipped") == 2


@needs_shared
def test_atlasti_codebook_loads_one_code_and_one_group(tmp_path: Path) -> None:
    target = fresh(tmp_path)
    result = qcode(target, "codebook", "load", str(SHARED / "atlasti-win-23.qdc"))
    assert result.exit_code == 0, result.output
    assert "kept 1 code group beside the codebook: code group 1 (1 code)" in result.stderr
    assert rows(target, "SELECT id, label, color, description FROM codes") == [
        ("code1", "code1", "#46AA00", "description")]
    groups = json.loads(str(rows(target, "SELECT value FROM meta WHERE key = 'code_groups'")[0][0]))
    assert groups["groups"] == [{"name": "code group 1", "description": "kategorie 1",
                                 "codes": ["code1"]}]
    check = runner.invoke(app, ["codebook", "check", str(SHARED / "atlasti-win-23.qdc")])
    assert check.exit_code == 0 and "ok, 1 code (1 top-level)" in check.stderr
    out = tmp_path / "back.qdc"
    assert qcode(target, "export", "qdc", "-o", str(out)).exit_code == 0
    member = ET.fromstring(out.read_bytes()).find(f".//{{{CB_NS}}}MemberCode")
    assert member is not None and member.get("targetGUID") == guid("code", "code1")


@needs_shared
def test_truncated_atlasti_codebook_is_refused_and_changes_nothing(
    cli_project: Path,
) -> None:
    with find_project(cli_project) as project:
        before = snapshot(project)
    result = qcode(cli_project, "codebook", "load", str(SHARED / "atlasti-win-23-truncated.qdc"))
    assert_user_error(result, "atlasti-win-23-truncated.qdc:17:5: the file ends in the middle "
                              "of an element")
    with find_project(cli_project) as project:
        assert snapshot(project) == before


@pytest.fixture()
def cli_project(sample_files: Path) -> Path:
    folder = sample_files / "project"
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    assert qcode(folder, "import", str(sample_files / "interviews")).exit_code == 0
    assert qcode(folder, "codebook", "load", str(sample_files / "mini.yaml")).exit_code == 0
    assert qcode(folder, "codings", "add", "noord-r01", "2", "trust", "--coder",
                 "ans").exit_code == 0
    return folder


# -- files as other programs write them ---------------------------------------------------

FOREIGN_TEXT = ("Interviewer: Hoe werkt het huis?\r\n\r\nRespondent: We bespreken de casuïstiek "
                "aan één tafel.\r\nDat werkt goed.\r\n\r\nInterviewer: En de AVG?\r\n\r\n"
                "Respondent: Die maakt het lastig.")


def foreign_qde(selections: str, *, text_path: str = "internal://src.txt",
                extra_source: str = "", code_ref: str = "C0000000-0000-0000-0000-000000000001"
                ) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="urn:QDA-XML:project:0:4 Project.xsd" name="Extern" origin="ATLAS.ti 23">
 <Users><User guid="{{U0000000-0000-0000-0000-000000000001}}" name="Jörg"/></Users>
 <CodeBook><Codes>
  <Code guid="P0000000-0000-0000-0000-000000000001" name="Vertrouwen &amp; co" isCodable="true" color="#a0b">
   <Code guid="{code_ref}" name="Één tafel" isCodable="true"/>
   <Code guid="C0000000-0000-0000-0000-000000000002" name="een tafel" isCodable="true"/>
  </Code>
 </Codes></CodeBook>
 <Variables><Variable guid="V0000000-0000-0000-0000-000000000001" name="huis" typeOfVariable="Text"/></Variables>
 <Cases><Case guid="K0000000-0000-0000-0000-000000000001" name="R9">
  <VariableValue><VariableRef targetGUID="V0000000-0000-0000-0000-000000000001"/><TextValue>Midden</TextValue></VariableValue>
  <SourceRef targetGUID="S0000000-0000-0000-0000-000000000001"/></Case></Cases>
 <Sources><TextSource guid="S0000000-0000-0000-0000-000000000001" name="extern-r9" plainTextPath="{text_path}">
  {selections}
 </TextSource>{extra_source}</Sources>
 <Notes><Note guid="N0000000-0000-0000-0000-000000000001" name="memo"><PlainTextContent>Let op: één tafel</PlainTextContent></Note></Notes>
</Project>""".replace("P0000000", "a0000000").replace("C0000000", "c0000000").replace(
        "U0000000", "b0000000").replace("V0000000", "d0000000").replace("K0000000", "e0000000"
    ).replace("S0000000", "f0000000").replace("N0000000", "00000000")


def selection(start: int, end: int, code: str = "c0000000-0000-0000-0000-000000000001",
              note: bool = False) -> str:
    ref = '<NoteRef targetGUID="00000000-0000-0000-0000-000000000001"/>' if note else ""
    return (f'<PlainTextSelection guid="{guid("t", start, end, code)}" startPosition="{start}" '
            f'endPosition="{end}"><Coding guid="{guid("c", start, end, code)}" '
            f'creatingUser="B0000000-0000-0000-0000-000000000001"><CodeRef targetGUID="{code}"/>'
            f'{ref}</Coding></PlainTextSelection>')


def test_foreign_selections_map_onto_segments(tmp_path: Path) -> None:
    second = FOREIGN_TEXT.index("Respondent: We")
    word = FOREIGN_TEXT.index("één")
    last = FOREIGN_TEXT.index("Die maakt")
    selections = "".join([
        selection(word, word + 3, note=True),                        # a span inside turn 2
        selection(second, len(FOREIGN_TEXT)),                         # turns 2 to 4
        selection(0, len("Interviewer:")),                            # only a label
        selection(last, last + 3, "c0000000-0000-0000-0000-000000000002"),
    ])
    qdpx = write_qdpx(tmp_path / "extern.qdpx", foreign_qde(selections),
                      {"sources/src.txt": FOREIGN_TEXT.encode("utf-8")})
    target = fresh(tmp_path)
    result = qcode(target, "import", str(qdpx))
    assert result.exit_code == 0, result.output
    assert "covers no segment text" in result.stderr
    assert "1 coding of interviewer turns skipped" in result.stderr
    assert rows(target, "SELECT id, parent_id, label, color FROM codes ORDER BY position") == [
        ("vertrouwen_co", None, "Vertrouwen & co", "#aa00bb"),
        ("vertrouwen_co.een_tafel", "vertrouwen_co", "Één tafel", None),
        ("vertrouwen_co.een_tafel_2", "vertrouwen_co", "een tafel", None),
    ]
    codings = rows(target, "SELECT segment, code_id, coder, memo, start, end FROM codings "
                           "ORDER BY segment, start")
    segments = dict(rows(target, "SELECT number, text FROM segments"))
    assert segments[2] == "We bespreken de casuïstiek aan één tafel.\nDat werkt goed."
    assert codings == [
        (2, "vertrouwen_co.een_tafel", "Jörg", "", None, None),
        (2, "vertrouwen_co.een_tafel", "Jörg", "Let op: één tafel", 31, 34),
        (4, "vertrouwen_co.een_tafel", "Jörg", "", None, None),
        (4, "vertrouwen_co.een_tafel_2", "Jörg", "", 0, 3),
    ]
    assert str(segments[2])[31:34] == "één"
    assert rows(target, "SELECT id, attributes FROM respondents") == [("R9", '{"huis": "Midden"}')]
    assert rows(target, "SELECT id, respondent_id FROM transcripts") == [("extern-r9", "R9")]


def test_docx_twin_is_read_when_the_txt_is_near_empty(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ("Interviewer: Hoe gaat het?", "Respondent: Goed, we zijn een coöperatie."):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    qde = foreign_qde("", text_path="internal://src.txt").replace(
        'plainTextPath="internal://src.txt"',
        'plainTextPath="internal://src.txt" richTextPath="internal://src.docx"')
    qdpx = write_qdpx(tmp_path / "nvivo.qdpx", qde,
                      {"sources/src.txt": b"\n", "sources/src.docx": buffer.getvalue()})
    target = fresh(tmp_path)
    assert qcode(target, "import", str(qdpx)).exit_code == 0
    assert rows(target, "SELECT number, speaker, text FROM segments ORDER BY number") == [
        (1, "Interviewer", "Hoe gaat het?"), (2, "Respondent", "Goed, we zijn een coöperatie.")]


def test_any_qde_name_and_sources_without_internal_prefix(tmp_path: Path) -> None:
    qdpx = tmp_path / "qc.qdpx"
    with zipfile.ZipFile(qdpx, "w") as archive:
        archive.writestr("Mijn project.qde", foreign_qde(selection(0, 5),
                                                         text_path="src.txt"))
        archive.writestr("sources/src.txt", "Eerste alinea.\n\nTweede alinea.")
    target = fresh(tmp_path)
    assert qcode(target, "import", str(qdpx)).exit_code == 0
    assert rows(target, "SELECT segment, start, end FROM codings") == [(1, 0, 5)]


def _assert_refused(tmp_path: Path, qdpx: Path, message: str) -> None:
    target = tmp_path / "target"
    if not target.exists():
        fresh(tmp_path, "target")
        assert qcode(target, "import", str(tmp_path / "ok.txt")).exit_code == 0
    with find_project(target) as project:
        before = snapshot(project)
    assert_user_error(qcode(target, "import", str(qdpx)), message)
    with find_project(target) as project:
        assert snapshot(project) == before


@pytest.fixture()
def ok_text(tmp_path: Path) -> Path:
    (tmp_path / "ok.txt").write_text("I: Vraag?\n\nR: Antwoord.\n", encoding="utf-8")
    return tmp_path / "ok.txt"


def test_bad_archives_are_refused_and_change_nothing(tmp_path: Path, ok_text: Path) -> None:
    (tmp_path / "plain.qdpx").write_text("geen zip", encoding="utf-8")
    _assert_refused(tmp_path, tmp_path / "plain.qdpx", "not a REFI-QDA project (.qdpx is a zip")
    with zipfile.ZipFile(tmp_path / "noqde.qdpx", "w") as archive:
        archive.writestr("sources/a.txt", "tekst")
    _assert_refused(tmp_path, tmp_path / "noqde.qdpx", "no .qde project file in the archive")
    evil = write_qdpx(tmp_path / "evil.qdpx", foreign_qde(""), {"../../evil.txt": b"x"})
    _assert_refused(tmp_path, evil, "'../../evil.txt' points outside the archive")
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", foreign_qde(""))
        archive.writestr("sources/src.txt", b"\0" * (8 * 1024 * 1024))
    _assert_refused(tmp_path, bomb, "as only a zip bomb is")
    laughs = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Project name="&b;"/>')
    _assert_refused(tmp_path, write_qdpx(tmp_path / "laughs.qdpx", laughs),
                    "declares entities or external references")
    cut = write_qdpx(tmp_path / "cut.qdpx", foreign_qde(selection(0, 5))[:900],
                     {"sources/src.txt": FOREIGN_TEXT.encode()})
    _assert_refused(tmp_path, cut, "cut.qdpx:project.qde:")
    unknown = write_qdpx(tmp_path / "unknown.qdpx",
                         foreign_qde(selection(40, 50, "c0000000-0000-0000-0000-00000000000f")),
                         {"sources/src.txt": FOREIGN_TEXT.encode()})
    _assert_refused(tmp_path, unknown, "which is not in the file's codebook")
    missing = write_qdpx(tmp_path / "missing.qdpx", foreign_qde(""))
    _assert_refused(tmp_path, missing, "its text 'internal://src.txt' is not in the archive")
    wrong_root = write_qdpx(tmp_path / "root.qdpx", "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>")
    _assert_refused(tmp_path, wrong_root, "expected <Project> in urn:QDA-XML")


def test_qdpx_is_imported_on_its_own(tmp_path: Path, ok_text: Path) -> None:
    target = fresh(tmp_path)
    qdpx = write_qdpx(tmp_path / "x.qdpx", foreign_qde(""), {"sources/src.txt": b"tekst"})
    assert_user_error(qcode(target, "import", str(qdpx), str(ok_text)),
                      "a .qdpx project is imported on its own")
    assert rows(target, "SELECT count(*) FROM transcripts") == [(0,)]


def test_qdc_codes_known_by_guid_keep_their_ids_and_move_with_their_codings(
    cli_project: Path, tmp_path: Path
) -> None:
    """A codebook that went to ATLAS.ti and came back with a code moved and relabelled keeps
    the code's id path, fields and codings (renamed along with it)."""
    qdc = tmp_path / "terug.qdc"
    qdc.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti">
 <Codes>
  <Code guid="{guid('code', 'governance').upper()}" name="Sturing" isCodable="true">
   <Code guid="{{{guid('code', 'trust')}}}" name="Vertrouwen" isCodable="true"/>
  </Code>
 </Codes>
</CodeBook>""", encoding="utf-8")
    result = qcode(cli_project, "codebook", "load", str(qdc))
    assert result.exit_code == 0, result.output
    assert rows(cli_project, "SELECT id, label, keywords FROM codes ORDER BY position") == [
        ("governance", "Sturing", "[]"),
        ("governance.trust", "Vertrouwen", '["vertrouwen", "informatie delen"]')]
    assert rows(cli_project, "SELECT code_id, coder FROM codings") == [("governance.trust", "ans")]


def test_help_does_not_load_the_xml_libraries() -> None:
    code = ("import sys; from qcode.cli import app; "
            "print(sorted(m for m in ('xmlschema', 'defusedxml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_code_groups_travel_through_qdc_and_qdpx(cli_project: Path, tmp_path: Path) -> None:
    qdc = tmp_path / "groepen.qdc"
    qdc.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
 <Codes>
  <Code guid="{guid('code', 'trust')}" name="Onderling vertrouwen" isCodable="true">
   <Code guid="{guid('code', 'trust.high')}" name="Hoog vertrouwen" isCodable="true"/>
  </Code>
  <Code guid="{guid('code', 'dialogue')}" name="Dialoog" isCodable="true"/>
 </Codes>
 <Sets>
  <Set guid="{guid('set', 1)}" name="Provan &amp; Kenis"><Description>voorspellers</Description>
   <MemberCode targetGUID="{guid('code', 'trust')}"/><MemberCode targetGUID="{guid('code', 'dialogue')}"/>
  </Set>
  <Set guid="{guid('set', 2)}" name="Documenten"><MemberSource targetGUID="{guid('x', 1)}"/></Set>
 </Sets>
</CodeBook>""", encoding="utf-8")
    result = qcode(cli_project, "codebook", "load", str(qdc))
    assert result.exit_code == 0, result.output
    assert "1 set of documents or notes skipped" in result.stderr
    assert "Provan & Kenis (2 codes)" in result.stderr
    out = tmp_path / "groepen.qdpx"
    assert qcode(cli_project, "export", "qdpx", "-o", str(out)).exit_code == 0
    sets = qde_root(out).findall("q:Sets/q:Set", NS)
    assert [s.get("name") for s in sets] == ["Provan & Kenis"]
    target = fresh(tmp_path)
    assert qcode(target, "import", str(out)).exit_code == 0
    query = "SELECT value FROM meta WHERE key = 'code_groups'"
    assert rows(target, query) == rows(cli_project, query)
    groups = json.loads(str(rows(target, query)[0][0]))["groups"]
    assert groups == [{"name": "Provan & Kenis", "description": "voorspellers",
                       "codes": ["trust", "dialogue"]}]
