"""Inputs that used to crash an export or a command (exit 3, "internal error") now give
one line saying what and where (exit 1, nothing changed, no file left behind) or the
right result (issue 11, "Crashes to turn into one-line errors").
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcode.cli import app
from qcode.store import find_project
from tests.conftest import INTERVIEW_ONE, MINI_CODEBOOK, snapshot
from tests.test_cli import assert_user_error

runner = CliRunner()


def qcode(project: Path, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--project", str(project), *args], env=env or None)


def ok(result):  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return result


def make_project(tmp_path: Path, files: dict[str, str], name: str = "project") -> Path:
    folder = tmp_path / f"{name}-interviews"
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    (tmp_path / "mini.yaml").write_text(MINI_CODEBOOK, encoding="utf-8")
    project = tmp_path / name
    ok(runner.invoke(app, ["init", str(project)]))
    ok(qcode(project, "import", str(folder)))
    ok(qcode(project, "codebook", "load", str(tmp_path / "mini.yaml")))
    return project


def interview(text: str, case: str = "Veiligheidshuis Noord") -> str:
    return (f'---\nrespondent: R01\ncase: "{case}"\ninterviewer: [I]\n---\n'
            f"I: Hoe gaat het?\n\nR: {text}\n")


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- text that .xlsx and .docx cannot hold -----------------------------------------------


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\x01", "\x1b"])
def test_characters_xml_cannot_hold_are_named_the_same_way_by_every_writer(
    tmp_path: Path, character: str
) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": interview(f"Het gaat{character} goed.")})
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust", "--coder", "a"))
    ok(qcode(project, "codings", "add", "noord-r01", "2", "dialogue", "--coder", "b"))
    out = tmp_path / "out"
    out.mkdir()
    code = f"U+{ord(character):04X}"
    for args in (["export", "quotes", "-o", str(out / "q.xlsx")],
                 ["export", "quotes", "-o", str(out / "q.docx")],
                 ["disagreements", "-o", str(out / "d.xlsx")]):
        result = qcode(project, *args)
        # The column is named as the file names it: Dutch exports say "tekst".
        assert_user_error(result, "transcript noord-r01 segment 2 (te")
        assert "t) contains the " in result.stderr
        assert f"character {code}, which" in result.stderr
        assert "remove it there, or export to .csv" in result.stderr
    assert files_in(out) == []
    # The same text goes to .csv and .md as it is.
    ok(qcode(project, "export", "quotes", "-o", str(out / "q.csv")))


def test_a_case_name_xml_cannot_hold_is_named_as_a_column(tmp_path: Path) -> None:
    # respondents.csv takes any UTF-8 text; YAML front matter would refuse this one.
    project = make_project(tmp_path, {"noord-r01.txt": interview("Goed."),
                                      "respondents.csv": "respondent,case\nR01,Huis\ufffe\n"})
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust"))
    result = qcode(project, "export", "matrix", "--by", "case", "-o", str(tmp_path / "m.xlsx"))
    assert_user_error(result, "the heading of column 3 (Huis")
    assert "U+FFFE" in result.stderr and not (tmp_path / "m.xlsx").exists()


def test_a_quote_longer_than_a_worksheet_cell_is_refused_not_cut(tmp_path: Path) -> None:
    long_turn = "Wij delen alles. " * 2000  # 34,000 characters
    project = make_project(tmp_path, {"noord-r01.txt": interview(long_turn.strip())})
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust", "--memo", "lang"))
    result = qcode(project, "export", "quotes", "-o", str(tmp_path / "q.xlsx"))
    assert_user_error(result, "transcript noord-r01 segment 2 (tekst) is 33,999 characters long, "
                              "more than a worksheet cell holds (32,767); export to .csv")
    assert not (tmp_path / "q.xlsx").exists()
    ok(qcode(project, "export", "quotes", "-o", str(tmp_path / "q.csv")))
    assert long_turn.strip() in (tmp_path / "q.csv").read_text(encoding="utf-8")


# -- codes nested hundreds deep ----------------------------------------------------------


def deep_codes(levels: int) -> str:
    opening = "".join(f'<Code guid="00000000-0000-0000-0000-{n:012d}" name="Code {n}" '
                      'isCodable="true">' for n in range(levels))
    return f"<Codes>{opening}{'</Code>' * levels}</Codes>"


def test_codes_nested_hundreds_deep_are_refused_like_a_yaml_codebook(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    message = "is nested more than 25 levels deep; a codebook needs far fewer, so flatten"
    qdc = tmp_path / "diep.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook '
                   f'xmlns="urn:QDA-XML:codebook:1.0">{deep_codes(600)}</CodeBook>',
                   encoding="utf-8")
    before = snapshot(find_project(project))
    assert_user_error(qcode(project, "codebook", "load", str(qdc)), message)
    assert_user_error(runner.invoke(app, ["codebook", "check", str(qdc)]), message)
    qdpx = tmp_path / "diep.qdpx"
    with zipfile.ZipFile(qdpx, "w") as archive:
        archive.writestr("project.qde", '<?xml version="1.0" encoding="utf-8"?><Project '
                         f'xmlns="urn:QDA-XML:project:1.0" name="diep"><CodeBook>'
                         f"{deep_codes(600)}</CodeBook></Project>")
    assert_user_error(qcode(project, "import", str(qdpx)), message)
    with find_project(project) as opened:
        assert snapshot(opened) == before
    # A YAML codebook with codes one level too deep says the same.
    yaml = ["codebook: diep", "codes:"]
    for level in range(26):
        indent = "    " * level
        yaml += [f"  {indent}c{level}:", f"  {indent}  label: Code {level}",
                 f"  {indent}  codes:"]
    yaml[-1] = yaml[-1].replace("codes:", "level: low")
    (tmp_path / "diep.yaml").write_text("\n".join(yaml) + "\n", encoding="utf-8")
    assert_user_error(runner.invoke(app, ["codebook", "check", str(tmp_path / "diep.yaml")]),
                      message)


# -- a worksheet cut off -----------------------------------------------------------------


def test_reconcile_from_a_cut_off_worksheet(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust", "--coder", "a"))
    ok(qcode(project, "codings", "add", "noord-r01", "2", "dialogue", "--coder", "b"))
    sheet = tmp_path / "verschillen.xlsx"
    ok(qcode(project, "disagreements", "-o", str(sheet)))
    cut = tmp_path / "afgekapt.xlsx"
    with zipfile.ZipFile(sheet) as source, zipfile.ZipFile(cut, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(info, data)
    assert_user_error(qcode(project, "reconcile", "--from", str(cut)),
                      "afgekapt.xlsx: not a readable .xlsx file")
    truncated = tmp_path / "kapot.xlsx"
    truncated.write_bytes(sheet.read_bytes()[:-200])
    assert_user_error(qcode(project, "reconcile", "--from", str(truncated)),
                      "kapot.xlsx: not a readable .xlsx file")


# -- a damaged database ------------------------------------------------------------------


def damage(db: Path, table: str) -> None:
    """Overwrite the first page of ``table`` with garbage, as a failing disk would."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                                  (table,)).fetchone()[0]
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x55" * page_size)


