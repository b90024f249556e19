"""Done means (issue 3), through the web pages only: the muhtar logs in with the code from the development
SMS outbox, files each of the four types, and sees them move across the three lists as kurum users act;
the attachment a unit shares can be downloaded, the one it keeps cannot."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine.models import Talep
from tests.web.muhtar_ortak import basvur
from tests.web.muhtar_ortak import giris_yap as muhtar_girisi

from .kurum_yardim import (_hizli_hash_yukseltilmez, bildirimler, dosya, gorev_gonder, kurum_ortami_kur,  # noqa: F401
                           metin, ornek_pdf, ornek_png, oturumlu, yonlendirme_verisi)


def _sayilar(html: str) -> dict:
    return {ad: int(sayi) for ad, sayi in re.findall(r"(\w+) Taleplerim <span class=\"sayi\">\((\d+)\)", html)}


def test_muhtar_dort_tur_basvurur_ve_listelerde_izler(make_app, web_database):
    k = kurum_ortami_kur(make_app, web_database, MUHTAR_GIRIS_ASGARI_SN=0)
    muhtar = k.client()
    assert muhtar_girisi(muhtar, web_database).headers["Location"].endswith("/muhtar/basvuru")

    numaralar = {}
    for tur in ("sikayet", "istek", "ihbar", "gorus_oneri"):
        yanit = basvur(muhtar, tur=tur, aciklama=f"{tur}: mahallemizle ilgili ayrıntılı açıklama.")
        numaralar[tur] = yanit.headers["Location"].rsplit("/", 1)[1]
    assert _sayilar(metin(muhtar.get("/muhtar/talepler"))) == {"Bekleyen": 4, "Yönlendirilen": 0, "Sonuçlanan": 0}
    with k.db.session() as s:
        idler = {tur: s.scalar(select(Talep.id).where(Talep.numara == n)) for tur, n in numaralar.items()}

    # MİGM routes the şikâyet to Çankaya Belediyesi and closes the görüş without routing.
    migm = oturumlu(k, "MIGM")
    assert numaralar["sikayet"] in metin(migm.get("/kurum/gelen-kutusu"))
    gorev_gonder(k, migm, idler["sikayet"], "MIGM", yonlendirme_verisi(k, belediyeler=["BELEDIYE-06-CANKAYA"]))
    yanit = gorev_gonder(k, migm, idler["gorus_oneri"], "MIGM", {
        "karar": "kapat", "nihai_cevap": "Öneriniz değerlendirilmek üzere kayda alınmıştır.", "kapatma_onayi": "1"})
    assert yanit.status_code == 200, bildirimler(metin(yanit))
    assert _sayilar(metin(muhtar.get("/muhtar/talepler"))) == {"Bekleyen": 2, "Yönlendirilen": 1, "Sonuçlanan": 1}
    html = metin(muhtar.get("/muhtar/talepler?durum=yonlendirilen"))
    assert numaralar["sikayet"] in html and numaralar["istek"] not in html

    # The Belediye closes its part, sharing a photo with the muhtar; MİGM closes the process.
    belediye = oturumlu(k, "BELEDIYE-06-CANKAYA")
    gorev_gonder(k, belediye, idler["sikayet"], "BELEDIYE-06-CANKAYA", {
        "islem_notu": "Lambalar değiştirildi.", "muhtara_acik": "1",
        "ekler": [dosya(ornek_png(), "foto.png", "image/png")]})
    yanit = gorev_gonder(k, migm, idler["sikayet"], "MIGM", {"nihai_cevap": "Sokak lambaları yenilendi.",
                                                             "tamamlama_onayi": "1"})
    assert "Süreç tamamlandı; muhtara SMS gönderilecek." in bildirimler(metin(yanit))

    html = metin(muhtar.get("/muhtar/talepler?durum=sonuclanan"))
    assert _sayilar(html) == {"Bekleyen": 2, "Yönlendirilen": 0, "Sonuçlanan": 2}
    assert numaralar["sikayet"] in html and numaralar["gorus_oneri"] in html
    sayfa = metin(muhtar.get(f"/muhtar/talepler/{numaralar['sikayet']}"))
    for parca in ("Çankaya Belediyesine iletildi", "Çankaya Belediyesi işlemi tamamladı", "Lambalar değiştirildi.",
                  "Sokak lambaları yenilendi.", "foto.png", "Sonuçlandı"):
        assert parca in sayfa, parca
    assert "için MİGM notu" not in sayfa  # MİGM's note was for the unit
    baglanti = re.search(r'href="(/muhtar/talepler/[^"]+/ekler/\d+)"', sayfa).group(1)
    indirme = muhtar.get(baglanti)
    assert indirme.status_code == 200 and indirme.data == ornek_png()
    sayfa = metin(muhtar.get(f"/muhtar/talepler/{numaralar['gorus_oneri']}"))
    assert "MİGM talebi yönlendirmeden sonuçlandırdı" in sayfa
    assert "Öneriniz değerlendirilmek üzere kayda alınmıştır." in sayfa


def test_paylasilmayan_ek_muhtara_gorunmez(make_app, web_database):
    k = kurum_ortami_kur(make_app, web_database, MUHTAR_GIRIS_ASGARI_SN=0)
    muhtar = k.client()
    muhtar_girisi(muhtar, web_database)
    numara = basvur(muhtar).headers["Location"].rsplit("/", 1)[1]
    with k.db.session() as s:
        talep_id = s.scalar(select(Talep.id).where(Talep.numara == numara))
    migm, belediye = oturumlu(k, "MIGM"), oturumlu(k, "BELEDIYE-06-CANKAYA")
    gorev_gonder(k, migm, talep_id, "MIGM", yonlendirme_verisi(k, belediyeler=["BELEDIYE-06-CANKAYA"]))
    gorev_gonder(k, belediye, talep_id, "BELEDIYE-06-CANKAYA", {
        "islem_notu": "İç yazışma: ihale bekleniyor.", "ekler": [dosya(ornek_pdf(), "ic.pdf", "application/pdf")]})
    sayfa = metin(muhtar.get(f"/muhtar/talepler/{numara}"))
    assert "Çankaya Belediyesi işlemi tamamladı" in sayfa
    assert "ic.pdf" not in sayfa and "İç yazışma" not in sayfa and "/ekler/" not in sayfa
