"""Hostile and broken input: no traceback, no hang, no partial write.

Property-based tests (hypothesis) feed the readers of everything a researcher hands qcode
(transcripts, codebooks, codings CSV, REFI-QDA projects) generated input. Whatever comes
in, a reader returns a result or raises a :class:`QcodeError` (which the CLI prints as one
line), within a bounded time, and an import that fails leaves the project exactly as it
was. Targeted cases cover the classic attacks: YAML alias bombs, very deep nesting, huge
lines, NUL bytes, mixed encodings, XML entity expansion and external entities, zip bombs
and archive members that climb out of the archive.

Examples per property: ``QCODE_HYPOTHESIS_EXAMPLES`` (default 60); derandomized, so a run
is reproducible and CI never fails on an example the developer never saw.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qcode.codebook import codebook_to_yaml, parse_codebook
from qcode.coding.csvio import import_codings_csv
from qcode.errors import QcodeError
from qcode.models import Codebook, Transcript
from qcode.store import Project
from qcode.store.codings import select as list_codings
from qcode.transcripts import decode_bytes, parse_file, parse_text
from tests.conftest import (
    INTERVIEW_ONE,
    MINI_CODEBOOK,
    assert_usage_error,
    assert_user_error,
    qcode,
    snapshot,
)

runner = CliRunner()

EXAMPLES = int(os.environ.get("QCODE_HYPOTHESIS_EXAMPLES", "60"))
HOSTILE = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),  # per example: generous for a loaded CI machine
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)
# The time any single hostile file may take to be refused or read.
BOUND = 10.0


def outcome(call: Callable[[], Any]) -> Any:
    """Run a reader: its result, or the QcodeError it raised. Anything else fails the test
    (it would reach the user as a traceback), and so does taking longer than BOUND."""
    started = time.monotonic()
    try:
        return call()
    except QcodeError as error:
        # One line a problem: a file with several mistakes lists each on its own line.
        lines = str(error).strip().splitlines()
        assert lines and all(line.strip() for line in lines), f"empty line in: {error!r}"
        return error
    finally:
        assert time.monotonic() - started < BOUND, "took too long"


# -- generated text ----------------------------------------------------------------------

# Lines that mean something to the transcript format, mixed with arbitrary text.
TRANSCRIPT_LINES = st.one_of(
    st.sampled_from([
        "---", "...", "", "   ", "I:", "R:", "I: Wat is uw functie?", "R: Ik ben hoofd.",
        "**I:** Vraag", "[I]: vraag", "Interviewer: Hoe gaat het?", "Let op: dit is tekst",
        "respondent: R01", "interviewer: [I]", "speakers: [I, R]", "id: x", "case: [a, b]",
        "key: {nested: map}", "a: &anker waarde", "b: *anker", "? complex", "- item",
        "date: 2018-06-14", "om 10:30 uur", "https://example.org", "R: coöperatie één",
        "\t", "\u2028", "\x0b", "\x0c", "R:\u00a0tekst", "\ufeff", "%YAML 1.2",
    ]),
    st.text(max_size=80),
)
TRANSCRIPTS = st.lists(TRANSCRIPT_LINES, max_size=40).map("\n".join)


@HOSTILE
@given(text=TRANSCRIPTS)
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    result = outcome(lambda: parse_text(text, source="t.txt", transcript_id="t"))
    if isinstance(result, QcodeError):
        return
    assert isinstance(result, Transcript)
    assert [s.number for s in result.segments] == list(range(1, len(result.segments) + 1))
    for segment in result.segments:
        # Quotes are exact: every segment is a piece of the file's text.
        assert segment.text in text
    assert any(s.text for s in result.segments)


# Text without the characters a binary-file check (rightly) refuses.
PLAIN_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x7f\ufeff",
                  codec="utf-8").filter(lambda c: ord(c) >= 0x20 or c in "\t\n\r"),
    max_size=300,
)


@HOSTILE
@given(text=PLAIN_TEXT)
def test_utf8_text_decodes_to_itself(text: str) -> None:
    decoded, notes = decode_bytes(text.encode("utf-8"), source="t.txt")
    assert decoded == text.replace("\r\n", "\n").replace("\r", "\n")
    assert notes == []


ENCODED_PIECES = st.lists(
    st.tuples(st.text(max_size=40),
              st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16-le", "utf-16"])),
    max_size=6,
).map(lambda pieces: b"".join(text.encode(codec, errors="ignore") for text, codec in pieces))


@HOSTILE
@given(raw=st.one_of(st.binary(max_size=600), ENCODED_PIECES,
                     st.binary(max_size=200).map(lambda b: b"\xef\xbb\xbf" + b),
                     st.binary(max_size=200).map(lambda b: b"\xff\xfe" + b)))
def test_any_bytes_decode_or_fail_cleanly(raw: bytes) -> None:
    result = outcome(lambda: decode_bytes(raw, source="t.txt"))
    if not isinstance(result, QcodeError):
        text, notes = result
        assert "\r" not in text and "\x00" not in text
        assert isinstance(notes, list)


@HOSTILE
@given(raw=st.one_of(st.binary(max_size=600), TRANSCRIPTS.map(str.encode), ENCODED_PIECES),
       suffix=st.sampled_from([".txt", ".md", ".vtt", ".srt", ".docx", ".pdf", ""]))
def test_any_file_parses_or_fails_cleanly(tmp_path: Path, raw: bytes, suffix: str) -> None:
    path = tmp_path / f"interview{suffix}"
    path.write_bytes(raw)
    result = outcome(lambda: parse_file(path))
    assert isinstance(result, Transcript | QcodeError)


def _random_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_MEMBERS = st.lists(
    st.tuples(st.sampled_from(["[Content_Types].xml", "word/document.xml", "_rels/.rels",
                               "word/_rels/document.xml.rels", "docProps/core.xml"]),
              st.one_of(st.binary(max_size=200),
                        st.sampled_from([b"<?xml version='1.0'?><a/>", b"<w:document/>",
                                         b"<Types/>", b"<<<"]))),
    max_size=5, unique_by=lambda m: m[0],
)


@HOSTILE
@given(members=DOCX_MEMBERS)
def test_any_zip_named_docx_reads_or_fails_cleanly(tmp_path: Path,
                                                   members: list[tuple[str, bytes]]) -> None:
    path = tmp_path / "interview.docx"
    path.write_bytes(_random_zip(members))
    result = outcome(lambda: parse_file(path))
    assert isinstance(result, Transcript | QcodeError)


# -- generated codebooks ----------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=20),
                    st.sampled_from(["high", "low", "#1f77b4", "#zzz", "trust", "a.b", ""]))
FIELD_NAMES = st.sampled_from(["codebook", "codes", "description", "label", "include",
                               "exclude", "examples", "keywords", "patterns", "level", "color",
                               "trust", "high", "Bad Id", "1x", "labl", "LEMMA", "OP", "REGEX",
                               "IN", "TEXT"])
YAML_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(FIELD_NAMES, inner, max_size=5)),
    max_leaves=30,
)


def _codebookish(codes: Any, name: Any) -> str:
    return yaml.safe_dump({"codebook": name, "codes": codes}, allow_unicode=True)


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``good`` nine times in ten, else ``bad``: valid input with an occasional flaw."""
    return st.integers(0, 9).flatmap(lambda n: bad if n == 0 else good)


