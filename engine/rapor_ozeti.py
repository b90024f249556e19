"""Precomputed dashboard figures: the reports of the default view, computed off the request path.

A year of national figures (counts, percentiles of answer times, bottlenecks) reads every talep filed in the year:
at a million talepler that is seconds of database time, too slow for a page. ``hazirla`` (run by
``flask raporlar hazirla --dongu`` beside the scheduler) computes the three reports of the dashboard's default view
(the last 365 days, no filter) for MİGM and for every Valilik and stores them in ``rapor_ozeti``; the dashboard
reads a stored result younger than its limit and computes anything else live, as before. Figures are therefore
"as of" the time shown on the page; the talep lists are never stored.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import raporlar as R
from engine.models import Birim, RaporOzeti

#: the dashboard's default range: the last 365 days up to today (Türkiye dates)
VARSAYILAN_GUN = 365
#: report name -> the function computing it
RAPORLAR = {"sayi": R.sayilar, "sure": R.cevap_sureleri, "darbogaz": R.darbogazlar}


def varsayilan_filtre(bugun: date) -> R.Filtre:
    return R.Filtre(baslangic=bugun - timedelta(days=VARSAYILAN_GUN - 1), bitis=bugun)


def anahtar(ad: str, kapsam: R.Kapsam, filtre: R.Filtre) -> str:
    """A stable key of (report, scope, filter)."""
    f = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(filtre).items()}
    return json.dumps([ad, kapsam.birim_id, kapsam.rol, f], sort_keys=True, separators=(",", ":"))


# --- to and from JSON ------------------------------------------------------------------------------------------

def _kodla(ad: str, deger) -> bytes:
    ham = [asdict(d) for d in deger] if ad == "darbogaz" else asdict(deger)
    return zlib.compress(json.dumps(ham, ensure_ascii=False).encode(), 6)


def _sure(d: dict | None) -> R.SureSatiri | None:
    return None if d is None else R.SureSatiri(**d)


def _coz(ad: str, veri: bytes):
    ham = json.loads(zlib.decompress(veri))
    if ad == "darbogaz":
        return [R.Darbogaz(**d) for d in ham]
    if ad == "sayi":
        return R.Sayilar(ozet=ham["ozet"], durum=[tuple(x) for x in ham["durum"]],
                         tur=[tuple(x) for x in ham["tur"]], il=[tuple(x) for x in ham["il"]],
                         birim_turu=[R.BirimSayisi(**b) for b in ham["birim_turu"]],
                         birim=[R.BirimSayisi(**b) for b in ham["birim"]])
    listeler = {f.name for f in fields(R.CevapSureleri)} - {"genel"}
    return R.CevapSureleri(genel=_sure(ham["genel"]), **{k: [_sure(x) for x in ham[k]] for k in listeler})


# --- reading and writing ------------------------------------------------------------------------------------------

def oku(session: Session, ad: str, kapsam: R.Kapsam, filtre: R.Filtre, en_eski: datetime):
    """(figures, when computed) stored for this report, scope and filter since ``en_eski``; else None."""
    satir = session.get(RaporOzeti, anahtar(ad, kapsam, filtre))
    if satir is None or satir.hesaplanma < en_eski:
        return None
    return _coz(ad, satir.veri), satir.hesaplanma


def yaz(session: Session, ad: str, kapsam: R.Kapsam, filtre: R.Filtre, deger, simdi: datetime) -> None:
    k = anahtar(ad, kapsam, filtre)
    satir = session.get(RaporOzeti, k)
    if satir is None:
        session.add(RaporOzeti(anahtar=k, hesaplanma=simdi, veri=_kodla(ad, deger)))
    else:
        satir.hesaplanma, satir.veri = simdi, _kodla(ad, deger)


def kapsamlar(session: Session) -> list[R.Kapsam]:
    """The scopes whose dashboards are precomputed: MİGM's (everything) and each active Valilik's. A Belediye's or
    a sub-unit's figures cover few talepler and are computed live in tens of milliseconds."""
    valilikler = session.scalars(select(Birim.id).where(Birim.rol == "VALILIK", Birim.aktif.is_(True))
                                 .order_by(Birim.id))
    return [R.Kapsam()] + [R.Kapsam(b, "VALILIK") for b in valilikler]


def hazirla(database, simdi: datetime, bugun: date) -> int:
    """Compute and store the default view's reports for every precomputed scope, one transaction per scope (a
    reader never waits on the whole run), and drop results older than a day. Returns the number of scopes."""
    filtre = varsayilan_filtre(bugun)
    with database.session() as s:
        hepsi = kapsamlar(s)
    for kapsam in hepsi:
        # computed in a read session, written in a short transaction: the write lock is never held for seconds
        with database.session() as s:
            sonuclar = {ad: hesapla(s, kapsam, filtre, simdi) for ad, hesapla in RAPORLAR.items()}
        with database.unit_of_work() as s:
            for ad, deger in sonuclar.items():
                yaz(s, ad, kapsam, filtre, deger, simdi)
    with database.unit_of_work() as s:
        s.execute(delete(RaporOzeti).where(RaporOzeti.hesaplanma < simdi - timedelta(days=1)))
    return len(hepsi)
