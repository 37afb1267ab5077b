"""The replication report shows memos where they matter (case memos at the top of each
case, code memos with the code's quotes, the journal at the end) and saturation per case."""

from __future__ import annotations

import re

from qcode.models import Coding, Memo
from qcode.report import build_report, gather_report
from qcode.store import Project
from qcode.store import memos as memos_store
from qcode.store.codings import add as add_codings
from qcode.store.transcripts import set_respondent_attributes
from qcode.values import parse_memo_target


def memo(target: str, text: str, created: str, coder: str = "ans") -> Memo:
    return Memo(parse_memo_target(target), text, coder, created_at=created)


def section(html: str, anchor: str) -> str:
    """One top-level section of the report, up to the next one."""
    start = html.index(f'<section id="{anchor}">')
    following = html.find('\n<section id="', start + 1)
    return html[start:following if following != -1 else html.index("</main>")]


def coded(project: Project) -> Project:
    add_codings(project, [
        Coding("noord-r01", 4, "trust.high", "ans"),
        Coding("noord-r01", 6, "trust.information_sharing.written", "ans"),
        Coding("zuid-r02", 4, "trust.low", "ans"),
    ])
    memos_store.add(project, [
        memo("case:Veiligheidshuis Noord", "Noord ondersteunt alleen; <geen> eigen casussen.",
             "2026-03-20T10:00:00+00:00"),
        memo("case:Veiligheidshuis Zuid", "Zuid neemt zelf casussen op.",
             "2026-03-21T10:00:00+00:00", coder="b"),
        memo("code:trust.high", "Alleen als de respondent het zelf zo noemt.",
             "2026-03-22T10:00:00+00:00"),
        memo("code:dialogue", "Nog geen citaten; let hierop in ronde twee.",
             "2026-03-23T10:00:00+00:00"),
        memo("project", "Tweede notitie: codeboek aangepast.", "2026-03-25T09:00:00+00:00"),
        memo("project", "Eerste notitie: interviews in Noord gehouden.",
             "2026-03-12T17:00:00+00:00"),
    ])
    return project


def test_case_memos_stand_at_the_top_of_their_case(project: Project) -> None:
    html = build_report(coded(project))
    cases = re.findall(r'<section class="case" id="case-\d">(.*?)</section>', html, re.S)
    assert len(cases) == 2
    noord, zuid = cases
    assert noord.index("Noord ondersteunt alleen") < noord.index('<table class="typology">')
    assert "&lt;geen&gt;" in noord and "<geen>" not in html
    assert "Zuid neemt zelf" in zuid and "Noord ondersteunt" not in zuid
    assert "b · 2026-03-21" in zuid


def test_code_memos_stand_with_the_codes_quotes(project: Project) -> None:
    quotes = section(build_report(coded(project)), "quotes")
    high = re.search(r'<section class="code" id="code-trust.high">(.*?)</section>', quotes, re.S)
    assert high and "Alleen als de respondent" in high.group(1)
    assert high.group(1).index("Alleen als") < high.group(1).index("<figure")
    # A code without quotes still shows its memo, after the quotes.
    assert quotes.index("Memo&#x27;s bij codes zonder citaten") > quotes.index("code-trust.low")
    assert "Nog geen citaten; let hierop" in quotes


def test_the_journal_ends_the_report_oldest_first(project: Project) -> None:
    html = build_report(coded(project))
    assert re.findall(r'<section id="(\w+)">', html)[-1] == "journal"
    journal = section(html, "journal")
    assert journal.index("Eerste notitie") < journal.index("Tweede notitie")
    assert '<a href="#journal">Logboek</a>' in html


def test_memos_on_a_case_no_longer_in_the_project_are_not_lost(project: Project) -> None:
    coded(project)
    set_respondent_attributes(project, "R02", {"case": "Veiligheidshuis Zuidoost"})
    journal = section(build_report(project), "journal")
    assert "Memo&#x27;s bij casussen die niet (meer) in het project voorkomen" in journal
    assert "Zuid neemt zelf casussen op." in journal


def test_saturation_per_case_in_dutch_and_english(project: Project) -> None:
    coded(project)
    data = gather_report(project)
    assert [s.group for s in data.saturation] == ["Veiligheidshuis Noord",
                                                  "Veiligheidshuis Zuid"]
    dutch = section(build_report(project), "saturation")
    assert dutch.count("te weinig interviews: 1 gecodeerd, de methode vraagt er minstens 6 "
                       "(basis 4 + run 2)") == 2
    assert "Guest, Namey &amp; Chen (2020" in dutch
    # One interview is no base: its codes are not shown as the base's.
    assert "<td>1</td><td>—</td>" in dutch
    english = section(build_report(project, lang="en"), "saturation")
    assert "too few interviews: 1 coded, the method needs at least 6" in english


def test_a_report_without_memos_says_the_journal_is_empty(project: Project) -> None:
    journal = section(build_report(project), "journal")
    assert "Het project heeft nog geen logboek" in journal
