"""Rule evidence: lemmas, compounds, phrases, patterns, negation, sentences."""

from __future__ import annotations

import pytest

from qcode.models import Code, Codebook
from qcode.nlp import NlpError
from qcode.nlp.pipeline import get_pipeline
from qcode.nlp.rules import COMPOUND, KEYWORD, PATTERN, PHRASE, Hit, RuleMatcher


def codebook(*codes: Code) -> Codebook:
    return Codebook(name="test", codes=codes)


@pytest.fixture(scope="module")
def matcher() -> RuleMatcher:
    return RuleMatcher(
        codebook(
            Code(
                id="trust",
                label="Vertrouwen",
                keywords=("vertrouwen", "informatie", "afspraken", "eigen belang"),
            ),
            Code(
                id="trust.sharing",
                label="Informatie delen",
                parent="trust",
                keywords=("informatie delen", "convenant", "privacy"),
            ),
            Code(id="house", label="Huis", keywords=("huis", "regie", "rol", "belang")),
            Code(id="consensus", label="Consensus", keywords=("spanning", "zorg", "regel")),
            Code(id="members", label="Leden", keywords=("partner",)),
        )
    )


def hits(matcher: RuleMatcher, text: str) -> list[Hit]:
    return matcher.match(get_pipeline()(text))


def matched(matcher: RuleMatcher, text: str) -> set[tuple[str, str]]:
    """(keyword, matched text) pairs."""
    return {(hit.keyword, text[hit.start : hit.end]) for hit in hits(matcher, text)}


@pytest.mark.parametrize(
    ("text", "keyword", "word"),
    [
        ("De informatiedeling loopt goed.", "informatie", "informatiedeling"),
        ("Het informatiesysteem is oud.", "informatie", "informatiesysteem"),
        ("Er is een vertrouwensband.", "vertrouwen", "vertrouwensband"),
        ("Het Veiligheidshuis is klein.", "huis", "Veiligheidshuis"),
        ("Twee veiligheidshuizen werken samen.", "huis", "veiligheidshuizen"),
        ("De regievoering is helder.", "regie", "regievoering"),
        ("Dat is procesregie.", "regie", "procesregie"),
        ("Hij speelt een hoofdrol.", "rol", "hoofdrol"),
        ("De ketenpartners schuiven aan.", "partner", "ketenpartners"),
        ("Zorgpartners willen dat niet.", "zorg", "Zorgpartners"),
        ("Het privacy-convenant is getekend.", "convenant", "privacy-convenant"),
    ],
)
def test_keywords_are_found_inside_compounds(
    matcher: RuleMatcher, text: str, keyword: str, word: str
) -> None:
    assert (keyword, word) in matched(matcher, text)
    kinds = {hit.kind for hit in hits(matcher, text) if hit.keyword == keyword}
    assert kinds == {COMPOUND}


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("Ik ben thuis.", "huis"),
        ("Het huishouden loopt door.", "huis"),
        ("Dat is een goede strategie.", "regie"),
        ("Er is veel controle.", "rol"),
        ("De patrouille reed langs.", "rol"),
        ("Dat is belangrijk.", "belang"),
        ("We overleggen regelmatig.", "regel"),
        ("Hij werkt zorgvuldig.", "zorg"),
        ("Een voorzorgsmaatregel.", "zorg"),
    ],
)
def test_keywords_do_not_fire_on_accidental_substrings(
    matcher: RuleMatcher, text: str, keyword: str
) -> None:
    assert keyword not in {hit.keyword for hit in hits(matcher, text)}


def test_inflected_forms_meet_their_lemma(matcher: RuleMatcher) -> None:
    text = "We vertrouwden elkaar en de afspraken werden nagekomen. Spanningen waren er."
    found = {(hit.keyword, hit.kind, text[hit.start : hit.end]) for hit in hits(matcher, text)}
    assert ("vertrouwen", KEYWORD, "vertrouwden") in found
    assert ("afspraken", KEYWORD, "afspraken") in found
    assert ("spanning", KEYWORD, "Spanningen") in found


