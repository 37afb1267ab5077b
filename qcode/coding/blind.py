"""Blind double coding: each coder sees only their own work until the round is over.

Inter-coder agreement means something only when the second coder did not see the first
coder's codes. In a blind view a coder sees their own codings, memos and suggestion
decisions and nothing of anyone else's. A view is blind when the coder asks for it
(``--blind``), when ``QCODE_BLIND=1`` is set, or when the lead has switched a blind round
on for the whole project (``qcode settings blind on``): the project setting is what makes
a round blind for everyone without relying on each coder to remember a flag.

Blind is a screen, not a lock: the data stays in the project, and the lead's comparison
commands (``agreement``, ``report``, the exports) read every coder. ``disagreements``,
which prints each coder's codes side by side, waits until the round is switched off.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.coding.manual import default_coder
from qcode.errors import CodingError, QcodeError, UsageError
from qcode.store.project import Project, now_iso

BLIND_ENV = "QCODE_BLIND"
BLIND_SETTING = "blind_round"
_ON = ("1", "true", "yes", "on")
_OFF = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class BlindRound:
    """The project's blind-round setting: on or off, and since when."""

    on: bool
    since: str


def blind_round(project: Project) -> BlindRound:
    """Whether the lead has switched a blind round on for everyone in this project."""
    value = project.get_meta(BLIND_SETTING) or ""
    on, _, since = value.partition(" ")
    return BlindRound(on == "on", since)


def set_blind_round(project: Project, on: bool) -> BlindRound:
    """Switch the project's blind round on or off (everyone's views follow it)."""
    project.set_meta(BLIND_SETTING, f"{'on' if on else 'off'} {now_iso()}")
    return blind_round(project)


def blind_from_env() -> bool:
    """``QCODE_BLIND``: 1/true/yes/on, or 0/false/no/off/unset."""
    value = os.environ.get(BLIND_ENV, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise QcodeError(
        f"{BLIND_ENV}={os.environ.get(BLIND_ENV)!r}: expected 1 (blind) or 0 (not blind)"
    )


def is_blind(project: Project, *, flag: bool = False) -> bool:
    """A view is blind when asked for (``--blind``), by ``QCODE_BLIND``, or by the
    project's blind round."""
    return flag or blind_from_env() or blind_round(project).on


@dataclass(frozen=True)
class CoderView:
    """Whose codings a listing shows: ``coders`` (empty: everyone's); ``blind_as`` is the
    coder a blind view belongs to, else None."""

    coders: tuple[str, ...]
    blind_as: str | None


def coder_view(project: Project, coders: Sequence[str], *, flag: bool = False) -> CoderView:
    """The coders a listing may show. Blind, that is only the coder themselves: the one
    ``--coder`` given, else ``QCODE_CODER`` or the user name; naming more is refused."""
    if not is_blind(project, flag=flag):
        return CoderView(tuple(coders), None)
    if len(coders) > 1:
        raise UsageError(
            f"--coder {' --coder '.join(coders)}: a blind view shows one coder's own work; "
            "give at most one --coder (yourself)"
        )
    who = default_coder(coders[0] if coders else None)
    return CoderView((who,), who)


def refuse_during_blind_round(project: Project, what: str) -> None:
    """Refuse a command that shows coders each other's codes while the round is on."""
    state = blind_round(project)
    if state.on:
        raise CodingError(
            f"a blind double-coding round is on (since {state.since or 'an earlier time'}): "
            f"{what} would show coders each other's codes; when every coder is done, the "
            "lead ends the round with 'qcode settings blind off'"
        )
