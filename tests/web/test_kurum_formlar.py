"""Task forms as data (forms/*.json + formlib): definitions checked, submissions validated on the server,
only declared fields reach the engine, a new field needs no Python; the four forms through the web."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine.dogrulama import surecleri_dogrula
from engine.models import MesajKutusu, Talep
from formlib import FormTanimHatasi, degerleri_oku, form_yukle, formlari_dogrula, gonderimi_coz
from formlib.ifade import IfadeHatasi, degerlendir, derle
from formlib.tanim import tanim_olustur

from .conftest import csrf_token
from .kurum_yardim import (_hizli_hash_yukseltilmez, gorev_gonder, kurum, kurum_ortami_kur, metin,  # noqa: F401
                           oturumlu, talep_sayfasi, yonlendirme_verisi)

KOK = Path(__file__).resolve().parents[2]
FORMS = KOK / "forms"


class Baglam:
    """formlib's application interface, for unit tests: any unit id below 100 is allowed."""

    def __init__(self):
        self.kaydedilen = []

    def birimleri_dogrula(self, alan, idler):
        return {i for i in idler if i < 100}

    def dosya_kaydet(self, alan, dosya):
        self.kaydedilen.append(dosya.filename)
        return {"sha256": "0" * 64, "dosya_adi": dosya.filename, "icerik_turu": "application/pdf", "boyut": 1}


# --- definitions ------------------------------------------------------------------------------------------

def test_depodaki_formlar_gecerli_ve_surec_dogrulamasi_bos():
    assert formlari_dogrula(FORMS) == []
    assert surecleri_dogrula(KOK / "processes", FORMS) == []
    for anahtar in ("yonlendir", "uzerine_al", "islem_tamamla", "surec_tamamla"):
        assert form_yukle(FORMS, anahtar).baslik


@pytest.mark.parametrize("ham,parca", [
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "renk"}]}, "renk"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "secim"}]}, "secenekler"),
    ({"baslik": "x", "alanlar": [{"ad": "A b", "tur": "metin"}]}, "does not match"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "metin", "fazla": 1}]}, "fazla"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "metin"}, {"ad": "a", "tur": "onay"}]}, "birden fazla"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "metin", "kosul": "b == 1"}]}, "tanımsız alan"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "metin", "kosul": "a.__class__"}]}, "kullanılamaz"),
    ({"baslik": "x", "alanlar": [{"ad": "talep_id", "tur": "metin"}]}, "ayrılmış"),
    ({"baslik": "x", "alanlar": [{"ad": "csrf_token", "tur": "metin"}]}, "ayrılmış"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "metin", "en_az": 5, "en_cok": 2}]}, "en_az"),
    ({"baslik": "x", "alanlar": [{"ad": "a", "tur": "metin"}], "kurallar": [{"gerekli": "z", "mesaj": "m"}]},
     "tanımsız alan"),
])
def test_gecersiz_tanim_reddedilir(ham, parca):
    with pytest.raises(FormTanimHatasi) as hata:
        tanim_olustur("deneme", ham)
    assert parca in str(hata.value)


def test_bozuk_json_ve_eksik_form(tmp_path):
    (tmp_path / "bozuk.json").write_text("{", encoding="utf-8")
    assert "JSON okunamadı" in formlari_dogrula(tmp_path)[0]
    with pytest.raises(FormTanimHatasi, match="bulunamadı"):
        form_yukle(tmp_path, "yok")
    with pytest.raises(FormTanimHatasi, match="Geçersiz form anahtarı"):
        form_yukle(tmp_path, "../forms/yonlendir")


@pytest.mark.parametrize("ifade", ["__import__('os')", "a.b", "a[0]", "open('x')", "lambda: 1", "(x := 1)",
                                   "[i for i in a]", "f'{a}'"])
def test_ifade_dili_kisitli(ifade):
    with pytest.raises(IfadeHatasi):
        derle(ifade)


def test_ifade_degerleri():
    d = {"karar": "kapat", "liste": [1], "bos": [], "n": None}
    assert degerlendir("karar == 'kapat' and liste", d) == [1]
    assert degerlendir("bos or liste", d) == [1]
    assert degerlendir("not bos and len(liste) == 1", d) is True
    assert degerlendir("karar in ['yonlendir', 'kapat']", d) is True
    assert degerlendir("n > 3", d) is False and degerlendir("yok == None", d) is True


# --- validation -------------------------------------------------------------------------------------------

def test_yalniz_tanimli_alanlar_motora_gider():
    tanim = form_yukle(FORMS, "islem_tamamla")
    form = MultiDict({"islem_notu": "  Yapıldı.\r\nİkinci satır ", "muhtara_acik": "1", "talep_id": "999",
                      "migm_birim_id": "1", "karar": "kapat"})
    sonuc = gonderimi_coz(tanim, form, MultiDict(), Baglam())
    assert sonuc.gecerli
    assert sonuc.veri == {"islem_notu": "Yapıldı.\nİkinci satır", "muhtara_acik": True, "ekler": []}


