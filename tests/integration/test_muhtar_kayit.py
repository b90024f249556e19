"""The muhtar registry in the engine (issue 9), on SQLite and PostgreSQL (MBS_TEST_DATABASE_URL): who keeps
which il, terms and their hand-over, contact changes with the change log, search, and the CSV import: every
error kind with its line number, nothing written while the file has an error, and the whole country
(73,305 rows generated from data/turkiye/mahalleler.csv) in under a minute."""
from __future__ import annotations

import csv
import io
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine.errors import GecersizVeri
from engine.kayit import mahalleleri_oku, seed_registry
from engine.kimlik import tc_kimlik_uret
from engine.models import (Birim, Il, Ilce, Kullanici, Muhtar, MuhtarDegisiklik, MuhtarIceAktarim, Muhtarlik,
                           OnayKodu)
from engine.muhtar_arama import Arama, muhtar_ara
from engine.muhtar_ice_aktarim import denetle, hata_raporu, ice_aktar, tarih_coz
from engine.muhtar_kayit import (KOMUT_SATIRI, FormHatasi, Kapsam, KayitBulunamadi, donem_bitir, eposta_maskele,
                                 iletisim_guncelle, kapsam_bul, yeni_donem)

SIMDI = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
BUGUN = date(2026, 11, 28)
AYSE_TC = "10000000146"
BASLIK = "il;ilçe;mahalle;TC Kimlik No;ad soyad;telefon;görev başlangıcı"
ANKARA = Kapsam(kullanici_id=None, il_kod="06")


def tc(n: int) -> str:
    return tc_kimlik_uret(str(400000000 + n))


@pytest.fixture
def kucuk(session):
    """Ankara (Çankaya: Akpınar with Ayşe in office, Bahçelievler, Ayrancı, Balgat) and İzmir (Konak: Alsancak
    with a muhtar); units and users of MİGM, both Valilikler and a Belediye. Returns {name: id}."""
    session.add_all([Il(kod="06", ad="Ankara", buyuksehir=True), Il(kod="35", ad="İzmir", buyuksehir=True)])
    cankaya, konak = Ilce(il_kod="06", ad="Çankaya"), Ilce(il_kod="35", ad="Konak")
    session.add_all([cankaya, konak])
    session.flush()
    ids = {}
    for ilce, ad in ((cankaya, "Akpınar Mah"), (cankaya, "Bahçelievler Mah"), (cankaya, "Ayrancı Mah"),
                     (cankaya, "Balgat Mah"), (konak, "Alsancak Mah")):
        m = Muhtarlik(ilce_id=ilce.id, ad=ad)
        session.add(m)
        session.flush()
        ids[ad] = m.id
    ayse = Muhtar(muhtarlik_id=ids["Akpınar Mah"], tc_kimlik_no=AYSE_TC, ad_soyad="Ayşe Yılmaz",
                  telefon="+905321234512", eposta="ayse.yilmaz@example.com", gorev_baslangic=date(2024, 4, 1))
    hasan = Muhtar(muhtarlik_id=ids["Alsancak Mah"], tc_kimlik_no=tc(900), ad_soyad="Hasan Öztürk",
                   telefon="+905365678956", gorev_baslangic=date(2024, 4, 1))
    session.add_all([ayse, hasan])
    for kod, rol, il in (("MIGM", "MIGM", None), ("VALILIK-06", "VALILIK", "06"), ("VALILIK-35", "VALILIK", "35"),
                         ("BELEDIYE-06-CANKAYA", "BELEDIYE", "06")):
        b = Birim(kod=kod, ad=kod, tur=rol, rol=rol, il_kod=il)
        session.add(b)
        session.flush()
        ids[kod] = b.id
    session.flush()
    ids.update(ayse=ayse.id, hasan=hasan.id)
    session.commit()
    return ids


