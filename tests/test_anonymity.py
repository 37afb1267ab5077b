"""The anonymity check: every kind of identifier with its look-alikes, the checksums,
positions in the original files, byte-exact masking, the CLI and the import warning."""

from __future__ import annotations

import codecs
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from qcode.anonymity import (
    AnonymityError,
    Span,
    check_files,
    check_paths,
    eleven_test,
    find_identifiers,
    iban_is_valid,
    mask_paths,
)
from qcode.anonymity import names as names_module
from qcode.anonymity.names import DeduceNames, cache_folder
from qcode.cli import app
from qcode.demo import sample_root
from qcode.errors import TranscriptError
from qcode.store import find_project, init_project
from tests.conftest import snapshot

runner = CliRunner()


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start:span.end]) for span in find_identifiers(text)]


def kinds_in(text: str) -> set[str]:
    return {kind for kind, _ in found(text)}


# ------------------------------------------------------------------------------ phones

@pytest.mark.parametrize("number", [
    "06-12345678", "06 12345678", "06 1234 5678", "06-1234 5678", "06 12 34 56 78",
    "(06) 12345678", "0612345678", "0612 345678",
    "+31 6 1234 5678", "+31 (0)6-12345678", "+31612345678", "0031 6 12345678",
    "0031612345678", "+31 20 123 4567", "+32 2 123 45 67",
    "010-1234567", "020 123 4567", "0111-123456", "(010) 123 45 67", "010 - 1234567",
    "0800-1234", "0800 0432", "0900-8844", "0900 1234567", "085-1234567",
])
def test_phone_numbers_are_found_whole(number: str) -> None:
    assert found(f"Bel {number} maar.") == [("phone", number)]


@pytest.mark.parametrize("text", [
    "In 2018 en 2019 werkten we samen.",
    "Het overleg is om 10:30 of om 09.00-17.00 uur.",
    "Het kost € 1.250,00 per jaar, of 1.250.000 euro in totaal.",
    "Op 12-03-2018 en 06-03-1985 hadden we overleg, 2018-06-14 ook.",
    "Op 06-03-1985 12 mensen aan tafel.",
    "Zaaknummer 2018-0412345 en dossier 12345678.",
    "Een 0,5 fte, 12 procent, 100 mensen, 010 020 030 040.",
    "00:01:02.000 --> 00:01:05.000",
    "00:01:02,000 --> 00:01:05,000",
    "Bel 112 of 0900 als het niet spoed is.",
    "Nummer 0612345678901 is te lang.",
])
def test_years_times_amounts_dates_and_case_numbers_are_not_phones(text: str) -> None:
    assert "phone" not in kinds_in(text), found(text)


def test_two_phone_numbers_in_a_row_are_two_findings() -> None:
    assert found("Bel 06 12345678 010 1234567 maar.") == [
        ("phone", "06 12345678"), ("phone", "010 1234567")]
    assert found("tel:0612345678") == [("phone", "0612345678")]


# ------------------------------------------------------------------------------ e-mail

def test_email_addresses_without_the_sentence_full_stop() -> None:
    assert found("Mail j.jansen@gemeente.nl.") == [("email", "j.jansen@gemeente.nl")]
    assert found("<piet+vh@politie-noord.nl>") == [("email", "piet+vh@politie-noord.nl")]
    assert found("Zie @politie of info at gemeente punt nl.") == []


# --------------------------------------------------------------------------------- BSN

@pytest.mark.parametrize(("digits", "valid"), [
    ("123456782", True), ("111222333", True), ("012345672", True),
    ("123456789", False), ("123456781", False), ("000000000", False), ("12345678", False),
])
def test_eleven_test(digits: str, valid: bool) -> None:
    assert eleven_test(digits) is valid


def test_bsn_only_when_it_passes_the_eleven_test() -> None:
    assert found("BSN 123456782.") == [("bsn", "123456782")]
    assert found("BSN 1234.56.782 en 123 456 782") == [
        ("bsn", "1234.56.782"), ("bsn", "123 456 782")]
    assert found("BSN 123456789, fout getypt") == []


def test_amounts_and_case_numbers_that_pass_the_eleven_test_are_not_bsns() -> None:
    assert found("Begroting € 123.456.782 en 123456782 euro.") == []
    assert found("Zaaknummer 123456782 en kenmerk: 123456782.") == []
    assert found("Het nummer 1234567820 heeft tien cijfers.") == []


