"""Speaker labels: what a ``Label: text`` line looks like, and which labels count.

A line such as ``Let op: dat is ...`` has the same shape as ``R: Ik werk ...``, so shape
alone cannot decide. :func:`speaker_keys` therefore also looks at how often and where a
candidate label occurs; the rules are listed there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_LABEL_LENGTH = 40

# The colon must be followed by whitespace or the end of the line, so that times
# ("om 10:30 uur"), URLs ("https://...") and ratios are never labels. Markdown bold
# (``**I:**`` or ``**I**:``) is accepted because .md transcripts use it.
_LABEL_LINE = re.compile(
    r"[ \t]*(?:\*\*(?P<bold>[^*:\n]{1,60}?)(?:\*\*:|:\*\*)|(?P<plain>[^:\n]{1,60}?):)(?=\s|$)"
)
# At most three words of letters, digits and a few joiners, optionally ending in an
# abbreviation dot ("Int."). Sentence punctuation (, ; ? ! quotes) means prose.
_LABEL_SHAPE = re.compile(r"[\w#&/-]+(?: [\w#&/-]+){0,2}\.?")
_BRACKETS = {"[": "]", "(": ")"}
# Words that open the lines of a transcript's header ("Datum: 19 maart 2024, locatie ..."),
# never a speaker's name. Once in a file they are header text, whatever their place.
HEADER_WORDS = frozenset({
    "datum", "date", "tijd", "time", "locatie", "location", "plaats", "place", "duur",
    "duration", "onderwerp", "subject", "titel", "title", "opname", "recording",
    "transcriptie", "transcript", "project",
})


@dataclass(frozen=True)
class LabelMatch:
    """A line that starts like a speaker turn."""

    label: str
    """The label as written, without colon, bold markers or surrounding whitespace."""
    key: str
    """The label compared case-insensitively and without brackets (see :func:`label_key`)."""
    text_offset: int
    """Where the turn's text starts within the line."""


def label_key(label: str) -> str:
    """Normalise a label for comparison: ``[I]``, ``i`` and ``I`` are the same speaker."""
    inner = " ".join(label.split())
    if len(inner) >= 2 and _BRACKETS.get(inner[0]) == inner[-1]:
        inner = " ".join(inner[1:-1].split())
    return inner.rstrip(".").casefold()


def looks_like_label(label: str) -> bool:
    """Whether ``label`` is short and plain enough to be a speaker label."""
    label = label.strip()
    if not label or len(label) > MAX_LABEL_LENGTH:
        return False
    inner = " ".join(label.split())
    if len(inner) >= 2 and _BRACKETS.get(inner[0]) == inner[-1]:
        inner = " ".join(inner[1:-1].split())
    # A label needs a letter: "10:" or "2:" at a line start is a time or a list item.
    return bool(_LABEL_SHAPE.fullmatch(inner)) and any(c.isalpha() for c in inner)


def match_label(line: str) -> LabelMatch | None:
    """Return the candidate label at the start of ``line``, if it has one."""
    found = _LABEL_LINE.match(line)
    if found is None:
        return None
    label = (found.group("bold") or found.group("plain") or "").strip()
    if not looks_like_label(label):
        return None
    return LabelMatch(label=label, key=label_key(label), text_offset=found.end())


def interviewer_keys(labels: Iterable[str]) -> frozenset[str]:
    """The comparison keys of the interviewer labels."""
    return frozenset(label_key(label) for label in labels if label.strip())


@dataclass(frozen=True)
class SpeakerChoice:
    """The outcome of :func:`speaker_keys`."""

    accepted: frozenset[str]
    """Keys of the labels that start turns."""
    doubtful: frozenset[str]
    """Accepted keys that may be prose: they count only because they start two or more
    lines, in a file with interviewer turns that they never answer."""


def speaker_keys(
    candidates: Sequence[str],
    interviewers: frozenset[str],
    *,
    opens_with: str | None,
    declared: frozenset[str] | None = None,
) -> SpeakerChoice:
    """Decide which candidate labels (as keys, in file order) are real speakers.

    With ``declared`` (the ``speakers`` front matter key) exactly those labels and the
    interviewer labels count. Otherwise a candidate counts when

    1. it is an interviewer label;
    2. it starts two or more lines (a speaker talks more than once);
    3. it opens the transcript (``opens_with``), so a monologue ``R: ...`` works; or
    4. it is the first candidate after an interviewer turn: a respondent answers the
       interviewer, so ``I: ...`` followed by ``R: ...`` works even in a two-turn file.

    A header word (``Datum: 19 maart 2024``, see ``HEADER_WORDS``) that starts one line
    counts by none of these: it is the transcript's header, not a speaker.

    Prose such as ``Let op: ...`` inside a respondent's turn meets none of these when it
    occurs once. Prose that starts two lines the same way (``Bijvoorbeeld: ...`` twice) does
    count by rule 2; such labels are reported as ``doubtful`` so the caller can tell the
    user to declare ``speakers`` in the front matter.
    """
    if declared is not None:
        return SpeakerChoice(declared | interviewers, frozenset())
    counts = Counter(candidates)
    header = {key for key, n in counts.items()
              if n == 1 and key in HEADER_WORDS and key not in interviewers}
    accepted = {key for key, n in counts.items() if key in interviewers or n >= 2}
    if opens_with is not None and opens_with not in header:
        accepted.add(opens_with)
    answering: set[str] = set()
    last: str | None = None
    for key in candidates:
        if last in interviewers and key not in header:
            answering.add(key)
            accepted.add(key)
        if key in accepted:
            last = key
    doubtful = set()
    if any(key in interviewers for key in counts):
        doubtful = accepted - answering - interviewers - {opens_with}
    return SpeakerChoice(frozenset(accepted), frozenset(doubtful))


def doubtful_note(source: str, line: int, label: str, count: int) -> str:
    """A note telling the user that ``label`` was taken as a speaker on thin evidence."""
    return (
        f"{source}:{line}: '{label}:' starts {count} lines and is read as a speaker, although "
        "it never answers the interviewer; if it is ordinary text, list the real speakers in "
        "the front matter, e.g. 'speakers: [I, R]'"
    )


def no_interviewer_warning(
    source: str, speakers: Sequence[str], interviewer_labels: Iterable[str]
) -> str | None:
    """A warning for a conversation in which no label is an interviewer label (Teams
    writes ``<v Marieke>``): every turn would count as the respondent's. ``speakers`` are
    the labels of the turns, in order; the caller knows none is the interviewer's. None for
    a file with one speaker (a monologue) or without labels (paragraphs are the
    respondent's by design)."""
    counts = Counter(speaker for speaker in speakers if speaker)
    if len(counts) < 2:
        return None
    common = counts.most_common()
    found = ", ".join(f"{label} ({n} turns)" for label, n in common[:6]) + (
        f" and {len(common) - 6} more" if len(common) > 6 else "")
    known = ", ".join(label for label in interviewer_labels if label.strip()) or "none"
    example = common[0][0]
    return (
        f"{source}: none of its speaker labels is an interviewer label ({known}), so every "
        f"turn counts as the respondent's; labels found: {found}; if one of them is the "
        f"interviewer, import again with --interviewer LABEL (e.g. --interviewer "
        f"'{example}'); qcode remembers it for this transcript"
    )
