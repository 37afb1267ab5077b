"""Parsing transcript files: the text format, encodings, Word, WebVTT and SubRip."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest

from qcode.errors import TranscriptError
from qcode.transcripts import SUPPORTED_SUFFIXES, decode_bytes, parse_file, parse_text

INTERVIEW = """\
---
respondent: R07
case: Veiligheidshuis Oost
role: procesregisseur
date: 2019-02-05
interviewer: [I]
---
I: Hoe lang werkt u al in het Veiligheidshuis?

R: Sinds de start, dus een jaar of zes. Ik regisseer vooral de complexe casussen.
Die komen binnen via de politie of de gemeente.

I: Wat gaat er goed in de samenwerking?

R: De lijnen zijn kort. Let op: dat geldt niet voor iedere partner.

Met de reclassering bel ik bijna dagelijks, met de woningcorporatie veel minder.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- text format -------------------------------------------------------------------------


def test_front_matter_becomes_respondent_and_metadata(tmp_path: Path) -> None:
    transcript = parse_file(write(tmp_path, "oost-r07.txt", INTERVIEW))
    assert transcript.id == "oost-r07"
    assert transcript.format == "text"
    assert transcript.respondent == "R07"
    assert transcript.metadata == {
        "case": "Veiligheidshuis Oost",
        "role": "procesregisseur",
        "date": "2019-02-05",
    }
    assert transcript.notes == ()


def test_front_matter_values_stay_as_typed_and_id_overrides_stem(tmp_path: Path) -> None:
    text = "---\nid: oost-007\nrespondent: 007\nCase: no\nwave: [1, 2]\nnotes:\n---\nR: Ja.\n"
    transcript = parse_file(write(tmp_path, "bestand.txt", text))
    assert transcript.id == "oost-007"
    assert transcript.respondent == "007"  # not the integer 7
    assert transcript.metadata == {"case": "no", "wave": "1, 2"}  # not False; empty dropped


def test_explicit_transcript_id_wins_over_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "bestand.txt", "---\nid: uit-de-kop\n---\nR: Ja.\n")
    assert parse_file(path, transcript_id="gekozen").id == "gekozen"


def test_speaker_turns_and_continuation_lines(tmp_path: Path) -> None:
    segments = parse_file(write(tmp_path, "oost-r07.txt", INTERVIEW)).segments
    assert [(s.number, s.speaker, s.interviewer) for s in segments] == [
        (1, "I", True), (2, "R", False), (3, "I", True), (4, "R", False),
    ]
    assert segments[1].text == (
        "Sinds de start, dus een jaar of zes. Ik regisseer vooral de complexe casussen.\n"
        "Die komen binnen via de politie of de gemeente."
    )
    # "Let op:" is prose, and the blank line inside the turn is kept.
    assert segments[3].text == (
        "De lijnen zijn kort. Let op: dat geldt niet voor iedere partner.\n\n"
        "Met de reclassering bel ik bijna dagelijks, met de woningcorporatie veel minder."
    )
    assert all(s.codable != s.interviewer for s in segments)


def test_prose_with_colons_is_not_a_speaker() -> None:
    text = (
        "I: Hoe verloopt een casusoverleg?\n"
        "R: We beginnen om 10:30 uur.\n"
        "Let op: de agenda staat op https://example.org/agenda.\n"
        "Het punt is, zeg maar: niemand leest hem.\n"
        "I: Waarom niet?\n"
        "R: Te druk.\n"
    )
    segments = parse_text(text, source="overleg.txt", transcript_id="overleg").segments
    assert [s.speaker for s in segments] == ["I", "R", "I", "R"]
    assert segments[1].text.endswith("zeg maar: niemand leest hem.")


def test_prose_colon_in_unlabelled_text_is_not_a_speaker() -> None:
    text = "Het huis draait goed.\nKortom: iedereen kent elkaar.\n\nDe politie is er vaak.\n"
    segments = parse_text(text, source="memo.txt", transcript_id="memo").segments
    assert [(s.speaker, s.text) for s in segments] == [
        ("", "Het huis draait goed.\nKortom: iedereen kent elkaar."),
        ("", "De politie is er vaak."),
    ]


