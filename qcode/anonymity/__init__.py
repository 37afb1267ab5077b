"""Find identifiers left in transcripts before they are imported, and mask them.

Example::

    from qcode.anonymity import check_paths
    report = check_paths([Path("interviews")])
    for finding in report.findings:
        print(finding.describe())      # interviews/r01.txt:12:8 phone "06-12345678"

Phone numbers, e-mail addresses, BSNs (eleven-test), IBANs (mod-97), postcodes with
house numbers and street addresses, licence plates and dates of birth are found by
pattern; person names and places by deduce when it is installed
(:class:`~qcode.anonymity.names.DeduceNames`). Everything runs offline.
"""

from __future__ import annotations

from qcode.anonymity.check import (
    AnonymityReport,
    FileCheck,
    MaskedCopy,
    check_files,
    check_paths,
    mask_paths,
)
from qcode.anonymity.detect import find_identifiers
from qcode.anonymity.findings import KINDS, AnonymityError, Detector, Finding, Span, placeholder
from qcode.anonymity.numbers import eleven_test, iban_is_valid

__all__ = [
    "KINDS",
    "AnonymityError",
    "AnonymityReport",
    "Detector",
    "FileCheck",
    "Finding",
    "MaskedCopy",
    "Span",
    "check_files",
    "check_paths",
    "eleven_test",
    "find_identifiers",
    "iban_is_valid",
    "mask_paths",
    "placeholder",
]
