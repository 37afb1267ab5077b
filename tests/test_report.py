"""The replication report: structure, self-containment, typology, quotes, CSV, CLI."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from qcode.analysis.agreement import agreement_report
from qcode.analysis.matrix import build_matrix
from qcode.cli import app
from qcode.coding.assisted import accept, accept_above, pending_suggestions
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.report import build_report, gather_report, write_report
from qcode.report.quotes import collect_report_quotes, highlight_ranges
from qcode.store import Project, init_project
from qcode.store.codebook import require_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from qcode.store.transcripts import (
    get_segments,
    set_respondent_attributes,
    transcript_attributes,
)
from tests.conftest import snapshot

runner = CliRunner()
SECTIONS = ["overview", "typology", "comparison", "matrices", "agreement", "quotes", "method"]


class Page(HTMLParser):
    """The parts of a report page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.tables: Counter[str] = Counter()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.quotes_per_code: Counter[str] = Counter()
        self.marks: list[str] = []
        self._code = ""
        self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags[tag] += 1
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "section" and a.get("id") in SECTIONS:
            self.sections.append(a["id"])
        if tag == "section" and a.get("class") == "code":
            self._code = a["id"].removeprefix("code-")
        if tag == "table":
            self.tables[a.get("class", "")] += 1
        if tag == "figure" and a.get("class") == "quote":
            self.quotes_per_code[self._code] += 1
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        self._in_mark = tag == "mark"

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks.append(data)
            self._in_mark = False


