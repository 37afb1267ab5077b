"""The replication report as one self-contained HTML page.

Everything is in the file: the styles are inline, there is no script, no font, no image
and no link outside the page (the CSV downloads are ``data:`` links), so it opens the
same from disk, in a mail attachment or in an archive years later, and prints. A Content
Security Policy forbids anything else should someone edit the page by hand. Every piece
of text from the project is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from qcode import __version__
from qcode.report import memos_html, saturation_html
from qcode.report.gather import ReportData
from qcode.report.heatmap import csv_link, heatmap, legend
from qcode.report.links_html import links_section
from qcode.report.method import METHOD
from qcode.report.sections import agreement_section, comparison_table, quotes_section
from qcode.report.texts import words
from qcode.report.typology_html import (
    QuoteIndex,
    case_section,
    reference_table,
    summary_table,
    unit_anchor,
)

if TYPE_CHECKING:
    import pandas as pd

POLICY = "default-src 'none'; style-src 'unsafe-inline'"
SECTIONS: tuple[str, ...] = ("overview", "typology", "comparison", "matrices", "agreement",
                             "saturation", "quotes", "method", "journal")
EXCERPT_WORDS = 18

STYLE = """
:root { --ink: #1b1f24; --muted: #5b6570; --rule: #d0d7de; --soft: #f4f6f8;
        --accent: #08519c; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: var(--ink); background: #fff; margin: 0; line-height: 1.45;
       font-size: 15px; }
