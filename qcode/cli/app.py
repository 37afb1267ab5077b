"""The root command: global options and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from qcode import __version__
from qcode.errors import ExitStatus, QcodeError
from qcode.neutralise import message_text, undecodable

WORKFLOW = (
    "init", "import", "codebook", "transcripts", "show", "codings", "tag", "memo", "search",
    "suggest", "review", "train", "evaluate", "agreement", "disagreements", "reconcile",
    "merge", "query", "cooccur", "saturation", "export", "report",
)
"""The commands in the order a study uses them; ``qcode --help`` lists them so, and the
others (tools used at any time) after them."""


class QcodeGroup(TyperGroup):
    """Turns library errors into one line on stderr and an exit code, never a traceback."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Refused in invoke, where a QcodeError becomes one line and exit status 1.
        ctx.meta[_UNDECODABLE] = undecodable_argument(args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        order = {name: i for i, name in enumerate(WORKFLOW)}
        return sorted(names, key=lambda name: order.get(name, len(order)))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        from qcode.cli.command import format_parameters

        format_parameters(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, c) for name, c in commands if c is not None and not c.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        work = [(name, c.get_short_help_str(limit)) for name, c in shown if name in WORKFLOW]
        other = [(name, c.get_short_help_str(limit)) for name, c in shown
                 if name not in WORKFLOW]
        for title, rows in (("Commands, in the order of the work", work),
                            ("Other commands", other)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            problem = ctx.meta.get(_UNDECODABLE)
            if problem:
                raise QcodeError(problem)
            return super().invoke(ctx)
        except QcodeError as exc:
            # A message may list several problems (every bad line of a file), one a line.
            for line in exc.problems:
                typer.echo(f"error: {message_text(line)}", err=True)
            raise typer.Exit(exc.exit_status) from None
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was changed by the unfinished command", err=True)
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away (`qcode codings list | head`): not an error. Point stdout
            # at devnull so Python's own flush at exit does not complain either.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(ExitStatus.SUCCESS) from None
        except Exception as exc:
            # typer's own signals (exit, abort, usage errors) keep their meaning.
            if type(exc).__module__.startswith("typer") or os.environ.get("QCODE_DEBUG"):
                raise
            typer.echo(
                f"internal error: {type(exc).__name__}: {message_text(str(exc))} (this is a "
                "bug in qcode; "
                "run again with QCODE_DEBUG=1 for the details and report it)",
                err=True,
            )
            raise typer.Exit(ExitStatus.INTERNAL) from None


_UNDECODABLE = "qcode.undecodable_argument"


def undecodable_argument(args: list[str]) -> str | None:
    """A message for the first argument that is not valid UTF-8 (Python keeps its bytes as
    lone surrogates), naming the option it belongs to; None when all are fine. qcode keeps
    names and text as UTF-8, so it cannot store or look up such a value."""
    for index, arg in enumerate(args):
        option, equals, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
        if not equals and index and args[index - 1].startswith("-") and not arg.startswith("-"):
            option = args[index - 1]
        byte = undecodable(value if equals else arg)
        if byte is None:
            continue
        if option:
            return (f"{option} {arg if not equals else value}: not valid UTF-8 text (byte "
                    f"{byte}); set the terminal to UTF-8 (e.g. LANG=nl_NL.UTF-8) and type "
                    "it again")
        return (f"argument '{arg}' is not valid UTF-8 (byte {byte}), as in a file name "
                "from a zip made on Windows; rename the file or folder and run the command "
                "again")
    return None


app = typer.Typer(
    cls=QcodeGroup,
    name="qcode",
    help=(
        "Code qualitative interviews from the command line: import transcripts, apply a YAML "
        "codebook, code segments, export matrices and quotes. Runs fully offline.\n\n"
        "Example: qcode demo --out qcode-demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qcode {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    project: Path | None = typer.Option(
        None, "--project", "-P", help="Project folder (default: nearest qcode.db upwards, "
        "or QCODE_PROJECT).", show_default=False,
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """qcode: code qualitative interviews from the command line."""
    ctx.obj = {"project": project}


def main() -> None:
    """Entry point of the ``qcode`` console script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interrupted before a command started
        sys.exit(ExitStatus.INTERRUPTED)
