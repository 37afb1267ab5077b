"""Property: whatever a transcript, a memo, a case name or a coder name says, every export
and every listing either succeeds with the text made inert, or refuses in one line
(exit 1) and leaves no file behind. Never "internal error" (exit 3), never a partial file.

Hypothesis generates the four texts from any Unicode (control characters, U+FFFE/U+FFFF
and lone surrogates included) mixed with pieces that mean something somewhere: Rich
markup (``[/i]``, ``[link=...]``), HTML, Markdown, ``$`` maths, formula starts (``=``,
``+``, ``-``, ``@``), escape sequences. The texts go into a project (a lone surrogate
cannot be stored, as the command line refuses it: there it is tried as an argument), and
about thirty commands run on it; each result is checked for what a researcher would be
hurt by in that format.

Examples: ``QCODE_HOSTILE_OUTPUT_EXAMPLES`` (default 3, a few seconds);
``python bench/hostile_outputs.py`` runs many more.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qcode.cli import app
from qcode.codebook import parse_codebook
from qcode.models import Coding, Memo, MemoTarget, Segment, Transcript
from qcode.store import init_project
from qcode.store import memos as memos_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.reimport import save_transcript
from qcode.store.transcripts import set_respondent_attributes
from tests.conftest import MINI_CODEBOOK

runner = CliRunner()
EXAMPLES = int(os.environ.get("QCODE_HOSTILE_OUTPUT_EXAMPLES", "3"))

PIECES = st.sampled_from([
    "[/i]", "[lacht]", "[link=https://example.org]", "[bold red]", "\\", "<script>", "</b>",
    "&amp;", "$", "$x$", "$$", "=", "+", "-", "@", "=HYPERLINK(\"x\")", "\t", "\r", "\n",
    "\x1b[2J", "\x1b]0;t\x07", "\x00", "\x0b", "\x7f", "\x85", "\u202e", "\u2028", "\ufffe",
    "\uffff", "\ud800", "\udc82", "*", "_", "#", "> ", "1. ", "|", "`", "~~", "é", "ß", "😀",
    " ",
])
HOSTILE = st.lists(st.one_of(PIECES, st.text(min_size=1, max_size=6)), min_size=1,
                   max_size=8).map("".join)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def storable(text: str, fallback: str) -> str:
    """``text`` as the project can hold it: no lone surrogates (never stored: the command
    line refuses them), and not blank where a name is needed."""
    text = _SURROGATE.sub("?", text)
    return text if text.strip() else fallback + text


def build_project(root: Path, text: str, memo: str, case: str, coder: str) -> Path:
    project = init_project(root / "project")
    try:
        save_codebook(project, parse_codebook(MINI_CODEBOOK, source="mini.yaml"))
        segments = (Segment(1, "I", "Hoe is het vertrouwen?", interviewer=True),
                    Segment(2, "R", storable(text, "tekst")),
                    Segment(3, "R", "Het vertrouwen is hoog, we delen informatie."))
        save_transcript(project, Transcript(id="noord-r01", source="noord-r01.txt",
                                            format="text", segments=segments,
                                            respondent="R01"))
        set_respondent_attributes(project, "R01", {"case": storable(case, "huis"),
                                                   "role": "politie"})
        name = storable(coder, "coder")
        add_codings(project, [
            Coding("noord-r01", 2, "trust.high", name, memo=storable(memo, "")),
            Coding("noord-r01", 2, "governance", "b", memo="tweede codeur"),
            Coding("noord-r01", 3, "trust", name),
        ])
        note = storable(memo, "memo")
        if note.strip():
            memos_store.add(project, [
                Memo(MemoTarget("project"), note, name),
                Memo(MemoTarget("case", storable(case, "huis")), note, name),
                Memo(MemoTarget("segment", "noord-r01", 2), note, name),
                Memo(MemoTarget("code", "trust.high"), note, name),
            ])
    finally:
        project.close()
    return root / "project"


# -- what inert means, per format ----------------------------------------------------------


def inert_terminal(text: str) -> None:
    assert not _CONTROL.search(text.replace("\n", "")), repr(text[:200])


def inert_csv(text: str) -> None:
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(
                r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell), repr(cell)


def inert_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name


def inert_markdown(text: str) -> None:
    inert_terminal(text)
    # Whatever is left once qcode's escapes and its own syntax are taken out is plain.
    plain = re.sub(r"\\.", "", text).replace("<br>", "").replace("*Memo:*", "")
    for character in "<[]$`~&*":
        assert character not in plain, (character, text[:300])


def inert_markdown_document(text: str) -> None:
    """A Markdown document with qcode's own emphasis (``**Definitie.**``, an italic line):
    with that taken out, nothing of the user's text is live syntax."""
    inert_terminal(text)
    plain = re.sub(r"\\.", "", text)
    plain = re.sub(r"\*\*[^*\n]*\*\*", "", plain)
    plain = "\n".join(line.strip("*") for line in plain.splitlines())
    for character in "<[]$`~&*":
        assert character not in plain, (character, text[:300])


