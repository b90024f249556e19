"""Keeping the muhtar registry true (issue 9): scope, contact changes, terms of office. No Flask.

Search is in ``engine.muhtar_arama``, the CSV bulk import in ``engine.muhtar_ice_aktarim``.

Who may do it (``kapsam_bul``): a Valilik user with the "kayit" permission keeps the muhtars of its own il
(``Birim.il_kod``); a MİGM user with "kayit" or "yonetici" keeps every il; nobody else, and a muhtar never.
A record outside the scope is answered exactly like a missing one (``KayitBulunamadi``; the view says 404).

Terms: a muhtar row is one person's term in one muhtarlık (``gorev_baslangic`` <= day < ``gorev_bitis``).
A new term ends the current one on its first day; the talepler stay with the muhtarlık, so the new muhtar
sees them. A muhtarlık has at most one term without an end (checked here under a lock: the muhtarlık row
``FOR UPDATE`` on PostgreSQL, the write session's ``BEGIN IMMEDIATE`` on SQLite, plus a table lock mode that
makes single changes wait while a bulk import runs, see ``kayit_kilidi``).

Every change is logged in ``muhtar_degisiklik`` (who, when, field, old and new value; phone and e-mail
masked). Functions take plain values, flush and never commit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri, MbsHatasi
from engine.kimlik import tc_kimlik_gecerli, tc_maskele, telefon_maskele, telefon_normalize
from engine.models import Birim, Il, Ilce, Kullanici, Muhtar, MuhtarDegisiklik, Muhtarlik, OnayKodu

#: Muhtar.gorev_bitis reasons for an early end (the form's choices)
BITIS_NEDENLERI = {"vefat": "Vefat", "istifa": "İstifa", "gorevden_alma": "Görevden alma",
                   "secim": "Seçim / yeni dönem", "diger": "Diğer"}
_EPOSTA_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_AD_EN_COK = 128


class KayitBulunamadi(MbsHatasi):
    """No such record, or one outside the user's il: the same answer for both (404)."""
    mesaj = "Kayıt bulunamadı."


class FormHatasi(GecersizVeri):
    """Field errors of a form: ``alanlar`` maps a field name to its Turkish message."""

    def __init__(self, alanlar: dict[str, str]):
        self.alanlar = alanlar
        super().__init__(" ".join(alanlar.values()))


# --- scope --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kapsam:
    """Whose registry a user keeps: ``il_kod`` None means every il. ``kullanici_id`` goes into the log."""
    kullanici_id: int | None
    il_kod: str | None

    def kapsar(self, il_kod: str | None) -> bool:
        return self.il_kod is None or self.il_kod == il_kod


#: the command line: every il, no user
KOMUT_SATIRI = Kapsam(None, None)


def kapsam_bul(session: Session, kullanici: Kullanici | None) -> Kapsam | None:
    """The user's scope, or None when the user may not keep the registry at all (the view says 403)."""
    if kullanici is None or not kullanici.aktif:
        return None
    birim = session.get(Birim, kullanici.birim_id)
    if birim is None or not birim.aktif:
        return None
    if birim.rol == "MIGM" and (kullanici.yetkili("kayit") or kullanici.yetkili("yonetici")):
        return Kapsam(kullanici.id, None)
    if birim.rol == "VALILIK" and birim.tur == "VALILIK" and birim.il_kod and kullanici.yetkili("kayit"):
        return Kapsam(kullanici.id, birim.il_kod)
    return None


def kayit_kilidi(session: Session, toplu: bool = False) -> None:
    """PostgreSQL: a single change takes ROW EXCLUSIVE on ``muhtar`` before it reads, a bulk import SHARE ROW
    EXCLUSIVE; so a change waits for a running import (and an import for running changes) instead of
    reading terms the other is about to replace. Logins and talepler are not blocked. SQLite: no-op (the
    write session's BEGIN IMMEDIATE already serialises writers)."""
    if session.get_bind().dialect.name == "postgresql":
        kip = "SHARE ROW EXCLUSIVE" if toplu else "ROW EXCLUSIVE"
        session.execute(text(f"LOCK TABLE muhtar IN {kip} MODE"))


# --- values -------------------------------------------------------------------------------------------------

def tarih_yaz(gun: date | None) -> str:
    return gun.strftime("%d.%m.%Y") if gun else ""


def telefon_dogrula(telefon: str | None) -> str:
    """The number as "+905xxxxxxxxx"; GecersizVeri unless it is a Turkish mobile number."""
    normal = telefon_normalize(telefon)
    if normal is None:
        raise GecersizVeri("Telefon geçerli bir Türkiye cep telefonu numarası olmalıdır (ör. 0532 123 45 67).")
    return normal


