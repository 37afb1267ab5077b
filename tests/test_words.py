"""Counted words agree with their number, in Dutch and English."""

from __future__ import annotations

from pathlib import Path

from qcode.codebook import load_codebook
from qcode.importing import import_paths
from qcode.models import Coding
from qcode.report import write_report
from qcode.store import init_project
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.words import plural


def test_plural_in_dutch_and_english() -> None:
    assert plural(1, "casus", "nl") == "1 casus"
    assert plural(3, "casus", "nl") == "3 casussen"
    assert plural(1, "case") == "1 case"
    assert plural(2, "case") == "2 cases"
    assert plural(1, "code") == "1 code" and plural(0, "code") == "0 codes"
    assert plural(1, "coding") == "1 coding" and plural(2, "coding") == "2 codings"
    assert plural(2, "codering", "nl") == "2 coderingen"
    assert plural(2, "citaat", "nl") == "2 citaten" and plural(1, "citaat", "nl") == "1 citaat"


def test_report_overview_says_1_casus_and_1_case(sample_files: Path, tmp_path: Path) -> None:
    project = init_project(tmp_path / "een-huis")
    import_paths(project, [sample_files / "interviews" / "noord-r01.txt"])
    save_codebook(project, load_codebook(sample_files / "mini.yaml"))
    add_codings(project, [Coding("noord-r01", 4, "trust.high", "ans")])
    for lang, words in (("nl", ("casus", "codering", "codeur", "transcript")),
                        ("en", ("case", "coding", "coder", "transcript"))):
        target = tmp_path / f"rapport-{lang}.html"
        write_report(project, target, lang=lang)
        html = target.read_text(encoding="utf-8")
        for word in words:
            assert f"<strong>1</strong>{word}</li>" in html, (lang, word)
    project.close()
