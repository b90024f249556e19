"""Searching the muhtar registry (issue 9): the muhtars of the user's scope by il, ilçe, mahalle, name or TC
Kimlik No, or the mahalleler without a muhtar, one page at a time. No Flask.

Text matches ignore case and Turkish letters ("cankaya" finds "Çankaya") by folding both sides the same way,
as the kurum lists do (``webapp.kurum.arama``; repeated here because engine/ does not import webapp/).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, null, or_, select
from sqlalchemy.orm import Session

from engine.models import Il, Ilce, Muhtar, Muhtarlik
from engine.muhtar_kayit import Kapsam

SAYFA_BOYU = 50
#: the list states the search offers
DURUMLAR = {"gorevde": "Görevdekiler", "muhtarsiz": "Muhtarı olmayan mahalleler", "tum": "Tüm dönemler"}


#: Turkish letters -> the letter they are searched as (the same folding as the kurum lists' search)
KATLAMA = {"İ": "i", "I": "i", "ı": "i", "Ş": "s", "ş": "s", "Ğ": "g", "ğ": "g", "Ü": "u", "ü": "u",
           "Ö": "o", "ö": "o", "Ç": "c", "ç": "c", "Â": "a", "â": "a", "Î": "i", "î": "i", "Û": "u", "û": "u"}
_KATLAMA_TABLOSU = str.maketrans(KATLAMA)


def katla(metin: str | None) -> str:
    """"Çankaya" -> "cankaya", "İZMİR" -> "izmir": both sides of a search folded the same way."""
    return " ".join((metin or "").translate(_KATLAMA_TABLOSU).lower().split())


def _katla_sql(kolon):
    ifade = kolon
    for harf, yerine in KATLAMA.items():
        ifade = func.replace(ifade, harf, yerine)
    return func.lower(ifade)


def _icerir(kolon, metin: str):
    kalip = "%" + katla(metin).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return _katla_sql(kolon).like(kalip, escape="\\")


@dataclass(frozen=True)
class Arama:
    """The search form: il (MİGM only), ilçe, mahalle text, name text, TC digits, list state."""
    il_kod: str | None = None
    ilce_id: int | None = None
    mahalle: str = ""
    ad: str = ""
    tc: str = ""
    durum: str = "gorevde"


@dataclass
class Satir:
    """One result row: a muhtarlık with one of its terms (``muhtar`` None in the "muhtarsız" list)."""
    muhtarlik_id: int
    mahalle: str
    ilce: str
    il: str
    muhtar: Muhtar | None


@dataclass
class Sayfa:
    satirlar: list[Satir]
    toplam: int
    sayfa: int
    sayfa_sayisi: int


def muhtar_ara(session: Session, kapsam: Kapsam, arama: Arama, sayfa: int, gun: date,
               boy: int = SAYFA_BOYU) -> Sayfa:
    """One page (``boy`` rows, pages from 1, clamped) of the muhtars (or muhtar-less mahalleler) in scope."""
    yer = (select(Muhtarlik.id, Muhtarlik.ad, Ilce.ad, Il.ad).join(Ilce, Muhtarlik.ilce_id == Ilce.id)
           .join(Il, Ilce.il_kod == Il.kod))
    guncel = or_(Muhtar.gorev_bitis.is_(None), Muhtar.gorev_bitis > gun)
    if arama.durum == "muhtarsiz":
        sorgu = yer.add_columns(null()).where(~select(Muhtar.id).where(Muhtar.muhtarlik_id == Muhtarlik.id, guncel)
                                            .exists())
    else:
        sorgu = yer.add_columns(Muhtar).join(Muhtar, Muhtar.muhtarlik_id == Muhtarlik.id)
        sorgu = sorgu.where(guncel) if arama.durum == "gorevde" else sorgu
        sorgu = _kisi_kosullari(sorgu, arama)
    sorgu = _yer_kosullari(sorgu, kapsam, arama)
    toplam = session.scalar(select(func.count()).select_from(sorgu.subquery()))
    sayfa_sayisi = max(1, -(-toplam // boy))
    sayfa = min(max(1, sayfa), sayfa_sayisi)
    sirali = sorgu.order_by(Il.kod, Ilce.ad, Muhtarlik.ad, Muhtarlik.id)
    if arama.durum != "muhtarsiz":
        sirali = sirali.order_by(Muhtar.gorev_baslangic.desc(), Muhtar.id.desc())
    satirlar = [Satir(*r) for r in session.execute(sirali.limit(boy).offset((sayfa - 1) * boy))]
    return Sayfa(satirlar, toplam, sayfa, sayfa_sayisi)


def _yer_kosullari(sorgu, kapsam: Kapsam, arama: Arama):
    if kapsam.il_kod is not None:
        sorgu = sorgu.where(Ilce.il_kod == kapsam.il_kod)
    elif arama.il_kod:
        sorgu = sorgu.where(Ilce.il_kod == arama.il_kod)
    if arama.ilce_id:
        sorgu = sorgu.where(Ilce.id == arama.ilce_id)
    if arama.mahalle.strip():
        sorgu = sorgu.where(_icerir(Muhtarlik.ad, arama.mahalle))
    return sorgu


def _kisi_kosullari(sorgu, arama: Arama):
    if arama.ad.strip():
        sorgu = sorgu.where(_icerir(Muhtar.ad_soyad, arama.ad))
    tc = "".join(c for c in arama.tc if c.isdigit())
    if tc:
        sorgu = sorgu.where(Muhtar.tc_kimlik_no == tc if len(tc) == 11 else Muhtar.tc_kimlik_no.startswith(tc))
    return sorgu


def il_secenekleri(session: Session, kapsam: Kapsam) -> list[tuple[str, str]]:
    sorgu = select(Il.kod, Il.ad).order_by(Il.kod)
    if kapsam.il_kod is not None:
        sorgu = sorgu.where(Il.kod == kapsam.il_kod)
    return [(k, ad) for k, ad in session.execute(sorgu)]


def ilce_secenekleri(session: Session, il_kod: str | None) -> list[tuple[int, str]]:
    if not il_kod:
        return []
    return [(i, ad) for i, ad in session.execute(select(Ilce.id, Ilce.ad).where(Ilce.il_kod == il_kod)
                                                 .order_by(Ilce.ad))]