ANY_CHARACTER = st.characters(codec="utf-8", blacklist_categories=("Cs",))
# Texts a codebook may hold: Dutch with diacritics, YAML's own syntax, and (escaped by the
# dump below) any other character, control characters and line separators included.
TEXTS = st.one_of(
    st.sampled_from(["Onderling vertrouwen", "coöperatie", "casuïstiek", "één tafel", "regie",
                     "informatie delen", "AVG", "Vertrouwen: hoog", "- lijst", "#kleur", "ja",
                     "no", "~", "null", "2018-06-14", "'quote'", "a\nb", "x\x85y", "1e3"]),
    st.text(ANY_CHARACTER, max_size=15),
).map(lambda t: t if t.strip() else f"x{t}")
CODE_IDS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
VALID = {
    "description": TEXTS, "include": TEXTS, "exclude": TEXTS,
    "examples": st.lists(TEXTS, max_size=3),
    "keywords": st.lists(TEXTS, max_size=4, unique_by=lambda t: " ".join(t.split())),
    "level": st.sampled_from(["low", "moderate", "high", "few", "many"]),
    "color": st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True),
    "patterns": st.lists(st.lists(st.fixed_dictionaries(
        {"LOWER": TEXTS}, optional={"OP": st.sampled_from(["?", "+", "*", "!", "{2,3}"])}),
        min_size=1, max_size=3), max_size=2),
}
# One flaw for a field: a wrong type or a value the loader must refuse.
FLAWED = {
    **{name: st.one_of(st.just(""), st.just([]), st.dictionaries(TEXTS, TEXTS, max_size=2))
       for name in ("description", "include", "exclude")},
    "label": st.one_of(st.just(""), st.none(), st.lists(TEXTS, max_size=2)),
    "examples": st.one_of(TEXTS, st.lists(st.one_of(st.just(""), st.lists(TEXTS)), min_size=1)),
    "keywords": st.one_of(TEXTS, st.just(["regie", "regie"]), st.just([None])),
    "level": st.sampled_from(["veel", "", "HIGH", 3]),
    "color": st.sampled_from(["red", "#12345", "", "#gggggg", None]),
    "patterns": st.one_of(
        st.just([[]]), st.just([{"LOWER": "x"}]),
        st.lists(st.lists(st.dictionaries(
            st.sampled_from(["LEMMA", "POS", "OP", "IS_PUNCT", "TEXT", "FOO", "LENGTH"]),
            st.one_of(TEXTS, st.sampled_from(["?", "{101}", "{2,", True, 3]),
                      st.dictionaries(st.sampled_from(["IN", "REGEX", ">=", "FUZZY9", "XX"]),
                                      st.one_of(TEXTS, st.just("(a"), st.lists(TEXTS))),
                      ),
            max_size=3), min_size=1, max_size=3), min_size=1, max_size=2),
    ),
    "labl": TEXTS,
}


