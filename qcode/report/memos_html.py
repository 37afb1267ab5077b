"""Memos in the replication report: a case's memos at the top of its section, a code's
beside its quotes, and the project journal (with memos on cases no longer in the
project) at the end. Every text is HTML-escaped; line breaks are kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from qcode.models import Memo

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "case_memos": "Memo's bij deze casus", "code_memos": "Memo's bij deze code",
        "journal_intro": "Het logboek van het project: gedateerde notities van de "
                         "onderzoekers, oudste eerst.",
        "no_journal": "Het project heeft nog geen logboek; schrijf een notitie met "
                      "qcode memo add project \"...\".",
        "orphans": "Memo's bij casussen die niet (meer) in het project voorkomen",
        "codes_without_quotes": "Memo's bij codes zonder citaten",
        "changed": "gewijzigd {date}",
    },
    "en": {
        "case_memos": "Memos on this case", "code_memos": "Memos on this code",
        "journal_intro": "The project's journal: dated notes by the researchers, oldest "
                         "first.",
        "no_journal": "The project has no journal yet; write an entry with qcode memo add "
                      "project \"...\".",
        "orphans": "Memos on cases no longer in the project",
        "codes_without_quotes": "Memos on codes without quotes",
        "changed": "changed {date}",
    },
}

STYLE = """
.memos { margin: 0.6em 0 1em; max-width: 52em; }
.memos h4 { margin: 0.2em 0; font-size: 0.95em; color: var(--muted); }
.memo-entry { margin: 0.3em 0; padding: 0.35em 0.8em; border-left: 3px solid #6a3d9a;
              background: #f6f2fa; white-space: pre-wrap; overflow-wrap: anywhere;
              break-inside: avoid; page-break-inside: avoid; }
.memo-entry .by { display: block; font-size: 0.82em; color: var(--muted);
                  white-space: normal; }
""".strip()


@dataclass(frozen=True)
class ReportMemos:
    """The memos the report shows, sorted for where they go."""

    cases: Mapping[str, Sequence[Memo]] = field(default_factory=dict)
    codes: Mapping[str, Sequence[Memo]] = field(default_factory=dict)
    journal: Sequence[Memo] = ()


def memo_entry(memo: Memo, lang: str) -> str:
    """One memo: its text, then who wrote it and when (and when it last changed)."""
    written = memo.created_at[:10]
    changed = memo.updated_at[:10]
    by = f"{memo.coder} · {written}"
    if changed and changed != written:
        by += " · " + WORDS[lang]["changed"].format(date=changed)
    return (f'<div class="memo-entry">{escape(memo.text)}'
            f'<span class="by">{escape(by)}</span></div>')


def memo_block(memos: Sequence[Memo], heading: str, lang: str) -> str:
    """A titled list of memos, or nothing when there are none."""
    if not memos:
        return ""
    entries = "\n".join(memo_entry(memo, lang) for memo in memos)
    return f'<div class="memos"><h4>{escape(heading)}</h4>\n{entries}\n</div>'


def case_memos(memos: ReportMemos, case: str, lang: str) -> str:
    return memo_block(memos.cases.get(case, ()), WORDS[lang]["case_memos"], lang)


def code_memos(memos: ReportMemos, code: str, lang: str) -> str:
    return memo_block(memos.codes.get(code, ()), WORDS[lang]["code_memos"], lang)


def codes_without_quotes(memos: ReportMemos, quoted: set[str], labels: Mapping[str, str],
                         lang: str) -> str:
    """The memos of codes that have no quotes (they would otherwise not show)."""
    lines = []
    for code, found in memos.codes.items():
        if code in quoted or not found:
            continue
        heading = f"{code} — {labels.get(code, '')}".rstrip(" —")
        lines.append(memo_block(found, heading, lang))
    if not lines:
        return ""
    return f"<h3>{escape(WORDS[lang]['codes_without_quotes'])}</h3>\n" + "\n".join(lines)


def journal_section(memos: ReportMemos, known_cases: set[str], lang: str) -> str:
    """The journal, oldest entry first, then memos on cases the report has no section for."""
    w = WORDS[lang]
    lines = [f'<p class="detail">{escape(w["journal_intro"])}</p>']
    if memos.journal:
        ordered = sorted(memos.journal, key=lambda m: (m.created_at, m.id or 0))
        lines += [memo_entry(memo, lang) for memo in ordered]
    else:
        lines.append(f'<p class="empty">{escape(w["no_journal"])}</p>')
    orphans = {case: found for case, found in memos.cases.items()
               if case not in known_cases and found}
    if orphans:
        lines.append(f"<h3>{escape(w['orphans'])}</h3>")
        lines += [memo_block(found, case, lang) for case, found in sorted(orphans.items())]
    return "\n".join(lines)
