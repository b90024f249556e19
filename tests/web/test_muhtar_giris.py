"""The muhtar's SMS-code login: the flow, the neutral answer, bad input, codes, terms of office, the session."""
from __future__ import annotations

import logging
import re
import time
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, update

from engine.models import MesajKutusu, Muhtar, OnayKodu, utcnow
from tests.web.conftest import csrf_token
from tests.web.muhtar_ortak import (AYSE_AD, AYSE_TC, NOTR, YABANCI_TC, giris_yap, istemci, kayit,  # noqa: F401
                                    kod_gir, kod_iste, muhtar_ekle, sms_sayisi, son_kod, uygulama)
from webapp.muhtar import giris as giris_mod
from webapp.muhtar import giris_rotalari


def _onay_kodu_sayisi(database) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(OnayKodu))


def _girisli_mi(istemci) -> bool:
    return istemci.get("/muhtar/basvuru").status_code == 200


def _notr_govde(html: str) -> str:
    """The onay page without what differs per request: CSRF token and the masked phone's last digits."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)
    return re.sub(r"05\*\* \*\*\* \*\* \d\d", "05** *** ** ##", html)


# --- the flow ------------------------------------------------------------------------------------------

def test_giris_akisi(istemci, web_database):
    yanit = kod_iste(istemci)
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/muhtar/giris/onay")
    onay = istemci.get("/muhtar/giris/onay").get_data(as_text=True)
    assert NOTR in onay and "05** *** ** 12" in onay and "Sisteme Giriş" in onay
    kod = son_kod(web_database)
    assert re.fullmatch(r"\d{6}", kod)
    with web_database.session() as s:
        sms = s.scalars(select(MesajKutusu)).one()
        assert sms.gizli and sms.alici == "+905321234512" and sms.kanal == "sms"
        satir = s.scalars(select(OnayKodu)).one()
        # Only the code's HMAC is stored; it is valid for three minutes.
        assert kod not in satir.kod_hash and len(satir.kod_hash) == 64
        assert timedelta(minutes=2, seconds=59) < satir.gecerlilik - satir.olusturma <= timedelta(minutes=3)
    yanit = kod_gir(istemci, kod)
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/muhtar/basvuru")
    # The session is permanent: the cookie carries an expiry (the configured lifetime).
    assert "Expires=" in yanit.headers["Set-Cookie"]
    sayfa = istemci.get("/muhtar/basvuru").get_data(as_text=True)
    assert AYSE_AD in sayfa and "Akpınar Mah" in sayfa and "Çankaya" in sayfa and "Ankara" in sayfa
    # Logged in, the login page sends the muhtar on.
    assert istemci.get("/muhtar/giris").headers["Location"].endswith("/muhtar/basvuru")


def test_ad_turkce_buyuk_kucuk_harf_ve_bosluk_duyarsiz(istemci, web_database):
    for ad in ("  AYŞE   YILMAZ ", "ayşe yılmaz", "Ayşe\tYılmaz"):
        kod_iste(istemci, ad=ad)
    assert sms_sayisi(web_database) == 3
    # "I" is "ı" in Turkish: "YILMAZ" matches, "Yilmaz" (with a dotted i) does not; neither does "Ayse".
    kod_iste(istemci, ad="Ayşe Yilmaz")
    kod_iste(istemci, ad="AYSE YILMAZ")
    assert sms_sayisi(web_database) == 3


def test_ad_normalize():
    assert giris_mod.ad_normalize("  İSMAİL   IŞIK ") == "ismail ışık"
    assert giris_mod.ad_normalize("İsmail Işık") == giris_mod.ad_normalize("ismail ışık")
    assert giris_mod.ad_normalize("i\u0307smail") == "ismail"


def test_sonraki_sayfa_korunur_ve_dis_adrese_gidilmez(istemci, web_database):
    yanit = istemci.get("/muhtar/talepler")
    assert yanit.status_code == 302 and "/muhtar/giris?next=/muhtar/talepler" in yanit.headers["Location"]
    sayfa = istemci.get(yanit.headers["Location"]).get_data(as_text=True)
    token = csrf_token(sayfa)
    assert 'name="next" value="/muhtar/talepler"' in sayfa
    istemci.post("/muhtar/giris", data={"csrf_token": token, "tc_kimlik_no": AYSE_TC, "ad_soyad": AYSE_AD,
                                        "next": "/muhtar/talepler"})
    assert kod_gir(istemci, son_kod(web_database)).headers["Location"].endswith("/muhtar/talepler")
    istemci.post("/muhtar/cikis", data={"csrf_token": csrf_token(istemci.get("/muhtar/talepler").get_data(True))})
    token = csrf_token(istemci.get("/muhtar/giris").get_data(as_text=True))
    istemci.post("/muhtar/giris", data={"csrf_token": token, "tc_kimlik_no": AYSE_TC, "ad_soyad": AYSE_AD,
                                        "next": "//kotu.example/"})
    assert kod_gir(istemci, son_kod(web_database)).headers["Location"].endswith("/muhtar/basvuru")


# --- the neutral answer --------------------------------------------------------------------------------

def test_muhtar_olmayan_ayni_notr_yaniti_alir(uygulama, web_database):
    """A muhtar, a wrong name, a valid TC of nobody, a muhtar whose term ended: the same answer and page."""
    eski = muhtar_ekle(web_database, muhtarlik_id=1, tc="10000000078", ad="Eski Muhtar", telefon="+905001112233",
                       baslangic=date(2019, 4, 1), bitis=date(2024, 4, 1))
    assert eski
    govdeler, yonlendirmeler = [], []
    for tc, ad in ((AYSE_TC, AYSE_AD), (AYSE_TC, "Ayşe Kaya"), (YABANCI_TC, "Ali Veli"), ("10000000078", "Eski Muhtar")):
        istemci = uygulama.test_client()
        yanit = kod_iste(istemci, tc=tc, ad=ad)
        yonlendirmeler.append((yanit.status_code, yanit.headers["Location"], yanit.get_data()))
        govdeler.append(_notr_govde(istemci.get("/muhtar/giris/onay").get_data(as_text=True)))
    assert len(set(yonlendirmeler)) == 1
    assert len(set(govdeler)) == 1 and NOTR in govdeler[0]
    # Only the muhtar in office got an SMS; every request has its row, so checking behaves the same.
    assert sms_sayisi(web_database) == 1
    assert _onay_kodu_sayisi(web_database) == 4


def test_muhtar_olmayanin_maskesi_her_seferinde_ayni(uygulama):
    maskeler = set()
    for _ in range(2):
        istemci = uygulama.test_client()
        kod_iste(istemci, tc=YABANCI_TC, ad="Ali Veli")
        maskeler.add(re.search(r"05\*\* \*\*\* \*\* \d\d", istemci.get("/muhtar/giris/onay").get_data(True)).group())
    assert len(maskeler) == 1


def test_muhtar_olmayanin_kod_denemesi_muhtarinki_gibi(uygulama, web_database):
    mesajlar = []
    for tc, ad in ((AYSE_TC, AYSE_AD), (YABANCI_TC, "Ali Veli")):
        istemci = uygulama.test_client()
        kod_iste(istemci, tc=tc, ad=ad)
        yanit = kod_gir(istemci, "000000" if son_kod(web_database) != "000000" else "111111")
        mesajlar.append((yanit.status_code, re.search(r'class="alan-hatasi"[^>]*>([^<]+)<', yanit.get_data(True))
                         .group(1)))
    assert mesajlar[0] == mesajlar[1] == (422, "Onay kodu hatalı. Kalan deneme hakkınız: 4.")


def test_asgari_yanit_suresi(make_app, kayit):
    istemci = make_app(MUHTAR_GIRIS_ASGARI_SN=0.2).test_client()
    for tc, ad in ((AYSE_TC, AYSE_AD), (YABANCI_TC, "Ali Veli")):
        baslangic = time.monotonic()
        kod_iste(istemci, tc=tc, ad=ad)
        assert time.monotonic() - baslangic >= 0.2


# --- bad input -----------------------------------------------------------------------------------------

def test_gecersiz_tc_kimlik_no(istemci, web_database):
    yanit = kod_iste(istemci, tc="10000000147")
    assert yanit.status_code == 422
    assert "TC Kimlik Numarası geçersiz" in yanit.get_data(as_text=True)
    # The typed values stay in the form.
    assert 'value="10000000147"' in yanit.get_data(as_text=True)
    assert sms_sayisi(web_database) == 0 and _onay_kodu_sayisi(web_database) == 0


def test_bos_alanlar(istemci, web_database):
    yanit = kod_iste(istemci, tc="", ad="  ")
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 422
    assert "TC Kimlik Numaranızı girin." in html and "Adınızı ve soyadınızı girin." in html
    assert _onay_kodu_sayisi(web_database) == 0


def test_csrf_belirteci_yoksa_400(istemci, web_database):
    assert istemci.post("/muhtar/giris", data={"tc_kimlik_no": AYSE_TC, "ad_soyad": AYSE_AD}).status_code == 400
    kod_iste(istemci)
    assert istemci.post("/muhtar/giris/onay", data={"onay_kodu": son_kod(web_database)}).status_code == 400
    assert not _girisli_mi(istemci)
    assert sms_sayisi(web_database) == 1


# --- the captcha ---------------------------------------------------------------------------------------

@pytest.fixture
def dogrulamali(make_app, kayit):
    return make_app(MUHTAR_GIRIS_ASGARI_SN=0, CAPTCHA_ENABLED=True)


def _dogru_cevap(app, istemci) -> str:
    from webapp.muhtar import dogrulama
    with istemci.session_transaction() as s:
        nonce = s["muhtar_dogrulama"]["n"]
    with app.app_context():
        return dogrulama.cevap(nonce)


def test_dogrulama_kodu_resmi_ve_sesi(dogrulamali):
    istemci = dogrulamali.test_client()
    html = istemci.get("/muhtar/giris").get_data(as_text=True)
    assert 'for="dogrulama_kodu"' in html and "/muhtar/dogrulama-kodu/resim" in html
    assert "/muhtar/dogrulama-kodu/ses" in html and "<script" not in html
    resim = istemci.get("/muhtar/dogrulama-kodu/resim")
    assert resim.mimetype == "image/png" and resim.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert resim.headers["Cache-Control"] == "no-store"
    ses = istemci.get("/muhtar/dogrulama-kodu/ses")
    assert ses.mimetype == "audio/wav" and ses.data[:4] == b"RIFF"
    # The answer is not in the (readable) session cookie.
    cevap = _dogru_cevap(dogrulamali, istemci)
    with istemci.session_transaction() as s:
        assert cevap not in repr(dict(s))


def test_yanlis_dogrulama_kodu(dogrulamali, web_database):
    istemci = dogrulamali.test_client()
    yanit = kod_iste(istemci, dogrulama_kodu="abcde")
    assert yanit.status_code == 422
    assert "Doğrulama kodu hatalı" in yanit.get_data(as_text=True)
    assert sms_sayisi(web_database) == 0 and _onay_kodu_sayisi(web_database) == 0
    # No answer at all is as wrong.
    assert kod_iste(istemci).status_code == 422


def test_dogru_dogrulama_kodu_bir_kez_gecer(dogrulamali, web_database):
    istemci = dogrulamali.test_client()
    html = istemci.get("/muhtar/giris").get_data(as_text=True)
    cevap = _dogru_cevap(dogrulamali, istemci)
    with istemci.session_transaction() as s:
        eski = dict(s["muhtar_dogrulama"])
    veri = {"csrf_token": csrf_token(html), "tc_kimlik_no": AYSE_TC, "ad_soyad": AYSE_AD, "dogrulama_kodu": cevap}
    assert istemci.post("/muhtar/giris", data=veri).status_code == 302
    assert sms_sayisi(web_database) == 1
    # Replaying the solved captcha (an old cookie) is refused.
    with istemci.session_transaction() as s:
        s["muhtar_dogrulama"] = eski
    assert istemci.post("/muhtar/giris", data=veri).status_code == 422
    assert sms_sayisi(web_database) == 1


def test_yeni_dogrulama_kodu_istemek_deneme_sayilmaz(dogrulamali):
    istemci = dogrulamali.test_client()
    token = csrf_token(istemci.get("/muhtar/giris").get_data(as_text=True))
    yanit = istemci.post("/muhtar/giris", data={"csrf_token": token, "tc_kimlik_no": AYSE_TC, "ad_soyad": AYSE_AD,
                                                "islem": "yenile"})
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 200 and "hatalı" not in html and f'value="{AYSE_TC}"' in html


# --- codes ---------------------------------------------------------------------------------------------

def test_yanlis_kod(istemci, web_database):
    kod_iste(istemci)
    dogru = son_kod(web_database)
    yanlis = "000000" if dogru != "000000" else "111111"
    yanit = kod_gir(istemci, yanlis)
    assert yanit.status_code == 422
    assert "Onay kodu hatalı. Kalan deneme hakkınız: 4." in yanit.get_data(as_text=True)
    assert not _girisli_mi(istemci)
    assert kod_gir(istemci, "").status_code == 422
    # The right code still works within its attempts.
    assert kod_gir(istemci, dogru).headers["Location"].endswith("/muhtar/basvuru")


def test_azami_deneme_sonra_kod_gecersiz(istemci, web_database):
    kod_iste(istemci)
    dogru = son_kod(web_database)
    yanlis = "000000" if dogru != "000000" else "111111"
    with istemci.session_transaction() as s:
        bekleyen = dict(s["muhtar_giris"])
    for _ in range(4):
        assert kod_gir(istemci, yanlis).status_code == 422
    yanit = kod_gir(istemci, yanlis)
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/muhtar/giris")
    assert "5 kez hatalı girildi" in istemci.get("/muhtar/giris").get_data(as_text=True)
    # Even the right code is refused now (an old cookie brings the request back: the row says no).
    with istemci.session_transaction() as s:
        s["muhtar_giris"] = bekleyen
    yanit = kod_gir(istemci, dogru)
    assert yanit.status_code == 302 and not _girisli_mi(istemci)
    assert "5 kez hatalı girildi" in istemci.get("/muhtar/giris").get_data(as_text=True)


def test_suresi_dolmus_kod(istemci, web_database, monkeypatch):
    kod_iste(istemci)
    kod = son_kod(web_database)
    ileri = utcnow() + timedelta(minutes=3, seconds=1)
    monkeypatch.setattr(giris_rotalari, "utcnow", lambda: ileri)
    yanit = kod_gir(istemci, kod)
    assert yanit.status_code == 302 and not _girisli_mi(istemci)
    assert "Onay kodunun süresi doldu" in istemci.get("/muhtar/giris").get_data(as_text=True)


def test_kullanilmis_kod_yeniden_kullanilamaz(istemci, web_database):
    kod_iste(istemci)
    kod = son_kod(web_database)
    with istemci.session_transaction() as s:
        bekleyen = dict(s["muhtar_giris"])
    assert kod_gir(istemci, kod).status_code == 302 and _girisli_mi(istemci)
    istemci.post("/muhtar/cikis", data={"csrf_token": csrf_token(istemci.get("/muhtar/basvuru").get_data(True))})
    with istemci.session_transaction() as s:
        s["muhtar_giris"] = bekleyen
    yanit = kod_gir(istemci, kod)
    assert yanit.status_code == 302 and not _girisli_mi(istemci)
    assert "daha önce kullanıldı" in istemci.get("/muhtar/giris").get_data(as_text=True)


def test_yeni_kod_oncekini_gecersiz_kilar(uygulama, web_database):
    ilk = uygulama.test_client()
    kod_iste(ilk)
    eski_kod = son_kod(web_database)
    kod_iste(uygulama.test_client())
    assert kod_gir(ilk, eski_kod).status_code == 302 and not _girisli_mi(ilk)


# --- terms of office -----------------------------------------------------------------------------------

def test_gorevi_bitmis_muhtar_giremez(uygulama, web_database):
    with web_database.unit_of_work() as s:
        s.execute(update(Muhtar).where(Muhtar.tc_kimlik_no == AYSE_TC).values(gorev_bitis=date.today()))
    istemci = uygulama.test_client()
    assert kod_iste(istemci).status_code == 302
    assert sms_sayisi(web_database) == 0


def test_gorevi_baslamamis_muhtar_giremez(uygulama, web_database):
    tc = "10000000078"
    muhtar_ekle(web_database, muhtarlik_id=1, tc=tc, ad="Yeni Muhtar", baslangic=date.today() + timedelta(days=2))
    assert kod_iste(uygulama.test_client(), tc=tc, ad="Yeni Muhtar").status_code == 302
    assert sms_sayisi(web_database) == 0


def test_gorevi_oturumdayken_biten_muhtar_cikarilir(istemci, web_database):
    giris_yap(istemci, web_database)
    assert _girisli_mi(istemci)
    with web_database.unit_of_work() as s:
        s.execute(update(Muhtar).where(Muhtar.tc_kimlik_no == AYSE_TC).values(gorev_bitis=date(2025, 1, 1)))
    assert not _girisli_mi(istemci)


# --- the session ---------------------------------------------------------------------------------------

def test_cikis(istemci, web_database):
    giris_yap(istemci, web_database)
    assert istemci.get("/muhtar/cikis").status_code == 405
    token = csrf_token(istemci.get("/muhtar/basvuru").get_data(as_text=True))
    assert istemci.post("/muhtar/cikis").status_code == 400
    yanit = istemci.post("/muhtar/cikis", data={"csrf_token": token})
    assert yanit.status_code == 302
    assert "Oturumunuz kapatıldı." in istemci.get("/").get_data(as_text=True)
    assert not _girisli_mi(istemci)


def test_oturum_suresi_dolar(make_app, kayit, web_database):
    app = make_app(MUHTAR_GIRIS_ASGARI_SN=0, PERMANENT_SESSION_LIFETIME=timedelta(seconds=1))
    istemci = app.test_client()
    giris_yap(istemci, web_database)
    assert _girisli_mi(istemci)
    time.sleep(2.2)
    yanit = istemci.get("/muhtar/basvuru")
    assert yanit.status_code == 302 and "/muhtar/giris" in yanit.headers["Location"]


def test_giriste_oturum_yenilenir(istemci, web_database):
    """Nothing put in the session before the login survives it (no session fixation)."""
    with istemci.session_transaction() as s:
        s["saldirgan"] = "x"
    giris_yap(istemci, web_database)
    with istemci.session_transaction() as s:
        assert "saldirgan" not in s and "muhtar_giris" not in s and s.permanent


def test_uretimde_kod_loglanmaz(make_app, kayit, web_database, caplog):
    from engine.mesaj import eposta_gonderici_olustur, sms_gateway_olustur, teslim_et
    app = make_app(MUHTAR_GIRIS_ASGARI_SN=0, MBS_ENV="production", SECRET_KEY="u" * 40)
    istemci = app.test_client()
    caplog.set_level(logging.DEBUG)
    # HTTPS (production cookies are Secure) with a same-site Referer (Flask-WTF checks it on HTTPS).
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/muhtar/giris"}}
    sayfa = istemci.get("/muhtar/giris", **https).get_data(as_text=True)
    yanit = istemci.post("/muhtar/giris", data={"csrf_token": csrf_token(sayfa), "tc_kimlik_no": AYSE_TC,
                                                "ad_soyad": AYSE_AD}, **https)
    assert yanit.status_code == 302
    kod = son_kod(web_database)
    sonuc = teslim_et(web_database, sms_gateway_olustur(app.config), eposta_gonderici_olustur(app.config))
    assert sonuc["gonderildi"] == 1, (sonuc, caplog.text)
    sayfa = istemci.get("/muhtar/giris/onay", **https).get_data(as_text=True)
    yanit = istemci.post("/muhtar/giris/onay", data={"csrf_token": csrf_token(sayfa), "onay_kodu": kod}, **https)
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/muhtar/basvuru")
    assert caplog.records, "hiç log kaydı yok: test bir şey ölçmüyor"
    assert kod not in caplog.text


# --- labels --------------------------------------------------------------------------------------------

class _Alanlar(HTMLParser):
    """Collect ids of visible inputs and the ``for`` of labels."""

    def __init__(self):
        super().__init__()
        self.alanlar, self.etiketler = [], set()

    def handle_starttag(self, etiket, nitelikler):
        n = dict(nitelikler)
        if etiket in ("input", "textarea", "select") and n.get("type") not in ("hidden", "submit"):
            self.alanlar.append(n.get("id"))
        if etiket == "label":
            self.etiketler.add(n.get("for"))


def etiketsiz_alanlar(html: str) -> list:
    ayristirici = _Alanlar()
    ayristirici.feed(html)
    assert ayristirici.alanlar, "sayfada alan yok"
    return [a for a in ayristirici.alanlar if a is None or a not in ayristirici.etiketler]


def test_her_alanin_gorunur_etiketi_var(dogrulamali, web_database):
    istemci = dogrulamali.test_client()
    assert etiketsiz_alanlar(istemci.get("/muhtar/giris").get_data(as_text=True)) == []
    html = istemci.get("/muhtar/giris").get_data(as_text=True)
    istemci.post("/muhtar/giris", data={"csrf_token": csrf_token(html), "tc_kimlik_no": AYSE_TC, "ad_soyad": AYSE_AD,
                                        "dogrulama_kodu": _dogru_cevap(dogrulamali, istemci)})
    assert etiketsiz_alanlar(istemci.get("/muhtar/giris/onay").get_data(as_text=True)) == []
    kod_gir(istemci, son_kod(web_database))
    assert etiketsiz_alanlar(istemci.get("/muhtar/basvuru").get_data(as_text=True)) == []


def test_ayni_kod_ayni_anda_iki_kez_girilemez(uygulama, web_database):
    """Two tabs (one session) send the right code at the same instant: one login, one "already used"."""
    import threading
    a, b = uygulama.test_client(), uygulama.test_client()
    kod_iste(a)
    kod = son_kod(web_database)
    with a.session_transaction() as s:
        oturum = dict(s)
    with b.session_transaction() as s:
        s.update(oturum)
    tokenler = [csrf_token(c.get("/muhtar/giris/onay").get_data(as_text=True)) for c in (a, b)]
    engel, sonuclar = threading.Barrier(2), []

    def gir(istemci, token):
        engel.wait()
        sonuclar.append(istemci.post("/muhtar/giris/onay", data={"csrf_token": token, "onay_kodu": kod})
                        .headers["Location"])

    iplikler = [threading.Thread(target=gir, args=(c, t)) for c, t in zip((a, b), tokenler)]
    for t in iplikler:
        t.start()
    for t in iplikler:
        t.join(30)
    assert sorted(s.rsplit("/", 1)[1] for s in sonuclar) == ["basvuru", "giris"]