def _kullanici(session, birim_id, yetkiler="", aktif=True) -> Kullanici:
    k = Kullanici(kullanici_adi=f"k{birim_id}-{yetkiler or 'yok'}-{aktif}", ad_soyad="Görevli", parola_hash="x",
                  birim_id=birim_id, yetkiler=yetkiler, aktif=aktif)
    session.add(k)
    session.flush()
    return k


# --- scope --------------------------------------------------------------------------------------------------

def test_kapsam_kurallari(session, kucuk):
    def kapsam(kod, yetkiler="", aktif=True):
        return kapsam_bul(session, _kullanici(session, kucuk[kod], yetkiler, aktif))
    assert kapsam("MIGM", "kayit").il_kod is None
    assert kapsam("MIGM", "yonetici").il_kod is None
    assert kapsam("MIGM", "analist") is None
    assert kapsam("VALILIK-06", "kayit").il_kod == "06"
    assert kapsam("VALILIK-06") is None
    assert kapsam("VALILIK-06", "kayit", aktif=False) is None
    assert kapsam("BELEDIYE-06-CANKAYA", "kayit") is None
    assert kapsam_bul(session, None) is None


def test_baska_ilin_kaydi_bulunamaz(session, kucuk):
    with pytest.raises(KayitBulunamadi):
        iletisim_guncelle(session, ANKARA, kucuk["hasan"], telefon="05321112233", eposta="", simdi=SIMDI, gun=BUGUN)
    with pytest.raises(KayitBulunamadi):
        yeni_donem(session, ANKARA, kucuk["Alsancak Mah"], tc=tc(1), ad_soyad="Ali Veli", telefon="05321112233",
                   eposta="", baslangic=BUGUN, simdi=SIMDI)
    with pytest.raises(KayitBulunamadi):
        donem_bitir(session, ANKARA, kucuk["hasan"], bitis=BUGUN, neden="istifa", aciklama="", simdi=SIMDI, gun=BUGUN)
    assert [s.muhtar.id for s in muhtar_ara(session, ANKARA, Arama(durum="tum"), 1, BUGUN).satirlar] == [kucuk["ayse"]]


# --- terms --------------------------------------------------------------------------------------------------

def test_yeni_donem_oncekini_bitirir_ve_gunluge_yazar(session, kucuk):
    yeni = yeni_donem(session, ANKARA, kucuk["Akpınar Mah"], tc=tc(1), ad_soyad="  Mehmet   Demir ",
                      telefon="0 (533) 234-56-23", eposta="", baslangic=date(2026, 12, 1), simdi=SIMDI)
    session.commit()
    ayse = session.get(Muhtar, kucuk["ayse"])
    assert ayse.gorev_bitis == date(2026, 12, 1)
    assert (yeni.ad_soyad, yeni.telefon, yeni.eposta, yeni.gorev_bitis) == ("Mehmet Demir", "+905332345623", None, None)
    gunluk = {(d.muhtar_id, d.alan, d.eski, d.yeni) for d in session.scalars(select(MuhtarDegisiklik))}
    assert gunluk == {(ayse.id, "gorev_bitis", None, "01.12.2026"), (yeni.id, "gorev_baslangic", None, "01.12.2026")}
    acik = session.scalar(select(func.count()).select_from(Muhtar).where(
        Muhtar.muhtarlik_id == kucuk["Akpınar Mah"], Muhtar.gorev_bitis.is_(None)))
    assert acik == 1