header.page { background: #0b2545; color: #fff; padding: 1.2em 2em 1em; }
header.page h1 { margin: 0 0 0.2em; font-size: 1.7em; }
header.page p { margin: 0.1em 0; color: #d6e2f0; font-size: 0.92em; }
nav.contents { background: var(--soft); border-bottom: 1px solid var(--rule);
               padding: 0.5em 2em; font-size: 0.92em; }
nav.contents a { margin-right: 1.2em; color: var(--accent); text-decoration: none;
                 white-space: nowrap; }
main { padding: 0 2em 3em; max-width: 1400px; }
h2 { font-size: 1.35em; margin: 1.6em 0 0.6em; padding-bottom: 0.2em;
     border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.12em; margin: 1.4em 0 0.5em; }
h4 { font-size: 1em; margin: 1em 0 0.4em; }
a { color: var(--accent); }
.count, .detail, .label, .levels, .expected { color: var(--muted); font-weight: normal; }
.detail, .levels, .expected { font-size: 0.84em; }
.figures { display: flex; flex-wrap: wrap; gap: 0.7em; margin: 1em 0; padding: 0; }
.figures li { list-style: none; background: var(--soft); border: 1px solid var(--rule);
              border-radius: 6px; padding: 0.45em 0.9em; min-width: 8.5em; }
.figures strong { display: block; font-size: 1.45em; color: var(--accent); }
.columns { display: flex; flex-wrap: wrap; gap: 0 2.5em; align-items: flex-start; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid var(--rule); padding: 0.3em 0.55em; vertical-align: top;
         text-align: left; }
thead th { background: var(--soft); }
td { font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; max-width: 100%; }
table.heatmap td, table.comparison td { text-align: center; min-width: 2.3em;
     -webkit-print-color-adjust: exact; print-color-adjust: exact; }
table.heatmap th[scope=row], table.comparison th[scope=row] { position: sticky; left: 0;
     background: #fff; white-space: nowrap; font-weight: normal; }
table.heatmap tr.depth-0 th[scope=row], table.comparison tr.depth-0 th[scope=row] {
     font-weight: 600; }
tr.depth-1 th[scope=row] { padding-left: 1.3em; }
tr.depth-2 th[scope=row] { padding-left: 2.3em; }
tr.depth-3 th[scope=row] { padding-left: 3.3em; }
tbody.group { border-top: 2px solid #8c959f; }
th.vertical span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
th.group { text-align: center; }
.zero { color: #b8c0c8; }
td .detail { color: inherit; opacity: 0.75; }
.legend { display: flex; align-items: center; gap: 0.5em; font-size: 0.85em;
          color: var(--muted); margin: 0.2em 0 0.6em; }
.legend .ramp { display: inline-block; width: 12em; height: 0.8em; border: 1px solid var(--rule);
                -webkit-print-color-adjust: exact; print-color-adjust: exact; }
a.download { display: inline-block; margin: 0.2em 0 0.8em; font-size: 0.9em; }
table.typology td.yes { background: #e6f4ea; }
table.typology td.no { background: #fdecea; }
table.typology td.open { color: var(--muted); }
table.typology th.predicted { box-shadow: inset 0 -3px 0 #2171b5; }
table.typology th.observed { box-shadow: inset 0 3px 0 #6a3d9a; }
table.typology td.level a { font-weight: 600; }
table.typology td.mixed a, table.typology td.none { font-style: italic; }
table.links { margin-top: 0.2em; }
table.typology td, table.typology th, table.summary td { -webkit-print-color-adjust: exact;
     print-color-adjust: exact; }
.verdict { padding: 0.1em 0.5em; border-radius: 4px; font-weight: 600; white-space: nowrap; }
.verdict.fits { background: #d4edda; color: #155724; }
.verdict.compatible { background: #fff3cd; color: #664d03; }
.verdict.misfit { background: #f8d7da; color: #842029; }
.verdict.undetermined { background: #e9ecef; color: #495057; }
.evidence { font-size: 0.88em; columns: 2 28em; column-gap: 2em; }
.evidence-list { break-inside: avoid; page-break-inside: avoid; }
.evidence-list h4 { margin: 0.5em 0 0.2em; font-size: 0.95em; }
.evidence-list p { margin: 0.15em 0; }
.evidence-list p.counter { color: var(--muted); }
section.case { border-top: 1px solid var(--rule); margin-top: 1.2em; }
figure.quote { margin: 0.8em 0 1em; max-width: 52em; break-inside: avoid;
               page-break-inside: avoid; }
blockquote { margin: 0; padding: 0.45em 0.9em; border-left: 4px solid #8a9bb0;
             background: var(--soft); white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: #ffe58f; padding: 0 0.1em; -webkit-print-color-adjust: exact;
       print-color-adjust: exact; }
figcaption { font-size: 0.84em; color: var(--muted); margin: 0.25em 0 0 1.1em; }
.memo { font-size: 0.86em; margin: 0.2em 0 0 1.1em; white-space: pre-wrap; }
.code-id { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; }
.empty { font-style: italic; color: var(--muted); }
dl.method dt { font-weight: 600; margin-top: 0.7em; }
dl.method dd { margin: 0.1em 0 0; max-width: 52em; }
@media print {
  body { font-size: 10pt; }
  header.page { background: none; color: #000; padding: 0 0 0.5em;
                border-bottom: 2px solid #000; }
  header.page p { color: #333; }
  nav.contents, a.download { display: none; }
  main { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  .scroll { overflow: visible; }
  section.case, h2 { break-after: avoid; }
  table.heatmap th[scope=row] { position: static; }
}
""".strip()


def render_report(data: ReportData, lang: str = "nl", *, title: str = "") -> str:
    """The whole page for ``data`` in ``lang`` (``nl`` or ``en``)."""
    w = words(lang)
    heading = title or f"{w['title']}: {data.overview.project}"
    labels = {c.id: c.label for c in data.codebook.codes}
    linked = quote_links(data)
    quote_index = _quote_index(data)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="qcode">',
        f"<title>{escape(heading)}</title>",
        f"<style>\n{STYLE}\n{memos_html.STYLE}\n{saturation_html.STYLE}\n</style>",
        "</head>",
        '<body id="top">',
        _header(data, heading, lang),
        _contents(lang),
        "<main>",
        _section("overview", w["overview"], _overview(data, lang)),
        _section("typology", w["typology"], _typology(data, lang, quote_index)),
        _section("comparison", w["comparison"],
                 f'<p class="detail">{escape(w["comparison_note"])}</p>'
                 + comparison_table(data.comparison, lang, linked)),
        _section("matrices", w["matrices"], _matrices(data, lang, linked)),
        _section("agreement", w["agreement"],
                 agreement_section(data.agreement, data.agreement_error,
                                   [c.coder for c in data.overview.coders], lang)),
        _section("saturation", w["saturation"],
                 saturation_html.saturation_section(data.saturation, lang)),
        _section("quotes", w["quotes"],
                 quotes_section(data.quotes, labels, lang, memos=data.memos)),
        _section("method", w["method"], _method(lang)),
        _section("journal", w["journal"],
                 memos_html.journal_section(data.memos, set(data.unit_cases.values()), lang)),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _section(anchor: str, heading: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{escape(heading)}</h2>\n{body}\n</section>'


def _header(data: ReportData, heading: str, lang: str) -> str:
    w = words(lang)
    codebook = data.codebook
    lines = [
        '<header class="page">',
        f"<h1>{escape(heading)}</h1>",
        f"<p>{escape(w['made'].format(date=data.made_on, version=__version__))}</p>",
        "<p>" + escape(w["codebook_line"].format(
            name=codebook.name, version=codebook.version, codes=len(codebook.codes))) + "</p>",
    ]
    if data.coders:
        lines.append(f"<p>{escape(w['coders_line'].format(coders=', '.join(data.coders)))}</p>")
    if data.then_by:
        lines.append(f"<p>{escape(w['then_by_line'].format(attribute=data.then_by))}</p>")
    if data.where:
        lines.append(f"<p>{escape(w['where_line'].format(conditions=' · '.join(data.where)))}"
                     "</p>")
    lines.append("</header>")
    return "\n".join(lines)


def _contents(lang: str) -> str:
    w = words(lang)
    links = " ".join(f'<a href="#{s}">{escape(w[s])}</a>' for s in SECTIONS)
    return f'<nav class="contents" aria-label="{escape(w["contents"])}">{links}</nav>'


def _overview(data: ReportData, lang: str) -> str:
    w = words(lang)
    o = data.overview
    figures = [
        (o.transcripts, "transcript", "transcripts"), (o.respondents, "respondent", "respondents"),
        (len(o.cases), "case", "cases"), (len(o.coders), "coder", "coders"),
        (o.codings, "coding", "codings"),
        (o.respondent_segments, "respondent_segment", "respondent_segments"),
        (o.words, "word", "words"),
    ]
    lines = ['<ul class="figures">']
    # 1 casus, 2 casussen: the word agrees with its number.
    lines += [f"<li><strong>{_number(value, lang)}</strong>"
              f"{escape(w[one] if value == 1 else w[many])}</li>"
              for value, one, many in figures]
    lines.append("</ul>")
    if data.typologies:
        lines += [f"<h3>{escape(w['at_a_glance'])}</h3>", summary_table(data.typologies, lang)]
    lines.append('<div class="columns"><div>')
    lines.append(f"<h3>{escape(w['respondents_per_case'])}</h3>")
    if o.cases:
        lines.append('<table class="cases"><thead><tr>'
                     f'<th scope="col">{escape(w["case"])}</th>')
        lines += [f'<th scope="col">{escape(role)}</th>' for role in o.roles]
        lines.append(f'<th scope="col">{escape(w["total"])}</th></tr></thead><tbody>')
        for case in o.cases:
            cells = "".join(f"<td>{case.by_role.get(role, 0)}</td>" for role in o.roles)
            lines.append(f'<tr><th scope="row">{escape(case.unit)}</th>{cells}'
                         f"<td>{case.respondents}</td></tr>")
        lines.append("</tbody></table>")
    else:
        lines.append(f'<p class="empty">{escape(w["no_cases"])}</p>')
    lines.append(f"</div><div><h3>{escape(w['coders_table'])}</h3>")
    provenances = ("manual", "suggestion", "bulk", "imported")
    lines.append('<table class="coders"><thead><tr>'
                 f'<th scope="col">{escape(w["coder"])}</th>'
                 f'<th scope="col">{escape(w["codings"])}</th>'
                 f'<th scope="col">{escape(w["coded_transcripts"])}</th>'
                 + "".join(f'<th scope="col">{escape(w[p])}</th>' for p in provenances)
                 + "</tr></thead><tbody>")
    for coder in o.coders:
        cells = "".join(f"<td>{coder.by_provenance.get(p, 0)}</td>" for p in provenances)
        lines.append(f'<tr><th scope="row">{escape(coder.coder)}</th><td>{coder.codings}</td>'
                     f"<td>{coder.transcripts}</td>{cells}</tr>")
    lines.append("</tbody></table></div></div>")
    return "\n".join(lines)


def _typology(data: ReportData, lang: str, quote_index: QuoteIndex) -> str:
    w = words(lang)
    lines = [f"<h3>{escape(w['pk_expects'])}</h3>", reference_table(lang)]
    if not data.typologies:
        lines.append(f'<p class="empty">{escape(w["no_cases"])}</p>')
    links = {case.unit: case for case in data.links}
    for i, typology in enumerate(data.typologies, start=1):
        memos = memos_html.case_memos(data.memos, data.unit_cases.get(typology.unit, ""), lang)
        beside = links_section(links[typology.unit], unit_anchor(i), lang, quote_index) if (
            typology.unit in links) else ""
        lines.append(case_section(typology, i, lang, quote_index, beside, memos=memos))
    return "\n".join(lines)


def _matrices(data: ReportData, lang: str, linked: dict[str, str]) -> str:
    w = words(lang)
    cases = data.respondent_cases
    respondents = [str(c) for c in data.by_respondent.columns[1:]]
    titles = {r: " · ".join(p for p in (r, *cases.get(r, ("", ""))) if p) for r in respondents}
    return "\n".join([
        f'<p class="detail">{escape(w["heatmap_note"])}</p>',
        f"<h3>{escape(w['heatmap_by_case'])}</h3>",
        _legend_and_link(data.by_case, "matrix-case.csv", lang),
        heatmap(data.by_case, caption=w["heatmap_by_case"], code_header=w["code"],
                linked_codes=linked),
        f"<h3>{escape(w['heatmap_by_respondent'])}</h3>",
        _legend_and_link(data.by_respondent, "matrix-respondent.csv", lang),
        heatmap(data.by_respondent, caption=w["case"], code_header=w["code"],
                linked_codes=linked, column_titles=titles,
                column_groups=[cases.get(r, ("", ""))[0] for r in respondents],
                vertical=len(respondents) > 12),
    ])


def _legend_and_link(frame: pd.DataFrame, filename: str, lang: str) -> str:
    w = words(lang)
    counts = frame.drop(columns="label").to_numpy()
    top = int(counts.max()) if counts.size else 0
    return legend(top, w["scale"]) + "\n" + csv_link(frame, filename, w["download_csv"])


def _number(value: int, lang: str) -> str:
    """12,345 in English, 12.345 in Dutch."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


def _method(lang: str) -> str:
    items = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>"
                    for term, text in METHOD[lang])
    return f'<dl class="method">{items}</dl>'


def quote_links(data: ReportData) -> dict[str, str]:
    """Where a code's row links to: its quotes, or, for a top-level code that has none of
    its own, the quotes of its sub-codes."""
    links = {group.code: f"code-{group.code}" for group in data.quotes}
    for group in data.quotes:
        top = group.code.split(".", 1)[0]
        links.setdefault(top, f"top-{top}")
    return links


def _quote_index(data: ReportData) -> QuoteIndex:
    """Where the typology's evidence links go: the first quote of each coded segment."""
    index: dict[tuple[str, str, int], tuple[str, str]] = {}
    for group in data.quotes:
        for quote in group.quotes:
            key = (quote.code, quote.transcript, quote.segment)
            if key not in index:
                excerpt = " ".join(quote.text.split()[:EXCERPT_WORDS])
                if len(quote.text.split()) > EXCERPT_WORDS:
                    excerpt += " …"
                index[key] = (quote.anchor, excerpt)
    return index
