"""The coding screen (``qcode tag``): its plain logic, the app driven headlessly with
Textual's pilot, and the command's refusals."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qcode.cli import app as cli
from qcode.cli.tag.keys import CODEBOOK_KEYS, SCREEN_KEYS
from qcode.codebook import load_codebook
from qcode.codebook.search import search_codes
from qcode.coding import assisted
from qcode.demo import sample_root
from qcode.errors import QcodeError
from qcode.models import Coding
from qcode.session.session import CodingSession, choose_transcript
from qcode.session.spans import Span, move_end, move_start, next_sentence, sentence_spans
from qcode.store import Project, find_project, init_project
from qcode.store import suggestions as suggestions_store
from qcode.store.codebook import save_codebook
from qcode.store.codings import add as add_codings
from qcode.store.codings import select as list_codings
from tests.conftest import Terminal, snapshot

runner = CliRunner()
README = Path(__file__).resolve().parents[1] / "README.md"

# noord-r01: 1 I, 2 R, 3 I, 4 R ("Het vertrouwen is hoog. ..."), 5 I, 6 R.


@pytest.fixture()
def cli_project_on_disk(project: Project) -> Path:
    """The conftest project, closed, for a command to open from disk."""
    project.close()
    return project.root


def drive(session: CodingSession, steps: Callable[[Any, Any], Awaitable[None]],
          size: tuple[int, int] = (80, 24)) -> None:
    """Run the coding screen headlessly and let ``steps(app, pilot)`` press keys."""
    from qcode.cli.tag.app import TagApp

    async def main() -> None:
        app = TagApp(session)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(app, pilot)

    asyncio.run(main())


def mine(project: Project, coder: str = "ans") -> list[tuple[str, int, str, str, int | None, int | None, str]]:
    return [(c.transcript, c.segment, c.code, c.provenance, c.start, c.end, c.memo)
            for c in list_codings(project, coders=[coder])]


def message(app: Any) -> str:
    return str(app.query_one("#message").render())


def visible(app: Any) -> str:
    """The transcript pane as it shows now, as plain text."""
    pane = app.transcript
    return "\n".join(pane.render_line(y).text for y in range(pane.size.height))


# -- search, spans, keys (no terminal) -------------------------------------------------


def test_search_finds_codes_by_dutch_label_keyword_id_and_typo() -> None:
    codebook = load_codebook(sample_root() / "codebooks" / "veiligheidshuis.yaml")
    assert search_codes(codebook, "vertrouwen")[0].code.id == "trust"
    assert search_codes(codebook, "Weinig vertrouwen")[0].code.id == "trust.low"
    assert search_codes(codebook, "informatiedeling")[0].code.id == "trust.information_sharing"
    assert search_codes(codebook, "regie")[0].code.id == "dialogue.direction"
    assert search_codes(codebook, "trust.colocation")[0].code.id == "trust.colocation"
    assert search_codes(codebook, "tis")[0].code.id == "trust.information_sharing"
    assert search_codes(codebook, "vertrouwn")[0].code.id == "trust"  # a typo
    assert search_codes(codebook, "MONDELING")[0].code.id == "trust.information_sharing.oral"
    # Every word must match, and nonsense matches nothing.
    assert all(m.code.id.startswith("trust") for m in search_codes(codebook, "hoog vertrouwen"))
    assert search_codes(codebook, "xqzwv") == []
    assert len(search_codes(codebook, "")) == len(codebook.codes)


def test_search_ignores_diacritics(project: Project) -> None:
    from qcode.models import Code, Codebook

    codebook = Codebook("t", (Code("members", "Coöperatie van één partij", keywords=("casuïstiek",)),))
    assert search_codes(codebook, "cooperatie")[0].code.id == "members"
    assert search_codes(codebook, "casuistiek")[0].matched == "casuïstiek"
    assert search_codes(codebook, "een")[0].code.id == "members"


def test_sentences_and_word_spans() -> None:
    text = "Ja, natuurlijk. Ik werk bijv. bij de politie. Eh... dat is zo! 3 dagen."
    assert [text[s.start:s.end] for s in sentence_spans(text)] == [
        "Ja, natuurlijk.", "Ik werk bijv. bij de politie.", "Eh... dat is zo!", "3 dagen."]
    first = next_sentence(text, None)
    second = next_sentence(text, first)
    assert second is not None and text[second.start:second.end].startswith("Ik werk")
    assert next_sentence(text, second, -1) == first
    assert next_sentence(text, sentence_spans(text)[-1]) is None  # past the end: whole segment
    span = move_end(text, None, 1)
    assert span is not None and text[span.start:span.end] == "Ja,"
    span = move_end(text, span, 1)
    assert span is not None and text[span.start:span.end] == "Ja, natuurlijk."
    span = move_start(text, span, 1)
    assert span is not None and text[span.start:span.end] == "natuurlijk."
    assert move_start(text, span, 1) == span  # a span keeps at least one word
    assert move_end(text, span, -1) == span


def test_every_key_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "## Coding screen keys" in readme
    section = readme.split("## Coding screen keys", 1)[1].split("\n## ", 1)[0]
    for key in (*SCREEN_KEYS, *CODEBOOK_KEYS):
        assert f"| `{key.keys}` | {key.description} |" in section, key.keys


# -- the session (no terminal) ------------------------------------------------------------


def test_choose_transcript_takes_the_first_with_uncoded_turns(project: Project) -> None:
    assert choose_transcript(project, "ans") == "noord-r01"
    add_codings(project, [Coding("noord-r01", n, "dialogue", "ans") for n in (2, 4, 6)])
    assert choose_transcript(project, "ans") == "zuid-r02"
    assert choose_transcript(project, "bea") == "noord-r01"
    add_codings(project, [Coding("zuid-r02", n, "dialogue", "ans") for n in (2, 4)])
    assert choose_transcript(project, "ans") == "noord-r01"  # all coded: the first


def test_session_moves_over_respondent_turns_and_remembers_where(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 2, "dialogue", "ans")])
    session = CodingSession(project, "noord-r01", "ans")
    assert session.current == 4  # the first turn ans has not coded
    assert session.progress().coded == 1 and session.progress().total == 3
    assert session.move(1) and session.current == 6
    assert not session.move(1) and session.current == 6
    assert session.move(-2) and session.current == 2
    assert CodingSession(project, "noord-r01", "ans").current == 2
    assert CodingSession(project, "noord-r01", "bea").current == 2  # bea starts fresh
    with pytest.raises(QcodeError, match="not a respondent segment"):
        session.go_to(3)


def test_session_undo_takes_back_each_kind_of_action(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(4)
    before = snapshot(project)
    pending = session.pending()
    assert pending and pending[0].code == "trust"
    session.apply("trust.high", Span(0, 22))
    session.apply("dialogue")
    session.set_memo(session.own_codings()[0], "één coöperatie")
    session.remove(next(c for c in session.own_codings() if c.code == "dialogue"))
    session.accept(pending[0])
    assert [c.code for c in session.own_codings()] == ["trust", "trust.high"]
    assert len(session.undo_stack) == 5
    while session.undo() is not None:
        pass
    tables = dict(snapshot(project))
    assert tables["codings"] == dict(before)["codings"]
    assert tables["suggestions"] == dict(before)["suggestions"]
    assert tables["decisions"] == dict(before)["decisions"] == []
    assert session.undo() is None


# -- the app, driven by the pilot -------------------------------------------------------


def test_open_navigate_search_apply_accept_reject_undo_memo_quit(project: Project) -> None:
    assisted.suggest_for_project(project, coder="ans", rules_only=True, min_score=0.0)
    suggestions = {(s.transcript, s.segment): s.code for s in assisted.pending_suggestions(project, coder="ans")}
    assert suggestions[("noord-r01", 4)] == "trust"
    session = CodingSession(project, "noord-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        assert session.current == 2
        await pilot.press("n")
        assert session.current == 4
        await pilot.press("down", "down")  # arrows too; the last turn stops there
        assert session.current == 6 and "last respondent segment" in message(app)
        await pilot.press("p")
        assert session.current == 4
        assert "trust" in str(app.query_one("#suggestions").render())
        # The evidence is marked in the segment's text.
        assert app.transcript.current == 4
        evidence = app.transcript.evidence
        assert evidence and all("vertrouwen" in session.segment.text[a:b].lower()
                                for a, b in evidence)
        await pilot.press("a")  # accepts the suggested trust
        assert "accepted trust on noord-r01:4" in message(app)
        # Search by Dutch label and apply the best match.
        await pilot.press("slash", *"hoog vertrouwen")
        assert app.code_tree.code == "trust.high"
        assert str(app.query_one("#definition-text").render()).startswith("trust.high  Hoog vertrouwen")
        await pilot.press("enter")
        assert app.focused is app.transcript
        assert "coded noord-r01:4 trust.high" in message(app)
        await pilot.press("n")
        await pilot.press("slash", *"informatie", "down", "enter")  # the second match
        assert [c.code for c in session.own_codings(6)] == ["trust"]
        await pilot.press("p", "u")  # undoes the coding on 6, and goes back there
        assert session.current == 6 and "undid: coded trust on noord-r01:6" in message(app)
        assert session.own_codings(6) == []
        await pilot.press("p", "m")  # two codings of ans on 4: a picker asks which
        await pilot.press("down", "enter")
        await pilot.press(*"korte lijntjes, één tafel", "enter")
        await pilot.press("q")

    drive(session, steps)
    assert mine(project) == [
        ("noord-r01", 4, "trust", "suggestion", None, None, ""),
        ("noord-r01", 4, "trust.high", "manual", None, None, "korte lijntjes, één tafel"),
    ]
    decided = {(d.transcript, d.segment, d.code): (d.status, d.coder)
               for d in suggestions_store.decisions(project)}
    assert decided[("noord-r01", 4, "trust")] == ("accepted", "ans")

    # Reject one in the other transcript, on the turn the screen opens at.
    other = CodingSession(project, "zuid-r02", "ans")
    rejected = assisted.pending_suggestions(project, coder="ans", transcripts=["zuid-r02"])[0]
    assert other.current == rejected.segment

    async def reject(app: Any, pilot: Any) -> None:
        assert rejected.code in str(app.query_one("#suggestions").render())
        await pilot.press("x")
        assert "no pending suggestions" in str(app.query_one("#suggestions").render())
        await pilot.press("q")

    drive(other, reject)
    decided = {(d.transcript, d.segment, d.code): (d.status, d.coder)
               for d in suggestions_store.decisions(project)}
    assert decided[(rejected.transcript, rejected.segment, rejected.code)] == ("rejected", "ans")
    assert len(mine(project)) == 2  # rejecting coded nothing


def test_screen_reopens_where_the_coder_left_off(project: Project) -> None:
    async def move(app: Any, pilot: Any) -> None:
        await pilot.press("n", "n", "q")

    drive(CodingSession(project, "noord-r01", "ans"), move)
    reopened = CodingSession(project, "noord-r01", "ans")
    assert reopened.current == 6

    async def check(app: Any, pilot: Any) -> None:
        assert app.transcript.current == 6 and "seg 6/6" in str(app.query_one("#status").render())
        assert "▌ 6 R" in visible(app)

    drive(reopened, check)


def test_sentence_and_shift_arrow_spans(project: Project) -> None:
    session = CodingSession(project, "noord-r01", "ans")
    text = next(s for s in session.segments if s.number == 2).text

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("s", "s")  # the second sentence
        assert "span" in str(app.query_one("#status").render())
        await pilot.press("slash", *"governance", "enter")
        await pilot.press("shift+right", "shift+right", "shift+right")  # "Ik ben hoofd"
        await pilot.press("shift+down")  # "ben hoofd"
        # Via the codebook tree: the first ↓ chooses trust, the next trust.high.
        await pilot.press("enter", "down", "down", "enter")
        assert app.focused is app.transcript
        await pilot.press("s", "escape")  # a cleared span codes the whole segment
        await pilot.press("slash", *"dialoog", "enter")

    drive(session, steps)
    codings = list_codings(project, coders=["ans"])
    spans = {c.code: (c.start, c.end) for c in codings}
    second = sentence_spans(text)[1]
    assert spans["governance"] == (second.start, second.end)
    assert text[spans["trust.high"][0]:spans["trust.high"][1]] == "ben hoofd"  # type: ignore[misc]
    assert spans["dialogue"] == (None, None)


def test_remove_asks_which_when_there_are_several(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 2, code, "ans") for code in ("dialogue", "trust")]
                + [Coding("noord-r01", 2, "trust", "bea")])
    session = CodingSession(project, "noord-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        await pilot.press("p", "d")
        assert type(app.screen).__name__ == "PickCodingScreen"
        await pilot.press("escape")  # changed its mind
        assert len(session.own_codings()) == 2
        await pilot.press("d", "down", "enter")  # the second: trust
        await pilot.press("d")  # one left: removed without asking
        assert "removed dialogue" in message(app)
        await pilot.press("d")
        assert "nothing to remove" in message(app)

    drive(session, steps)
    assert mine(project) == []
    assert mine(project, "bea") == [("noord-r01", 2, "trust", "manual", None, None, "")]


def test_help_lists_every_key(project: Project) -> None:
    async def steps(app: Any, pilot: Any) -> None:
        from rich.console import Console

        await pilot.press("question_mark")
        console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(app.screen.table)
        shown = console.export_text()
        for key in (*SCREEN_KEYS, *CODEBOOK_KEYS):
            assert key.description in shown
        await pilot.press("escape")
        assert type(app.screen).__name__ != "HelpScreen"

    drive(CodingSession(project, "noord-r01", "ans"), steps)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_layout_fits_without_overlap(size: tuple[int, int], tmp_path: Path) -> None:
    from qcode.importing import import_paths

    project = init_project(tmp_path / "p")
    import_paths(project, [sample_root() / "transcripts_sample" / "noordrand-r01.txt"])
    save_codebook(project, load_codebook(sample_root() / "codebooks" / "veiligheidshuis.yaml"))
    session = CodingSession(project, "noordrand-r01", "ans")

    async def steps(app: Any, pilot: Any) -> None:
        parts = [app.query_one(selector) for selector in
                 ("#transcript", "#suggestions", "#search", "#codes", "#definition", "#status",
                  "#message")]
        width, height = size
        for part in parts:
            region = part.region
            assert region.width > 0 and region.height > 0, part.id
            assert region.right <= width and region.bottom <= height, part.id
        for i, a in enumerate(parts):
            for b in parts[i + 1:]:
                assert not a.region.overlaps(b.region), (a.id, b.id)
        assert app.query_one("#codes").region.width >= 30
        assert app.transcript.segment_region(2)[1] > 1
        # The current segment is on screen.
        assert f"▌ {session.current} R" in visible(app)

    drive(session, steps, size=size)
    project.close()


# -- the command --------------------------------------------------------------------------


def test_tag_refuses_a_project_without_codebook_or_transcripts(tmp_path: Path, sample_files: Path) -> None:
    folder = tmp_path / "p"
    project = init_project(folder)
    before = snapshot(project)
    result = runner.invoke(cli, ["--project", str(folder), "tag"])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        "error: the project has no codebook yet; load one with 'qcode codebook load FILE.yaml'")
    assert snapshot(project) == before
    save_codebook(project, load_codebook(sample_files / "mini.yaml"))
    before = snapshot(project)
    result = runner.invoke(cli, ["--project", str(folder), "tag"])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == (
        "error: the project has no transcripts yet; add some with 'qcode import PATH'")
    result = runner.invoke(cli, ["--project", str(folder), "tag", "noord-r01"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: unknown transcript 'noord-r01'; see 'qcode transcripts' for the ids")
    assert "Traceback" not in result.output
    assert snapshot(project) == before
    project.close()


def test_tag_needs_a_terminal(project: Project) -> None:
    before = snapshot(project)
    result = runner.invoke(cli, ["--project", str(project.root), "tag", "--coder", "ans"])
    assert result.exit_code == 1
    assert "qcode tag needs an interactive terminal" in result.stderr
    assert snapshot(project) == before


def test_textual_is_imported_only_by_the_tag_command() -> None:
    code = (
        "import sys\n"
        "from typer.main import get_command\n"
        "from qcode.cli import app\n"
        "try:\n"
        "    get_command(app).main(['--help'], standalone_mode=False)\n"
        "finally:\n"
        "    print('TEXTUAL', sorted(m for m in sys.modules if m.startswith('textual')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert "TEXTUAL []" in result.stdout


def test_a_store_error_is_shown_and_the_screen_stays(project: Project) -> None:
    add_codings(project, [Coding("noord-r01", 2, "dialogue", "ans")])
    session = CodingSession(project, "noord-r01", "ans")
    session.go_to(2)

    async def steps(app: Any, pilot: Any) -> None:
        # Another coder's command removes the coding while the screen shows it.
        project._db.execute("DELETE FROM codings")
        await pilot.press("d")
        assert message(app).startswith("error: dialogue on noord-r01:2 by ans is no longer there")
        await pilot.press("n")
        assert session.current == 4  # still working

    drive(session, steps)


def test_tag_runs_in_a_terminal_as_a_person_would(cli_project_on_disk: Path) -> None:
    """The real command in a pseudo-terminal of 80x24: '/', 'vertrouwen', Enter, 'q'."""
    terminal = Terminal(["--project", str(cli_project_on_disk), "tag"],
                        env={"QCODE_CODER": "ans"})
    try:
        terminal.read_until(b"search codes")
        terminal.type(b"/", b"vertrouwen", b"\r")
        terminal.read_until(b"(u undoes)")
        terminal.type(b"q")
        terminal.read_until(b"everything is saved")
    finally:
        assert terminal.close() == 0
    with find_project(cli_project_on_disk) as reopened:
        assert mine(reopened) == [("noord-r01", 2, "trust", "manual", None, None, "")]
