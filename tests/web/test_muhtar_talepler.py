"""Talep sorgulama: the three lists as kurum units act, a talep's page, paging, scoping to the muhtarlık."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from engine.models import Ek, Muhtar, Talep
from engine.runtime import Motor
from tests.engine.test_senaryolar import Surucu
from tests.web.muhtar_ortak import (AYSE_TC, basvur, giris_yap, istemci, kayit, muhtar_ekle, uygulama)  # noqa: F401
from webapp.muhtar.talepler import islem_etiketi, yonelme


@pytest.fixture
def girisli(istemci, web_database):
    giris_yap(istemci, web_database)
    return istemci


def _numara(yanit) -> str:
    return yanit.headers["Location"].rsplit("/", 1)[1]


def _sayilar(html: str) -> dict:
    return {ad: int(sayi) for ad, sayi in re.findall(r"(\w+) Taleplerim <span class=\"sayi\">\((\d+)\)", html)}


def _surucu(database, kayit, numara) -> Surucu:
    s = Surucu(database, Motor(), kayit)
    with database.session() as ses:
        s.talep_id = ses.scalars(select(Talep.id).where(Talep.numara == numara)).one()
    return s


def test_bos_listeler(girisli):
    html = girisli.get("/muhtar/talepler").get_data(as_text=True)
    assert _sayilar(html) == {"Bekleyen": 0, "Yönlendirilen": 0, "Sonuçlanan": 0}
    assert "Bu listede talep yok." in html
    assert 'aria-current="page">\n      Bekleyen Taleplerim' in html


def test_talepler_listeler_arasinda_ilerler(girisli, web_database, kayit):
    """Filed: Bekleyen. MİGM routes it: Yönlendirilen. The unit finishes, MİGM closes it: Sonuçlanan."""
    numaralar = [_numara(basvur(girisli, tur=tur, aciklama=f"{tur} açıklaması, yeterince uzun."))
                 for tur in ("sikayet", "istek", "ihbar", "gorus_oneri")]
    html = girisli.get("/muhtar/talepler?durum=bekleyen").get_data(as_text=True)
    assert _sayilar(html) == {"Bekleyen": 4, "Yönlendirilen": 0, "Sonuçlanan": 0}
    # Newest first.
    assert [m for m in re.findall(r"Talep (\d{4}-\d{6})</a>", html)] == numaralar[::-1]

    s = _surucu(web_database, kayit, numaralar[0])
    s.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    html = girisli.get("/muhtar/talepler?durum=yonlendirilen").get_data(as_text=True)
    assert _sayilar(html) == {"Bekleyen": 3, "Yönlendirilen": 1, "Sonuçlanan": 0}
    assert numaralar[0] in html and numaralar[1] not in html
    sayfa = girisli.get(f"/muhtar/talepler/{numaralar[0]}").get_data(as_text=True)
    assert "MİGM tarafından yönlendirildi" in sayfa and "Çankaya Belediyesine iletildi" in sayfa
    # The routing note is for the unit, not the muhtar.
    assert "BELEDIYE-06-CANKAYA notu" not in sayfa

    s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA", notu="Lambalar değiştirildi.")
    s.sureci_tamamla("Sokak lambaları yenilendi.")
    html = girisli.get("/muhtar/talepler?durum=sonuclanan").get_data(as_text=True)
    assert _sayilar(html) == {"Bekleyen": 3, "Yönlendirilen": 0, "Sonuçlanan": 1}
    sayfa = girisli.get(f"/muhtar/talepler/{numaralar[0]}").get_data(as_text=True)
    for metin in ("Başvuru yapıldı", "Talep kaydedildi", "Çankaya Belediyesi işlemi tamamladı",
                  "Lambalar değiştirildi.", "MİGM süreci tamamladı", "Talep sonuçlandı", "Sonuçlandı",
                  "Sokak lambaları yenilendi.", "Şikâyet", "sikayet açıklaması, yeterince uzun."):
        assert metin in sayfa, metin
    hareketler = re.findall(r'<span class="ne">([^<]+)</span>', sayfa)
    assert hareketler == ["Başvuru yapıldı", "Talep kaydedildi", "MİGM tarafından yönlendirildi",
                          "Çankaya Belediyesine iletildi", "Çankaya Belediyesi işlemi tamamladı",
                          "MİGM süreci tamamladı", "Talep sonuçlandı"]


def test_muhtara_kapali_not_gosterilmez(girisli, web_database, kayit):
    numara = _numara(basvur(girisli))
    s = _surucu(web_database, kayit, numara)
    s.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA", notu="İç yazışma: ihale bekleniyor.",
                    muhtara_acik=False)
    sayfa = girisli.get(f"/muhtar/talepler/{numara}").get_data(as_text=True)
    assert "Çankaya Belediyesi işlemi tamamladı" in sayfa and "İç yazışma" not in sayfa


def test_yonlendirmeden_kapatilan(girisli, web_database, kayit):
    numara = _numara(basvur(girisli))
    _surucu(web_database, kayit, numara).tamamla("Task_Yonlendir", "MIGM", {
        "karar": "kapat", "valilik_yonlendirmeleri": [], "belediye_yonlendirmeleri": [],
        "nihai_cevap": "Talebiniz muhtarlığın kendi yetkisindedir."})
    html = girisli.get("/muhtar/talepler?durum=sonuclanan").get_data(as_text=True)
    assert numara in html
    sayfa = girisli.get(f"/muhtar/talepler/{numara}").get_data(as_text=True)
    assert "MİGM talebi yönlendirmeden sonuçlandırdı" in sayfa and "Talebiniz muhtarlığın kendi yetkisindedir." in sayfa


def test_talep_id_ile_de_acilir_bozuk_anahtar_404(girisli, web_database):
    numara = _numara(basvur(girisli))
    with web_database.session() as s:
        talep_id = s.scalars(select(Talep.id)).one()
    assert numara in girisli.get(f"/muhtar/talepler/{talep_id}").get_data(as_text=True)
    for anahtar in ("2026-999999", "abc", "9" * 30, "0"):
        assert girisli.get(f"/muhtar/talepler/{anahtar}").status_code == 404


def test_baska_muhtarligin_talebi_404(uygulama, web_database):
    ayse = uygulama.test_client()
    giris_yap(ayse, web_database)
    numara = _numara(basvur(ayse))
    with web_database.session() as s:
        talep_id = s.scalars(select(Talep.id)).one()
    tc = "10000000078"
    muhtar_ekle(web_database, tc=tc, ad="Ali Çelik", telefon="+905054567845", yeni_muhtarlik="Balgat Mah")
    ali = uygulama.test_client()
    giris_yap(ali, web_database, tc=tc, ad="Ali Çelik", telefon="+905054567845")
    for yol in (f"/muhtar/talepler/{numara}", f"/muhtar/talepler/{talep_id}", f"/muhtar/basvuru/tamam/{numara}"):
        yanit = ali.get(yol)
        assert yanit.status_code == 404 and "Sayfa bulunamadı" in yanit.get_data(as_text=True)
    html = ali.get("/muhtar/talepler").get_data(as_text=True)
    assert numara not in html and _sayilar(html)["Bekleyen"] == 0


def test_yeni_muhtar_oncekinin_taleplerini_gorur(uygulama, web_database, kayit):
    ayse = uygulama.test_client()
    giris_yap(ayse, web_database)
    numara = _numara(basvur(ayse))
    # The election: Ayşe's term ends today, Mehmet's begins.
    with web_database.unit_of_work() as s:
        s.execute(update(Muhtar).where(Muhtar.tc_kimlik_no == AYSE_TC).values(gorev_bitis=date.today()))
    tc = "10000000078"
    muhtar_ekle(web_database, muhtarlik_id=1, tc=tc, ad="Mehmet Demir", telefon="+905332345623",
                baslangic=date.today())
    assert ayse.get("/muhtar/talepler").status_code == 302  # Ayşe's session ends with her term
    mehmet = uygulama.test_client()
    giris_yap(mehmet, web_database, tc=tc, ad="Mehmet Demir", telefon="+905332345623")
    html = mehmet.get("/muhtar/talepler").get_data(as_text=True)
    assert numara in html
    assert "Mahallemizin ana caddesindeki" in mehmet.get(f"/muhtar/talepler/{numara}").get_data(as_text=True)


def test_sayfalama(girisli, web_database, kayit):
    """45 talepler: 20 a page, newest first; out-of-range and bad page numbers are clamped."""
    simdi = datetime.now(timezone.utc)
    with web_database.unit_of_work() as s:
        for i in range(45):
            s.add(Talep(numara=f"2025-{i + 1:06d}", muhtarlik_id=1, muhtar_id=kayit.muhtar_id, tur="istek",
                        aciklama=f"Talep {i + 1}", olusturma=simdi - timedelta(hours=45 - i)))
    html = girisli.get("/muhtar/talepler").get_data(as_text=True)
    numaralar = re.findall(r"Talep (\d{4}-\d{6})</a>", html)
    assert numaralar == [f"2025-{i:06d}" for i in range(45, 25, -1)]
    assert "Sayfa 1 / 3" in html and "Sonraki sayfa" in html and "Önceki sayfa" not in html
    html = girisli.get("/muhtar/talepler?durum=bekleyen&sayfa=3").get_data(as_text=True)
    assert re.findall(r"Talep (\d{4}-\d{6})</a>", html) == [f"2025-{i:06d}" for i in range(5, 0, -1)]
    assert "Sayfa 3 / 3" in html and "Önceki sayfa" in html and "Sonraki sayfa" not in html
    assert "Sayfa 3 / 3" in girisli.get("/muhtar/talepler?sayfa=99").get_data(as_text=True)
    assert "Sayfa 1 / 3" in girisli.get("/muhtar/talepler?sayfa=abc&durum=xyz").get_data(as_text=True)


def test_paylasilan_ek_indirilir_paylasilmayan_404(girisli, web_database, kayit, uygulama):
    pytest.importorskip("webapp.ekler")
    from webapp.ekler import get_depo
    numara = _numara(basvur(girisli))
    with uygulama.app_context():
        sha_acik = get_depo().yaz(b"%PDF-1.4 paylasilan")
        sha_kapali = get_depo().yaz(b"%PDF-1.4 ic yazisma")
    with web_database.unit_of_work() as s:
        talep_id = s.scalars(select(Talep.id)).one()
        acik = Ek(talep_id=talep_id, birim_id=kayit.birim["BELEDIYE-06-CANKAYA"], dosya_adi="cevap.pdf",
                  icerik_turu="application/pdf", boyut=19, sha256=sha_acik, muhtar_gorur=True)
        kapali = Ek(talep_id=talep_id, dosya_adi="ic.pdf", icerik_turu="application/pdf", boyut=19,
                    sha256=sha_kapali, muhtar_gorur=False)
        s.add_all([acik, kapali])
        s.flush()
        acik_id, kapali_id = acik.id, kapali.id
    sayfa = girisli.get(f"/muhtar/talepler/{numara}").get_data(as_text=True)
    assert "cevap.pdf" in sayfa and "Çankaya Belediyesi" in sayfa and "ic.pdf" not in sayfa
    yanit = girisli.get(f"/muhtar/talepler/{numara}/ekler/{acik_id}")
    assert yanit.status_code == 200 and yanit.data == b"%PDF-1.4 paylasilan"
    assert "attachment" in yanit.headers["Content-Disposition"]
    assert girisli.get(f"/muhtar/talepler/{numara}/ekler/{kapali_id}").status_code == 404
    # Another muhtarlık's muhtar cannot fetch it either.
    tc = "10000000078"
    muhtar_ekle(web_database, tc=tc, ad="Ali Çelik", telefon="+905054567845", yeni_muhtarlik="Balgat Mah")
    ali = uygulama.test_client()
    giris_yap(ali, web_database, tc=tc, ad="Ali Çelik", telefon="+905054567845")
    assert ali.get(f"/muhtar/talepler/{numara}/ekler/{acik_id}").status_code == 404


@pytest.mark.parametrize("ad, beklenen", [
    ("Çankaya Belediyesi", "Çankaya Belediyesine"),
    ("Ankara Valiliği", "Ankara Valiliğine"),
    ("Ankara İl Jandarma Komutanlığı", "Ankara İl Jandarma Komutanlığına"),
    ("Mahalli İdareler Genel Müdürlüğü", "Mahalli İdareler Genel Müdürlüğüne"),
    ("Ankara İl Özel İdaresi", "Ankara İl Özel İdaresine"),
    ("Polatlı Kaymakamlığı", "Polatlı Kaymakamlığına"),
    ("Deneme Merkez", "Deneme Merkez birimine"),
])
def test_yonelme_hali(ad, beklenen):
    assert yonelme(ad) == beklenen


def test_islem_etiketleri():
    assert islem_etiketi("birime_iletildi", "Ankara Valiliği") == "Ankara Valiliğine iletildi"
    assert islem_etiketi("uzerine_alindi", "Ankara Valiliği") == "Ankara Valiliği talebi üzerine aldı"
    assert islem_etiketi("alt_birime_yonlendirildi", "Ankara Valiliği") == \
        "Ankara Valiliği talebi alt birimlere yönlendirdi"
    assert islem_etiketi("bilinmeyen_kod", None) == "Talep üzerinde işlem yapıldı"