def test_short_files_still_find_their_speakers() -> None:
    two_turns = parse_text("I: Wat doet u?\nR: Ik coördineer.\n", source="a.txt", transcript_id="a")
    assert [(s.speaker, s.text) for s in two_turns.segments] == [
        ("I", "Wat doet u?"), ("R", "Ik coördineer."),
    ]
    monologue = parse_text("R: Ik werk bij de gemeente.\nAl tien jaar.\n", source="b.txt",
                           transcript_id="b")
    assert [(s.speaker, s.text) for s in monologue.segments] == [
        ("R", "Ik werk bij de gemeente.\nAl tien jaar."),
    ]


def test_repeated_labels_and_brackets_and_markdown_bold(tmp_path: Path) -> None:
    text = (
        "# Gesprek met de wijkagent\n\n"
        "**[I]:** Hoe vaak bent u in het huis?\n"
        "**Wijkagent**: Eens per week.\n"
        "**[I]:** En uw collega?\n"
        "**Wijkagent**: Die komt nooit.\n"
    )
    transcript = parse_file(write(tmp_path, "wijkagent.md", text))
    assert [(s.number, s.speaker, s.interviewer, s.text) for s in transcript.segments] == [
        (1, "[I]", True, "Hoe vaak bent u in het huis?"),
        (2, "Wijkagent", False, "Eens per week."),
        (3, "[I]", True, "En uw collega?"),
        (4, "Wijkagent", False, "Die komt nooit."),
    ]
    # The text before the first turn is the header, not a turn.
    assert transcript.header == "# Gesprek met de wijkagent"


def test_interviewer_labels_from_front_matter_and_argument(tmp_path: Path) -> None:
    text = (
        "---\ninterviewer: Onderzoeker\n---\n"
        "Onderzoeker: Wie zit het overleg voor?\n"
        "Respondent: De procesregisseur.\n"
        "Onderzoeker: Altijd?\n"
        "Respondent: Bijna altijd.\n"
    )
    path = write(tmp_path, "r08.txt", text)
    by_front_matter = parse_file(path).segments
    assert [s.interviewer for s in by_front_matter] == [True, False, True, False]
    by_argument = parse_file(path, interviewer_labels=["Respondent"]).segments
    assert [s.interviewer for s in by_argument] == [False, True, False, True]


def test_declared_speakers_switch_off_guessing() -> None:
    text = (
        "---\nspeakers: [I, R]\n---\n"
        "I: Een voorbeeld?\n"
        "R: Ja.\nBijvoorbeeld: de buurtbemiddeling.\n"
        "I: Nog een?\n"
        "R: Ja.\nBijvoorbeeld: het jongerenwerk.\n"
    )
    segments = parse_text(text, source="r09.txt", transcript_id="r09").segments
    assert [s.speaker for s in segments] == ["I", "R", "I", "R"]
    assert segments[3].text == "Ja.\nBijvoorbeeld: het jongerenwerk."


def test_labels_that_only_repeat_are_kept_but_noted() -> None:
    text = (
        "I: Een voorbeeld?\n"
        "R: Ja.\nBijvoorbeeld: de buurtbemiddeling.\n"
        "I: Nog een?\n"
        "R: Ja.\nBijvoorbeeld: het jongerenwerk.\n"
    )
    transcript = parse_text(text, source="r09.txt", transcript_id="r09")
    assert [s.speaker for s in transcript.segments] == ["I", "R", "Bijvoorbeeld", "I", "R",
                                                        "Bijvoorbeeld"]
    assert transcript.notes == (
        "r09.txt:3: 'Bijvoorbeeld:' starts 2 lines and is read as a speaker, although it never "
        "answers the interviewer; if it is ordinary text, list the real speakers in the front "
        "matter, e.g. 'speakers: [I, R]'",
    )


def test_empty_turn_keeps_its_number() -> None:
    text = "I: Wat vindt u van het convenant?\nR:\nI: Geen mening?\nR: Nee.\n"
    segments = parse_text(text, source="r10.txt", transcript_id="r10").segments
    assert [(s.number, s.speaker, s.text) for s in segments] == [
        (1, "I", "Wat vindt u van het convenant?"), (2, "R", ""),
        (3, "I", "Geen mening?"), (4, "R", "Nee."),
    ]


def test_unlabelled_file_has_one_segment_per_paragraph(tmp_path: Path) -> None:
    text = (
        "Het Veiligheidshuis is een netwerk van partners.\nNiemand is de baas.\n\n\n"
        "De gemeente betaalt wel de coördinator.\n  \n"
        "Dat geeft soms spanning.\n"
    )
    transcript = parse_file(write(tmp_path, "notitie.txt", text))
    assert [(s.number, s.speaker, s.interviewer, s.text) for s in transcript.segments] == [
        (1, "", False, "Het Veiligheidshuis is een netwerk van partners.\nNiemand is de baas."),
        (2, "", False, "De gemeente betaalt wel de coördinator."),
        (3, "", False, "Dat geeft soms spanning."),
    ]