@st.composite
def code_tree(draw: st.DrawFn, flaws: bool, depth: int = 0) -> dict[str, Any]:
    ids = draw(st.lists(CODE_IDS, min_size=1, max_size=3, unique=True))
    if flaws and draw(st.integers(0, 9)) == 0:
        ids.append(draw(st.sampled_from(["Trust", "1x", "a.b", "with space", ""])))
    tree = {}
    for code_id in ids:
        fields: dict[str, Any] = {"label": draw(TEXTS)}
        for name in draw(st.lists(st.sampled_from(sorted(VALID)), max_size=4, unique=True)):
            fields[name] = draw(VALID[name])
        if flaws and draw(st.integers(0, 4)) == 0:
            name = draw(st.sampled_from(sorted(FLAWED)))
            fields[name] = draw(FLAWED[name])
        if depth < 3 and draw(st.booleans()):
            fields["codes"] = draw(code_tree(flaws, depth + 1))
        tree[code_id] = fields
    return tree


def codebooks(*, flaws: bool) -> st.SearchStrategy[str]:
    # allow_unicode=False escapes every unusual character ("\x85", "\u2028"), so those
    # reach the loaded codebook too, where PyYAML would refuse them written raw.
    return st.builds(
        lambda name, codes, description, raw: yaml.safe_dump(
            {"codebook": name, "description": description, "codes": codes},
            allow_unicode=raw),
        TEXTS, code_tree(flaws), st.one_of(TEXTS, st.none()), st.booleans(),
    )


@HOSTILE
@given(text=codebooks(flaws=False))
def test_valid_codebooks_load_and_dump_back_unchanged(text: str) -> None:
    codebook = parse_codebook(text, source="codebook.yaml")
    # What loads, dumps and loads back to the same codes (exports rely on it).
    again = parse_codebook(codebook_to_yaml(codebook), source="again.yaml")
    assert again.codes == codebook.codes and again.name == codebook.name
    assert again.version == codebook.version


CODEBOOK_TEXTS = st.one_of(
    codebooks(flaws=True),
    st.builds(_codebookish, YAML_VALUES, SCALARS),
    YAML_VALUES.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.lists(st.one_of(st.sampled_from(["codebook: x\n", "codes:\n", "  a:\n", "    label: b\n",
                                        "  - [", "]", "{", "}", "&a ", "*a ", "!!python/name:x ",
                                        "\t", ": ", "'", '"', "\\", "|\n", ">\n", "---\n"]),
                       st.text(max_size=15)), max_size=30).map("".join),
)


@HOSTILE
@given(text=CODEBOOK_TEXTS)
def test_any_codebook_text_loads_or_fails_cleanly(text: str) -> None:
    result = outcome(lambda: parse_codebook(text, source="codebook.yaml"))
    if isinstance(result, QcodeError):
        assert str(result).startswith("codebook.yaml")
        return
    assert isinstance(result, Codebook) and result.codes


# -- generated codings CSV, imported into a project -----------------------------------------

CSV_VALUES = {
    "transcript": st.sampled_from(["noord-r01", "zuid-r02", "nope", "", " noord-r01 "]),
    "segment": st.one_of(st.sampled_from(["1", "2", "4", "6", "99", "0", "-1", "²", "x", "",
                                          "4.0", "1" * 30]),
                         st.integers(0, 10).map(str)),
    "code": st.sampled_from(["trust", "trust.high", "trust.low", "dialogue", "nope", "",
                             "governance.nao", "Trust"]),
    "coder": st.one_of(st.sampled_from(["ans", "bram", "", " "]), st.text(max_size=8)),
    "provenance": st.sampled_from(["", "manual", "imported", "suggestion", "bulk", "magic"]),
    "memo": st.text(max_size=30),
    "start": st.sampled_from(["", "0", "3", "10", "-2", "²", "99999999999999999999"]),
    "end": st.sampled_from(["", "5", "12", "0", "99999", "1" * 25]),
    "created_at": st.sampled_from(["", "2026-03-12T10:00:00+00:00", "gisteren"]),
}