# -------------------------------------------------------------------------------- IBAN

@pytest.mark.parametrize(("iban", "valid"), [
    ("NL91ABNA0417164300", True), ("NL91 ABNA 0417 1643 00", True),
    ("DE89370400440532013000", True), ("BE68539007547034", True),
    ("GB82WEST12345698765432", True),
    ("NL91ABNA0417164301", False), ("NL19ABNA0417164300", False),
    ("NL91ABNA041716430", False), ("XX91ABNA0417164300", False),
])
def test_iban_checksum_and_length(iban: str, valid: bool) -> None:
    assert iban_is_valid(iban) is valid


def test_ibans_with_and_without_spaces_and_not_their_digits_as_phones() -> None:
    text = "Op NL91 ABNA 0417 1643 00 of DE89 3704 0044 0532 0130 00, niet NL91ABNA0417164301."
    assert found(text) == [("iban", "NL91 ABNA 0417 1643 00"),
                           ("iban", "DE89 3704 0044 0532 0130 00")]


# ----------------------------------------------------------------- postcodes, addresses

def test_postcodes_with_house_numbers_and_addresses() -> None:
    assert found("Dorpsstraat 12, 1234AB Ergens") == [("postcode", "Dorpsstraat 12, 1234AB")]
    assert found("Dorpsstraat 12 1234 AB") == [("postcode", "Dorpsstraat 12 1234 AB")]
    assert found("Op 1234 AB 12 en 1234AB, nr. 5.") == [
        ("postcode", "1234 AB 12"), ("postcode", "1234AB, nr. 5")]
    assert found("Hij woont op de Kerklaan 3a.") == [("address", "Kerklaan 3a")]
    assert found("De postcode is 2011 AB.") == [("postcode", "2011 AB")]
    assert found("Ergens in 1234AB.") == [("postcode", "1234AB")]


def test_years_with_acronyms_are_not_postcodes() -> None:
    assert found("In 2019 OM en politie samen, 5000 PV's per jaar, 1500 ID kaarten.") == []
    assert found("Sinds 2015 ZSM, en in de straat 3 keer.") == []


# ------------------------------------------------------------------------ licence plates

@pytest.mark.parametrize("plate", [
    "12-ABC-3", "AB-123-C", "1-ABC-23", "XX-99-99", "99-XX-99", "99-99-XX", "X-99-XXX",
    "XXX-99-X", "9-XX-999", "999-XX-9",
])
def test_licence_plates(plate: str) -> None:
    assert found(f"De auto met kenteken {plate} stond er.") == [("licence_plate", plate)]


def test_things_shaped_almost_like_plates_are_not() -> None:
    text = "Dossier BVH-2018-12, artikel 12-3, ab-123-c, AB-123-CD, 12-34-56 en A-1."
    assert "licence_plate" not in kinds_in(text), found(text)


# ------------------------------------------------------------------------ dates of birth

@pytest.mark.parametrize(("text", "date"), [
    ("Ik ben geboren op 12 maart 1985 in het ziekenhuis.", "12 maart 1985"),
    ("geb. 12-03-1985", "12-03-1985"),
    ("Geboortedatum: 1985-03-12", "1985-03-12"),
    ("Zijn zoon is geboren op 3 mei '10.", "3 mei '10"),
    ("geboren 12/03/85", "12/03/85"),
    ("İstanbul: geboren op 1-2-1990.", "1-2-1990"),  # lower() changes this text's length
])
def test_dates_of_birth(text: str, date: str) -> None:
    assert found(text) == [("birth_date", date)]


def test_ordinary_dates_are_not_dates_of_birth() -> None:
    assert found("Op 12 maart 2018 was er overleg, en op 12-03-2018 ook.") == []
    assert found("Ik ben geboren in Utrecht. Op 12-03-2019 begon ik hier.") == []
    assert found("date: 2018-06-14\nrespondent: R03") == []
    assert found("Geboren in 1985, dat is het enige.") == []


# ------------------------------------------------------------------------ whole files

def test_the_shipped_sample_transcripts_are_clean() -> None:
    report = check_paths([sample_root() / "transcripts_sample"])
    assert len(report.files) == 6
    assert report.findings == []
    assert not report.names_checked


def test_organisations_and_places_are_not_flagged_without_deduce() -> None:
    assert found("Veilig Thuis en de GGD zaten met Jan de Vries uit Rotterdam aan tafel.") == []


