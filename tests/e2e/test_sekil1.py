"""Şekil 1, the whole story in a real browser, each role in its own browser context:

the muhtar (a phone-sized screen) logs in with the captcha and the SMS code and files a talep; MİGM routes it
to Ankara Valiliği and Çankaya Belediyesi; the Valilik forwards it to its Sağlık and Milli Eğitim
müdürlükleri; the two müdürlükler, the Belediye and then the Valilik each close their part with a PDF; MİGM
closes the process; the muhtar finds it under Sonuçlanan Taleplerim with its history, the answer and the
files, and the result SMS is in the outbox. A screenshot of every step goes to test-output/e2e/.
"""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from engine.models import Birim, Ek, HumanTask, MesajKutusu, Talep
from tests.canli import son_onay_kodu
from tests.e2e.conftest import dogrulama_cevabi, ornek_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AYSE = {"tc": "10000000146", "ad": "Ayşe Yılmaz", "telefon": "+905321234512"}
ACIKLAMA = ("Akpınar Mahallesi 12. Sokak'taki okulun önündeki yaya geçidinde trafik ışığı yok; "
            "sabahları öğrenciler tehlikede. Ayrıca sağlık ocağının önündeki kaldırım çökmüş durumda.")


def muhtar_giris(baglam, sayfa, ekran, vt, muhtar, hedef="BAŞVURU"):
    """From the home page through the captcha and the SMS code, as a muhtar does."""
    sayfa.goto("/")
    ekran.cek(sayfa, "anasayfa")
    sayfa.get_by_role("link", name=re.compile(hedef)).first.click()
    sayfa.wait_for_url("**/muhtar/giris**")
    sayfa.get_by_label("TC Kimlik Numarası").fill(muhtar["tc"])
    sayfa.get_by_label("Ad ve Soyadı").fill(muhtar["ad"])
    # the image has loaded: the captcha on screen is the one in the session
    sayfa.wait_for_function("() => document.querySelector('img.dogrulama-resmi').complete")
    sayfa.get_by_label("Doğrulama Kodu").fill(dogrulama_cevabi(baglam))
    ekran.cek(sayfa, "muhtar-giris")
    sayfa.get_by_role("button", name="Onay Kodu Gönder").click()
    sayfa.wait_for_url("**/muhtar/giris/onay")
    assert "Bilgiler doğrulanabildiyse" in sayfa.content()
    assert f"05** *** ** {muhtar['telefon'][-2:]}" in sayfa.content()
    sayfa.get_by_label("Onay Kodu").fill(son_onay_kodu(vt, muhtar["telefon"]))
    ekran.cek(sayfa, "onay-kodu")
    sayfa.get_by_role("button", name="Sisteme Giriş").click()


def kurum_giris(baglam, ekran, kullanici_adi: str):
    sayfa = baglam.new_page()
    sayfa.goto("/kurum/giris")
    sayfa.get_by_label("Kullanıcı Adı").fill(kullanici_adi)
    sayfa.get_by_label("Parola").fill("demo1234")
    ekran.cek(sayfa, f"{kullanici_adi}-giris")
    sayfa.get_by_role("button", name="Oturum Aç").click()
    sayfa.wait_for_url("**/kurum/gelen-kutusu")
    return sayfa


def gelen_kutusundan_ac(sayfa, ekran, numara: str, kim: str):
    """Open the talep from the unit's Gelen Kutusu (the number links to the task form)."""
    sayfa.goto("/kurum/gelen-kutusu")
    ekran.cek(sayfa, f"{kim}-gelen-kutusu")
    sayfa.get_by_role("link", name=numara, exact=True).click()
    sayfa.wait_for_url(re.compile(r".*/kurum/talep/\d+.*"))


def islemi_tamamla(sayfa, ekran, kim: str, aciklama: str, dosya_adi: str):
    """The İşlemi tamamla form: the note, one PDF, shown to the muhtar."""
    sayfa.get_by_role("textbox", name="Açıklama").fill(aciklama)
    sayfa.get_by_label("Ekler", exact=True).set_input_files(
        files=[{"name": dosya_adi, "mimeType": "application/pdf", "buffer": ornek_pdf(dosya_adi)}])
    sayfa.get_by_label("Bu açıklamayı ve ekleri muhtar da görebilsin").check()
    ekran.cek(sayfa, f"{kim}-islem-formu")
    sayfa.get_by_role("button", name="İŞLEMİ TAMAMLA").click()
    bildirim(sayfa, "İşlem tamamlandı.")
    ekran.cek(sayfa, f"{kim}-tamamlandi")


def bildirim(sayfa, metin: str):
    """Wait for the flash message after a redirect (the page shows it in a .bildirim paragraph)."""
    sayfa.locator("p.bildirim", has_text=metin).wait_for()


