"""The coding screen for long interviews, at 80x24 and 140x40: suggestions in view,
definitions that scroll, jumps, long segments, the fixes of issue 15 and terminal hygiene."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from qcode.cli.tag import app as tag_app
from qcode.cli.tag.transcript import NO_COLOUR_MARK, chip, wrap
from qcode.codebook import load_codebook
from qcode.coding import assisted
from qcode.demo import sample_root
from qcode.errors import QcodeError
from qcode.importing import import_paths
from qcode.models import Coding
from qcode.session.session import CodingSession
from qcode.store import Project, find_project, init_project
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from tests.conftest import Terminal

SMALL, LARGE = (80, 24), (140, 40)


def drive(session: CodingSession, steps: Callable[[Any, Any], Awaitable[None]],
          size: tuple[int, int] = SMALL) -> None:
    from qcode.cli.tag.app import TagApp

    async def main() -> None:
        app = TagApp(session)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(app, pilot)

    asyncio.run(main())


def visible(app: Any) -> str:
    """The transcript pane as it shows now, as plain text."""
    pane = app.transcript
    return "\n".join(pane.render_line(y).text for y in range(pane.size.height))


def panel(app: Any) -> str:
    return str(app.query_one("#suggestions").render())


def message(app: Any) -> str:
    return str(app.query_one("#message").render())


def status(app: Any) -> str:
    return str(app.query_one("#status").render())


@pytest.fixture()
def sample(tmp_path: Path) -> Project:
    """noordrand-r01 from the sample, the study's codebook, every rule suggestion."""
    project = init_project(tmp_path / "vh")
    import_paths(project, [sample_root() / "transcripts_sample" / "noordrand-r01.txt"])
    save_codebook(project, load_codebook(sample_root() / "codebooks" / "veiligheidshuis.yaml"))
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    yield project
    project.close()


# -- suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_suggestions_say_how_many_and_keep_the_highlighted_one_in_view(
    sample: Project, size: tuple[int, int]
) -> None:
    session = CodingSession(sample, "noordrand-r01", "ans")
    session.go_to(30)
    pending = session.pending()
    assert len(pending) >= 8

    async def steps(app: Any, pilot: Any) -> None:
        shown = panel(app)
        assert shown.startswith(f"suggestion 1 of {len(pending)}")
        assert "▼" in shown  # more below than fit
        for step in range(1, len(pending)):
            await pilot.press("right_square_bracket")
            shown = panel(app)
            assert shown.startswith(f"suggestion {step + 1} of {len(pending)}")
            chosen = next(line for line in shown.splitlines() if line.startswith("▸"))
            assert pending[step].code in chosen.split()
            # No line of the panel runs past the pane, however long its sentence.
            width = app.query_one("#suggestions").size.width
            assert all(len(line) <= width for line in shown.splitlines())
        # 'a' accepts exactly the one the coder sees highlighted.
        await pilot.press("a")
        assert f"accepted {pending[-1].code} " in message(app)

    drive(session, steps, size)
    assert [c.code for c in list_codings(sample, coders=["ans"])] == [pending[-1].code]


def test_evidence_is_the_sentence_with_its_words_marked_once(sample: Project) -> None:
    session = CodingSession(sample, "noordrand-r01", "ans")
    session.go_to(6)

    async def steps(app: Any, pilot: Any) -> None:
        lines = panel(app).splitlines()[1:]
        goal = next(line for line in lines if "consensus.goal" in line)
        # The words are marked in their sentence, which is shown once and not run together.
        assert "veelplegers, huiselijk geweld" in goal and goal.count("veelplegers") == 1
        assert "., " not in goal and "procesregisseur., We" not in panel(app)

    drive(session, steps, LARGE)


# -- the definition ------------------------------------------------------------------------


def test_the_definition_shows_the_exclude_rules_scrolls_and_expands(sample: Project) -> None:
    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("slash", *"governance.nao")
        pane = app.query_one("#definition")
        text = str(app.query_one("#definition-text").render())
        assert text.startswith("governance.nao") and "\nexclude: " in text
        small = pane.size.height
        assert pane.max_scroll_y > 0  # longer than the pane: it scrolls
        await pilot.press("tab", "tab")
        assert app.focused is pane and "scroll the definition" in message(app)
        await pilot.press("pagedown")
        assert pane.scroll_y > 0
        await pilot.press("i")
        await pilot.pause()
        assert pane.size.height > small

    drive(CodingSession(sample, "noordrand-r01", "ans"), steps)


# -- moving -------------------------------------------------------------------------------


