"""The report's cross-case comparison, agreement figures and quotes, as HTML."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from qcode.report.gather import Comparison
from qcode.report.heatmap import cell_style
from qcode.report.memos_html import ReportMemos, code_memos, codes_without_quotes
from qcode.report.quotes import CodeQuotes, ReportQuote
from qcode.report.texts import words

if TYPE_CHECKING:
    from qcode.analysis.agreement import AgreementReport


def comparison_table(comparison: Comparison, lang: str, linked: Mapping[str, str]) -> str:
    """Agenda codes by case: segments and the share of the case's respondents."""
    w = words(lang)
    lines = ['<div class="scroll">', '<table class="comparison">', "<thead><tr>",
             f'<th class="corner" scope="col">{escape(w["code"])}</th>']
    for unit in comparison.units:
        lines.append(f'<th scope="col">{escape(unit)}<br><span class="detail">'
                     f"{comparison.respondents[unit]} {escape(w['respondents'])}</span></th>")
    lines.append("</tr></thead>")
    previous = None
    for row in comparison.rows:
        top = row.code.split(".", 1)[0]
        if top != previous:
            lines.append(("</tbody>" if previous else "") + '<tbody class="group">')
            previous = top
        name = escape(row.code)
        if row.code in linked:
            name = f'<a href="#{escape(linked[row.code])}">{name}</a>'
        lines.append(f'<tr class="depth-{min(row.depth, 3)}"><th scope="row">{name} '
                     f'<span class="label">{escape(row.label)}</span></th>')
        for unit in comparison.units:
            segments, people = row.cells[unit]
            total = comparison.respondents[unit]
            share = people / total if total else 0.0
            shown = (f"{segments} <span class=\"detail\">· {people}/{total}</span>"
                     if segments else '<span class="zero">·</span>')
            tip = escape(f"{row.code} · {unit}: {segments} {w['segments']}, "
                         f"{people}/{total} {w['respondents']}")
            lines.append(f'<td{cell_style(share, 1.0)} title="{tip}">{shown}</td>')
        lines.append("</tr>")
    if previous:
        lines.append("</tbody>")
    lines += ["</table>", "</div>"]
    return "\n".join(lines)


def agreement_section(
    report: AgreementReport | None, error: str, coders: Sequence[str], lang: str
) -> str:
    w = words(lang)
    if report is None:
        if error:
            return f'<p class="empty">{escape(w["agreement_failed"].format(reason=error))}</p>'
        return (f'<p class="empty">'
                f'{escape(w["agreement_none"].format(coders=", ".join(coders) or "—"))}</p>')
    intro = w["agreement_intro"].format(
        coders=", ".join(report.coders), units=report.n_units,
        transcripts=len(report.transcripts), level=w.get(f"level_{report.level}", report.level),
    )
    lines = [f"<p>{escape(intro)}</p>", '<table class="agreement">', "<thead><tr>"]
    for head in ("code", "label", "units", "percent_agreement", "kappa", "alpha"):
        lines.append(f'<th scope="col">{escape(w[head])}</th>')
    lines.append("</tr></thead><tbody>")
    for row in report.codes:
        lines.append(_agreement_row(row.code, row.label, row))
    lines.append("</tbody><tfoot>")
    lines.append(_agreement_row("", w["pooled"], report.pooled))
    lines.append(_agreement_row("", w["mean"], report.mean))
    lines += ["</tfoot></table>"]
    return "\n".join(lines)


def _agreement_row(code: str, label: str, row: object) -> str:
    cells = [escape(code), escape(label), str(getattr(row, "n_units", ""))]
    for name, digits in (("percent_agreement", 1), ("cohen_kappa", 2),
                         ("krippendorff_alpha", 2)):
        value = getattr(row, name, None)
        if value is None:
            why = {"percent_agreement": "percent_undefined", "cohen_kappa": "kappa_undefined",
                   "krippendorff_alpha": "alpha_undefined"}[name]
            reason = str(getattr(row, why, "") or "")
            cells.append(f'<span class="zero" title="{escape(reason)}">—</span>')
        else:
            cells.append(f"{value:.{digits}f}")
    head = f'<th scope="row">{cells[0]}</th>'
    return "<tr>" + head + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>"


def quotes_section(groups: Sequence[CodeQuotes], labels: dict[str, str], lang: str, *,
                   memos: ReportMemos | None = None) -> str:
    """Per top-level code, per code, its memos and its quotes, most typical first; then the
    memos of codes without quotes."""
    w = words(lang)
    memos = memos or ReportMemos()
    rest = codes_without_quotes(memos, {g.code for g in groups}, labels, lang)
    if not groups:
        return f'<p class="empty">{escape(w["no_quotes"])}</p>' + (f"\n{rest}" if rest else "")
    lines = []
    previous = None
    for group in groups:
        top = group.code.split(".", 1)[0]
        if top != previous:
            lines.append(f'<h3 class="top" id="top-{escape(top)}">{escape(top)} '
                         f'<span class="label">{escape(labels.get(top, ""))}</span></h3>')
            previous = top
        count = (w["quote_count_one"] if len(group.quotes) == 1
                 else w["quotes_count"].format(count=len(group.quotes)))
        lines += [
            f'<section class="code" id="code-{escape(group.code)}">',
            f'<h4><span class="code-id">{escape(group.code)}</span> — {escape(group.label)} '
            f'<span class="count">({escape(count)})</span></h4>',
        ]
        notes = code_memos(memos, group.code, lang)
        if notes:
            lines.append(notes)
        lines += [_quote(quote, lang) for quote in group.quotes]
        lines.append("</section>")
    if rest:
        lines.append(rest)
    return "\n".join(lines)


def _quote(quote: ReportQuote, lang: str) -> str:
    w = words(lang)
    where = f"{w['segment']} {quote.segment}"
    if quote.start is not None:
        where += f" [{quote.start}–{quote.end}]"
    parts = [quote.respondent, quote.case, quote.role, where,
             w["coded_by"].format(coders=", ".join(quote.coders))]
    parts += [w[p] for p in quote.provenances if p != "manual" and p in w]
    caption = " · ".join(escape(p) for p in parts if p)
    lines = [
        f'<figure class="quote" id="{quote.anchor}">',
        # No whitespace around the text: pre-wrap would show it.
        f"<blockquote>{marked(quote.text, quote.highlights)}</blockquote>",
        f"<figcaption>{caption}</figcaption>",
    ]
    for memo in quote.memos:
        lines.append(f'<p class="memo"><strong>{escape(w["memo"])}:</strong> {escape(memo)}</p>')
    lines.append("</figure>")
    return "\n".join(lines)


def marked(text: str, ranges: Sequence[tuple[int, int]]) -> str:
    """``text`` escaped, with each range wrapped in ``<mark>``."""
    pieces = []
    position = 0
    for start, end in ranges:
        pieces.append(escape(text[position:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)
