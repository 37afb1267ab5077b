"""Identifiers recognised by their shape: e-mail addresses, addresses and postcodes,
licence plates and dates of birth.

Each pattern is written against the false alarms an interview about Veiligheidshuizen
would raise: a year followed by an acronym ("in 2019 OM en politie") is not a postcode, a
form code is not a licence plate, and an ordinary date ("op 12 maart 2018 hadden we een
casusoverleg") is not a date of birth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qcode.anonymity.findings import Span

# -------------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w+-]+(?:\.[\w+-]+)*@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,24}(?![\w-])"
)


def find_emails(text: str) -> Iterator[Span]:
    """E-mail addresses (``j.jansen@gemeente.nl``); a sentence's full stop is left out."""
    # Only the surroundings of an "@" can hold an address: matching there instead of at
    # every word keeps a long transcript fast.
    end = 0
    at = text.find("@")
    while at >= 0:
        start = at
        while start > end and (text[start - 1].isalnum() or text[start - 1] in "._+-"):
            start -= 1
        match = _EMAIL.search(text, start, min(len(text), at + 256))
        if match is not None and match.start() <= at < match.end():
            yield Span(match.start(), match.end(), "email")
            end = match.end()
        at = text.find("@", max(at + 1, end))


# ------------------------------------------------------------------ postcodes, addresses

_POSTCODE_TAIL = r"\d{3}[ \u00a0]?(?!SA|SD|SS)[A-Z]{2}(?![\w])"
_POSTCODE = r"[1-9]" + _POSTCODE_TAIL
_HOUSE_NUMBER = (
    r"\d{1,5}(?:[ \u00a0]?[a-zA-Z](?![\w])|[-/]\d{1,4}(?!\d))?(?![\w])(?![.,:]\d)"
)
_STREET = (
    r"[A-Z](?<![\w-][A-Z])[a-zà-ÿ'-]+(?:straat|straatweg|laan|weg|plein|kade|gracht|singel|dijk|dreef|"
    r"steeg|pad|plantsoen|allee|boulevard|hof|markt|park)"
)
# Street and house number, optionally followed by the postcode: "Dorpsstraat 12, 1234AB".
_ADDRESS = re.compile(
    rf"{_STREET}[ \u00a0]+{_HOUSE_NUMBER}"
    rf"(?P<postcode>,?[ \u00a0]*{_POSTCODE})?"
)
# Postcode, optionally followed by a house number: "1234 AB 12", "1234AB, nr. 5".
_POSTCODE_NUMBER = re.compile(
    rf"[1-9](?<![\w-][1-9]){_POSTCODE_TAIL}"
    rf"(?P<number>,?[ \u00a0]*(?:(?:nr\.?|nummer|huisnummer)[ \u00a0]*)?{_HOUSE_NUMBER})?"
)
_POSTCODE_WORD = re.compile(r"\bpostcode(?:\s*:|\s+(?:is|was|wordt))?\s*$", re.IGNORECASE)
# Two-letter acronyms that follow a number in these interviews ("2019 OM", "5000 PV's").
_ACRONYMS = frozenset({"OM", "PV", "ID", "BW", "SR", "VH", "NL", "EU", "GG", "HR", "IT"})


def find_addresses(text: str) -> Iterator[Span]:
    """Addresses and postcodes.

    - ``address``: a street and house number ("Dorpsstraat 12", "Kerklaan 3a");
    - ``postcode``: a street address with its postcode, a postcode with a house number
      ("1234 AB 12"), or a postcode on its own when it cannot be something else: written
      without a space ("1234AB"), after the word "postcode", or with a space when the
      number is not a year and the letters are not a common acronym ("2019 OM" is the
      Openbaar Ministerie in 2019, not a postcode).
    """
    for match in _ADDRESS.finditer(text):
        kind = "postcode" if match.group("postcode") else "address"
        yield Span(match.start(), match.end(), kind)
    for match in _POSTCODE_NUMBER.finditer(text):
        if match.group("number"):
            yield Span(match.start(), match.end(), "postcode")
            continue
        digits, letters = match.group()[:4], match.group()[-2:]
        labelled = _POSTCODE_WORD.search(text, max(0, match.start() - 20), match.start())
        if labelled or not match.group()[4].isspace() or (
            not 1900 <= int(digits) <= 2099 and letters not in _ACRONYMS
        ):
            yield Span(match.start(), match.end(), "postcode")