# The elements qcode's HTML is made of: user text can never add another.
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "nav",
    "section", "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "a", "span", "div", "strong",
    "em", "mark", "blockquote", "table", "caption", "thead", "tbody", "tr", "th", "td",
    "small", "br", "details", "summary", "dl", "dt", "dd", "code", "figure", "figcaption",
    "abbr", "sup", "hr", "cite", "q", "b", "i", "tfoot", "colgroup", "col", "svg",
}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.problems.append(tag)
        self.problems += [name for name, _ in attrs if name.startswith("on")]
        self.problems += [f"{name}={value}" for name, value in attrs
                          if value and value.strip().lower().startswith("javascript:")]


def inert_html(text: str) -> None:
    parser = _Tags()
    parser.feed(text)
    assert parser.problems == [], parser.problems


def readable_docx(path: Path) -> None:
    import docx

    docx.Document(str(path))


def readable_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def jsonl(text: str) -> None:
    # Split as JSON Lines are split, and as any line-based tool would: str.splitlines()
    # would also split at U+0085 and U+2028, which json_line writes as escapes.
    for line in text.splitlines():
        json.loads(line)
    inert_terminal(text)


# -- the commands --------------------------------------------------------------------------

LISTINGS: list[tuple[list[str], Callable[[str], None]]] = [
    (["transcripts"], inert_terminal),
    (["transcripts", "--format", "csv"], inert_csv),
    (["transcripts", "--format", "jsonl"], jsonl),
    (["show", "noord-r01"], inert_terminal),
    (["show", "noord-r01", "--format", "csv"], inert_csv),
    (["show", "noord-r01", "--format", "jsonl"], jsonl),
    (["codings", "list"], inert_terminal),
    (["codings", "list", "--format", "csv"], inert_csv),
    (["codebook", "show"], inert_terminal),
    (["agreement"], inert_terminal),
    (["agreement", "--format", "csv"], inert_csv),
    (["disagreements"], inert_terminal),
    (["disagreements", "--format", "csv"], inert_csv),
    (["disagreements", "--format", "jsonl"], jsonl),
    (["export", "matrix", "--by", "case"], inert_terminal),
    (["export", "matrix", "--by", "case", "--csv"], inert_csv),
    (["suggest", "--rules-only", "--min-score", "0"], inert_terminal),
    (["review", "--list"], inert_terminal),
    (["review", "--list", "--format", "csv"], inert_csv),
    (["memo", "list"], inert_terminal),
    (["memo", "list", "--format", "csv"], inert_csv),
    (["memo", "list", "--format", "jsonl"], jsonl),
    (["search", "--all-turns", "--regex", r"\S+"], inert_terminal),
    (["search", "--all-turns", "--regex", r"\S+", "--format", "csv"], inert_csv),
    (["search", "--all-turns", "--regex", r"\S+", "--format", "jsonl"], jsonl),
    (["search", "vertrouwen", "--count-by", "case"], inert_terminal),
    (["query", "trust OR governance"], inert_terminal),
    (["query", "trust OR governance", "--format", "csv"], inert_csv),
    (["query", "trust", "--count-by", "case"], inert_terminal),
    (["cooccur", "--by", "case"], inert_terminal),
    (["cooccur", "--by", "case", "--format", "csv"], inert_csv),
    (["saturation", "--by", "case", "--base", "1", "--run", "1"], inert_terminal),
    (["saturation", "--by", "case", "--base", "1", "--run", "1", "--format", "csv"],
     inert_csv),
    (["codebook", "show", "--format", "csv"], inert_csv),
]