def test_segment_text_is_byte_exact_with_diacritics(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "één")  # must not be recomposed
    answer = (
        f"De coöperatie bespreekt de casuïstiek aan {decomposed} tafel.\n"
        "\t“Zo zeggen we dat,” zei de ketenmanager."
    )
    path = write(tmp_path, "exact.txt", f"I: Hoe werkt het?\n\nR:   {answer}   \n\n")
    transcript = parse_file(path)
    assert transcript.segments[1].text == answer
    assert transcript.segments[1].text.encode("utf-8") in path.read_bytes()


# --- decoding ----------------------------------------------------------------------------


def test_bom_and_crlf_and_lone_cr_are_normalised(tmp_path: Path) -> None:
    text = INTERVIEW.replace("\n", "\r\n")
    with_bom = tmp_path / "bom.txt"
    with_bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    lone_cr = tmp_path / "cr.txt"
    lone_cr.write_bytes(INTERVIEW.replace("\n", "\r").encode("utf-8"))
    plain = parse_file(write(tmp_path, "plain.txt", INTERVIEW))
    for path in (with_bom, lone_cr):
        transcript = parse_file(path)
        assert transcript.respondent == "R07"
        assert transcript.segments == plain.segments
        assert transcript.content_hash == plain.content_hash
        assert transcript.notes == ()


def test_utf16_with_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(INTERVIEW.encode("utf-16"))
    assert parse_file(path).segments[3].text.startswith("De lijnen zijn kort.")


def test_windows_1252_is_decoded_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "word-export.txt"
    path.write_bytes("I: En de coöperatie?\nR: Die werkt “prima”.\n".encode("cp1252"))
    transcript = parse_file(path)
    assert transcript.segments[0].text == "En de coöperatie?"
    assert transcript.segments[1].text == "Die werkt “prima”."
    assert transcript.notes == (
        f"{path}: decoded as Windows-1252 (not UTF-8); save as UTF-8 to silence this note",
    )


def test_undecodable_bytes_are_refused_with_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "kapot.txt"
    path.write_bytes(b"I: Hoe gaat het?\r\nR: Goed \x81 dank u.\r\n")
    with pytest.raises(TranscriptError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: cannot decode byte 0x81 at offset 26")
    assert "save it as UTF-8" in message and "\n" not in message


def test_mixed_encodings_are_refused_not_garbled(tmp_path: Path) -> None:
    path = tmp_path / "gemengd.txt"
    raw = "I: Eén vraag.\nR: De coöperatie en de casuïstiek.\n".encode() + b"R: Co\xf6p.\n"
    path.write_bytes(raw)
    with pytest.raises(TranscriptError, match=r"gemengd.txt:3: byte 0xF6 at offset \d+ is not "
                                              r"valid UTF-8.*mixed encodings"):
        parse_file(path)


def test_binary_input_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "opname.txt"
    path.write_bytes(b"RIFF\x00\x00\x01\x00WAVEfmt \x10\x00\x00\x00")
    with pytest.raises(TranscriptError) as caught:
        parse_file(path)
    assert str(caught.value) == (
        f"{path}: looks like a binary file, not a transcript; save it as UTF-8 text (.txt) "
        "or .docx"
    )
    utf16 = tmp_path / "zonder-bom.txt"
    utf16.write_bytes("I: Wat?\nR: Niets.\n".encode("utf-16-le"))
    with pytest.raises(TranscriptError, match=r"zonder-bom.txt: looks like UTF-16 text without"):
        parse_file(utf16)
    zipped = tmp_path / "verkeerd.txt"
    zipped.write_bytes(b"PK\x03\x04\x14\x00\x06\x00")
    with pytest.raises(TranscriptError, match=r"verkeerd.txt: looks like a Word .docx"):
        parse_file(zipped)


def test_decode_bytes_returns_text_and_notes() -> None:
    assert decode_bytes(b"\xef\xbb\xbfI: Ja\r\n", source="x.txt") == ("I: Ja\n", [])
    text, notes = decode_bytes("één".encode("cp1252"), source="x.txt")
    assert text == "één" and notes[0].startswith("x.txt: decoded as Windows-1252")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"", ""),
        (b"  \r\n\t\n", ""),
        (b"---\nrespondent: R01\n---\n\n", " after the front matter"),
    ],
)
def test_empty_transcripts_are_refused(tmp_path: Path, content: bytes, where: str) -> None:
    path = tmp_path / "leeg.txt"
    path.write_bytes(content)
    with pytest.raises(TranscriptError) as caught:
        parse_file(path)
    assert str(caught.value) == (
        f"{path}: empty transcript: there is no interview text{where}; add the transcript "
        "text or leave this file out"
    )


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("respondent: R01\ncase: [Oost\n",
         r"kop.txt:3: invalid front matter: expected ',' or '\]'.*\(while parsing a flow"),
        ("respondent: R01\nrole: a: b\n", r"kop.txt:3: invalid front matter: mapping values"),
        ("- R01\n- Oost\n", r"kop.txt:2: front matter must be 'key: value' lines"),
        ("case: &c Oost\nrole: *c\n", r"kop.txt:2: YAML anchors and aliases"),
        ("case:\n  naam: Oost\n", r"kop.txt:2: front matter key 'case' must hold a value"),
        ("case: Oost\nCase: West\n", r"kop.txt:3: front matter key 'case' appears twice"),
    ],
)
def test_bad_front_matter_names_file_and_line(tmp_path: Path, front: str, expected: str) -> None:
    path = write(tmp_path, "kop.txt", f"---\n{front}---\nR: Ja.\n")
    with pytest.raises(TranscriptError, match=expected) as caught:
        parse_file(path)
    assert "\n" not in str(caught.value)