def test_yeni_donem_reddedilir(session, kucuk):
    with pytest.raises(FormHatasi) as hata:
        yeni_donem(session, ANKARA, kucuk["Bahçelievler Mah"], tc="12345678901", ad_soyad="", telefon="0312 123 45 67",
                   eposta="yok", baslangic=None, simdi=SIMDI)
    assert set(hata.value.alanlar) == {"tc", "ad_soyad", "telefon", "eposta", "baslangic"}
    # Not before (or on) the current term's start: two terms would overlap.
    with pytest.raises(GecersizVeri, match="sonra başlamalıdır"):
        yeni_donem(session, ANKARA, kucuk["Akpınar Mah"], tc=tc(1), ad_soyad="Ali Veli", telefon="05321112233",
                   eposta="", baslangic=date(2024, 4, 1), simdi=SIMDI)
    # A person holds one term at a time; another il's mahalle is not named.
    with pytest.raises(GecersizVeri, match="başka bir mahallede"):
        yeni_donem(session, ANKARA, kucuk["Bahçelievler Mah"], tc=AYSE_TC, ad_soyad="Ayşe Yılmaz",
                   telefon="05321112233", eposta="", baslangic=BUGUN, simdi=SIMDI)
    with pytest.raises(GecersizVeri, match="başka bir ilde"):
        yeni_donem(session, ANKARA, kucuk["Bahçelievler Mah"], tc=tc(900), ad_soyad="Hasan Öztürk",
                   telefon="05321112233", eposta="", baslangic=BUGUN, simdi=SIMDI)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Muhtar)) == 2


def test_donem_erken_biter_mahalle_muhtarsiz_kalir(session, kucuk):
    with pytest.raises(FormHatasi) as hata:
        donem_bitir(session, ANKARA, kucuk["ayse"], bitis=date(2020, 1, 1), neden="bilinmez", aciklama="",
                    simdi=SIMDI, gun=BUGUN)
    assert set(hata.value.alanlar) == {"bitis", "neden"}
    session.add(OnayKodu(istek_hash="h", tc_anahtari="t", muhtar_id=kucuk["ayse"], kod_hash="k", olusturma=SIMDI,
                         gecerlilik=SIMDI + timedelta(minutes=3), deneme_sayisi=0, kullanildi=False))
    donem_bitir(session, ANKARA, kucuk["ayse"], bitis=BUGUN, neden="vefat", aciklama="  ", simdi=SIMDI, gun=BUGUN)
    session.commit()
    assert session.get(Muhtar, kucuk["ayse"]).gorev_bitis == BUGUN
    assert session.scalars(select(OnayKodu.gecerlilik)).one() == SIMDI  # the code already sent stops working
    d = session.scalars(select(MuhtarDegisiklik)).one()
    assert (d.alan, d.yeni, d.aciklama) == ("gorev_bitis", "28.11.2026", "Vefat")
    muhtarsiz = muhtar_ara(session, ANKARA, Arama(durum="muhtarsiz"), 1, BUGUN)
    assert "Akpınar Mah" in {s.mahalle for s in muhtarsiz.satirlar} and muhtarsiz.toplam == 4
    with pytest.raises(GecersizVeri, match="zaten sona eriyor"):
        donem_bitir(session, ANKARA, kucuk["ayse"], bitis=BUGUN, neden="istifa", aciklama="", simdi=SIMDI, gun=BUGUN)
    with pytest.raises(GecersizVeri, match="sona ermiş"):
        iletisim_guncelle(session, ANKARA, kucuk["ayse"], telefon="05329998877", eposta="", simdi=SIMDI,
                          gun=BUGUN + timedelta(days=1))


