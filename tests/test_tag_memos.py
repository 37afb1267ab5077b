"""Memos in the coding screen: the transcript's memo and the turn's annotations are shown,
and M writes an annotation on the turn or the selected span (u takes it back)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from qcode.cli.tag.memos import memos_text
from qcode.models import Memo
from qcode.session.session import CodingSession
from qcode.session.spans import Span
from qcode.store import Project
from qcode.store import memos as memos_store
from qcode.values import parse_memo_target

# noord-r01: 1 I, 2 R, 3 I, 4 R ("Het vertrouwen is hoog. ..."), 5 I, 6 R.


def drive(session: CodingSession, steps: Callable[[Any, Any], Awaitable[None]]) -> None:
    from qcode.cli.tag.app import TagApp

    async def main() -> None:
        app = TagApp(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await steps(app, pilot)

    asyncio.run(main())


def stored(project: Project) -> list[tuple[str, str, str]]:
    return [(m.target.describe(), m.text, m.coder) for m in memos_store.select(project)]


def test_the_session_shows_memos_and_annotates_with_undo(project: Project) -> None:
    memos_store.add(project, [
        Memo(parse_memo_target("transcript:noord-r01"), "Rumoerige opname.", "b"),
        Memo(parse_memo_target("segment:noord-r01:2"), "Hoofd sinds 2019.", "b"),
    ])
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(2)
    shown = memos_text(session).plain
    assert "✎ transcript Rumoerige opname.  (b)" in shown
    assert "✎ seg 2 Hoofd sinds 2019.  (b)" in shown
    session.go_to(4)
    memo = session.annotate("Stellig\nantwoord.", Span(0, 23))
    assert memo.target.describe() == "segment:noord-r01:4 [0:23]"
    assert "seg 4 [0:23] Stellig ⏎ antwoord." in memos_text(session).plain
    assert "Hoofd sinds" not in memos_text(session).plain
    assert session.undo() == "undid: annotation on segment:noord-r01:4 [0:23]"
    assert len(stored(project)) == 2


def test_m_in_the_screen_writes_an_annotation(project: Project) -> None:
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(4)

    async def steps(app: Any, pilot: Any) -> None:
        assert not app.query_one("#memos").display  # no memos: no panel
        await pilot.press("s")  # the first sentence as the span
        await pilot.press("M")
        await pilot.press(*"Heel stellig.")
        await pilot.press("enter")
        await pilot.pause()
        assert "annotation saved on noord-r01:4 [0:23]" in str(
            app.query_one("#message").render())
        assert app.query_one("#memos").display
        assert "Heel stellig." in str(app.query_one("#memos").render())
        await pilot.press("M", "escape")  # Esc writes nothing

    drive(session, steps)
    assert stored(project) == [("segment:noord-r01:4 [0:23]", "Heel stellig.", "ans")]
