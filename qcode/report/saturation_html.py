"""Saturation per case in the replication report (see :mod:`qcode.analysis.saturation`):
one row per case with the new codes each interview brought, every run's share and the
verdict, in the report's language."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from qcode.analysis.saturation import Saturation, percent

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "intro": "Verzadiging volgens Guest, Namey & Chen (2020, PLoS ONE 15(5): e0232076): "
                 "de interviews van een casus op datum; de basis is de eerste {base}; een run "
                 "is {run} opeenvolgende interviews daarna (telkens één verder); de nieuwe "
                 "informatie van een run is het aantal codes dat daar voor het eerst voorkomt, "
                 "gedeeld door het aantal verschillende codes in de basis. Verzadigd bij het "
                 "laatste interview van de eerste run met ten hoogste {threshold}. Alleen "
                 "gecodeerde interviews tellen. De methode telt codes, geen betekenis, en de "
                 "volgorde van de interviews doet ertoe.",
        "case": "casus", "interviews": "gecodeerde interviews", "base_codes": "codes in basis",
        "new_per_interview": "nieuwe codes per interview", "runs": "runs (nieuw / basis)",
        "verdict": "oordeel",
        "saturated": "verzadigd bij interview {at} van {count} ({parameters})",
        "not_reached": "niet bereikt: de laatste run voegt nog {share} toe",
        "too_few": "te weinig interviews: {count} gecodeerd, de methode vraagt er minstens "
                   "{needed} (basis {base} + run {run})",
        "parameters": "basis {base}, run {run}, ≤ {threshold}",
        "left_out": "niet meegeteld (nog niet gecodeerd): {transcripts}",
        "no_cases": "Geen casussen.",
    },
    "en": {
        "intro": "Saturation after Guest, Namey & Chen (2020, PLoS ONE 15(5): e0232076): a "
                 "case's interviews by date; the base is the first {base}; a run is {run} "
                 "consecutive interviews after it (moving one at a time); a run's new "
                 "information is the number of codes first seen in it divided by the number of "
                 "distinct codes in the base. Saturated at the last interview of the first run "
                 "at or below {threshold}. Only coded interviews count. The method counts "
                 "codes, not meaning, and the order of the interviews matters.",
        "case": "case", "interviews": "coded interviews", "base_codes": "codes in base",
        "new_per_interview": "new codes per interview", "runs": "runs (new / base)",
        "verdict": "verdict",
        "saturated": "saturated at interview {at} of {count} ({parameters})",
        "not_reached": "not reached: the last run still adds {share}",
        "too_few": "too few interviews: {count} coded, the method needs at least {needed} "
                   "(base {base} + run {run})",
        "parameters": "base {base}, run {run}, ≤ {threshold}",
        "left_out": "not counted (not coded yet): {transcripts}",
        "no_cases": "No cases.",
    },
}

STYLE = """
.saturation-verdict { padding: 0.1em 0.5em; border-radius: 4px; font-weight: 600; }
.saturation-verdict.saturated { background: #d4edda; color: #155724; }
.saturation-verdict.not_reached { background: #fff3cd; color: #664d03; }
.saturation-verdict.too_few { background: #e9ecef; color: #495057; }
table.saturation td.sequence { font-variant-numeric: tabular-nums; white-space: nowrap; }
""".strip()


def verdict_text(result: Saturation, lang: str) -> str:
    """The verdict of :attr:`Saturation.verdict`, in the report's language."""
    w = WORDS[lang]
    p = result.parameters
    parameters = w["parameters"].format(base=p.base, run=p.run,
                                        threshold=percent(p.threshold / 100))
    if result.status == "saturated":
        return w["saturated"].format(at=result.saturated_at, count=len(result.interviews),
                                     parameters=parameters)
    if result.status == "not_reached":
        return w["not_reached"].format(share=percent(result.runs[-1].ratio))
    return w["too_few"].format(count=len(result.interviews), needed=p.base + p.run,
                               base=p.base, run=p.run)


def saturation_section(results: Sequence[Saturation], lang: str) -> str:
    w = WORDS[lang]
    if not results:
        return f'<p class="empty">{escape(w["no_cases"])}</p>'
    p = results[0].parameters
    intro = w["intro"].format(base=p.base, run=p.run, threshold=percent(p.threshold / 100))
    lines = [f'<p class="detail">{escape(intro)}</p>', '<table class="saturation"><thead><tr>']
    for head in ("case", "interviews", "base_codes", "new_per_interview", "runs", "verdict"):
        lines.append(f'<th scope="col">{escape(w[head])}</th>')
    lines.append("</tr></thead><tbody>")
    for result in results:
        news = " · ".join(str(len(i.new_codes)) for i in result.interviews) or "—"
        runs = " · ".join(f"{r.first}–{r.last}: {r.new_codes}/{r.base_codes} "
                          f"({percent(r.ratio)})" for r in result.runs) or "—"
        # Fewer interviews than the base holds: there is no base to count yet.
        base = "—" if result.status == "too_few" else str(result.base_codes)
        left = ""
        if result.left_out:
            left = (f'<br><span class="detail">'
                    f'{escape(w["left_out"].format(transcripts=", ".join(result.left_out)))}'
                    "</span>")
        lines.append(
            f'<tr><th scope="row">{escape(result.group)}</th>'
            f"<td>{len(result.interviews)}</td><td>{base}</td>"
            f'<td class="sequence">{escape(news)}</td><td>{escape(runs)}</td>'
            f'<td><span class="saturation-verdict {escape(result.status)}">'
            f"{escape(verdict_text(result, lang))}</span>{left}</td></tr>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)