def test_a_keyword_written_inflected_is_reduced_to_its_lemma(matcher: RuleMatcher) -> None:
    # the codebook says "afspraken"; the singular must match too
    assert ("afspraken", "afspraak") in matched(matcher, "Een afspraak is een afspraak.")


@pytest.mark.parametrize(
    "text",
    [
        "Wij delen informatie met de wijkagent.",
        "Informatie delen we alleen aan tafel.",
        "Die informatie wordt dan gedeeld.",
    ],
)
def test_multi_word_keywords_match_as_phrases_in_any_order(
    matcher: RuleMatcher, text: str
) -> None:
    phrases = [hit for hit in hits(matcher, text) if hit.kind == PHRASE]
    assert [hit.code for hit in phrases] == ["trust.sharing"]
    assert set(text[phrases[0].start : phrases[0].end].lower().split()) >= {"informatie"}


def test_phrase_words_far_apart_or_in_two_sentences_do_not_match(matcher: RuleMatcher) -> None:
    far = "De informatie die wij van de gemeente en het OM krijgen kunnen we delen."
    split = "Het gaat om informatie. Delen is lastig."
    for text in (far, split):
        assert PHRASE not in {hit.kind for hit in hits(matcher, text)}


def test_a_two_word_keyword_also_matches_written_as_one_word(matcher: RuleMatcher) -> None:
    assert ("eigen belang", "Eigenbelang") in matched(matcher, "Eigenbelang speelt mee.")


def test_negation_stays_in_the_evidence(matcher: RuleMatcher) -> None:
    text = "Spanningen merk ik niet. Wij vertrouwen elkaar."
    by_keyword = {hit.keyword: hit for hit in hits(matcher, text)}
    tension = by_keyword["spanning"]
    assert tension.negated
    assert tension.evidence(text) == "Spanningen merk ik niet"
    assert tension.sentence(text) == "Spanningen merk ik niet."
    trust = by_keyword["vertrouwen"]
    assert not trust.negated
    assert trust.evidence(text) == "vertrouwen"


def test_emphasised_negation_counts(matcher: RuleMatcher) -> None:
    text = "Er is géén vertrouwen."
    [hit] = [h for h in hits(matcher, text) if h.keyword == "vertrouwen"]
    assert hit.negated and hit.evidence(text) == "géén vertrouwen"


def test_patterns_match_within_one_sentence_only() -> None:
    book = codebook(
        Code(
            id="consensus",
            label="Doel",
            patterns=(
                ({"LOWER": "hetzelfde"}, {"LEMMA": "doel"}),
                ({"LEMMA": "doel"}, {"IS_PUNCT": True}, {"LOWER": "gedeeld"}),
            ),
        )
    )
    matcher = RuleMatcher(book)
    inside = "We hebben hetzelfde doelen, zeker."
    [hit] = hits(matcher, inside)
    assert hit.kind == PATTERN and inside[hit.start : hit.end] == "hetzelfde doelen"
    assert hits(matcher, "Het doel, gedeeld door iedereen.")
    assert not hits(matcher, "Het gaat om het doel. Gedeeld wordt er weinig.")


def test_an_invalid_pattern_is_refused_with_the_code_named() -> None:
    book = codebook(Code(id="x", label="X", patterns=(({"NOT_AN_ATTR": "a"},),)))
    with pytest.raises(NlpError, match="Code x: pattern 1"):
        RuleMatcher(book)


def test_batches_and_single_documents_agree(matcher: RuleMatcher) -> None:
    texts = [
        "De informatiedeling loopt. Spanningen merk ik niet.",
        "",
        "Ja.",
        "Wij delen informatie via het convenant.\n\nDe ketenpartners weten dat.",
    ]
    docs = list(get_pipeline().pipe(texts))
    together = matcher.match_docs(docs)
    assert together == [matcher.match(get_pipeline()(text)) for text in texts]
    assert together[1] == [] and together[2] == []