# -------------------------------------------------------------------------- licence plates

# The Dutch sidecodes 1 to 14 (L letter, D digit), always written with their hyphens:
# without them "12ABC3" is as likely a code of some other kind.
_SIDECODES = (
    "LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
    "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D",
)


# Three groups of letters or digits joined by hyphens; its shape (letters as L, digits as
# D) must then be one of the sidecodes.
_PLATE_CANDIDATE = re.compile(
    r"[A-Z\d](?<![\w-][A-Z\d])[A-Z\d]{0,2}-[A-Z\d]{1,3}-[A-Z\d]{1,3}(?![\w-])"
)
_SHAPE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "L" * 26 + "D" * 10)


def find_licence_plates(text: str) -> Iterator[Span]:
    """Dutch licence plates in any sidecode: 12-ABC-3, AB-123-C, 1-ABC-23, XX-99-99 ..."""
    for match in _PLATE_CANDIDATE.finditer(text):
        if match.group().translate(_SHAPE) in _SIDECODES:
            yield Span(match.start(), match.end(), "licence_plate")


# --------------------------------------------------------------------------- dates of birth

_MONTHS = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
    r"december|jan|feb|febr|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)"
)
_DATE = (
    r"(?P<date>\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"
    rf"|\d{{1,2}}(?:e|ste|de)?[ \u00a0]+{_MONTHS}\.?(?:[ \u00a0]+(?:\d{{4}}|'\d{{2}})(?!\d))?"
    rf"(?![\w]))"
)
# The birth context, then at most 40 characters of the same sentence, then the date.
_BIRTH_DATE = re.compile(
    r"\b(?:geboren|geb\.|geb\b|geboortedatum|geboortedag|geb\.?\s?datum|"
    r"date\s+of\s+birth|d\.o\.b\.?|dob)"
    r"(?:[^\n.!?]|\.(?=\S)){0,40}?" + _DATE,
    re.IGNORECASE,
)


def find_birth_dates(text: str) -> Iterator[Span]:
    """A date in a birth context: "geboren op 12 maart 1985", "geb. 12-03-1985",
    "geboortedatum: 1985-03-12". Only the date is reported, and only when it follows the
    context word in the same sentence; other dates are not identifiers."""
    lower = text.lower()
    if len(lower) == len(text):
        # Look for the start of a context word cheaply first (a long transcript rarely
        # has one), then match the pattern only there.
        starts = sorted({at for needle in _BIRTH_NEEDLES for at in _occurrences(lower, needle)})
    else:  # lower-casing changed the offsets (as "İ" does): try everywhere
        starts = [match.start() for match in _BIRTH_DATE.finditer(text)]
    end = 0
    for start in starts:
        if start < end:
            continue
        match = _BIRTH_DATE.match(text, start)
        if match is not None and _plausible_date(match.group("date")):
            end = match.end()
            yield Span(match.start("date"), match.end("date"), "birth_date")


_BIRTH_NEEDLES = ("geb", "date of birth", "dob", "d.o.b")


def _occurrences(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def _plausible_date(date: str) -> bool:
    numbers = [int(part) for part in re.split(r"[-/.]", date) if part.isdigit()]
    if len(numbers) != 3:
        return True  # written with a month name
    day, month = (numbers[2], numbers[1]) if numbers[0] > 31 else (numbers[0], numbers[1])
    return 1 <= day <= 31 and 1 <= month <= 12
