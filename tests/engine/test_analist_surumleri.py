"""Issue 5, the engine side: the routing suggestion (DMN), deploying checked and audited versions, refusing
broken ones with nothing changed, rolling back, and migrating waiting talepler only where it is safe."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.dogrulama import form_anahtarlari, kod_sorunlari
from engine.kelimeler import anahtar_kelimeler
from engine.models import Hareket, HumanTask, ProcessInstance, ProcessVersion, SurumKaydi, Yonlendirme
from engine.oneri import gorev_onerisi, on_degerler
from engine.servisler import VARSAYILAN_SERVISLER
from engine.surecler import dosyalari_oku, guncel_surum
from engine.tasima import TasimaEngeli, talep_tasi, tasima_adaylari, toplu_tasi
from engine.tutarlilik import ornek_sorunlari
from engine.yayin import SurumReddedildi, fark_ozeti, geri_al, surum_listesi, surum_yayinla
from tests.engine.conftest import ROOT
from tests.engine.test_senaryolar import Surucu

FORMLAR = form_anahtarlari(ROOT / "forms")
SERVISLER = set(VARSAYILAN_SERVISLER)
IHBAR = "Mahallede gece geç saatlerde kaçak kazı yapıldığını ihbar ediyorum."


def dosyalar() -> dict[str, str]:
    return dosyalari_oku(ROOT / "processes")


def degistir(files: dict[str, str], ad: str, eski: str, yeni: str) -> dict[str, str]:
    assert eski in files[ad], eski
    return {**files, ad: files[ad].replace(eski, yeni, 1)}


def yayinla(database, files, kim="analist.ayse"):
    with database.unit_of_work() as s:
        sonuc = surum_yayinla(s, files, kim, form_keys=FORMLAR, servis_adlari=SERVISLER)
        return sonuc.surum.id, sonuc.islem, sonuc.ozet


def ihbar_belediyeye(files):
    """Version 2's routing rule: an ihbar without a topic goes to the Belediye; acil parts are due in 2 days."""
    files = degistir(files, "oneri.dmn", '<outputEntry id="Rule_Ihbar_Birim"><text>"VALILIK"</text>',
                     '<outputEntry id="Rule_Ihbar_Birim"><text>"BELEDIYE"</text>')
    return degistir(files, "talep_sureci.bpmn", '{&quot;acil&quot;: 3, &quot;yuksek&quot;: 7',
                    '{&quot;acil&quot;: 2, &quot;yuksek&quot;: 7')


def sonuc_sms_metni(files, metin="talebiniz cevaplanmıştır"):
    return degistir(files, "talep_sureci.bpmn", "numaralı talebiniz sonuçlanmıştır", f"numaralı {metin}")


def oneri(surucu: Surucu) -> dict | None:
    with surucu.db.session() as s:
        gorev = s.scalars(select(HumanTask).where(HumanTask.talep_id == surucu.talep_id,
                                                  HumanTask.bpmn_id == "Task_Yonlendir")).one()
        return gorev_onerisi(s, gorev)


def surum_sayilari(database):
    with database.session() as s:
        return (s.scalar(select(func.count()).select_from(ProcessVersion)),
                s.scalar(select(func.count()).select_from(SurumKaydi)), guncel_surum(s).id)


# --- the suggestion ---------------------------------------------------------------------------------------

def test_kelimeler_katlanir_ve_sinirli():
    assert anahtar_kelimeler("ÇÖP kutuları DOLDU, çöp! Sağlık İÇİN ışık") == [
        "cop", "kutulari", "doldu", "saglik", "icin", "isik"]
    assert len(anahtar_kelimeler(" ".join(f"k{i}" for i in range(1000)))) == 200


