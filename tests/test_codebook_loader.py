"""Library tests for loading, validating and writing back YAML codebooks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qcode.codebook import codebook_to_yaml, load_codebook, parse_codebook
from qcode.errors import CodebookError
from qcode.models import LEVELS

SHIPPED = Path(__file__).resolve().parent.parent / "codebooks" / "veiligheidshuis.yaml"
TOP_LEVEL = [
    "governance", "trust", "members", "consensus", "competences",
    "dialogue", "frameworks", "learning", "capacity", "talking_back",
]
LEVEL_CODES = {
    "trust.high": "high", "trust.moderate": "moderate", "trust.low": "low",
    "members.few": "few", "members.moderate": "moderate", "members.many": "many",
    "consensus.high": "high", "consensus.moderate": "moderate", "consensus.low": "low",
    "competences.low": "low", "competences.moderate": "moderate", "competences.high": "high",
}

HEAD = "codebook: test\ncodes:\n"


def error_of(text: str) -> str:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, source="cb.yaml")
    message = str(caught.value)
    # One problem a line, each with its place.
    assert all(line.startswith("cb.yaml:") for line in message.splitlines()), message
    return message


# --- the shipped study codebook ------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_codebook(SHIPPED)


def test_shipped_has_the_ten_top_level_codes_in_order(shipped):
    assert [code.id for code in shipped.codes if code.parent is None] == TOP_LEVEL
    assert shipped.name == "veiligheidshuis"
    assert shipped.source == str(SHIPPED)


def test_shipped_top_level_codes_have_keywords_and_distinct_colors(shipped):
    tops = [code for code in shipped.codes if code.parent is None]
    for code in tops:
        assert len(code.keywords) >= 15, code.id
        assert code.color is not None, code.id
    assert len({code.color for code in tops}) == len(tops)


def test_shipped_leaves_have_keywords(shipped):
    parents = {code.parent for code in shipped.codes}
    for code in shipped.codes:
        if code.id not in parents:
            assert len(code.keywords) >= 8, code.id


def test_shipped_levels_are_set_on_the_level_sub_codes(shipped):
    levels = {code.id: code.level for code in shipped.codes if code.level}
    assert levels == LEVEL_CODES


def test_shipped_required_sub_codes_exist(shipped):
    for code_id in [
        "governance.shared", "governance.lead_organisation", "governance.nao",
        "governance.administrative_entity", "governance.supportive_role", "governance.own_role",
        "trust.information_sharing.oral", "trust.information_sharing.written",
        "trust.information_sharing.system", "trust.agreements", "trust.changing_faces",
        "trust.colocation", "members.partner_organisations", "members.house_staff",
        "members.case_meeting", "consensus.goal", "consensus.tension", "consensus.own_interest",
        "competences.partners_needed", "competences.invitation", "competences.care_repression",
        "dialogue.contact", "dialogue.finding_partners", "dialogue.direction",
        "dialogue.colocation_effect", "frameworks.administrative_burden",
        "frameworks.information_rules", "learning.steering", "learning.feedback",
        "learning.between_houses", "learning.national", "capacity.pressure",
        "capacity.early_signalling", "capacity.crisis_team", "capacity.core_tasks",
    ]:
        assert shipped.get(code_id) is not None, code_id


def test_shipped_every_code_is_documented(shipped):
    for code in shipped.codes:
        assert code.label and code.description and code.include and code.exclude, code.id
        assert 1 <= len(code.examples) <= 3, code.id


def test_shipped_parents_come_before_children(shipped):
    seen: set[str] = set()
    for code in shipped.codes:
        if code.parent is not None:
            assert code.parent in seen, code.id
            assert code.id.startswith(code.parent + ".")
        seen.add(code.id)


def test_shipped_keeps_diacritics(shipped):
    assert "coördinatie" in shipped.get("governance.nao").keywords
    assert "onder één dak" in shipped.get("trust.colocation").keywords
    assert shipped.get("governance").label == "Vorm van netwerksturing"


def test_shipped_round_trips_through_yaml(shipped):
    text = codebook_to_yaml(shipped)
    again = parse_codebook(text, source="dump.yaml")
    assert again.codes == shipped.codes
    assert again.name == shipped.name and again.description == shipped.description
    assert again.version == shipped.version
    assert codebook_to_yaml(again) == text
    assert "coördinatie" in text and "\\x" not in text and "\\u" not in text


# --- parsing ---------------------------------------------------------------------------------

FULL = """\
codebook: demo
description: Een klein codeboek.
codes:
  trust:
    label: Onderling vertrouwen
    keywords: [vertrouwen, 112, ja]
    examples: ["We kennen elkaar: korte lijntjes."]
    color: "#1F77b4"
    patterns:
      - [{LEMMA: informatie}, {lemma: delen, OP: "?"}]
      - [{LOWER: {IN: [avg, privacy]}}, {LENGTH: {">=": 3}}, {IS_PUNCT: true}]
      - [{TEXT: {REGEX: "^[A-Z]{2,}$"}}, {}]
    codes:
      low:
        label: Weinig vertrouwen
        level: low
        description:
        codes:
          deep: {label: Diep}
  dialogue:
    label: Dialoog
