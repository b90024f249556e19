"""Kurum login: Oturum Aç, lock-out, rate limits, session renewal and expiry, logout, password change, TOTP."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select, update

from engine.models import Kullanici, utcnow
from webapp.kurum import giris, hesap

from .conftest import csrf_token
from .kurum_yardim import (PAROLA, _hizli_hash_yukseltilmez, giris_yap, kurum, kurum_ortami_kur,  # noqa: F401
                           metin, oturumlu)


def _kullanici(ortam, ad) -> Kullanici:
    with ortam.db.session() as s:
        return s.scalars(select(Kullanici).where(Kullanici.kullanici_adi == ad)).one()


class Saat:
    """The clock of the kurum login views (``giris.utcnow``), moved by hand: TOTP codes of chosen time steps."""

    def __init__(self):
        # 10 s into the current 30-second step: a test's few seconds never cross a step by themselves
        self.simdi = datetime.fromtimestamp(int(time.time()) // 30 * 30 + 10, timezone.utc)

    def ileri(self, saniye: int) -> None:
        self.simdi += timedelta(seconds=saniye)

    @property
    def adim(self) -> int:
        return int(self.simdi.timestamp()) // 30

    def kod(self, secret: str, adim_farki: int = 0) -> str:
        """The code the authenticator shows now (``adim_farki`` steps later or earlier: a drifting phone)."""
        return pyotp.TOTP(secret).at(self.simdi, counter_offset=adim_farki)


@pytest.fixture
def saat(monkeypatch) -> Saat:
    saat = Saat()
    monkeypatch.setattr(giris, "utcnow", lambda: saat.simdi)
    return saat


def _totp_ac(ortam, ad="migm") -> str:
    secret = pyotp.random_base32()
    with ortam.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == ad).values(totp_secret=secret))
    return secret


def _totp_girisi(ortam, kod: str, kod_birimi="MIGM"):
    """A new browser: the password step, then ``kod``; the client and the answer to the code."""
    client = ortam.client()
    assert giris_yap(client, kod_birimi).headers["Location"].endswith("/kurum/giris/dogrulama")
    sayfa = metin(client.get("/kurum/giris/dogrulama"))
    return client, client.post("/kurum/giris/dogrulama", data={"csrf_token": csrf_token(sayfa), "kod": kod})


def _girdi(client, yanit) -> bool:
    return yanit.status_code == 302 and client.get("/kurum/gelen-kutusu").status_code == 200


def test_giris_sayfasi_etiketleri(kurum):
    html = metin(kurum.client().get("/kurum/giris"))
    assert "Kullanıcı Adı" in html and "Parola" in html and "Oturum Aç" in html
    assert 'autocomplete="current-password"' in html and "<script>" not in html


def test_giris_gelen_kutusuna_goturur_ve_birim_adi_gorunur(kurum):
    client = kurum.client()
    yanit = giris_yap(client, "VALILIK-06")
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/kurum/gelen-kutusu")
    html = metin(client.get("/kurum/gelen-kutusu"))
    assert "Ankara Valiliği" in html and "Gelen Kutusu" in html and "Görünümler" in html and "Tamamlanan" in html


def test_giris_yeni_oturum_kimligi_verir(kurum):
    client = kurum.client()
    with client.session_transaction() as s:
        s["saldirgan"] = "sabit"
    giris_yap(client, "MIGM")
    with client.session_transaction() as s:
        assert "saldirgan" not in s and s["_user_id"].startswith("k:") and s.permanent


def test_hatali_parola_ayni_mesaj_bilinmeyen_kullanici(kurum):
    client = kurum.client()
    a = metin(giris_yap(client, "MIGM", "yanlis-parola"))
    b = metin(giris_yap(client, "boyle-biri-yok", "yanlis-parola"))
    assert hesap.HATALI in a and hesap.HATALI in b


def test_bes_hatadan_sonra_15_dakika_kilit(kurum):
    client = kurum.client()
    for _ in range(4):
        assert hesap.HATALI in metin(giris_yap(client, "MIGM", "yanlis"))
    assert "kilitlendi" in metin(giris_yap(client, "MIGM", "yanlis"))
    k = _kullanici(kurum, "migm")
    assert k.kilitli_bitis is not None
    assert timedelta(minutes=14) < k.kilitli_bitis - utcnow() <= timedelta(minutes=15)
    # the right password does not open a locked account
    yanit = giris_yap(client, "MIGM", PAROLA)
    assert yanit.status_code == 200 and "kilitlendi" in metin(yanit)
    # when the lock has run out, the right password works and the counter starts again
    with kurum.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "migm")
                  .values(kilitli_bitis=utcnow() - timedelta(seconds=1)))
    assert giris_yap(client, "MIGM", PAROLA).status_code == 302
    k = _kullanici(kurum, "migm")
    assert k.basarisiz_giris == 0 and k.kilitli_bitis is None


def test_basarili_giris_sayaci_sifirlar(kurum):
    client = kurum.client()
    giris_yap(client, "MIGM", "yanlis")
    giris_yap(client, "MIGM", "yanlis")
    assert _kullanici(kurum, "migm").basarisiz_giris == 2
    assert giris_yap(client, "MIGM").status_code == 302
    assert _kullanici(kurum, "migm").basarisiz_giris == 0


def test_pasif_kullanici_giremez_ve_oturumu_biter(kurum):
    client = oturumlu(kurum, "MIGM")
    with kurum.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "migm").values(aktif=False))
    yanit = client.get("/kurum/gelen-kutusu")
    assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"]
    assert hesap.HATALI in metin(giris_yap(kurum.client(), "MIGM"))


def test_hiz_siniri_ip_ve_kullanici_adi(make_app, web_database):
    ortam = kurum_ortami_kur(make_app, web_database, RATELIMIT_ENABLED=True,
                             KURUM_GIRIS_IP_SINIRI="6 per minute", KURUM_GIRIS_KULLANICI_SINIRI="3 per minute")
    client = ortam.client()
    kodlar = [giris_yap(client, "BELEDIYE-35-KONAK", "yanlis").status_code for _ in range(4)]
    assert kodlar == [200, 200, 200, 429]  # per user name
    kodlar = [giris_yap(client, f"yok{i}", "yanlis").status_code for i in range(4)]
    assert kodlar == [200, 200, 200, 429]  # per IP: 6 counted POSTs a minute in all
    assert "Çok fazla deneme" in metin(giris_yap(client, "MIGM"))


def test_cikis_post_ile_ve_oturumu_bitirir(kurum):
    client = oturumlu(kurum, "MIGM")
    assert client.get("/kurum/cikis").status_code == 405
    html = metin(client.get("/kurum/gelen-kutusu"))
    yanit = client.post("/kurum/cikis", data={"csrf_token": csrf_token(html)})
    assert yanit.status_code == 302
    assert client.get("/kurum/gelen-kutusu").status_code == 302


def test_giris_gerekli_ve_guvenli_next(kurum):
    client = kurum.client()
    yanit = client.get("/kurum/gorunumler?durum=bekleyen")
    assert yanit.status_code == 302 and "/kurum/giris?next=" in yanit.headers["Location"]
    sayfa = metin(client.get("/kurum/giris"))
    yanit = client.post("/kurum/giris", data={"csrf_token": csrf_token(sayfa), "kullanici_adi": "migm",
                                              "parola": PAROLA, "next": "https://kotu.example.com/"})
    assert yanit.headers["Location"].endswith("/kurum/gelen-kutusu")


def test_mutlak_oturum_suresi(kurum):
    client = oturumlu(kurum, "MIGM")
    with client.session_transaction() as s:
        s["kurum_giris"] = int(time.time()) - 11 * 3600
    yanit = client.get("/kurum/gelen-kutusu")
    assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"]


def test_bosta_kalma_suresi_cerez_omru(make_app, web_database):
    ortam = kurum_ortami_kur(make_app, web_database, PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
    client = oturumlu(ortam, "MIGM")
    assert client.get("/kurum/gelen-kutusu").status_code == 200
    time.sleep(2.1)
    assert client.get("/kurum/gelen-kutusu").status_code == 302


def test_parola_degistirme_diger_oturumlari_bitirir(kurum):
    birinci, ikinci = oturumlu(kurum, "MIGM"), oturumlu(kurum, "MIGM")
    html = metin(birinci.get("/kurum/hesap/parola"))
    yanit = birinci.post("/kurum/hesap/parola", data={"csrf_token": csrf_token(html), "eski": "yanlis",
                                                      "yeni": "yeni-parola-1", "yeni_tekrar": "yeni-parola-1"})
    assert yanit.status_code == 422 and "Mevcut parolanız hatalı" in metin(yanit)
    yanit = birinci.post("/kurum/hesap/parola", data={"csrf_token": csrf_token(html), "eski": PAROLA,
                                                      "yeni": "kisa", "yeni_tekrar": "kisa"})
    assert "en az 8" in metin(yanit)
    yanit = birinci.post("/kurum/hesap/parola", data={"csrf_token": csrf_token(html), "eski": PAROLA,
                                                      "yeni": "yeni-parola-1", "yeni_tekrar": "yeni-parola-1"})
    assert yanit.status_code == 302
    assert birinci.get("/kurum/gelen-kutusu").status_code == 200
    assert ikinci.get("/kurum/gelen-kutusu").status_code == 302  # the other session ended
    assert giris_yap(kurum.client(), "MIGM", PAROLA).status_code == 200
    assert giris_yap(kurum.client(), "MIGM", "yeni-parola-1").status_code == 302


def test_totp_etkinlestir_giris_ve_kapat(kurum, saat):
    client = oturumlu(kurum, "VALILIK-06")
    html = metin(client.get("/kurum/hesap/iki-asamali"))
    assert "otpauth://totp/" in html and "Muhtar%20Bilgi%20Sistemi" in html
    with client.session_transaction() as s:
        secret = s["totp_kurulum"]
    yanit = client.post("/kurum/hesap/iki-asamali", data={"csrf_token": csrf_token(html), "islem": "etkinlestir",
                                                          "kod": "000000"})
    assert yanit.status_code == 422 and hesap.HATALI_KOD in metin(yanit)
    etkinlestirme_kodu = saat.kod(secret)
    yanit = client.post("/kurum/hesap/iki-asamali", data={"csrf_token": csrf_token(html), "islem": "etkinlestir",
                                                          "kod": etkinlestirme_kodu})
    assert yanit.status_code == 302
    k = _kullanici(kurum, "valilik-06")
    assert k.totp_secret == secret and k.totp_son_adim == saat.adim  # the set-up code is used up too

    # login now asks for the code; the password alone does not log in
    yeni = kurum.client()
    yanit = giris_yap(yeni, "VALILIK-06")
    assert yanit.headers["Location"].endswith("/kurum/giris/dogrulama")
    assert yeni.get("/kurum/gelen-kutusu").status_code == 302
    sayfa = metin(yeni.get("/kurum/giris/dogrulama"))
    yanit = yeni.post("/kurum/giris/dogrulama", data={"csrf_token": csrf_token(sayfa), "kod": "123456"})
    assert hesap.HATALI_KOD in metin(yanit)
    assert _kullanici(kurum, "valilik-06").basarisiz_giris == 1
    yanit = yeni.post("/kurum/giris/dogrulama", data={"csrf_token": csrf_token(sayfa), "kod": etkinlestirme_kodu})
    assert hesap.HATALI_KOD in metin(yanit)
    saat.ileri(30)
    giris_kodu = saat.kod(secret)
    yanit = yeni.post("/kurum/giris/dogrulama", data={"csrf_token": csrf_token(sayfa), "kod": giris_kodu})
    assert yanit.status_code == 302 and yeni.get("/kurum/gelen-kutusu").status_code == 200

    # turning it off takes the password and a code not used before: not the login's
    html = metin(yeni.get("/kurum/hesap/iki-asamali"))
    yanit = yeni.post("/kurum/hesap/iki-asamali", data={"csrf_token": csrf_token(html), "islem": "kapat",
                                                        "parola": PAROLA, "kod": giris_kodu})
    assert yanit.status_code == 422 and "Parola ya da doğrulama kodu hatalı." in metin(yanit)
    saat.ileri(30)
    yanit = yeni.post("/kurum/hesap/iki-asamali", data={"csrf_token": csrf_token(html), "islem": "kapat",
                                                        "parola": PAROLA, "kod": saat.kod(secret)})
    k = _kullanici(kurum, "valilik-06")
    assert yanit.status_code == 302 and k.totp_secret is None and k.totp_son_adim is None


def test_totp_kodu_bir_kez_gecer(kurum, saat):
    """A code seen over the user's shoulder (or phished) right after they logged in does not log anyone in, even
    while it is still within its validity window; the next step's code works."""
    secret = _totp_ac(kurum)
    kod = saat.kod(secret)
    client, yanit = _totp_girisi(kurum, kod)
    assert _girdi(client, yanit)
    assert _kullanici(kurum, "migm").totp_son_adim == saat.adim

    client, yanit = _totp_girisi(kurum, kod)
    assert yanit.status_code == 200 and hesap.HATALI_KOD in metin(yanit)  # the wrong code's message
    assert "kullanıl" not in metin(yanit).lower()
    assert client.get("/kurum/gelen-kutusu").status_code == 302
    k = _kullanici(kurum, "migm")
    assert k.basarisiz_giris == 1 and k.totp_son_adim == saat.adim  # counted; nothing recorded

    # one step later the code is still within the window (clock drift)... and still refused
    saat.ileri(30)
    assert pyotp.TOTP(secret).verify(kod, for_time=saat.simdi, valid_window=1)
    client, yanit = _totp_girisi(kurum, kod)
    assert hesap.HATALI_KOD in metin(yanit) and client.get("/kurum/gelen-kutusu").status_code == 302

    # this step's code works, once
    client, yanit = _totp_girisi(kurum, saat.kod(secret))
    assert _girdi(client, yanit)
    k = _kullanici(kurum, "migm")
    assert k.totp_son_adim == saat.adim and k.basarisiz_giris == 0
    client, yanit = _totp_girisi(kurum, saat.kod(secret))
    assert hesap.HATALI_KOD in metin(yanit)