@st.composite
def codings_csv(draw: st.DrawFn) -> bytes:
    optional = draw(st.lists(st.sampled_from([*CSV_VALUES, "extra", " code ", "Segment"]),
                             max_size=10, unique=True))
    required = ["transcript", "segment", "code"] if draw(st.integers(0, 4)) else []
    header = list(dict.fromkeys([*required, *optional])) or ["transcript"]
    rows = [[draw(CSV_VALUES[column]) if column in CSV_VALUES else draw(st.text(max_size=5))
             for column in header]
            for _ in range(draw(st.integers(0, 6)))]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    tail = draw(st.sampled_from(["", "", "", "", '"unclosed', "a,b,c,d,e,f,g,h,i,j,k\n",
                                 "\x00"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252",
                                     "utf-16"]))
    return (text + tail).encode(encoding, errors="replace")


@HOSTILE
@given(raw=st.one_of(codings_csv(), st.binary(max_size=300)))
def test_any_codings_csv_imports_all_or_nothing(project: Project, tmp_path: Path,
                                                raw: bytes) -> None:
    path = tmp_path / "codings.csv"
    path.write_bytes(raw)
    before = snapshot(project)
    result = outcome(lambda: import_codings_csv(project, path, coder="ans"))
    if isinstance(result, QcodeError):
        assert snapshot(project) == before, "a failed import changed the project"
        return
    stored = {(c.transcript, c.segment, c.code, c.coder, c.start, c.end)
              for c in list_codings(project)}
    for coding in (*result.added, *result.already_present):
        assert (coding.transcript, coding.segment, coding.code, coding.coder, coding.start,
                coding.end) in stored


# -- generated REFI-QDA projects ------------------------------------------------------------


@pytest.fixture(scope="module")
def exported_qdpx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real qcode export: two interviews, the mini codebook, codings with span and memo."""
    from qcode.codebook import load_codebook
    from qcode.importing import import_paths
    from qcode.models import Coding
    from qcode.refi.export import export_qdpx
    from qcode.store import init_project
    from qcode.store.codebook import save_codebook
    from qcode.store.codings import add as add_codings

    folder = tmp_path_factory.mktemp("refi")
    (folder / "interviews").mkdir()
    (folder / "interviews" / "noord-r01.txt").write_text(INTERVIEW_ONE, encoding="utf-8")
    (folder / "mini.yaml").write_text(MINI_CODEBOOK, encoding="utf-8")
    with init_project(folder / "project") as project:
        import_paths(project, [folder / "interviews"])
        save_codebook(project, load_codebook(folder / "mini.yaml"))
        add_codings(project, [
            Coding("noord-r01", 2, "trust", "ans", memo="coöperatie"),
            Coding("noord-r01", 4, "trust.high", "bram", start=0, end=22),
        ])
        export_qdpx(project, folder / "export.qdpx")
    return folder / "export.qdpx"


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _qdpx(path: Path, members: dict[str, bytes]) -> Path:
    path.write_bytes(_random_zip(list(members.items())))
    return path


XML_SNIPPETS = st.sampled_from([
    b"<", b">", b"&", b"&amp;", b"&lt;", b"&#0;", b"&#x110000;", b"&unknown;", b"]]>",
    b'<!DOCTYPE Project [<!ENTITY a "b">]>', b"<!-- x -->", b"<?pi x?>", b"\x00", b"\xff",
    b' startPosition="-5"', b' endPosition="99999999999"', b' guid="not-a-guid"',
    b"<Code/>", b"<Coding/>", b"<PlainTextSelection/>", b"<Sources>", b"</Sources>",
    b'<TextSource guid="x" plainTextPath="internal://../../etc/passwd"/>',
    b'<User guid="u" name=""/>', b"<Case/>", b"<VariableValue/>", "é".encode("cp1252"),
])


ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')
ATTRIBUTE_VALUES = st.one_of(
    st.sampled_from(["", "-1", "0", "5", "99999999999999999999", "1.5", "x", "internal://",
                     "internal://../secret.txt", "/etc/passwd", "C:\\x.txt", "#zzzzzz",
                     "00000000-0000-0000-0000-000000000000", "true", "2026-13-45T99:00:00Z"]),
    st.text(ANY_CHARACTER, max_size=10),
)


@st.composite
def mutated_qde(draw: st.DrawFn, original: bytes) -> bytes:
    """The exported project.qde with a few cuts, insertions, replacements and attribute
    values changed (the last keep the XML well-formed, so the meaning is what breaks)."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "replace", "truncate", "attribute",
                                       "attribute", "attribute"]))
        if action == "attribute":
            found = list(ATTRIBUTE.finditer(bytes(data)))
            if found:
                match = draw(st.sampled_from(found))
                value = xml_escape(draw(ATTRIBUTE_VALUES), {'"': "&quot;"})
                data[match.start(2):match.end(2)] = value.encode("utf-8", "surrogatepass")
        elif action == "cut":
            del data[where:where + draw(st.integers(1, 200))]
        elif action == "insert":
            data[where:where] = draw(st.one_of(XML_SNIPPETS, st.binary(max_size=20)))
        elif action == "replace":
            data[where:where + draw(st.integers(1, 40))] = draw(XML_SNIPPETS)
        else:
            del data[where:]
    return bytes(data)