def test_ayni_anda_iki_yeni_donem_tek_acik_donem(database, session, kucuk):
    """Two users enter a new muhtar for the same mahalle at the same moment (and a bulk import runs): the
    muhtarlık lock serialises them, the later one finds the other's term and is refused. 20 rounds."""
    import threading

    from engine.muhtar_ice_aktarim import ice_aktar as toplu
    session.close()
    for tur in range(20):
        gun = date(2030, 1, 1) + timedelta(days=tur)
        engel, sonuclar = threading.Barrier(3), []

        def tek(n):
            try:
                engel.wait()
                with database.unit_of_work() as s:
                    yeni_donem(s, ANKARA, kucuk["Akpınar Mah"], tc=tc(1000 + 10 * tur + n), ad_soyad=f"Aday {n}",
                               telefon="05321112233", eposta="", baslangic=gun, simdi=SIMDI)
                sonuclar.append("yazildi")
            except GecersizVeri as hata:
                sonuclar.append(hata.mesaj)

        def toplu_is():
            engel.wait()
            with database.unit_of_work() as s:
                veri = _dosya(f"06;Çankaya;Akpınar Mah;{tc(1009 + 10 * tur)};Aday 9;05321112233;{gun:%d.%m.%Y}")
                sonuclar.append(toplu(s, veri, kapsam=ANKARA, dosya_adi="x.csv", yalniz_hatasiz=False,
                                      simdi=SIMDI).kayit.durum)

        isler = [threading.Thread(target=tek, args=(n,)) for n in (1, 2)] + [threading.Thread(target=toplu_is)]
        for t in isler:
            t.start()
        for t in isler:
            t.join(60)
        assert sorted(sonuclar).count("yazildi") == 1, sonuclar
        with database.session() as s:
            suren = s.scalars(select(Muhtar).where(Muhtar.muhtarlik_id == kucuk["Akpınar Mah"],
                                                   Muhtar.gorev_bitis.is_(None))).all()
            assert len(suren) == 1 and suren[0].gorev_baslangic == gun


# --- contact ------------------------------------------------------------------------------------------------

def test_telefon_degisikligi_maskeli_gunlukte(session, kucuk):
    session.add(OnayKodu(istek_hash="h", tc_anahtari="t", muhtar_id=kucuk["ayse"], kod_hash="k", olusturma=SIMDI,
                         gecerlilik=SIMDI + timedelta(minutes=3), deneme_sayisi=0, kullanildi=False))
    kapsam = Kapsam(kullanici_id=None, il_kod="06")
    with pytest.raises(FormHatasi) as hata:
        iletisim_guncelle(session, kapsam, kucuk["ayse"], telefon="0312 123 45 67", eposta="x", simdi=SIMDI, gun=BUGUN)
    assert set(hata.value.alanlar) == {"telefon", "eposta"}
    assert iletisim_guncelle(session, kapsam, kucuk["ayse"], telefon="", eposta="ayse.yilmaz@example.com",
                             simdi=SIMDI, gun=BUGUN) == []
    degisen = iletisim_guncelle(session, kapsam, kucuk["ayse"], telefon="+90 (544) 999 88 77", eposta="",
                                simdi=SIMDI, gun=BUGUN)
    session.commit()
    assert degisen == ["telefon", "eposta"]
    ayse = session.get(Muhtar, kucuk["ayse"])
    assert (ayse.telefon, ayse.eposta) == ("+905449998877", None)
    gunluk = {(d.alan, d.eski, d.yeni) for d in session.scalars(select(MuhtarDegisiklik))}
    assert gunluk == {("telefon", "05** *** ** 12", "05** *** ** 77"), ("eposta", "a***@example.com", None)}
    assert session.scalars(select(OnayKodu.gecerlilik)).one() == SIMDI
    assert eposta_maskele("ayse.yilmaz@example.com") == "a***@example.com"


# --- search -------------------------------------------------------------------------------------------------