@pytest.mark.parametrize("tur,aciklama,beklenen", [
    ("sikayet", "Sokağımızda su borusu patladı, her yer göl oldu.", ("yuksek", "BELEDIYE")),
    ("istek", "Mahallemizin ana yolu bozuk, asfalt yapılmasını istiyoruz.", ("normal", "BELEDIYE")),
    ("istek", "Mahallemizdeki okulun öğretmen ihtiyacı karşılansın.", ("normal", "VALILIK")),
    ("sikayet", "Hastaneye giden yolun çukurları yüzünden ambulans geçemiyor.", ("normal", "IKISI")),
    ("ihbar", IHBAR, ("acil", "VALILIK")),
    ("ihbar", "Çöp konteynerlerinin yanında şüpheli bir paket var.", ("acil", "BELEDIYE")),
    ("gorus_oneri", "Mahallemizde bir kütüphane açılmasını öneriyoruz.", ("normal", "")),
    ("istek", "Mahalle konağının boyanmasını rica ediyoruz.", ("normal", "")),
])
def test_dmn_onerisi(database, motor, kayit, tur, aciklama, beklenen):
    s = Surucu(database, motor, kayit).baslat(tur=tur, aciklama=aciklama)
    o = oneri(s)
    assert (o["oncelik"], o["birim_turu"]) == beklenen and o["gerekce"]
    with database.session() as ses:
        instance = ses.get(ProcessInstance, s.talep().instance_id)
        from engine.durum import durum_coz
        from engine.surecler import surum_spec
        wf = durum_coz(instance.state, *surum_spec(ses.get(ProcessVersion, instance.version_id)))
        gorev = ses.scalars(select(HumanTask).where(HumanTask.talep_id == s.talep_id)).one()
        from uuid import UUID
        data = wf.get_task_from_id(UUID(gorev.task_uuid)).data
        assert "aciklama_kelimeler" not in data  # dropped after the decision: the state stays small


def test_oneri_formu_doldurur(database, motor, kayit):
    s = Surucu(database, motor, kayit).baslat(tur="sikayet", aciklama="Hastaneye giden yolun çukurları çok derin.")
    with database.session() as ses:
        degerler = on_degerler(ses, s.talep(), oneri(s), {"VALILIK": "valilik_yonlendirmeleri",
                                                          "BELEDIYE": "belediye_yonlendirmeleri"})
    assert degerler == {
        "valilik_yonlendirmeleri": [{"birim_id": kayit.birim["VALILIK-06"], "oncelik": "normal", "not": ""}],
        "belediye_yonlendirmeleri": [{"birim_id": kayit.birim["BELEDIYE-06-CANKAYA"], "oncelik": "normal",
                                      "not": ""}]}


# --- versions: each talep follows its own ------------------------------------------------------------------

def test_iki_surum_her_talep_kendi_surumunu_izler(database, motor, kayit):
    v1 = surum_sayilari(database)[2]
    eski = Surucu(database, motor, kayit).baslat(tur="ihbar", aciklama=IHBAR)
    v2, islem, ozet = yayinla(database, ihbar_belediyeye(dosyalar()))
    assert islem == "yukleme" and v2 != v1
    assert "Rule_Ihbar_Birim" in ozet["degisen"] and "Task_YonlendirmeKaydet (Yönlendirmeleri kaydet)" in ozet["degisen"]
    assert ozet["eklenen"] == [] and ozet["silinen"] == [] and not ozet["diyagram"]
    yeni = Surucu(database, motor, kayit).baslat(tur="ihbar", aciklama=IHBAR)

    assert (oneri(eski)["birim_turu"], oneri(yeni)["birim_turu"]) == ("VALILIK", "BELEDIYE")
    # MİGM follows each suggestion
    eski.yonlendir(valilikler=["VALILIK-06"], oncelik=oneri(eski)["oncelik"])
    yeni.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"], oncelik=oneri(yeni)["oncelik"])
    assert eski.gorevler() == [("Task_UzerineAl", "VALILIK-06")]
    assert yeni.gorevler() == [("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")]
    eski.tamamla("Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": []})
    eski.islem_tamamla("Task_ValilikTamamla", "VALILIK-06")
    yeni.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
    for s in (eski, yeni):
        s.sureci_tamamla("Gereği yapıldı.")
        assert s.talep().durum == "sonuclanan"
    with database.session() as ses:
        gun = {}
        for s in (eski, yeni):
            part = ses.scalars(select(Yonlendirme).where(Yonlendirme.talep_id == s.talep_id)).one()
            gun[s] = (part.son_tarih - part.olusturma).days
            instance = ses.get(ProcessInstance, s.talep().instance_id)
            assert instance.status == "tamamlandi" and ornek_sorunlari(ses, instance, s.talep()) == []
        assert gun == {eski: 3, yeni: 2}  # acil: 3 days on version 1, 2 on version 2
        assert ses.get(ProcessInstance, eski.talep().instance_id).version_id == v1
        assert ses.get(ProcessInstance, yeni.talep().instance_id).version_id == v2
        kayit_ = ses.scalars(select(SurumKaydi)).one()
        assert (kayit_.islem, kayit_.kullanici, kayit_.version_id, kayit_.onceki_version_id) == \
               ("yukleme", "analist.ayse", v2, v1)
        assert kayit_.sha256 == ses.get(ProcessVersion, v2).sha256


