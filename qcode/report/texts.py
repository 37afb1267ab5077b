"""Every word the report shows, in Dutch and in English.

Code ids stay as they are in both languages; code labels come from the codebook (Dutch).
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("nl", "en")

_NL: dict[str, str] = {
    "title": "Replicatierapport",
    "made": "Gemaakt op {date} met qcode {version}",
    "codebook_line": "Codeboek {name}, versie {version} ({codes} codes)",
    "coders_line": "Alleen coderingen van: {coders}",
    "then_by_line": "Casussen zijn uitgesplitst naar {attribute}",
    "where_line": "Alleen interviews waarvoor geldt: {conditions}",
    "links_title": "Voorwaarden en vorm in dezelfde interviews",
    "links_note": "Per voorwaarde op een gecodeerd niveau: in hoeveel interviews van deze "
                  "casus ook een governancevorm is gecodeerd (✓: het niveau dat Provan & "
                  "Kenis bij die vorm verwachten). Elke cel verwijst naar de segmenten.",
    "links_none": "Geen interview in deze casus codeert zowel het niveau van een voorwaarde "
                  "als een governancevorm.",
    "interviews_short": "int.",
    "contents": "Inhoud",
    "overview": "Overzicht",
    "at_a_glance": "De typologie in één oogopslag",
    "typology": "Typologie per casus (Provan & Kenis)",
    "comparison": "Dialoog en flexibiliseringsagenda per casus",
    "matrices": "Matrices",
    "agreement": "Overeenstemming tussen codeurs",
    "quotes": "Citaten per code",
    "method": "Leeswijzer en rekenregels",
    "saturation": "Verzadiging per casus",
    "journal": "Logboek",
    "transcripts": "transcripten",
    "respondents": "respondenten",
    "cases": "casussen",
    "coders": "codeurs",
    "codings": "coderingen",
    "words": "woorden",
    "respondent_segments": "respondentbeurten",
    "transcript": "transcript",
    "coding": "codering",
    "word": "woord",
    "respondent_segment": "respondentbeurt",
    "case": "casus",
    "role": "rol",
    "total": "totaal",
    "coder": "codeur",
    "respondent": "respondent",
    "segment": "segment",
    "segments": "segmenten",
    "segments_short": "segm.",
    "respondents_short": "resp.",
    "respondents_per_case": "Respondenten per casus en rol",
    "coders_table": "Codeurs en hun coderingen",
    "coded_transcripts": "gecodeerde transcripten",
    "provenance": "herkomst",
    "manual": "handmatig",
    "suggestion": "suggestie geaccepteerd",
    "bulk": "suggestie in bulk geaccepteerd",
    "imported": "geïmporteerd",
    "condition": "voorwaarde",
    "evidence_points_to": "het bewijs wijst op",
    "predicted": "voorspelde vorm",
    "observed": "waargenomen vorm",
    "verdict": "past het?",
    "evidence": "bewijs",
    "counter_evidence": "ook gecodeerd",
    "pk_expects": "Provan & Kenis verwachten",
    "of_conditions": "{clear} van 4 voorwaarden met een duidelijk niveau",
    "several": "meerdere vormen passen: {forms}",
    "none_fits": "geen vorm past bij alle voorwaarden; het dichtst bij: {forms} "
                 "({best} van {clear})",
    "none_fits_at_all": "geen vorm past bij de voorwaarden",
    "nothing_predicted": "geen voorspelling: geen voorwaarde heeft een duidelijk niveau",
    "mixed": "gemengd",
    "no evidence": "geen bewijs",
    "fits": "past",
    "compatible": "verenigbaar, niet beslissend",
    "misfit": "past niet",
    "undetermined": "niet te bepalen",
    "support": "{segments} segm., {respondents} resp.",
    "heatmap_by_case": "Codes per casus",
    "heatmap_by_respondent": "Codes per respondent",
    "heatmap_note": "Elke cel telt gecodeerde segmenten (een segment dat twee codeurs dezelfde "
                    "code gaven telt één keer). Donkerder is vaker.",
    "download_csv": "Download de getallen als CSV",
    "scale": "schaal",
    "code": "code",
    "label": "label",
    "quotes_count": "{count} citaten",
    "quote_count_one": "1 citaat",
    "coded_by": "gecodeerd door {coders}",
    "memo": "Memo",
    "no_quotes": "Er zijn nog geen coderingen.",
    "no_cases": "Er zijn nog geen transcripten.",
    "comparison_note": "Per casus: gecodeerde segmenten, en hoeveel van de respondenten van "
                       "die casus de code noemen. De kleur volgt dat aandeel respondenten.",
    "agreement_none": "Er heeft maar één codeur gecodeerd ({coders}); overeenstemming vraagt "
                      "om twee of meer codeurs.",
    "agreement_failed": "Overeenstemming is niet te berekenen: {reason}",
    "agreement_intro": "Codeurs {coders} op {units} respondentbeurten in {transcripts} "
                       "transcripten die zij allemaal codeerden; niveau: {level}.",
    "percent_agreement": "% overeenstemming",
    "kappa": "Cohens kappa",
    "alpha": "Krippendorffs alfa",
    "units": "eenheden",
    "level_top": "topcodes (subcodes tellen als hun topcode)",
    "level_full": "alle codes",
    "pooled": "alle codes samen",
    "mean": "gemiddelde over de codes",
    "back_to_top": "naar boven",
    "to_quotes": "naar de citaten",
}

_EN: dict[str, str] = {
    "title": "Replication report",
    "made": "Made on {date} with qcode {version}",
    "codebook_line": "Codebook {name}, version {version} ({codes} codes)",
    "coders_line": "Only codings by: {coders}",
    "then_by_line": "Cases are split by {attribute}",
    "where_line": "Only interviews where: {conditions}",
    "links_title": "Conditions and form in the same interviews",
    "links_note": "Per condition at a coded level: in how many interviews of this case a "
                  "governance form was coded too (✓: the level Provan & Kenis expect for "
                  "that form). Each cell links to the segments.",
    "links_none": "No interview of this case codes both the level of a condition and a "
                  "governance form.",
    "interviews_short": "int.",
    "contents": "Contents",
    "overview": "Overview",
    "at_a_glance": "The typology at a glance",
    "typology": "Typology per case (Provan & Kenis)",
    "comparison": "Dialogue and the flexibility agenda across cases",
    "matrices": "Matrices",
    "agreement": "Agreement between coders",
    "quotes": "Quotes per code",
    "method": "How to read this report",
    "saturation": "Saturation per case",
    "journal": "Journal",
    "transcripts": "transcripts",
    "respondents": "respondents",
    "cases": "cases",
    "coders": "coders",
    "codings": "codings",
    "words": "words",
    "respondent_segments": "respondent turns",
    "transcript": "transcript",
    "coding": "coding",
    "word": "word",
    "respondent_segment": "respondent turn",
    "case": "case",
    "role": "role",
    "total": "total",
    "coder": "coder",
    "respondent": "respondent",
    "segment": "segment",
    "segments": "segments",
    "segments_short": "segm.",
    "respondents_short": "resp.",
    "respondents_per_case": "Respondents per case and role",
    "coders_table": "Coders and their codings",
    "coded_transcripts": "transcripts coded",
    "provenance": "provenance",
    "manual": "manual",
    "suggestion": "suggestion accepted",
    "bulk": "suggestion accepted in bulk",
    "imported": "imported",
    "condition": "condition",
    "evidence_points_to": "evidence points to",
    "predicted": "predicted form",
    "observed": "observed form",
    "verdict": "fit",
    "evidence": "evidence",
    "counter_evidence": "also coded",
    "pk_expects": "Provan & Kenis expect",
    "of_conditions": "{clear} of 4 conditions with a clear level",
    "several": "several forms fit: {forms}",
    "none_fits": "no form fits every condition; closest: {forms} ({best} of {clear})",
    "none_fits_at_all": "no form fits the conditions",
    "nothing_predicted": "no prediction: no condition has a clear level",
    "mixed": "mixed",
    "no evidence": "no evidence",
    "fits": "fits",
    "compatible": "compatible, not decisive",
    "misfit": "does not fit",
    "undetermined": "undetermined",
    "support": "{segments} segm., {respondents} resp.",
    "heatmap_by_case": "Codes per case",
    "heatmap_by_respondent": "Codes per respondent",
    "heatmap_note": "Each cell counts coded segments (a segment two coders gave the same code "
                    "counts once). Darker is more often.",
    "download_csv": "Download the numbers as CSV",
    "scale": "scale",
    "code": "code",
    "label": "label",
    "quotes_count": "{count} quotes",
    "quote_count_one": "1 quote",
    "coded_by": "coded by {coders}",
    "memo": "Memo",
    "no_quotes": "There are no codings yet.",
    "no_cases": "There are no transcripts yet.",
    "comparison_note": "Per case: coded segments, and how many of the case's respondents "
                       "mention the code. The colour follows that share of respondents.",
    "agreement_none": "Only one coder has coded ({coders}); agreement needs two or more coders.",
    "agreement_failed": "Agreement cannot be computed: {reason}",
    "agreement_intro": "Coders {coders} on {units} respondent turns in {transcripts} "
                       "transcripts they all coded; level: {level}.",
    "percent_agreement": "% agreement",
    "kappa": "Cohen's kappa",
    "alpha": "Krippendorff's alpha",
    "units": "units",
    "level_top": "top-level codes (sub-codes count as their top-level code)",
    "level_full": "every code",
    "pooled": "all codes pooled",
    "mean": "mean over the codes",
    "back_to_top": "back to top",
    "to_quotes": "to the quotes",
}

CONDITION_NAMES = {
    "nl": {"trust": "onderling vertrouwen", "members": "aantal netwerkleden",
           "consensus": "doelconsensus", "competences": "behoefte aan netwerkcompetenties",
           "governance": "vorm van netwerksturing"},
    "en": {"trust": "trust", "members": "number of participants",
           "consensus": "goal consensus", "competences": "need for network-level competencies",
           "governance": "governance form"},
}

LEVEL_NAMES = {
    "nl": {"high": "hoog", "moderate": "gemiddeld", "low": "laag", "few": "weinig",
           "many": "veel"},
    "en": {"high": "high", "moderate": "moderate", "low": "low", "few": "few", "many": "many"},
}

FORM_NAMES = {
    "nl": {"shared": "zelfregulerend netwerk", "lead_organisation": "leidersorganisatie",
           "nao": "netwerk administratieve organisatie (NAO)"},
    "en": {"shared": "shared governance (participant-governed)",
           "lead_organisation": "lead organisation",
           "nao": "network administrative organisation (NAO)"},
}

FORM_SHORT = {
    "nl": {"shared": "zelfregulerend", "lead_organisation": "leidersorganisatie", "nao": "NAO"},
    "en": {"shared": "shared", "lead_organisation": "lead organisation", "nao": "NAO"},
}

# Provan & Kenis (2007), table 1, in the table's own words.
TABLE_WORDS = {
    "nl": {
        "shared": {"trust": "hoge dichtheid", "members": "weinig", "consensus": "hoog",
                   "competences": "laag"},
        "lead_organisation": {"trust": "lage dichtheid, sterk gecentraliseerd",
                              "members": "gemiddeld aantal", "consensus": "matig laag",
                              "competences": "gemiddeld"},
        "nao": {"trust": "gemiddelde dichtheid, NAO gecontroleerd door de leden",
                "members": "gemiddeld tot veel", "consensus": "matig hoog",
                "competences": "hoog"},
    },
    "en": {
        "shared": {"trust": "high density", "members": "few", "consensus": "high",
                   "competences": "low"},
        "lead_organisation": {"trust": "low density, highly centralised",
                              "members": "moderate number", "consensus": "moderately low",
                              "competences": "moderate"},
        "nao": {"trust": "moderate density, NAO monitored by members",
                "members": "moderate to many", "consensus": "moderately high",
                "competences": "high"},
    },
}


def words(lang: str) -> dict[str, str]:
    """The report's phrases in ``lang`` (``nl`` or ``en``)."""
    return _NL if lang == "nl" else _EN


def level_name(lang: str, level: str) -> str:
    """A level, a form, ``mixed`` or ``no evidence`` in the report's language."""
    if level in FORM_NAMES[lang]:
        return FORM_SHORT[lang][level]
    return LEVEL_NAMES[lang].get(level) or words(lang).get(level, level)
