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


def basliklari_ekle(response: Response) -> Response:
    """after_request: add the headers a view has not set itself."""
    for ad, deger in BASLIKLAR.items():
        response.headers.setdefault(ad, deger)
    return response


def demo_hesaplari(database: Database) -> list[str]:
    """Demo accounts (engine.kayit.DEMO_KULLANICILAR) whose password still verifies as the demo password."""
    from engine.kayit import DEMO_KULLANICILAR, DEMO_PAROLA
    from engine.parola import parola_dogrula
    if not inspect(database.engine).has_table("kullanici"):
        return []  # a new, unmigrated database has no accounts at all
    adlar = [k["kullanici_adi"] for k in DEMO_KULLANICILAR]
    with database.session() as session:
        satirlar = session.execute(select(Kullanici.kullanici_adi, Kullanici.parola_hash)
                                   .where(Kullanici.kullanici_adi.in_(adlar))).all()
    return [ad for ad, parola_hash in satirlar if parola_dogrula(parola_hash, DEMO_PAROLA)]


def demo_verisini_denetle(app: Flask) -> None:
    """Production must not start while demo accounts still open with the demo password."""
    acik = demo_hesaplari(app.extensions["mbs_db"])
    if acik:
        raise YapilandirmaHatasi(
            "Üretim veritabanında demo hesapları var (parola hâlâ demo1234): " + ", ".join(sorted(acik))
            + ". Bu hesapları silin ya da parolalarını değiştirin.")


def init_app(app: Flask) -> None:
    app.after_request(basliklari_ekle)
