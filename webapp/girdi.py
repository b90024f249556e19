"""Reading whole numbers from request values (query strings, form fields, the session).

One rule for every id, page number and cursor a request carries: ASCII digits only, few enough of them to fit
a PostgreSQL BIGINT. ``str.isdigit()`` alone is not enough: "²" passes it but ``int("²")`` raises, and
Arabic-Indic digits ("٣") pass it and ``int()`` reads them, so the same number would have two spellings.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: the largest value a PostgreSQL BIGINT (and SQLite INTEGER) column holds; a larger one overflows in the query
BIGINT_EN_BUYUK = 2**63 - 1


def rakam_mi(deger: str | None, en_az: int = 1, en_cok: int = 18) -> bool:
    """True if ``deger`` is a string of ``en_az`` to ``en_cok`` ASCII digits ("0"-"9"), nothing else."""
    return (isinstance(deger, str) and en_az <= len(deger) <= en_cok
            and deger.isascii() and deger.isdigit())


def tamsayi_oku(deger: str | None, en_cok_hane: int = 18, varsayilan: int | None = None) -> int | None:
    """``deger`` as an int if it is 1 to ``en_cok_hane`` ASCII digits and fits a BIGINT, else ``varsayilan``.

    No sign, no spaces, no other digits: "-1", " 5", "²" and "٣" are all ``varsayilan``.
    """
    if not rakam_mi(deger, 1, en_cok_hane):
        return varsayilan
    sayi = int(deger)
    return sayi if sayi <= BIGINT_EN_BUYUK else varsayilan


class AsciiTamsayi(IntegerConverter):
    """The ``<int:...>`` of every route: ASCII digits only, at most 18 (Werkzeug's own takes any Unicode
    digit, so "/kurum/talep/١" was talep 1 under a second address; and an id past BIGINT never reaches a query)."""
    regex = r"[0-9]{1,18}"