def test_totp_sonraki_adimin_kodu_oncekileri_gecersiz_kilar(kurum, saat):
    """A phone running ahead gives the next step's code: after it, this step's and the previous step's codes
    (older than the one used) are refused too."""
    secret = _totp_ac(kurum)
    client, yanit = _totp_girisi(kurum, saat.kod(secret, adim_farki=1))
    assert _girdi(client, yanit)
    assert _kullanici(kurum, "migm").totp_son_adim == saat.adim + 1
    for fark in (0, -1, 1):
        client, yanit = _totp_girisi(kurum, saat.kod(secret, adim_farki=fark))
        assert hesap.HATALI_KOD in metin(yanit), fark
    saat.ileri(60)
    client, yanit = _totp_girisi(kurum, saat.kod(secret))
    assert _girdi(client, yanit)


def test_totp_hatali_deneme_adim_harcamaz(kurum, saat):
    """Wrong codes (and codes outside the window) are counted but record no step: the right code still works."""
    secret = _totp_ac(kurum)
    yanlislar = [k for k in ("000000", saat.kod(secret, adim_farki=2), saat.kod(secret, adim_farki=-2), "abcdef")
                 if k not in {saat.kod(secret, adim_farki=f) for f in (-1, 0, 1)}]  # (a guess may be right)
    for yanlis in yanlislar:
        client, yanit = _totp_girisi(kurum, yanlis)
        assert hesap.HATALI_KOD in metin(yanit), yanlis
    k = _kullanici(kurum, "migm")
    assert k.totp_son_adim is None and k.basarisiz_giris == len(yanlislar)  # (the fifth would lock)
    client, yanit = _totp_girisi(kurum, saat.kod(secret))
    assert _girdi(client, yanit)
    assert _kullanici(kurum, "migm").basarisiz_giris == 0


