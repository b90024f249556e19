"""Security headers on every response, and the production check for leftover demo accounts."""
from __future__ import annotations

from flask import Flask, Response, abort, request
from sqlalchemy import inspect, select
from werkzeug.routing import IntegerConverter

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


class VeritabaniTamSayisi(IntegerConverter):
    """``<int:...>`` in every route: at most a signed 64-bit value, the largest id a column can hold. A larger
    number is "not found" (404) instead of an overflow in the database driver (a 500 on SQLite)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2 ** 63 - 1, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def nul_karakteri_reddet() -> None:
    """before_request: a NUL character in the path, the query string or a form field is a 400. No browser sends
    one, and PostgreSQL text cannot hold it: it would reach a query and end as a 500."""
    if "\x00" in request.path or _nul_var(request.args):
        abort(400)
    if request.method not in ("GET", "HEAD", "OPTIONS") and _nul_var(request.form):
        abort(400)


def _nul_var(degerler) -> bool:
    return any("\x00" in anahtar or any("\x00" in d for d in liste) for anahtar, liste in degerler.lists())


def init_app(app: Flask) -> None:
    # before the blueprints are registered: their rules are built with this converter
    app.url_map.converters["int"] = VeritabaniTamSayisi
    app.before_request(nul_karakteri_reddet)
    app.after_request(basliklari_ekle)
