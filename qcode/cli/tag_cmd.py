"""tag: the interactive coding screen."""

from __future__ import annotations

import signal
import sys

import typer

from qcode.cli.app import app
from qcode.cli.common import note, open_project
from qcode.coding.manual import default_coder
from qcode.errors import QcodeError
from qcode.session.session import CodingSession, choose_transcript


@app.command()
def tag(
    ctx: typer.Context,
    transcript: str | None = typer.Argument(
        None, help="Transcript id (default: the first with respondent turns you have not "
        "coded yet)."),
    coder: str | None = typer.Option(None, "--coder", "-c",
                                     help="Coder name (default: QCODE_CODER, else your user "
                                     "name)."),
    blind: bool = typer.Option(False, "--blind", help="Hide other coders' codings and memos "
                               "(a blind double-coding round; also QCODE_BLIND=1 or "
                               "'qcode settings blind on')."),
) -> None:
    """Code a transcript in a full-screen, keyboard-driven terminal screen.

    n/p move between respondent turns (N/P to ones you have not coded, :12 or 12 Enter to
    segment 12, g/G first and last), / searches the codebook (Enter applies the code), a/x
    accept or reject a suggestion, u undoes, m writes a memo, M annotates, d removes a code,
    ? lists every key, q quits. Every action is saved at once; the screen reopens where you
    left off, and shows other coders' codings as they are made. Blind (--blind,
    QCODE_BLIND=1 or a blind round) shows only your own codes and memos.

    Example: qcode tag noordrand-r01 --coder ans
    """
    from qcode.coding.blind import is_blind

    who = default_coder(coder)
    with open_project(ctx) as project:
        session = CodingSession(project, transcript or choose_transcript(project, who), who,
                                blind=is_blind(project, flag=blind))
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise QcodeError(
                "qcode tag needs an interactive terminal; in scripts use 'qcode codings add' "
                "or 'qcode review --accept'"
            )
        # Textual is imported here only, so no other command pays for it.
        from qcode.cli.tag.app import TagApp

        screen = TagApp(session)
        screen.run()
        progress = session.progress()
    try:
        if screen.stopped_by is not None:
            note(f"stopped by {signal.Signals(screen.stopped_by).name}; everything is saved")
        note(f"{session.transcript.id}: {progress.coded} of {progress.total} respondent "
             f"segments coded by {who}; everything is saved")
    except OSError:  # the terminal went away (SIGHUP): nobody left to tell
        pass
    if screen.stopped_by is not None:
        raise typer.Exit(128 + screen.stopped_by)
