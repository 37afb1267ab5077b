"""One coder coding one transcript: where they are, what the segment holds, what they did.

Plain Python on top of the library, so everything the coding screen does can be tested
without a terminal; the Textual app only draws this and forwards keys to it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qcode.coding.assisted import StoredSuggestion, pending_suggestions
from qcode.errors import QcodeError
from qcode.models import Codebook, Coding, Memo, MemoTarget, Segment
from qcode.session import actions
from qcode.session.actions import Action
from qcode.session.spans import Span
from qcode.store import codings as codings_store
from qcode.store import memos as memos_store
from qcode.store.codebook import require_codebook
from qcode.store.project import Project, data_version
from qcode.store.transcripts import (
    TranscriptSummary,
    get_segments,
    list_transcripts,
    require_transcripts,
    transcript_ids,
)

POSITION_KEY = "tag.position.{coder}.{transcript}"


@dataclass(frozen=True)
class Progress:
    coded: int
    total: int


def choose_transcript(project: Project, coder: str) -> str:
    """The first transcript (by id) with a respondent turn this coder has not coded, else
    the first transcript. Refuses a project without a codebook or without transcripts."""
    require_codebook(project)
    require_transcripts(project)
    return codings_store.uncoded_transcript(project, coder) or transcript_ids(project)[0]


class CodingSession:
    """The state behind the coding screen. Every change is written at once.

    ``blind`` (a blind double-coding round, see :mod:`qcode.coding.blind`) leaves out other
    coders' codings and their memos: the session holds the coder's own work only, so
    nothing the screen draws can show another coder's. Suggestion decisions are per coder
    in any case."""

    def __init__(self, project: Project, transcript: str, coder: str, *,
                 blind: bool = False) -> None:
        self.project = project
        self.coder = coder
        self.blind = blind
        self.codebook: Codebook = require_codebook(project)
        self.segments: list[Segment] = get_segments(project, transcript)
        self.transcript: TranscriptSummary = next(
            s for s in list_transcripts(project) if s.id == transcript
        )
        self.respondent_numbers = [s.number for s in self.segments if s.codable]
        if not self.respondent_numbers:
            raise QcodeError(
                f"{transcript}: has only interviewer turns, so nothing to code; check its "
                f"speaker labels ('qcode show {transcript}')"
            )
        self._by_number = {s.number: s for s in self.segments}
        self._colours = _colours(self.codebook)
        self._labels = {c.id: c.label for c in self.codebook.codes}
        self.codings: dict[int, list[Coding]] = {}
        self.suggestions: dict[int, list[StoredSuggestion]] = {}
        self.transcript_memos: list[Memo] = []
        self.segment_memos: dict[int, list[Memo]] = {}
        self.undo_stack: list[Action] = []
        self._seen_version = data_version(project)
        self.reload()
        self.current = self._start_position()

    # -- reading -----------------------------------------------------------------------

    def reload(self) -> None:
        """Read codings and pending suggestions of the transcript back from the store."""
        self.codings = {}
        for coding in codings_store.select(self.project, transcripts=[self.transcript.id],
                                           coders=[self.coder] if self.blind else ()):
            self.codings.setdefault(coding.segment, []).append(coding)
        self.suggestions = {}
        for suggestion in pending_suggestions(self.project, coder=self.coder,
                                              transcripts=[self.transcript.id]):
            self.suggestions.setdefault(suggestion.segment, []).append(suggestion)
        self.transcript_memos = []
        self.segment_memos = {}
        for memo in memos_store.select(self.project,
                                       target=MemoTarget("transcript", self.transcript.id)):
            if memo.target.segment is None:
                self.transcript_memos.append(memo)
            else:
                self.segment_memos.setdefault(memo.target.segment, []).append(memo)

    @property
    def segment(self) -> Segment:
        return self._by_number[self.current]

    def own_codings(self, number: int | None = None) -> list[Coding]:
        number = self.current if number is None else number
        return [c for c in self.codings.get(number, []) if c.coder == self.coder]

    def other_codings(self, number: int) -> list[Coding]:
        return [c for c in self.codings.get(number, []) if c.coder != self.coder]

    def pending(self, number: int | None = None) -> list[StoredSuggestion]:
        """Pending suggestions, best first, leaving out codes the coder already gave the
        segment (or a sub-code of them), as ``qcode suggest`` does."""
        number = self.current if number is None else number
        coded = {c.code for c in self.own_codings(number)}
        return [
            s for s in self.suggestions.get(number, [])
            if not any(c == s.code or c.startswith(s.code + ".") for c in coded)
        ]

    def colour(self, code: str) -> str | None:
        return self._colours.get(code)

    def label(self, code: str) -> str:
        return self._labels.get(code, "")

    def progress(self) -> Progress:
        coded = sum(1 for n in self.respondent_numbers if self.own_codings(n))
        return Progress(coded, len(self.respondent_numbers))

    @property
    def position_key(self) -> str:
        return POSITION_KEY.format(coder=self.coder, transcript=self.transcript.id)

    def _start_position(self) -> int:
        stored = self.project.get_meta(self.position_key)
        if stored is not None and stored.isdigit() and int(stored) in self.respondent_numbers:
            return int(stored)
        uncoded = [n for n in self.respondent_numbers if not self.own_codings(n)]
        return (uncoded or self.respondent_numbers)[0]

    # -- moving ------------------------------------------------------------------------

    def move(self, step: int) -> bool:
        """Go ``step`` respondent segments forward (or back); False at either end."""
        index = self.respondent_numbers.index(self.current) + step
        if not 0 <= index < len(self.respondent_numbers):
            return False
        self.go_to(self.respondent_numbers[index])
        return True

    def go_to(self, number: int) -> None:
        if number not in self.respondent_numbers:
            raise QcodeError(f"{self.transcript.id}:{number} is not a respondent segment")
        self.current = number
        self.save_position()

    def first(self) -> None:
        self.go_to(self.respondent_numbers[0])

    def last(self) -> None:
        self.go_to(self.respondent_numbers[-1])

    def next_uncoded(self, step: int) -> bool:
        """Go to the next (``step`` 1) or previous (-1) respondent segment the coder has not
        coded; False when there is none that way."""
        index = self.respondent_numbers.index(self.current)
        ahead = (self.respondent_numbers[index + 1:] if step > 0
                 else reversed(self.respondent_numbers[:index]))
        for number in ahead:
            if not self.own_codings(number):
                self.go_to(number)
                return True
        return False

    def answer_at(self, number: int) -> int:
        """The respondent segment to show for segment ``number``: itself, or for an
        interviewer turn the answer after it (the one before, at the end)."""
        last = self.segments[-1].number
        if not 1 <= number <= last:
            raise QcodeError(f"{self.transcript.id} has segments 1 to {last}, not {number}")
        later = [n for n in self.respondent_numbers if n >= number]
        return later[0] if later else self.respondent_numbers[-1]

    def refresh(self) -> bool:
        """Read codings and suggestions again when another process (another coder, a
        command in another terminal) changed the project since; True when it had."""
        version = data_version(self.project)
        if version == self._seen_version:
            return False
        self._seen_version = version
        self.reload()
        return True

    def save_position(self) -> None:
        """Remember the current segment for this coder and transcript; written at every
        move and every change, so the screen reopens here even after a crash."""
        self.project.set_meta(self.position_key, str(self.current))

    # -- changing ------------------------------------------------------------------------

    def apply(self, code: str, span: Span | None = None) -> Coding | None:
        """Code the current segment (or a span of it); None if it already had exactly
        this coding."""
        coding = Coding(
            transcript=self.transcript.id, segment=self.current, code=code, coder=self.coder,
            start=span.start if span else None, end=span.end if span else None,
        )
        done = actions.apply_code(self.project, coding)
        return self._record(done).coding if done else None

    def remove(self, coding: Coding) -> Coding:
        return self._record(actions.remove_coding(self.project, coding)).coding

    def accept(self, suggestion: StoredSuggestion, span: Span | None = None) -> Coding:
        """Accept a suggestion: as a coding of the segment, or of ``span`` in it."""
        return self._record(actions.accept_suggestion(
            self.project, suggestion, self.coder, span.as_tuple() if span else None)).coding

    def reject(self, suggestion: StoredSuggestion) -> StoredSuggestion:
        return self._record(actions.reject_suggestion(self.project, suggestion,
                                                      self.coder)).suggestion

    def set_memo(self, coding: Coding, memo: str) -> Coding:
        if memo == coding.memo:
            return coding
        self._record(actions.set_memo(self.project, coding, memo))
        return replace(coding, memo=memo)

    def annotate(self, text: str, span: Span | None = None) -> Memo:
        """Write a memo on the current segment (or a span of it) that carries no code."""
        target = MemoTarget("segment", self.transcript.id, self.current,
                            span.start if span else None, span.end if span else None)
        done = actions.annotate(self.project, Memo(target=target, text=text, coder=self.coder))
        return self._record(done).memo

    def undo(self) -> str | None:
        """Take back the last action of this session; None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        action = self.undo_stack[-1]
        message = action.undo(self.project)
        # Popped only once undone: if the store refused (busy), the coder can try again.
        self.undo_stack.pop()
        self.reload()
        if action.segment in self.respondent_numbers and action.segment != self.current:
            self.go_to(action.segment)
        return message

    def _record(self, action: actions.A) -> actions.A:
        self.undo_stack.append(action)
        self.save_position()
        self.reload()
        return action


def _colours(codebook: Codebook) -> dict[str, str]:
    """Each code's colour: its own, else its nearest ancestor's."""
    colours: dict[str, str] = {}
    for code in codebook.codes:  # parents come before their children
        colour = code.color or (colours.get(code.parent) if code.parent else None)
        if colour:
            colours[code.id] = colour
    return colours
