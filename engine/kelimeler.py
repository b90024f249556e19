"""The words of a başvuru's açıklama, as the routing decision (processes/oneri.dmn) reads them.

Lower case with the Turkish letters folded to their Latin base ("Çöp" -> "cop", "SAĞLIK" -> "saglik",
"ışık" -> "isik"), so a rule matches however the muhtar typed. Distinct words only, in order of first use,
and a bounded number of them: the list is start data of the process, copied into a few tasks' data before
the decision's task drops it (``del aciklama_kelimeler`` in its postScript).
"""
from __future__ import annotations

import re

#: Turkish letter -> the letter a rule writes
KATLAMA = str.maketrans({"İ": "i", "I": "i", "ı": "i", "Ş": "s", "ş": "s", "Ğ": "g", "ğ": "g", "Ü": "u", "ü": "u",
                         "Ö": "o", "ö": "o", "Ç": "c", "ç": "c", "Â": "a", "â": "a", "Î": "i", "î": "i",
                         "Û": "u", "û": "u"})
EN_COK_KELIME = 200
EN_UZUN_KELIME = 30
_KELIME = re.compile(r"[a-z0-9]+")


def katla(metin: str) -> str:
    return (metin or "").translate(KATLAMA).lower()


def anahtar_kelimeler(aciklama: str) -> list[str]:
    """Distinct folded words of ``aciklama`` (at most EN_COK_KELIME, each at most EN_UZUN_KELIME letters)."""
    gorulen: dict[str, None] = {}
    for kelime in _KELIME.findall(katla(aciklama)):
        if len(kelime) <= EN_UZUN_KELIME:
            gorulen.setdefault(kelime)
            if len(gorulen) >= EN_COK_KELIME:
                break
    return list(gorulen)