def eposta_dogrula(eposta: str | None) -> str | None:
    """A trimmed e-mail address, None for an empty one; GecersizVeri for anything not like an address."""
    eposta = (eposta or "").strip()
    if not eposta:
        return None
    if len(eposta) > 254 or not _EPOSTA_RE.fullmatch(eposta):
        raise GecersizVeri("E-posta adresi geçersiz.")
    return eposta


def eposta_maskele(eposta: str | None) -> str:
    """``"ayse.yilmaz@example.com"`` -> ``"a***@example.com"``; "" for None."""
    if not eposta:
        return ""
    yerel, _, alan = eposta.partition("@")
    return f"{yerel[:1]}***@{alan}"


def ad_dogrula(ad_soyad: str | None) -> str:
    ad = " ".join((ad_soyad or "").split())
    if not ad or len(ad) > _AD_EN_COK:
        raise GecersizVeri(f"Ad soyad boş olamaz ve en fazla {_AD_EN_COK} karakter olabilir.")
    return ad


def tc_dogrula(tc: str | None) -> str:
    tc = "".join((tc or "").split())
    if not tc_kimlik_gecerli(tc):
        raise GecersizVeri("TC Kimlik No geçersiz (11 hane, denetim haneleri tutmalı).")
    return tc


def guncel_mi(muhtar: Muhtar, gun: date) -> bool:
    """The term has not ended by ``gun`` (it may not have begun yet)."""
    return muhtar.gorev_bitis is None or muhtar.gorev_bitis > gun


# --- reading ------------------------------------------------------------------------------------------------

@dataclass
class MuhtarlikBilgisi:
    muhtarlik: Muhtarlik
    ilce: Ilce
    il: Il

    @property
    def yer(self) -> str:
        return f"{self.muhtarlik.ad}, {self.ilce.ad} / {self.il.ad}"


@dataclass
class MuhtarAyrinti(MuhtarlikBilgisi):
    muhtar: Muhtar


def muhtarlik_getir(session: Session, kapsam: Kapsam, muhtarlik_id: int, kilitle: bool = False) -> MuhtarlikBilgisi:
    """The muhtarlık with its ilçe and il; ``kilitle`` locks its row (the term lock). KayitBulunamadi if
    missing or outside ``kapsam``."""
    sorgu = (select(Muhtarlik, Ilce, Il).join(Ilce, Muhtarlik.ilce_id == Ilce.id).join(Il, Ilce.il_kod == Il.kod)
             .where(Muhtarlik.id == muhtarlik_id))
    if kilitle:
        kayit_kilidi(session)
        sorgu = sorgu.with_for_update(of=Muhtarlik)
    satir = session.execute(sorgu).first()
    if satir is None or not kapsam.kapsar(satir[2].kod):
        raise KayitBulunamadi()
    return MuhtarlikBilgisi(*satir)


def muhtar_getir(session: Session, kapsam: Kapsam, muhtar_id: int, kilitle: bool = False) -> MuhtarAyrinti:
    """The muhtar with muhtarlık, ilçe and il; KayitBulunamadi if missing or outside ``kapsam``."""
    muhtarlik_id = session.scalar(select(Muhtar.muhtarlik_id).where(Muhtar.id == muhtar_id))
    if muhtarlik_id is None:
        raise KayitBulunamadi()
    yer = muhtarlik_getir(session, kapsam, muhtarlik_id, kilitle=kilitle)
    muhtar = session.get(Muhtar, muhtar_id, populate_existing=kilitle)
    return MuhtarAyrinti(yer.muhtarlik, yer.ilce, yer.il, muhtar)


def donemler(session: Session, muhtarlik_id: int) -> list[Muhtar]:
    """Every term of the muhtarlık, newest first."""
    return list(session.scalars(select(Muhtar).where(Muhtar.muhtarlik_id == muhtarlik_id)
                                .order_by(Muhtar.gorev_baslangic.desc(), Muhtar.id.desc())))


def degisiklikler(session: Session, muhtar_id: int) -> list[tuple[MuhtarDegisiklik, str | None]]:
    """The muhtar's change log, newest first, with the acting user's name (None: command line)."""
    sorgu = (select(MuhtarDegisiklik, Kullanici.ad_soyad)
             .outerjoin(Kullanici, Kullanici.id == MuhtarDegisiklik.kullanici_id)
             .where(MuhtarDegisiklik.muhtar_id == muhtar_id)
             .order_by(MuhtarDegisiklik.zaman.desc(), MuhtarDegisiklik.id.desc()))
    return [(d, ad) for d, ad in session.execute(sorgu)]


