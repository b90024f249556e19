"""Identity numbers and phone numbers: validation, normalisation and masking.

Pure functions, no database and no Flask, so forms, the engine and the CLI check the same rules.
"""
from __future__ import annotations

import re

_TC_RE = re.compile(r"[1-9][0-9]{10}")
_SEED_RE = re.compile(r"[1-9][0-9]{8}")
# Separators people type inside a phone number: "0 (532) 123-45.12".
_TELEFON_AYIRAC_RE = re.compile(r"[\s\-().\u00a0]")
# A Turkish mobile number in national form: ten digits starting with 5 (5xx operator prefix).
_MOBIL_RE = re.compile(r"5[0-9]{9}")
# What may stand before the national number: nothing, the country code in its written forms, or the
# domestic trunk prefix "0". A ten-digit rest starting with 5 makes every choice unambiguous.
_ONEKLER = ("", "+90", "0090", "90", "0")


def _tc_kontrol_hanesi(ilk9: str) -> str:
    """The 10th and 11th digits of a TC kimlik no whose first nine digits are ``ilk9``."""
    d = [int(c) for c in ilk9]
    # Python's % is never negative, so a negative difference still gives a digit 0-9.
    d10 = ((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10
    d11 = (sum(d) + d10) % 10
    return f"{d10}{d11}"


def tc_kimlik_gecerli(no: str) -> bool:
    """True when ``no`` is an 11-digit TC kimlik no, not starting with 0, whose checksum digits match.

    Anything else (None, wrong type, spaces, letters) is False; it never raises."""
    if not isinstance(no, str) or not _TC_RE.fullmatch(no):
        return False
    return no[9:] == _tc_kontrol_hanesi(no[:9])


def tc_kimlik_uret(seed9: str) -> str:
    """A valid TC kimlik no from nine digits (first not 0): the digits followed by their two checksum digits.

    For demo and test data. Raises ValueError for any other input."""
    if not isinstance(seed9, str) or not _SEED_RE.fullmatch(seed9):
        raise ValueError(f"TC kimlik no üretmek için 0 ile başlamayan 9 hane gerekir: {seed9!r}")
    return seed9 + _tc_kontrol_hanesi(seed9)


def tc_maskele(no: str) -> str:
    """``"10000000146"`` -> ``"100******46"``: enough for a person to recognise, not to reuse.

    Input that is not 11 digits is fully masked, so a typo never leaks a whole number."""
    if not isinstance(no, str) or not re.fullmatch(r"[0-9]{11}", no):
        return "*" * 11
    return no[:3] + "*" * 6 + no[-2:]


def telefon_normalize(s: str | None) -> str | None:
    """A Turkish mobile number as ``"+905xxxxxxxxx"``, or None when ``s`` is not one.

    Accepts 05xx..., 5xx..., +90 5xx..., 90 5xx..., 0090 5xx... with spaces, dashes, dots and
    parentheses anywhere. Landlines, foreign numbers, letters and wrong lengths give None."""
    if not isinstance(s, str):
        return None
    yalin = _TELEFON_AYIRAC_RE.sub("", s)
    for onek in _ONEKLER:
        if yalin.startswith(onek) and _MOBIL_RE.fullmatch(yalin[len(onek):]):
            return "+90" + yalin[len(onek):]
    return None


def telefon_maskele(telefon: str | None) -> str:
    """``"+905321234512"`` -> ``"05** *** ** 12"``: the national form with only the last two digits shown.

    Accepts any form ``telefon_normalize`` accepts; an invalid number is fully masked."""
    normal = telefon_normalize(telefon)
    if normal is None:
        return "0*** *** ** **"
    return f"05** *** ** {normal[-2:]}"