def test_yonlendir_kurallari_ve_kosullar():
    tanim = form_yukle(FORMS, "yonlendir")
    # routing without a unit
    sonuc = gonderimi_coz(tanim, MultiDict({"karar": "yonlendir"}), None, Baglam())
    assert not sonuc.gecerli and "En az bir Valilik" in sonuc.hatalar["valilik_yonlendirmeleri"][0]
    # routing: the closing reason is dropped (kosul false) even if typed
    form = MultiDict([("karar", "yonlendir"), ("belediye_yonlendirmeleri", "7"), ("belediye_yonlendirmeleri", "7"),
                      ("belediye_yonlendirmeleri.7.oncelik", "acil"), ("belediye_yonlendirmeleri.7.not", " not "),
                      ("nihai_cevap", "yazılmış ama gitmez")])
    sonuc = gonderimi_coz(tanim, form, None, Baglam())
    assert sonuc.gecerli and sonuc.veri == {
        "karar": "yonlendir", "valilik_yonlendirmeleri": [], "nihai_cevap": None,
        "belediye_yonlendirmeleri": [{"birim_id": 7, "oncelik": "acil", "not": "not"}]}
    # closing: reason and confirmation required; the units are dropped; the confirmation is not sent on
    form = MultiDict({"karar": "kapat", "valilik_yonlendirmeleri": "2"})
    sonuc = gonderimi_coz(tanim, form, None, Baglam())
    assert set(sonuc.hatalar) == {"nihai_cevap", "kapatma_onayi"}
    form = MultiDict({"karar": "kapat", "valilik_yonlendirmeleri": "2", "nihai_cevap": "Görev alanı dışında.",
                      "kapatma_onayi": "1"})
    sonuc = gonderimi_coz(tanim, form, None, Baglam())
    assert sonuc.veri == {"karar": "kapat", "valilik_yonlendirmeleri": [], "belediye_yonlendirmeleri": [],
                          "nihai_cevap": "Görev alanı dışında."}
    # an unknown button value, a unit not allowed, a bad priority
    assert "Geçerli bir seçenek" in gonderimi_coz(tanim, MultiDict({"karar": "sil"}), None, Baglam()).hatalar["karar"][0]
    sonuc = gonderimi_coz(tanim, MultiDict({"karar": "yonlendir", "valilik_yonlendirmeleri": "500"}), None, Baglam())
    assert "seçilemez" in sonuc.hatalar["valilik_yonlendirmeleri"][0]
    sonuc = gonderimi_coz(tanim, MultiDict({"karar": "yonlendir", "valilik_yonlendirmeleri": "5",
                                            "valilik_yonlendirmeleri.5.oncelik": "cok_acil"}), None, Baglam())
    assert "Öncelik" in sonuc.hatalar["valilik_yonlendirmeleri"][0]


def test_uzerine_al_verisi():
    tanim = form_yukle(FORMS, "uzerine_al")
    sonuc = gonderimi_coz(tanim, MultiDict({"islem": "uzerine_al", "alt_yonlendirmeler": "4"}), None, Baglam())
    assert sonuc.veri == {"alt_yonlendirmeler": []}
    sonuc = gonderimi_coz(tanim, MultiDict({"islem": "alt_birim", "alt_yonlendirmeler": "4",
                                            "alt_yonlendirmeler.4.not": "bakın", "alt_yonlendirmeler.4.oncelik": "acil"}),
                          None, Baglam())
    assert sonuc.veri == {"alt_yonlendirmeler": [{"birim_id": 4, "not": "bakın"}]}
    assert "en az bir alt birim" in gonderimi_coz(tanim, MultiDict({"islem": "alt_birim"}), None,
                                                  Baglam()).hatalar["alt_yonlendirmeler"][0]


def test_hata_varsa_dosya_kaydedilmez():
    class Dosya:
        filename = "a.pdf"
    tanim = form_yukle(FORMS, "islem_tamamla")
    baglam = Baglam()
    sonuc = gonderimi_coz(tanim, MultiDict({"islem_notu": ""}), MultiDict([("ekler", Dosya())]), baglam)
    assert not sonuc.gecerli and baglam.kaydedilen == []
    sonuc = gonderimi_coz(tanim, MultiDict({"islem_notu": "Tamam."}), MultiDict([("ekler", Dosya())] * 6), baglam)
    assert "En çok 5 dosya" in sonuc.hatalar["ekler"][0] and baglam.kaydedilen == []
    sonuc = gonderimi_coz(tanim, MultiDict({"islem_notu": "Tamam.", "muhtara_acik": "1"}),
                          MultiDict([("ekler", Dosya())]), baglam)
    assert sonuc.veri["ekler"] == [{"sha256": "0" * 64, "dosya_adi": "a.pdf", "icerik_turu": "application/pdf",
                                    "boyut": 1, "muhtar_gorur": True}]


