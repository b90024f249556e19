"""Configuration: defaults, then instance/config.py, then MBS_* environment variables, then test_config.

Every key is documented in ``instance/config.sample.py``. Production refuses to start on a default or
missing secret (here) and on demo data still present (``webapp.guvenlik_kontrolu``).
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

#: the repository root: processes/ and forms/ live beside webapp/
KOK = Path(__file__).resolve().parent.parent

#: the development secret; production refuses it
GELISTIRME_ANAHTARI = "gelistirme-icin-gizli-olmayan-anahtar"

#: environment variable -> (config key, converter)
ORTAM_DEGISKENLERI = {
    "MBS_DATABASE_URL": ("DATABASE_URL", str),
    "MBS_SECRET_KEY": ("SECRET_KEY", str),
    "MBS_PORT": ("PORT", int),
    "MBS_ENV": ("MBS_ENV", str),
    "MBS_CAPTCHA_ENABLED": ("CAPTCHA_ENABLED", lambda v: v.strip().lower() in {"1", "true", "evet", "yes", "on"}),
    "MBS_MESAJ_SAKLAMA_GUN": ("MESAJ_SAKLAMA_GUN", int),
}


ORTAMLAR = ("development", "production")


class YapilandirmaHatasi(RuntimeError):
    """The configuration is unsafe or incomplete; the application must not start."""


def varsayilanlar(instance_path: str) -> dict:
    """The defaults: a development set-up with SQLite in the instance folder."""
    return {
        "MBS_ENV": "development",
        "SECRET_KEY": GELISTIRME_ANAHTARI,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'mbs.db'}",
        "PORT": 5000,
        "CAPTCHA_ENABLED": True,
        "PROCESSES_DIR": str(KOK / "processes"),
        "FORMS_DIR": str(KOK / "forms"),
        "UPLOAD_DIR": str(Path(instance_path) / "ekler"),
        # Uploads larger than this get the Turkish 413 page.
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_ENABLED": True,
        # A form may stay open as long as the session lives.
        "WTF_CSRF_TIME_LIMIT": 30 * 60,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # `flask mesaj temizle`: delivered/failed outbox rows older than this many days are deleted.
        "MESAJ_SAKLAMA_GUN": 90,
    }


def ortamdan(environ) -> dict:
    """The MBS_* variables that are set, converted to config keys."""
    sonuc = {}
    for degisken, (anahtar, donustur) in ORTAM_DEGISKENLERI.items():
        deger = environ.get(degisken)
        if deger not in (None, ""):
            sonuc[anahtar] = donustur(deger)
    return sonuc


def yukle(app: Flask, test_config: dict | None, environ=None) -> None:
    """Fill ``app.config`` in the documented order and derive the production-only settings."""
    environ = os.environ if environ is None else environ
    app.config.from_mapping(varsayilanlar(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(ortamdan(environ))
    if test_config:
        app.config.update(test_config)
    ortami_denetle(app)
    if uretimde(app):
        # Production sits behind HTTPS: the session cookie must never travel in clear text.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    gizli_anahtari_denetle(app)


def uretimde(app: Flask) -> bool:
    return app.config.get("MBS_ENV", "development") == "production"


def gelistirmede(app: Flask) -> bool:
    return app.config.get("MBS_ENV", "development") == "development"


def ortami_denetle(app: Flask) -> None:
    """MBS_ENV is "development" or "production"; a typo must not silently mean development."""
    if app.config.get("MBS_ENV") not in ORTAMLAR:
        raise YapilandirmaHatasi(f"MBS_ENV {app.config.get('MBS_ENV')!r} olamaz: development ya da production.")


def gizli_anahtari_denetle(app: Flask) -> None:
    """Outside development a real secret is required: raise YapilandirmaHatasi otherwise."""
    if gelistirmede(app):
        return
    anahtar = app.config.get("SECRET_KEY") or ""
    if anahtar == GELISTIRME_ANAHTARI or len(anahtar) < 32:
        raise YapilandirmaHatasi(
            "MBS_SECRET_KEY tanımlı değil ya da varsayılan/kısa bir değer: üretimde en az 32 karakterlik "
            "rastgele bir anahtar verin, ör. MBS_SECRET_KEY=$(python3 -c 'import secrets; "
            "print(secrets.token_hex(32))')")
