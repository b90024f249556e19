"""Guessing passwords, TOTP and SMS codes: the limits hold per user / TC Kimlik No and per IP, cannot be
dodged by another IP, a forged X-Forwarded-For, another session or another spelling of the same name/number,
and they end when their time is over (real clocks here, with short windows).

Already tested elsewhere, and counted in the issue's figures: kurum lock-out after 5 failures and its 15
minutes (test_kurum_giris.test_bes_hatadan_sonra_15_dakika_kilit), TOTP failures lock too
(test_totp_hatalari_da_kilitler), per-IP and per-user-name login limits (test_hiz_siniri_ip_ve_kullanici_adi);
SMS-code limits per TC across IPs and per IP (test_muhtar_sinir.py), a code dies after 5 wrong entries
(test_muhtar_giris.test_azami_deneme_sonra_kod_gecersiz), a captcha answers once (test_muhtar_giris).
"""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from engine.models import Kullanici
from tests.web.guvenlik_ortak import AYSE, dunya_kur
from tests.web.kurum_yardim import PAROLA, _hizli_hash_yukseltilmez, giris_yap, kullanici_adi  # noqa: F401
from tests.web.muhtar_ortak import KOD_RE, kod_gir, kod_iste

SAHTE_BASLIKLAR = [{"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}",
                    "Forwarded": f"for=192.0.2.{i}", "Client-IP": f"192.0.2.{i}"} for i in range(40)]


def _kurum_dene(client, kod, parola, ip="127.0.0.1", basliklar=None):
    client.environ_base["REMOTE_ADDR"] = ip
    if basliklar:
        client.environ_base.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in basliklar.items()})
    return giris_yap(client, kod, parola)


def test_kurum_kullanici_siniri_ip_degisince_de_gecerli(make_app, web_database):
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True, KURUM_GIRIS_KULLANICI_SINIRI="3 per minute",
                  KURUM_GIRIS_IP_SINIRI="100 per minute")
    kodlar = [_kurum_dene(d.app.test_client(), "VALILIK-06", "yanlis", ip=f"10.9.0.{i}").status_code
              for i in range(4)]
    assert kodlar == [200, 200, 200, 429]
    # spelled another way, the user name is the same key
    assert _kurum_dene(d.app.test_client(), " Valilik-06 ", "yanlis", ip="10.9.0.9").status_code == 429
    # another user from the same addresses is not affected
    assert _kurum_dene(d.app.test_client(), "VALILIK-35", PAROLA, ip="10.9.0.1").status_code == 302


def test_kurum_ip_siniri_sahte_x_forwarded_for_ile_asilmaz(make_app, web_database):
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True, KURUM_GIRIS_IP_SINIRI="5 per minute",
                  KURUM_GIRIS_KULLANICI_SINIRI="100 per minute")
    kodlar = [_kurum_dene(d.app.test_client(), f"yok{i}", "yanlis", basliklar=SAHTE_BASLIKLAR[i]).status_code
              for i in range(7)]
    assert kodlar == [200] * 5 + [429] * 2


def test_kurum_kilidi_suresi_dolunca_acilir(make_app, web_database, monkeypatch):
    """5 failures lock the account (the right password too, from anywhere); the lock ends by itself."""
    from webapp.kurum import hesap
    monkeypatch.setattr(hesap, "KILIT_SURESI", timedelta(seconds=2))
    d = dunya_kur(make_app, web_database)
    for i in range(5):
        _kurum_dene(d.app.test_client(), "MIGM", f"yanlis{i}", ip=f"10.8.0.{i}")
    for ip in ("10.8.0.1", "10.8.1.1"):
        yanit = _kurum_dene(d.app.test_client(), "MIGM", PAROLA, ip=ip)
        assert yanit.status_code == 200 and "kilitlendi" in yanit.get_data(as_text=True)
    time.sleep(2.2)
    assert _kurum_dene(d.app.test_client(), "MIGM", PAROLA).status_code == 302
    with d.db.session() as s:
        k = s.scalars(select(Kullanici).where(Kullanici.kullanici_adi == kullanici_adi("MIGM"))).one()
        assert (k.basarisiz_giris, k.kilitli_bitis) == (0, None)


