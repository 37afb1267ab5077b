"""Numbers that identify a person: Dutch (and international) phone numbers, BSNs with the
eleven-test and IBANs with their mod-97 check digits.

The patterns are written to stay quiet on the numbers interviews are full of: years
(2018), amounts (€ 1.250,00), times (10:30), dates (12-03-2018), counts and case numbers.
A phone number must start with 0 or +, have the length of a real Dutch number and be
grouped the way people write one; a nine-digit number is only a BSN if it passes the
eleven-test; an IBAN needs its country's length and valid check digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qcode.anonymity.findings import Span

# ---------------------------------------------------------------------------- phone numbers

# The patterns open with a character class and check what precedes it with a lookbehind
# after it, not before: that lets the regex engine skip ahead to candidate characters,
# which makes scanning a long transcript about four times faster.

# A run of digit groups that starts with 0, +, or "(0": separators are one space, or a
# hyphen, dot or slash (with optional spaces around it), or the trunk zero "(0)".
_PHONE_RUN = re.compile(
    r"[+(0](?<![\w@+].)(?<!\d[.,:/-].)"
    r"(?:(?<=\+)\d+|(?<=\()0\d{1,3}\)|(?<=0)\d*)"
    r"(?:(?:[ \u00a0]?\(0\)[ \u00a0]?|[ \u00a0]?[-./][ \u00a0]?|[ \u00a0])\d+)*"
)
_PHONE_GROUP = re.compile(r"\(0\)|\+?\(?\d+\)?")
_DATE_AHEAD = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d)")
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909")


def find_phone_numbers(text: str) -> Iterator[Span]:
    """Dutch mobile (06), landline (010-1234567), service (0800, 0900) and international
    (+31 6 1234 5678, 0031..., +32 ...) phone numbers."""
    for run in _PHONE_RUN.finditer(text):
        groups = [g for g in _PHONE_GROUP.finditer(run.group()) if g.group() != "(0)"]
        base = run.start()
        index = 0
        while index < len(groups):
            start = base + groups[index].start()
            if not _can_start(text, start, first=index == 0):
                index += 1
                continue
            for stop in range(len(groups), index, -1):
                end = base + groups[stop - 1].end()
                if stop < len(groups) and not text[end].isspace():
                    continue  # the number would end inside a longer token
                if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                    continue
                if _is_phone([g.group() for g in groups[index:stop]]):
                    yield Span(start, end, "phone")
                    index = stop
                    break
            else:
                index += 1


def _can_start(text: str, start: int, *, first: bool) -> bool:
    if text[start] not in "+(0":
        return False
    if not first and not text[start - 1].isspace():
        return False
    # 06-03-1985 is a date, not the start of a mobile number.
    return _DATE_AHEAD.match(text, start) is None


def _is_phone(groups: list[str]) -> bool:
    digits = "".join(ch for group in groups for ch in group if ch.isdigit())
    first = groups[0]
    if first.startswith("+") or digits.startswith("00"):
        international = digits[2:] if digits.startswith("00") else digits
        if international.startswith("31"):
            national = "0" + international[2:]
            return _is_dutch_number(national) and all(len(g) >= 2 for g in groups[2:])
        return 9 <= len(international) <= 15 and all(len(g) >= 2 for g in groups[2:])
    area = first.strip("()")
    if len(groups) > 1 and not 2 <= len(area) <= 4:
        return False
    if any(len(group) < 2 for group in groups[1:]) or len(groups) > 5:
        return False
    return _is_dutch_number(digits)


def _is_dutch_number(national: str) -> bool:
    if national.startswith(_SERVICE_PREFIXES):
        return 8 <= len(national) <= 11
    if len(national) != 10 or not national.startswith("0"):
        return False
    return national[1] != "0" and not national.startswith("097")


# ---------------------------------------------------------------------------------- BSN

_BSN = re.compile(
    r"\d(?<![\w@+]\d)(?<!\d[.,/-]\d)"
    r"(?:\d{8}|\d{3}\.\d{2}\.\d{3}|\d{2}(?P<sep>[ .-])\d{3}(?P=sep)\d{3})"
    r"(?![\w])(?![.,/-]\d)"
)
_AMOUNT_BEFORE = re.compile(r"(?:€|\bEUR|\beuro)\s*$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(r"\s*(?:euro\b|EUR\b|,-)", re.IGNORECASE)
# Other nine-digit numbers in the work of a Veiligheidshuis: case, file and report numbers.
_OTHER_NUMBER_BEFORE = re.compile(
    r"(?:zaak|dossier|registratie|parket|factuur|klant|order|referentie|pv|bvh|"
    r"relatie|contract)-?\s?(?:nummer|nr\.?)\s*:?\s*$|\bkenmerk\s*:?\s*$",
    re.IGNORECASE,
)


def eleven_test(digits: str) -> bool:
    """The BSN eleven-test: 9×d1 + 8×d2 + ... + 2×d8 − 1×d9 is a multiple of 11.

    ``digits`` is nine digits (an eight-digit BSN is written with a leading 0). A number
    of only zeros passes the arithmetic but is not a BSN.
    """
    if len(digits) != 9 or not digits.isdigit() or not digits.strip("0"):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def find_bsn(text: str) -> Iterator[Span]:
    """Nine-digit numbers (123456782, 1234.56.782, 123 456 782) that pass the eleven-test,
    unless they are written as an amount or labelled as a case or file number."""
    for match in _BSN.finditer(text):
        digits = "".join(ch for ch in match.group() if ch.isdigit())
        if not eleven_test(digits):
            continue
        before = text[max(0, match.start() - 30):match.start()]
        if _AMOUNT_BEFORE.search(before) or _AMOUNT_AFTER.match(text, match.end()):
            continue
        if _OTHER_NUMBER_BEFORE.search(before):
            continue
        yield Span(match.start(), match.end(), "bsn")


# --------------------------------------------------------------------------------- IBAN

# Lengths from the IBAN registry for the countries a Dutch respondent is likely to bank in.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AL": 28, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28,
    "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "ME": 22,
    "MK": 19, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "RS": 22,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26, "UA": 29, "VA": 22,
}

_IBAN_RUN = re.compile(r"[A-Z](?<![\w-][A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]){10,32}")


def iban_is_valid(iban: str) -> bool:
    """The country's length and the ISO 7064 mod-97 check: moving the first four
    characters to the end and reading letters as numbers (A=10 ... Z=35) leaves 1."""
    compact = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def find_ibans(text: str) -> Iterator[Span]:
    """IBANs of the countries in :data:`IBAN_LENGTHS`, written with or without spaces."""
    for run in _IBAN_RUN.finditer(text):
        length = IBAN_LENGTHS.get(run.group()[:2])
        if length is None:
            continue
        # The IBAN is the first `length` letters and digits of the run, spaces skipped.
        seen = 0
        end = run.start()
        for end in range(run.start(), run.end()):
            if text[end] != " ":
                seen += 1
                if seen == length:
                    break
        end += 1
        if seen != length or (end < len(text) and text[end].isalnum()):
            continue
        if iban_is_valid(text[run.start():end]):
            yield Span(run.start(), end, "iban")
