"""The "Doğrulama Kodu": an image captcha (with an audio alternative) in front of "Onay Kodu Gönder".

The browser's session (a signed, readable cookie) holds only a random nonce; the answer is derived from it
with the application's secret, so it is never in the cookie and the image and the audio speak the same
digits. A nonce answers once: it is dropped from the session when checked, and recorded as used in the
rate-limit storage (shared by all workers where RATELIMIT_STORAGE_URI says so), so an old cookie cannot
replay a solved captcha. ``CAPTCHA_ENABLED`` False (``MBS_CAPTCHA_ENABLED=0``) turns the check off.
"""
from __future__ import annotations

import functools
import hmac
import io
import secrets
import time
from pathlib import Path

from flask import current_app, session

from webapp.muhtar.giris import anahtar

#: digits only: the audio alternative has a voice for each digit
UZUNLUK = 5
#: Turkish digit voices (made by sesler/olustur.py with eSpeak NG)
SES_KLASORU = Path(__file__).resolve().parent / "sesler"
#: seconds a captcha may be answered after it was first shown
SURE = 10 * 60
_OTURUM_ANAHTARI = "muhtar_dogrulama"
_KULLANILDI = "mbs-dogrulama-kullanildi"


def etkin() -> bool:
    return bool(current_app.config.get("CAPTCHA_ENABLED", True))


def soru() -> str:
    """The nonce of the captcha on screen, made (and put in the session) if there is none or it is stale."""
    kayit = session.get(_OTURUM_ANAHTARI)
    if not kayit or time.time() - kayit.get("z", 0) > SURE:
        return yeni_soru()
    return kayit["n"]


def yeni_soru() -> str:
    nonce = secrets.token_urlsafe(16)
    session[_OTURUM_ANAHTARI] = {"n": nonce, "z": int(time.time())}
    return nonce


def cevap(nonce: str) -> str:
    """The digits of the captcha ``nonce`` stands for."""
    sayi = int(anahtar(current_app.config["SECRET_KEY"], "dogrulama", nonce)[:15], 16)
    return f"{sayi % 10 ** UZUNLUK:0{UZUNLUK}d}"


def resim(nonce: str) -> bytes:
    from captcha.image import ImageCaptcha
    gorsel = ImageCaptcha(width=240, height=80, font_sizes=(54, 58, 62)).generate(cevap(nonce))
    return gorsel.getvalue() if isinstance(gorsel, io.BytesIO) else bytes(gorsel)


def ses(nonce: str) -> bytes:
    """A WAV file reading the digits out in Turkish, over noise."""
    return bytes(_ses_uretici().generate(cevap(nonce)))


@functools.lru_cache(maxsize=1)
def _ses_uretici():
    # One per process: it keeps the voices in memory once loaded (it only reads them).
    from captcha.audio import AudioCaptcha
    return AudioCaptcha(voicedir=str(SES_KLASORU))


def dogrula(girilen: str | None) -> bool:
    """Check the typed answer against the captcha on screen and use that captcha up, right or wrong."""
    kayit = session.pop(_OTURUM_ANAHTARI, None)
    if not kayit or time.time() - kayit.get("z", 0) > SURE:
        return False
    if not _ilk_kullanim(kayit["n"]):
        return False
    girilen = "".join((girilen or "").split())
    return hmac.compare_digest(girilen.encode(), cevap(kayit["n"]).encode())


def _ilk_kullanim(nonce: str) -> bool:
    """Record the nonce as used; False if it was used before (a replayed cookie)."""
    return _sayac().incr(f"{_KULLANILDI}:{nonce}", SURE + 60) == 1


def _sayac():
    """A limits Storage on RATELIMIT_STORAGE_URI, one per application (Flask-Limiter's own may be off)."""
    sayac = current_app.extensions.get("mbs_muhtar_sayac")
    if sayac is None:
        from limits.storage import storage_from_string
        sayac = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        current_app.extensions["mbs_muhtar_sayac"] = sayac
    return sayac
