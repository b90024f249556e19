"""The outbox end to end: queue in a transaction, deliver after the commit, against real local servers.

A fake Netgsm (http.server on 127.0.0.1) checks what a real one would (basic auth, JSON shape, header,
number format) and can fail, refuse credentials or hang; an aiosmtpd server receives the e-mail. Each
fake counts what it *accepted* per message text, so "delivered exactly once" is measured at the receiver.
"""
from __future__ import annotations

import base64
import email
import email.policy
import json
import logging
import socket
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.errors import GecersizVeri
from engine.mesaj import (GelistirmeEpostaGonderici, GelistirmeSmsGateway, GonderimSonucu, MesajYapilandirmaHatasi,
                          NetgsmSmsGateway, SmtpEpostaGonderici, TeslimAyarlari, eposta_gonderici_olustur,
                          eposta_kuyruga_al, geri_cekilme_suresi, gorunur_metin, netgsm_numarasi,
                          sms_gateway_olustur, sms_kuyruga_al, son_mesajlar, teslim_ayarlari_olustur, teslim_dongusu,
                          teslim_et, teslim_et_arka_planda)
from engine.mesaj.sms import netgsm_yanitini_coz
from engine.models import MesajKutusu, utcnow

KULLANICI, PAROLA, BASLIK = "8501234567", "dogru-parola", "MIGM"
HIZLI = TeslimAyarlari(geri_cekilme=0, parti=5)


# --- a fake Netgsm ----------------------------------------------------------------------------------------

class SahteNetgsm:
    """Netgsm REST v2 on 127.0.0.1. ``mod``: kabul, hata500 (``hata_kalan`` times, then kabul), askida."""

    def __init__(self):
        self.mod = "kabul"
        self.hata_kalan = 0
        self.gecikme = 0.0
        self.istekler: list[dict] = []       # every request that arrived
        self.kabul: Counter = Counter()       # text -> times accepted with code 00
        self.ihlaller: list[str] = []         # what a real Netgsm would reject
        self.kilit = threading.Lock()
        self.birak = threading.Event()        # releases hanging handlers
        self.sunucu = ThreadingHTTPServer(("127.0.0.1", 0), _netgsm_isleyici(self))
        self.sunucu.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.sunucu.server_port}/sms/rest/v2/send"
        threading.Thread(target=self.sunucu.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def kapat(self):
        self.birak.set()
        self.sunucu.shutdown()
        self.sunucu.server_close()

    def istek_sayisi(self, metin: str) -> int:
        return sum(1 for i in self.istekler if i.get("msg") == metin)

    def yanitla(self, basliklar, govde: bytes) -> tuple[int, dict | None]:
        """Decide the answer to one request (runs in the handler thread)."""
        veri = _json(govde)
        mesaj = (veri or {}).get("messages", [{}])[0] if isinstance(veri, dict) else {}
        with self.kilit:
            self.istekler.append({"msg": mesaj.get("msg"), "no": mesaj.get("no")})
            if self.mod == "hata500" and self.hata_kalan > 0:
                self.hata_kalan -= 1
                return 500, None
            mod = self.mod
        if mod == "askida":
            self.birak.wait(5)
            return 503, None
        if _basic(basliklar.get("Authorization")) != (KULLANICI, PAROLA):
            return 200, {"code": "30", "description": "Invalid credentials"}
        ihlal = _govde_ihlali(basliklar, veri)
        if ihlal:
            self.ihlaller.append(ihlal)
            return 200, {"code": "70", "description": ihlal}
        if self.gecikme:
            threading.Event().wait(self.gecikme)
        with self.kilit:
            self.kabul[mesaj["msg"]] += 1
            return 200, {"code": "00", "jobid": f"J{len(self.istekler)}", "description": "queued"}


def _netgsm_isleyici(sahte: SahteNetgsm):
    class Isleyici(BaseHTTPRequestHandler):
        def do_POST(self):
            govde = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            durum, veri = sahte.yanitla(self.headers, govde)
            cikti = json.dumps(veri).encode() if veri is not None else b"Internal error"
            try:
                self.send_response(durum)
                self.send_header("Content-Type", "application/json" if veri else "text/plain")
                self.send_header("Content-Length", str(len(cikti)))
                self.end_headers()
                self.wfile.write(cikti)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args):
            pass
    return Isleyici


