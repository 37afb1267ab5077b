"""qcode search: keyword in context by lemma and inside compounds, on a project whose hits
are known by hand (see tests/questions_fixture.py), and the index that makes it fast."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode.analysis import search as searching
from qcode.analysis.search import count_hits, search
from qcode.errors import QcodeError, TranscriptError, UsageError
from qcode.nlp import wordsearch
from qcode.store import Project, find_project
from qcode.store import suggestions as suggestions_store
from qcode.values import parse_where
from tests.conftest import assert_usage_error, assert_user_error, qcode, snapshot
from tests.questions_fixture import NOORD, ZUID_2, build


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    project = build(tmp_path)
    yield project
    project.close()


def places(project: Project, query: str, **options: object) -> list[tuple[str, int, str]]:
    return [(h.transcript, h.segment, h.match) for h in search(project, query, **options).hits]


# -- what a word finds ------------------------------------------------------------------


def test_a_word_finds_its_dutch_word_forms_in_respondent_turns(project: Project) -> None:
    assert places(project, "vertrouwen") == [
        ("noord-r01", 2, "vertrouwde"), ("noord-r01", 2, "vertrouw"),
        ("zuid-r02", 2, "vertrouwen"), ("zuid-r03", 2, "Vertrouwen"),
    ]  # not "Wantrouwen", and not the interviewer's question in noord-r01 1


def test_all_turns_adds_the_interviewer(project: Project) -> None:
    found = search(project, "vertrouwen", all_turns=True).hits
    assert [(h.segment, h.interviewer) for h in found if h.transcript == "noord-r01"] == [
        (1, True), (2, False), (2, False)]


def test_a_word_is_found_inside_compounds_at_a_plausible_boundary(project: Project) -> None:
    assert places(project, "informatie") == [
        ("noord-r01", 4, "informatiedeling"), ("noord-r01", 4, "informatiesysteem"),
        ("noord-r01", 4, "informatie"),
    ]
    # huis closes veiligheidshuis, but thuis and huishouden are words of their own
    assert places(project, "huis") == [("noord-r01", 6, "Veiligheidshuis")]


def test_a_form_the_corpus_never_uses_still_finds_its_lemma(project: Project) -> None:
    """'vertrouwt' is in no interview: its lemma comes from the lemmatiser, not the index."""
    assert [m for _, _, m in places(project, "vertrouwt")] == [
        "vertrouwde", "vertrouw", "vertrouwen", "Vertrouwen"]


@pytest.mark.parametrize("word", [
    "informatiedeling", "veiligheidshuis", "veiligheidshuizen", "thuis", "huishouden",
    "huisarts", "ketenpartners", "casusoverleg", "vertrouwensband", "belangrijk",
    "regelmatig", "huisartsencoöperatie", "voorzorg", "netwerkpartner",
])
def test_compound_parts_are_the_parts_keywords_are_found_by(word: str) -> None:
    """The index records, per word, exactly the parts a codebook keyword would be found
    by in that word (KeywordTable's rule), so search and suggest agree on compounds."""
    from qcode.nlp import lexicon
    from qcode.nlp.keywords import compound_parts

    recorded = wordsearch.compound_parts_of(word)
    for part in {word[i:j] for i in range(len(word)) for j in range(i + 3, len(word) + 1)}:
        heads = {part: {0}} if len(part) >= lexicon.MIN_HEAD_KEYWORD else {}
        modifiers = {part: {0}} if len(part) >= lexicon.MIN_MODIFIER_KEYWORD else {}
        assert (part in recorded) == bool(compound_parts(word, heads, modifiers)), part
    assert ("huis" in recorded) == (word in ("veiligheidshuis", "huisartsencoöperatie"))


def test_a_phrase_needs_its_words_next_to_each_other(project: Project) -> None:
    assert places(project, '"informatie delen"') == [("noord-r01", 4, "informatie delen")]
    assert places(project, '"delen informatie"') == []
    assert places(project, "ggz-team") == [("zuid-r02", 6, "GGZ-team")]


def test_a_prefix_and_several_terms(project: Project) -> None:
    expected = [("zuid-r02", 4, "casussen"), ("zuid-r02", 4, "casusoverleg"),
                ("zuid-r02", 4, "casusregie"), ("zuid-r03", 4, "Casus"),
                ("zuid-r03", 4, "casus")]
    assert places(project, "casus*") == expected
    assert places(project, "privacy avg") == [("zuid-r03", 6, "privacy"),
                                              ("zuid-r03", 6, "AVG")]


def test_exact_matches_the_written_word_only(project: Project) -> None:
    assert places(project, "vertrouwen", mode="exact") == [
        ("zuid-r02", 2, "vertrouwen"), ("zuid-r03", 2, "Vertrouwen")]
    assert places(project, "informatie", mode="exact") == [("noord-r01", 4, "informatie")]
    assert places(project, "casus*", mode="exact")[0] == ("zuid-r02", 4, "casussen")


def test_regex_matches_the_text_ignoring_case(project: Project) -> None:
    assert places(project, r"casus\w+", mode="regex") == [
        ("zuid-r02", 4, "casussen"), ("zuid-r02", 4, "casusoverleg"),
        ("zuid-r02", 4, "casusregie")]
    assert places(project, r"(?-i)Casus", mode="regex") == [("zuid-r03", 4, "Casus")]


def test_accents_and_decomposed_text_come_back_byte_for_byte(project: Project) -> None:
    """zuid-r02 6 writes coördinatie decomposed (o + U+0308); a search typed composed
    finds it and hands back the text exactly as imported."""
    [hit] = search(project, "coördinatie").hits
    assert hit.match == "coo\u0308rdinatie"
    [hit] = search(project, "coöperatie").hits
    assert hit.match == "coöperatie" and hit.codes == ()


def test_context_is_the_exact_text_around_the_match(project: Project) -> None:
    first = search(project, "vertrouwde", context=3).hits[0]
    assert (first.left, first.match, first.right) == ("Ik ", "vertrouwde",
                                                      " de partners vroeger")
    text = NOORD.split("R: ")[1].split("\n")[0]
    assert text[first.start:first.end] == "vertrouwde"
    bare = search(project, "vertrouwde", context=0).hits[0]
    assert (bare.left, bare.right) == ("", "")


def test_each_hit_carries_the_codes_already_on_its_segment(project: Project) -> None:
    hits = search(project, "vertrouwen").hits
    assert hits[0].codes == ("governance.lead_organisation", "trust.high", "trust.low")
    assert (hits[0].respondent, hits[0].case, hits[0].role) == ("R01", "Noord", "politie")


# -- selecting and counting -------------------------------------------------------------


def test_where_and_ids_narrow_the_transcripts(project: Project) -> None:
    zuid = search(project, "vertrouwen", where=parse_where(["case=Zuid"]))
    assert {h.transcript for h in zuid.hits} == {"zuid-r02", "zuid-r03"}
    assert zuid.transcripts == ("zuid-r02", "zuid-r03")
    police = search(project, "vertrouwen", transcripts=["zuid-r02", "zuid-r03"],
                    where=parse_where(["role=politie"]))
    assert [h.transcript for h in police.hits] == ["zuid-r03"]
    with pytest.raises(TranscriptError, match="'huis'; use one of case, respondent, role, transcript, wave"):
        search(project, "vertrouwen", where=parse_where(["huis=Zuid"]))


def test_count_by_lists_every_group_searched(project: Project) -> None:
    result = search(project, "vertrouwen")
    assert [(c.group, c.hits, c.segments, c.respondents, c.transcripts)
            for c in count_hits(project, result, "case")] == [
        ("Noord", 2, 1, 1, 1), ("Zuid", 2, 2, 2, 2)]
    nothing = search(project, "casusregie")
    assert [(c.group, c.hits) for c in count_hits(project, nothing, "role")] == [
        ("manager", 1), ("politie", 0)]
    with pytest.raises(QcodeError, match="--count-by huis: no transcript"):
        count_hits(project, result, "huis")


def test_hits_become_pending_suggestions_a_coder_decides(project: Project) -> None:
    result = search(project, "casus*", propose="dialogue")
    assert result.proposals is not None
    assert (result.proposals.segments, result.proposals.new) == (2, 2)
    pending = [s for s in suggestions_store.pending(project, coder="cas")
               if s.method == "search"]
    assert [(s.transcript, s.segment, s.code, s.evidence) for s in pending] == [
        ("zuid-r02", 4, "dialogue", ("casussen", "casusoverleg", "casusregie")),
        ("zuid-r03", 4, "dialogue", ("Casus", "casus")),
    ]
    assert pending[1].spans == ((0, 5), (9, 14))
    # ann coded both segments with dialogue already: her list leaves them out
    assert not [s for s in suggestions_store.pending(project, coder="ann")
                if s.method == "search"]
    # a later run of 'qcode suggest' neither withdraws nor rescores them
    suggestions_store.store_run(project, [], codebook_version="x",
                                transcripts=["zuid-r02", "zuid-r03"])
    assert len([s for s in suggestions_store.pending(project, coder="cas")
                if s.method == "search"]) == 2
    again = search(project, "casus*", propose="dialogue").proposals
    assert again is not None and (again.new, again.kept) == (0, 2)


def test_interviewer_turns_are_never_proposed(project: Project) -> None:
    result = search(project, "vertrouwen", all_turns=True, propose="trust")
    assert result.proposals is not None
    assert (result.proposals.segments, result.proposals.interviewer_hits) == (3, 1)
    assert {(s.transcript, s.segment) for s in suggestions_store.pending(project, coder="cas")
            } == {("noord-r01", 2), ("zuid-r02", 2), ("zuid-r03", 2)}


def test_an_unknown_code_is_refused_before_anything_is_searched(project: Project) -> None:
    before = snapshot(project)
    with pytest.raises(QcodeError, match="unknown code 'dialoog'"):
        search(project, "casus*", propose="dialoog")
    assert snapshot(project) == before


# -- the query language -----------------------------------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ("", "no word to look for"),
    ('"informatie', "the quote at position 1 is not closed"),
    ("c*", "the prefix at position 1 is too short"),
    ("ca*sus", "'*' at position 3 stands inside a word"),
    ("*", "'*' at position 1 follows no word"),
    ("...", "no word to look for"),
])
def test_malformed_queries_are_usage_errors(query: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("*", r"\*")):
        wordsearch.parse_query(query)