@HOSTILE
@given(data=st.data())
def test_any_damaged_qdpx_imports_all_or_nothing(
    empty_project: Project, tmp_path: Path, exported_qdpx: Path, data: st.DataObject
) -> None:
    from qcode.importing.qdpx import import_qdpx

    members = _members(exported_qdpx)
    qde = next(name for name in members if name.endswith(".qde"))
    choice = data.draw(st.sampled_from(["qde", "qde", "qde", "source", "members"]))
    if choice == "qde":
        members[qde] = data.draw(mutated_qde(members[qde]))
    elif choice == "source":
        source = data.draw(st.sampled_from(sorted(n for n in members if n != qde)))
        members[source] = data.draw(st.one_of(st.binary(max_size=300),
                                              st.just(members[source][:-40])))
    else:
        for name in data.draw(st.lists(st.sampled_from(sorted(members)), max_size=2)):
            members.pop(name, None)
        extra = data.draw(st.dictionaries(
            st.sampled_from(["sources/x.txt", "Sources/X.TXT", "other.qde", "qcode.json",
                             "sources/", "a/b/c.docx"]),
            st.binary(max_size=50), max_size=2))
        members.update(extra)
    path = _qdpx(tmp_path / "damaged.qdpx", members)
    before = snapshot(empty_project)
    result = outcome(lambda: import_qdpx(empty_project, path))
    if isinstance(result, QcodeError):
        assert snapshot(empty_project) == before, "a failed import changed the project"


# -- targeted attacks: YAML ---------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


cli = qcode
assert_refused = assert_user_error


def test_a_yaml_bomb_codebook_is_refused_unexpanded(project: Project, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(f"codebook: lol\ncodes:\n  a:\n    label: x\n    examples: *i\n"
                    f"{BILLION_LAUGHS}", encoding="utf-8")
    result = outcome(lambda: parse_codebook(bomb.read_text(), source=str(bomb)))
    assert isinstance(result, QcodeError)
    assert str(result) == (f"{bomb}:5:15: aliases are not allowed in a codebook; write out "
                           "the value of *i in full")
    before = snapshot(project)
    assert_refused(cli(project.root, "codebook", "load", str(bomb)), "aliases are not allowed")
    assert_refused(cli(project.root, "codebook", "check", str(bomb)), "aliases are not allowed")
    assert snapshot(project) == before


def test_a_yaml_bomb_in_front_matter_is_refused_unexpanded(project: Project,
                                                          tmp_path: Path) -> None:
    text = f"---\n{BILLION_LAUGHS}respondent: *i\n---\nR: Hallo.\n"
    result = outcome(lambda: parse_text(text, source="bomb.txt", transcript_id="bomb"))
    assert isinstance(result, QcodeError) and "anchors and aliases" in str(result)
    (tmp_path / "bomb.txt").write_text(text, encoding="utf-8")
    before = snapshot(project)
    assert_refused(cli(project.root, "import", str(tmp_path / "bomb.txt")),
                   "bomb.txt:2: YAML anchors and aliases (& and *) are not allowed")
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "text, message",
    [
        ("codebook: x\ncodes: " + "[" * 20000 + "]" * 20000,
         "codebook.yaml:2:67: nested more than 60 levels deep"),
        ("codebook: x\ncodes: " + "{a: " * 20000 + "b" + "}" * 20000,
         "codebook.yaml:2:241: nested more than 60 levels deep"),
        ("codebook: x\ncodes:\n" + "".join(
            f"{'  ' * (2 * n + 1)}c{n}:\n{'  ' * (2 * n + 2)}label: x\n"
            f"{'  ' * (2 * n + 2)}codes:\n" for n in range(200)) + "  " * 401 + "z: {label: y}\n",
         "nested more than 60 levels deep (codes: more than 25); a codebook needs far fewer"),
    ],
    ids=["flow-lists", "flow-mappings", "code-tree"],
)
def test_nesting_too_deep_for_any_codebook_is_refused(text: str, message: str) -> None:
    result = outcome(lambda: parse_codebook(text, source="codebook.yaml"))
    assert isinstance(result, QcodeError) and message in str(result)