LEAKY = (
    "---\nrespondent: R09\ndate: 2018-06-14\n---\nI: Hoe bereik ik u?\n\n"
    "R: Bel 06-12345678 of mail j.jansen@gemeente.nl. De coöperatie zit één straat verder.\n"
    "Mijn BSN is 123456782.\n"
)


def write(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n",
          bom: bytes = b"") -> bytes:
    raw = bom + text.replace("\n", newline).encode(encoding)
    path.write_bytes(raw)
    return raw


def test_positions_are_lines_and_character_columns_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "r09.txt"
    write(path, LEAKY, newline="\r\n", bom=codecs.BOM_UTF8)
    findings = check_files([path]).findings
    assert [f.describe() for f in findings] == [
        f'{path}:7:8 phone "06-12345678"',
        f'{path}:7:28 email "j.jansen@gemeente.nl"',
        f'{path}:8:13 bsn "123456782"',
    ]


@pytest.mark.parametrize(("encoding", "newline", "bom"), [
    ("utf-8", "\n", b""),
    ("utf-8", "\r\n", codecs.BOM_UTF8),
    ("cp1252", "\r\n", b""),
    ("utf-16-le", "\r\n", codecs.BOM_UTF16_LE),
    ("utf-16-be", "\r", codecs.BOM_UTF16_BE),
])
def test_masked_copy_is_byte_exact_outside_the_findings(
    tmp_path: Path, encoding: str, newline: str, bom: bytes
) -> None:
    path = tmp_path / "r09.txt"
    raw = write(path, LEAKY, encoding=encoding, newline=newline, bom=bom)
    _, copies = mask_paths([path])
    assert [(c.source, c.target, c.masked) for c in copies] == [
        (path, tmp_path / "r09.masked.txt", 3)]
    expected = raw
    for secret, mask in [("06-12345678", "[TELEFOON]"), ("j.jansen@gemeente.nl", "[EMAIL]"),
                         ("123456782", "[BSN]")]:
        expected = expected.replace(secret.encode(encoding), mask.encode(encoding))
    assert (tmp_path / "r09.masked.txt").read_bytes() == expected
    assert path.read_bytes() == raw
    assert check_files([tmp_path / "r09.masked.txt"]).findings == []


def test_subtitle_files_are_checked_in_their_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "gesprek.vtt"
    write(path, "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v R>Bel 010-1234567 maar.\n")
    assert [f.describe() for f in check_files([path]).findings] == [
        f'{path}:4:10 phone "010-1234567"']


def test_mask_out_dir_writes_every_file_and_keeps_subfolders(tmp_path: Path) -> None:
    source = tmp_path / "interviews"
    (source / "noord").mkdir(parents=True)
    leaky = write(source / "noord" / "r09.txt", LEAKY)
    clean = write(source / "r01.txt", "R: Niets bijzonders hier.\n")
    report, copies = mask_paths([source], out_dir=tmp_path / "gemaskeerd")
    assert sorted((c.target.relative_to(tmp_path).as_posix(), c.masked) for c in copies) == [
        ("gemaskeerd/noord/r09.txt", 3), ("gemaskeerd/r01.txt", 0)]
    assert (tmp_path / "gemaskeerd" / "r01.txt").read_bytes() == clean
    assert (source / "noord" / "r09.txt").read_bytes() == leaky
    assert report.files_with_findings == 1


def test_mask_never_overwrites_an_original(tmp_path: Path) -> None:
    raw = write(tmp_path / "r09.txt", LEAKY)
    with pytest.raises(AnonymityError, match="would overwrite the original"):
        mask_paths([tmp_path], out_dir=tmp_path)
    assert (tmp_path / "r09.txt").read_bytes() == raw
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r09.txt"]


def test_masking_again_rewrites_the_copy_and_skips_earlier_copies(tmp_path: Path) -> None:
    write(tmp_path / "r09.txt", LEAKY)
    mask_paths([tmp_path])
    first = (tmp_path / "r09.masked.txt").read_bytes()
    report, copies = mask_paths([tmp_path])
    assert [f.path.name for f in report.files] == ["r09.txt"]
    assert [c.target.name for c in copies] == ["r09.masked.txt"]
    assert (tmp_path / "r09.masked.txt").read_bytes() == first
    inside = tmp_path / "gemaskeerd"
    mask_paths([tmp_path], out_dir=inside)
    report, _ = mask_paths([tmp_path], out_dir=inside)
    assert sorted(p.name for p in inside.iterdir()) == ["r09.masked.txt", "r09.txt"]
    assert len(report.files) == 2


