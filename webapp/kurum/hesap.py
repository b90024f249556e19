"""Kurum accounts: password login with lock-out, TOTP second factor, password change.

Operations only: they take a session and plain values, flush and never commit, and never read ``request``.
The views in ``giris.py`` call them and commit once.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import pyotp
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.kayit import PAROLA_EN_AZ
from engine.models import Kullanici
from engine.parola import parola_dogrula, parola_hashle, yeniden_hashlenmeli
from webapp.girdi import rakam_mi

#: failed attempts (password or TOTP code) before the account is locked
AZAMI_HATALI_GIRIS = 5
KILIT_SURESI = timedelta(minutes=15)
#: the issuer shown in authenticator apps
TOTP_YAYINCI = "Muhtar Bilgi Sistemi"

HATALI = "Kullanıcı adı veya parola hatalı."
KILITLI = ("Çok sayıda hatalı giriş denemesi nedeniyle hesabınız geçici olarak kilitlendi. "
           "Lütfen 15 dakika sonra yeniden deneyin.")
HATALI_KOD = "Doğrulama kodu hatalı ya da süresi geçmiş."


@dataclass(frozen=True)
class GirisSonucu:
    """``durum``: tamam (logged in), totp (password right, code needed), hatali, kilitli."""
    durum: str
    kullanici: Kullanici | None = None

    @property
    def mesaj(self) -> str | None:
        return {"hatali": HATALI, "kilitli": KILITLI}.get(self.durum)


@lru_cache(maxsize=1)
def _sahte_hash() -> str:
    # Unknown user names cost the same argon2 verification as known ones: timing tells nothing.
    return parola_hashle("sahte-parola-zamanlama-icin")


def kilitli(kullanici: Kullanici, simdi: datetime) -> bool:
    return kullanici.kilitli_bitis is not None and kullanici.kilitli_bitis > simdi


def parola_damgasi(kullanici: Kullanici) -> str:
    """Changes whenever the password changes: kept in the session, so a password change ends other sessions."""
    return hashlib.sha256(kullanici.parola_hash.encode()).hexdigest()[:16]


def giris_dene(session: Session, kullanici_adi: str, parola: str, simdi: datetime) -> GirisSonucu:
    """Check a user name and password; count failures and lock after ``AZAMI_HATALI_GIRIS``."""
    kullanici = session.scalars(select(Kullanici).where(
        Kullanici.kullanici_adi == (kullanici_adi or "").strip())).first()
    if kullanici is None or not kullanici.aktif:
        parola_dogrula(_sahte_hash(), parola or "")
        return GirisSonucu("hatali")
    if kilitli(kullanici, simdi):
        return GirisSonucu("kilitli", kullanici)
    if not parola_dogrula(kullanici.parola_hash, parola):
        return GirisSonucu(hatali_giris_say(session, kullanici, simdi), kullanici)
    if yeniden_hashlenmeli(kullanici.parola_hash):
        kullanici.parola_hash = parola_hashle(parola)
    if kullanici.totp_secret:
        return GirisSonucu("totp", kullanici)
    basarili_giris(kullanici)
    return GirisSonucu("tamam", kullanici)


def hatali_giris_say(session: Session, kullanici: Kullanici, simdi: datetime) -> str:
    """One more failure, counted atomically; the fifth locks the account. Returns "hatali" or "kilitli"."""
    sayi = session.execute(
        update(Kullanici).where(Kullanici.id == kullanici.id)
        .values(basarisiz_giris=Kullanici.basarisiz_giris + 1)
        .returning(Kullanici.basarisiz_giris).execution_options(synchronize_session=False)).scalar_one()
    if sayi >= AZAMI_HATALI_GIRIS:
        kullanici.kilitli_bitis, kullanici.basarisiz_giris = simdi + KILIT_SURESI, 0
        session.flush()
        return "kilitli"
    session.expire(kullanici, ["basarisiz_giris"])
    return "hatali"


def basarili_giris(kullanici: Kullanici) -> None:
    kullanici.basarisiz_giris, kullanici.kilitli_bitis = 0, None


def totp_dene(session: Session, kullanici: Kullanici, kod: str, simdi: datetime) -> GirisSonucu:
    """The second step: the authenticator's code, once; failures count towards the same lock-out.

    A code whose time step is not after the user's last accepted one (``totp_son_adim``) is refused like a wrong
    code (same message, counted): a code seen over a shoulder or phished right after the user logged in cannot
    be used again within its validity window. The step is stored in the caller's transaction, with the login."""
    if not kullanici.aktif:
        return GirisSonucu("hatali")
    if kilitli(kullanici, simdi):
        return GirisSonucu("kilitli", kullanici)
    adim = totp_adimi(kullanici.totp_secret, kod, simdi)
    if adim is None or not _adimi_kullan(session, kullanici, adim):
        return GirisSonucu(hatali_giris_say(session, kullanici, simdi), kullanici)
    basarili_giris(kullanici)
    return GirisSonucu("tamam", kullanici)