def test_deeply_nested_front_matter_is_refused() -> None:
    text = "---\nrole: " + "[" * 20000 + "]" * 20000 + "\n---\nR: Hallo.\n"
    result = outcome(lambda: parse_text(text, source="deep.txt", transcript_id="deep"))
    assert isinstance(result, QcodeError)
    assert str(result).startswith("deep.txt:2: front matter nested more than 20 levels deep")


def test_a_spacy_repeat_operator_that_would_hang_suggest_is_refused() -> None:
    text = ("codebook: x\ncodes:\n  a:\n    label: y\n"
            "    patterns: [[{LOWER: regie, OP: '{100000000}'}]]\n")
    result = outcome(lambda: parse_codebook(text, source="codebook.yaml"))
    assert isinstance(result, QcodeError)
    assert "repeats a token more than 100 times" in str(result)


# -- targeted attacks: size, NUL bytes, encodings -----------------------------------------------


def test_a_5_mb_single_line_transcript_is_read_exactly(tmp_path: Path) -> None:
    answer = "Het vertrouwen is hoog, coöperatie aan één tafel. " * 100_000
    path = tmp_path / "long.txt"
    path.write_text(f"R: {answer}", encoding="utf-8")
    assert path.stat().st_size > 5_000_000 and b"\n" not in path.read_bytes()
    transcript = outcome(lambda: parse_file(path))
    assert [s.text for s in transcript.segments] == [answer.strip()]
    unlabelled = tmp_path / "unlabelled.txt"
    unlabelled.write_text(answer, encoding="utf-8")
    assert outcome(lambda: parse_file(unlabelled)).segments[0].text == answer.strip()


def test_a_5_mb_line_in_a_codebook_or_codings_csv_is_handled(project: Project,
                                                             tmp_path: Path) -> None:
    description = "woord " * 900_000
    codebook = outcome(lambda: parse_codebook(
        f"codebook: x\ncodes:\n  a:\n    label: b\n    description: {description}\n",
        source="codebook.yaml"))
    assert codebook.codes[0].description == description.strip()
    path = tmp_path / "codings.csv"
    path.write_text(f"transcript,segment,code,memo\nnoord-r01,2,trust,{'m' * 5_000_000}\n",
                    encoding="utf-8")
    before = snapshot(project)
    assert_refused(cli(project.root, "codings", "import", str(path)),
                   "malformed CSV (field larger than field limit (131072))")
    assert snapshot(project) == before


def test_nul_bytes_are_refused_everywhere(project: Project, tmp_path: Path) -> None:
    before = snapshot(project)
    transcript = tmp_path / "nul.txt"
    transcript.write_bytes(b"R: Het vertrouwen\x00 is hoog.\n")
    assert_refused(cli(project.root, "import", str(transcript)),
                   "nul.txt: looks like a binary file, not a transcript")
    codebook = tmp_path / "nul.yaml"
    codebook.write_bytes(MINI_CODEBOOK.encode().replace(b"mini", b"mi\x00ni", 1))
    assert_refused(cli(project.root, "codebook", "load", str(codebook)),
                   "nul.yaml:1:13: invalid YAML: character U+0000 is not allowed")
    codings = tmp_path / "nul.csv"
    codings.write_bytes(b"transcript,segment,code\nnoord-r01\x00,2,trust\n")
    # The message shows the NUL as a symbol: a terminal never gets the raw byte.
    assert_refused(cli(project.root, "codings", "import", str(codings)),
                   "nul.csv:2: unknown transcript 'noord-r01\u2400'")
    assert snapshot(project) == before


