"""What a muhtar may read: their muhtarlık's talepler, each one's hareketler and shared attachments.

Every query here is scoped by ``muhtarlik_id``: talepler belong to the muhtarlık, so a new muhtar sees the
previous muhtar's talepler and nobody sees another muhtarlık's (the views answer 404). No Flask here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Birim, Ek, Hareket, Il, Ilce, Muhtar, Muhtarlik, Talep
from engine.runtime import TALEP_TURLERI
from webapp.girdi import tamsayi_oku

#: durum -> tab title (the manual's words), in the order of the tabs
DURUMLAR = {
    "bekleyen": "Bekleyen Taleplerim",
    "yonlendirilen": "Yönlendirilen Taleplerim",
    "sonuclanan": "Sonuçlanan Taleplerim",
}
DURUM_ADLARI = {"bekleyen": "Bekliyor", "yonlendirilen": "Yönlendirildi", "sonuclanan": "Sonuçlandı"}
SAYFA_BOYU = 20

#: hareket codes that are bookkeeping, not news for the muhtar
#: internal movements: reminders and escalations between units, version migrations
GIZLI_ISLEMLER = frozenset({"gorev_olustu", "sms_kuyruga_alindi", "sure_hatirlatma", "sure_asimi",
                            "surum_tasindi"})

_NUMARA_RE = re.compile(r"\d{4}-\d{6}")


def tur_adi(tur: str) -> str:
    return TALEP_TURLERI.get(tur, tur)


# --- the muhtar's details -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MuhtarBilgisi:
    ad_soyad: str
    muhtarlik: str
    ilce: str
    il: str


def muhtar_bilgisi(session: Session, muhtar_id: int) -> MuhtarBilgisi:
    """Name, muhtarlık, ilçe and il, as the başvuru page shows them."""
    satir = session.execute(
        select(Muhtar.ad_soyad, Muhtarlik.ad, Ilce.ad, Il.ad)
        .join(Muhtarlik, Muhtar.muhtarlik_id == Muhtarlik.id).join(Ilce, Muhtarlik.ilce_id == Ilce.id)
        .join(Il, Ilce.il_kod == Il.kod).where(Muhtar.id == muhtar_id)).one()
    return MuhtarBilgisi(*satir)


# --- lists ----------------------------------------------------------------------------------------------

def sayilar(session: Session, muhtarlik_id: int) -> dict[str, int]:
    """How many talepler the muhtarlık has in each durum (every key present)."""
    sonuc = dict.fromkeys(DURUMLAR, 0)
    for durum, sayi in session.execute(select(Talep.durum, func.count()).where(Talep.muhtarlik_id == muhtarlik_id)
                                       .group_by(Talep.durum)):
        if durum in sonuc:
            sonuc[durum] = sayi
    return sonuc


@dataclass(frozen=True)
class Sayfa:
    talepler: list[Talep]
    sayfa: int
    toplam_sayfa: int

    @property
    def onceki(self) -> int | None:
        return self.sayfa - 1 if self.sayfa > 1 else None

    @property
    def sonraki(self) -> int | None:
        return self.sayfa + 1 if self.sayfa < self.toplam_sayfa else None


def sayfa_getir(session: Session, muhtarlik_id: int, durum: str, sayfa: int, toplam: int) -> Sayfa:
    """Page ``sayfa`` (from 1, clamped) of the muhtarlık's talepler in ``durum``, newest first.

    ``toplam`` is the count from ``sayilar``. Offset paging over the (muhtarlik_id, durum, olusturma) index."""
    toplam_sayfa = max(1, -(-toplam // SAYFA_BOYU))
    sayfa = min(max(1, sayfa), toplam_sayfa)
    talepler = session.scalars(
        select(Talep).where(Talep.muhtarlik_id == muhtarlik_id, Talep.durum == durum)
        .order_by(Talep.olusturma.desc(), Talep.id.desc())
        .offset((sayfa - 1) * SAYFA_BOYU).limit(SAYFA_BOYU)).all()
    return Sayfa(list(talepler), sayfa, toplam_sayfa)


# --- one talep ------------------------------------------------------------------------------------------

def talep_bul(session: Session, muhtarlik_id: int, anahtar: str) -> Talep | None:
    """The talep by number ("2026-000123") or id, only if it is the muhtarlık's."""
    if _NUMARA_RE.fullmatch(anahtar):
        kosul = Talep.numara == anahtar
    elif (talep_id := tamsayi_oku(anahtar)) is not None:
        kosul = Talep.id == talep_id
    else:
        return None
    return session.scalars(select(Talep).where(kosul, Talep.muhtarlik_id == muhtarlik_id)).first()