def _acik_gorevler(vt, talep_id) -> list[tuple[str, str]]:
    """The open tasks as (form, unit code): what the process is waiting for."""
    with vt.session() as s:
        satirlar = s.execute(select(HumanTask.form_key, Birim.kod).join(Birim, Birim.id == HumanTask.birim_id)
                             .where(HumanTask.talep_id == talep_id, HumanTask.durum == "acik"))
        return sorted(tuple(r) for r in satirlar)


def test_sekil1_tam_hikaye(baglam_ac, vt, ekran):
    baslangic = time.monotonic()

    # --- the muhtar, on a phone ---------------------------------------------------------------------
    muhtar_baglami = baglam_ac(telefon=True)
    muhtar = muhtar_baglami.new_page()
    muhtar_giris(muhtar_baglami, muhtar, ekran, vt, AYSE)
    muhtar.wait_for_url("**/muhtar/basvuru")
    assert "Akpınar Mah" in muhtar.content()
    # the page fits the phone: nothing wider than the screen
    assert muhtar.evaluate("() => document.documentElement.scrollWidth") <= 390
    muhtar.get_by_label("Şikâyet").check()
    muhtar.get_by_label("Açıklama").fill(ACIKLAMA)
    ekran.cek(muhtar, "basvuru-formu")
    muhtar.get_by_role("button", name="Gönder").click()
    muhtar.wait_for_url("**/muhtar/basvuru/tamam/**")
    numara = muhtar.locator(".talep-numarasi").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{6}", numara), numara
    ekran.cek(muhtar, "basvuru-alindi")
    with vt.session() as s:
        talep_id = s.scalars(select(Talep.id).where(Talep.numara == numara)).one()
    assert _acik_gorevler(vt, talep_id) == [("yonlendir", "MIGM")]

    # --- MİGM routes it to Ankara Valiliği and Çankaya Belediyesi ------------------------------------
    migm_baglami = baglam_ac()
    migm = kurum_giris(migm_baglami, ekran, "migm")
    gelen_kutusundan_ac(migm, ekran, numara, "migm")
    assert ACIKLAMA[:40] in migm.content()
    valilikler = migm.locator("#alan-valilik_yonlendirmeleri")
    valilikler.get_by_label("Ankara Valiliği", exact=True).check()
    valilikler.get_by_label("Ankara Valiliği için not").fill("Okul ve sağlık ocağı konuları için.")
    valilikler.get_by_label("Ankara Valiliği için öncelik").select_option("yuksek")
    belediyeler = migm.locator("#alan-belediye_yonlendirmeleri")
    belediyeler.get_by_label("Çankaya Belediyesi", exact=True).check()
    belediyeler.get_by_label("Çankaya Belediyesi için not").fill("Kaldırım onarımı.")
    ekran.cek(migm, "migm-yonlendir-formu")
    migm.get_by_role("button", name="SEÇİLEN BİRİMLERE YÖNLENDİR").click()
    bildirim(migm, "Talep işlendi.")
    ekran.cek(migm, "migm-yonlendirildi")
    assert _acik_gorevler(vt, talep_id) == [("islem_tamamla", "BELEDIYE-06-CANKAYA"),
                                            ("uzerine_al", "VALILIK-06")]

    # --- the Valilik forwards to Sağlık and Milli Eğitim ----------------------------------------------
    valilik_baglami = baglam_ac()
    valilik = kurum_giris(valilik_baglami, ekran, "valilik.ankara")
    gelen_kutusundan_ac(valilik, ekran, numara, "valilik")
    assert "Okul ve sağlık ocağı konuları için." in valilik.content()
    altlar = valilik.locator("#alan-alt_yonlendirmeler")
    for birim, not_ in (("Ankara İl Sağlık Müdürlüğü", "Sağlık ocağı önündeki kaldırım."),
                        ("Ankara İl Milli Eğitim Müdürlüğü", "Okul önündeki yaya geçidi.")):
        altlar.get_by_label(birim, exact=True).check()
        altlar.get_by_label(f"{birim} için not").fill(not_)
    ekran.cek(valilik, "valilik-alt-birim-formu")
    valilik.get_by_role("button", name="SEÇİLEN ALT BİRİMLERE YÖNLENDİR").click()
    bildirim(valilik, "Kaydedildi.")
    # until both sub-units are done, İŞLEMİ TAMAMLA is there but disabled
    assert valilik.get_by_role("button", name="İŞLEMİ TAMAMLA").is_disabled()
    ekran.cek(valilik, "valilik-yonlendirdi")

    # --- the two müdürlükler and the Belediye close their parts with a PDF ---------------------------
    for kullanici, kim, metin in (
            ("saglik.ankara", "saglik", "Sağlık ocağı önündeki kaldırım İl Sağlık Müdürlüğünce onarıldı."),
            ("milliegitim.ankara", "milliegitim", "Okul servis güzergâhına yaya geçidi görevlisi atandı."),
            ("belediye.cankaya", "belediye", "12. Sokak'a trafik ışığı yerleştirildi, kaldırım yenilendi.")):
        baglam = baglam_ac()
        sayfa = kurum_giris(baglam, ekran, kullanici)
        gelen_kutusundan_ac(sayfa, ekran, numara, kim)
        islemi_tamamla(sayfa, ekran, kim, metin, f"{kim}-rapor.pdf")
        baglam.close()
    assert _acik_gorevler(vt, talep_id) == [("islem_tamamla", "VALILIK-06")]

    # --- the Valilik closes its part -------------------------------------------------------------------
    gelen_kutusundan_ac(valilik, ekran, numara, "valilik-2")
    assert "Sağlık ocağı önündeki kaldırım İl Sağlık Müdürlüğünce onarıldı." in valilik.content()
    islemi_tamamla(valilik, ekran, "valilik", "Alt birimlerimizin çalışmaları tamamlandı; rapor ektedir.",
                   "valilik-rapor.pdf")
    assert _acik_gorevler(vt, talep_id) == [("surec_tamamla", "MIGM")]

    # --- MİGM closes the process -------------------------------------------------------------------------
    gelen_kutusundan_ac(migm, ekran, numara, "migm-2")
    sayfa_metni = migm.content()
    for parca in ("valilik-rapor.pdf", "saglik-rapor.pdf", "milliegitim-rapor.pdf", "belediye-rapor.pdf"):
        assert parca in sayfa_metni, parca
    nihai = "Talebiniz üzerine trafik ışığı yerleştirildi, kaldırım onarıldı ve okul önüne görevli atandı."
    migm.get_by_label("Nihai cevap").fill(nihai)
    migm.get_by_label(re.compile("Sürecin sonlandırılacağını")).check()
    ekran.cek(migm, "migm-surec-tamamla-formu")
    migm.get_by_role("button", name="SÜRECİ TAMAMLA").click()
    bildirim(migm, "Süreç tamamlandı")
    ekran.cek(migm, "migm-surec-tamamlandi")
    assert _acik_gorevler(vt, talep_id) == []

    # --- the muhtar sees it under Sonuçlanan Taleplerim ----------------------------------------------------
    muhtar.get_by_role("link", name="TALEP SORGULAMA").click()
    muhtar.get_by_role("link", name=re.compile("Sonuçlanan Taleplerim")).click()
    muhtar.wait_for_url("**/muhtar/talepler?durum=sonuclanan")
    ekran.cek(muhtar, "sonuclanan-taleplerim")
    muhtar.get_by_role("link", name=f"Talep {numara}").click()
    muhtar.wait_for_url(f"**/muhtar/talepler/{numara}")
    icerik = muhtar.content()
    ekran.cek(muhtar, "talep-sonucu")
    assert nihai in icerik and "Sonuçlandı" in icerik
    hareketler = [h.strip() for h in muhtar.locator("ol.hareketler .ne").all_inner_texts()]
    for beklenen in ("Başvuru yapıldı", "MİGM tarafından yönlendirildi", "Ankara Valiliğine iletildi",
                     "Çankaya Belediyesine iletildi", "Ankara Valiliği talebi alt birimlere yönlendirdi",
                     "Ankara İl Sağlık Müdürlüğü işlemi tamamladı", "Ankara İl Milli Eğitim Müdürlüğü işlemi tamamladı",
                     "Çankaya Belediyesi işlemi tamamladı", "Ankara Valiliği işlemi tamamladı",
                     "MİGM süreci tamamladı"):
        assert beklenen in hareketler, (beklenen, hareketler)
    ekler = muhtar.locator("ul.ekler a")
    assert sorted(ekler.all_inner_texts()) == ["belediye-rapor.pdf", "milliegitim-rapor.pdf", "saglik-rapor.pdf",
                                               "valilik-rapor.pdf"]
    with muhtar.expect_download() as indirme:
        ekler.filter(has_text="saglik-rapor.pdf").click()
    yol = indirme.value.path()
    assert indirme.value.suggested_filename == "saglik-rapor.pdf"
    assert open(yol, "rb").read() == ornek_pdf("saglik-rapor.pdf")

    # --- the result SMS is in the outbox (and the development backend "sent" it) -------------------------
    with vt.session() as s:
        assert s.scalar(select(Talep.durum).where(Talep.id == talep_id)) == "sonuclanan"
        assert len(s.scalars(select(Ek.id).where(Ek.talep_id == talep_id)).all()) == 4
        sms = s.scalars(select(MesajKutusu).where(MesajKutusu.talep_id == talep_id, MesajKutusu.kanal == "sms")
                        .order_by(MesajKutusu.id)).all()
    metinler = [m.metin for m in sms]
    assert any("Talebiniz alınmıştır" in m and numara in m for m in metinler), metinler
    sonuc = [m for m in sms if "sonuçlanmıştır" in m.metin]
    assert len(sonuc) == 1 and numara in sonuc[0].metin and sonuc[0].alici == AYSE["telefon"]
    ekran.cek(muhtar, "son")
    assert len(ekran.dosyalar) >= 25
    assert time.monotonic() - baslangic < 180