def test_mixed_encodings_are_refused_with_the_line(project: Project, tmp_path: Path) -> None:
    # UTF-8 text with one Windows-1252 byte pasted in (é as 0xE9) on line 3.
    mixed = "R: Wij zijn een coöperatie.\n\nR: Aan één tafel, café".encode() + b" caf\xe9.\n"
    result = outcome(lambda: decode_bytes(mixed, source="mixed.txt"))
    assert isinstance(result, QcodeError)
    assert str(result).startswith("mixed.txt:3: byte 0xE9 at offset")
    assert "mixed encodings" in str(result)
    before = snapshot(project)
    (tmp_path / "mixed.txt").write_bytes(mixed)
    assert_refused(cli(project.root, "import", str(tmp_path / "mixed.txt")), "mixed encodings")
    codebook = tmp_path / "mixed.yaml"
    codebook.write_bytes(MINI_CODEBOOK.encode().replace(b"kleine", b"kl\xe9ine"))
    assert_refused(cli(project.root, "codebook", "load", str(codebook)),
                   "mixed.yaml:2:20: the codebook file is not UTF-8 text (byte 0xe9)")
    codings = tmp_path / "mixed.csv"
    codings.write_bytes("transcript,segment,code,memo\nnoord-r01,2,trust,één\n".encode()
                        + b"noord-r01,4,trust,caf\xe9\n")
    assert_refused(cli(project.root, "codings", "import", str(codings)),
                   "mixed.csv:3:22: the codings CSV is not UTF-8 text (byte 0xe9)")
    assert snapshot(project) == before


# -- targeted attacks: zip and XML --------------------------------------------------------------


def _zip_bomb_member(archive: zipfile.ZipFile, name: str, size: int, head: bytes = b"") -> None:
    """A member of ``size`` bytes (mostly spaces) that compresses to a tiny fraction."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as handle:
        handle.write(head)
        chunk = b" " * (1 << 20)
        for _ in range(size >> 20):
            handle.write(chunk)


def _word_document(body: bytes, *, doctype: bytes = b"") -> bytes:
    """A minimal real .docx whose word/document.xml holds ``body``."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    members = _members_of(buffer.getvalue())
    xml = members["word/document.xml"]
    start, rest = xml.split(b"<w:body>", 1)
    declaration, root = start.split(b"?>", 1)
    members["word/document.xml"] = (declaration + b"?>" + doctype + root + b"<w:body>" + body
                                    + b"</w:body>" + rest.split(b"</w:body>", 1)[1])
    return _random_zip(list(members.items()))


