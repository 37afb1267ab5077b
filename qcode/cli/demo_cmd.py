"""demo."""

from __future__ import annotations

from pathlib import Path

import typer

from qcode.cli.app import app
from qcode.cli.common import console, err_console, screen_text
from qcode.cli.layout import print_listing


@app.command()
def demo(
    out: Path = typer.Option(Path("qcode-demo"), "--out", "-o",
                             help="New folder for the demo project (must not exist or be empty)."),
    force: bool = typer.Option(False, "--force", help="Replace the folder of an earlier demo "
                               "(only a folder the demo made)."),
) -> None:
    """Run the whole pipeline on the shipped sample: import, codebook, two coders' codings
    (the second in a project of their own, merged), suggestions, exports and the report.

    Example: qcode demo --out qcode-demo
    """
    from qcode.demo import SECOND_CODER_PROJECT, run_demo

    with err_console.status("starting") as status:

        def step(text: str) -> None:
            status.update(text)
            err_console.print(screen_text(f"· {text}"))

        summary = run_demo(out, force=force, step=step)
    rows: list[dict[str, str]] = [
        {"what": "project", "value": str(summary.project)},
        {"what": "transcripts", "value": str(summary.transcripts)},
        {"what": "segments (respondent turns)",
         "value": f"{summary.segments} ({summary.respondent_segments})"},
        {"what": "words", "value": f"{summary.words:,}"},
        {"what": "codes in codebook", "value": str(summary.codes)},
        *({"what": f"codings by {coder}", "value": str(count)}
          for coder, count in summary.codings_by_coder.items()),
        {"what": "memos", "value": str(summary.memos)},
        {"what": "second coder's own project", "value": str(out / SECOND_CODER_PROJECT)},
        {"what": "pending suggestions", "value": str(summary.pending_suggestions)},
        *({"what": "wrote", "value": str(path)} for path in summary.outputs),
    ]
    print_listing(console, rows, ["what", "value"], title="qcode demo")
    console.print(
        screen_text(f"Next: cd {out} && qcode transcripts && qcode tag noordrand-r01 "
                    "--coder ref"),
        soft_wrap=True,
    )