FILES: list[tuple[list[str], str, Callable[[Path], None]]] = [
    (["export", "matrix", "--by", "case", "-o"], "matrix.csv",
     lambda p: inert_csv(p.read_text(encoding="utf-8"))),
    (["export", "matrix", "--by", "case", "-o"], "matrix.xlsx", inert_xlsx),
    (["export", "matrix", "--by", "respondent", "-o"], "matrix.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["export", "matrix", "--by", "case", "-o"], "case.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["export", "matrix", "--by", "case", "--plot"], "matrix.png", lambda p: None),
    (["export", "quotes", "-o"], "quotes.csv",
     lambda p: inert_csv(p.read_text(encoding="utf-8"))),
    (["export", "quotes", "-o"], "quotes.xlsx", inert_xlsx),
    (["export", "quotes", "-o"], "quotes.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["export", "quotes", "-o"], "quotes.docx", readable_docx),
    (["export", "quotes", "-o"], "quotes.html",
     lambda p: inert_html(p.read_text(encoding="utf-8"))),
    (["disagreements", "-o"], "worksheet.csv",
     lambda p: inert_csv(p.read_text(encoding="utf-8"))),
    (["disagreements", "-o"], "worksheet.xlsx", inert_xlsx),
    (["disagreements", "-o"], "worksheet.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["codings", "export"], "codings.csv",
     lambda p: inert_csv(p.read_text(encoding="utf-8"))),
    (["report", "-o"], "report.html", lambda p: inert_html(p.read_text(encoding="utf-8"))),
    (["export", "qdpx", "-o"], "project.qdpx", readable_zip),
    (["export", "qdc", "-o"], "codebook.qdc", lambda p: None),
    (["search", "--all-turns", "--regex", r"\S+", "-o"], "hits.csv",
     lambda p: inert_csv(p.read_text(encoding="utf-8"))),
    (["search", "--all-turns", "--regex", r"\S+", "-o"], "hits.xlsx", inert_xlsx),
    (["search", "--all-turns", "--regex", r"\S+", "-o"], "hits.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["search", "--all-turns", "--regex", r"\S+", "-o"], "hits.docx", readable_docx),
    (["search", "--all-turns", "--regex", r"\S+", "-o"], "hits.html",
     lambda p: inert_html(p.read_text(encoding="utf-8"))),
    (["query", "trust OR governance", "-o"], "query.xlsx", inert_xlsx),
    (["query", "trust OR governance", "-o"], "query.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["query", "trust OR governance", "-o"], "query.html",
     lambda p: inert_html(p.read_text(encoding="utf-8"))),
    (["cooccur", "--by", "case", "-o"], "cooccur.xlsx", inert_xlsx),
    (["cooccur", "--by", "case", "-o"], "cooccur.md",
     lambda p: inert_markdown(p.read_text(encoding="utf-8"))),
    (["cooccur", "--plot"], "cooccur.png", lambda p: None),
    (["saturation", "--by", "case", "--base", "1", "--run", "1", "--plot"], "saturation.png",
     lambda p: None),
    (["codebook", "export", "--counts", "--quotes", "2", "-o"], "codeboek.md",
     lambda p: inert_markdown_document(p.read_text(encoding="utf-8"))),
    (["codebook", "export", "--counts", "--quotes", "2", "-o"], "codeboek.html",
     lambda p: inert_html(p.read_text(encoding="utf-8"))),
    (["codebook", "export", "--counts", "--quotes", "2", "-o"], "codeboek.docx",
     readable_docx),
]


def one_line_or_success(result: Any, what: list[str]) -> bool:
    """True when the command succeeded; a refusal must be exit 1 and one line."""
    assert result.exit_code in (0, 1), (what, result.exit_code, result.output)
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (what, result.stderr)
        inert_terminal(result.stderr)
        return False
    inert_terminal(result.stderr)
    return True


HOSTILE_OUTPUTS = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=60),
    derandomize=True,
    database=None,
    # Thirty commands an example make shrinking take minutes; a failure is reported as
    # generated, which names the command and the texts.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)


@HOSTILE_OUTPUTS
@given(text=HOSTILE, memo=HOSTILE, case=HOSTILE, coder=HOSTILE)
def test_every_output_is_inert_or_a_one_line_refusal(
    tmp_path_factory: Any, text: str, memo: str, case: str, coder: str
) -> None:
    root = tmp_path_factory.mktemp("hostile")
    project = build_project(root, text, memo, case, coder)

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--project", str(project), *args])

    # The texts as typed on the command line, surrogates (bytes that are not UTF-8) and all.
    one_line_or_success(run("codings", "add", "noord-r01", "3", "dialogue", "--memo", memo,
                            "--coder", coder), ["codings add"])
    for args, check in LISTINGS:
        result = run(*args)
        if one_line_or_success(result, args):
            check(result.stdout)
    out = root / "out"
    out.mkdir()
    for args, name, check in FILES:
        target = out / name
        result = run(*args, str(target))
        if one_line_or_success(result, args):
            check(target)
        else:
            assert not target.exists(), (args, "a refused export left a file behind")
        # The writers' temporary files never stay behind, refused or not.
        assert not [p.name for p in out.iterdir() if p.name.startswith(".")], args
