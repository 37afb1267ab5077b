"""Store a REFI-QDA project file in the project: ``qcode import FILE.qdpx``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qcode.errors import QcodeError
from qcode.importing.outcome import ImportReport
from qcode.refi.codebook import save_refi_codebook
from qcode.refi.codes import code_guids
from qcode.refi.reader import read_qdpx
from qcode.refi.xml import RefiError
from qcode.store.codebook import load_stored_codebook
from qcode.store.project import Project
from qcode.words import plural


def import_qdpx(
    project: Project, path: Path, *, interviewer_labels: Sequence[str] | None = None
) -> ImportReport:
    """Import a REFI-QDA project file into ``project``, all or nothing."""
    from qcode.coding.manual import add_codings
    from qcode.store.transcripts import save_transcript, set_respondent_attributes

    existing = load_stored_codebook(project)
    content = read_qdpx(path, known_codes=code_guids(existing),
                        interviewer_labels=interviewer_labels)
    outcomes = []
    with project.atomic():
        if content.codebook is not None:
            save_refi_codebook(project, content.codebook, content.groups, content.renames)
        for respondent, attributes in content.respondents.items():
            set_respondent_attributes(project, respondent, attributes)
        for transcript in content.transcripts:
            outcomes.append(save_transcript(project, transcript))
        try:
            added = add_codings(project, content.codings)
        except QcodeError as exc:
            raise RefiError(f"{path}: {exc}") from None
    coders = sorted({c.coder for c in content.codings})
    summary = (
        f"{path}: REFI-QDA project '{content.name}' from {content.origin or 'an unknown program'}"
        f": {plural(len(content.codebook.codes) if content.codebook else 0, 'code')}, "
        f"{plural(len(content.groups), 'code group')}, "
        f"{plural(len(content.transcripts), 'transcript')}, "
        f"{plural(content.selections, 'coded selection')} -> "
        f"{plural(len(added.added), 'new coding')} "
        f"({len(added.already_present)} already present) by {plural(len(coders), 'coder')} "
        f"({', '.join(coders) or 'none'}), {plural(len(content.respondents), 'case')}; "
        f"users in the file: {', '.join(content.users) or 'none'}"
    )
    return ImportReport(tuple(outcomes), (), len(content.respondents),
                        (summary, *content.notes))
