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
SECOND_CODER_PROJECT = "coder-b"
"""The second coder's own project inside the demo folder, merged into the main one."""
DEMO_MARK = "demo.made_by"
"""Project metadata that says the demo made this folder (so --force may replace it)."""


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
    pending_suggestions: int
    outputs: tuple[Path, ...]
    memos: int = 0


def made_by_demo(folder: Path) -> bool:
    """Whether ``folder`` holds a project that ``qcode demo`` made."""
    from qcode.store import find_project

    if not (folder / "qcode.db").is_file():
        return False
    try:
        with find_project(folder) as project:
            return project.get_meta(DEMO_MARK) is not None
    except QcodeError:
        return False


def run_demo(out: Path, *, force: bool = False,
             step: Callable[[str], None] = lambda _: None) -> DemoSummary:
    """Copy the sample into ``out``, build a project there (transcripts, codebook, both
    coders' codings, the sample's memos) and write the exports.

    The second coder codes in a project of their own (``out/coder-b``), merged into the
    main one as a team would; rule-based suggestions wait for review. ``force`` replaces a
    folder an earlier demo made (and nothing else). ``step`` is called with a short
    description before each stage (for progress).
    """
    from qcode.analysis.matrix import build_matrix
    from qcode.analysis.quotes import collect_quotes
    from qcode.codebook import load_codebook
    from qcode.coding.assisted import suggest_for_project
    from qcode.coding.csvio import import_codings_csv
    from qcode.coding.merge import merge_project
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
        if not (force and made_by_demo(out)):
            again = (f"'qcode demo --out {out} --force' replaces the demo made there "
                     "before, or " if made_by_demo(out) else "")
            raise QcodeError(f"{out}: exists and is not empty; {again}choose a new folder "
                             "with --out NEW-FOLDER")
        shutil.rmtree(out)
    root = sample_root()
    step("copying the sample")
    shutil.copytree(root / "transcripts_sample", out / "transcripts_sample")
    shutil.copytree(root / "codebooks", out / "codebooks")
    codebook = load_codebook(out / "codebooks" / SAMPLE_CODEBOOK)
    step("the second coder codes in a project of their own")
    with init_project(out / SECOND_CODER_PROJECT) as second:
        import_paths(second, [out / "transcripts_sample"])
        save_codebook(second, codebook)
        import_codings_csv(second, out / "transcripts_sample" / SAMPLE_CODINGS[1],
                           coder="b")
    step("creating the project")
    project = init_project(out)
    with project:
        project.set_meta(DEMO_MARK, "qcode demo")
        step("importing transcripts")
        import_paths(project, [out / "transcripts_sample"])
        step("loading the codebook")
        save_codebook(project, codebook)
        step("importing the reference coding, merging the second coder's project")
        import_codings_csv(project, out / "transcripts_sample" / SAMPLE_CODINGS[0],
                           coder=REFERENCE_CODER)
        merge_project(project, out / SECOND_CODER_PROJECT)
        step("importing the sample's memos (a journal, a memo per house)")
        memos = import_memos_csv(project, out / "transcripts_sample" / SAMPLE_MEMOS,
                                 coder=REFERENCE_CODER)
        step("suggesting codes from the codebook's rules")
        suggested = suggest_for_project(project, coder=REFERENCE_CODER, rules_only=True)
        step("exporting matrices and quotes")
        exports = out / "exports"
        exports.mkdir()
        matrix = build_matrix(project, by="respondent", coders=[REFERENCE_CODER])
        by_case = build_matrix(project, by="case", level="top", coders=[REFERENCE_CODER])
        outputs = [exports / "matrix-respondent.xlsx", exports / "matrix-respondent.md",
                   exports / "matrix-case-top.md"]
        per_respondent = "Codes per respondent (gecodeerde segmenten)"
        write_matrix(matrix, outputs[0], title=per_respondent, lang="nl")
        write_matrix(matrix, outputs[1], title=per_respondent, lang="nl")
        write_matrix(by_case, outputs[2], title="Topcodes per casus (gecodeerde segmenten)",
                     lang="nl")
        quotes = collect_quotes(project, coders=[REFERENCE_CODER])
        labels = {c.id: c.label for c in codebook.codes}
        for name in ("quotes.docx", "quotes.csv"):
            outputs.append(exports / name)
            write_quotes(quotes, exports / name, title="Citaten per code", labels=labels,
                         lang="nl")
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
        pending_suggestions=len(suggested.suggestions),
        outputs=tuple(outputs),
        memos=len(memos.added),
    )