def _json(govde: bytes):
    try:
        return json.loads(govde)
    except ValueError:
        return None


def _basic(deger: str | None) -> tuple[str, str] | None:
    if not deger or not deger.startswith("Basic "):
        return None
    kullanici, _, parola = base64.b64decode(deger[6:]).decode().partition(":")
    return kullanici, parola


def _govde_ihlali(basliklar, veri) -> str | None:
    if "application/json" not in (basliklar.get("Content-Type") or ""):
        return "Content-Type JSON değil"
    if not isinstance(veri, dict) or set(veri) != {"msgheader", "messages", "encoding"}:
        return f"gövde alanları hatalı: {veri!r}"
    if veri["msgheader"] != BASLIK or veri["encoding"] != "TR":
        return "başlık veya encoding hatalı"
    mesajlar = veri["messages"]
    if len(mesajlar) != 1 or set(mesajlar[0]) != {"msg", "no"}:
        return "messages hatalı"
    no = mesajlar[0]["no"]
    if not (len(no) == 10 and no.isdigit() and no.startswith("5")):
        return f"numara biçimi hatalı: {no}"
    return None


@pytest.fixture
def netgsm():
    sahte = SahteNetgsm()
    yield sahte
    sahte.kapat()


def _gateway(netgsm, parola=PAROLA, timeout=0.5) -> NetgsmSmsGateway:
    return NetgsmSmsGateway(netgsm.url, KULLANICI, parola, BASLIK, timeout=timeout)


# --- helpers ----------------------------------------------------------------------------------------------

def _kuyruga(database, *metinler, numara="+905321234567") -> list[int]:
    with database.unit_of_work() as s:
        return [sms_kuyruga_al(s, numara, m).id for m in metinler]


def _satirlar(database) -> list[MesajKutusu]:
    with database.session() as s:
        return list(s.scalars(select(MesajKutusu).order_by(MesajKutusu.id)))


def _satir(database, kimlik) -> MesajKutusu:
    with database.session() as s:
        return s.get(MesajKutusu, kimlik)


def _utc(an: datetime) -> datetime:
    return an.replace(tzinfo=timezone.utc) if an.tzinfo is None else an


def _teslim(database, sms, **kw) -> dict:
    kw.setdefault("ayarlar", HIZLI)
    return teslim_et(database, sms, GelistirmeEpostaGonderici(), **kw)


# --- Netgsm -----------------------------------------------------------------------------------------------

def test_her_mesaj_bir_kez_teslim_edilir(database, netgsm):
    numaralar = ["+905321234567", "05321234568", "5321234569", "90 532 123 45 70", "(0532) 123-4571"]
    metinler = [f"Talebiniz alındı: 2026-{i:06d} ğüşiöçİ" for i in range(12)]
    with database.unit_of_work() as s:
        for i, m in enumerate(metinler):
            sms_kuyruga_al(s, numaralar[i % len(numaralar)], m, gizli=i == 0)

    sayilar = _teslim(database, _gateway(netgsm))

    assert sayilar["alinan"] == 12 and sayilar["gonderildi"] == 12
    assert netgsm.kabul == Counter({m: 1 for m in metinler})
    assert netgsm.ihlaller == []
    assert {i["no"] for i in netgsm.istekler} == {"5321234567", "5321234568", "5321234569", "5321234570",
                                                  "5321234571"}
    for satir in _satirlar(database):
        assert (satir.durum, satir.deneme_sayisi, satir.son_hata) == ("gonderildi", 1, None)
        assert satir.saglayici_kimlik.startswith("J") and satir.gonderilme is not None
    assert _teslim(database, _gateway(netgsm))["alinan"] == 0
    assert len(netgsm.istekler) == 12


