"""Every POST route refuses a request without the form's CSRF token, or with a wrong one.

The routes come from ``app.url_map``: a route added tomorrow is in this test without anyone touching it. Each
is posted to anonymously, as a logged-in kurum user (an administrator) and as a logged-in muhtar, with no
token, a made-up one, a tampered one and another session's valid one. Every such request must get the 400
page, the view must never run (each view is wrapped to record calls) and no table may change. A control
request with the right token shows the view does run, so the 400s above really came from the CSRF check.
"""
from __future__ import annotations

import functools

import pytest

from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import dunya, rota_adresi, tablo_dokumu, tum_kurallar  # noqa: F401
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401

#: POST routes the app has today; the test enumerates the map and would cover a new one anyway: this
#: minimum only catches the map being read wrong (an empty loop proves nothing)
EN_AZ_POST_ROTASI = 12


def _cagrilari_kaydet(app) -> list[str]:
    """Wrap every view so the test knows whether it ran for a POST."""
    from flask import request
    cagrilar: list[str] = []
    for ad, gorunum in list(app.view_functions.items()):
        @functools.wraps(gorunum)
        def sarmal(*args, _ad=ad, _gorunum=gorunum, **kwargs):
            if request.method == "POST":
                cagrilar.append(_ad)
            return _gorunum(*args, **kwargs)
        app.view_functions[ad] = sarmal
    return cagrilar


def _belirtec(client, yol="/kurum/giris") -> str:
    return csrf_token(client.get(yol).get_data(as_text=True))


def test_csrf_muafiyeti_yok(dunya):
    csrf = dunya.app.extensions["csrf"]
    assert not csrf._exempt_views and not csrf._exempt_blueprints
    assert dunya.app.config["WTF_CSRF_ENABLED"] is True and dunya.app.config["WTF_CSRF_CHECK_DEFAULT"] is not False


def test_her_post_rotasi_csrf_belirteci_ister(dunya):
    app = dunya.app
    kurallar = [k for k in tum_kurallar(app, "POST") if k.endpoint != "static"]
    assert len(kurallar) >= EN_AZ_POST_ROTASI, [k.rule for k in kurallar]
    cagrilar = _cagrilari_kaydet(app)

    baska = app.test_client()
    baska_belirteci = _belirtec(baska)  # valid, but for another session
    istemciler = {"anonim": app.test_client(), "kurum": dunya.kurum("MIGM"), "muhtar": dunya.muhtar_istemci()}
    cagrilar.clear()
    oncesi = tablo_dokumu(dunya.db)
    sayi = 0
    for kim, client in istemciler.items():
        kendi = _belirtec(client, {"anonim": "/kurum/giris", "kurum": "/kurum/hesap/parola",
                                   "muhtar": "/muhtar/basvuru"}[kim])
        bozuk = kendi[:-4] + ("AAAA" if not kendi.endswith("AAAA") else "BBBB")
        for kural in kurallar:
            yol = rota_adresi(kural, dunya)
            for neden, veri in (("yok", {}), ("uydurma", {"csrf_token": "uydurma-belirtec"}),
                                ("bozuk imza", {"csrf_token": bozuk}),
                                ("başka oturumun", {"csrf_token": baska_belirteci}), ("boş", {"csrf_token": ""})):
                veri = {**veri, "islem_notu": "CSRF denemesi", "tur": "sikayet", "aciklama": "x" * 20,
                        "karar": "yonlendir", "kullanici_adi": "migm", "parola": "demo1234"}
                yanit = client.post(yol, data=veri)
                sayi += 1
                assert yanit.status_code == 400, (kim, kural.rule, neden, yanit.status_code)
                assert "Geçersiz istek" in yanit.get_data(as_text=True), (kim, kural.rule, neden)
                # the token in a header is checked as strictly
                yanit = client.post(yol, data={}, headers={"X-CSRFToken": veri.get("csrf_token") or "x"})
                sayi += 1
                assert yanit.status_code == 400, (kim, kural.rule, neden, "başlık")
    assert cagrilar == [], f"CSRF belirteci olmadan çalışan görünümler: {sorted(set(cagrilar))}"
    assert tablo_dokumu(dunya.db) == oncesi
    assert sayi == len(istemciler) * len(kurallar) * 10

    # control: with its own token the view does run (the 400s above were the CSRF check's)
    client = dunya.kurum("MIGM")
    yanit = client.post(f"/kurum/gorev/{dunya.gorev['B-MIGM']}", data={"csrf_token": _belirtec(client, "/kurum/hesap/parola")})
    assert "kurum.gorev_gonder" in cagrilar and yanit.status_code != 400


def test_uretimde_baska_siteden_gelen_post_reddedilir(make_app, web_database):
    """Over HTTPS Flask-WTF also checks the Referer: a valid token posted from another site is refused."""
    from sqlalchemy import update

    from engine.models import Kullanici
    from tests.web.guvenlik_ortak import dunya_kur
    from tests.web.kurum_yardim import HIZLI_HASHER
    d = dunya_kur(make_app, web_database)
    with d.db.unit_of_work() as s:
        s.execute(update(Kullanici).values(parola_hash=HIZLI_HASHER.hash("uretim-parolasi-1")))
    app = make_app(MBS_ENV="production", SECRET_KEY="u" * 48)
    client = app.test_client()
    https = {"base_url": "https://mbs.example.gov.tr"}
    token = csrf_token(client.get("/kurum/giris", **https).get_data(as_text=True))
    veri = {"csrf_token": token, "kullanici_adi": "migm", "parola": "uretim-parolasi-1"}
    for referer in ("https://kotu.example.com/kurum/giris", None, "http://mbs.example.gov.tr/kurum/giris"):
        basliklar = {"Referer": referer} if referer else {}
        assert client.post("/kurum/giris", data=veri, headers=basliklar, **https).status_code == 400, referer
    yanit = client.post("/kurum/giris", data=veri, headers={"Referer": "https://mbs.example.gov.tr/kurum/giris"},
                        **https)
    assert yanit.status_code == 302


@pytest.mark.parametrize("yol", ["/kurum/cikis", "/muhtar/cikis"])
def test_cikis_yalniz_post_ile(dunya, yol):
    """Logging out is a POST with a token: an <img src=/kurum/cikis> on another site cannot log anyone out."""
    client = dunya.kurum("MIGM") if yol.startswith("/kurum") else dunya.muhtar_istemci()
    assert client.get(yol).status_code == 405
    assert client.post(yol).status_code == 400
    korunan = "/kurum/gelen-kutusu" if yol.startswith("/kurum") else "/muhtar/basvuru"
    assert client.get(korunan).status_code == 200
