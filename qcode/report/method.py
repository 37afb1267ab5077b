"""The report's last section: how every figure in it was counted and decided.

Kept beside the code it describes (qcode.analysis.typology, qcode.report.quotes) so a
change of rule is a change of text here too.
"""

from __future__ import annotations

from qcode.analysis.typology import MAJORITY_RATIO

METHOD: dict[str, list[tuple[str, str]]] = {
    "nl": [
        ("Tellen",
         "Matrices tellen gecodeerde segmenten (respondentbeurten). Een segment dat twee "
         "codeurs dezelfde code gaven, of dat met één code in twee stukken is gecodeerd, telt "
         "één keer. Beurten van de interviewer worden nooit gecodeerd of geteld."),
        ("Niveau van een voorwaarde",
         "Per casus en voorwaarde (vertrouwen, aantal leden, doelconsensus, behoefte aan "
         "netwerkcompetenties) tellen we de verschillende segmenten per niveaucode van het "
         "codeboek (codes met een level, zoals trust.high of members.few; een subcode telt mee "
         "voor het niveau erboven). Een niveau wint bij een duidelijke meerderheid: meer dan de "
         f"helft van die segmenten én minstens {MAJORITY_RATIO} keer zoveel als elk ander "
         "niveau (3 tegen 1 wint, 3 tegen 2 niet). Anders is het bewijs gemengd; zonder "
         "gecodeerd niveau is er geen bewijs. De waargenomen vorm volgt dezelfde regel voor "
         "governance.shared, governance.lead_organisation en governance.nao."),
        ("Voorspelde vorm",
         "Een vorm wordt voorspeld als het niveau van elke voorwaarde met een duidelijk niveau "
         "past bij wat Provan & Kenis (2007, tabel 1) voor die vorm noemen (zie de tabel boven "
         "de casussen). Waar de tabel tussen twee niveaus van het codeboek in ligt (matig laag, "
         "matig hoog, gemiddeld tot veel), passen beide. Gemengde voorwaarden en voorwaarden "
         "zonder bewijs sluiten geen vorm uit. Passen meerdere vormen, dan zegt het rapport dat; "
         "past geen enkele, dan noemt het de vormen die bij de meeste voorwaarden passen."),
        ("Past het?",
         "'Past' als precies één vorm voorspeld is en dat de waargenomen vorm is; 'verenigbaar' "
         "als de waargenomen vorm een van meerdere voorspelde vormen is; 'past niet' als de "
         "waargenomen vorm niet voorspeld is; 'niet te bepalen' als de waargenomen vorm gemengd "
         "of niet gecodeerd is, of als er niets te voorspellen valt."),
        ("Voorwaarden en vorm in dezelfde interviews",
         "Naast de typologie van elke casus: per voorwaarde op een gecodeerd niveau, in "
         "hoeveel interviews van de casus ook een waargenomen vorm (governance.shared, "
         ".lead_organisation, .nao) is gecodeerd (door de gekozen codeurs). We tellen interviews, "
         "geen segmenten: respondenten bespreken de vorm en de voorwaarden meestal in "
         "verschillende antwoorden. Een vinkje markeert het niveau dat Provan & Kenis bij die "
         "vorm verwachten."),
        ("Typische citaten eerst",
         "Binnen een code staan de citaten in volgorde van: hoeveel codeurs deze tekst deze code "
         "gaven (meer eerst); hoeveel verschillende trefwoorden van de code erin voorkomen (een "
         "trefwoord komt voor als elk van zijn woorden het begin is van een woord in het citaat); "
         "hoe dicht de lengte bij de mediane lengte van de citaten van die code ligt."),
        ("Gemarkeerde woorden",
         "Bij coderingen die als suggestie zijn voorgesteld en daarna geaccepteerd (één voor één "
         "of in bulk) zijn de woorden gemarkeerd die de suggestie opriepen."),
        ("Overeenstemming",
         "Eenheid is een respondentbeurt in een transcript dat alle vergeleken codeurs hebben "
         "gecodeerd; per topcode is elke beurt 'wel' of 'niet' gecodeerd. Percentage "
         "overeenstemming, Cohens kappa (bij twee codeurs) en Krippendorffs alfa (nominaal)."),
        ("Privacy",
         "Respondenten staan alleen met hun code in dit rapport. Het bestand laadt niets van "
         "buiten: geen lettertypen, scripts of afbeeldingen."),
    ],
    "en": [
        ("Counting",
         "Matrices count coded segments (respondent turns). A segment that two coders gave the "
         "same code, or that was coded with one code in two spans, counts once. Interviewer "
         "turns are never coded or counted."),
        ("Level of a condition",
         "Per case and condition (trust, number of participants, goal consensus, need for "
         "network-level competencies) we count the distinct segments per level code of the "
         "codebook (codes with a level, such as trust.high or members.few; a sub-code counts for "
         "the level above it). A level wins with a clear majority: more than half of those "
         f"segments and at least {MAJORITY_RATIO} times as many as any other level (3 against 1 "
         "wins, 3 against 2 does not). Otherwise the evidence is mixed; without a coded level "
         "there is no evidence. The observed form follows the same rule for governance.shared, "
         "governance.lead_organisation and governance.nao."),
        ("Predicted form",
         "A form is predicted when the level of every condition with a clear level is one "
         "Provan & Kenis (2007, table 1) name for that form (see the table above the cases). "
         "Where the table lies between two of the codebook's levels (moderately low, "
         "moderately high, moderate to many) both count. Mixed conditions and conditions "
         "without evidence rule no form out. When several forms fit, the report says so; when "
         "none does, it names the forms that fit the most conditions."),
        ("Fit",
         "'Fits' when exactly one form is predicted and it is the observed one; 'compatible' "
         "when the observed form is one of several predicted; 'does not fit' when the observed "
         "form is not predicted; 'undetermined' when the observed form is mixed or uncoded, or "
         "nothing can be predicted."),
        ("Conditions and form in the same interviews",
         "Beside each case's typology: for each condition at a coded level, in how many "
         "interviews of the case an observed form (governance.shared, .lead_organisation, "
         ".nao) was coded too (by the coders chosen). Interviews are counted, not segments: "
         "respondents mostly discuss the form and the conditions in different answers. A "
         "tick marks the level Provan & Kenis expect for that form."),
        ("Most typical quotes first",
         "Within a code, quotes are ordered by: how many coders gave this text this code (more "
         "first); how many distinct keywords of the code occur in it (a keyword occurs when each "
         "of its words starts a word of the quote); how close its length is to the median "
         "length of the code's quotes."),
        ("Marked words",
         "For codings that were suggested and then accepted (one by one or in bulk), the words "
         "that triggered the suggestion are marked."),
        ("Agreement",
         "The unit is a respondent turn in a transcript every compared coder coded; per "
         "top-level code each turn is coded or not. Percent agreement, Cohen's kappa (for two "
         "coders) and Krippendorff's alpha (nominal)."),
        ("Privacy",
         "Respondents appear in this report by their id only. The file loads nothing from "
         "elsewhere: no fonts, scripts or images."),
    ],
}