def test_ayni_dosyalar_degisiklik_yok(database, kayit):
    once = surum_sayilari(database)
    assert yayinla(database, dosyalar())[1] == "degisiklik_yok"
    assert surum_sayilari(database) == once


# --- refusals: each with its reason, nothing changed --------------------------------------------------------

XXE = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("bozma,beklenen", [
    (lambda f: degistir(f, "talep_sureci.bpmn", '<?xml version="1.0" encoding="UTF-8"?>', XXE), "DOCTYPE"),
    (lambda f: degistir(f, "talep_sureci.bpmn", '<bpmn:lane id="Lane_Belediye" name="Belediye">',
                        '<bpmn:lane id="Lane_Belediye" name="Muhtarlık">'),
     "Task_BelediyeTamamla (İşlemi tamamla (Belediye)): kullanıcı görevi bilinen bir kulvarda değil"),
    (lambda f: degistir(f, "talep_sureci.bpmn", 'name="formKey" value="surec_tamamla"',
                        'name="formKey" value="olmayan_form"'), "'olmayan_form' formu forms/ içinde yok"),
    (lambda f: degistir(f, "talep_sureci.bpmn", "len(belediye_yonlendirmeleri) &gt; 0",
                        "len(belediye_yonlendirmeleri &gt; 0"), "Gateway_BirimAyrim (Hangi birimler?): koşul"),
    (lambda f: degistir(f, "talep_sureci.bpmn", "<spiffworkflow:calledDecisionId>yonlendirme_onerisi<",
                        "<spiffworkflow:calledDecisionId>olmayan_karar<"),
     "Task_Oneri (Yönlendirme önerisi): 'olmayan_karar' kararı hiçbir DMN dosyasında yok"),
    (lambda f: {k: v for k, v in f.items() if k != "oneri.dmn"}, "'yonlendirme_onerisi' kararı hiçbir DMN"),
    (lambda f: degistir(f, "oneri.dmn", '<outputEntry id="Rule_Ihbar_Oncelik"><text>"acil"</text>',
                        '<outputEntry id="Rule_Ihbar_Oncelik"><text>type("x")</text>'),
     "3. kural (Rule_Ihbar) çıktısı 'type(\"x\")' geçersiz: 'type' kullanılamaz"),
    (lambda f: degistir(f, "oneri.dmn", '<inputEntry id="Rule_Ihbar_Tur"><text>"ihbar"</text>',
                        '<inputEntry id="Rule_Ihbar_Tur"><text>? == "{0.__class__}".format(tur)</text>'),
     "3. kural (Rule_Ihbar) girdisi"),
    (lambda f: degistir(f, "talep_sureci.bpmn", "<spiffworkflow:postScript>del aciklama_kelimeler<",
                        "<spiffworkflow:postScript>del aciklama_kelimeler\nx = os.system('id')<"),
     "Task_Oneri (Yönlendirme önerisi): betik geçersiz"),
    (lambda f: {**f, "../kotu.bpmn": f["talep_sureci.bpmn"]}, "dosya adı geçersiz"),
    (lambda f: {**f, "buyuk.dmn": "<x/>" + " " * (1024 * 1024)}, "KB sınırını aşıyor"),
])
def test_bozuk_surum_reddedilir_hicbir_sey_degismez(database, kayit, bozma, beklenen):
    once = surum_sayilari(database)
    with pytest.raises(SurumReddedildi) as hata:
        yayinla(database, bozma(dosyalar()))
    assert any(beklenen in s for s in hata.value.sorunlar), hata.value.sorunlar
    assert surum_sayilari(database) == once


