"""Rate limits of the muhtar login, per TC kimlik no and per IP, with their Turkish 429 pages."""
from __future__ import annotations

import pytest

from engine.kimlik import tc_kimlik_uret
from tests.web.muhtar_ortak import (YABANCI_TC, istemci, kayit, kod_gir, kod_iste, sms_sayisi,  # noqa: F401
                                    son_kod, uygulama)


@pytest.fixture
def sinirli(make_app, kayit):
    return make_app(MUHTAR_GIRIS_ASGARI_SN=0, RATELIMIT_ENABLED=True)


def _yanlis(database) -> str:
    return "000000" if son_kod(database) != "000000" else "111111"


def test_kod_gonder_tc_basina_sinirli(sinirli, web_database):
    """3 codes per 10 minutes for one TC kimlik no, whatever the IP; another TC is not affected."""
    for i in range(3):
        assert kod_iste(sinirli.test_client(), ip=f"10.0.0.{i}").status_code == 302
    yanit = kod_iste(sinirli.test_client(), ip="10.0.0.9")
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 429
    assert "Bu TC Kimlik Numarası için kısa sürede çok fazla onay kodu istendi." in html
    assert "dakika sonra yeniden deneyin" in html and int(yanit.headers["Retry-After"]) > 0
    assert sms_sayisi(web_database) == 3
    assert kod_iste(sinirli.test_client(), tc=YABANCI_TC, ad="Ali Veli", ip="10.0.0.9").status_code == 302


def test_kod_gonder_tc_siniri_muhtar_olmayana_da_ayni(sinirli):
    """The per-TC limit counts every accepted request, so it reveals nothing about who is a muhtar."""
    for i in range(3):
        assert kod_iste(sinirli.test_client(), tc=YABANCI_TC, ad="Ali Veli", ip=f"10.0.1.{i}").status_code == 302
    assert kod_iste(sinirli.test_client(), tc=YABANCI_TC, ad="Ali Veli", ip="10.0.1.9").status_code == 429


def test_gecersiz_istek_tc_sinirini_tuketmez(sinirli):
    istemci = sinirli.test_client()
    for _ in range(3):
        assert kod_iste(istemci, ad="", ip="10.0.2.1").status_code == 422
    assert kod_iste(istemci, ip="10.0.2.1").status_code == 302


def test_kod_gonder_ip_basina_sinirli(sinirli, web_database):
    """10 requests per hour from one IP (each with a different TC kimlik no), valid or not."""
    istemci = sinirli.test_client()
    for i in range(9):
        assert kod_iste(istemci, tc=tc_kimlik_uret(f"30000000{i}"), ad="Ali Veli", ip="10.1.0.1").status_code == 302
    assert kod_iste(istemci, tc="12345678901", ad="Ali Veli", ip="10.1.0.1").status_code == 422
    yanit = kod_iste(istemci, ip="10.1.0.1")
    assert yanit.status_code == 429
    assert "Bu bağlantıdan kısa sürede çok fazla onay kodu istendi." in yanit.get_data(as_text=True)
    assert sms_sayisi(web_database) == 0
    assert kod_iste(sinirli.test_client(), ip="10.1.0.2").status_code == 302


def test_kod_kontrolu_tc_basina_sinirli(make_app, kayit, web_database):
    """Code checks for one TC kimlik no, across requests and IPs."""
    app = make_app(MUHTAR_GIRIS_ASGARI_SN=0, RATELIMIT_ENABLED=True, MUHTAR_SINIR_KOD_KONTROL_TC="6 per 10 minutes")
    ilk = app.test_client()
    kod_iste(ilk, ip="10.2.0.1")
    yanlis = _yanlis(web_database)
    for _ in range(4):
        assert kod_gir(ilk, yanlis, ip="10.2.0.1").status_code == 422
    ikinci = app.test_client()
    kod_iste(ikinci, ip="10.2.0.2")
    yanlis = _yanlis(web_database)
    assert kod_gir(ikinci, yanlis, ip="10.2.0.2").status_code == 422
    assert kod_gir(ikinci, yanlis, ip="10.2.0.2").status_code == 422
    yanit = kod_gir(ikinci, son_kod(web_database), ip="10.2.0.3")
    assert yanit.status_code == 429
    assert "Bu TC Kimlik Numarası için kısa sürede çok fazla onay kodu denemesi yapıldı." in yanit.get_data(True)


def test_kod_kontrolu_ip_basina_sinirli(make_app, kayit, web_database):
    app = make_app(MUHTAR_GIRIS_ASGARI_SN=0, RATELIMIT_ENABLED=True, MUHTAR_SINIR_KOD_KONTROL_IP="4 per hour")
    istemci = app.test_client()
    kod_iste(istemci, tc=YABANCI_TC, ad="Ali Veli", ip="10.3.0.1")
    for _ in range(4):
        assert kod_gir(istemci, "123456", ip="10.3.0.1").status_code == 422
    yanit = kod_gir(istemci, "123456", ip="10.3.0.1")
    assert yanit.status_code == 429
    assert "Bu bağlantıdan kısa sürede çok fazla onay kodu denemesi yapıldı." in yanit.get_data(as_text=True)
    # Another IP, another muhtar's login, goes on.
    baska = app.test_client()
    kod_iste(baska, ip="10.3.0.2")
    assert kod_gir(baska, son_kod(web_database), ip="10.3.0.2").status_code == 302


def test_dogrulama_resmi_sinirli(make_app, kayit):
    app = make_app(RATELIMIT_ENABLED=True, CAPTCHA_ENABLED=True, MUHTAR_SINIR_DOGRULAMA_IP="3 per minute")
    istemci = app.test_client()
    istemci.get("/muhtar/giris")
    for _ in range(3):
        assert istemci.get("/muhtar/dogrulama-kodu/resim").status_code == 200
    yanit = istemci.get("/muhtar/dogrulama-kodu/resim")
    assert yanit.status_code == 429 and "Doğrulama kodu kısa sürede çok fazla kez istendi." in yanit.get_data(True)


def test_yeni_dogrulama_kodu_ip_sinirini_tuketmez(make_app, kayit):
    app = make_app(MUHTAR_GIRIS_ASGARI_SN=0, RATELIMIT_ENABLED=True, MUHTAR_SINIR_KOD_GONDER_IP="2 per hour")
    istemci = app.test_client()
    for _ in range(4):
        assert kod_iste(istemci, ip="10.4.0.1", islem="yenile").status_code == 200
    assert kod_iste(istemci, ip="10.4.0.1").status_code == 302
    assert kod_iste(istemci, ip="10.4.0.1").status_code == 302
    assert kod_iste(istemci, ip="10.4.0.1").status_code == 429
