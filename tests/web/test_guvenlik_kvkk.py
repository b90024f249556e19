"""Personal data (KVKK): TC Kimlik No and phone numbers masked on every page and download, never in the logs
over a whole talep's life, and every display of a full phone number recorded (logger ``mbs.kvkk``: who, which
unit, which talep; never the number).

A full phone number is shown in one place only: the kurum talep page, to a unit that has an open task on
the talep (it may need to call the muhtar). The registry (/kurum/muhtarlar) shows them masked.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile

from sqlalchemy import select

from engine.mesaj import eposta_gonderici_olustur, sms_gateway_olustur, teslim_et
from engine.models import HumanTask
from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import AYSE, ZEYNEP, dunya, dunya_kur, muhtar_girisi, rota_adresi, tum_kurallar  # noqa: F401
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez, dosya, ornek_pdf  # noqa: F401


def _bicimler(kim: dict) -> list[str]:
    """The ways a full number may be written: +905321234512, 905321234512, 05321234512, 532 123 45 12..."""
    t = kim["telefon"][-10:]
    return [kim["tc"], kim["telefon"], "9" + "0" + t, "0" + t, t, f"{t[:3]} {t[3:6]} {t[6:8]} {t[8:]}",
            f"0{t[:3]} {t[3:6]} {t[6:8]} {t[8:]}", f"({t[:3]}) {t[3:6]} {t[6:]}"]


def _metin(yanit) -> str:
    govde = yanit.get_data()
    yanit.close()
    if govde[:4] == b"PK\x03\x04":  # xlsx/docx downloads: look inside
        with zipfile.ZipFile(io.BytesIO(govde)) as z:
            return "".join(z.read(ad).decode("utf-8", "replace") for ad in z.namelist())
    return govde.decode("utf-8", "replace")


def _tam_numaralar(html: str) -> list[str]:
    return [b for kim in (AYSE, ZEYNEP) for b in _bicimler(kim) if b in html]


def test_her_sayfada_ve_indirmede_tc_ve_telefon_maskeli(dunya, caplog):
    caplog.set_level(logging.INFO, logger="mbs.kvkk")
    kodlar = ["MIGM", "VALILIK-06", "BELEDIYE-06-CANKAYA", "SAGLIK-06", "VALILIK-35"]
    istemciler = {kod: dunya.kurum(kod) for kod in kodlar}
    istemciler.update({"anonim": dunya.app.test_client(), "muhtar": dunya.muhtar_istemci()})
    # (the registry's sample import file is a fixed text whose example rows are the demo muhtars)
    yollar = [rota_adresi(k, dunya) for k in tum_kurallar(dunya.app, "GET")
              if k.endpoint not in ("static", "kayit.ornek") and "dogrulama" not in k.endpoint]
    yollar += [f"/kurum/talep/{dunya.talep['B']}", f"/kurum/muhtarlar/{dunya.muhtar['B']}",
               "/kurum/muhtarlar/?durum=hepsi", "/kurum/muhtarlar/?tc=1"]
    # a TC search posts the number and lists at ?tc=1: whoever may use the registry searches for Ayşe first
    kayitcilar = [kod for kod in kodlar if istemciler[kod].get("/kurum/muhtarlar/").status_code == 200]
    assert "MIGM" in kayitcilar
    for kod in kayitcilar:
        sayfa = istemciler[kod].get("/kurum/muhtarlar/").get_data(as_text=True)
        yanit = istemciler[kod].post("/kurum/muhtarlar/", data={"csrf_token": csrf_token(sayfa), "tc": AYSE["tc"]})
        assert yanit.status_code == 303 and AYSE["tc"] not in yanit.headers["Location"], kod
        assert "Ayşe" in _metin(istemciler[kod].get("/kurum/muhtarlar/?tc=1")), kod
    # the units with an open task on talep A (its Belediye, and the Valilik whose sub-unit is done) and MİGM on
    # talep B (Yönlendir) are the only ones shown a full number
    acik = {("BELEDIYE-06-CANKAYA", f"/kurum/talep/{dunya.talep['A']}"),
            ("VALILIK-06", f"/kurum/talep/{dunya.talep['A']}"), ("MIGM", f"/kurum/talep/{dunya.talep['B']}")}
    goruldu = set()
    sayi = 0
    for kim, client in istemciler.items():
        for yol in yollar:
            yanit = client.get(yol)
            bulunan = _tam_numaralar(_metin(yanit))
            sayi += 1
            assert AYSE["tc"] not in bulunan and ZEYNEP["tc"] not in bulunan, (kim, yol)
            if (kim, yol) in acik:
                assert bulunan, (kim, yol, "açık görevi olan birim tam numarayı görmeli")
                goruldu.add((kim, yol))
            else:
                assert not bulunan, (kim, yol, bulunan)
    assert goruldu == acik and sayi > 200
    # each display of a full number is on record: user, unit, talep; the number itself is not
    kayitlar = [r.getMessage() for r in caplog.records if r.name == "mbs.kvkk"]
    assert len(kayitlar) == len(acik), kayitlar
    for kod, yol in acik:
        with dunya.db.session() as s:
            from engine.models import Kullanici
            kullanici_id = s.scalars(select(Kullanici.id).where(Kullanici.kullanici_adi == kod.lower())).one()
        talep_id = yol.rsplit("/", 1)[1]
        assert any(f"kullanıcı #{kullanici_id} (birim #{dunya.ortam.kayit.birim[kod]}), talep #{talep_id}," in k
                   for k in kayitlar), (kod, kayitlar)
    assert not any(_tam_numaralar(k) for k in kayitlar)


def _gorev(d, talep_id, kod) -> str:
    with d.db.session() as s:
        return s.scalars(select(HumanTask.task_uuid).where(
            HumanTask.talep_id == talep_id, HumanTask.birim_id == d.ortam.kayit.birim[kod],
            HumanTask.durum == "acik")).one()


def _gonder(d, client, talep_id, kod, veri):
    html = client.get(f"/kurum/talep/{talep_id}").get_data(as_text=True)
    yanit = client.post(f"/kurum/gorev/{_gorev(d, talep_id, kod)}", data={"csrf_token": csrf_token(html), **veri})
    assert yanit.status_code == 303, (kod, yanit.status_code, yanit.get_data(as_text=True)[:800])


def test_butun_bir_talep_boyunca_loglarda_tc_ve_telefon_yok(make_app, web_database, caplog):
    """Every logger at DEBUG over a whole life: the muhtar's code login, a talep, routing, forwarding, three
    closings with files, MİGM's closing, the SMS and e-mails delivered, rate limits and errors on the way."""
    caplog.set_level(logging.DEBUG)
    d = dunya_kur(make_app, web_database, MESAJ_TESLIM="senkron", RATELIMIT_ENABLED=True,
                  MUHTAR_SINIR_KOD_GONDER_TC="2 per hour")
    k = d.ortam.kayit
    muhtar = d.app.test_client()
    muhtar_girisi(muhtar, d.db, ZEYNEP)
    html = muhtar.get("/muhtar/basvuru").get_data(as_text=True)
    anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    yanit = muhtar.post("/muhtar/basvuru", data={"csrf_token": csrf_token(html), "tur": "sikayet",
                                                 "aciklama": "Kızılay Mahallesi'nde su kesintisi üç gündür sürüyor.",
                                                 "istek_anahtari": anahtar})
    assert yanit.status_code == 302
    numara = yanit.headers["Location"].rsplit("/", 1)[1]
    from engine.models import Talep
    with d.db.session() as s:
        talep_id = s.scalars(select(Talep.id).where(Talep.numara == numara)).one()
    migm, valilik = d.kurum("MIGM"), d.kurum("VALILIK-06")
    _gonder(d, migm, talep_id, "MIGM", {
        "karar": "yonlendir", "valilik_yonlendirmeleri": [str(k.birim["VALILIK-06"])],
        "belediye_yonlendirmeleri": [str(k.birim["BELEDIYE-06-CANKAYA"])],
        f"valilik_yonlendirmeleri.{k.birim['VALILIK-06']}.not": "bakınız",
        f"belediye_yonlendirmeleri.{k.birim['BELEDIYE-06-CANKAYA']}.not": "bakınız"})
    _gonder(d, valilik, talep_id, "VALILIK-06", {"islem": "alt_birim", "alt_yonlendirmeler": [str(k.birim["SAGLIK-06"])],
                                                f"alt_yonlendirmeler.{k.birim['SAGLIK-06']}.not": "inceleyin"})
    for kod, client in (("SAGLIK-06", d.kurum("SAGLIK-06")), ("BELEDIYE-06-CANKAYA", d.kurum("BELEDIYE-06-CANKAYA")),
                        ("VALILIK-06", valilik)):
        _gonder(d, client, talep_id, kod, {"islem_notu": f"{kod} tamamladı.", "muhtara_acik": "1",
                                           "ekler": [dosya(ornek_pdf() + kod.encode(), f"{kod}.pdf", "application/pdf")]})
    _gonder(d, migm, talep_id, "MIGM", {"nihai_cevap": "Su şebekesi onarıldı.", "tamamlama_onayi": "1"})
    # the muhtar reads the answer; someone tries too many codes for the same TC; a missing page
    assert "Su şebekesi onarıldı." in muhtar.get(f"/muhtar/talepler/{numara}").get_data(as_text=True)
    for _ in range(3):
        baska = d.app.test_client()
        html = baska.get("/muhtar/giris").get_data(as_text=True)
        baska.post("/muhtar/giris", data={"csrf_token": csrf_token(html), "tc_kimlik_no": ZEYNEP["tc"],
                                          "ad_soyad": ZEYNEP["ad"]})
    assert muhtar.get("/muhtar/talepler/0000-000000").status_code == 404
    teslim_et(d.db, sms_gateway_olustur(d.app.config), eposta_gonderici_olustur(d.app.config))
    from engine.models import MesajKutusu
    with d.db.session() as s:
        durumlar = [m.durum for m in s.scalars(select(MesajKutusu))]
    assert len(durumlar) >= 8 and set(durumlar) == {"gonderildi"}, durumlar

    with d.db.session() as s:
        assert s.scalar(select(Talep.durum).where(Talep.id == talep_id)) == "sonuclanan"
    assert len(caplog.records) > 20, "log kaydı yok: test bir şey ölçmüyor"
    metin = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    sizan = [b for kim in (AYSE, ZEYNEP) for b in _bicimler(kim) if b in metin]
    assert not sizan, (sizan, [r.getMessage() for r in caplog.records if any(b in r.getMessage() for b in sizan)])