def _members_of(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _paragraph(text: bytes) -> bytes:
    return b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>"


def test_a_docx_zip_bomb_is_refused_before_unpacking(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(_word_document(_paragraph(b"R: Hallo.")))
    with zipfile.ZipFile(path, "a") as archive:
        _zip_bomb_member(archive, "word/media/image1.png", 250 << 20)
    assert path.stat().st_size < 2_000_000
    result = outcome(lambda: parse_file(path))
    assert isinstance(result, QcodeError)
    assert "MB, more than the 200 MB any transcript needs" in str(result)
    before = snapshot(project)
    assert_refused(cli(project.root, "import", str(path)), "not a valid .docx file (it would "
                   "unpack to 26")
    assert snapshot(project) == before


def test_entities_in_a_docx_are_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-12345", encoding="utf-8")
    doctype = (b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "' + secret.as_uri().encode()
               + b'"><!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
               b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;'
               b'&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>')
    path = tmp_path / "entities.docx"
    path.write_bytes(_word_document(
        _paragraph(b"R: Het geheim is &xxe;.") + _paragraph(b"R: En &e;&e;&e;&e;."),
        doctype=doctype))
    result = outcome(lambda: parse_file(path))
    if isinstance(result, Transcript):
        text = " ".join(s.text for s in result.segments)
        assert "GEHEIM" not in text and "lollol" not in text


def _qde_variant(exported: Path, tmp_path: Path, name: str, qde: bytes) -> Path:
    members = _members(exported)
    members["project.qde"] = qde
    return _qdpx(tmp_path / name, members)


def _refused_import(project: Project, path: Path, message: str) -> None:
    from qcode.importing.qdpx import import_qdpx

    before = snapshot(project)
    result = outcome(lambda: import_qdpx(project, path))
    assert isinstance(result, QcodeError), "the hostile file was imported"
    assert message in str(result), str(result)
    assert_refused(cli(project.root, "import", str(path)), message)
    assert snapshot(project) == before


@pytest.fixture()
def listener() -> Iterator[tuple[str, Callable[[], bool]]]:
    """A local address nobody should connect to, and a check whether somebody did."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)

    def contacted() -> bool:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return False
        connection.close()
        return True

    yield f"http://127.0.0.1:{server.getsockname()[1]}", contacted
    server.close()


def test_entities_in_a_qde_are_refused_never_expanded_or_fetched(
    empty_project: Project, tmp_path: Path, exported_qdpx: Path,
    listener: tuple[str, Callable[[], bool]],
) -> None:
    address, contacted = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-12345", encoding="utf-8")
    qde = _members(exported_qdpx)["project.qde"]
    declaration, root = qde.split(b"?>", 1)
    laughs = b"".join(
        b'<!ENTITY l%d "%s">' % (n, b"".join(b"&l%d;" % (n - 1) for _ in range(10)) if n else b"lol")
        for n in range(10))
    attacks = {
        "laughs.qdpx": b"<!DOCTYPE Project [" + laughs + b"]>",
        "xxe.qdpx": b'<!DOCTYPE Project [<!ENTITY x SYSTEM "' + secret.as_uri().encode() + b'">]>',
        "remote.qdpx": b'<!DOCTYPE Project [<!ENTITY x SYSTEM "' + address.encode() + b'/x">]>',
        "parameter.qdpx": (b'<!DOCTYPE Project [<!ENTITY % p SYSTEM "' + address.encode()
                           + b'/p.dtd"> %p;]>'),
    }
    for name, doctype in attacks.items():
        # The entity is used where an importer would keep it: the project's name.
        entity = b"&l9;" if b"l9" in doctype else b"&x;" if b"ENTITY x" in doctype else b""
        body = root.replace(b'name="', b'name="' + entity, 1)
        path = _qde_variant(exported_qdpx, tmp_path, name, declaration + b"?>" + doctype + body)
        _refused_import(empty_project, path, "refused: the XML declares entities or external "
                        "references")
    # An external DTD without entities is harmless when it is never read: the import may
    # go ahead, but nothing is fetched.
    path = _qde_variant(exported_qdpx, tmp_path, "external-dtd.qdpx", declaration + b"?>"
                        + b'<!DOCTYPE Project SYSTEM "' + address.encode() + b'/x.dtd">' + root)
    from qcode.importing.qdpx import import_qdpx

    outcome(lambda: import_qdpx(empty_project, path))
    assert not contacted(), "an import tried to fetch an external DTD or entity"


def test_a_qdpx_zip_bomb_is_refused_before_unpacking(empty_project: Project, tmp_path: Path,
                                                     exported_qdpx: Path) -> None:
    members = _members(exported_qdpx)
    source = next(name for name in members if name.startswith("sources/"))
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            if name != source:
                archive.writestr(name, content)
        _zip_bomb_member(archive, source, 300 << 20, head=members[source])
    assert path.stat().st_size < 2_000_000
    _refused_import(empty_project, path, "refused: 'sources/")


def test_a_qdpx_member_with_a_lying_size_is_refused(empty_project: Project, tmp_path: Path,
                                                    exported_qdpx: Path) -> None:
    members = _members(exported_qdpx)
    source = next(name for name in members if name.startswith("sources/"))
    path = _qdpx(tmp_path / "lying.qdpx", members)
    raw = bytearray(path.read_bytes())
    # Shrink the sizes the headers declare for that member: it then unpacks to more.
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(source)
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.find(header + b"", 0)
        while at != -1:
            name_at = at + (30 if header == b"PK\x03\x04" else 46)
            if raw[name_at:name_at + len(source)] == source.encode():
                size_at = at + (22 if header == b"PK\x03\x04" else 24)
                raw[size_at:size_at + 4] = (4).to_bytes(4, "little")
            at = raw.find(header, at + 4)
    path.write_bytes(bytes(raw))
    assert info.file_size > 4
    _refused_import(empty_project, path, source)


@pytest.mark.parametrize("member", ["../../evil.txt", "/etc/evil.txt", "C:/evil.txt",
                                    "sources/../../evil.txt", "..\\..\\evil.txt"])
def test_qdpx_members_that_climb_out_are_refused(empty_project: Project, tmp_path: Path,
                                                 exported_qdpx: Path, member: str) -> None:
    members = _members(exported_qdpx)
    members[member] = b"R: overschreven"
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    path = _qdpx(work / "evil.qdpx", members)
    _refused_import(empty_project, path, "points outside the archive")
    assert not list(tmp_path.rglob("evil.txt")), "a member was written outside the archive"


@pytest.mark.parametrize("row, message", [
    ("noord-r01,²,trust,,", "codings.csv:2: segment '²' is not a whole number"),
    ("noord-r01,٤,trust,,", "codings.csv:2: segment '٤' is not a whole number"),
    ("noord-r01,2,trust,①,5", "codings.csv:2: start '①' is not a whole number"),
])
def test_digits_that_are_not_whole_numbers_are_refused(project: Project, tmp_path: Path,
                                                       row: str, message: str) -> None:
    # str.isdigit() is true for "²" and "①", which int() refuses: once a traceback.
    path = tmp_path / "codings.csv"
    path.write_text(f"transcript,segment,code,start,end\n{row}\n", encoding="utf-8")
    before = snapshot(project)
    assert_refused(cli(project.root, "codings", "import", str(path)), message)
    assert_usage_error(cli(project.root, "codings", "add", "noord-r01", "2", "trust",
                           "--span", "²:3"), "--span ²:3: expected START:END")
    assert snapshot(project) == before
