"""Beside each case's typology: which condition levels were coded in the same interviews
as which governance form, each cell linked to the segments behind it."""

from __future__ import annotations

from html import escape

from qcode.analysis.cooccur import CaseLinks, ConditionFormLink
from qcode.analysis.typology import FORMS
from qcode.report.texts import CONDITION_NAMES, FORM_SHORT, level_name, words
from qcode.report.typology_html import QuoteIndex


def links_section(links: CaseLinks, anchor: str, lang: str, quotes: QuoteIndex) -> str:
    """The condition-by-form table of one case and the segment lists its cells link to."""
    w = words(lang)
    lines = [f'<div class="links" id="{anchor}-links">',
             f"<h4>{escape(w['links_title'])}</h4>",
             f'<p class="detail">{escape(w["links_note"])}</p>']
    if not links.cells:
        lines += [f'<p class="empty">{escape(w["links_none"])}</p>', "</div>"]
        return "\n".join(lines)
    lines += ['<table class="typology links">', "<thead><tr>",
              f'<th scope="col">{escape(w["condition"])}</th>']
    lines += [f'<th scope="col">{escape(FORM_SHORT[lang][form])}</th>' for form in FORMS]
    lines.append("</tr></thead><tbody>")
    lists = []
    for condition, level in links.rows:
        name = f"{CONDITION_NAMES[lang][condition]}: {level_name(lang, level)}"
        lines.append(f'<tr><th scope="row">{escape(name)}</th>')
        for form in FORMS:
            cell = links.cells.get((condition, level, form))
            if cell is None:
                lines.append('<td class="open"><span class="zero">·</span></td>')
                continue
            target = f"{anchor}-link-{condition}-{level}-{form}"
            css, mark = ("yes", "✓ ") if cell.expected else ("", "")
            lines.append(f'<td class="{css}">{mark}<a href="#{target}">{len(cell.respondents)}'
                         f" {escape(w['interviews_short'])}</a></td>")
            lists.append(_segments(cell, name, target, lang, quotes))
        lines.append("</tr>")
    lines += ["</tbody></table>", '<div class="evidence">', *lists, "</div>", "</div>"]
    return "\n".join(lines)


def _segments(cell: ConditionFormLink, name: str, target: str, lang: str,
              quotes: QuoteIndex) -> str:
    """Per interview, the condition's and the form's segments, each linked to its quote."""
    title = f"{name} × {FORM_SHORT[lang][cell.form]}"
    parts = []
    for respondent in cell.respondents:
        links = []
        for item in cell.evidence:
            if item.respondent != respondent:
                continue
            text = f"§{item.segment} {item.code}"
            found = quotes.get((item.code, item.transcript, item.segment))
            links.append(f'<a href="#{found[0]}" title="{escape(found[1])}">{escape(text)}</a>'
                         if found else f"<span>{escape(text)}</span>")
        parts.append(f"<strong>{escape(respondent)}</strong>: " + ", ".join(links))
    return (f'<div class="evidence-list" id="{target}"><h4>{escape(title)}</h4>'
            f'<p>{"; ".join(parts)}</p></div>')
