"""The muhtar's SMS login: "Onay Kodu Gönder" writes a one-time code, "Sisteme Giriş" checks it.

No Flask here: the views pass plain values (the secret key, the clock, today's date in Türkiye). Functions
flush and never commit.

The page must not reveal who is a muhtar. So every well-formed request gets an ``onay_kodu`` row and a
masked phone number: a muhtar in office whose name matches gets a real code by SMS and their own masked
number; anyone else gets a code nobody knows (no SMS) and a masked number derived from the TC kimlik no
(the same every time, like a real one). Checking a code then goes through the same path and the same
messages whoever asked.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.kimlik import telefon_maskele
from engine.mesaj.kuyruk import sms_kuyruga_al
from engine.models import Muhtar, OnayKodu

KOD_UZUNLUGU = 6
#: a code is refused after this many wrong entries, even a right one afterwards
AZAMI_DENEME = 5
VARSAYILAN_GECERLILIK = timedelta(minutes=3)
#: rows older than this are deleted when a new code is asked for
SAKLAMA_SURESI = timedelta(days=1)

#: KontrolSonucu.durum values
GECERLI, HATALI, SURESI_DOLDU, KULLANILMIS, HAK_DOLDU, YOK = (
    "gecerli", "hatali", "suresi_doldu", "kullanilmis", "hak_doldu", "yok")


# --- names and keys ------------------------------------------------------------------------------------

def ad_normalize(ad: str | None) -> str:
    """"  AYŞE   YILMAZ " -> "ayşe yılmaz": Turkish lower case (I -> ı, İ -> i), single spaces."""
    ad = unicodedata.normalize("NFC", ad or "")
    ad = ad.replace("I", "ı").replace("İ", "i").lower()
    # "İ".lower() in other code paths leaves a combining dot; drop it so both spellings compare equal.
    ad = ad.replace("i\u0307", "i")
    return " ".join(ad.split())


def anahtar(gizli: str | bytes, amac: str, deger: str) -> str:
    """HMAC-SHA256 (hex) of ``deger`` for one purpose: the same secret never serves two purposes."""
    gizli = gizli.encode() if isinstance(gizli, str) else gizli
    return hmac.new(gizli, f"{amac}|{deger}".encode(), hashlib.sha256).hexdigest()


def tc_anahtari(gizli: str | bytes, tc: str) -> str:
    """The TC kimlik no as it may be kept (rate-limit keys, the session): not readable, stable."""
    return anahtar(gizli, "tc", tc)


def kod_normalize(kod: str | None) -> str:
    """What the person typed, without spaces; letters upper-cased."""
    return "".join((kod or "").split()).upper()


def _kod_uret() -> str:
    return f"{secrets.randbelow(10 ** KOD_UZUNLUGU):0{KOD_UZUNLUGU}d}"


def _kod_hash(gizli: str | bytes, istek_hash: str, kod: str) -> str:
    return anahtar(gizli, "onay-kodu", f"{istek_hash}|{kod}")


def _istek_hash(belirtec: str) -> str:
    return hashlib.sha256(belirtec.encode()).hexdigest()


def sahte_maske(gizli: str | bytes, tc: str) -> str:
    """A masked number for a TC kimlik no with no muhtar behind it: stable, so a retry looks the same."""
    return f"05** *** ** {int(anahtar(gizli, 'maske', tc)[:8], 16) % 100:02d}"


# --- who may get a code -------------------------------------------------------------------------------

def gorevde_mi(muhtar: Muhtar, gun: date) -> bool:
    """In office on ``gun``: the term has begun and has not ended (it ends at the start of gorev_bitis)."""
    return muhtar.gorev_baslangic <= gun and (muhtar.gorev_bitis is None or muhtar.gorev_bitis > gun)


def gorevdeki_muhtar(session: Session, tc: str, ad_soyad: str, gun: date) -> Muhtar | None:
    """The muhtar in office on ``gun`` with this TC kimlik no and (Turkish case-insensitively) this name."""
    aranan = ad_normalize(ad_soyad)
    if not aranan:
        return None
    for muhtar in session.scalars(select(Muhtar).where(Muhtar.tc_kimlik_no == tc)):
        if gorevde_mi(muhtar, gun) and ad_normalize(muhtar.ad_soyad) == aranan:
            return muhtar
    return None


# --- step 1: Onay Kodu Gönder -------------------------------------------------------------------------

@dataclass(frozen=True)
class KodIstegi:
    """What the browser keeps (``belirtec``, ``maske``); ``sms_gonderildi`` is for the server only."""
    belirtec: str
    maske: str
    sms_gonderildi: bool


def sms_metni(kod: str, gecerlilik: timedelta) -> str:
    dakika = max(1, round(gecerlilik.total_seconds() / 60))
    return (f"Muhtar Bilgi Sistemi onay kodunuz: {kod}. Kod {dakika} dakika geçerlidir; "
            "kimseyle paylaşmayın.")


def onay_kodu_iste(session: Session, *, tc: str, ad_soyad: str, gizli: str | bytes, simdi: datetime,
                   gun: date, gecerlilik: timedelta = VARSAYILAN_GECERLILIK) -> KodIstegi:
    """Record one "Onay Kodu Gönder" for a checksum-valid ``tc``; queue the SMS when a muhtar matches.

    Earlier unused codes asked for the same TC kimlik no stop being valid. Flushes, never commits."""
    muhtar = gorevdeki_muhtar(session, tc, ad_soyad, gun)
    tc_a = tc_anahtari(gizli, tc)
    _oncekileri_gecersiz_kil(session, tc_a, simdi)
    belirtec = secrets.token_urlsafe(32)
    istek_hash = _istek_hash(belirtec)
    kod = _kod_uret()
    session.add(OnayKodu(istek_hash=istek_hash, tc_anahtari=tc_a, muhtar_id=muhtar.id if muhtar else None,
                         kod_hash=_kod_hash(gizli, istek_hash, kod), olusturma=simdi,
                         gecerlilik=simdi + gecerlilik, deneme_sayisi=0, kullanildi=False))
    if muhtar is not None:
        sms_kuyruga_al(session, muhtar.telefon, sms_metni(kod, gecerlilik), gizli=True)
    session.flush()
    maske = telefon_maskele(muhtar.telefon) if muhtar else sahte_maske(gizli, tc)
    return KodIstegi(belirtec=belirtec, maske=maske, sms_gonderildi=muhtar is not None)


def _oncekileri_gecersiz_kil(session: Session, tc_a: str, simdi: datetime) -> None:
    session.execute(update(OnayKodu)
                    .where(OnayKodu.tc_anahtari == tc_a, OnayKodu.kullanildi.is_(False),
                           OnayKodu.gecerlilik > simdi)
                    .values(gecerlilik=simdi).execution_options(synchronize_session=False))
    session.execute(delete(OnayKodu).where(OnayKodu.gecerlilik < simdi - SAKLAMA_SURESI)
                    .execution_options(synchronize_session=False))


# --- step 2: Sisteme Giriş ----------------------------------------------------------------------------

@dataclass(frozen=True)
class KontrolSonucu:
    """``durum`` is one of GECERLI, HATALI, SURESI_DOLDU, KULLANILMIS, HAK_DOLDU, YOK; ``muhtar`` only when
    GECERLI; ``kalan`` the attempts left after this one."""
    durum: str
    muhtar: Muhtar | None = None
    kalan: int = 0


def onay_kodunu_dogrula(session: Session, *, belirtec: str, kod: str, gizli: str | bytes, simdi: datetime,
                        gun: date) -> KontrolSonucu:
    """Check the code typed for the request ``belirtec`` stands for; count the attempt; use a right code up.

    The row is locked (FOR UPDATE; on SQLite the write session's BEGIN IMMEDIATE), so two concurrent checks
    of one code cannot both succeed. Flushes, never commits."""
    satir = session.scalars(select(OnayKodu).where(OnayKodu.istek_hash == _istek_hash(belirtec or ""))
                            .with_for_update()).first()
    if satir is None:
        return KontrolSonucu(YOK)
    if satir.kullanildi:
        return KontrolSonucu(KULLANILMIS)
    if satir.deneme_sayisi >= AZAMI_DENEME:
        return KontrolSonucu(HAK_DOLDU)
    if simdi >= satir.gecerlilik:
        return KontrolSonucu(SURESI_DOLDU)
    satir.deneme_sayisi += 1
    kalan = AZAMI_DENEME - satir.deneme_sayisi
    dogru = hmac.compare_digest(_kod_hash(gizli, satir.istek_hash, kod_normalize(kod)), satir.kod_hash)
    muhtar = session.get(Muhtar, satir.muhtar_id) if satir.muhtar_id is not None else None
    if dogru and muhtar is not None and gorevde_mi(muhtar, gun):
        satir.kullanildi = True
        session.flush()
        return KontrolSonucu(GECERLI, muhtar=muhtar, kalan=kalan)
    session.flush()
    return KontrolSonucu(HAK_DOLDU if kalan == 0 else HATALI, kalan=kalan)
