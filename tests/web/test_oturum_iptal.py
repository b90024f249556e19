"""Server-side session revocation: the session generation (``oturum_surumu``) ends every copy of a cookie.

A stolen or copied session cookie must stop working when its owner logs out or changes the password; a second
login in another browser must not end the first.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.models import Kullanici, Muhtar
from tests.web.conftest import csrf_token
from tests.web.kurum_yardim import PAROLA, giris_yap, kurum, metin, oturumlu  # noqa: F401 (fixture)
from tests.web.muhtar_ortak import AYSE_TC, istemci, kayit, uygulama  # noqa: F401 (fixtures)
from tests.web.muhtar_ortak import giris_yap as muhtar_giris_yap
from tests.web.test_kurum_giris import saat  # noqa: F401 (fixture: the TOTP clock)

KURUM_SAYFASI = "/kurum/gelen-kutusu"
MUHTAR_SAYFASI = "/muhtar/basvuru"


def _kopya(client, app):
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    cerez = client.get_cookie("session")
    assert cerez is not None, "oturum çerezi yok"
    diger = app.test_client()
    diger.set_cookie("session", cerez.value)
    return diger


def _girise_yonlenir(client, yol: str, giris: str) -> bool:
    yanit = client.get(yol)
    return yanit.status_code == 302 and giris in yanit.headers["Location"]


def _kurum_surumu(ortam, ad: str) -> int:
    with ortam.db.session() as s:
        return s.scalars(select(Kullanici.oturum_surumu).where(Kullanici.kullanici_adi == ad)).one()


def _cikis(client, yol: str, sayfa: str):
    return client.post(yol, data={"csrf_token": csrf_token(metin(client.get(sayfa)))})


def test_kurum_cikisi_kopyalanan_cerezi_de_gecersiz_kilar(kurum):
    client = oturumlu(kurum, "MIGM")
    kopya = _kopya(client, kurum.app)
    assert kopya.get(KURUM_SAYFASI).status_code == 200  # the copy works while the session lives
    assert _kurum_surumu(kurum, "migm") == 0
    yanit = _cikis(client, "/kurum/cikis", KURUM_SAYFASI)
    assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"]
    assert _kurum_surumu(kurum, "migm") == 1
    assert _girise_yonlenir(client, KURUM_SAYFASI, "/kurum/giris")
    assert _girise_yonlenir(kopya, KURUM_SAYFASI, "/kurum/giris")
    # a new login works, under the new generation
    assert oturumlu(kurum, "MIGM").get(KURUM_SAYFASI).status_code == 200


def test_muhtar_cikisi_kopyalanan_cerezi_de_gecersiz_kilar(uygulama, istemci, web_database):
    assert muhtar_giris_yap(istemci, web_database).status_code == 302
    assert istemci.get(MUHTAR_SAYFASI).status_code == 200
    kopya = _kopya(istemci, uygulama)
    assert kopya.get(MUHTAR_SAYFASI).status_code == 200
    yanit = _cikis(istemci, "/muhtar/cikis", MUHTAR_SAYFASI)
    assert yanit.status_code == 302
    with web_database.session() as s:
        assert s.scalars(select(Muhtar.oturum_surumu).where(Muhtar.tc_kimlik_no == AYSE_TC)).one() == 1
    assert _girise_yonlenir(istemci, MUHTAR_SAYFASI, "/muhtar/giris")
    assert _girise_yonlenir(kopya, MUHTAR_SAYFASI, "/muhtar/giris")


def test_parola_degisince_bu_oturum_kalir_eski_kopya_biter(kurum):
    client = oturumlu(kurum, "MIGM")
    kopya = _kopya(client, kurum.app)
    assert _parola_degistir(client, PAROLA, "yeni-parola-1").status_code == 302
    assert _kurum_surumu(kurum, "migm") == 1
    assert client.get(KURUM_SAYFASI).status_code == 200
    with client.session_transaction() as s:
        assert s["_user_id"].endswith(":1")
    assert _girise_yonlenir(kopya, KURUM_SAYFASI, "/kurum/giris")


def _parola_degistir(client, eski: str, yeni: str):
    html = metin(client.get("/kurum/hesap/parola"))
    return client.post("/kurum/hesap/parola", data={"csrf_token": csrf_token(html), "eski": eski, "yeni": yeni,
                                                    "yeni_tekrar": yeni})


def test_parola_degisiminden_sonraki_kopya_sonraki_degisimde_biter(kurum):
    """A copy of the session re-issued by a first password change (generation 1) ends at the second."""
    client = oturumlu(kurum, "MIGM")
    assert _parola_degistir(client, PAROLA, "yeni-parola-1").status_code == 302
    kopya = _kopya(client, kurum.app)
    assert kopya.get(KURUM_SAYFASI).status_code == 200
    assert _parola_degistir(client, "yeni-parola-1", "yeni-parola-2").status_code == 302
    assert _kurum_surumu(kurum, "migm") == 2
    assert client.get(KURUM_SAYFASI).status_code == 200
    assert _girise_yonlenir(kopya, KURUM_SAYFASI, "/kurum/giris")


def test_eski_bicimli_kimlik_oturumsuz_sayilir(kurum):
    """A session from before the upgrade ("k:<id>", no generation) is logged out once."""
    client = oturumlu(kurum, "MIGM")
    with client.session_transaction() as s:
        kimlik = s["_user_id"]
        assert kimlik.startswith("k:") and kimlik.count(":") == 2
        s["_user_id"] = kimlik.rsplit(":", 1)[0]
    assert _girise_yonlenir(client, KURUM_SAYFASI, "/kurum/giris")
    assert oturumlu(kurum, "MIGM").get(KURUM_SAYFASI).status_code == 200  # logging in again works


def test_ikinci_giris_ilk_oturumu_bitirmez(kurum):
    birinci = oturumlu(kurum, "MIGM")
    ikinci = oturumlu(kurum, "MIGM")
    assert _kurum_surumu(kurum, "migm") == 0
    assert birinci.get(KURUM_SAYFASI).status_code == 200
    assert ikinci.get(KURUM_SAYFASI).status_code == 200
    # a failed login does not end anything either
    assert giris_yap(kurum.client(), "MIGM", "yanlis-parola").status_code == 200
    assert birinci.get(KURUM_SAYFASI).status_code == 200 and _kurum_surumu(kurum, "migm") == 0


def test_ikinci_muhtar_girisi_ilk_oturumu_bitirmez(uygulama, istemci, web_database):
    ikinci = uygulama.test_client()
    assert muhtar_giris_yap(istemci, web_database).status_code == 302
    assert muhtar_giris_yap(ikinci, web_database).status_code == 302
    assert istemci.get(MUHTAR_SAYFASI).status_code == 200
    assert ikinci.get(MUHTAR_SAYFASI).status_code == 200


def test_iki_asamali_degisikligi_diger_oturumlari_bitirir(kurum, saat):
    client = oturumlu(kurum, "VALILIK-06")
    kopya = _kopya(client, kurum.app)
    html = metin(client.get("/kurum/hesap/iki-asamali"))
    with client.session_transaction() as s:
        secret = s["totp_kurulum"]
    yanit = client.post("/kurum/hesap/iki-asamali", data={"csrf_token": csrf_token(html), "islem": "etkinlestir",
                                                          "kod": saat.kod(secret)})
    assert yanit.status_code == 302
    assert _kurum_surumu(kurum, "valilik-06") == 1
    sayfa = client.get("/kurum/hesap/iki-asamali")
    assert sayfa.status_code == 200 and "İki aşamalı doğrulama etkinleştirildi." in metin(sayfa)
    assert _girise_yonlenir(kopya, KURUM_SAYFASI, "/kurum/giris")
    # turning it off ends the sessions again
    kopya = _kopya(client, kurum.app)
    saat.ileri(30)
    yanit = client.post("/kurum/hesap/iki-asamali", data={"csrf_token": csrf_token(metin(sayfa)),
                                                          "islem": "kapat", "parola": PAROLA,
                                                          "kod": saat.kod(secret)})
    assert yanit.status_code == 302 and _kurum_surumu(kurum, "valilik-06") == 2
    assert client.get(KURUM_SAYFASI).status_code == 200
    assert _girise_yonlenir(kopya, KURUM_SAYFASI, "/kurum/giris")
