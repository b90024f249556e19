"""Done means (issue 4), through the web pages only: MİGM routes a talep to a Valilik and a Belediye, the
Valilik forwards to two sub-units, everyone closes their part with an attachment, MİGM closes the process;
the muhtar's SMS is in the outbox, the units' task e-mails and the muhtar's copy reach a local SMTP server."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import Birim, Ek, Hareket, MesajKutusu, Talep, Yonlendirme
from webapp.kurum import hesap  # noqa: F401

from .conftest import csrf_token
from .kurum_yardim import (_hizli_hash_yukseltilmez, alt_yonlendirme_verisi, bildirimler, dosya,  # noqa: F401
                           giris_yap, gorev_gonder, kurum_ortami_kur, metin, ornek_docx, ornek_pdf, ornek_png, ornek_xlsx,
                           oturumlu, smtp, smtp_ayarlari, talep_sayfasi, yonlendirme_verisi)


def test_tam_surec_web_uzerinden(make_app, web_database, smtp):
    k = kurum_ortami_kur(make_app, web_database, **smtp_ayarlari(smtp))
    talep_id = k.talep_ac()
    migm, valilik, belediye = oturumlu(k, "MIGM"), oturumlu(k, "VALILIK-06"), oturumlu(k, "BELEDIYE-06-CANKAYA")
    saglik, meb = oturumlu(k, "SAGLIK-06"), oturumlu(k, "MEB-06")

    # MİGM: the talep is in the inbox; the Yönlendir form offers units of the talep's il first
    with k.db.session() as s:
        numara = s.get(Talep, talep_id).numara
    assert numara in metin(migm.get("/kurum/gelen-kutusu"))
    sayfa = metin(talep_sayfasi(migm, talep_id))
    assert "SEÇİLEN BİRİMLERE YÖNLENDİR" in sayfa and "Ankara Valiliği" in sayfa and "Çankaya Belediyesi" in sayfa
    assert "Ayşe Yılmaz" in sayfa and "Akpınar Mah" in sayfa and "+905321234512" in sayfa  # working on it
    yanit = gorev_gonder(k, migm, talep_id, "MIGM",
                         yonlendirme_verisi(k, ["VALILIK-06"], ["BELEDIYE-06-CANKAYA"], oncelik="yuksek"))
    assert yanit.status_code == 200 and "Talep işlendi." in bildirimler(metin(yanit))
    assert k.acik_gorevler(talep_id) == [("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA"),
                                         ("Task_UzerineAl", "VALILIK-06")]

    # Valilik: sees MİGM's note to it, forwards to two sub-units
    sayfa = metin(talep_sayfasi(valilik, talep_id))
    assert "VALILIK-06 için MİGM notu" in sayfa and "BELEDIYE-06-CANKAYA için MİGM notu" not in sayfa
    assert "ÜZERİME AL" in sayfa and "Ankara İl Sağlık Müdürlüğü" in sayfa and "İzmir İl Sağlık" not in sayfa
    gorev_gonder(k, valilik, talep_id, "VALILIK-06", alt_yonlendirme_verisi(k, ["SAGLIK-06", "MEB-06"]))
    sayfa = metin(talep_sayfasi(valilik, talep_id))
    assert "Alt birimler" in sayfa and "Ankara İl Milli Eğitim Müdürlüğü" in sayfa
    assert '<button type="button" disabled>İŞLEMİ TAMAMLA</button>' in sayfa  # sub-units not done yet

    # Belediye closes with a PNG; the Valilik then sees the Belediye's closing note
    gorev_gonder(k, belediye, talep_id, "BELEDIYE-06-CANKAYA", {
        "islem_notu": "Lambalar değiştirildi.", "muhtara_acik": "1",
        "ekler": [dosya(ornek_png(), "foto.png", "image/png")]})
    assert "Lambalar değiştirildi." in metin(talep_sayfasi(valilik, talep_id))

    # the sub-units close with a PDF and a DOCX
    gorev_gonder(k, saglik, talep_id, "SAGLIK-06", {
        "islem_notu": "Sağlık taraması yapıldı.", "ekler": [dosya(ornek_pdf(), "rapor.pdf", "application/pdf")]})
    sayfa = metin(talep_sayfasi(valilik, talep_id))
    assert "Sağlık taraması yapıldı." in sayfa and "rapor.pdf" in sayfa and "disabled" in sayfa
    gorev_gonder(k, meb, talep_id, "MEB-06", {
        "islem_notu": "Okul ziyaret edildi.", "ekler": [dosya(ornek_docx(), "tutanak.docx")]})

    # now the Valilik's own İŞLEMİ TAMAMLA is there; it closes with an XLSX
    sayfa = metin(talep_sayfasi(valilik, talep_id))
    assert "İŞLEMİ TAMAMLA</button>" in sayfa and "disabled" not in sayfa
    yanit = gorev_gonder(k, valilik, talep_id, "VALILIK-06", {
        "islem_notu": "Alt birimler gereğini yaptı.", "muhtara_acik": "1",
        "ekler": [dosya(ornek_xlsx(), "ozet.xlsx")]})
    assert "İşlem tamamlandı." in bildirimler(metin(yanit))

    # MİGM: the Süreci tamamla page shows every unit's and sub-unit's notes and attachments
    sayfa = metin(talep_sayfasi(migm, talep_id))
    for parca in ("Lambalar değiştirildi.", "Sağlık taraması yapıldı.", "Okul ziyaret edildi.",
                  "Alt birimler gereğini yaptı.", "foto.png", "rapor.pdf", "tutanak.docx", "ozet.xlsx",
                  "SÜRECİ TAMAMLA"):
        assert parca in sayfa, parca
    # without the confirmation box nothing happens
    yanit = gorev_gonder(k, migm, talep_id, "MIGM", {"nihai_cevap": "Talebiniz karşılanmıştır."})
    assert yanit.status_code == 422 and "bu kutuyu işaretlemelisiniz" in metin(yanit)
    yanit = gorev_gonder(k, migm, talep_id, "MIGM", {"nihai_cevap": "Talebiniz karşılanmıştır.",
                                                      "tamamlama_onayi": "1"})
    assert "Süreç tamamlandı; muhtara SMS gönderilecek." in bildirimler(metin(yanit))
    assert k.acik_gorevler(talep_id) == []

    with k.db.session() as s:
        talep = s.get(Talep, talep_id)
        assert talep.durum == "sonuclanan" and talep.nihai_cevap == "Talebiniz karşılanmıştır."
        parcalar = list(s.scalars(select(Yonlendirme).where(Yonlendirme.talep_id == talep_id)))
        assert len(parcalar) == 4 and all(p.durum == "tamamlandi" for p in parcalar)
        ekler = {e.dosya_adi: e for e in s.scalars(select(Ek).where(Ek.talep_id == talep_id))}
        assert set(ekler) == {"foto.png", "rapor.pdf", "tutanak.docx", "ozet.xlsx"}
        assert ekler["foto.png"].muhtar_gorur and not ekler["rapor.pdf"].muhtar_gorur
        assert ekler["tutanak.docx"].icerik_turu.endswith("wordprocessingml.document")
        sms = list(s.scalars(select(MesajKutusu).where(MesajKutusu.talep_id == talep_id,
                                                       MesajKutusu.kanal == "sms").order_by(MesajKutusu.id)))
        assert [m.alici for m in sms] == ["+905321234512", "+905321234512"]
        assert "sonuçlanmıştır" in sms[-1].metin and talep.numara in sms[-1].metin
        assert "surec_tamamlandi" in s.scalars(select(Hareket.islem).where(Hareket.talep_id == talep_id)).all()
        epostalar = list(s.scalars(select(MesajKutusu).where(MesajKutusu.kanal == "eposta")))
        assert epostalar and all(m.durum == "gonderildi" for m in epostalar)

    # e-mail: each unit whose task arrived, and the muhtar's institutional address with the final answer
    alicilar = smtp.alicilar()
    for ad in ("valilik-06", "belediye-06-cankaya", "saglik-06", "meb-06", "migm"):
        assert f"{ad}@kurum.example.gov.tr" in alicilar, ad
    muhtara = [i for i in smtp.iletiler if "akpinar.muhtarligi@muhtar.example.gov.tr" in i[0]]
    assert len(muhtara) == 1 and "Talebiniz karşılanmıştır." in muhtara[0][2]

    # the closed talep is in MİGM's Tamamlanan and no longer in its inbox
    assert talep.numara in metin(migm.get("/kurum/tamamlanan"))
    assert talep.numara not in metin(migm.get("/kurum/gelen-kutusu"))


@pytest.mark.slow
def test_tam_surec_demo_verisiyle(make_app, web_database, monkeypatch):
    """The same, on the real registry (81 il, 2,868 units) with the demo users and their password."""
    from pathlib import Path

    from engine.kayit import DEMO_PAROLA, seed_demo, seed_registry
    from engine.models import Muhtar
    from engine.runtime import Motor
    from engine.surecler import surecleri_yukle
    with web_database.unit_of_work() as s:
        seed_registry(s)
        seed_demo(s)
        surecleri_yukle(s, Path(__file__).resolve().parents[2] / "processes", deployed_by="test")
        muhtar_id = s.scalars(select(Muhtar.id).where(Muhtar.ad_soyad == "Ayşe Yılmaz")).one()
        birim = {b.kod: b.id for b in s.scalars(select(Birim))}
    app = make_app(MESAJ_TESLIM="kapali")
    with web_database.unit_of_work() as s:
        talep_id = Motor().talep_baslat(s, muhtar_id=muhtar_id, tur="istek",
                                        aciklama="Okulumuzun önündeki yola yaya geçidi istiyoruz.").id

    def gir(ad):
        client = app.test_client()
        assert giris_yap(client, ad, DEMO_PAROLA).status_code == 302
        return client

    def gonder(client, veri):
        html = metin(client.get(f"/kurum/talep/{talep_id}"))
        uuid = re.search(r'action="/kurum/gorev/([0-9a-f-]{36})"', html).group(1)
        yanit = client.post(f"/kurum/gorev/{uuid}", data={"csrf_token": csrf_token(html), **veri},
                            follow_redirects=True)
        assert yanit.status_code == 200, metin(yanit)[:2000]
        return yanit

    migm = gir("migm")
    sayfa = metin(migm.get(f"/kurum/talep/{talep_id}"))
    assert "Ankara Büyükşehir Belediyesi" in sayfa and "Polatlı Belediyesi" in sayfa  # the talep's il first
    yanit = gorev_gonder_listele(migm, talep_id, {"belediye_yonlendirmeleri.il": "", "belediye_yonlendirmeleri.ara": "konak"})
    assert "Konak Belediyesi" in yanit
    v, b = birim["VALILIK-06"], birim["BELEDIYE-06-CANKAYA"]
    gonder(migm, {"karar": "yonlendir", "valilik_yonlendirmeleri": str(v), f"valilik_yonlendirmeleri.{v}.oncelik": "acil",
                  f"valilik_yonlendirmeleri.{v}.not": "İl Milli Eğitim ile görüşünüz.",
                  "belediye_yonlendirmeleri": str(b), f"belediye_yonlendirmeleri.{b}.not": "Yaya geçidi çizimi."})
    valilik = gir("valilik.ankara")
    sayfa = metin(valilik.get(f"/kurum/talep/{talep_id}"))
    assert "Polatlı Kaymakamlığı" in sayfa and "İzmir" not in sayfa.split('id="gorev"')[1].split("b-hareket")[0]
    s1, s2 = birim["SAGLIK-06"], birim["MEB-06"]
    gonder(valilik, {"islem": "alt_birim", "alt_yonlendirmeler": [str(s1), str(s2)],
                     f"alt_yonlendirmeler.{s2}.not": "Okul güvenliği."})
    for ad in ("saglik.ankara", "milliegitim.ankara", "belediye.cankaya"):
        gonder(gir(ad), {"islem_notu": f"{ad} işlemi tamamladı.",
                         "ekler": [dosya(ornek_pdf() + ad.encode(), f"{ad}.pdf", "application/pdf")]})
    gonder(valilik, {"islem_notu": "Valilik işlemi tamamladı.", "muhtara_acik": "1",
                     "ekler": [dosya(ornek_png(), "kroki.png")]})
    gonder(migm, {"nihai_cevap": "Yaya geçidi yapılacaktır.", "tamamlama_onayi": "1"})
    with web_database.session() as s:
        talep = s.get(Talep, talep_id)
        assert talep.durum == "sonuclanan" and len(s.scalars(select(Ek).where(Ek.talep_id == talep_id)).all()) == 4
        sms = s.scalars(select(MesajKutusu).where(MesajKutusu.talep_id == talep_id, MesajKutusu.kanal == "sms")
                        .order_by(MesajKutusu.id)).all()
        assert sms[-1].alici == "+905321234512" and "sonuçlanmıştır" in sms[-1].metin
        assert s.scalars(select(MesajKutusu.alici).where(MesajKutusu.kanal == "eposta")).all() == \
            ["ayse.yilmaz@example.com"]


def gorev_gonder_listele(client, talep_id, veri) -> str:
    html = metin(client.get(f"/kurum/talep/{talep_id}"))
    uuid = re.search(r'action="/kurum/gorev/([0-9a-f-]{36})"', html).group(1)
    return metin(client.post(f"/kurum/gorev/{uuid}", data={"csrf_token": csrf_token(html), "_eylem": "listele",
                                                           **veri}))
