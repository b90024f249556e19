"""The registry seed and the demo data, on SQLite and on PostgreSQL (MBS_TEST_DATABASE_URL)."""
from __future__ import annotations

import collections

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from engine.errors import GecersizVeri
from engine.kayit import (DEMO_KULLANICILAR, DEMO_MUHTARLAR, DEMO_PAROLA, IlBilgisi, ascii_slug, birim_tanimlari,
                          buyuksehirleri_oku, kullanici_olustur, mahalleleri_oku, seed_demo, seed_registry)
from engine.kimlik import tc_kimlik_gecerli, telefon_normalize
from engine.models import Birim, Il, Ilce, Kullanici, Muhtar, Muhtarlik
from engine.parola import parola_dogrula

BEKLENEN_BIRIMLER = {"MIGM": 1, "VALILIK": 81, "IL_MUDURLUGU": 810, "IL_OZEL_IDARESI": 51, "KAYMAKAMLIK": 922,
                     "BELEDIYE": 30 + 51 + 922}


@pytest.fixture
def kayitli(session):
    """A session on a database holding the whole registry (committed)."""
    seed_registry(session)
    session.commit()
    return session


def _birim(session, kod) -> Birim:
    return session.scalar(select(Birim).where(Birim.kod == kod))


def _say(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- The shipped data, without a database ------------------------------------------------------------------

def test_paketlenen_veri():
    mahalleler = mahalleleri_oku()
    buyuksehirler = buyuksehirleri_oku()
    assert len(mahalleler) == 73_305
    assert len({m.il_kod for m in mahalleler}) == 81
    assert len({(m.il_kod, m.ilce) for m in mahalleler}) == 973
    assert len(buyuksehirler) == 30
    merkezli = {m.il_kod for m in mahalleler if m.ilce == "Merkez"}
    assert merkezli.isdisjoint(buyuksehirler) and len(merkezli) == 51


def test_ascii_slug():
    assert ascii_slug("Polatlı") == "POLATLI"
    assert ascii_slug("Çankaya") == "CANKAYA"
    assert ascii_slug("İscehisar") == "ISCEHISAR"
    assert ascii_slug("Şuhut") == "SUHUT"
    assert ascii_slug("Gölbaşı") == "GOLBASI"
    assert ascii_slug("Üsküdar") == "USKUDAR"
    assert ascii_slug("19 Mayıs") == "19_MAYIS"


def test_birim_kodlari_tekil_ve_ebeveynler_once():
    ilceler = collections.defaultdict(list)
    for sira, (il_kod, il, ilce) in enumerate(sorted({(m.il_kod, m.il, m.ilce) for m in mahalleleri_oku()})):
        ilceler[(il_kod, il)].append((ilce, sira))
    bs = buyuksehirleri_oku()
    tanimlar = birim_tanimlari([IlBilgisi(k, ad, k in bs, v) for (k, ad), v in ilceler.items()])
    kodlar = [t["kod"] for t in tanimlar]
    assert len(kodlar) == len(set(kodlar)) == sum(BEKLENEN_BIRIMLER.values())
    gorulen = set()
    for t in tanimlar:
        assert t["ust_kod"] is None or t["ust_kod"] in gorulen
        gorulen.add(t["kod"])


# --- seed_registry --------------------------------------------------------------------------------------------

def test_bos_veritabanina_yukleme_ve_tekrar(session):
    ilk = seed_registry(session)
    session.commit()
    assert ilk == {"il": 81, "ilce": 973, "muhtarlik": 73_305, "birim": sum(BEKLENEN_BIRIMLER.values())}
    assert (_say(session, Il), _say(session, Ilce), _say(session, Muhtarlik)) == (81, 973, 73_305)
    turler = {tur: n for tur, n in session.execute(select(Birim.tur, func.count()).group_by(Birim.tur))}
    assert turler == BEKLENEN_BIRIMLER
    assert session.scalar(select(func.count()).where(Il.buyuksehir)) == 30

    ikinci = seed_registry(session)
    session.commit()
    assert ikinci == {"il": 0, "ilce": 0, "muhtarlik": 0, "birim": 0}
    assert _say(session, Birim) == sum(BEKLENEN_BIRIMLER.values())


def test_eksik_satirlari_tamamlar(kayitli):
    """A unit deleted by hand comes back with its parent, and nothing else is inserted."""
    polatli = _birim(kayitli, "KAYMAKAMLIK-06-POLATLI")
    kayitli.delete(polatli)
    kayitli.commit()
    assert seed_registry(kayitli) == {"il": 0, "ilce": 0, "muhtarlik": 0, "birim": 1}
    assert _birim(kayitli, "KAYMAKAMLIK-06-POLATLI").ust_birim_id == _birim(kayitli, "VALILIK-06").id


def test_birim_agaci(kayitli):
    s = kayitli
    ankara = _birim(s, "VALILIK-06")
    assert (ankara.ad, ankara.tur, ankara.rol, ankara.il_kod, ankara.ust_birim_id) == \
        ("Ankara Valiliği", "VALILIK", "VALILIK", "06", None)
    assert _birim(s, "VALILIK-35").ad == "İzmir Valiliği"
    migm = _birim(s, "MIGM")
    assert (migm.ad, migm.tur, migm.rol) == ("Mahalli İdareler Genel Müdürlüğü", "MIGM", "MIGM")

    # Büyükşehir: no İl Özel İdaresi; elsewhere one, under the Valilik.
    assert _birim(s, "IOI-06") is None
    afyon_ioi = _birim(s, "IOI-03")
    assert afyon_ioi.ad == "Afyonkarahisar İl Özel İdaresi"
    assert afyon_ioi.ust_birim_id == _birim(s, "VALILIK-03").id and afyon_ioi.rol == "ALT_BIRIM"

    polatli = _birim(s, "KAYMAKAMLIK-06-POLATLI")
    assert (polatli.ad, polatli.tur, polatli.rol) == ("Polatlı Kaymakamlığı", "KAYMAKAMLIK", "ALT_BIRIM")
    assert polatli.ust_birim_id == ankara.id
    assert s.get(Ilce, polatli.ilce_id).ad == "Polatlı"

    saglik = _birim(s, "SAGLIK-06")
    assert (saglik.ad, saglik.ust_birim_id, saglik.tur) == ("Ankara İl Sağlık Müdürlüğü", ankara.id, "IL_MUDURLUGU")
    assert _birim(s, "MEB-06").ad == "Ankara İl Milli Eğitim Müdürlüğü"
    assert _birim(s, "AFAD-06").ad == "Ankara AFAD İl Müdürlüğü"
    assert _birim(s, "EMNIYET-06").ad == "Ankara Emniyet Müdürlüğü"
    assert _birim(s, "JANDARMA-06").ad == "Ankara İl Jandarma Komutanlığı"
    alt = aliased(Birim)
    ankara_altlari = s.scalar(select(func.count()).select_from(alt).where(alt.ust_birim_id == ankara.id))
    assert ankara_altlari == 10 + 25  # il müdürlükleri + 25 ilçe kaymakamlığı


def test_belediyeler(kayitli):
    s = kayitli
    bb = _birim(s, "BELEDIYE-06-BB")
    assert (bb.ad, bb.rol, bb.tur, bb.ust_birim_id, bb.ilce_id) == \
        ("Ankara Büyükşehir Belediyesi", "BELEDIYE", "BELEDIYE", None, None)
    cankaya = _birim(s, "BELEDIYE-06-CANKAYA")
    assert cankaya.ad == "Çankaya Belediyesi" and s.get(Ilce, cankaya.ilce_id).ad == "Çankaya"
    afyon = _birim(s, "BELEDIYE-03-IL")
    merkez = s.get(Ilce, afyon.ilce_id)
    assert (afyon.ad, merkez.ad, merkez.il_kod) == ("Afyonkarahisar Belediyesi", "Merkez", "03")
    assert _birim(s, "BELEDIYE-03-MERKEZ") is None and _birim(s, "KAYMAKAMLIK-03-MERKEZ") is None
    assert _birim(s, "BELEDIYE-35-IL") is None and _birim(s, "BELEDIYE-03-BB") is None
    assert _birim(s, "BELEDIYE-55-19_MAYIS").ad == "19 Mayıs Belediyesi"


# --- Demo data and users --------------------------------------------------------------------------------------

def test_demo_listeleri_gecerli():
    assert len({k["kullanici_adi"] for k in DEMO_KULLANICILAR}) == len(DEMO_KULLANICILAR)
    assert DEMO_MUHTARLAR[0]["tc_kimlik_no"] == "10000000146"
    assert len({m["tc_kimlik_no"] for m in DEMO_MUHTARLAR}) == len(DEMO_MUHTARLAR)
    for m in DEMO_MUHTARLAR:
        assert tc_kimlik_gecerli(m["tc_kimlik_no"])
        assert telefon_normalize(m["telefon"]) == m["telefon"]


def test_demo_verisi(kayitli):
    s = kayitli
    assert seed_demo(s) == {"kullanici": len(DEMO_KULLANICILAR), "muhtar": len(DEMO_MUHTARLAR)}
    s.commit()
    assert seed_demo(s) == {"kullanici": 0, "muhtar": 0}

    for d in DEMO_KULLANICILAR:
        k = s.scalar(select(Kullanici).where(Kullanici.kullanici_adi == d["kullanici_adi"]))
        assert parola_dogrula(k.parola_hash, DEMO_PAROLA), d["kullanici_adi"]
        assert s.get(Birim, k.birim_id).kod == d["birim_kod"]
        assert k.yetkiler == d["yetkiler"]
    assert s.scalar(select(Kullanici).where(Kullanici.kullanici_adi == "migm")).yetkili("yonetici")

    ayse = s.scalar(select(Muhtar).where(Muhtar.tc_kimlik_no == "10000000146"))
    muhtarlik = s.get(Muhtarlik, ayse.muhtarlik_id)
    ilce = s.get(Ilce, muhtarlik.ilce_id)
    assert (ayse.ad_soyad, ayse.telefon, ayse.gorev_bitis) == ("Ayşe Yılmaz", "+905321234512", None)
    assert (muhtarlik.ad, ilce.ad, s.get(Il, ilce.il_kod).ad) == ("Akpınar Mah", "Çankaya", "Ankara")
    assert str(ayse.gorev_baslangic) == "2024-04-01"


def test_demo_kayit_verisi_olmadan_hata_verir(session):
    with pytest.raises(GecersizVeri) as hata:
        seed_demo(session)
    assert "kayıt verisi" in hata.value.mesaj


# --- kullanici_olustur (a small registry is enough) --------------------------------------------------------

@pytest.fixture
def kucuk_kayit(session, tmp_path):
    """A session whose registry comes from a two-province extract of the data (fast)."""
    satirlar = [m for m in mahalleleri_oku() if (m.il_kod, m.ilce) in {("06", "Çankaya"), ("03", "Merkez")}]
    with open(tmp_path / "mahalleler.csv", "w", encoding="utf-8") as f:
        f.write("il_kodu,il,ilce,mahalle,posta_kodu\n")
        f.writelines(f"{m.il_kod},{m.il},{m.ilce},{m.mahalle},{m.posta_kodu}\n" for m in satirlar)
    (tmp_path / "buyuksehirler.csv").write_text("il_kodu,il\n06,Ankara\n", encoding="utf-8")
    sayilar = seed_registry(session, tmp_path)
    assert sayilar["il"] == 2 and sayilar["birim"] == 1 + 2 * 11 + 1 + 3 + 1  # MİGM, valilik+10, IOI, belediye, kaym.
    session.commit()
    return session


def test_kullanici_olustur(kucuk_kayit):
    k = kullanici_olustur(kucuk_kayit, " yeni.kullanici ", "gizli-parola", "SAGLIK-06", "Ali Veli", "kayit  analist")
    kucuk_kayit.commit()
    assert (k.kullanici_adi, k.yetkiler, k.aktif) == ("yeni.kullanici", "kayit analist", True)
    assert k.birim_id == _birim(kucuk_kayit, "SAGLIK-06").id
    assert parola_dogrula(k.parola_hash, "gizli-parola") and not parola_dogrula(k.parola_hash, "yanlis")


@pytest.mark.parametrize("ad, parola, birim, ad_soyad, yetkiler, mesajda", [
    ("mevcut", "gizli-parola", "MIGM", "Ali Veli", "", "zaten kullanılıyor"),
    ("yeni", "gizli-parola", "YOK-99", "Ali Veli", "", "birim bulunamadı"),
    ("yeni", "1234567", "MIGM", "Ali Veli", "", "en az 8 karakter"),
    ("yeni", None, "MIGM", "Ali Veli", "", "en az 8 karakter"),
    ("", "gizli-parola", "MIGM", "Ali Veli", "", "Kullanıcı adı"),
    ("iki kelime", "gizli-parola", "MIGM", "Ali Veli", "", "Kullanıcı adı"),
    ("yeni", "gizli-parola", "MIGM", "  ", "", "Ad soyad"),
    ("yeni", "gizli-parola", "MIGM", "Ali Veli", "patron", "Bilinmeyen yetki"),
])
def test_kullanici_olustur_hatalari(kucuk_kayit, ad, parola, birim, ad_soyad, yetkiler, mesajda):
    kullanici_olustur(kucuk_kayit, "mevcut", "gizli-parola", "MIGM", "Var Olan")
    with pytest.raises(GecersizVeri) as hata:
        kullanici_olustur(kucuk_kayit, ad, parola, birim, ad_soyad, yetkiler)
    assert mesajda in hata.value.mesaj