def test_a_bad_file_stops_masking_before_anything_is_written(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", LEAKY)
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary\x00")
    with pytest.raises(TranscriptError, match="binary"):
        mask_paths([tmp_path], out_dir=tmp_path.parent / "uit")
    assert not (tmp_path.parent / "uit").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_files_import_would_refuse_are_refused_alike(tmp_path: Path) -> None:
    (tmp_path / "kapot.txt").write_bytes(b"\x00\x01binary\x00")
    with pytest.raises(TranscriptError, match="binary"):
        check_files([tmp_path / "kapot.txt"])
    with pytest.raises(TranscriptError, match="no such file or folder"):
        check_paths([tmp_path / "nergens"])


# ------------------------------------------------------------------------------- .docx

def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("I: Hoe bereik ik u?")
    paragraph = document.add_paragraph("R: Bel ")
    paragraph.add_run("06-1234").bold = True
    paragraph.add_run("5678 en mail ")
    paragraph.add_run("j.jansen@gemeente.nl").italic = True
    paragraph.add_run(". Coöperatie.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "R"
    table.cell(0, 1).text = "Kenteken 12-ABC-3."
    document.save(str(path))


def test_docx_lines_are_paragraph_numbers_and_masking_keeps_the_runs(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "r09.docx"
    make_docx(path)
    findings = check_files([path]).findings
    assert [f.describe() for f in findings] == [
        f'{path}:2:8 phone "06-12345678"',
        f'{path}:2:28 email "j.jansen@gemeente.nl"',
        f'{path}:4:10 licence_plate "12-ABC-3"',
    ]
    original = path.read_bytes()
    mask_paths([path])
    masked_path = tmp_path / "r09.masked.docx"
    masked = docx.Document(str(masked_path))
    paragraph = masked.paragraphs[1]
    assert paragraph.text == "R: Bel [TELEFOON] en mail [EMAIL]. Coöperatie."
    assert [(run.text, bool(run.bold), bool(run.italic)) for run in paragraph.runs] == [
        ("R: Bel ", False, False), ("[TELEFOON]", True, False), (" en mail ", False, False),
        ("[EMAIL]", False, True), (". Coöperatie.", False, False)]
    assert masked.tables[0].cell(0, 1).text == "Kenteken [KENTEKEN]."
    assert path.read_bytes() == original
    with zipfile.ZipFile(path) as before, zipfile.ZipFile(masked_path) as after:
        assert before.namelist() == after.namelist()
        changed = [n for n in before.namelist() if before.read(n) != after.read(n)]
    assert changed == ["word/document.xml"]
    assert check_files([masked_path]).findings == []


# ------------------------------------------------------------------ names and places

class FakeNames:
    """A stand-in for deduce: finds the names it was given."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def __call__(self, text: str) -> Iterator[Span]:
        for name in self.names:
            at = text.find(name)
            if at >= 0:
                yield Span(at, at + len(name), "place" if name == "Rotterdam" else "name")


def test_a_name_detector_plugs_into_check_and_mask(tmp_path: Path) -> None:
    path = tmp_path / "r09.txt"
    write(path, "R: Ik sprak Jan de Vries uit Rotterdam op 06-12345678.\n")
    report = check_files([path], names=FakeNames("Jan de Vries", "Rotterdam"))
    assert report.names_checked
    assert [(f.kind, f.text) for f in report.findings] == [
        ("name", "Jan de Vries"), ("place", "Rotterdam"), ("phone", "06-12345678")]
    mask_paths([path], names=FakeNames("Jan de Vries", "Rotterdam"))
    assert (tmp_path / "r09.masked.txt").read_text(encoding="utf-8") == (
        "R: Ik sprak [NAAM] uit [PLAATS] op [TELEFOON].\n")


def test_a_pattern_finding_wins_over_a_name_on_the_same_text() -> None:
    text = "Bel 06-12345678."
    spans = find_identifiers(text, extra=[FakeNames("06-12345678")])
    assert [(s.kind, text[s.start:s.end]) for s in spans] == [("phone", "06-12345678")]


class FakeDeduce:
    """deduce's ``deidentify`` interface, answering with fixed annotations."""

    def __init__(self, *annotations: tuple[str, str]) -> None:
        self.annotations = annotations

    def deidentify(self, text: str) -> SimpleNamespace:
        found = []
        for tag, words in self.annotations:
            at = text.find(words)
            found.append(SimpleNamespace(text=words, start_char=at, end_char=at + len(words),
                                         tag=tag))
        return SimpleNamespace(annotations=found)


def test_deduce_adapter_maps_tags_and_drops_ordinary_words_at_sentence_start(
    tmp_path: Path,
) -> None:
    text = "R: Krap. Mevrouw Jansen van Veilig Thuis woont in Utrecht. Ruiten ingegooid."
    engine = FakeDeduce(("persoon", "Krap"), ("persoon", "Mevrouw Jansen"),
                        ("instelling", "Veilig Thuis"), ("locatie", "Utrecht"),
                        ("locatie", "Ruiten"), ("datum", "ingegooid"))
    detector = DeduceNames(cache=tmp_path, engine=engine)
    assert [(s.kind, text[s.start:s.end]) for s in detector(text)] == [
        ("name", "Mevrouw Jansen"), ("place", "Utrecht")]


def test_deduce_cache_is_a_user_cache_folder_never_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QCODE_CACHE_DIR", raising=False)
    default = cache_folder()
    assert default.is_absolute() and "qcode" in default.parts
    assert tmp_path not in default.parents
    monkeypatch.setenv("QCODE_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_folder() == tmp_path / "cache"
    detector = DeduceNames(engine=FakeDeduce())
    assert detector.cache.parent == tmp_path / "cache"


@pytest.mark.slow
def test_real_deduce_finds_names_and_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("deduce")
    if names_module.deduce_unavailable() is not None:
        pytest.skip(names_module.deduce_unavailable() or "")
    detector = DeduceNames()  # the user's cache: building it here would take minutes
    text = "Ik sprak gisteren met Jan de Vries uit Rotterdam. Krap. Veilig Thuis belde."
    spans = [(s.kind, text[s.start:s.end]) for s in detector(text)]
    assert ("name", "Jan de Vries") in spans
    assert ("place", "Rotterdam") in spans
    assert all(words not in {"Krap", "Veilig Thuis"} for _, words in spans)
    report = check_paths([sample_root() / "transcripts_sample"], names=detector)
    assert [f.describe() for f in report.findings] == []


# ------------------------------------------------------------------------------- CLI

@pytest.fixture()
def no_deduce(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names_module, "deduce_unavailable", lambda: "deduce is not installed")


def test_cli_clean_files_exit_0(no_deduce: None) -> None:
    result = runner.invoke(app, ["check-anonymity", str(sample_root() / "transcripts_sample")])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "note: person names and places were not checked: deduce is not installed",
        "no identifiers found in 6 files",
    ]


def test_cli_findings_one_a_line_and_exit_1(tmp_path: Path, no_deduce: None) -> None:
    path = tmp_path / "r09.txt"
    write(path, LEAKY)
    result = runner.invoke(app, ["check-anonymity", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f'{path}:7:8 phone "06-12345678"',
        f'{path}:7:28 email "j.jansen@gemeente.nl"',
        f'{path}:8:13 bsn "123456782"',
    ]
    assert result.stderr.count("not checked") == 1
    assert "found 3 possible identifiers in 1 of 1 file (phone 1, email 1, bsn 1)" in result.stderr
    jsonl = runner.invoke(app, ["check-anonymity", "--format", "jsonl", str(path)])
    assert jsonl.exit_code == 1
    assert json.loads(jsonl.stdout.splitlines()[0]) == {
        "file": str(path), "line": 7, "column": 8, "kind": "phone", "text": "06-12345678",
        "placeholder": "[TELEFOON]"}


def test_cli_mask_writes_copies_and_out_needs_mask(tmp_path: Path, no_deduce: None) -> None:
    path = tmp_path / "r09.txt"
    raw = write(path, LEAKY)
    usage = runner.invoke(app, ["check-anonymity", "--out", str(tmp_path / "x"), str(path)])
    assert usage.exit_code == 2
    assert "add --mask" in usage.stderr
    result = runner.invoke(app, ["check-anonymity", "--mask", str(path)])
    assert result.exit_code == 1
    assert f"wrote {tmp_path / 'r09.masked.txt'} (3 masked)" in result.stderr
    assert "[TELEFOON]" in (tmp_path / "r09.masked.txt").read_text(encoding="utf-8")
    assert path.read_bytes() == raw
    refused = runner.invoke(app, ["check-anonymity", "--mask", "--out", str(tmp_path),
                                  str(tmp_path)])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1].startswith("error: ")
    assert "would overwrite the original" in refused.stderr
    missing = runner.invoke(app, ["check-anonymity", str(tmp_path / "nergens.txt")])
    assert missing.exit_code == 1
    assert f"error: {tmp_path / 'nergens.txt'}: no such file or folder" in missing.stderr


def test_cli_uses_deduce_when_it_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(names_module, "deduce_unavailable", lambda: None)
    monkeypatch.setattr(names_module, "DeduceNames", lambda: FakeNames("Jan de Vries"))
    monkeypatch.setenv("QCODE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "r09.txt"
    write(path, "R: Ik sprak Jan de Vries.\n")
    result = runner.invoke(app, ["check-anonymity", str(path)])
    assert result.exit_code == 1
    assert result.stdout == f'{path}:1:13 name "Jan de Vries"\n'
    assert f"checking person names and places with deduce (cache in {tmp_path / 'cache'}" \
        in result.stderr


def test_import_warns_but_imports(tmp_path: Path, no_deduce: None) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(folder / "r09.txt", LEAKY)
    project = init_project(tmp_path / "project")
    project.close()
    result = runner.invoke(app, ["--project", str(tmp_path / "project"), "import", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        f'warning: {folder / "r09.txt"}:7:8 phone "06-12345678"',
        f'warning: {folder / "r09.txt"}:7:28 email "j.jansen@gemeente.nl"',
        f'warning: {folder / "r09.txt"}:8:13 bsn "123456782"',
    ]
    assert "imported 1 new" in result.stderr
    assert "not checked" not in result.stderr  # a plain import does not nag about deduce


def test_import_summarises_many_warnings(tmp_path: Path, no_deduce: None) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(folder / "r09.txt", "R: " + " en ".join(f"06-1234567{i}" for i in range(10))
          + " en " + " en ".join(f"010-123456{i}" for i in range(5)) + ".\n")
    init_project(tmp_path / "project").close()
    result = runner.invoke(app, ["--project", str(tmp_path / "project"), "import", str(folder)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 12
    assert warnings[10] == ("warning: ... and 5 more; see them all with "
                            "'qcode check-anonymity PATH'")
    assert "found 15 possible identifiers in 1 of 1 file (phone 15)" in warnings[11]


def test_import_strict_refuses_and_leaves_the_project_unchanged(
    project, sample_files: Path, no_deduce: None  # type: ignore[no-untyped-def]
) -> None:
    before = snapshot(project)
    folder = sample_files / "interviews"
    write(folder / "r09.txt", LEAKY)
    result = runner.invoke(app, ["--project", str(project.root), "import", "--strict",
                                 str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert "note: person names and places were not checked: deduce is not installed" in lines
    assert lines[-1] == (
        "error: found 3 possible identifiers in 1 of 3 files (phone 1, email 1, bsn 1); "
        "nothing was imported (--strict): mask them with 'qcode check-anonymity --mask "
        "PATH' or remove them, then import again")
    reopened = find_project(project.root)
    assert snapshot(reopened) == before
    reopened.close()


def test_import_strict_of_clean_files_imports(tmp_path: Path, no_deduce: None) -> None:
    init_project(tmp_path / "project").close()
    result = runner.invoke(app, ["--project", str(tmp_path / "project"), "import", "--strict",
                                 str(sample_root() / "transcripts_sample")])
    assert result.exit_code == 0, result.output
    assert "imported 6 new" in result.stderr
    assert "warning" not in result.stderr


def test_import_checks_names_when_deduce_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(names_module, "deduce_unavailable", lambda: None)
    monkeypatch.setattr(names_module, "DeduceNames", lambda: FakeNames("Jan de Vries"))
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(folder / "r09.txt", "R: Ik sprak Jan de Vries.\n")
    init_project(tmp_path / "project").close()
    result = runner.invoke(app, ["--project", str(tmp_path / "project"), "import", "--strict",
                                 str(folder)])
    assert result.exit_code == 1
    assert f'warning: {folder / "r09.txt"}:1:13 name "Jan de Vries"' in result.stderr
    assert "nothing was imported" in result.stderr
    stored = find_project(tmp_path / "project")
    assert stored._db.execute("SELECT count(*) FROM transcripts").fetchone()[0] == 0
    stored.close()