# --- changing -----------------------------------------------------------------------------------------------

def _gunluk(session: Session, kapsam: Kapsam, muhtar_id: int, alan: str, eski: str | None, yeni: str | None,
            simdi: datetime, aciklama: str | None = None) -> None:
    session.add(MuhtarDegisiklik(muhtar_id=muhtar_id, kullanici_id=kapsam.kullanici_id, zaman=simdi, alan=alan,
                                 eski=eski or None, yeni=yeni or None, aciklama=aciklama))


def bekleyen_kodlari_iptal_et(session: Session, muhtar_id: int, simdi: datetime) -> None:
    """Codes already sent (to the old phone) stop working; the next "Onay Kodu Gönder" uses the new one."""
    session.execute(update(OnayKodu).where(OnayKodu.muhtar_id == muhtar_id, OnayKodu.kullanildi.is_(False),
                                           OnayKodu.gecerlilik > simdi)
                    .values(gecerlilik=simdi).execution_options(synchronize_session=False))


def iletisim_guncelle(session: Session, kapsam: Kapsam, muhtar_id: int, *, telefon: str | None,
                      eposta: str | None, simdi: datetime, gun: date) -> list[str]:
    """Change the phone and e-mail of a muhtar whose term has not ended; returns the fields that changed.

    An empty ``telefon`` keeps the number (forms show it masked); an empty ``eposta`` removes the address.
    A new phone applies from the next code request on (the login reads it then); codes already sent to the
    old one are voided. Raises FormHatasi (per field), GecersizVeri (term ended), KayitBulunamadi."""
    ayrinti = muhtar_getir(session, kapsam, muhtar_id, kilitle=True)
    muhtar = ayrinti.muhtar
    if not guncel_mi(muhtar, gun):
        raise GecersizVeri("Görevi sona ermiş muhtarın iletişim bilgileri değiştirilemez.")
    if not (telefon or "").strip():
        telefon = muhtar.telefon
    hatalar, degerler = _alanlari_denetle({"telefon": (telefon_dogrula, telefon),
                                           "eposta": (eposta_dogrula, eposta)})
    if hatalar:
        raise FormHatasi(hatalar)
    degisen = []
    if degerler["telefon"] != muhtar.telefon:
        _gunluk(session, kapsam, muhtar.id, "telefon", telefon_maskele(muhtar.telefon),
                telefon_maskele(degerler["telefon"]), simdi)
        muhtar.telefon = degerler["telefon"]
        bekleyen_kodlari_iptal_et(session, muhtar.id, simdi)
        degisen.append("telefon")
    if degerler["eposta"] != muhtar.eposta:
        _gunluk(session, kapsam, muhtar.id, "eposta", eposta_maskele(muhtar.eposta),
                eposta_maskele(degerler["eposta"]), simdi)
        muhtar.eposta = degerler["eposta"]
        degisen.append("eposta")
    session.flush()
    return degisen


def _alanlari_denetle(alanlar: dict) -> tuple[dict[str, str], dict]:
    """Run each field's check: ({field: message} for failures, {field: clean value} for the rest)."""
    hatalar, degerler = {}, {}
    for ad, (denetim, deger) in alanlar.items():
        try:
            degerler[ad] = denetim(deger)
        except GecersizVeri as hata:
            hatalar[ad] = hata.mesaj
    return hatalar, degerler


def yeni_donem(session: Session, kapsam: Kapsam, muhtarlik_id: int, *, tc: str | None, ad_soyad: str | None,
               telefon: str | None, eposta: str | None, baslangic: date | None, simdi: datetime) -> Muhtar:
    """Start a new muhtar's term in the muhtarlık on ``baslangic``; the term current then ends that day.

    Refused (GecersizVeri) when the current term began on or after ``baslangic`` or when the person holds a
    term in another muhtarlık on that day. Raises FormHatasi per field, KayitBulunamadi outside the scope."""
    yer = muhtarlik_getir(session, kapsam, muhtarlik_id, kilitle=True)
    hatalar, d = _alanlari_denetle({"tc": (tc_dogrula, tc), "ad_soyad": (ad_dogrula, ad_soyad),
                                    "telefon": (telefon_dogrula, telefon), "eposta": (eposta_dogrula, eposta)})
    if baslangic is None:
        hatalar["baslangic"] = "Görev başlangıç tarihi girilmelidir."
    if hatalar:
        raise FormHatasi(hatalar)
    bitecekler = _donemi_suren(session, muhtarlik_id, baslangic)
    for onceki in bitecekler:
        if onceki.gorev_baslangic >= baslangic:
            raise GecersizVeri(f"Yeni dönem, mahallenin mevcut muhtarının görev başlangıcından "
                               f"({tarih_yaz(onceki.gorev_baslangic)}) sonra başlamalıdır.")
    _baska_gorev_yok(session, kapsam, d["tc"], muhtarlik_id, baslangic)
    yeni = Muhtar(muhtarlik_id=muhtarlik_id, tc_kimlik_no=d["tc"], ad_soyad=d["ad_soyad"], telefon=d["telefon"],
                  eposta=d["eposta"], gorev_baslangic=baslangic, gorev_bitis=None)
    session.add(yeni)
    session.flush()
    for onceki in bitecekler:
        _gunluk(session, kapsam, onceki.id, "gorev_bitis", tarih_yaz(onceki.gorev_bitis), tarih_yaz(baslangic),
                simdi, f"Yeni dönem: {yeni.ad_soyad} ({tc_maskele(yeni.tc_kimlik_no)})")
        onceki.gorev_bitis = baslangic
    _gunluk(session, kapsam, yeni.id, "gorev_baslangic", None, tarih_yaz(baslangic), simdi,
            f"Yeni dönem: {yer.yer}")
    session.flush()
    return yeni


