"""The printable codebook: Word headings a table of contents can use, a self-contained
HTML page, Markdown, Dutch or English, counts and the report's most typical quotes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.codebook import load_codebook
from qcode.exports.codebook_doc import CodebookDocument, codebook_markdown
from qcode.exports.codebook_html import codebook_html
from qcode.models import Code, Codebook, Coding
from qcode.report.codebook import gather_codebook, write_codebook
from qcode.report.quotes import collect_report_quotes
from qcode.store import Project
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.transcripts import transcript_attributes
from tests.conftest import assert_user_error, qcode, snapshot

HOSTILE = "Coöperatie <script>alert(1)</script> **vet** [link](http://x) =SOM(A1)"


def coded(project: Project) -> Project:
    add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans"),
        Coding("noord-r01", 4, "trust.high", "b"),
        Coding("noord-r01", 6, "trust.high", "ans"),
        Coding("noord-r01", 6, "trust.information_sharing.written", "ans"),
        Coding("zuid-r02", 4, "trust.low", "ans"),
    ])
    return project


def test_counts_and_quotes_are_those_the_report_chooses(project: Project) -> None:
    document = gather_codebook(coded(project), counts=True, quotes=1)
    assert document.counts == {"trust.high": 3, "trust.information_sharing.written": 1,
                               "trust.low": 1}
    assert document.totals["trust"] == 5 and document.totals["trust.information_sharing"] == 1
    assert document.totals["governance"] == 0
    report = {group.code: group.quotes for group in collect_report_quotes(
        project, document.codebook, transcript_attributes(project))}
    # Two coders agreeing on segment 4 make it the most typical quote of trust.high.
    [quote] = document.quotes["trust.high"]
    assert quote.text == report["trust.high"][0].text
    assert quote.text.startswith("Het vertrouwen is hoog.") and quote.segment == 4
    only_b = gather_codebook(project, counts=True, coders=["b"])
    assert only_b.counts == {"trust.high": 1}


def test_word_uses_heading_styles_and_a_toc_field(project: Project, tmp_path: Path) -> None:
    import docx

    target = tmp_path / "codeboek.docx"
    write_codebook(coded(project), target, counts=True, quotes=2)
    document = docx.Document(str(target))
    styles = [(p.style.name, p.text) for p in document.paragraphs if
              p.style.name.startswith(("Heading", "Title"))]
    assert styles[0] == ("Title", "Codeboek: mini")
    assert ("Heading 1", "Onderling vertrouwen (trust)") in styles
    assert ("Heading 2", "Hoog vertrouwen (trust.high)") in styles
    assert ("Heading 3", "Mondeling delen (trust.information_sharing.oral)") in styles
    xml = document.element.xml
    assert re.search(r'w:instr="TOC \\o &quot;1-3&quot;', xml) or 'TOC \\o "1-3"' in xml
    text = "\n".join(p.text for p in document.paragraphs)
    for heading in ("Definitie.", "Trefwoorden: vertrouwen, informatie delen",
                    "Niveau: hoog", "Kleur: #1f77b4", "Coderingen: 3", "Typische citaten:"):
        assert heading in text
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes[0].startswith("Het vertrouwen is hoog.")


def test_english_headings_and_html_that_is_one_file(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "codebook.html"
    write_codebook(coded(project), target, lang="en", counts=True, quotes=1)
    html = target.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<script" not in html and not re.search(r'(src|href)="(?!#)', html)
    for word in ("Definition.", "Code id", "Codings", "Typical quotes", "Level</dt><dd>high"):
        assert word in html
    assert 'style="background:#1f77b4"' in html
    assert html.count('<section class="code"') == len(load_codebook_codes(project))
    assert 'href="#code-trust.information_sharing.oral"' in html


def load_codebook_codes(project: Project) -> list[str]:
    return gather_codebook(project).codebook.ids


def _hostile_codebook() -> CodebookDocument:
    code = Code(id="trust", label=HOSTILE, description=HOSTILE, include="a\nb",
                examples=(HOSTILE,), keywords=("<b>",), color="#1f77b4")
    return CodebookDocument(codebook=Codebook(name=HOSTILE, codes=(code,)), version="v",
                            made_on="2026-01-01")


def test_hostile_text_is_shown_as_written() -> None:
    html = codebook_html(_hostile_codebook(), "nl")
    assert "<script>" not in html and "&lt;script&gt;" in html
    markdown = codebook_markdown(_hostile_codebook(), "nl")
    assert "<script>" not in markdown and "[link](http" not in markdown
    assert "Coöperatie" in markdown


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(str.strip))
def test_any_label_writes_in_every_format_as_written(tmp_path_factory: pytest.TempPathFactory,
                                                     label: str) -> None:
    import html

    import docx

    from qcode.exports.codebook_files import write_codebook_document
    from qcode.neutralise import markdown_text, terminal_text

    folder = tmp_path_factory.mktemp("any")
    document = CodebookDocument(codebook=Codebook(name="x", codes=(
        Code(id="c", label=label, description=label, examples=(label,)),)), version="v",
        made_on="2026-01-01")
    for name in ("c.docx", "c.html", "c.md"):
        write_codebook_document(document, folder / name)
    page = (folder / "c.html").read_bytes().decode("utf-8")
    assert f"<li>{html.escape(label)}</li>" in page
    assert f"- {markdown_text(label)}" in (folder / "c.md").read_bytes().decode("utf-8")
    word = docx.Document(str(folder / "c.docx"))
    bullets = [p.text for p in word.paragraphs if p.style.name == "List Bullet"]
    assert bullets == [terminal_text(label)]


def test_diacritics_round_trip_byte_exact(project: Project, tmp_path: Path) -> None:
    (tmp_path / "dutch.yaml").write_text(
        "codebook: één\ncodes:\n  samenwerking:\n    label: Coöperatie en ‘één tafel’\n"
        "    description: Casuïstiek, café, reünie.\n", encoding="utf-8")
    save_codebook(project, load_codebook(tmp_path / "dutch.yaml"))
    write_codebook(project, tmp_path / "c.md")
    text = (tmp_path / "c.md").read_bytes().decode("utf-8")
    assert "Coöperatie en ‘één tafel’" in text and "Casuïstiek, café, reünie." in text


def test_the_command_writes_and_refuses(project: Project, tmp_path: Path) -> None:
    root = project.root
    coded(project)
    target = tmp_path / "codeboek.md"
    result = qcode(root, "codebook", "export", "-o", str(target), "--counts", "--quotes", "1")
    assert result.exit_code == 0, result.output
    assert f"wrote {target}: 9 codes, up to 1 quote(s) per code" in result.stderr
    assert "## Inhoud" in target.read_text(encoding="utf-8")
    before = snapshot(project)
    for args, message in (
        (["-o", str(tmp_path / "c.pdf")], "unknown codebook format '.pdf'"),
        (["-o", str(tmp_path / "c.md"), "--lang", "de"], "--lang de: the codebook is written"),
        (["-o", str(tmp_path / "c.md"), "--coder", "zz"], "--coder zz: no codings"),
        (["-o", str(tmp_path / "missing" / "c.md")], "does not exist"),
    ):
        assert_user_error(qcode(root, "codebook", "export", *args), message)
    assert snapshot(project) == before
    assert not (tmp_path / "c.md").exists() and not (tmp_path / "c.pdf").exists()


def test_a_project_without_codebook_is_told_to_load_one(empty_project: Project,
                                                        tmp_path: Path) -> None:
    assert_user_error(qcode(empty_project.root, "codebook", "export", "-o",
                            str(tmp_path / "c.docx")), "no codebook yet")