# --- through the web -------------------------------------------------------------------------------------

def test_cift_gonderim_zaten_tamamlanmis(kurum):
    talep_id = kurum.talep_ac()
    migm = oturumlu(kurum, "MIGM")
    html = metin(talep_sayfasi(migm, talep_id))
    uuid = kurum.gorev_uuid(talep_id, "MIGM")
    veri = {"csrf_token": csrf_token(html), **yonlendirme_verisi(kurum, belediyeler=["BELEDIYE-06-CANKAYA"])}
    birinci = migm.post(f"/kurum/gorev/{uuid}", data=veri)
    ikinci = migm.post(f"/kurum/gorev/{uuid}", data=veri, follow_redirects=True)
    assert birinci.status_code == 303
    assert ikinci.status_code == 200 and "zaten tamamlanmış" in metin(ikinci)
    assert kurum.acik_gorevler(talep_id) == [("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")]


def test_yonlendirmeden_kapatma_onayli(kurum):
    talep_id = kurum.talep_ac()
    migm = oturumlu(kurum, "MIGM")
    yanit = gorev_gonder(kurum, migm, talep_id, "MIGM", {"karar": "kapat", "nihai_cevap": "Görev alanımız dışında."})
    assert yanit.status_code == 422 and "bu kutuyu işaretlemelisiniz" in metin(yanit)
    assert "Görev alanımız dışında." in metin(yanit)  # what was typed is kept
    yanit = gorev_gonder(kurum, migm, talep_id, "MIGM", {"karar": "kapat", "nihai_cevap": "Görev alanımız dışında.",
                                                          "kapatma_onayi": "1"})
    assert yanit.status_code == 200 and "Yönlendirilmeden kapatıldı" in metin(yanit)
    with kurum.db.session() as s:
        assert s.get(Talep, talep_id).durum == "sonuclanan"
        assert len(s.scalars(select(MesajKutusu).where(MesajKutusu.talep_id == talep_id,
                                                       MesajKutusu.kanal == "sms")).all()) == 2


def test_listele_secimleri_korur_ve_baska_il_gosterir(kurum):
    talep_id = kurum.talep_ac()
    migm = oturumlu(kurum, "MIGM")
    cankaya = kurum.kayit.birim["BELEDIYE-06-CANKAYA"]
    yanit = gorev_gonder(kurum, migm, talep_id, "MIGM", {
        "_eylem": "listele", "belediye_yonlendirmeleri": str(cankaya), f"belediye_yonlendirmeleri.{cankaya}.oncelik": "acil",
        f"belediye_yonlendirmeleri.{cankaya}.not": "Acele edin", "belediye_yonlendirmeleri.il": "35"})
    html = metin(yanit)
    assert yanit.status_code == 200 and "Konak Belediyesi" in html
    assert "Seçilen birimler" in html and f'value="{cankaya}" id="belediye_yonlendirmeleri-{cankaya}" checked' in html
    assert "Acele edin" in html and '<option value="acil" selected>' in html
    assert kurum.acik_gorevler(talep_id) == [("Task_Yonlendir", "MIGM")]  # nothing happened
    yanit = gorev_gonder(kurum, migm, talep_id, "MIGM", {"_eylem": "listele", "valilik_yonlendirmeleri.il": "",
                                                          "valilik_yonlendirmeleri.ara": "izmir"})
    assert "İzmir Valiliği" in metin(yanit) and "Ankara Valiliği" not in metin(yanit).split("alan-belediye")[0]


def test_yeni_alan_python_degismeden(make_app, web_database, tmp_path, monkeypatch):
    """An analyst adds a field to forms/islem_tamamla.json: it is rendered, validated, and reaches the engine."""
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    ham = json.loads((forms / "islem_tamamla.json").read_text(encoding="utf-8"))
    ham["alanlar"].insert(1, {"ad": "harcama_tutari", "etiket": "Harcanan tutar (TL)", "tur": "metin",
                              "zorunlu": True, "en_cok": 12})
    (forms / "islem_tamamla.json").write_text(json.dumps(ham, ensure_ascii=False), encoding="utf-8")
    assert surecleri_dogrula(KOK / "processes", forms) == []
    k = kurum_ortami_kur(make_app, web_database, FORMS_DIR=str(forms))
    giden = []
    from engine.runtime import Motor
    asil = Motor.gorev_tamamla

    def kaydet(self, session, task_uuid, actor, veri):
        giden.append(dict(veri))
        return asil(self, session, task_uuid, actor, veri)
    monkeypatch.setattr(Motor, "gorev_tamamla", kaydet)
    talep_id = k.talep_ac()
    gorev_gonder(k, oturumlu(k, "MIGM"), talep_id, "MIGM", yonlendirme_verisi(k, belediyeler=["BELEDIYE-06-CANKAYA"]))
    belediye = oturumlu(k, "BELEDIYE-06-CANKAYA")
    assert "Harcanan tutar (TL)" in metin(talep_sayfasi(belediye, talep_id))
    yanit = gorev_gonder(k, belediye, talep_id, "BELEDIYE-06-CANKAYA", {"islem_notu": "Yapıldı."})
    assert yanit.status_code == 422 and "Bu alan zorunludur." in metin(yanit)
    gorev_gonder(k, belediye, talep_id, "BELEDIYE-06-CANKAYA", {"islem_notu": "Yapıldı.", "harcama_tutari": "1500"})
    assert giden[-1] == {"islem_notu": "Yapıldı.", "harcama_tutari": "1500", "muhtara_acik": False, "ekler": []}