def test_arama(session, kucuk):
    yeni_donem(session, ANKARA, kucuk["Bahçelievler Mah"], tc=tc(2), ad_soyad="Şükrü Çığ", telefon="05321112233",
               eposta="", baslangic=date(2024, 4, 1), simdi=SIMDI)
    donem_bitir(session, ANKARA, kucuk["ayse"], bitis=date(2025, 1, 1), neden="istifa", aciklama="", simdi=SIMDI,
                gun=BUGUN)
    session.commit()

    def adlar(kapsam=KOMUT_SATIRI, **arama):
        return [s.muhtar.ad_soyad if s.muhtar else s.mahalle
                for s in muhtar_ara(session, kapsam, Arama(**arama), 1, BUGUN).satirlar]
    assert adlar() == ["Şükrü Çığ", "Hasan Öztürk"]
    assert adlar(durum="tum") == ["Ayşe Yılmaz", "Şükrü Çığ", "Hasan Öztürk"]
    assert adlar(durum="tum", ad="AYSE") == ["Ayşe Yılmaz"]
    assert adlar(ad="sukru cig") == ["Şükrü Çığ"]
    assert adlar(durum="tum", mahalle="akpinar") == ["Ayşe Yılmaz"]
    assert adlar(durum="tum", tc=AYSE_TC) == ["Ayşe Yılmaz"] and adlar(durum="tum", tc="1000") == ["Ayşe Yılmaz"]
    assert adlar(il_kod="35") == ["Hasan Öztürk"]
    assert adlar(durum="muhtarsiz") == ["Akpınar Mah", "Ayrancı Mah", "Balgat Mah"]
    assert adlar(ANKARA, il_kod="35") == ["Şükrü Çığ"]  # a Valilik's il wins over the form's
    sayfa = muhtar_ara(session, KOMUT_SATIRI, Arama(durum="muhtarsiz"), 9, BUGUN, boy=2)
    assert (sayfa.toplam, sayfa.sayfa, sayfa.sayfa_sayisi, len(sayfa.satirlar)) == (3, 2, 2, 1)


# --- the CSV import: errors by line number -------------------------------------------------------------------

def _dosya(*satirlar: str, baslik: str = BASLIK, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join((baslik, *satirlar)) + "\n").encode("utf-8")