"""


def test_parse_builds_dotted_ids_parents_and_file_order():
    codebook = parse_codebook(FULL, source="demo.yaml")
    assert codebook.ids == ["trust", "trust.low", "trust.low.deep", "dialogue"]
    assert [code.parent for code in codebook.codes] == [None, "trust", "trust.low", None]
    assert codebook.description == "Een klein codeboek."
    assert codebook.get("trust.low").level == "low"
    assert codebook.get("trust.low").description == ""


def test_parse_keeps_scalars_as_written_text():
    trust = parse_codebook(FULL, source="demo.yaml").get("trust")
    assert trust.keywords == ("vertrouwen", "112", "ja")
    assert trust.examples == ("We kennen elkaar: korte lijntjes.",)
    assert trust.color == "#1F77b4"


def test_parse_normalises_pattern_attributes_to_upper_case():
    trust = parse_codebook(FULL, source="demo.yaml").get("trust")
    assert trust.patterns == (
        ({"LEMMA": "informatie"}, {"LEMMA": "delen", "OP": "?"}),
        ({"LOWER": {"IN": ["avg", "privacy"]}}, {"LENGTH": {">=": 3}}, {"IS_PUNCT": True}),
        ({"TEXT": {"REGEX": "^[A-Z]{2,}$"}}, {}),
    )


def test_round_trip_keeps_patterns_and_text_that_looks_like_numbers():
    codebook = parse_codebook(FULL, source="demo.yaml")
    text = codebook_to_yaml(codebook)
    assert parse_codebook(text, source="again.yaml").codes == codebook.codes
    assert "- [{LEMMA: informatie}, {LEMMA: delen, OP: '?'}]" in text


def test_load_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_bytes("\ufeffcodebook: bom\ncodes:\n  trust: {label: Vertrouwen}\n".encode())
    assert load_codebook(path).ids == ["trust"]


# --- reading the file ------------------------------------------------------------------------


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(CodebookError, match=r"nope\.yaml: codebook file not found"):
        load_codebook(path)


def test_folder_is_refused(tmp_path):
    with pytest.raises(CodebookError, match=r": is a folder; name a codebook file"):
        load_codebook(tmp_path)


def test_non_utf8_file_is_located(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_bytes(b"codebook: x\ncodes:\n  trust: {label: Vertrouw\xe9}\n")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert str(caught.value).startswith(f"{path}:3:26: the codebook file is not UTF-8 text (byte 0xe9)")
    assert "save it as UTF-8" in str(caught.value)


# --- validation errors: each names file:line:column and the fix ------------------------------


@pytest.mark.parametrize(
    ("text", "prefix", "words"),
    [
        pytest.param(HEAD + "  trust:\n    label: a: b\n", "cb.yaml:4:13: ",
                     ["invalid YAML", "mapping values are not allowed", "quote"], id="syntax"),
        pytest.param(HEAD + "\ttrust: {label: A}\n", "cb.yaml:3:1: ",
                     ["invalid YAML", "spaces, not tabs"], id="tab"),
        pytest.param(HEAD + '  trust: {label: "A}\n', "cb.yaml:4:1: ",
                     ["invalid YAML", "end of stream", "line 3", "close the quote"], id="quote"),
        pytest.param(HEAD + "  trust: {label: A}\n---\nb: 1\n", "cb.yaml:4:1: ",
                     ["another document", "remove the extra '---'"], id="two-documents"),
        pytest.param("codebook: x\x07\ncodes:\n", "cb.yaml:1:12: ",
                     ["U+0007", "not allowed"], id="control-character"),
        pytest.param("", "cb.yaml:1:1: ", ["codebook is empty", "codebook: <name>"], id="empty"),
        pytest.param("# only a comment\n\n", "cb.yaml:1:1: ", ["codebook is empty"],
                     id="comments-only"),
        pytest.param("- trust\n- dialogue\n", "cb.yaml:1:1: ",
                     ["top of a codebook must be a mapping", "not a list"], id="top-list"),
        pytest.param("codes:\n  trust: {label: A}\n", "cb.yaml:1:1: ",
                     ["missing 'codebook: <name>'"], id="missing-codebook"),
        pytest.param("codebook: x\ndescription: y\n", "cb.yaml:1:1: ", ["missing 'codes:'"],
                     id="missing-codes"),
        pytest.param("codebook: x\ncodes:\n", "cb.yaml:2:7: ", ["'codes' is empty"],
                     id="empty-codes"),
        pytest.param("codebook: x\ncodse: {}\n", "cb.yaml:2:1: ",
                     ["unknown field 'codse' in the codebook",
                      "allowed: codebook, description, codes", "did you mean 'codes'?"],
                     id="unknown-top-field"),
        pytest.param(HEAD + "  trust: {label: A, keywrods: [a]}\n", "cb.yaml:3:21: ",
                     ["unknown field 'keywrods' in code 'trust'", "allowed: label,",
                      "did you mean 'keywords'?"], id="unknown-code-field"),
        pytest.param(HEAD + "  trust:\n    label: A\n    low: {label: B}\n", "cb.yaml:5:5: ",
                     ["unknown field 'low'", "if 'low' is a sub-code, put it under 'codes:'"],
                     id="sub-code-outside-codes"),
        pytest.param(HEAD + "  trust: {label: A}\n  dialogue: {label: B}\n  trust: {label: C}\n",
                     "cb.yaml:5:3: ",
                     ["duplicate code id 'trust' (first defined at line 3)"], id="duplicate-id"),
        pytest.param(HEAD + "  trust:\n    label: A\n    codes:\n      low: {label: B}\n"
                     "      low: {label: C}\n", "cb.yaml:7:7: ",
                     ["duplicate code id 'low' (first defined at line 6)"],
                     id="duplicate-child-id"),
        pytest.param(HEAD + "  trust:\n    label: A\n    label: B\n", "cb.yaml:5:5: ",
                     ["duplicate field 'label' (first defined at line 4)"],
                     id="duplicate-field"),
        pytest.param("codebook: a\ncodebook: b\ncodes: {t: {label: A}}\n", "cb.yaml:2:1: ",
                     ["duplicate field 'codebook' (first defined at line 1)"],
                     id="duplicate-top-field"),
        pytest.param(HEAD + "  Trust-High: {label: A}\n", "cb.yaml:3:3: ",
                     ["code id 'Trust-High' is not valid", "lowercase letters",
                      "e.g. 'trust_high'"], id="bad-id"),
        pytest.param(HEAD + "  2trust: {label: A}\n", "cb.yaml:3:3: ",
                     ["code id '2trust' is not valid", "starting with a letter"],
                     id="id-starts-with-digit"),
        pytest.param(HEAD + "  trust:\n", "cb.yaml:3:3: ",
                     ["code 'trust' has no fields", "label: <Dutch name>"], id="code-empty"),
        pytest.param(HEAD + "  trust: [a, b]\n", "cb.yaml:3:10: ",
                     ["code 'trust' must be a mapping", "not a list"], id="code-is-list"),
        pytest.param(HEAD + "  trust: {description: A}\n", "cb.yaml:3:3: ",
                     ["code 'trust' has no label", "add 'label: <Dutch name>'"],
                     id="missing-label"),
        pytest.param(HEAD + "  trust: {label: '  '}\n", "cb.yaml:3:18: ",
                     ["label of 'trust' is empty"], id="empty-label"),
        pytest.param(HEAD + "  trust: {label: [a]}\n", "cb.yaml:3:18: ",
                     ["label must be text, not a list"], id="label-wrong-type"),
        pytest.param(HEAD + "  trust: {label: A, keywords: vertrouwen}\n", "cb.yaml:3:31: ",
                     ["keywords must be a list of texts", "not text ('vertrouwen')",
                      "keywords: [regie, afspraak]"], id="keywords-not-list"),
        pytest.param(HEAD + "  trust: {label: A, keywords: [a, {b: c}]}\n", "cb.yaml:3:35: ",
                     ["each keyword must be text, not a mapping"], id="keyword-mapping"),
        pytest.param(HEAD + "  trust: {label: A, keywords: [a, '  ']}\n", "cb.yaml:3:35: ",
                     ["empty keyword in keywords", "remove it"], id="empty-keyword"),
        pytest.param(HEAD + "  trust:\n    label: A\n    keywords: [regie, afspraak,\n"
                     "      regie]\n", "cb.yaml:6:7: ",
                     ["keyword 'regie' is listed twice (first at line 5)"],
                     id="duplicate-keyword"),
        pytest.param(HEAD + "  trust: {label: A, examples: {a: b}}\n", "cb.yaml:3:31: ",
                     ["examples must be a list of texts, not a mapping"],
                     id="examples-wrong-type"),
        pytest.param(HEAD + "  trust: {label: A, level: medium}\n", "cb.yaml:3:28: ",
                     ["level 'medium' is not one of " + ", ".join(LEVELS)], id="bad-level"),
        pytest.param(HEAD + "  trust: {label: A, color: red}\n", "cb.yaml:3:28: ",
                     ["color 'red' is not '#rrggbb'", 'color: "#1f77b4"'], id="bad-color"),
        pytest.param(HEAD + "  trust:\n    label: A\n    color: #1f77b4\n", "cb.yaml:5:11: ",
                     ["color is empty; quote it", "unquoted # starts a YAML comment"],
                     id="unquoted-color"),
        pytest.param(HEAD + "  a: &base {label: A}\n  b: *base\n", "cb.yaml:3:6: ",
                     ["aliases are not allowed in a codebook", "&base"], id="anchor"),
        pytest.param(HEAD + "  a: {label: A, keywords: [x]}\n  b: {label: B, keywords: *k}\n",
                     "cb.yaml:4:27: ",
                     ["aliases are not allowed in a codebook", "write out the value of *k"],
                     id="alias"),
    ],
)
def test_validation_error(text, prefix, words):
    # The problem is on a line of its own (a file with more mistakes lists them all).
    message = next((line for line in error_of(text).splitlines() if line.startswith(prefix)),
                   error_of(text))
    assert message.startswith(prefix), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    ("pattern", "prefix", "words"),
    [
        pytest.param("regie", "cb.yaml:6:15: ",
                     ["patterns of 'trust' must be a list of token lists", "e.g. patterns:"],
                     id="patterns-not-list"),
        pytest.param("[{LEMMA: regie}]", "cb.yaml:6:16: ",
                     ["each pattern must be a list of token mappings, not a mapping"],
                     id="pattern-not-list"),
        pytest.param("[[]]", "cb.yaml:6:16: ", ["empty pattern", "at least one token"],
                     id="empty-pattern"),
        pytest.param("[[regie]]", "cb.yaml:6:17: ",
                     ["each token of a pattern must be a mapping", "{LEMMA: regie}"],
                     id="token-not-mapping"),
        pytest.param("[[{POS: NOUN}]]", "cb.yaml:6:18: ",
                     ["token attribute 'POS' needs a tagger or parser",
                      "offline Dutch pipeline", "use LEMMA, LOWER or ORTH"], id="pos"),
        pytest.param("[[{dep: nsubj}]]", "cb.yaml:6:18: ", ["'dep' needs a tagger or parser"],
                     id="dep"),
        pytest.param("[[{LEMMMA: regie}]]", "cb.yaml:6:18: ",
                     ["unknown token attribute 'LEMMMA'", "allowed: ORTH, TEXT",
                      "did you mean 'LEMMA'?"], id="unknown-attribute"),
        pytest.param("[[{LEMMA: regie, lemma: plan}]]", "cb.yaml:6:32: ",
                     ["token attribute 'LEMMA' given twice"], id="attribute-twice"),
        pytest.param("[[{LEMMA: regie, OP: '{1,x}'}]]", "cb.yaml:6:36: ",
                     ["OP must be one of ! ? + * {n} {n,m} {n,} {,m}"], id="bad-op"),
        pytest.param("[[{IS_PUNCT: 'yes'}]]", "cb.yaml:6:28: ",
                     ["IS_PUNCT takes true or false, not text ('yes')"], id="flag-type"),
        pytest.param("[[{LENGTH: long}]]", "cb.yaml:6:26: ",
                     ["LENGTH takes a whole number, not text ('long')"], id="length-type"),
        pytest.param("[[{LEMMA: [a, b]}]]", "cb.yaml:6:25: ",
                     ["LEMMA takes a text or a mapping such as {IN: [a, b]}"],
                     id="value-is-list"),
        pytest.param("[[{LEMMA: {REGEX: '(regie'}}]]", "cb.yaml:6:33: ",
                     ["REGEX '(regie' does not compile", "fix the regular expression"],
                     id="bad-regex"),
        pytest.param("[[{LEMMA: {INN: [a]}}]]", "cb.yaml:6:26: ",
                     ["unknown predicate 'INN' for LEMMA", "NOT_IN", "did you mean 'IN'?"],
                     id="unknown-predicate"),
        pytest.param("[[{LEMMA: {IN: regie}}]]", "cb.yaml:6:30: ",
                     ["LEMMA IN takes a list, not text ('regie')"], id="in-not-list"),
        pytest.param("[[{LENGTH: {'>': many}}]]", "cb.yaml:6:32: ",
                     ["LENGTH > takes a number, not text ('many')"], id="comparison-type"),
        pytest.param("[[{LEMMA: {}}]]", "cb.yaml:6:25: ",
                     ["empty mapping for LEMMA", "use one of IN"], id="empty-predicates"),
    ],
)
def test_pattern_error(pattern, prefix, words):
    text = HEAD + "  trust:\n    label: A\n    keywords: [regie]\n    patterns: " + pattern + "\n"
    message = error_of(text)
    assert message.startswith(prefix), message
    for word in words:
        assert word in message, (word, message)


def test_alias_bomb_is_refused_before_expanding():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        previous, name = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    message = error_of("codebook: bomb\n" + "\n".join(lines) + "\ncodes: {t: {label: T}}\n")
    assert time.perf_counter() - started < 1.0
    assert message.startswith("cb.yaml:2:4: aliases are not allowed in a codebook")


def test_dump_refuses_a_code_whose_parent_is_missing():
    codebook = parse_codebook(FULL, source="demo.yaml")
    broken = type(codebook)(name="x", codes=codebook.codes[1:], source="x.yaml")
    with pytest.raises(CodebookError, match="names parent 'trust', which is not in the codebook"):
        codebook_to_yaml(broken)


def test_every_problem_is_reported_in_one_run_sorted_by_line(tmp_path: Path) -> None:
    path = tmp_path / "codeboek.yaml"
    path.write_text(
        "codebook: vh\n"
        "codes:\n"
        "  trust:\n"
        "    label: Vertrouwen\n"
        "    kleur: \"#1f77b4\"\n"
        "    codes:\n"
        "      high: {label: Hoog, level: hoog}\n"
        "      Low Trust: {label: Laag}\n"
        "  dialogue:\n"
        "    label: Dialoog\n"
        "    color: blauw\n"
        "  dialogue:\n"
        "    label: Nog eens\n"
        "  members:\n"
        "    description: geen label\n",
        encoding="utf-8",
    )
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{path}:{where}" for where in ("5:5", "7:34", "8:7", "11:12", "12:3", "14:3")]
    assert "unknown field 'kleur'" in lines[0] and "level 'hoog'" in lines[1]
    assert "code id 'Low Trust' is not valid" in lines[2] and "color 'blauw'" in lines[3]
    assert "duplicate code id 'dialogue'" in lines[4] and "'members' has no label" in lines[5]