def talep_anahtari(talep: Talep) -> str:
    """What the talep's URLs carry: its number, or its id before it has one."""
    return talep.numara or str(talep.id)


@dataclass(frozen=True)
class HareketSatiri:
    zaman: datetime
    birim: str
    ne: str
    #: the unit's note, only when it is meant for the muhtar
    not_: str | None


def hareketler(session: Session, talep: Talep, muhtarlik_adi: str) -> list[HareketSatiri]:
    """The talep's movements, oldest first, in the muhtar's words."""
    satirlar = session.execute(
        select(Hareket, Birim.ad).outerjoin(Birim, Hareket.birim_id == Birim.id)
        .where(Hareket.talep_id == talep.id).order_by(Hareket.zaman, Hareket.id)).all()
    return [HareketSatiri(h.zaman, birim_adi or (muhtarlik_adi if h.islem == "basvuru" else "Sistem"),
                          islem_etiketi(h.islem, birim_adi), h.not_ if h.muhtar_gorur and h.not_ else None)
            for h, birim_adi in satirlar if h.islem not in GIZLI_ISLEMLER]


def ekler(session: Session, talep: Talep) -> list[tuple[Ek, str | None]]:
    """The attachments the units chose to show the muhtar, with the unit's name."""
    return [(ek, birim_adi) for ek, birim_adi in session.execute(
        select(Ek, Birim.ad).outerjoin(Birim, Ek.birim_id == Birim.id)
        .where(Ek.talep_id == talep.id, Ek.muhtar_gorur.is_(True)).order_by(Ek.olusturma, Ek.id))]


def ek_bul(session: Session, talep: Talep, ek_id: int) -> Ek | None:
    """One shared attachment of this talep (None for another talep's or an unshared one)."""
    return session.scalars(select(Ek).where(Ek.id == ek_id, Ek.talep_id == talep.id,
                                            Ek.muhtar_gorur.is_(True))).first()


# --- words ----------------------------------------------------------------------------------------------

_ON_UNLULER, _ARKA_UNLULER = set("eiöü"), set("aıou")


def yonelme(ad: str) -> str:
    """"Çankaya Belediyesi" -> "Çankaya Belediyesine", "İl Jandarma Komutanlığı" -> "...Komutanlığına".

    Unit names end in the possessive (-ı/-i/-u/-ü, -sı/-si); the dative adds n + a/e by the last vowel
    (institution names take no apostrophe). Anything else gets "<ad> birimine"."""
    ad = ad.strip()
    if not ad or ad[-1].lower() not in _ON_UNLULER | _ARKA_UNLULER:
        return f"{ad} birimine"
    son_unlu = next(c for c in reversed(ad.lower()) if c in _ON_UNLULER | _ARKA_UNLULER)
    return ad + ("ne" if son_unlu in _ON_UNLULER else "na")


def islem_etiketi(islem: str, birim: str | None) -> str:
    """A Turkish sentence for a hareket code; ``birim`` is the acting (or receiving) unit's name."""
    birim = birim or "İlgili birim"
    etiketler = {
        "basvuru": "Başvuru yapıldı",
        "kaydedildi": "Talep kaydedildi",
        "yonlendirildi": "MİGM tarafından yönlendirildi",
        "birime_iletildi": f"{yonelme(birim)} iletildi",
        "uzerine_alindi": f"{birim} talebi üzerine aldı",
        "alt_birime_yonlendirildi": f"{birim} talebi alt birimlere yönlendirdi",
        "islem_tamamlandi": f"{birim} işlemi tamamladı",
        "yonlendirilmeden_kapatildi": "MİGM talebi yönlendirmeden sonuçlandırdı",
        "surec_tamamlandi": "MİGM süreci tamamladı",
        "sonuclandi": "Talep sonuçlandı",
        "ilerleme_bildirimi": "Talebinizin işlemde olduğu SMS ile bildirildi",
    }
    return etiketler.get(islem, "Talep üzerinde işlem yapıldı")