def test_kurum_hiz_siniri_penceresi_bitince_acilir(make_app, web_database):
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True, KURUM_GIRIS_KULLANICI_SINIRI="2 per 2 seconds")
    client = d.app.test_client()
    assert [_kurum_dene(client, "BELEDIYE-06-CANKAYA", "yanlis").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(2.2)
    assert _kurum_dene(client, "BELEDIYE-06-CANKAYA", PAROLA).status_code == 302


# --- the muhtar's SMS code ---------------------------------------------------------------------------------

def _yanlis_kod(database) -> str:
    from sqlalchemy import text
    with database.session() as s:
        metin = s.scalar(text("SELECT metin FROM mesaj_kutusu WHERE gizli ORDER BY id DESC LIMIT 1"))
    dogru = KOD_RE.search(metin).group(1)
    return "000000" if dogru != "000000" else "111111"


def test_muhtar_tc_yazilisi_degisince_de_ayni_sinir(make_app, web_database):
    """Spaces inside or around the TC Kimlik No do not make a new key for the per-TC limit."""
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True)
    yazilislar = [AYSE["tc"], f" {AYSE['tc']} ", "1000 0000 146", "10000000146\t"]
    kodlar = [kod_iste(d.app.test_client(), tc=tc, ip=f"10.7.0.{i}").status_code for i, tc in enumerate(yazilislar)]
    assert kodlar == [302, 302, 302, 429]


def test_muhtar_ip_siniri_sahte_basliklarla_asilmaz(make_app, web_database):
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True, MUHTAR_SINIR_KOD_GONDER_IP="3 per hour")
    kodlar = []
    for i in range(5):
        client = d.app.test_client()
        client.environ_base.update({"HTTP_X_FORWARDED_FOR": f"203.0.113.{i}", "HTTP_X_REAL_IP": f"198.51.100.{i}"})
        kodlar.append(kod_iste(client, tc=AYSE["tc"], ip="10.6.0.1").status_code)
    assert kodlar == [302, 302, 302, 429, 429]


def test_muhtar_kod_tahmini_tc_basina_varsayilan_sinirla_biter(make_app, web_database):
    """With the default limits an attacker using many addresses and sessions gets at most 10 code guesses per
    10 minutes for one TC Kimlik No (each code itself dies after 5); the 11th try, even the right code, is
    refused."""
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True)
    denemeler = 0
    for oturum in range(3):
        client = d.app.test_client()
        assert kod_iste(client, ip=f"10.5.{oturum}.1").status_code == 302
        for i in range(4):
            if denemeler == 10:
                break
            assert kod_gir(client, _yanlis_kod(d.db), ip=f"10.5.{oturum}.{i + 2}").status_code == 422
            denemeler += 1
    assert denemeler == 10
    from tests.web.muhtar_ortak import son_kod
    yanit = kod_gir(client, son_kod(d.db, AYSE["telefon"]), ip="10.5.9.9")
    assert yanit.status_code == 429
    assert "Bu TC Kimlik Numarası için kısa sürede çok fazla onay kodu denemesi yapıldı." in yanit.get_data(True)


def test_muhtar_sinir_penceresi_bitince_acilir(make_app, web_database):
    d = dunya_kur(make_app, web_database, RATELIMIT_ENABLED=True, MUHTAR_SINIR_KOD_GONDER_TC="1 per 2 seconds")
    assert kod_iste(d.app.test_client(), ip="10.4.1.1").status_code == 302
    assert kod_iste(d.app.test_client(), ip="10.4.1.2").status_code == 429
    time.sleep(2.2)
    client = d.app.test_client()
    assert kod_iste(client, ip="10.4.1.3").status_code == 302
    from tests.web.muhtar_ortak import son_kod
    assert kod_gir(client, son_kod(d.db, AYSE["telefon"]), ip="10.4.1.3").status_code == 302
