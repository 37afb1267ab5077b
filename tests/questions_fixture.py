"""A small project whose answers are known by hand, for search, query, cooccur and --where.

Three interviews in two houses; every respondent turn (segments 2, 4, 6) holds words the
search tests look for, and coder ann's codings are chosen so that each coding query and
co-occurrence count can be worked out on paper (see the tables in the test files):

=========  ===============================================  ==========================
segment    text (respondent turns)                          ann's codes
=========  ===============================================  ==========================
noord 2    vertrouwde ... vertrouw                          trust.low, governance.lead_organisation
noord 4    informatiedeling, informatiesysteem, informatie   trust, dialogue
noord 6    thuis, Veiligheidshuis, huishouden               governance.nao
zuid2 2    vertrouwen, Wantrouwen                           trust.high
zuid2 4    casussen, casusoverleg, casusregie               trust.low, governance.lead_organisation, dialogue
zuid2 6    coöperatie, GGZ-team, coördinatie (NFD)          (none)
zuid3 2    Vertrouwen                                       trust.high, governance.nao
zuid3 4    Casus na casus                                   dialogue
zuid3 6    privacy, AVG                                     trust.low
=========  ===============================================  ==========================

Coder ben: noord 2 trust.high, zuid3 6 governance.lead_organisation.
"""

from __future__ import annotations

from pathlib import Path

from qcode.models import Coding
from qcode.store import Project, init_project

CODEBOOK = """\
codebook: vragen
codes:
  trust:
    label: Onderling vertrouwen
    codes:
      high:
        label: Hoog vertrouwen
        level: high
      low:
        label: Laag vertrouwen
        level: low
  governance:
    label: Netwerkgovernance
    codes:
      lead_organisation:
        label: Leidersorganisatie
      nao:
        label: Netwerk administratieve organisatie
  dialogue:
    label: Dialoog tussen politie en ketenpartners
"""

NOORD = """\
---
respondent: R01
case: Noord
role: politie
wave: "2018"
interviewer: [I]
---
I: Hoe is het vertrouwen tussen de partners?

R: Ik vertrouwde de partners vroeger meer. Nu vertrouw ik vooral de wijkagent.

I: Hoe deelt u informatie?

R: De informatiedeling loopt via het informatiesysteem, maar informatie delen we vaak mondeling.

I: Waar werkt u?

R: Ik werk thuis en in het Veiligheidshuis. Het huishouden schiet erbij in.
"""

ZUID_2 = """\
---
respondent: R02
case: Zuid
role: manager
wave: "2026"
interviewer: [I]
---
I: Hoe gaat het tussen de partners?

R: Het vertrouwen is hoog. Wantrouwen ken ik hier niet.

I: Hoe werkt u samen?

R: We bespreken casussen in het casusoverleg; de casusregie ligt bij de gemeente.

I: Met wie nog meer?

R: De coöperatie met het GGZ-team loopt goed, de coo\u0308rdinatie ook.
"""

ZUID_3 = """\
---
respondent: R03
case: Zuid
role: politie
wave: "2026"
interviewer: [I]
---
I: Wat vindt u van de partners?

R: Vertrouwen moet je verdienen.

I: Hoe vaak ziet u ze?

R: Casus na casus, elke week weer.

I: Wat schuurt er?

R: Over privacy en de AVG praten we te weinig.
"""

FILES = {"noord-r01.txt": NOORD, "zuid-r02.txt": ZUID_2, "zuid-r03.txt": ZUID_3}

ANN = [
    ("noord-r01", 2, "trust.low"), ("noord-r01", 2, "governance.lead_organisation"),
    ("noord-r01", 4, "trust"), ("noord-r01", 4, "dialogue"),
    ("noord-r01", 6, "governance.nao"),
    ("zuid-r02", 2, "trust.high"),
    ("zuid-r02", 4, "trust.low"), ("zuid-r02", 4, "governance.lead_organisation"),
    ("zuid-r02", 4, "dialogue"),
    ("zuid-r03", 2, "trust.high"), ("zuid-r03", 2, "governance.nao"),
    ("zuid-r03", 4, "dialogue"),
    ("zuid-r03", 6, "trust.low"),
]
BEN = [("noord-r01", 2, "trust.high"), ("zuid-r03", 6, "governance.lead_organisation")]


def write_files(folder: Path) -> Path:
    """The interviews and the codebook in ``folder``; returns the interviews' folder."""
    interviews = folder / "interviews"
    interviews.mkdir(parents=True)
    for name, text in FILES.items():
        (interviews / name).write_text(text, encoding="utf-8")
    (folder / "vragen.yaml").write_text(CODEBOOK, encoding="utf-8")
    return interviews


def build(folder: Path) -> Project:
    """The project, imported, with the codebook and both coders' codings."""
    from qcode.codebook import load_codebook
    from qcode.importing import import_paths
    from qcode.store import codings
    from qcode.store.codebook import save_codebook

    interviews = write_files(folder)
    project = init_project(folder / "project")
    import_paths(project, [interviews])
    save_codebook(project, load_codebook(folder / "vragen.yaml"))
    codings.add(project, [Coding(t, s, c, "ann") for t, s, c in ANN]
                + [Coding(t, s, c, "ben") for t, s, c in BEN])
    return project