def test_her_hata_turu_satir_numarasiyla(session, kucuk):
    """One row per error kind; the line numbers are those a text editor shows (header = 1). A quoted value
    may span two lines, so the rows after it keep their physical line numbers."""
    ilce_id = session.get(Muhtarlik, kucuk["Ayrancı Mah"]).ilce_id
    session.add_all([Muhtarlik(ilce_id=ilce_id, ad=f"Deneme {i} Mah") for i in range(1, 8)])
    session.commit()
    # Each row with a known mahalle names another one: two rows for one mahalle are an error of their own.
    veri = _dosya(
        f'06;Çankaya;Balgat Mah;{tc(10)};"Ali\nVeli";05321110010;01.04.2029',                  # 2-3 fine
        f"06;Çankaya;Ayrancı Mah;{tc(11)};Ali Veli;05321110011",                                # 4 sutun
        f"99;Çankaya;Ayrancı Mah;{tc(12)};Ali Veli;05321110012;01.04.2029",                     # 5 il
        f"35;Konak;Alsancak Mah;{tc(13)};Ali Veli;05321110013;01.04.2029",                      # 6 kapsam
        f"06;Kadıköy;Ayrancı Mah;{tc(14)};Ali Veli;05321110014;01.04.2029",                     # 7 ilce
        f"06;Çankaya;Yok Mah;{tc(15)};Ali Veli;05321110015;01.04.2029",                         # 8 mahalle
        "06;Çankaya;Deneme 1 Mah;12345678901;Ali Veli;05321110016;01.04.2029",                  # 9 tc
        f"06;Çankaya;Deneme 2 Mah;{tc(17)};  ;05321110017;01.04.2029",                          # 10 ad
        f"06;Çankaya;Deneme 3 Mah;{tc(18)};Ali Veli;0312 111 00 18;01.04.2029",                 # 11 telefon
        f"06;Çankaya;Deneme 4 Mah;{tc(19)};Ali Veli;05321110019;31.02.2029",                    # 12 tarih
        f"06;Çankaya;Bahçelievler Mah;{tc(20)};Ali Veli;05321110020;01.04.2029",                # 13 mahalle_tekrar
        f"06;Çankaya;Bahçelievler Mah;{tc(21)};Ali Veli;05321110021;2029-04-01",                # 14 mahalle_tekrar
        f"06;Çankaya;Deneme 5 Mah;{tc(10)};Ali Veli;05321110022;01.04.2029",                    # 15 tc_tekrar
        f"06;Çankaya;Akpınar Mah;{tc(23)};Ali Veli;05321110023;01.04.2020",                     # 16 donem
        f"06;Çankaya;Deneme 6 Mah;{tc(900)};Hasan Öztürk;05321110024;01.04.2029",               # 17 tc_gorevde
    )
    baslik = BASLIK + ";e-posta"
    veri_eposta = _dosya(f"06;Çankaya;Deneme 7 Mah;{tc(30)};Ali Veli;05321110030;01.04.2029;ali@", baslik=baslik)

    sonuc = ice_aktar(session, veri, kapsam=ANKARA, dosya_adi="secim.csv", yalniz_hatasiz=False, simdi=SIMDI)
    bulunan = {(h.satir, h.tur) for h in sonuc.denetim.hatalar}
    assert bulunan == {(4, "sutun"), (5, "il"), (6, "kapsam"), (7, "ilce"), (8, "mahalle"), (9, "tc"), (10, "ad"),
                       (11, "telefon"), (12, "tarih"), (13, "mahalle_tekrar"), (14, "mahalle_tekrar"),
                       (2, "tc_tekrar"), (15, "tc_tekrar"), (16, "donem"), (17, "tc_gorevde")}
    assert {(h.satir, h.tur) for h in denetle(session, veri_eposta, ANKARA).hatalar} == {(2, "eposta")}
    kayit = sonuc.kayit
    assert (kayit.durum, kayit.satir_sayisi, kayit.yazilan, kayit.hatali) == ("yazilmadi", 15, 0, 15)
    assert session.scalar(select(func.count()).select_from(Muhtar)) == 2  # nothing written
    rapor = list(csv.reader(io.StringIO(kayit.hata_raporu), delimiter=";"))
    assert rapor[0] == ["Satır", "Hata türü", "Hata", "İl", "İlçe", "Mahalle", "TC Kimlik No", "Ad Soyad"]
    assert [r[0] for r in rapor[1:]] == sorted((r[0] for r in rapor[1:]), key=int)
    assert ["11", "Geçersiz telefon"] == rapor[1:][[r[0] for r in rapor[1:]].index("11")][:2]
    assert not any(tc(18) in satir for satir in kayit.hata_raporu.splitlines())  # TC masked in the report
    mesajlar = {h.satir: h.mesaj for h in sonuc.denetim.hatalar}
    assert "satırlar 13, 14" in mesajlar[13] and "01.04.2024" in mesajlar[16] and "başka bir ilde" in mesajlar[17]


def test_dosya_hatalari(session, kucuk):
    def hata(veri):
        sonuc = ice_aktar(session, veri, kapsam=ANKARA, dosya_adi="x.csv", yalniz_hatasiz=True, simdi=SIMDI)
        assert sonuc.kayit.durum == "yazilmadi" and sonuc.kayit.yazilan == 0
        [h] = sonuc.denetim.hatalar
        return h.satir, h.tur, h.mesaj
    satir, tur, mesaj = hata(b"PK\x03\x04 an xlsx file")
    assert (satir, tur) == (1, "dosya") and "Yalnızca CSV" in mesaj
    assert "UTF-8" in hata(BASLIK.encode("cp1254") + "\n06;Çankaya;Ayrancı Mah".encode("cp1254"))[2]
    assert hata(b"")[2] == "Dosya boş."
    satir, tur, mesaj = hata("il;mahalle;ad soyad\n06;Ayrancı Mah;Ali".encode())
    assert (satir, tur) == (1, "dosya") and "ilçe, TC Kimlik No, telefon, görev başlangıcı" in mesaj