@given(st.text(alphabet=st.sampled_from('ab "*-é\u0308 \nx'), max_size=20))
def test_any_query_is_read_or_refused_as_a_usage_error(query: str) -> None:
    try:
        terms = wordsearch.parse_query(query)
    except UsageError as error:
        assert "\n" not in str(error).replace(repr(query), "")
        return
    assert terms and all(term.words for term in terms)
    for term in terms:
        for word in term.words:
            assert wordsearch.TOKEN.fullmatch(word.text)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from('vertoumnasic "*-'), min_size=1, max_size=16))
def test_any_query_on_the_project_gives_hits_or_one_usage_error(
    project: Project, query: str
) -> None:
    try:
        result = search(project, query)
    except UsageError:
        return
    for hit in result.hits:
        assert hit.match and not hit.interviewer


# -- the index --------------------------------------------------------------------------


def test_the_import_builds_the_index(project: Project) -> None:
    from qcode.store.search import index_size

    assert index_size(project) == (18, 3)  # every turn of the three interviews
    assert search(project, "vertrouwen").indexed == ()


def test_a_reimport_keeps_the_index_in_step(project: Project, tmp_path: Path) -> None:
    from qcode.importing import import_paths

    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "zuid-r02.txt").write_text(
        ZUID_2.replace("De coöperatie", "De samenwerking"), encoding="utf-8")
    import_paths(project, [changed])
    assert places(project, "coöperatie") == []
    assert places(project, "samenwerking") == [("zuid-r02", 6, "samenwerking")]
    assert search(project, "samenwerking").indexed == ()


