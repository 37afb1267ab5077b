"""Run every detector over a text and keep one finding per stretch of text."""

from __future__ import annotations

from collections.abc import Sequence

from qcode.anonymity.findings import Detector, Span, resolve_overlaps
from qcode.anonymity.numbers import find_bsn, find_ibans, find_phone_numbers
from qcode.anonymity.patterns import (
    find_addresses,
    find_birth_dates,
    find_emails,
    find_licence_plates,
)

PATTERN_DETECTORS: tuple[Detector, ...] = (
    find_emails,
    find_ibans,
    find_addresses,
    find_birth_dates,
    find_bsn,
    find_phone_numbers,
    find_licence_plates,
)
"""The detectors that need nothing but the text; names and places come from deduce."""


def find_identifiers(text: str, *, extra: Sequence[Detector] = ()) -> list[Span]:
    """Every identifier in ``text``, in order, without overlaps.

    ``extra`` detectors (the deduce adapter for names and places) run after the pattern
    detectors; where both find something, the pattern's finding wins (a phone number is a
    phone number, even when deduce also calls it something else).
    """
    spans: list[Span] = []
    for detector in (*PATTERN_DETECTORS, *extra):
        spans.extend(detector(text))
    return resolve_overlaps(spans)