def _donemi_suren(session: Session, muhtarlik_id: int, gun: date) -> list[Muhtar]:
    """The muhtarlık's terms not ended by ``gun`` (locked rows are re-read: another writer may have won)."""
    return list(session.scalars(select(Muhtar).where(Muhtar.muhtarlik_id == muhtarlik_id,
                                                     or_(Muhtar.gorev_bitis.is_(None), Muhtar.gorev_bitis > gun))
                                .execution_options(populate_existing=True)))


def _baska_gorev_yok(session: Session, kapsam: Kapsam, tc: str, muhtarlik_id: int, gun: date) -> None:
    """GecersizVeri if ``tc`` holds a term in another muhtarlık that has not ended by ``gun``."""
    sorgu = (select(Muhtar, Il.kod).join(Muhtarlik, Muhtar.muhtarlik_id == Muhtarlik.id)
             .join(Ilce, Muhtarlik.ilce_id == Ilce.id).join(Il, Ilce.il_kod == Il.kod)
             .where(Muhtar.tc_kimlik_no == tc, Muhtar.muhtarlik_id != muhtarlik_id,
                    or_(Muhtar.gorev_bitis.is_(None), Muhtar.gorev_bitis > gun)))
    satir = session.execute(sorgu).first()
    if satir is not None:
        # Outside the user's il the place is not named: the registry of another il stays closed.
        yer = "başka bir ilde" if not kapsam.kapsar(satir[1]) else "başka bir mahallede"
        raise GecersizVeri(f"Bu TC Kimlik No ile {yer} görevi süren bir muhtar kayıtlı; "
                           "önce o dönem bitirilmelidir.")


def donem_bitir(session: Session, kapsam: Kapsam, muhtar_id: int, *, bitis: date | None, neden: str | None,
                aciklama: str | None, simdi: datetime, gun: date) -> Muhtar:
    """End a term early (death, resignation...) on ``bitis``: from that day the mahalle has no muhtar until
    a new term is entered, and the muhtar cannot log in. Raises FormHatasi, GecersizVeri, KayitBulunamadi."""
    ayrinti = muhtar_getir(session, kapsam, muhtar_id, kilitle=True)
    muhtar = ayrinti.muhtar
    hatalar = {}
    if neden not in BITIS_NEDENLERI:
        hatalar["neden"] = "Görevin sona erme nedenini seçin."
    if bitis is None:
        hatalar["bitis"] = "Görevin sona erdiği tarih girilmelidir."
    elif bitis < muhtar.gorev_baslangic:
        hatalar["bitis"] = f"Bitiş, görev başlangıcından ({tarih_yaz(muhtar.gorev_baslangic)}) önce olamaz."
    if hatalar:
        raise FormHatasi(hatalar)
    if muhtar.gorev_bitis is not None and muhtar.gorev_bitis <= bitis:
        raise GecersizVeri(f"Bu dönem {tarih_yaz(muhtar.gorev_bitis)} tarihinde zaten sona eriyor.")
    not_ = " ".join((aciklama or "").split())[:150]
    _gunluk(session, kapsam, muhtar.id, "gorev_bitis", tarih_yaz(muhtar.gorev_bitis), tarih_yaz(bitis), simdi,
            BITIS_NEDENLERI[neden] + (f": {not_}" if not_ else ""))
    muhtar.gorev_bitis = bitis
    if bitis <= gun:
        bekleyen_kodlari_iptal_et(session, muhtar.id, simdi)
    session.flush()
    return muhtar