def test_sunucu_hatasi_sonra_duzelir(database, netgsm):
    netgsm.mod, netgsm.hata_kalan = "hata500", 2
    [kimlik] = _kuyruga(database, "Talebiniz yönlendirildi.")
    gateway = _gateway(netgsm)

    for beklenen_deneme in (1, 2):
        assert _teslim(database, gateway)["yeniden_denenecek"] == 1
        satir = _satir(database, kimlik)
        assert (satir.durum, satir.deneme_sayisi) == ("bekliyor", beklenen_deneme)
        assert "HTTP 500" in satir.son_hata
    assert _teslim(database, gateway)["gonderildi"] == 1

    satir = _satir(database, kimlik)
    assert (satir.durum, satir.deneme_sayisi) == ("gonderildi", 3)
    assert netgsm.istek_sayisi("Talebiniz yönlendirildi.") == 3
    assert netgsm.kabul["Talebiniz yönlendirildi."] == 1


def test_gecersiz_kimlik_kalici_hata_tek_deneme(database, netgsm):
    [kimlik] = _kuyruga(database, "Doğrulama kodunuz: 123456")

    assert _teslim(database, _gateway(netgsm, parola="yanlis"))["basarisiz"] == 1
    assert _teslim(database, _gateway(netgsm, parola="yanlis"))["alinan"] == 0

    satir = _satir(database, kimlik)
    assert (satir.durum, satir.deneme_sayisi) == ("basarisiz", 1)
    assert "kodu 30" in satir.son_hata and "kullanıcı adı" in satir.son_hata
    assert len(netgsm.istekler) == 1 and not netgsm.kabul


def test_askida_kalan_saglayici_zaman_asimi_sonra_teslim(database, netgsm):
    netgsm.mod = "askida"
    [kimlik] = _kuyruga(database, "Talebiniz sonuçlandı.")
    gateway = _gateway(netgsm, timeout=0.3)

    assert _teslim(database, gateway)["yeniden_denenecek"] == 1
    satir = _satir(database, kimlik)
    assert (satir.durum, satir.deneme_sayisi) == ("bekliyor", 1)
    assert "zaman aşımı" in satir.son_hata

    netgsm.mod = "kabul"
    netgsm.birak.set()
    assert _teslim(database, gateway)["gonderildi"] == 1
    assert (_satir(database, kimlik).durum, _satir(database, kimlik).deneme_sayisi) == ("gonderildi", 2)
    assert netgsm.kabul["Talebiniz sonuçlandı."] == 1


def test_azami_denemeden_sonra_basarisiz(database, netgsm):
    netgsm.mod, netgsm.hata_kalan = "hata500", 100
    [kimlik] = _kuyruga(database, "Bilgi")
    ayarlar = TeslimAyarlari(geri_cekilme=0, azami_deneme=3)

    sonuclar = [_teslim(database, _gateway(netgsm), ayarlar=ayarlar) for _ in range(4)]

    assert [s["yeniden_denenecek"] for s in sonuclar] == [1, 1, 0, 0]
    assert sonuclar[2]["basarisiz"] == 1 and sonuclar[3]["alinan"] == 0
    satir = _satir(database, kimlik)
    assert (satir.durum, satir.deneme_sayisi) == ("basarisiz", 3)
    assert len(netgsm.istekler) == 3


def test_geri_cekilme_zamani_beklenir(database, netgsm):
    netgsm.mod, netgsm.hata_kalan = "hata500", 1
    [kimlik] = _kuyruga(database, "Geri çekilme")
    ayarlar = TeslimAyarlari(geri_cekilme=30)
    t0 = utcnow() + timedelta(minutes=1)

    assert _teslim(database, _gateway(netgsm), simdi=t0, ayarlar=ayarlar)["yeniden_denenecek"] == 1
    assert _utc(_satir(database, kimlik).sonraki_deneme) == t0 + timedelta(seconds=30)
    assert _teslim(database, _gateway(netgsm), simdi=t0 + timedelta(seconds=29), ayarlar=ayarlar)["alinan"] == 0
    assert _teslim(database, _gateway(netgsm), simdi=t0 + timedelta(seconds=31), ayarlar=ayarlar)["gonderildi"] == 1