def test_form_anahtari_formu_secer(kurum):
    """The page shows the form the task's form_key names: each unit its own."""
    talep_id = kurum.talep_ac()
    migm = oturumlu(kurum, "MIGM")
    assert "SEÇİLEN BİRİMLERE YÖNLENDİR" in metin(talep_sayfasi(migm, talep_id))
    gorev_gonder(kurum, migm, talep_id, "MIGM", yonlendirme_verisi(kurum, ["VALILIK-06"], ["BELEDIYE-06-CANKAYA"]))
    assert "İŞLEMİ TAMAMLA" in metin(talep_sayfasi(oturumlu(kurum, "BELEDIYE-06-CANKAYA"), talep_id))
    valilik = metin(talep_sayfasi(oturumlu(kurum, "VALILIK-06"), talep_id))
    assert "ÜZERİME AL" in valilik and "SEÇİLEN ALT BİRİMLERE YÖNLENDİR" in valilik
    assert "SEÇİLEN BİRİMLERE YÖNLENDİR" not in metin(talep_sayfasi(migm, talep_id))


def test_uzerine_al_sonra_islem_tamamla(kurum):
    talep_id = kurum.talep_ac()
    gorev_gonder(kurum, oturumlu(kurum, "MIGM"), talep_id, "MIGM", yonlendirme_verisi(kurum, ["VALILIK-06"]))
    valilik = oturumlu(kurum, "VALILIK-06")
    yanit = gorev_gonder(kurum, valilik, talep_id, "VALILIK-06", {"islem": "uzerine_al"})
    assert "İŞLEMİ TAMAMLA" in metin(yanit) and "Valilik üzerine aldı" in metin(yanit)
    assert kurum.acik_gorevler(talep_id) == [("Task_ValilikTamamla", "VALILIK-06")]


def test_motor_hatasi_500_degil(kurum, monkeypatch):
    from engine.errors import EsZamanliDegisiklik
    from engine.runtime import Motor

    def patla(*_a, **_k):
        raise EsZamanliDegisiklik()
    monkeypatch.setattr(Motor, "gorev_tamamla", patla)
    talep_id = kurum.talep_ac()
    yanit = gorev_gonder(kurum, oturumlu(kurum, "MIGM"), talep_id, "MIGM",
                         yonlendirme_verisi(kurum, belediyeler=["BELEDIYE-06-CANKAYA"]))
    assert yanit.status_code == 409 and "aynı anda başka bir kullanıcı" in metin(yanit)


def test_degerleri_oku_dogrulamasiz():
    tanim = form_yukle(FORMS, "yonlendir")
    degerler = degerleri_oku(tanim, MultiDict({"valilik_yonlendirmeleri": "x"}))
    assert degerler["valilik_yonlendirmeleri"] == [] and degerler["kapatma_onayi"] is False


def test_satir_ici_betik_ve_stil_yok(kurum):
    """CSP forbids inline script and style: every kurum page loads /static files only."""
    talep_id = kurum.talep_ac()
    migm = oturumlu(kurum, "MIGM")
    sayfalar = [migm.get(y) for y in ("/kurum/gelen-kutusu", "/kurum/gorunumler", "/kurum/tamamlanan",
                                      f"/kurum/talep/{talep_id}", "/kurum/hesap/parola", "/kurum/hesap/iki-asamali",
                                      "/kurum/yonetim/kullanicilar?birim_ara=ankara")]
    sayfalar.append(kurum.client().get("/kurum/giris"))
    for yanit in sayfalar:
        html = metin(yanit)
        assert yanit.status_code == 200
        assert "style=" not in html and "<style" not in html and "javascript:" not in html
        # a <script type="application/json"> data block is never executed (the diagram's data on the talep page)
        assert all('src="/static/' in etiket or etiket.startswith(' type="application/json"')
                   for etiket in html.split("<script")[1:])