def test_bicimler_ve_yalniz_hatasiz(session, kucuk):
    """BOM, comma separator, columns in another order, il by name, "MAHALLESİ", both date forms, quotes."""
    veri = _dosya(
        f'ankara,ÇANKAYA,AYRANCI MAHALLESİ,{tc(40)},"Öztürk, Ali",+90 532 111 00 40,1.4.2029,ali@example.com',
        f"6,Çankaya,Balgat Mah,{tc(41)},Veli Can,5321110041,2029-04-01,",
        f"06,Çankaya,Bahçelievler Mah,{tc(42)},Can Veli,05321110042,2029-13-01,",
        baslik="İl,İlçe,Mahalle,T.C. Kimlik No,Adı Soyadı,Cep Telefonu,Görev Başlangıç Tarihi,E-posta", bom=True)
    sonuc = ice_aktar(session, veri, kapsam=ANKARA, dosya_adi="x.csv", yalniz_hatasiz=True, simdi=SIMDI)
    assert [(h.satir, h.tur) for h in sonuc.denetim.hatalar] == [(4, "tarih")]
    assert (sonuc.kayit.durum, sonuc.kayit.yazilan) == ("kismi", 2)
    yeni = {m.ad_soyad: m for m in session.scalars(select(Muhtar).where(Muhtar.gorev_baslangic == date(2029, 4, 1)))}
    assert yeni["Öztürk, Ali"].telefon == "+905321110040" and yeni["Öztürk, Ali"].eposta == "ali@example.com"
    assert yeni["Veli Can"].muhtarlik_id == kucuk["Balgat Mah"] and yeni["Veli Can"].eposta is None
    assert tarih_coz("01.04.2024") == tarih_coz("2024-04-01") == tarih_coz("1/4/2024") == date(2024, 4, 1)
    assert tarih_coz("2024-02-30") is None and tarih_coz("01.04.24") is None


def test_ice_aktarim_devri_ve_tekrari(session, kucuk):
    """A clean file hands Akpınar over (Ayşe's term ends on the new start) and fills two empty mahalleler;
    the same file again changes nothing."""
    veri = _dosya(f"06;Çankaya;Akpınar Mah;{tc(50)};Mehmet Demir;05332345623;01.12.2026",
                  f"06;Çankaya;Ayrancı Mah;{tc(51)};Fatma Kaya;05443456734;01.12.2026",
                  f"06;Çankaya;Balgat Mah;{tc(52)};Ali Çelik;05054567845;01.12.2026")
    sonuc = ice_aktar(session, veri, kapsam=ANKARA, dosya_adi="secim.csv", yalniz_hatasiz=False, simdi=SIMDI)
    session.commit()
    assert (sonuc.kayit.durum, sonuc.kayit.yazilan, sonuc.kayit.hata_raporu) == ("yazildi", 3, None)
    assert session.get(Muhtar, kucuk["ayse"]).gorev_bitis == date(2026, 12, 1)
    mehmet = session.scalars(select(Muhtar).where(Muhtar.tc_kimlik_no == tc(50))).one()
    assert (mehmet.muhtarlik_id, mehmet.gorev_bitis) == (kucuk["Akpınar Mah"], None)
    gunluk = {(d.muhtar_id, d.alan, d.aciklama) for d in session.scalars(select(MuhtarDegisiklik))}
    assert (kucuk["ayse"], "gorev_bitis", f"Toplu içe aktarım #{sonuc.kayit.id}, satır 2: yeni dönem") in gunluk
    assert (mehmet.id, "gorev_baslangic", f"Toplu içe aktarım #{sonuc.kayit.id}, satır 2") in gunluk
    assert len(gunluk) == 4

    tekrar = ice_aktar(session, veri, kapsam=ANKARA, dosya_adi="secim.csv", yalniz_hatasiz=False, simdi=SIMDI)
    session.commit()
    assert (tekrar.kayit.durum, tekrar.kayit.yazilan, tekrar.kayit.degismeyen) == ("yazildi", 0, 3)
    assert session.scalar(select(func.count()).select_from(Muhtar)) == 5
    assert session.scalar(select(func.count()).select_from(MuhtarIceAktarim)) == 2


