"""Turkish-insensitive text search in SQL: "cankaya" finds "Çankaya", "izmir" finds "İZMİR".

Neither SQLite's LIKE nor PostgreSQL's ILIKE under the C locale folds "İ", "ı", "Ş"... so both sides are
folded the same way: Turkish letters to their base Latin letter, then lower(). A substring search scans
anyway; on PostgreSQL a pg_trgm index on the folded expression would make it fast for large tables.
"""
from __future__ import annotations

from sqlalchemy import func

#: Turkish letter -> the letter it is searched as
KATLAMA = {"İ": "i", "I": "i", "ı": "i", "Ş": "s", "ş": "s", "Ğ": "g", "ğ": "g", "Ü": "u", "ü": "u",
           "Ö": "o", "ö": "o", "Ç": "c", "ç": "c", "Â": "a", "â": "a", "Î": "i", "î": "i", "Û": "u", "û": "u"}
_TABLO = str.maketrans(KATLAMA)


def katla(metin: str) -> str:
    return (metin or "").translate(_TABLO).lower()


def katla_sql(kolon):
    ifade = kolon
    for harf, yerine in KATLAMA.items():
        ifade = func.replace(ifade, harf, yerine)
    return func.lower(ifade)


def kalip(metin: str) -> str:
    """A LIKE pattern for "contains", with the wildcards of ``metin`` escaped (escape character \\)."""
    katli = katla(metin)
    return "%" + katli.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def icerir(kolon, metin: str):
    """WHERE clause: the column contains ``metin``, ignoring case and Turkish letters."""
    return katla_sql(kolon).like(kalip(metin), escape="\\")