def _adimi_kullan(session: Session, kullanici: Kullanici, adim: int) -> bool:
    """Record ``adim`` as the last accepted step if it is after the stored one; False if it is not (a replay).

    One conditional UPDATE on the row, not a check of the loaded attribute, so two requests racing with the same
    code cannot both pass: on PostgreSQL the second waits for the first's row lock and then finds the new step
    (on SQLite a POST's transaction holds the write lock from BEGIN IMMEDIATE, so the two never overlap)."""
    kullanildi = session.execute(
        update(Kullanici).where(Kullanici.id == kullanici.id,
                                or_(Kullanici.totp_son_adim.is_(None), Kullanici.totp_son_adim < adim))
        .values(totp_son_adim=adim).execution_options(synchronize_session=False)).rowcount == 1
    session.expire(kullanici, ["totp_son_adim"])
    return kullanildi


def totp_adimi(secret: str | None, kod: str | None, simdi: datetime) -> int | None:
    """The 30-second time step whose code ``kod`` is (this step or a neighbour: clock drift), None if none.

    The latest matching step is taken (pyotp's ``verify_and_get_timecode`` returns the earliest): if a code
    happens to be the code of two neighbouring steps, recording the later one keeps it from being accepted
    again under the other."""
    # pyotp compares NFKC forms, so a code typed in full-width digits ("１２３４５６") has always been accepted
    kod = unicodedata.normalize("NFKC", "".join((kod or "").split()))
    if not secret or not rakam_mi(kod, 6, 6):
        return None
    totp = pyotp.TOTP(secret)
    simdiki = totp.timecode(simdi)
    for adim in (simdiki + 1, simdiki, simdiki - 1):
        if pyotp.utils.strings_equal(kod, totp.generate_otp(adim)):
            return adim
    return None


def totp_yeni_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, kullanici_adi: str) -> str:
    """The otpauth:// provisioning URI an authenticator app accepts (typed in or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=kullanici_adi, issuer_name=TOTP_YAYINCI)


def totp_etkinlestir(kullanici: Kullanici, secret: str, kod: str, simdi: datetime) -> None:
    """Turn the second factor on once the user proves the app shows the right codes; that code is used up
    (a new secret: whatever step an earlier secret left is replaced)."""
    adim = totp_adimi(secret, kod, simdi)
    if adim is None:
        raise GecersizVeri(HATALI_KOD)
    kullanici.totp_secret, kullanici.totp_son_adim = secret, adim


def totp_kapat(kullanici: Kullanici, parola: str, kod: str, simdi: datetime) -> None:
    """Turn the second factor off: the password and a code not used before (not the one of the last login)."""
    adim = totp_adimi(kullanici.totp_secret, kod, simdi)
    yeni = adim is not None and (kullanici.totp_son_adim is None or adim > kullanici.totp_son_adim)
    if not parola_dogrula(kullanici.parola_hash, parola) or not yeni:
        raise GecersizVeri("Parola ya da doğrulama kodu hatalı.")
    kullanici.totp_secret, kullanici.totp_son_adim = None, None


def parola_degistir(kullanici: Kullanici, eski: str, yeni: str, yeni_tekrar: str) -> None:
    """Replace the password after checking the current one; raises GecersizVeri with a Turkish message."""
    if not parola_dogrula(kullanici.parola_hash, eski):
        raise GecersizVeri("Mevcut parolanız hatalı.")
    parola_kurali(yeni, yeni_tekrar, kullanici.kullanici_adi)
    if parola_dogrula(kullanici.parola_hash, yeni):
        raise GecersizVeri("Yeni parola mevcut parolanızla aynı olamaz.")
    kullanici.parola_hash = parola_hashle(yeni)


def parola_kurali(yeni: str, yeni_tekrar: str, kullanici_adi: str) -> None:
    if yeni != yeni_tekrar:
        raise GecersizVeri("Yeni parola ile tekrarı aynı değil.")
    if len(yeni or "") < PAROLA_EN_AZ:
        raise GecersizVeri(f"Parola en az {PAROLA_EN_AZ} karakter olmalıdır.")
    if len(yeni) > 256:
        raise GecersizVeri("Parola en çok 256 karakter olabilir.")
    if yeni.lower() == (kullanici_adi or "").lower():
        raise GecersizVeri("Parola kullanıcı adınızla aynı olamaz.")
