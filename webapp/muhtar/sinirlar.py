"""Rate limits of the muhtar login (Flask-Limiter): per IP and per TC kimlik no, each configurable.

A limit's value is read from the app config when checked (``MUHTAR_SINIR_*``), so tests and sites may
tighten or loosen it without code. Keys never hold a TC kimlik no in clear: ``giris.tc_anahtari`` (HMAC).
"""
from __future__ import annotations

from flask import current_app, g, request, session

from webapp.muhtar.giris import tc_anahtari

#: config key -> default limit
VARSAYILANLAR = {
    # "Onay Kodu Gönder": each request from one IP; accepted requests (valid TC + captcha) per TC.
    "MUHTAR_SINIR_KOD_GONDER_IP": "10 per hour",
    "MUHTAR_SINIR_KOD_GONDER_TC": "3 per 10 minutes",
    # "Sisteme Giriş": each code check, from one IP and for one TC kimlik no.
    "MUHTAR_SINIR_KOD_KONTROL_IP": "30 per hour",
    "MUHTAR_SINIR_KOD_KONTROL_TC": "10 per 10 minutes",
    # The captcha image and audio: generating them costs CPU.
    "MUHTAR_SINIR_DOGRULAMA_IP": "60 per minute",
}

MESAJLAR = {
    "MUHTAR_SINIR_KOD_GONDER_IP": "Bu bağlantıdan kısa sürede çok fazla onay kodu istendi.",
    "MUHTAR_SINIR_KOD_GONDER_TC": "Bu TC Kimlik Numarası için kısa sürede çok fazla onay kodu istendi.",
    "MUHTAR_SINIR_KOD_KONTROL_IP": "Bu bağlantıdan kısa sürede çok fazla onay kodu denemesi yapıldı.",
    "MUHTAR_SINIR_KOD_KONTROL_TC": "Bu TC Kimlik Numarası için kısa sürede çok fazla onay kodu denemesi yapıldı.",
    "MUHTAR_SINIR_DOGRULAMA_IP": "Doğrulama kodu kısa sürede çok fazla kez istendi.",
}

#: the session key of a login waiting for its code (see giris_rotalari)
BEKLEYEN_GIRIS = "muhtar_giris"


def sinir(ad: str):
    """The limit value as a callable, read from the config on each request."""
    return lambda: current_app.config.get(ad) or VARSAYILANLAR[ad]


def mesaj(ad: str) -> str:
    return MESAJLAR[ad]


def gonderilen_tc() -> str:
    """Key of the TC kimlik no typed into "Onay Kodu Gönder" ("" skips the limit: nothing typed)."""
    tc = "".join(request.form.get("tc_kimlik_no", "").split())
    return f"tc:{tc_anahtari(current_app.config['SECRET_KEY'], tc)[:32]}" if tc else ""


def bekleyen_tc() -> str:
    """Key of the TC kimlik no whose code is being checked (kept in the session at step one)."""
    bekleyen = session.get(BEKLEYEN_GIRIS) or {}
    return f"tc:{bekleyen['t']}" if bekleyen.get("t") else ""


def kod_istendi(yanit) -> bool:
    """deduct_when: count a request against the per-TC limit only when it was accepted (a redirect)."""
    return yanit.status_code == 302


def yenileme_degil(_yanit) -> bool:
    """deduct_when: asking for a new captcha image is not an attempt."""
    return not g.get("mbs_yalniz_yenile", False)