def test_a_damaged_project_is_called_damaged_with_what_to_do(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust"))
    other = tmp_path / "other"
    shutil.copytree(project, other)
    damage(project / "qcode.db", "codings")
    damaged = "the project's database is damaged (database disk image is malformed)"
    for args in (["report", "-o", str(tmp_path / "r.html")],
                 ["export", "matrix", "-o", str(tmp_path / "m.csv")],
                 ["codings", "list"]):
        result = qcode(project, *args)
        assert_user_error(result, damaged)
        assert "restore your latest copy from 'qcode backup'" in result.stderr
        assert "sqlite3 qcode.db .recover" in result.stderr
    result = qcode(project, "backup", str(tmp_path / "kopie.db"))
    assert_user_error(result, damaged)
    assert "try again" not in result.stderr and not (tmp_path / "kopie.db").exists()
    # Merging from a damaged project names that one, not this one.
    result = qcode(other, "merge", str(project))
    assert_user_error(result, "the other project's database is damaged")
    assert str(project / "qcode.db") in result.stderr and "nothing was merged" in result.stderr


# -- a full disk -------------------------------------------------------------------------


@contextlib.contextmanager
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SQLite refuses to grow the database past its size, as on a full disk."""
    import qcode.store.project as store

    real = sqlite3.connect

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        connection = real(*args, **kwargs)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages + 1}")
        return connection

    with monkeypatch.context() as patch:
        patch.setattr(store.sqlite3, "connect", connect)
        yield


def test_a_full_disk_says_so_and_changes_nothing(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    rows = "".join(f"noord-r01,{segment},trust,coder{n},{'m' * 2000}\n"
                   for n in range(40) for segment in (2, 4))
    csv_file = tmp_path / "codings.csv"
    csv_file.write_text("transcript,segment,code,coder,memo\n" + rows, encoding="utf-8")
    with find_project(project) as opened:
        before = snapshot(opened)
    with full_disk(monkeypatch):
        result = qcode(project, "codings", "import", str(csv_file))
    assert_user_error(result, "the disk is full (database or disk is full); the project is "
                              "unchanged. Free some space and run the command again")
    assert "rollback" not in result.stderr and "backup" not in result.stderr
    with find_project(project) as opened:
        assert snapshot(opened) == before


# -- a read-only project -----------------------------------------------------------------


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make ``paths`` unwritable, even for root (chattr +i), or skip."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in paths}
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", *map(str, paths)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a file read-only for root here (no chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_a_read_only_backup_can_be_read_but_not_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust"))
    share = tmp_path / "share"
    share.mkdir()
    ok(qcode(project, "backup", str(share)))
    with read_only(share / "qcode.db", share):
        assert "noord-r01" in ok(qcode(share, "transcripts", "--format", "csv")).stdout
        assert "trust" in ok(qcode(share, "codings", "list", "--format", "csv")).stdout
        ok(qcode(share, "export", "matrix", "-o", str(tmp_path / "m.csv")))
        ok(qcode(share, "report", "-o", str(tmp_path / "r.html")))
        assert_user_error(qcode(share, "codings", "add", "noord-r01", "4", "trust"),
                          "the project is read-only")
        assert files_in(share) == ["qcode.db"]


# -- names and arguments that are not UTF-8 ----------------------------------------------


def test_a_file_name_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    folder = tmp_path / "uit-zip"
    folder.mkdir()
    (folder / "zuid-r02.txt").write_text(interview("Goed."), encoding="utf-8")
    bad = os.fsencode(folder) + b"/caf\x82-r03.txt"
    with open(bad, "wb") as handle:
        handle.write(interview("Ook goed.").encode())
    with find_project(project) as opened:
        before = snapshot(opened)
    assert_user_error(qcode(project, "import", str(folder)),
                      "caf\\x82-r03.txt: the file name is not valid UTF-8 (byte 0x82)")
    with find_project(project) as opened:
        assert snapshot(opened) == before
    # The anonymity check only reads the files: it names the file and goes on.
    checked = runner.invoke(app, ["check-anonymity", str(folder)])
    assert checked.exit_code == 0 and "no identifiers found in 2 files" in checked.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["codings", "add", "noord-r01", "2", "trust", "--memo", "caf\udce9"],
         "--memo caf\\xe9: not valid UTF-8 text (byte 0xe9)"),
        (["codings", "add", "noord-r01", "2", "trust", "--coder=\udc82ns"],
         "--coder \\x82ns: not valid UTF-8 text (byte 0x82)"),
        (["show", "noord\udc82"], "argument 'noord\\x82' is not valid UTF-8 (byte 0x82)"),
    ],
)
def test_arguments_that_are_not_utf8_are_refused(tmp_path: Path, args: list[str],
                                                 message: str) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    with find_project(project) as opened:
        before = snapshot(opened)
    assert_user_error(qcode(project, *args), message)
    assert_user_error(qcode(project, "codings", "add", "noord-r01", "2", "trust",
                            QCODE_CODER="an\udce9"), "QCODE_CODER is not valid UTF-8")
    with find_project(project) as opened:
        assert snapshot(opened) == before


# -- "$" in a name on a picture ----------------------------------------------------------


def test_dollar_signs_in_case_names_are_drawn_literally(tmp_path: Path) -> None:
    import matplotlib

    project = make_project(tmp_path, {
        "noord-r01.txt": interview("Goed.", case="Huis $a$ en $b$"),
        "zuid-r02.txt": interview("Goed.", case="Huis $$"),
    })
    ok(qcode(project, "codings", "add", "noord-r01", "2", "trust"))
    picture = tmp_path / "m.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        ok(qcode(project, "export", "matrix", "--by", "case", "--plot", str(picture)))
    # With fonts left as text, a label drawn literally is one <text> element holding the
    # whole name; drawn as mathematics it would be glyphs placed one by one.
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", picture.read_text(encoding="utf-8"))
    assert "Huis $a$ en $b$" in texts and "Huis $$" in texts
    ok(qcode(project, "export", "matrix", "--by", "case", "--plot", str(tmp_path / "m.png")))


# -- a project without cases -------------------------------------------------------------


def test_report_without_a_case_attribute_shows_the_missing_case(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.txt": "I: Vraag?\n\nR: Het vertrouwen is goed.\n",
                                      "b.txt": "I: Vraag?\n\nR: Het vertrouwen is laag.\n"})
    ok(qcode(project, "codings", "add", "a", "2", "trust.high"))
    report = tmp_path / "rapport.html"
    result = ok(qcode(project, "report", "-o", str(report)))
    assert "--by" not in result.stderr
    assert "some transcripts have no case; the report shows them as (missing)" in result.stderr
    assert "case column in respondents.csv" in result.stderr
    assert "(missing)" in report.read_text(encoding="utf-8")


# -- codings CSV that is not what it seems -----------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("transcript,segment,code,created_at\nnoord-r01,2,trust,gisteren\n",
         "codings.csv:2: created_at 'gisteren' is not a date or time"),
        ("transcript,segment,code,memo\nnoord-r01,2,trust,\"open\nnoord-r01,4,trust,x\n",
         "codings.csv:2: a quote (\") opened on this line is never closed"),
        ("transcript,segment,code,memo,memo\nnoord-r01,2,trust,a,b\n",
         "codings.csv:1: the column 'memo' appears twice (columns 4 and 5)"),
        ("transcript,segment,code\nnoord-r01,2,\"trust\"x\n",
         "codings.csv:2: malformed CSV"),
    ],
    ids=["created_at", "unclosed-quote", "duplicate-column", "stray-quote"],
)
def test_codings_import_refuses_what_it_cannot_read_faithfully(
    tmp_path: Path, content: str, message: str
) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    path = tmp_path / "codings.csv"
    path.write_text(content, encoding="utf-8")
    with find_project(project) as opened:
        before = snapshot(opened)
    assert_user_error(qcode(project, "codings", "import", str(path)), message)
    with find_project(project) as opened:
        assert snapshot(opened) == before


def test_codings_import_takes_iso_dates_and_times(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"noord-r01.txt": INTERVIEW_ONE})
    path = tmp_path / "codings.csv"
    path.write_text("transcript,segment,code,coder,created_at\n"
                    "noord-r01,2,trust,a,2018-06-14\n"
                    "noord-r01,4,trust,a,2018-06-14T10:30:00+02:00\n"
                    "noord-r01,6,trust,a,2018-06-14T10:30:00Z\n", encoding="utf-8")
    assert "imported 3 codings" in ok(qcode(project, "codings", "import", str(path))).stderr


# -- the store's reading of SQLite errors (library layer) --------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("database disk image is malformed", "the project's database is damaged"),
        ("file is not a database", "the project's database is damaged"),
        ("database or disk is full", "the disk is full"),
        ("attempt to write a readonly database", "the project is read-only"),
        ("disk I/O error", "the disk could not be read or written"),
        ("database is locked", "the project is busy"),
    ],
)
def test_sqlite_errors_about_files_become_messages(message: str, expected: str) -> None:
    from qcode.store.problems import database_error

    error = database_error(Path("p/qcode.db"), sqlite3.OperationalError(message))
    assert error is not None and expected in str(error)


def test_sqlite_errors_about_qcode_itself_stay_bugs() -> None:
    from qcode.store.problems import database_error

    assert database_error(Path("qcode.db"), sqlite3.OperationalError("no such column: x")) \
        is None


def test_atomic_reports_the_full_disk_not_the_failed_rollback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qcode.store import init_project

    init_project(tmp_path / "p").close()
    with full_disk(monkeypatch), find_project(tmp_path / "p") as project:
        with pytest.raises(sqlite3.OperationalError, match="full"), project.atomic():
            for n in range(200):
                project._db.execute("INSERT INTO meta(key, value) VALUES (?, ?)",
                                    (f"k{n}", "x" * 4000))
        assert not project._db.in_transaction