def test_unclosed_front_matter_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "open.txt", "---\nrespondent: R01\nR: Ja.\n")
    with pytest.raises(TranscriptError, match=r"open.txt:1: the front matter .* never closed"):
        parse_file(path)


# --- suffixes ----------------------------------------------------------------------------


def test_unknown_suffix_and_missing_file_are_refused(tmp_path: Path) -> None:
    assert ".txt" in SUPPORTED_SUFFIXES and ".docx" in SUPPORTED_SUFFIXES
    with pytest.raises(TranscriptError, match=r"interview.pdf: cannot read '.pdf' files"):
        parse_file(write(tmp_path, "interview.pdf", "R: Ja.\n"))
    with pytest.raises(TranscriptError, match=r"weg.txt: cannot read the file"):
        parse_file(tmp_path / "weg.txt")


# --- Word --------------------------------------------------------------------------------


def test_docx_paragraphs_become_turns(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ["---", "respondent: R11", "case: Veiligheidshuis Oost", "---",
                 "I: Hoe deelt u informatie met de zorgpartners?",
                 "R: Mondeling, in het casusoverleg.",
                 "Schriftelijk alleen als het convenant het toestaat.",
                 "",
                 "Dat is soms lastig."]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    for row, (speaker, said) in zip(table.rows, [("I", "En met de gemeente?"),
                                                 ("R", "Daar is één vast aanspreekpunt.")],
                                    strict=True):
        row.cells[0].text = speaker
        row.cells[1].text = said
    path = tmp_path / "oost-r11.docx"
    document.save(str(path))

    transcript = parse_file(path)
    assert (transcript.id, transcript.format, transcript.respondent) == ("oost-r11", "docx", "R11")
    assert transcript.metadata == {"case": "Veiligheidshuis Oost"}
    assert [(s.speaker, s.interviewer, s.text) for s in transcript.segments] == [
        ("I", True, "Hoe deelt u informatie met de zorgpartners?"),
        ("R", False, "Mondeling, in het casusoverleg.\n"
                     "Schriftelijk alleen als het convenant het toestaat.\n\n"
                     "Dat is soms lastig."),
        ("I", True, "En met de gemeente?"),
        ("R", False, "Daar is één vast aanspreekpunt."),
    ]


def test_unlabelled_docx_has_one_segment_per_paragraph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Het huis is een netwerk.")
    document.add_paragraph("De regie ligt bij de partners.")
    path = tmp_path / "notitie.docx"
    document.save(str(path))
    assert [s.text for s in parse_file(path).segments] == [
        "Het huis is een netwerk.", "De regie ligt bij de partners.",
    ]


def test_invalid_docx_is_refused(tmp_path: Path) -> None:
    not_zip = write(tmp_path, "tekst.docx", "I: Dit is gewoon tekst.\n")
    with pytest.raises(TranscriptError) as caught:
        parse_file(not_zip)
    assert str(caught.value) == (
        f"{not_zip}: not a valid .docx file (the file is not a zip archive, as every .docx "
        "is); open it in Word and save as .docx again"
    )
    other_zip = tmp_path / "archief.docx"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("leesmij.txt", "geen Word")
    with pytest.raises(TranscriptError, match=r"archief.docx: not a valid .docx file \(cannot "
                                              r"read its Word content"):
        parse_file(other_zip)


# --- WebVTT and SubRip -------------------------------------------------------------------

VTT = """\
WEBVTT - opname casusoverleg

NOTE opgenomen in het Veiligheidshuis,
geanonimiseerd

STYLE
::cue { color: white }

1
00:00:01.000 --> 00:00:04.500 align:start
<v I>Welkom. Wie zit er vandaag aan tafel?</v>

2
00:00:05.000 --> 00:00:07.250
<v.loud Deelnemer 1>De wijkagent en de reclassering.</v>

00:00:07.250 --> 00:00:09.000
<v Deelnemer 1><i>En</i> iemand van de <c.geel>woningcorporatie</c> &amp; de GGZ.

01:02.000 --> 01:03.000
<v I>Dank u.
"""


def test_vtt_voices_merge_and_keep_timestamps(tmp_path: Path) -> None:
    transcript = parse_file(write(tmp_path, "overleg.vtt", VTT))
    assert transcript.format == "vtt"
    assert [(s.number, s.speaker, s.interviewer, s.text, s.start_time, s.end_time)
            for s in transcript.segments] == [
        (1, "I", True, "Welkom. Wie zit er vandaag aan tafel?", "00:00:01.000", "00:00:04.500"),
        (2, "Deelnemer 1", False,
         "De wijkagent en de reclassering.\nEn iemand van de woningcorporatie & de GGZ.",
         "00:00:05.000", "00:00:09.000"),
        (3, "I", True, "Dank u.", "00:01:02.000", "00:01:03.000"),
    ]


def test_vtt_without_speakers_has_one_segment_per_cue(tmp_path: Path) -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nEerste zin.\n\n00:02.000 --> 00:03.000\nTweede.\n"
    segments = parse_file(write(tmp_path, "kaal.vtt", text)).segments
    assert [(s.speaker, s.text, s.start_time) for s in segments] == [
        ("", "Eerste zin.", "00:00:01.000"), ("", "Tweede.", "00:00:02.000"),
    ]


def test_srt_name_prefixes_and_comma_millis(tmp_path: Path) -> None:
    text = (
        "1\n00:00:00,500 --> 00:00:02,000\nInterviewer: Wat is uw rol?\n\n"
        "2\n00:00:02,100 --> 00:00:04,000\nRespondent: Ik ben ketenregisseur.\n\n"
        "3\n00:00:04,000 --> 00:00:06,900\nRespondent: Let op: <i>minder</i> dan < 5 casussen\n"
        "per week.\n\n"
        "4\n00:00:07,000 --> 00:00:08,000\nInterviewer: Dank u.\n"
    )
    transcript = parse_file(write(tmp_path, "gesprek.srt", text))
    assert transcript.format == "srt"
    assert [(s.speaker, s.interviewer, s.text, s.start_time, s.end_time)
            for s in transcript.segments] == [
        ("Interviewer", True, "Wat is uw rol?", "00:00:00.500", "00:00:02.000"),
        ("Respondent", False,
         "Ik ben ketenregisseur.\nLet op: minder dan < 5 casussen\nper week.",
         "00:00:02.100", "00:00:06.900"),
        ("Interviewer", True, "Dank u.", "00:00:07.000", "00:00:08.000"),
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("fout.srt", "1\n00:00:01,000 --> 00:00:02\nHallo.\n",
         r"fout.srt:2: malformed cue timing '00:00:01,000 --> 00:00:02'; write it as "
         r"'HH:MM:SS,mmm --> HH:MM:SS,mmm'"),
        ("fout.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo.\n\n00:00:03.000 -> x\nDag\n",
         r"fout.vtt:6: expected a cue with a timing line"),
        ("fout.vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHallo.\n",
         r"fout.vtt:3: cue ends \(00:00:02.000\) before it starts"),
        ("leeg.vtt", "WEBVTT\n\nNOTE alleen een notitie\n",
         r"leeg.vtt: empty transcript: no cue with text"),
    ],
)
def test_bad_subtitles_name_file_and_line(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    with pytest.raises(TranscriptError, match=expected):
        parse_file(write(tmp_path, name, text))
