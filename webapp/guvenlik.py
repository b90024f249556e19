"""Security headers on every response, and the production check for leftover demo accounts."""
from __future__ import annotations

from flask import Flask, Response
from sqlalchemy import inspect, select

from engine.db import Database
from engine.models import Kullanici
from webapp.ayarlar import YapilandirmaHatasi

#: no inline script or style anywhere: templates load /static files only
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

BASLIKLAR = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

DEMO_PAROLA = "demo1234"
#: used only if engine.kayit is not importable (the list the foundation issue names)
_YEDEK_DEMO_KULLANICILAR = ("migm", "analist", "valilik.ankara", "belediye.cankaya", "saglik.ankara",
                            "kaymakamlik.polatli", "valilik.izmir", "belediye.konak")


def basliklari_ekle(response: Response) -> Response:
    """after_request: add the headers a view has not set itself."""
    for ad, deger in BASLIKLAR.items():
        response.headers.setdefault(ad, deger)
    return response


def demo_kullanici_adlari() -> tuple[str, ...]:
    try:
        from engine.kayit import DEMO_KULLANICILAR
    except ImportError:
        return _YEDEK_DEMO_KULLANICILAR
    # DEMO_KULLANICILAR may be names or (name, ...) records / dicts: take the names either way.
    return tuple(_ad(k) for k in DEMO_KULLANICILAR)


def _ad(kayit) -> str:
    if isinstance(kayit, str):
        return kayit
    if isinstance(kayit, dict):
        return kayit["kullanici_adi"]
    return getattr(kayit, "kullanici_adi", None) or kayit[0]


def demo_hesaplari(database: Database) -> list[str]:
    """Demo accounts whose password still verifies as the demo password (none on an empty database)."""
    if not inspect(database.engine).has_table("kullanici"):
        return []
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError
    hasher = PasswordHasher()
    with database.session() as session:
        satirlar = session.execute(select(Kullanici.kullanici_adi, Kullanici.parola_hash)
                                   .where(Kullanici.kullanici_adi.in_(demo_kullanici_adlari()))).all()
    acik = []
    for ad, parola_hash in satirlar:
        try:
            hasher.verify(parola_hash, DEMO_PAROLA)
            acik.append(ad)
        except (VerificationError, InvalidHashError):
            pass
    return acik


def demo_verisini_denetle(app: Flask) -> None:
    """Production must not start while demo accounts still open with the demo password."""
    acik = demo_hesaplari(app.extensions["mbs_db"])
    if acik:
        raise YapilandirmaHatasi(
            "Üretim veritabanında demo hesapları var (parola hâlâ demo1234): " + ", ".join(sorted(acik))
            + ". Bu hesapları silin ya da parolalarını değiştirin.")


def init_app(app: Flask) -> None:
    app.after_request(basliklari_ekle)