def test_scan_counts_distinct_terms_per_code_with_sub_codes_rolled_up(
    matcher: RuleMatcher,
) -> None:
    docs = [get_pipeline()("Informatie, informatie en nog eens informatie. Het convenant.")]
    scan = matcher.scan(docs)
    trust = matcher.codes.index("trust")
    sharing = matcher.codes.index("trust.sharing")
    assert scan.terms[0, sharing] == 1  # convenant
    assert scan.terms[0, trust] == 2  # informatie (once) and convenant from the sub-code


def test_sentences_follow_spacy_sentencizer_and_line_breaks() -> None:
    import spacy

    reference = spacy.blank("nl")
    reference.add_pipe("sentencizer")
    texts = [
        'Hij zei: "Nee." Toen ging hij. En dan?! Ja... Nou ja (lacht). Klaar',
        "A. B. C.",
        "Wat? \"Echt?\" Ja.",
    ]
    for ours, theirs in zip(get_pipeline().pipe(texts), reference.pipe(texts), strict=True):
        assert [s.text for s in ours.sents] == [s.text for s in theirs.sents]
    doc = get_pipeline()("Eerste regel\nTweede regel")
    assert [s.text.strip() for s in doc.sents] == ["Eerste regel", "Tweede regel"]


def test_pipeline_sets_lemmas() -> None:
    doc = get_pipeline()("We vertrouwden de ketenpartners en zitten aan tafels.")
    lemmas = {token.text: token.lemma_ for token in doc}
    assert lemmas["vertrouwden"] == "vertrouwen"
    assert lemmas["ketenpartners"] == "ketenpartner"
    assert lemmas["zitten"] == "zitten"
    assert lemmas["tafels"] == "tafel"


def test_separable_verbs_match_when_split() -> None:
    matcher = RuleMatcher(
        codebook(Code(id="invitation", label="Aanmelden", keywords=("aanmelden", "opschalen")))
    )
    split = "Soms meldt de gemeente het zelf aan."
    [hit] = hits(matcher, split)
    assert hit.keyword == "aanmelden" and split[hit.start : hit.end] == "meldt de gemeente het zelf aan"
    assert [h.keyword for h in hits(matcher, "Dan schalen we op naar de burgemeester.")] == [
        "opschalen"
    ]
    assert [h.keyword for h in hits(matcher, "Het is opgeschaald.")] == ["opschalen"]
    # the particle must follow the verb, in the same sentence
    assert hits(matcher, "Aan de gemeente melden we het.") == []
    assert hits(matcher, "We melden het. Aan tafel ligt het.") == []


def test_questions_read_together_each_get_their_own_keywords(matcher: RuleMatcher) -> None:
    from qcode.nlp.context import BATCH_SIZE, question_evidence

    column = {code: i for i, code in enumerate(matcher.codes)}
    asked = [
        "Hoe is het vertrouwen?",
        "",
        "Wie heeft de regie?\n\nEn de informatiedeling?",
        "Wat doet u precies?",
        "  Spanningen met de partners?  ",
    ]
    questions = asked * (BATCH_SIZE // 2)  # more than one text's worth
    found = question_evidence(questions, matcher)
    for row, question in enumerate(questions):
        alone = set()
        if question.strip():
            for _, columns in matcher.keyword_columns(get_pipeline()(question)):
                alone.update(columns)
        assert set(found[row].nonzero()[0].tolist()) == alone
    assert found[0, column["trust"]] and not found[0, column["house"]]
    assert not found[1].any() and not found[3].any()
    # a keyword inside a compound counts (informatie in informatiedeling)
    assert found[2, column["house"]] and found[2, column["trust"]]
    assert found[4, column["consensus"]] and found[4, column["members"]]