def test_totp_ayni_kod_iki_istekte_bir_kez_gecer(kurum):
    """The step is checked in the UPDATE, not on the loaded user: a request that read the user before another
    one used the code (two requests racing) is refused."""
    secret = _totp_ac(kurum)
    simdi = utcnow()
    kod = pyotp.TOTP(secret).at(simdi)
    kimlik = _kullanici(kurum, "migm").id
    ikinci = kurum.db.write_session()
    try:
        eski = ikinci.get(Kullanici, kimlik)
        ikinci.commit()  # (sessions keep loaded values after commit: ``eski`` still has no step)
        with kurum.db.unit_of_work() as birinci:
            assert hesap.totp_dene(birinci, birinci.get(Kullanici, kimlik), kod, simdi).durum == "tamam"
        assert eski.totp_son_adim is None
        assert hesap.totp_dene(ikinci, eski, kod, simdi).durum == "hatali"
        ikinci.commit()
    finally:
        ikinci.close()
    k = _kullanici(kurum, "migm")
    assert k.totp_son_adim == pyotp.TOTP(secret).timecode(simdi) and k.basarisiz_giris == 1


def test_totp_hatalari_da_kilitler(kurum):
    with kurum.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "migm").values(totp_secret=pyotp.random_base32()))
    client = kurum.client()
    giris_yap(client, "MIGM")
    sayfa = metin(client.get("/kurum/giris/dogrulama"))
    for _ in range(4):
        client.post("/kurum/giris/dogrulama", data={"csrf_token": csrf_token(sayfa), "kod": "000000"})
    yanit = client.post("/kurum/giris/dogrulama", data={"csrf_token": csrf_token(sayfa), "kod": "000000"},
                        follow_redirects=True)
    assert "kilitlendi" in metin(yanit)
    assert _kullanici(kurum, "migm").kilitli_bitis is not None


def test_totp_adimi_suresi_dolar(kurum):
    with kurum.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "migm").values(totp_secret=pyotp.random_base32()))
    client = kurum.client()
    giris_yap(client, "MIGM")
    with client.session_transaction() as s:
        s["kurum_totp"] = {**s["kurum_totp"], "zaman": int(time.time()) - 600}
    yanit = client.get("/kurum/giris/dogrulama")
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/kurum/giris")


def test_eski_parametreli_hash_giriste_yukseltilir(kurum, monkeypatch):
    from engine import parola
    monkeypatch.setattr(hesap, "yeniden_hashlenmeli", parola.yeniden_hashlenmeli)
    eski = _kullanici(kurum, "meb-06").parola_hash
    assert "m=1024" in eski
    assert giris_yap(kurum.client(), "MEB-06").status_code == 302
    yeni = _kullanici(kurum, "meb-06").parola_hash
    assert yeni != eski and "m=65536" in yeni and parola.parola_dogrula(yeni, PAROLA)
