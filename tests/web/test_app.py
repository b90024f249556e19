"""The application shell: home page, security headers, error pages, health, configuration guards."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from flask import render_template_string

from webapp import create_app
from webapp.ayarlar import KOK, YapilandirmaHatasi, varsayilanlar
from webapp.filtreler import tarih
from webapp.guvenlik import CSP

from .conftest import csrf_token


def test_anasayfa_iki_buyuk_dugme_ve_kurum_girisi(client):
    yanit = client.get("/")
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 200
    assert 'lang="tr"' in html
    assert "BAŞVURU" in html and 'href="/muhtar/giris"' in html
    assert "TALEP SORGULAMA" in html and 'href="/muhtar/talepler"' in html
    assert "Kurum Girişi" in html and 'href="/kurum/giris"' in html
    assert "T.C. İçişleri Bakanlığı" in html and "<main" in html and 'href="#icerik"' in html


def test_sayfalarda_satir_ici_betik_ve_stil_yok(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html


@pytest.mark.parametrize("yol", ["/", "/saglik", "/bulunmayan-sayfa", "/static/css/mbs.css"])
def test_guvenlik_basliklari(client, yol):
    yanit = client.get(yol)
    assert yanit.headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP
    assert yanit.headers["X-Content-Type-Options"] == "nosniff"
    assert yanit.headers["Referrer-Policy"] == "same-origin"
    assert yanit.headers["X-Frame-Options"] == "DENY"


def test_404_turkce_ve_iz_yok(client):
    yanit = client.get("/bulunmayan-sayfa")
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 404
    assert "Sayfa bulunamadı" in html
    assert "Traceback" not in html and "werkzeug" not in html.lower()


def test_405_turkce(make_app):
    # CSRF runs before routing for every POST; without it a GET-only route answers 405.
    yanit = make_app(WTF_CSRF_ENABLED=False).test_client().post("/saglik")
    assert yanit.status_code == 405
    assert "İzin verilmeyen işlem" in yanit.get_data(as_text=True)
    assert "GET" in yanit.headers["Allow"]


def test_500_turkce_ve_iz_yok(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test_patla")
    def patla():
        raise RuntimeError("gizli ayrıntı")

    yanit = app.test_client().get("/_test_patla")
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 500
    assert "Beklenmeyen bir hata oluştu" in html
    assert "gizli ayrıntı" not in html and "Traceback" not in html


def test_413_turkce(make_app):
    app = make_app(MAX_CONTENT_LENGTH=10, WTF_CSRF_ENABLED=False)

    @app.post("/_test_yukle")
    def yukle():
        from flask import request
        return str(len(request.form))

    yanit = app.test_client().post("/_test_yukle", data={"metin": "x" * 100})
    assert yanit.status_code == 413
    assert "Dosya çok büyük" in yanit.get_data(as_text=True)


def test_saglik(client):
    yanit = client.get("/saglik")
    assert yanit.status_code == 200
    assert yanit.get_json() == {"durum": "ok"}


def test_csrf_belirteci_olmayan_post_reddedilir(make_app):
    app = make_app()

    @app.route("/_test_form", methods=["GET", "POST"])
    def form():
        return render_template_string(
            '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}"></form>')

    client = app.test_client()
    yanit = client.post("/_test_form", data={})
    assert yanit.status_code == 400
    assert "Geçersiz istek" in yanit.get_data(as_text=True)
    belirtec = csrf_token(client.get("/_test_form").get_data(as_text=True))
    assert client.post("/_test_form", data={"csrf_token": belirtec}).status_code == 200


def test_hiz_siniri_429_turkce(make_app):
    from webapp.eklentiler import limiter
    app = make_app(RATELIMIT_ENABLED=True)

    @app.get("/_test_sinirli")
    @limiter.limit("2 per minute")
    def sinirli():
        return "tamam"

    client = app.test_client()
    assert [client.get("/_test_sinirli").status_code for _ in range(3)] == [200, 200, 429]
    assert "Çok fazla deneme" in client.get("/_test_sinirli").get_data(as_text=True)


def test_oturum_cerezi_ayarlari(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60


def test_uretim_varsayilan_anahtarla_baslamaz(web_database, monkeypatch):
    monkeypatch.delenv("MBS_SECRET_KEY", raising=False)
    with pytest.raises(YapilandirmaHatasi, match="MBS_SECRET_KEY"):
        create_app({"MBS_ENV": "production", "DATABASE_URL": web_database.url})


def test_uretim_ortam_degiskenleriyle_guvenli_cerez(web_database, monkeypatch):
    monkeypatch.setenv("MBS_ENV", "production")
    monkeypatch.setenv("MBS_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("MBS_DATABASE_URL", web_database.url)
    app = create_app()
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["DATABASE_URL"] == web_database.url
    finally:
        app.extensions["mbs_db"].dispose()


def test_bilinmeyen_ortam_reddedilir(web_database):
    with pytest.raises(YapilandirmaHatasi, match="MBS_ENV"):
        create_app({"MBS_ENV": "prod", "DATABASE_URL": web_database.url})


def test_ortam_degiskenleri_okunur(web_database, monkeypatch):
    monkeypatch.setenv("MBS_PORT", "5055")
    monkeypatch.setenv("MBS_CAPTCHA_ENABLED", "0")
    app = create_app({"DATABASE_URL": web_database.url})
    try:
        assert app.config["PORT"] == 5055 and app.config["CAPTCHA_ENABLED"] is False
    finally:
        app.extensions["mbs_db"].dispose()


def test_tarih_filtresi_turkiye_saati():
    assert tarih(datetime(2026, 11, 28, 11, 5, tzinfo=timezone.utc)) == "28.11.2026 14:05"
    assert tarih(datetime(2026, 11, 28, 11, 5)) == "28.11.2026 14:05"  # naive = UTC (SQLite)
    assert tarih(date(2026, 11, 28)) == "28.11.2026"
    assert tarih(None) == ""


def test_tarih_filtresi_sablonda(app):
    with app.app_context():
        metin = render_template_string("{{ an|tarih }}", an=datetime(2026, 1, 2, 21, 30, tzinfo=timezone.utc))
    assert metin == "03.01.2026 00:30"


def test_ornek_yapilandirma_her_anahtari_anlatir(tmp_path):
    ornek = KOK / "instance" / "config.sample.py"
    metin = ornek.read_text(encoding="utf-8")
    eksik = [anahtar for anahtar in varsayilanlar(str(tmp_path)) if anahtar not in metin]
    assert not eksik, f"instance/config.sample.py bu anahtarları anlatmıyor: {eksik}"
    from flask import Config
    config = Config(str(tmp_path))
    assert config.from_pyfile(str(ornek))
    assert config["MBS_ENV"] == "development"


def test_uretim_demo_hesabi_varken_baslamaz(web_database):
    from sqlalchemy import update

    from engine.models import Birim, Kullanici
    from engine.parola import parola_hashle
    with web_database.unit_of_work() as s:
        birim = Birim(kod="MIGM", ad="MİGM", tur="MIGM", rol="MIGM")
        s.add(birim)
        s.flush()
        s.add(Kullanici(kullanici_adi="migm", ad_soyad="MİGM", parola_hash=parola_hashle("demo1234"),
                        birim_id=birim.id))
    uretim = {"MBS_ENV": "production", "SECRET_KEY": "u" * 64, "DATABASE_URL": web_database.url}
    with pytest.raises(YapilandirmaHatasi, match="migm"):
        create_app(uretim)
    with web_database.unit_of_work() as s:
        s.execute(update(Kullanici).values(parola_hash=parola_hashle("cok-gizli-yeni-parola")))
    app = create_app(uretim)
    app.extensions["mbs_db"].dispose()


def _derlenmis(app) -> set[str]:
    return {anahtar[1] for anahtar in app.jinja_env.cache.keys()}


def test_sablonlar_isci_baslarken_derlenir(make_app):
    """Outside tests every page template is compiled when the app is built, so no worker's first view of a page
    pays for it; tests skip it (hundreds of apps)."""
    assert "kurum/liste.html" not in _derlenmis(make_app())
    uretimdeki_gibi = make_app(TESTING=False)
    assert {"kurum/liste.html", "kurum/talep.html", "raporlar/pano.html", "muhtar/talepler.html"} <= \
        _derlenmis(uretimdeki_gibi)