def test_hata_raporu_bicimi():
    """The report is ";"-separated CSV a spreadsheet opens; a message with the separator in it is quoted."""
    from engine.muhtar_ice_aktarim import Hata
    metin = hata_raporu([Hata(3, "telefon", "Cep telefonu değil; örnek 0532 123 45 67.",
                              ("06", "Çankaya", "Akpınar Mah", "100******46", "Ayşe")),
                         Hata(1, "dosya", "Dosya boş.")])
    assert metin.endswith("\r\n")
    satirlar = list(csv.reader(io.StringIO(metin), delimiter=";"))
    assert satirlar[1] == ["3", "Geçersiz telefon", "Cep telefonu değil; örnek 0532 123 45 67.", "06", "Çankaya",
                           "Akpınar Mah", "100******46", "Ayşe"]
    assert satirlar[2] == ["1", "Dosya", "Dosya boş.", "", "", "", "", ""]


# --- the whole country ----------------------------------------------------------------------------------------

def ulke_dosyasi(baslangic: str = "01.04.2024", tohum: int = 300_000_000) -> bytes:
    """One muhtar for each of the 73,305 mahalleler of data/turkiye/mahalleler.csv: valid TC numbers, phones
    in the forms people type, ";"-separated with a BOM as Excel writes it."""
    tampon = io.StringIO()
    yazici = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    yazici.writerow(["il", "ilçe", "mahalle", "TC Kimlik No", "ad soyad", "telefon", "görev başlangıcı"])
    bicimler = ("05{}{:07d}", "+90 5{}{:07d}", "0 5{} {:07d}")
    for i, m in enumerate(mahalleleri_oku()):
        telefon = bicimler[i % 3].format(30 + i % 10, i)
        yazici.writerow([m.il_kod if i % 2 else m.il, m.ilce, m.mahalle, tc_kimlik_uret(str(tohum + i)),
                         f"Muhtar {i}", telefon, baslangic])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


@pytest.mark.slow
def test_ulke_dosyasi_bir_dakikadan_kisa(database, capsys):
    with database.unit_of_work() as s:
        seed_registry(s)
    veri = ulke_dosyasi()
    basla = time.perf_counter()
    with database.unit_of_work() as s:
        sonuc = ice_aktar(s, veri, kapsam=KOMUT_SATIRI, dosya_adi="ulke.csv", yalniz_hatasiz=False, simdi=SIMDI)
        assert (sonuc.kayit.durum, sonuc.kayit.yazilan, sonuc.denetim.hatalar) == ("yazildi", 73_305, [])
    sure = time.perf_counter() - basla
    basla = time.perf_counter()
    with database.unit_of_work() as s:
        tekrar = ice_aktar(s, veri, kapsam=KOMUT_SATIRI, dosya_adi="ulke.csv", yalniz_hatasiz=False, simdi=SIMDI)
        assert (tekrar.kayit.yazilan, tekrar.kayit.degismeyen) == (0, 73_305)
    tekrar_sure = time.perf_counter() - basla
    with capsys.disabled():
        print(f"\n73.305 satır içe aktarıldı ({database.engine.dialect.name}): {sure:.1f} sn; "
              f"aynı dosya yeniden (değişiklik yok): {tekrar_sure:.1f} sn")
    assert sure < 60
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Muhtar).where(Muhtar.gorev_bitis.is_(None))) == 73_305
        assert s.scalar(select(func.count()).select_from(MuhtarDegisiklik)) == 73_305
        ornek = s.scalars(select(Muhtar).where(Muhtar.ad_soyad == "Muhtar 70001")).one()
        assert ornek.telefon == "+905310070001" and ornek.tc_kimlik_no == tc_kimlik_uret("300070001")
