"""settings: project settings a lead switches for everyone (the blind round)."""

from __future__ import annotations

from enum import Enum

import typer

from qcode.cli.app import app
from qcode.cli.common import note, open_project

settings_app = typer.Typer(
    help="Project settings that hold for every coder; without a command, show them.\n\n"
    "Example: qcode settings blind on",
    invoke_without_command=True,
)
app.add_typer(settings_app, name="settings")


class OnOff(str, Enum):
    on = "on"
    off = "off"


@settings_app.callback()
def settings(ctx: typer.Context) -> None:
    """Show the project's settings (blind round on or off) when no command is given."""
    if ctx.invoked_subcommand is not None:
        return
    from qcode.coding.blind import blind_round

    with open_project(ctx) as project:
        state = blind_round(project)
    since = f" (since {state.since})" if state.since else ""
    typer.echo(f"blind  {'on' if state.on else 'off'}{since}")


@settings_app.command("blind")
def blind(
    ctx: typer.Context,
    state: OnOff = typer.Argument(
        ..., metavar="on|off", help="on: every coder sees only their own work in tag, show "
        "and codings list; off: the round is over."),
) -> None:
    """Switch a blind double-coding round on or off for everyone in this project.

    While it is on, 'qcode tag', 'qcode show' and 'qcode codings list' show each coder only
    their own codings, memos and suggestion decisions, and 'qcode disagreements' waits
    until the lead switches the round off.

    Example: qcode settings blind on
    """
    from qcode.coding.blind import set_blind_round

    with open_project(ctx) as project:
        result = set_blind_round(project, state is OnOff.on)
    if result.on:
        note("blind round on: every coder sees only their own codings, memos and decisions "
             "in tag, show and codings list; end it with 'qcode settings blind off'")
    else:
        note("blind round off: coders see each other's work again; compare them with "
             "'qcode agreement' and 'qcode disagreements'")
