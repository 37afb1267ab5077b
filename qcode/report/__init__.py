"""The replication report: one self-contained HTML page that answers the study's
questions per Veiligheidshuis and across them (overview, heatmaps, the Provan & Kenis
typology per case, the flexibility agenda across cases, agreement, quotes).

:func:`gather_report` reads the project into plain data; :func:`render_report` turns
that into HTML; :func:`build_report` does both and :func:`write_report` also writes the
file, all at once or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qcode.errors import ExportError
from qcode.report.gather import ReportData, gather_report
from qcode.report.render import render_report
from qcode.report.texts import LANGUAGES
from qcode.store.project import Project
from qcode.values import Condition

REPORT_FORMATS: tuple[str, ...] = (".html", ".htm")

__all__ = ["LANGUAGES", "REPORT_FORMATS", "ReportData", "build_report", "gather_report",
           "render_report", "write_report"]


def build_report(
    project: Project, *, lang: str = "nl", coders: Sequence[str] = (),
    then_by: str | None = None, title: str = "", where: Sequence[Condition] = (),
) -> str:
    """The report of ``project`` as HTML text. See :func:`gather_report` for the options."""
    check_language(lang)
    return render_report(gather_report(project, coders=coders, then_by=then_by, where=where),
                         lang, title=title)


def write_report(
    project: Project, target: Path, *, lang: str = "nl", coders: Sequence[str] = (),
    then_by: str | None = None, title: str = "", where: Sequence[Condition] = (),
) -> ReportData:
    """Write the report to ``target`` (.html) and return what it shows.

    Raises ExportError for a wrong suffix, a missing folder or a failed write, and the
    usual QcodeError for an unknown coder or attribute; nothing is written then.
    """
    from qcode.files import atomic_output, output_format

    output_format(target, "report", REPORT_FORMATS)
    check_language(lang)
    data = gather_report(project, coders=coders, then_by=then_by, where=where)
    html = render_report(data, lang, title=title)
    with atomic_output(target) as temporary:
        temporary.write_text(html, encoding="utf-8", newline="")
    return data


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ExportError(f"--lang {lang}: the report is written in {' or '.join(LANGUAGES)}")
