"""Drill: the SMS provider refuses, times out, then recovers, while muhtars keep using the system.

The fake Netgsm of tests/integration/test_mesaj.py (127.0.0.1) goes through five phases: its port closed
(connection refused), HTTP 500, Netgsm's "85" (too many messages), hanging past the client's timeout, and
finally accepting. Throughout, muhtars ask for login codes, log in (the test reads the code from the outbox,
as an operator could) and file talepler: every request is accepted. The delivery loop of
``flask mesaj gonder --dongu`` runs all along in a thread. Once the provider is back every queued message is
delivered, each exactly once at the provider, and no row is given up.
"""
from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer

import pytest
from sqlalchemy import select

from engine.mesaj import GelistirmeEpostaGonderici, NetgsmSmsGateway, TeslimAyarlari, teslim_dongusu
from engine.models import MesajKutusu
from tests.faults.ortak import SAYILAR
from tests.integration.test_mesaj import BASLIK, KULLANICI, PAROLA, SahteNetgsm, _netgsm_isleyici
from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import AYSE, ZEYNEP, dunya_kur, muhtar_girisi
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401

pytestmark = pytest.mark.slow

EVRELER = ["kapali", "hata500", "kod85", "askida", "kabul"]


class KesintiliNetgsm(SahteNetgsm):
    """The fake Netgsm, plus a closed port and Netgsm's temporary "85" answer."""

    def __init__(self):
        super().__init__()
        self.port = self.sunucu.server_port
        self.reddedilen = 0

    def kapat_port(self):
        self.sunucu.shutdown()
        self.sunucu.server_close()

    def ac_port(self):
        self.sunucu = ThreadingHTTPServer(("127.0.0.1", self.port), _netgsm_isleyici(self))
        self.sunucu.daemon_threads = True
        threading.Thread(target=self.sunucu.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def yanitla(self, basliklar, govde):
        if self.mod == "kod85":
            with self.kilit:
                self.istekler.append({"msg": None, "no": None})
                self.reddedilen += 1
            return 200, {"code": "85", "description": "duplicate limit"}
        if self.mod in ("hata500", "askida"):
            with self.kilit:
                self.reddedilen += 1
        return super().yanitla(basliklar, govde)


def _basvur(client, metin):
    import re
    html = client.get("/muhtar/basvuru").get_data(as_text=True)
    anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    return client.post("/muhtar/basvuru", data={"csrf_token": csrf_token(html), "tur": "istek", "aciklama": metin,
                                                "istek_anahtari": anahtar})


def test_sms_saglayicisi_kesilip_donunce_her_mesaj_bir_kez_gider(make_app, web_database):
    netgsm = KesintiliNetgsm()
    d = dunya_kur(make_app, web_database, SMS_BACKEND="netgsm", SMS_NETGSM_URL=netgsm.url,
                  SMS_NETGSM_KULLANICI=KULLANICI, SMS_NETGSM_PAROLA=PAROLA, SMS_NETGSM_BASLIK=BASLIK,
                  MESAJ_ARKA_PLANDA_TESLIM=False)
    gateway = NetgsmSmsGateway(netgsm.url, KULLANICI, PAROLA, BASLIK, timeout=0.3)
    dur = threading.Event()
    # the drill reads the codes back from the outbox and checks every text is unique: codes are kept here
    ayarlar = TeslimAyarlari(azami_deneme=1000, geri_cekilme=0.05, geri_cekilme_tavan=0.2, kira=10, parti=5,
                             gizli_metni_sil=False)
    dongu = threading.Thread(target=teslim_dongusu, args=(d.db, gateway, GelistirmeEpostaGonderici()),
                             kwargs={"aralik": 0.05, "durdur": dur, "ayarlar": ayarlar}, daemon=True)
    dongu.start()
    kabul_edilen = 0
    try:
        for evre in EVRELER:
            if evre == "kapali":
                netgsm.kapat_port()  # connection refused
            else:
                netgsm.mod = evre
            if evre == "hata500":
                netgsm.ac_port()
                netgsm.hata_kalan = 10 ** 6
            if evre == "kabul":
                netgsm.birak.set()
            SAYILAR["ariza"] += evre != "kabul"
            # the muhtars go on: a code each, a login each, a talep each
            for kim in (AYSE, ZEYNEP):
                client = d.app.test_client()
                muhtar_girisi(client, d.db, kim)
                yanit = _basvur(client, f"{evre} evresinde gönderilen talep: çeşme bozuk ({kim['ad']}).")
                assert yanit.status_code == 302, (evre, yanit.status_code)
                kabul_edilen += 1
            time.sleep(0.6)  # let the loop try (and fail) while the phase lasts
            if evre != "kabul":
                with d.db.session() as s:
                    gonderilen = s.scalars(select(MesajKutusu.id).where(MesajKutusu.kanal == "sms",
                                                                   MesajKutusu.durum == "gonderildi")).all()
                assert not gonderilen, (evre, gonderilen)
        # once it is back, everything goes
        son = time.monotonic() + 30
        while time.monotonic() < son:
            with d.db.session() as s:
                durumlar = {m.durum for m in s.scalars(select(MesajKutusu).where(MesajKutusu.kanal == "sms"))}
            if durumlar == {"gonderildi"}:
                break
            time.sleep(0.1)
    finally:
        dur.set()
        dongu.join(10)
        netgsm.kapat()

    with d.db.session() as s:
        satirlar = list(s.scalars(select(MesajKutusu).where(MesajKutusu.kanal == "sms")))
    assert kabul_edilen == 2 * len(EVRELER)
    assert {m.durum for m in satirlar} == {"gonderildi"}, [(m.id, m.durum, m.son_hata) for m in satirlar]
    # exactly once at the provider, for every row (codes and "talebiniz alınmıştır" messages alike)
    metinler = [m.metin for m in satirlar]
    assert len(set(metinler)) == len(metinler)
    for m in satirlar:
        assert netgsm.kabul[m.metin] == 1, (m.id, netgsm.kabul[m.metin])
    assert sum(netgsm.kabul.values()) == len(satirlar)
    assert netgsm.ihlaller == []
    # the messages queued during the outage were really tried and refused first
    denenen = [m for m in satirlar if m.deneme_sayisi > 1]
    assert len(denenen) >= 8, [(m.id, m.deneme_sayisi) for m in satirlar]
    SAYILAR["kesilen_istek"] += sum(m.deneme_sayisi - 1 for m in satirlar)
    print(f"\nSMS: {len(satirlar)} mesaj, {sum(m.deneme_sayisi for m in satirlar) - len(satirlar)} başarısız deneme "
          f"(kapalı port, HTTP 500, kod 85, zaman aşımı), hepsi bir kez teslim; {kabul_edilen} muhtar isteği kabul")
