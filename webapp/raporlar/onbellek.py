"""A small in-process cache of report results: the dashboard and its table exports reuse one computation.

The aggregate reports scan every talep in the range (at a million talepler a year's figures take seconds), and a
dashboard plus the exports of its tables ask for the same figures again and again. Results are kept per
(database, report, scope, filter) for ``RAPOR_ONBELLEK_SN`` seconds (default 300; 0 turns it off; off under
TESTING unless set). Figures are therefore at most that old; the talep lists are never cached.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app

VARSAYILAN_SN = 300
EN_COK = 128

_kilit = threading.Lock()
_veri: OrderedDict = OrderedDict()


def sure_sn() -> float:
    return float(current_app.config.get("RAPOR_ONBELLEK_SN", 0 if current_app.testing else VARSAYILAN_SN))


def al(anahtar: tuple, hesapla):
    """``hesapla()`` or its result kept from less than RAPOR_ONBELLEK_SN seconds ago."""
    sure = sure_sn()
    if sure <= 0:
        return hesapla()
    anahtar = (current_app.config["DATABASE_URL"], *anahtar)
    simdi = time.monotonic()
    with _kilit:
        kayit = _veri.get(anahtar)
        if kayit is not None and simdi - kayit[0] < sure:
            _veri.move_to_end(anahtar)
            return kayit[1]
    sonuc = hesapla()  # outside the lock: two requests may compute the same figures once each
    with _kilit:
        _veri[anahtar] = (simdi, sonuc)
        _veri.move_to_end(anahtar)
        while len(_veri) > EN_COK:
            _veri.popitem(last=False)
    return sonuc


def temizle() -> None:
    with _kilit:
        _veri.clear()