def test_a_project_made_before_the_index_is_indexed_on_its_first_search(
    project: Project
) -> None:
    """Migration 4 makes the tables, empty; lemmas need Python, so the first search fills
    them. A project that migration 4 brought up is in exactly this state."""
    root = project.root
    project.close()
    db = sqlite3.connect(root / "qcode.db")
    db.executescript(
        "DELETE FROM search_rows; DELETE FROM search_sources; DELETE FROM search_split; "
        "DELETE FROM search_compounds;")
    db.close()
    with find_project(root) as reopened:
        assert reopened.schema_version >= 4
        result = search(reopened, "vertrouwen")
        assert result.indexed == ("noord-r01", "zuid-r02", "zuid-r03")
        assert len(result.hits) == 4
        assert search(reopened, "vertrouwen").indexed == ()


def test_another_lemmatiser_means_indexing_again(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qcode.analysis.textindex.lemmatiser_version", lambda: "2-other")
    assert len(search(project, "vertrouwen").indexed) == 3


# -- runaway patterns -------------------------------------------------------------------


def test_a_runaway_regex_is_stopped_with_one_line(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wordsearch, "REGEX_TIME_LIMIT", 0.3)
    with pytest.raises(wordsearch.PatternTooSlow, match="backtracks too much"):
        search(project, r"(\w|\w|\w)+$", mode="regex")


def test_a_malformed_regex_is_a_usage_error(project: Project) -> None:
    with pytest.raises(UsageError, match=r"--regex 'casus\(': not a regular expression"):
        search(project, "casus(", mode="regex")


# -- the command ------------------------------------------------------------------------


def test_cli_table_shows_uncoded_mentions(project: Project) -> None:
    result = qcode(project, "search", "coöperatie")
    assert result.exit_code == 0, result.output
    assert "zuid-r02:6 R02  not coded" in result.stdout
    assert "De coöperatie met het GGZ-team" in result.stdout
    assert "1 hit(s) in 1 segment(s) of 1 transcript(s); 3 transcript(s) searched" in (
        result.stderr)


def test_cli_jsonl_and_csv_rows(project: Project) -> None:
    result = qcode(project, "search", "coördinatie", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["match"] == "coo\u0308rdinatie" and row["codes"] == []
    assert list(row) == ["transcript", "segment", "respondent", "case", "left", "match",
                         "right", "codes", "start", "end"]
    rows = list(csv.DictReader(io.StringIO(qcode(project, "search", "vertrouwen",
                                                 "--format", "csv").stdout)))
    assert [r["match"] for r in rows] == ["vertrouwde", "vertrouw", "vertrouwen",
                                          "Vertrouwen"]


def test_cli_count_by_and_where(project: Project) -> None:
    result = qcode(project, "search", "vertrouwen", "--count-by", "role", "--where",
                   "case=Zuid", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "role,hits,segments,respondents,transcripts", "manager,1,1,1,1", "politie,1,1,1,1"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".md", ".docx", ".html"])
def test_cli_writes_every_format(project: Project, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"hits{suffix}"
    result = qcode(project, "search", "informatie", "-o", str(target))
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        rows = list(csv.DictReader(target.open(encoding="utf-8")))
        assert [r["match"] for r in rows] == ["informatiedeling", "informatiesysteem",
                                              "informatie"]
        assert rows[0]["codes"] == "dialogue trust"
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(target)["hits"]
        assert [c.value for c in sheet[2]][:6] == [
            "noord-r01", 4, "R01", "Noord", "De ", "informatiedeling"]
    elif suffix == ".md":
        assert "| noord-r01 | 4 | R01 | Noord |" in target.read_text(encoding="utf-8")
    elif suffix == ".html":
        assert "<mark>informatiedeling</mark>" in target.read_text(encoding="utf-8")
    else:
        import docx

        runs = [r for p in docx.Document(str(target)).paragraphs for r in p.runs if r.bold]
        assert [r.text for r in runs] == ["informatiedeling", "informatiesysteem",
                                          "informatie"]


def test_cli_code_makes_suggestions_for_review(project: Project) -> None:
    result = qcode(project, "search", "casus*", "--code", "dialogue")
    assert result.exit_code == 0, result.output
    assert "suggested dialogue for 2 segment(s) (2 new, 0 already suggested)" in result.stderr
    listed = qcode(project, "review", "--coder", "cas", "--accept",
                   "zuid-r03:4:dialogue")
    assert listed.exit_code == 0, listed.output


@pytest.mark.parametrize(("args", "message"), [
    (["search", "x", "--exact", "--regex"], "--exact and --regex: give one of the two"),
    (["search", "casus(", "--regex"], "not a regular expression"),
    (["search", "c*"], "the prefix at position 1 is too short"),
    (["search", "x", "--where", "case"], "--where case: expected ATTRIBUTE=VALUE"),
])
def test_cli_usage_errors(project: Project, args: list[str], message: str) -> None:
    assert_usage_error(qcode(project, *args), message)


@pytest.mark.parametrize(("args", "message"), [
    (["search", "x", "nowhere-r09"], "unknown transcript 'nowhere-r09'"),
    (["search", "x", "--where", "huis=Zuid"], "no transcript or respondent has the "
                                              "attribute 'huis'"),
    (["search", "x", "--count-by", "huis"], "--count-by huis: no transcript"),
    (["search", "x", "--code", "dialoog"], "unknown code 'dialoog'; did you mean 'dialogue'?"),
    (["search", "x", "-o", "hits.pdf"], "unknown search results format '.pdf'"),
])
def test_cli_user_errors_change_nothing(project: Project, args: list[str],
                                        message: str) -> None:
    before = snapshot(project)
    assert_user_error(qcode(project, *args), message)
    assert snapshot(project) == before


def test_cli_runaway_regex_is_one_line_and_changes_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wordsearch, "REGEX_TIME_LIMIT", 0.3)
    before = snapshot(project)
    assert_user_error(qcode(project, "search", r"(\w|\w|\w)+$", "--regex"), "stopped after 0.3 s")
    assert snapshot(project) == before


def test_hit_writers_neutralise_formulas(tmp_path: Path) -> None:
    from qcode.exports.table import write_rows

    target = tmp_path / "t.csv"
    write_rows(["left", "match"], [("hits", [["=HYPERLINK(1)", "x"]])], target, what="t")
    assert target.read_text(encoding="utf-8").splitlines()[1] == "'=HYPERLINK(1),x"
    assert searching.HIT_FORMATS == (".csv", ".xlsx", ".md", ".docx", ".html")


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=400), st.integers(0, 400),
       st.integers(0, 5), st.integers(0, 12))
def test_context_is_the_n_words_around_the_match(text: str, start: int, length: int,
                                                  words: int) -> None:
    """The windowed context equals the plain definition: the last N whitespace-separated
    words before the match and the first N after it, exactly as written."""
    import re

    start = min(start, len(text))
    end = min(start + length, len(text))
    left, right = searching._context(text, start, end, words)
    chunks_before = list(re.finditer(r"\S+", text[:start]))
    chunks_after = list(re.finditer(r"\S+", text[end:]))
    if words == 0:
        assert (left, right) == ("", "")
        return
    expected_left = text[chunks_before[-words].start() if len(chunks_before) >= words else 0:
                         start]
    expected_right = text[end:end + chunks_after[words - 1].end()
                          if len(chunks_after) >= words else len(text)]
    assert (left, right) == (expected_left, expected_right)