def test_jumps_first_last_go_to_and_uncoded(sample: Project) -> None:
    session = CodingSession(sample, "noordrand-r01", "ans")
    numbers = session.respondent_numbers
    add_codings(sample, [Coding("noordrand-r01", n, "trust", "ans") for n in numbers[:3]])
    session.reload()
    session.go_to(numbers[0])

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("G")
        assert session.current == numbers[-1]
        await pilot.press("g")
        assert session.current == numbers[0]
        await pilot.press("end")
        assert session.current == numbers[-1]
        await pilot.press("home")
        assert session.current == numbers[0]
        await pilot.press("j", "j", "k")
        assert session.current == numbers[1]
        await pilot.press("N")  # the first turn ans has not coded
        assert session.current == numbers[3]
        await pilot.press("P")
        assert "no respondent segment you have not coded before" in message(app)
        await pilot.press("colon", "2", "0", "enter")
        assert session.current == 20 and app.screen is app.screen_stack[0]
        await pilot.press("1", "4", "enter")  # a number, then Enter
        assert session.current == 14 and app.focused is app.transcript
        await pilot.press("g", "1", "0", "enter")  # g N
        assert session.current == 10
        await pilot.press("3", "2", "g")  # vim's 32g
        assert session.current == 32
        await pilot.press("colon", "1", "1", "enter")  # an interviewer turn: its answer
        assert session.current == 12 and "segment 11 is the interviewer's" in message(app)
        await pilot.press("colon", "9", "9", "9", "enter")
        assert session.current == 12 and "has segments 1 to 54, not 999" in message(app)
        assert f"▌ {session.current} R" in visible(app)

    drive(session, steps)


def _long_interview(tmp_path: Path) -> Project:
    folder = tmp_path / "lang"
    folder.mkdir()
    answer = " ".join(f"Zin {n} over het vertrouwen in het Veiligheidshuis." for n in range(60))
    (folder / "lang-r01.txt").write_text(
        f"---\nrespondent: R01\ninterviewer: [I]\n---\nI: Vertel.\n\nR: {answer}\n\n"
        "I: En verder?\n\nR: Kort.\n", encoding="utf-8")
    project = init_project(tmp_path / "p")
    import_paths(project, [folder])
    save_codebook(project, load_codebook(sample_root() / "codebooks" / "veiligheidshuis.yaml"))
    return project