def make_sample(folder: Path, *codings: str) -> Project:
    from qcode.codebook import load_codebook
    from qcode.coding.csvio import import_codings_csv
    from qcode.demo import sample_root
    from qcode.importing import import_paths
    from qcode.store.codebook import save_codebook

    root = sample_root()
    project = init_project(folder)
    import_paths(project, [root / "transcripts_sample"])
    save_codebook(project, load_codebook(root / "codebooks" / "veiligheidshuis.yaml"))
    for name in codings:
        import_codings_csv(project, root / "transcripts_sample" / name, coder="ref")
    return project


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The shipped sample with the reference coding only (one coder)."""
    project = make_sample(tmp_path_factory.mktemp("sample") / "project", "codings.csv")
    yield project
    project.close()


@pytest.fixture(scope="module")
def two_coders(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_sample(tmp_path_factory.mktemp("two") / "project", "codings.csv",
                          "codings_second_coder.csv")
    yield project
    project.close()


@pytest.fixture(scope="module")
def sample_html(sample: Project) -> str:
    return build_report(sample)


def test_sections_in_order_and_one_typology_table_per_case(sample: Project, sample_html: str) -> None:
    page = Page(sample_html)
    assert page.sections == SECTIONS
    cases = {attrs["case"] for attrs in transcript_attributes(sample).values()}
    assert len(cases) == 2
    assert page.tables["typology"] == len(cases)
    assert page.tables["summary"] == 1 and page.tables["reference"] == 1
    assert page.tables["heatmap"] == 2 and page.tables["comparison"] == 1
    for case in cases:
        assert f"{case} <span class=\"count\">(3 respondenten)</span></h3>" in sample_html


def test_quote_counts_equal_the_codings(sample: Project, sample_html: str) -> None:
    codings = list_codings(sample)
    assert len(codings) == 236
    page = Page(sample_html)
    assert sum(page.quotes_per_code.values()) == len(codings)
    assert page.quotes_per_code == Counter(c.code for c in codings)


def test_nothing_outside_the_page_is_referenced(sample_html: str) -> None:
    page = Page(sample_html)
    assert page.srcs == []
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert all(h.startswith(("#", "data:text/csv;")) for h in page.hrefs)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:|//)", sample_html, re.I)
    assert "@import" not in sample_html and "url(" not in sample_html
    assert "default-src 'none'" in sample_html
    # Every link inside the page has somewhere to land.
    targets = set(page.ids)
    missing = {h for h in page.hrefs if h.startswith("#") and h[1:] not in targets}
    assert missing == set()


def test_text_round_trips_and_is_escaped(sample_html: str, project: Project) -> None:
    for word in ("coöperatie", "casuïstiek", "één", "geïmporteerd"):
        assert word in sample_html
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans",
                                 memo="<img src=x onerror=alert(1)> & \"zo\"")])
    html = build_report(project, title="<b>Titel</b>")
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;zo&quot;" in html
    assert "<img" not in html and "<b>Titel" not in html and "&lt;b&gt;Titel" in html


def test_typology_tables_show_the_data(sample: Project, sample_html: str) -> None:
    data = gather_report(sample)
    verdicts = re.findall(r'<span class="verdict (\w+)">', sample_html)
    # Summary row and table footer per case, in case order.
    assert verdicts == [t.fit for t in data.typologies] + [t.fit for t in data.typologies]
    noordrand = data.typologies[0]
    assert noordrand.unit == "Veiligheidshuis Noordrand"
    assert noordrand.observed.level == "nao"
    # Each condition's cell links to its evidence, which links to quotes of that code.
    for finding in noordrand.conditions:
        if finding.evidence:
            assert f'href="#case-1-{finding.condition}"' in sample_html
    evidence = sample_html.split('id="case-1-governance"', 1)[1].split("</div>", 1)[0]
    anchors = re.findall(r'href="#(q\d+)"', evidence)
    assert len(anchors) == sum(noordrand.observed.counts.values())
    for anchor in anchors:
        figure = sample_html.split(f'id="{anchor}"', 1)[0].rsplit('<section class="code"', 1)[1]
        assert figure.startswith(' id="code-governance.')


def test_english_report(sample: Project) -> None:
    html = build_report(sample, lang="en")
    assert '<html lang="en">' in html
    assert "Typology per case (Provan &amp; Kenis)" in html and "How to read this report" in html
    assert "Overeenstemming" not in html and "Leeswijzer" not in html
    with pytest.raises(QcodeError, match="--lang de: the report is written in nl or en"):
        build_report(sample, lang="de")


def test_matrix_csv_links_hold_the_numbers(sample: Project, sample_html: str) -> None:
    links = re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8,([^"]+)"',
                       sample_html)
    assert [name for name, _ in links] == ["matrix-case.csv", "matrix-respondent.csv"]
    text = unquote(links[0][1])
    assert text.startswith("\ufeffcode,label,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    frame = build_matrix(sample, by="case")
    assert rows[0] == ["code", "label", *frame.columns[1:]]
    assert len(rows) == len(frame) + 1
    for row in rows[1:]:
        assert [int(v) for v in row[2:]] == frame.loc[row[0]].iloc[1:].tolist()


def test_agreement_only_with_two_coders(sample_html: str, two_coders: Project) -> None:
    assert "Er heeft maar één codeur gecodeerd (ref)" in sample_html
    html = build_report(two_coders)
    figures = agreement_report(two_coders, level="top")
    table = html.split('<table class="agreement">', 1)[1].split("</table>", 1)[0]
    for row in figures.codes:
        kappa = "—" if row.cohen_kappa is None else f"{row.cohen_kappa:.2f}"
        assert f'<th scope="row">{row.code}</th>' in table
        assert f"<td>{row.percent_agreement:.1f}</td><td>{kappa}</td>" in table
    # Quotes merge coders: one per coded text and code, both coders named.
    page = Page(html)
    distinct = {(c.code, c.transcript, c.segment, c.start) for c in list_codings(two_coders)}
    assert sum(page.quotes_per_code.values()) == len(distinct)
    assert "gecodeerd door b, ref" in html


def test_then_by_wave_splits_cases(project: Project) -> None:
    set_respondent_attributes(project, "R01", {"wave": "2018"})
    set_respondent_attributes(project, "R02", {"wave": "2026", "case": "Veiligheidshuis Noord"})
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans"),
                          Coding("zuid-r02", 4, "trust.low", "ans")])
    html = build_report(project, then_by="wave")
    page = Page(html)
    assert page.tables["typology"] == 2
    assert "Veiligheidshuis Noord / 2018" in html and "Veiligheidshuis Noord / 2026" in html
    assert "Casussen zijn uitgesplitst naar wave" in html
    with pytest.raises(QcodeError, match="--then-by jaar: no transcript or respondent"):
        build_report(project, then_by="jaar")


def test_most_typical_quote_first(project: Project) -> None:
    add_codings(project, [
        Coding("noord-r01", 2, "trust", "ans"),    # 20 words
        Coding("noord-r01", 4, "trust", "ans"),    # 12 words, "vertrouwen": a keyword
        Coding("noord-r01", 6, "trust", "ans"),    # 10 words, coded by two coders
        Coding("noord-r01", 6, "trust", "bob"),
        Coding("zuid-r02", 2, "trust", "ans"),     # 15 words
        Coding("zuid-r02", 4, "trust", "ans"),     # 9 words
    ])
    codebook = require_codebook(project)
    quotes = collect_report_quotes(project, codebook, transcript_attributes(project))[0].quotes
    # Agreement first, then keywords, then closeness to the median length (12 words: 15
    # and 9 are both 3 away, so segment order decides), the 20-word turn last.
    assert [(q.transcript, q.segment) for q in quotes] == [
        ("noord-r01", 6), ("noord-r01", 4), ("zuid-r02", 2), ("zuid-r02", 4), ("noord-r01", 2)]
    assert quotes[0].coders == ("ans", "bob")
    assert [q.keyword_hits for q in quotes] == [0, 1, 0, 0, 0]
    assert [q.anchor for q in quotes] == ["q1", "q2", "q3", "q4", "q5"]


def _suggest(project: Project, segment: int, code: str, spans: str, score: float) -> None:
    import json

    from qcode.store import suggestions as suggestions_store
    from qcode.store.suggestions import Proposal

    suggestions_store.add_proposals(project, [Proposal(
        "noord-r01", segment, code, score=score, method="rules", evidence=("x",),
        spans=tuple(tuple(pair) for pair in json.loads(spans)))], codebook_version="v")


def test_evidence_words_of_accepted_suggestions_are_marked(project: Project) -> None:
    text = "Het vertrouwen is hoog. We delen veel mondeling, in het casusoverleg zelf."
    assert get_segments(project, "noord-r01")[3].text == text
    _suggest(project, 4, "trust.high", "[[4, 14], [18, 22]]", 0.4)
    at = text.index("mondeling")
    _suggest(project, 4, "trust.information_sharing.oral", f"[[{at}, {at + 9}]]", 0.9)
    _suggest(project, 6, "trust.low", "[[0, 12]]", 0.5)
    pending = {s.code: s for s in pending_suggestions(project, coder="ans")}
    accept(project, pending["trust.high"], coder="ans")
    accept_above(project, 0.8, coder="ans")  # the oral suggestion, as bulk
    add_codings(project, [Coding("noord-r01", 6, "trust.low", "ans")])  # manual: no marks
    page = Page(build_report(project))
    assert page.marks == ["vertrouwen", "hoog", "mondeling"]


def test_highlight_ranges_follow_the_span() -> None:
    assert highlight_ranges([(4, 14), (10, 20), (30, 40)], None, 100) == ((4, 20), (30, 40))
    # A quote of characters 10-35: offsets move, the part outside is cut off.
    assert highlight_ranges([(4, 14), (30, 40), (50, 60)], 10, 25) == ((0, 4), (20, 25))


def test_empty_project_still_reports(empty_project: Project, sample_files: Path) -> None:
    from qcode.codebook import load_codebook
    from qcode.store.codebook import save_codebook

    save_codebook(empty_project, load_codebook(sample_files / "mini.yaml"))
    page = Page(build_report(empty_project))
    assert page.sections == SECTIONS
    assert page.tables["typology"] == 0 and sum(page.quotes_per_code.values()) == 0


def test_cli_writes_the_report(sample: Project, tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    result = runner.invoke(app, ["--project", str(sample.root), "report", "-o", str(target),
                                 "--coder", "ref"])
    assert result.exit_code == 0, result.output
    assert f"wrote the report (2 cases, 236 quotes) to {target}" in result.stderr
    html = target.read_text(encoding="utf-8")
    assert "Alleen coderingen van: ref" in html
    assert Page(html).sections == SECTIONS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "rapport.pdf"], "rapport.pdf: unknown report format '.pdf'; use .html or .htm"),
        (["-o", "rapport.html", "--coder", "zoe"], "--coder zoe: no codings by that coder"),
        (["-o", "rapport.html", "--then-by", "jaar"],
         "--then-by jaar: no transcript or respondent has that attribute"),
        (["-o", "nergens/rapport.html"], "folder nergens does not exist"),
    ],
)
def test_cli_errors_change_nothing(
    sample: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = snapshot(sample)
    result = runner.invoke(app, ["--project", str(sample.root), "report", *args])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
    assert snapshot(sample) == before


def test_write_report_refuses_a_missing_codebook(empty_project: Project, tmp_path: Path) -> None:
    with pytest.raises(QcodeError, match="the project has no codebook yet"):
        write_report(empty_project, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


# -- in a real browser, when one is installed ----------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The browser's own background calls (clock, updates, accounts), not the page's.
BROWSER_HOSTS = re.compile(r"^https?://[^/]*(google\.com|googleapis\.com|gvt1\.com)/")


def page_requests(html_file: Path, profile: Path) -> tuple[list[str], str]:
    """The network requests Chromium made while opening ``html_file``, and the DOM."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=1", "--dump-dom",
         html_file.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    requests = re.findall(r"NotifyBeforeURLRequest: (\S+)", result.stderr)
    return [url for url in requests if not BROWSER_HOSTS.match(url)], result.stdout


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_chromium_opens_the_report_without_requests(sample_html: str, tmp_path: Path) -> None:
    report = tmp_path / "rapport.html"
    report.write_text(sample_html, encoding="utf-8")
    requests, dom = page_requests(report, tmp_path / "profile")
    assert requests == []
    assert Page(dom).sections == SECTIONS
    # The same check does see a page that loads something from elsewhere.
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<img src="https://example.org/x.png">', encoding="utf-8")
    assert page_requests(leaky, tmp_path / "profile2")[0] == ["https://example.org/x.png"]
