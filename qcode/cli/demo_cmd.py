"""demo."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from qcode.cli.app import app
from qcode.cli.common import console, err_console, screen_text


@app.command()
def demo(
    out: Path = typer.Option(Path("qcode-demo"), "--out", "-o",
                             help="New folder for the demo project (must not exist or be empty)."),
) -> None:
    """Run the whole pipeline on the shipped sample: import, codebook, codings, exports.

    Example: qcode demo --out /tmp/qcode-demo
    """
    from qcode.demo import run_demo

    with err_console.status("starting") as status:

        def step(text: str) -> None:
            status.update(text)
            err_console.print(screen_text(f"· {text}"))

        summary = run_demo(out, step=step)
    table = Table(title="qcode demo", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("project", screen_text(str(summary.project)))
    table.add_row("transcripts", str(summary.transcripts))
    table.add_row("segments (respondent turns)",
                  f"{summary.segments} ({summary.respondent_segments})")
    table.add_row("words", f"{summary.words:,}")
    table.add_row("codes in codebook", str(summary.codes))
    for coder, count in summary.codings_by_coder.items():
        table.add_row(f"codings by {coder}", str(count))
    table.add_row("memos", str(summary.memos))
    for path in summary.outputs:
        table.add_row("wrote", screen_text(str(path)))
    console.print(table)
    console.print(
        screen_text(f"Next: cd {out} && qcode transcripts && qcode export matrix --by case "
                    "--level top"),
        soft_wrap=True,
    )
