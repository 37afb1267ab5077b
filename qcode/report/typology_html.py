"""The Provan & Kenis typology in HTML: the reference table, a summary of all cases, and
per case a table whose every cell links to the coded segments behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from qcode.analysis.typology import (
    CONDITIONS,
    FORMS,
    PROVAN_KENIS,
    Evidence,
    Finding,
    Prediction,
    Typology,
)
from qcode.report.texts import (
    CONDITION_NAMES,
    FORM_NAMES,
    FORM_SHORT,
    TABLE_WORDS,
    level_name,
    words,
)

QuoteIndex = Mapping[tuple[str, str, int], tuple[str, str]]
"""(code, transcript, segment) -> (anchor of its first quote, a short excerpt)."""


def unit_anchor(index: int) -> str:
    return f"case-{index}"


def reference_table(lang: str) -> str:
    """Provan & Kenis (2007), table 1, with the codebook levels that count for each cell."""
    w = words(lang)
    lines = ['<table class="reference">', "<thead><tr>",
             f'<th scope="col">{escape(w["predicted"])}</th>']
    lines += [f'<th scope="col">{escape(CONDITION_NAMES[lang][c])}</th>' for c in CONDITIONS]
    lines.append("</tr></thead><tbody>")
    for form in FORMS:
        lines.append(f'<tr><th scope="row">{escape(FORM_NAMES[lang][form])}</th>')
        for condition in CONDITIONS:
            levels = ", ".join(level_name(lang, lvl) for lvl in _ordered(
                PROVAN_KENIS[form][condition]))
            lines.append(f"<td>{escape(TABLE_WORDS[lang][form][condition])}"
                         f'<br><span class="levels">→ {escape(levels)}</span></td>')
        lines.append("</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def summary_table(typologies: Sequence[Typology], lang: str) -> str:
    """One row per case: predicted form, observed form, fit."""
    w = words(lang)
    lines = ['<table class="summary">', "<thead><tr>",
             f'<th scope="col">{escape(w["case"])}</th>',
             f'<th scope="col">{escape(w["predicted"])}</th>',
             f'<th scope="col">{escape(w["observed"])}</th>',
             f'<th scope="col">{escape(w["verdict"])}</th>', "</tr></thead><tbody>"]
    for i, typology in enumerate(typologies, start=1):
        lines.append(
            f'<tr><th scope="row"><a href="#{unit_anchor(i)}">{escape(typology.unit)}</a></th>'
            f"<td>{escape(prediction_text(typology.prediction, lang))}</td>"
            f"<td>{escape(level_name(lang, typology.observed.level))}</td>"
            f"<td>{verdict(typology.fit, lang)}</td></tr>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)


def verdict(fit: str, lang: str) -> str:
    return f'<span class="verdict {escape(fit)}">{escape(words(lang)[fit])}</span>'


def prediction_text(prediction: Prediction, lang: str) -> str:
    w = words(lang)
    forms = ", ".join(FORM_SHORT[lang][f] for f in prediction.forms)
    if prediction.status == "single":
        return f"{forms} ({w['of_conditions'].format(clear=prediction.clear_conditions)})"
    if prediction.status == "several":
        return w["several"].format(forms=forms)
    if prediction.status == "none":
        if not prediction.closest:
            return w["none_fits_at_all"]
        closest = ", ".join(FORM_SHORT[lang][f] for f in prediction.closest)
        best = prediction.matches[prediction.closest[0]]
        return w["none_fits"].format(forms=closest, best=best,
                                     clear=prediction.clear_conditions)
    return w["nothing_predicted"]


def case_section(
    typology: Typology, index: int, lang: str, quotes: QuoteIndex, beside: str = "", *,
    memos: str = "",
) -> str:
    """The typology table of one case, ``beside`` it more HTML on the case (the
    conditions found with each form), then the evidence lists its cells link to.
    ``memos`` (HTML: the case's memos) goes at the top, under the case's name."""
    w = words(lang)
    anchor = unit_anchor(index)
    lines = [
        f'<section class="case" id="{anchor}">',
        f"<h3>{escape(typology.unit)} <span class=\"count\">"
        f"({typology.respondents} {escape(w['respondents'])})</span></h3>",
        *([memos] if memos else []),
        '<table class="typology">', "<thead><tr>",
        f'<th scope="col">{escape(w["condition"])}</th>',
        f'<th scope="col">{escape(w["evidence_points_to"])}</th>',
    ]
    for form in FORMS:
        marks = []
        if form in typology.prediction.forms:
            marks.append("predicted")
        if form == typology.observed.level:
            marks.append("observed")
        lines.append(f'<th scope="col" class="{" ".join(marks)}">'
                     f"{escape(FORM_SHORT[lang][form])}</th>")
    lines.append("</tr></thead><tbody>")
    for finding in typology.conditions:
        lines.append(f'<tr><th scope="row">{escape(CONDITION_NAMES[lang][finding.condition])}'
                     f"</th>{_finding_cell(finding, anchor, lang)}")
        for form in FORMS:
            expected = TABLE_WORDS[lang][form][finding.condition]
            if not finding.clear:
                lines.append(f'<td class="open">– <span class="expected">'
                             f"{escape(expected)}</span></td>")
            elif finding.level in PROVAN_KENIS[form][finding.condition]:
                lines.append(f'<td class="yes">✓ <span class="expected">{escape(expected)}'
                             "</span></td>")
            else:
                lines.append(f'<td class="no">✗ <span class="expected">{escape(expected)}'
                             "</span></td>")
        lines.append("</tr>")
    span = 1 + len(FORMS)
    lines += [
        "</tbody><tfoot>",
        f'<tr class="predicted"><th scope="row">{escape(w["predicted"])}</th>'
        f'<td colspan="{span}">{escape(prediction_text(typology.prediction, lang))}</td></tr>',
        f'<tr class="observed"><th scope="row">{escape(w["observed"])}</th>'
        f"{_finding_cell(typology.observed, anchor, lang, span=span)}</tr>",
        f'<tr class="fit"><th scope="row">{escape(w["verdict"])}</th>'
        f'<td colspan="{span}">{verdict(typology.fit, lang)}</td></tr>',
        "</tfoot></table>",
        beside,
        '<div class="evidence">',
    ]
    for finding in (*typology.conditions, typology.observed):
        lines.append(_evidence_list(finding, anchor, lang, quotes))
    lines += ["</div>", "</section>"]
    return "\n".join(lines)


def _finding_cell(finding: Finding, anchor: str, lang: str, span: int = 1) -> str:
    w = words(lang)
    colspan = f' colspan="{span}"' if span > 1 else ""
    name = escape(level_name(lang, finding.level))
    if not finding.evidence:
        return f'<td class="level none"{colspan}>{name}</td>'
    support = w["support"].format(segments=finding.segments, respondents=finding.respondents)
    spread = " · ".join(f"{level_name(lang, level)} {count}"
                        for level, count in finding.counts.items())
    return (f'<td class="level {"clear" if finding.clear else "mixed"}"{colspan}>'
            f'<a href="#{anchor}-{finding.condition}">{name}</a>'
            f'<br><span class="detail">{escape(support)}; {escape(spread)}</span></td>')


def _evidence_list(finding: Finding, anchor: str, lang: str, quotes: QuoteIndex) -> str:
    w = words(lang)
    title = CONDITION_NAMES[lang][finding.condition]
    lines = [f'<div class="evidence-list" id="{anchor}-{finding.condition}">',
             f"<h4>{escape(w['evidence'])}: {escape(title)}</h4>"]
    if not finding.evidence:
        lines.append(f'<p class="empty">{escape(w["no evidence"])}</p>')
    by_level: dict[str, list[Evidence]] = {}
    for item in finding.evidence:
        by_level.setdefault(item.level, []).append(item)
    for level, items in by_level.items():
        supporting = not finding.clear or level == finding.level
        css = "support" if supporting else "counter"
        prefix = "" if supporting else f"{w['counter_evidence']}: "
        links = []
        for item in items:
            target = quotes.get((item.code, item.transcript, item.segment))
            text = f"{item.respondent} §{item.segment}"
            if target is None:
                links.append(f"<span>{escape(text)}</span>")
            else:
                links.append(f'<a href="#{target[0]}" title="{escape(target[1])}">'
                             f"{escape(text)}</a>")
        lines.append(f'<p class="{css}"><strong>{escape(prefix)}'
                     f"{escape(level_name(lang, level))} ({len(items)})</strong>: "
                     + ", ".join(links) + "</p>")
    lines.append("</div>")
    return "\n".join(lines)


def _ordered(levels: frozenset[str]) -> list[str]:
    order = ("few", "low", "moderate", "high", "many")
    return sorted(levels, key=order.index)