def test_kod_sorunlari_izinli_adlar():
    assert kod_sorunlari('len(valilik_yonlendirmeleri) > 0 and str(tur) != "ihbar"') is None
    assert kod_sorunlari("any(k.startswith(('su', 'yol')) for k in aciklama_kelimeler)") is None
    for kod, neden in [("type(tur)", "'type'"), ("tur.mro()", "mro"), ("().__class__", "__class__"), ("object", "'object'"),
                       ("'{0.x}'.format(tur)", "'.format'"), ("sys.exit()", "'sys'"), ("dir()", "'dir'")]:
        assert neden in (kod_sorunlari(kod) or ""), kod
    assert "global" in kod_sorunlari("global x\nx = 1", "exec")


# --- roll back ------------------------------------------------------------------------------------------------

def test_geri_alma_kayitli(database, motor, kayit):
    v1 = surum_sayilari(database)[2]
    v2 = yayinla(database, ihbar_belediyeye(dosyalar()))[0]
    with database.unit_of_work() as s:
        sonuc = geri_al(s, v1, "analist.ayse")
        assert sonuc.islem == "geri_alma" and "Rule_Ihbar_Birim" in sonuc.ozet["degisen"]
    assert surum_sayilari(database)[2] == v1
    yeni = Surucu(database, motor, kayit).baslat(tur="ihbar", aciklama=IHBAR)
    assert oneri(yeni)["birim_turu"] == "VALILIK"
    with database.session() as s:
        kayitlar = s.scalars(select(SurumKaydi).order_by(SurumKaydi.id)).all()
        assert [(k.islem, k.version_id, k.onceki_version_id) for k in kayitlar] == [
            ("yukleme", v2, v1), ("geri_alma", v1, v2)]
        satirlar = {r.surum.id: (r.calisan, r.toplam, r.surum.current) for r in surum_listesi(s)}
        assert satirlar == {v1: (1, 1, True), v2: (0, 0, False)}
    # the same files as version 2 again: version 2 becomes current, no new version
    assert yayinla(database, ihbar_belediyeye(dosyalar()))[:2] == (v2, "geri_alma")
    assert surum_sayilari(database)[:2] == (2, 3)


# --- migration -----------------------------------------------------------------------------------------------