def test_geri_cekilme_suresi_katlanir_ve_tavanda_durur():
    a = TeslimAyarlari(geri_cekilme=30, geri_cekilme_tavan=3600)
    assert [geri_cekilme_suresi(n, a).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [30, 60, 120, 1920, 3600,
                                                                                        3600]


def test_iki_gonderici_ayni_anda_hicbirini_iki_kez_gondermez(database, netgsm):
    netgsm.gecikme = 0.01  # so that the two senders really overlap
    metinler = [f"Eşzamanlı {i}" for i in range(40)]
    _kuyruga(database, *metinler)
    baslat = threading.Barrier(2)
    sonuclar: list[dict] = []

    def gonderici():
        baslat.wait()
        sonuclar.append(_teslim(database, _gateway(netgsm), ayarlar=TeslimAyarlari(geri_cekilme=0, parti=4)))

    is_parcaciklari = [threading.Thread(target=gonderici) for _ in range(2)]
    for t in is_parcaciklari:
        t.start()
    for t in is_parcaciklari:
        t.join(10)

    assert netgsm.kabul == Counter({m: 1 for m in metinler})
    assert len(netgsm.istekler) == 40
    assert len(sonuclar) == 2, "a sender raised"
    assert min(s["gonderildi"] for s in sonuclar) > 0, sonuclar  # both took part
    assert sum(s["gonderildi"] for s in sonuclar) == 40
    assert {s.durum for s in _satirlar(database)} == {"gonderildi"}


def test_geri_alinan_islemdeki_mesaj_gonderilmez(database, netgsm):
    with pytest.raises(RuntimeError):
        with database.unit_of_work() as s:
            sms_kuyruga_al(s, "+905321234567", "Geri alınacak")
            raise RuntimeError("işlem başarısız")
    _kuyruga(database, "Kalıcı")

    assert _teslim(database, _gateway(netgsm))["alinan"] == 1
    assert netgsm.kabul == Counter({"Kalıcı": 1})
    assert [s.metin for s in _satirlar(database)] == ["Kalıcı"]


def test_kira_suresi_dolan_satir_geri_alinir_digeri_beklenir(database, netgsm):
    olu, canli = _kuyruga(database, "Çöken gönderici", "Çalışan gönderici")
    with database.unit_of_work() as s:
        s.get(MesajKutusu, olu).durum = "gonderiliyor"
        s.get(MesajKutusu, olu).sonraki_deneme = utcnow() - timedelta(seconds=1)
        s.get(MesajKutusu, canli).durum = "gonderiliyor"
        s.get(MesajKutusu, canli).sonraki_deneme = utcnow() + timedelta(minutes=5)

    sayilar = _teslim(database, _gateway(netgsm))

    assert (sayilar["geri_alinan"], sayilar["gonderildi"]) == (1, 1)
    assert (_satir(database, olu).durum, _satir(database, olu).deneme_sayisi) == ("gonderildi", 2)
    assert _satir(database, canli).durum == "gonderiliyor"
    assert netgsm.kabul == Counter({"Çöken gönderici": 1})


def test_kira_kisalinca_kalanlar_gonderilmeden_birakilir(database):
    class Yavas(GelistirmeSmsGateway):
        def gonder(self, numara, metin, *, gizli=False):
            threading.Event().wait(0.15)
            return super().gonder(numara, metin, gizli=gizli)

    ilk, *kalanlar = _kuyruga(database, "bir", "iki", "üç")
    sayilar = _teslim(database, Yavas(), ayarlar=TeslimAyarlari(geri_cekilme=0, kira=0.2, parti=3))

    assert (sayilar["gonderildi"], sayilar["birakilan"]) == (1, 2)
    assert _satir(database, ilk).durum == "gonderildi"
    assert [(_satir(database, k).durum, _satir(database, k).deneme_sayisi) for k in kalanlar] == [("bekliyor", 0)] * 2


def test_durdurulan_gonderici_kalanlari_hemen_birakir(database):
    class Kesilen(GelistirmeSmsGateway):
        def gonder(self, numara, metin, *, gizli=False):
            raise KeyboardInterrupt

    ucusta, *kalanlar = _kuyruga(database, "bir", "iki", "üç")
    with pytest.raises(KeyboardInterrupt):
        _teslim(database, Kesilen())

    assert _satir(database, ucusta).durum == "gonderiliyor"  # may have gone: the lease decides
    assert [_satir(database, k).durum for k in kalanlar] == ["bekliyor", "bekliyor"]


def test_ayarlar_ortamdan_okunur():
    a = teslim_ayarlari_olustur({"MESAJ_GERI_CEKILME_SN": "0", "MESAJ_AZAMI_DENEME": "", "MESAJ_KIRA_SN": 60})
    assert (a.geri_cekilme, a.azami_deneme, a.kira, a.parti) == (0, 8, 60, 10)


def test_gecersiz_numara_istek_atmadan_kalici_hata(database, netgsm):
    [kimlik] = _kuyruga(database, "Sabit hatta SMS", numara="0312 123 45 67")
    assert _teslim(database, _gateway(netgsm))["basarisiz"] == 1
    assert "Geçersiz cep telefonu" in _satir(database, kimlik).son_hata
    assert netgsm.istekler == []


def test_beklenmeyen_istisna_satiri_takili_birakmaz(database):
    class Bozuk(GelistirmeSmsGateway):
        def gonder(self, numara, metin, *, gizli=False):
            raise KeyError("hata")

    [kimlik] = _kuyruga(database, "x")
    assert _teslim(database, Bozuk())["yeniden_denenecek"] == 1
    assert _satir(database, kimlik).durum == "bekliyor" and "KeyError" in _satir(database, kimlik).son_hata


# --- pure mapping and configuration ----------------------------------------------------------------------

@pytest.mark.parametrize("girdi, beklenen", [
    ("+905321234567", "5321234567"), ("00905321234567", "5321234567"), ("905321234567", "5321234567"),
    ("0532 123 45 67", "5321234567"), ("532-123-4567", "5321234567"), ("03121234567", None), ("12345", None),
    ("", None)])
def test_netgsm_numarasi(girdi, beklenen):
    assert netgsm_numarasi(girdi) == beklenen


@pytest.mark.parametrize("http, veri, basarili, kalici", [
    (200, {"code": "00", "jobid": "17"}, True, False), (200, {"code": "20"}, False, True),
    (406, {"code": "30"}, False, True), (200, {"code": "40"}, False, True), (200, {"code": "50"}, False, True),
    (200, {"code": "51"}, False, True), (200, {"code": "70"}, False, True), (200, {"code": "80"}, False, False),
    (200, {"code": "85"}, False, False), (502, None, False, False), (200, None, False, False),
    (401, None, False, True), (429, None, False, False), (200, {"code": "99"}, False, False)])
def test_netgsm_yanit_kodlari(http, veri, basarili, kalici):
    sonuc = netgsm_yanitini_coz(http, veri)
    assert (sonuc.basarili, sonuc.kalici) == (basarili, kalici)
    assert basarili or sonuc.hata


def test_fabrikalar_ayarlardan_secer():
    assert isinstance(sms_gateway_olustur({}), GelistirmeSmsGateway)
    assert sms_gateway_olustur({"DEBUG": True}).kodlari_logla is True
    assert sms_gateway_olustur({"DEBUG": True, "SMS_KODLARI_LOGLA": "0"}).kodlari_logla is False
    gw = sms_gateway_olustur({"SMS_BACKEND": "netgsm", "SMS_NETGSM_KULLANICI": "k", "SMS_NETGSM_PAROLA": "p",
                              "SMS_NETGSM_BASLIK": "MIGM"})
    assert isinstance(gw, NetgsmSmsGateway) and gw.url.endswith("/sms/rest/v2/send")
    with pytest.raises(MesajYapilandirmaHatasi, match="SMS_NETGSM_PAROLA"):
        sms_gateway_olustur({"SMS_BACKEND": "netgsm", "SMS_NETGSM_KULLANICI": "k", "SMS_NETGSM_BASLIK": "B"})
    with pytest.raises(MesajYapilandirmaHatasi):
        sms_gateway_olustur({"SMS_BACKEND": "posta-guvercini"})
    smtp = eposta_gonderici_olustur({"EPOSTA_BACKEND": "smtp", "EPOSTA_SMTP_HOST": "h", "EPOSTA_SMTP_PORT": "587",
                                     "EPOSTA_GONDEREN": "a@b.gov.tr", "EPOSTA_SMTP_STARTTLS": "evet"})
    assert (smtp.port, smtp.starttls) == (587, True)
    assert isinstance(eposta_gonderici_olustur({}), GelistirmeEpostaGonderici)


def test_kuyruga_bos_alan_alinmaz(session):
    with pytest.raises(GecersizVeri):
        sms_kuyruga_al(session, " ", "metin")
    with pytest.raises(GecersizVeri):
        eposta_kuyruga_al(session, "a@b.gov.tr", "", "metin")


# --- development backends, background delivery -----------------------------------------------------------

def test_gelistirme_gateway_ag_olmadan_calisir_ve_kodu_gizler(database, caplog):
    with database.unit_of_work() as s:
        sms_kuyruga_al(s, "+905321234567", "Doğrulama kodunuz: 482913", gizli=True)
        sms_kuyruga_al(s, "+905321234567", "Talebiniz alındı.")
        eposta_kuyruga_al(s, "muhtar@ornek.gov.tr", "Talep", "Metin")
    caplog.set_level(logging.INFO, logger="engine.mesaj")

    sayilar = teslim_et(database, GelistirmeSmsGateway(kodlari_logla=False), GelistirmeEpostaGonderici(),
                        ayarlar=HIZLI)

    assert sayilar["gonderildi"] == 3
    assert "482913" not in caplog.text and "Talebiniz alındı." in caplog.text
    with database.session() as s:
        son = son_mesajlar(s, limit=20)
        # delivered: the code has left the table (tests/integration/test_mesaj_temizlik.py)
        assert [m.metin for m in son] == ["Talebiniz alındı.", "[onay kodu silindi]"]
        assert gorunur_metin(son[1]) == "[gizli içerik]"
        assert len(son_mesajlar(s, kanal=None)) == 3 and len(son_mesajlar(s, limit=1)) == 1


def test_gelistirme_gateway_kodlari_logla_acikken_kodu_yazar(caplog):
    caplog.set_level(logging.INFO, logger="engine.mesaj")
    assert GelistirmeSmsGateway(kodlari_logla=True).gonder("+905321234567", "Kod: 482913", gizli=True).basarili
    assert "482913" in caplog.text


def test_arka_planda_teslim_tek_is_parcacigi_ve_sonradan_gelen(database):
    ilk_basladi, devam = threading.Event(), threading.Event()

    class Yavas(GelistirmeSmsGateway):
        def gonder(self, numara, metin, *, gizli=False):
            ilk_basladi.set()
            devam.wait(5)
            return super().gonder(numara, metin, gizli=gizli)

    gateway, eposta = Yavas(), GelistirmeEpostaGonderici()
    _kuyruga(database, "birinci")
    is_parcacigi = teslim_et_arka_planda(database, gateway, eposta, ayarlar=HIZLI)
    assert is_parcacigi is not None and is_parcacigi.daemon
    assert ilk_basladi.wait(5)
    _kuyruga(database, "ikinci")  # committed after the running thread's claim
    assert teslim_et_arka_planda(database, gateway, eposta, ayarlar=HIZLI) is None
    devam.set()
    is_parcacigi.join(5)

    assert not is_parcacigi.is_alive()
    assert [s.durum for s in _satirlar(database)] == ["gonderildi", "gonderildi"]


def test_teslim_dongusu_durdurulana_kadar_calisir(database):
    durdur = threading.Event()
    t = threading.Thread(target=teslim_dongusu, args=(database, GelistirmeSmsGateway(), GelistirmeEpostaGonderici()),
                         kwargs={"aralik": 0.05, "durdur": durdur, "ayarlar": HIZLI})
    t.start()
    try:
        [kimlik] = _kuyruga(database, "döngü")
        for _ in range(100):
            if _satir(database, kimlik).durum == "gonderildi":
                break
            threading.Event().wait(0.02)
        assert _satir(database, kimlik).durum == "gonderildi"
    finally:
        durdur.set()
        t.join(5)
    assert not t.is_alive()


# --- SMTP -------------------------------------------------------------------------------------------------

class SmtpToplayici:
    """aiosmtpd handler: keeps each accepted envelope; refuses recipients at yok@."""

    def __init__(self):
        self.zarflar = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("yok@"):
            return "550 5.1.1 Boyle bir posta kutusu yok"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.zarflar.append(envelope)
        return "250 Message accepted for delivery"


def _bos_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    toplayici = SmtpToplayici()
    controller = Controller(toplayici, hostname="127.0.0.1", port=_bos_port())
    controller.start()
    yield toplayici, controller.port
    controller.stop()


def test_smtp_turkce_eposta_teslim_edilir(database, smtp):
    toplayici, port = smtp
    konu = "Talebiniz İşleme Alındı — ğüşıöç"
    metin = "Sayın Muhtar,\n2026-000123 numaralı şikâyetiniz Çankaya'ya iletildi.\n"
    with database.unit_of_work() as s:
        kimlik = eposta_kuyruga_al(s, "muhtar@akpinar.gov.tr", konu, metin).id
    gonderici = SmtpEpostaGonderici("127.0.0.1", port, "MİGM Bilgi Sistemi <bildirim@migm.gov.tr>", timeout=2)

    assert teslim_et(database, GelistirmeSmsGateway(), gonderici, ayarlar=HIZLI)["gonderildi"] == 1

    [zarf] = toplayici.zarflar
    assert zarf.mail_from == "bildirim@migm.gov.tr" and zarf.rcpt_tos == ["muhtar@akpinar.gov.tr"]
    ileti = email.message_from_bytes(zarf.original_content, policy=email.policy.default)
    assert ileti["Subject"] == konu and ileti.get_content().replace("\r\n", "\n") == metin
    assert ileti["Message-ID"] == _satir(database, kimlik).saglayici_kimlik
    assert zarf.original_content.isascii()  # 7-bit safe on any relay


def test_smtp_reddedilen_alici_kalici_baglanti_yok_gecici(database, smtp):
    _, port = smtp
    with database.unit_of_work() as s:
        reddedilen = eposta_kuyruga_al(s, "yok@migm.gov.tr", "Konu", "Metin").id
    assert teslim_et(database, GelistirmeSmsGateway(), SmtpEpostaGonderici("127.0.0.1", port, "a@migm.gov.tr",
                                                                          timeout=2), ayarlar=HIZLI)["basarisiz"] == 1
    assert "550" in _satir(database, reddedilen).son_hata

    sonuc = SmtpEpostaGonderici("127.0.0.1", _bos_port(), "a@migm.gov.tr", timeout=1).gonder("b@c.tr", "K", "M")
    assert sonuc == GonderimSonucu(False, hata=sonuc.hata, kalici=False) and "ulaşılamadı" in sonuc.hata