def test_a_segment_taller_than_the_pane_is_read_with_page_down(tmp_path: Path) -> None:
    project = _long_interview(tmp_path)
    session = CodingSession(project, "lang-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        assert session.current == 2
        _top, height = app.transcript.segment_region(2)
        assert height > app.transcript.size.height
        assert "Zin 0 " in visible(app) and "more lines (PgDn)" in status(app)
        for _ in range(10):
            await pilot.press("pagedown")
        assert session.current == 2  # still the same segment
        assert "Zin 59 " in visible(app) and "more lines" not in status(app)
        await pilot.press("pageup")
        assert "more lines (PgDn)" in status(app)

    drive(session, steps)
    project.close()


# -- correctness -------------------------------------------------------------------------------


def test_a_with_a_span_accepts_the_suggestion_for_the_span_and_clears_it(
    project: Project,
) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(4)
    suggested = session.pending()[0]

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("s")  # the first sentence
        span = app.selection
        assert span is not None and "span" in status(app)
        await pilot.press("a")
        assert app.selection is None and "span" not in status(app)
        assert f"accepted {suggested.code} [{span.start}:{span.end}]" in message(app)

    drive(session, steps)
    coded = list_codings(project, coders=["ans"])
    text = session.segment.text
    assert [(c.code, c.provenance, text[c.start:c.end]) for c in coded] == [  # type: ignore[misc]
        (suggested.code, "suggestion", "Het vertrouwen is hoog.")]


def test_accept_then_remove_makes_the_suggestion_pending_again(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(4)
    suggested = session.pending()[0]

    def status_of() -> str:
        found = suggestions_store.find(project, suggested.transcript, suggested.segment,
                                       suggested.code, coder="ans")
        assert found is not None
        return found.status

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("a")
        assert status_of() == "accepted" and suggested.code not in panel(app)
        await pilot.press("d")
        assert status_of() == "pending" and suggested.code in panel(app)
        await pilot.press("u")  # undo the removal: coding and decision both back
        assert status_of() == "accepted"
        assert [c.code for c in session.own_codings()] == [suggested.code]

    drive(session, steps)


def test_escape_leaves_the_search_and_keeps_the_span(project: Project) -> None:
    session = CodingSession(project, "noord-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("s")
        span = app.selection
        await pilot.press("slash", *"dialoog", "escape")
        assert app.focused is app.transcript and app.selection == span
        await pilot.press("enter", "escape")  # the codebook too
        assert app.selection == span
        await pilot.press("escape")  # in the transcript: now the span goes
        assert app.selection is None

    drive(session, steps)


def test_a_resize_keeps_the_current_segment_in_view(sample: Project) -> None:
    session = CodingSession(sample, "noordrand-r01", "ans")
    session.go_to(40)

    async def steps(app: Any, pilot: Any) -> None:
        assert "▌ 40 R" in visible(app)
        for size in ((80, 24), (60, 20), (140, 40), (100, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert "▌ 40 R" in visible(app), size

    drive(session, steps, LARGE)


def test_codings_made_elsewhere_show_without_a_key(project: Project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tag_app, "POLL_SECONDS", 0.05)
    session = CodingSession(project, "noord-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        assert "dialogue (bea)" not in visible(app)
        with find_project(project.root) as other:  # another coder's command
            add_codings(other, [Coding("noord-r01", session.current, "dialogue", "bea")])
        await pilot.pause(0.3)
        assert "dialogue (bea)" in visible(app)

    drive(session, steps)


def test_enter_enter_right_after_opening_applies_nothing(project: Project) -> None:
    session = CodingSession(project, "noord-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("enter", "enter")
        assert app.focused is app.code_tree and app.code_tree.code is None
        assert "choose a code with ↑/↓ first" in message(app)
        await pilot.press("down", "enter")  # a chosen code applies
        assert "coded noord-r01:2 trust" in message(app)

    drive(session, steps)
    assert [c.code for c in list_codings(project, coders=["ans"])] == ["trust"]


# -- terminal hygiene ------------------------------------------------------------------------


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_gives_the_terminal_back(project: Project, stop: str) -> None:
    project.close()
    terminal = Terminal(["--project", str(project.root), "tag", "--coder", "ans"])
    try:
        terminal.read_until(b"search codes")
        start = len(terminal.screen)
        terminal.process.send_signal(getattr(signal, stop))
        if stop == "SIGTERM":
            terminal.read_until(b"everything is saved")
        else:
            terminal.read_until(b"\x1b[?1049l")
    finally:
        code = terminal.close()
    after = terminal.screen[start:]
    assert code == 128 + getattr(signal, stop)
    for restore in (b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?1000l"):  # screen, cursor, mouse
        assert restore in after, restore


def test_the_help_scrolls_at_80x23(project: Project) -> None:
    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("question_mark")
        keys = app.screen.query_one("#keys")
        assert keys.region.bottom <= 23 and keys.max_scroll_y > 0
        await pilot.press("end")
        assert keys.scroll_y == keys.max_scroll_y
        await pilot.press("escape")
        assert type(app.screen).__name__ != "HelpScreen"

    drive(CodingSession(project, "noord-r01", "ans"), steps, (80, 23))


def test_the_hint_line_follows_the_focus(project: Project) -> None:
    async def steps(app: Any, pilot: Any) -> None:
        assert "q quit" in message(app)
        await pilot.press("slash")
        assert "type to search" in message(app) and "q quit" not in message(app)
        await pilot.press("escape", "tab", "tab")
        assert "Space folds" in message(app)
        await pilot.press("escape")
        assert "q quit" in message(app)

    drive(CodingSession(project, "noord-r01", "ans"), steps)


def test_a_code_without_a_colour_never_looks_like_a_grey_one() -> None:
    grey = chip(Coding("t", 1, "learning", "ans"), "#7f7f7f", own=True)
    plain = chip(Coding("t", 1, "dialogue", "ans"), None, own=True)
    assert grey.plain.startswith("■ ") and plain.plain.startswith(f"{NO_COLOUR_MARK} ")


def test_wrap_breaks_between_words_and_keeps_blank_lines() -> None:
    text = "Ja, natuurlijk.\nIk werk bij de politie.\n\nEen woordmetheelveelletters"
    lines = [text[a:b] for a, b in wrap(text, 12)]
    assert lines == ["Ja,", "natuurlijk.", "Ik werk bij", "de politie.", "", "Een",
                     "woordmetheel", "veelletters"]


# -- the session behind it (no terminal) ------------------------------------------------------


def test_session_jumps_and_reads_other_processes_changes(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 2, "trust", "ans")])
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(2)
    assert session.next_uncoded(1) and session.current == 4
    assert not session.next_uncoded(-1) and session.current == 4
    assert session.answer_at(3) == 4 and session.answer_at(6) == 6
    with pytest.raises(QcodeError, match="noord-r01 has segments 1 to 6, not 7"):
        session.answer_at(7)
    session.last()
    assert session.current == 6
    session.first()
    assert session.current == 2
    assert not session.refresh()  # nothing changed elsewhere
    session.apply("dialogue")  # its own change needs no refresh
    assert not session.refresh()
    with find_project(project.root) as other:
        add_codings(other, [Coding("noord-r01", 2, "trust", "bea")])
    assert session.refresh() and [c.coder for c in session.other_codings(2)] == ["bea"]
    assert not session.refresh()


def test_removing_an_accepted_suggestions_coding_reopens_it(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(4)
    suggestion = session.pending()[0]
    coding = session.accept(suggestion)
    assert suggestion.code not in [s.code for s in session.pending()]
    session.remove(coding)
    assert suggestion.code in [s.code for s in session.pending()]
    session.undo()
    assert suggestion.code not in [s.code for s in session.pending()]
    assert [(c.code, c.provenance) for c in session.own_codings()] == [
        (suggestion.code, "suggestion")]