def test_guvenli_tasima_ve_reddedilen_tasima(database, motor, kayit):
    v1 = surum_sayilari(database)[2]
    bekleyen = Surucu(database, motor, kayit).baslat()            # waits at Yönlendir
    yonlendirilmis = Surucu(database, motor, kayit).baslat()      # waits at the Belediye
    yonlendirilmis.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    uuid_once = bekleyen.gorev_uuid("Task_Yonlendir", "MIGM")

    # version 2 changes the decision (a completed task of both): neither may move
    v2 = yayinla(database, ihbar_belediyeye(dosyalar()))[0]
    with database.session() as s:
        adaylar = tasima_adaylari(s, v1, s.get(ProcessVersion, v2))
    assert {a.talep_id for a in adaylar} == {bekleyen.talep_id, yonlendirilmis.talep_id}
    assert all("Task_Oneri (Yönlendirme önerisi): tamamlanmış görevin tanımı yeni sürümde değişmiş" in a.engel
               for a in adaylar)
    with pytest.raises(TasimaEngeli), database.unit_of_work() as s:
        talep_tasi(s, motor, bekleyen.talep_id, v2, None, "analist.ayse")
    with database.session() as s:
        assert s.get(ProcessInstance, bekleyen.talep().instance_id).version_id == v1

    # version 3 (from version 1) changes only the closing SMS: both may move; many at once
    with database.unit_of_work() as s:
        geri_al(s, v1, "analist.ayse")
    v3 = yayinla(database, sonuc_sms_metni(dosyalar()))[0]
    with database.session() as s:
        assert [a.engel for a in tasima_adaylari(s, v1, s.get(ProcessVersion, v3))] == [None, None]
    sonuclar = toplu_tasi(database, motor, [bekleyen.talep_id, yonlendirilmis.talep_id], v3, None, "analist.ayse")
    assert [r.tasindi for r in sonuclar] == [True, True], sonuclar
    with database.session() as s:
        for surucu in (bekleyen, yonlendirilmis):
            instance = s.get(ProcessInstance, surucu.talep().instance_id)
            assert instance.version_id == v3 and ornek_sorunlari(s, instance, surucu.talep()) == []
        assert s.scalar(select(func.count()).select_from(Hareket).where(Hareket.islem == "surum_tasindi")) == 2
    assert bekleyen.gorev_uuid("Task_Yonlendir", "MIGM") == uuid_once  # the open task and its inbox row stay

    # a second migration of the same talep is refused (already there); both finish on version 3
    assert not toplu_tasi(database, motor, [bekleyen.talep_id], v3, None, "x")[0].tasindi
    bekleyen.yonlendir(valilikler=["VALILIK-06"])
    bekleyen.tamamla("Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": []})
    bekleyen.islem_tamamla("Task_ValilikTamamla", "VALILIK-06")
    yonlendirilmis.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
    for surucu in (bekleyen, yonlendirilmis):
        surucu.sureci_tamamla("Tamam.")
        assert "talebiniz cevaplanmıştır" in surucu.smsler()[-1].metin

    # a finished talep is not migrated
    assert "tamamlanmış" in toplu_tasi(database, motor, [bekleyen.talep_id], v1, None, "x")[0].mesaj


def test_tasima_degisen_hazir_gorevin_satirini_yeniler(database, motor, kayit):
    """A READY task whose definition changed may move (it has not started); its inbox row follows."""
    s = Surucu(database, motor, kayit).baslat()
    s.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    v2 = yayinla(database, degistir(dosyalar(), "talep_sureci.bpmn", 'name="İşlemi tamamla (Belediye)"',
                                    'name="Belediye işlemini tamamla"'))[0]
    with database.unit_of_work() as ses:
        talep_tasi(ses, motor, s.talep_id, v2, None, "analist.ayse")
    with database.session() as ses:
        row = ses.scalars(select(HumanTask).where(HumanTask.talep_id == s.talep_id, HumanTask.durum == "acik")).one()
        assert row.ad == "Belediye işlemini tamamla"
    s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
    s.sureci_tamamla("Tamam.")
    assert s.talep().durum == "sonuclanan"


def test_fark_ozeti():
    f = dosyalar()
    ozet = fark_ozeti(f, degistir(f, "talep_sureci.bpmn", '<dc:Bounds x="485" y="255"', '<dc:Bounds x="495" y="255"'))
    assert ozet["diyagram"] and not (ozet["eklenen"] or ozet["silinen"] or ozet["degisen"])
    yeni = {k: v for k, v in f.items() if k != "oneri.dmn"}
    ozet = fark_ozeti(f, yeni)
    assert ozet["dosya_silinen"] == ["oneri.dmn"] and "yonlendirme_onerisi (Yönlendirme önerisi)" in ozet["silinen"]
    assert fark_ozeti(None, f)["ilk"]


def test_surum_zaman_damgasi(database, kayit):
    v2 = yayinla(database, sonuc_sms_metni(dosyalar()))[0]
    with database.session() as s:
        v = s.get(ProcessVersion, v2)
        k = s.scalars(select(SurumKaydi)).one()
        assert abs(k.zaman - v.deployed_at) < timedelta(seconds=5) and v.deployed_by == "analist.ayse"


def test_yeniden_baslatmadan_sonra_coklu_gorev_tamamlanir(database, motor, kayit):
    """A spec parsed anew (an application restart) still completes a multi-instance part created before it."""
    from engine import surecler
    s = Surucu(database, motor, kayit).baslat()
    s.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    surecler._spec_cached.cache_clear()
    s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
    assert s.gorevler() == [("Task_SureciTamamla", "MIGM")]
