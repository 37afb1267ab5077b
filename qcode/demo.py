"""The whole pipeline on the shipped sample, end to end."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qcode.errors import QcodeError

SAMPLE_CODEBOOK = "veiligheidshuis.yaml"
SAMPLE_CODINGS = ("codings.csv", "codings_second_coder.csv")
SAMPLE_MEMOS = "memos.csv"
REFERENCE_CODER = "ref"


def sample_root() -> Path:
    """Where the shipped codebooks and sample transcripts are: inside an installed wheel
    (``qcode/_sample``) or, in a source checkout, at the repository's top level."""
    package = Path(__file__).resolve().parent
    for root in (package / "_sample", package.parent):
        if (root / "transcripts_sample").is_dir() and (root / "codebooks").is_dir():
            return root
    raise QcodeError(
        "the sample data is missing from this installation (no transcripts_sample/); "
        "reinstall qcode from its source folder"
    )


@dataclass(frozen=True)
class DemoSummary:
    project: Path
    transcripts: int
    segments: int
    respondent_segments: int
    words: int
    codes: int
    codings_by_coder: dict[str, int]
    outputs: tuple[Path, ...]
    memos: int = 0


def run_demo(out: Path, *, step: Callable[[str], None] = lambda _: None) -> DemoSummary:
    """Copy the sample into ``out``, build a project there (transcripts, codebook, both
    coders' codings, the sample's memos) and write the exports.

    ``step`` is called with a short description before each stage (for progress).
    """
    from qcode.analysis.matrix import build_matrix
    from qcode.analysis.quotes import collect_quotes
    from qcode.codebook import load_codebook
    from qcode.coding.csvio import import_codings_csv
    from qcode.exports import write_matrix, write_quotes
    from qcode.importing import import_paths
    from qcode.importing.memos import import_memos_csv
    from qcode.report import write_report
    from qcode.report.codebook import write_codebook
    from qcode.store import init_project
    from qcode.store.codebook import save_codebook
    from qcode.store.codings import tally
    from qcode.store.transcripts import list_transcripts

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise QcodeError(f"{out}: exists and is not empty; choose a new folder with --out")
    root = sample_root()
    step("copying the sample")
    shutil.copytree(root / "transcripts_sample", out / "transcripts_sample")
    shutil.copytree(root / "codebooks", out / "codebooks")
    step("creating the project")
    project = init_project(out)
    with project:
        step("importing transcripts")
        import_paths(project, [out / "transcripts_sample"])
        step("loading the codebook")
        codebook = load_codebook(out / "codebooks" / SAMPLE_CODEBOOK)
        save_codebook(project, codebook)
        step("importing the reference and second-coder codings")
        for name in SAMPLE_CODINGS:
            import_codings_csv(project, out / "transcripts_sample" / name, coder=REFERENCE_CODER)
        step("importing the sample's memos (a journal, a memo per house)")
        memos = import_memos_csv(project, out / "transcripts_sample" / SAMPLE_MEMOS,
                                 coder=REFERENCE_CODER)
        step("exporting matrices and quotes")
        exports = out / "exports"
        exports.mkdir()
        matrix = build_matrix(project, by="respondent", coders=[REFERENCE_CODER])
        by_case = build_matrix(project, by="case", level="top", coders=[REFERENCE_CODER])
        outputs = [exports / "matrix-respondent.xlsx", exports / "matrix-respondent.md",
                   exports / "matrix-case-top.md"]
        write_matrix(matrix, outputs[0], title="Codes per respondent (coded segments)")
        write_matrix(matrix, outputs[1], title="Codes per respondent (coded segments)")
        write_matrix(by_case, outputs[2], title="Top-level codes per case (coded segments)")
        quotes = collect_quotes(project, coders=[REFERENCE_CODER])
        labels = {c.id: c.label for c in codebook.codes}
        for name in ("quotes.docx", "quotes.csv"):
            outputs.append(exports / name)
            write_quotes(quotes, exports / name, title="Citaten per code", labels=labels)
        step("writing the printable codebook")
        outputs.append(exports / "codeboek.docx")
        write_codebook(project, outputs[-1], counts=True, quotes=2,
                       coders=[REFERENCE_CODER])
        step("writing the replication report")
        outputs.append(exports / "rapport.html")
        write_report(project, outputs[-1], title="Veiligheidshuizen: voorbeeldproject")
        summaries = list_transcripts(project)
        by_coder: dict[str, int] = {}
        for coder, _, _, count in tally(project):
            by_coder[coder] = by_coder.get(coder, 0) + count
    return DemoSummary(
        project=out / "qcode.db",
        transcripts=len(summaries),
        segments=sum(s.segments for s in summaries),
        respondent_segments=sum(s.respondent_segments for s in summaries),
        words=sum(s.words for s in summaries),
        codes=len(codebook.codes),
        codings_by_coder=by_coder,
        outputs=tuple(outputs),
        memos=len(memos.added),
    )
