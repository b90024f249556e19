"""The Şekil 1 process driven through the engine, each step its own transaction (state saved and loaded
between every step): the talep's status, the inbox, the hareket log and the queued SMS after each."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import GecersizVeri, GorevTamamlanmis, GorevYetkisiz
from engine.models import Ek, Hareket, HumanTask, MesajKutusu, ProcessInstance, Talep, Yonlendirme


class Surucu:
    """Drives one talep step by step, one unit of work per step, as the web layer will."""

    def __init__(self, database, motor, kayit):
        self.db, self.motor, self.kayit = database, motor, kayit
        self.talep_id = None
        self.kod_by_id = {v: k for k, v in kayit.birim.items()}

    def baslat(self, tur="sikayet", aciklama="Mahallemizin ana caddesindeki sokak lambaları yanmıyor."):
        with self.db.unit_of_work() as s:
            self.talep_id = self.motor.talep_baslat(s, muhtar_id=self.kayit.muhtar_id, tur=tur,
                                                    aciklama=aciklama).id
        return self

    def gorevler(self) -> list[tuple[str, str]]:
        """Open inbox rows as (bpmn id, unit kod), sorted."""
        with self.db.session() as s:
            rows = s.scalars(select(HumanTask).where(HumanTask.talep_id == self.talep_id,
                                                     HumanTask.durum == "acik")).all()
            return sorted((r.bpmn_id, self.kod_by_id[r.birim_id]) for r in rows)

    def gorev_uuid(self, bpmn_id: str, kod: str) -> str:
        with self.db.session() as s:
            return s.scalars(select(HumanTask.task_uuid).where(
                HumanTask.talep_id == self.talep_id, HumanTask.bpmn_id == bpmn_id,
                HumanTask.birim_id == self.kayit.birim[kod], HumanTask.durum == "acik")).one()

    def tamamla(self, bpmn_id: str, kod: str, veri: dict, actor_kod: str | None = None):
        uuid = self.gorev_uuid(bpmn_id, kod)
        with self.db.unit_of_work() as s:
            self.motor.gorev_tamamla(s, uuid, self.kayit.actor(actor_kod or kod), veri)

    def talep(self) -> Talep:
        with self.db.session() as s:
            return s.get(Talep, self.talep_id)

    def hareketler(self) -> list[str]:
        with self.db.session() as s:
            return list(s.scalars(select(Hareket.islem).where(Hareket.talep_id == self.talep_id)
                                  .order_by(Hareket.id)))

    def smsler(self) -> list[MesajKutusu]:
        with self.db.session() as s:
            return list(s.scalars(select(MesajKutusu).where(MesajKutusu.talep_id == self.talep_id)
                                  .order_by(MesajKutusu.id)))

    def yonlendir(self, valilikler=(), belediyeler=(), oncelik="normal"):
        self.tamamla("Task_Yonlendir", "MIGM", {
            "karar": "yonlendir",
            "valilik_yonlendirmeleri": [{"birim_id": self.kayit.birim[k], "oncelik": oncelik, "not": f"{k} notu"}
                                        for k in valilikler],
            "belediye_yonlendirmeleri": [{"birim_id": self.kayit.birim[k], "oncelik": oncelik, "not": f"{k} notu"}
                                         for k in belediyeler],
            "nihai_cevap": None})

    def islem_tamamla(self, bpmn_id, kod, notu="Gerekli çalışma yapıldı.", muhtara_acik=True, ekler=()):
        self.tamamla(bpmn_id, kod, {"islem_notu": notu, "muhtara_acik": muhtara_acik, "ekler": list(ekler)})

    def sureci_tamamla(self, cevap="Talebiniz ilgili birimlerce karşılanmıştır."):
        self.tamamla("Task_SureciTamamla", "MIGM", {"nihai_cevap": cevap})


@pytest.fixture
def surucu(database, motor, kayit):
    return Surucu(database, motor, kayit)


def _basvuru_sonrasi(s: Surucu):
    talep = s.talep()
    assert talep.durum == "bekleyen"
    assert talep.numara and talep.numara.endswith("-000001")
    assert s.gorevler() == [("Task_Yonlendir", "MIGM")]
    assert s.hareketler() == ["basvuru", "kaydedildi"]
    sms = s.smsler()
    assert len(sms) == 1 and sms[0].alici == "+905321234512" and talep.numara in sms[0].metin


def _sonuc(s: Surucu, cevap: str):
    talep = s.talep()
    assert talep.durum == "sonuclanan" and talep.nihai_cevap == cevap and talep.sonuclanma
    assert s.gorevler() == []
    sms = s.smsler()
    assert len(sms) == 2 and "sonuçlanmıştır" in sms[1].metin and sms[1].durum == "bekliyor"
    with s.db.session() as ses:
        instance = ses.get(ProcessInstance, talep.instance_id)
        assert instance.status == "tamamlandi"


def test_yalniz_belediye(surucu):
    s = surucu.baslat()
    _basvuru_sonrasi(s)
    s.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"], oncelik="acil")
    assert s.talep().durum == "yonlendirilen" and s.talep().oncelik == "acil"
    assert s.gorevler() == [("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")]
    s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA", notu="Lambalar değiştirildi.")
    assert s.gorevler() == [("Task_SureciTamamla", "MIGM")]
    assert s.talep().durum == "yonlendirilen"
    s.sureci_tamamla("Lambalar değiştirildi.")
    _sonuc(s, "Lambalar değiştirildi.")
    assert s.hareketler() == ["basvuru", "kaydedildi", "yonlendirildi", "birime_iletildi", "islem_tamamlandi",
                              "surec_tamamlandi", "sonuclandi"]
    with s.db.session() as ses:
        part = ses.scalars(select(Yonlendirme)).one()
        assert (part.durum, part.cevap, part.oncelik) == ("tamamlandi", "Lambalar değiştirildi.", "acil")
        # the note was moved to SQL, not left in the process data
        assert (part.son_tarih - part.olusturma).days == 3


def test_valilik_uzerine_alir(surucu):
    s = surucu.baslat(tur="istek")
    s.yonlendir(valilikler=["VALILIK-06"])
    assert s.gorevler() == [("Task_UzerineAl", "VALILIK-06")]
    s.tamamla("Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": []})
    assert s.gorevler() == [("Task_ValilikTamamla", "VALILIK-06")]
    s.islem_tamamla("Task_ValilikTamamla", "VALILIK-06")
    assert s.gorevler() == [("Task_SureciTamamla", "MIGM")]
    s.sureci_tamamla("Valilikçe gereği yapıldı.")
    _sonuc(s, "Valilikçe gereği yapıldı.")
    assert "uzerine_alindi" in s.hareketler()


def test_valilik_iki_alt_birim(surucu):
    s = surucu.baslat(tur="ihbar")
    s.yonlendir(valilikler=["VALILIK-06"], oncelik="yuksek")
    alt = [{"birim_id": s.kayit.birim[k], "not": f"{k} incelesin"} for k in ("SAGLIK-06", "MEB-06")]
    s.tamamla("Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": alt})
    assert s.gorevler() == [("Task_AltBirimTamamla", "MEB-06"), ("Task_AltBirimTamamla", "SAGLIK-06")]
    ek = {"sha256": "a" * 64, "dosya_adi": "rapor.pdf", "icerik_turu": "application/pdf", "boyut": 1234}
    s.islem_tamamla("Task_AltBirimTamamla", "SAGLIK-06", notu="Sağlık taraması yapıldı.", ekler=[ek])
    # the Valilik's own completion opens only when all its sub-units are done
    assert s.gorevler() == [("Task_AltBirimTamamla", "MEB-06")]
    s.islem_tamamla("Task_AltBirimTamamla", "MEB-06", notu="Okul ziyaret edildi.", muhtara_acik=False)
    assert s.gorevler() == [("Task_ValilikTamamla", "VALILIK-06")]
    s.islem_tamamla("Task_ValilikTamamla", "VALILIK-06", notu="Alt birimler işlemi tamamladı.")
    s.sureci_tamamla("Gerekli denetimler yapıldı.")
    _sonuc(s, "Gerekli denetimler yapıldı.")
    with s.db.session() as ses:
        parts = {s.kod_by_id[p.birim_id]: p for p in ses.scalars(select(Yonlendirme))}
        assert parts["SAGLIK-06"].ust_id == parts["VALILIK-06"].id
        assert parts["MEB-06"].cevap == "Okul ziyaret edildi." and not parts["MEB-06"].cevap_muhtara_acik
        assert all(p.durum == "tamamlandi" for p in parts.values())
        assert ses.scalars(select(Ek)).one().dosya_adi == "rapor.pdf"
    assert s.hareketler().count("islem_tamamlandi") == 3
    assert "alt_birime_yonlendirildi" in s.hareketler()


def test_valilik_ve_belediye_paralel(surucu):
    s = surucu.baslat(tur="gorus_oneri")
    s.yonlendir(valilikler=["VALILIK-06"], belediyeler=["BELEDIYE-06-CANKAYA"])
    assert s.gorevler() == [("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA"), ("Task_UzerineAl", "VALILIK-06")]
    s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
    assert s.gorevler() == [("Task_UzerineAl", "VALILIK-06")]  # MİGM waits for every unit
    s.tamamla("Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": []})
    s.islem_tamamla("Task_ValilikTamamla", "VALILIK-06")
    assert s.gorevler() == [("Task_SureciTamamla", "MIGM")]
    s.sureci_tamamla("Tamam.")
    _sonuc(s, "Tamam.")


def test_yonlendirmeden_kapatma(surucu):
    s = surucu.baslat()
    s.tamamla("Task_Yonlendir", "MIGM", {"karar": "kapat", "valilik_yonlendirmeleri": [],
                                         "belediye_yonlendirmeleri": [],
                                         "nihai_cevap": "Talebiniz idaremizin görev alanı dışındadır."})
    _sonuc(s, "Talebiniz idaremizin görev alanı dışındadır.")
    assert s.hareketler() == ["basvuru", "kaydedildi", "yonlendirilmeden_kapatildi", "sonuclandi"]


def test_tamamlanmis_gorev_ve_baska_birim(surucu):
    s = surucu.baslat()
    s.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    uuid = s.gorev_uuid("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
    veri = {"islem_notu": "x y z", "muhtara_acik": True, "ekler": []}
    with pytest.raises(GorevYetkisiz):
        with s.db.unit_of_work() as ses:
            s.motor.gorev_tamamla(ses, uuid, s.kayit.actor("BELEDIYE-35-KONAK"), veri)
    assert s.gorevler() == [("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")]
    with s.db.unit_of_work() as ses:
        s.motor.gorev_tamamla(ses, uuid, s.kayit.actor("BELEDIYE-06-CANKAYA"), veri)
    hareket_sayisi = len(s.hareketler())
    with pytest.raises(GorevTamamlanmis) as err:
        with s.db.unit_of_work() as ses:
            s.motor.gorev_tamamla(ses, uuid, s.kayit.actor("BELEDIYE-06-CANKAYA"), veri)
    assert "zaten tamamlanmış" in err.value.mesaj
    assert len(s.hareketler()) == hareket_sayisi


def test_valilik_baska_ilin_alt_birimine_yonlendiremez(surucu):
    s = surucu.baslat()
    s.yonlendir(valilikler=["VALILIK-06"])
    with pytest.raises(GecersizVeri) as err:
        s.tamamla("Task_UzerineAl", "VALILIK-06",
                  {"alt_yonlendirmeler": [{"birim_id": s.kayit.birim["SAGLIK-35"], "not": "x"}]})
    assert "yönlendirme yapılamaz" in err.value.mesaj
    assert s.gorevler() == [("Task_UzerineAl", "VALILIK-06")]  # nothing changed


def test_korunan_veri_yazilamaz(surucu):
    s = surucu.baslat()
    with pytest.raises(GecersizVeri):
        s.tamamla("Task_Yonlendir", "MIGM", {"karar": "kapat", "nihai_cevap": "x", "migm_birim_id": 999})


def test_cift_tiklama_tek_talep(database, motor, kayit):
    for _ in range(2):
        with database.unit_of_work() as s:
            motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="istek", aciklama="Parkımıza bank istiyoruz.",
                               istek_anahtari="abc123")
    with database.session() as s:
        assert len(s.scalars(select(Talep)).all()) == 1


@pytest.mark.parametrize("tur,aciklama,mesaj", [
    ("dilek", "Yeterince uzun bir açıklama", "Başvuru türü"),
    ("istek", "   kısa  ", "en az 10"),
    ("istek", "x" * 4001, "en çok 4000"),
])
def test_gecersiz_basvuru(database, motor, kayit, tur, aciklama, mesaj):
    with pytest.raises(GecersizVeri) as err:
        with database.unit_of_work() as s:
            motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur=tur, aciklama=aciklama)
    assert mesaj in err.value.mesaj
    with database.session() as s:
        assert s.scalars(select(Talep)).first() is None


def test_tutarlilik_denetimi(surucu, database):
    from engine.tutarlilik import tutarlilik_denetle
    s = surucu.baslat()
    s.yonlendir(valilikler=["VALILIK-06"], belediyeler=["BELEDIYE-06-CANKAYA"])
    Surucu(database, s.motor, s.kayit).baslat()
    with database.session() as ses:
        assert tutarlilik_denetle(ses) == (2, [])
    with database.unit_of_work() as ses:  # an inbox row lost: the check must see it
        ses.delete(ses.scalars(select(HumanTask).where(HumanTask.bpmn_id == "Task_UzerineAl")).one())
    with database.session() as ses:
        sayi, sorunlar = tutarlilik_denetle(ses)
    assert sayi == 2 and len(sorunlar) == 1 and "gelen kutusu süreçle uyuşmuyor (eksik 1, fazla 0)" in sorunlar[0]


def test_yeni_talep_ve_sonuc_epostalari(database, kayit):
    """With a link maker, the engine e-mails the unit a task arrives for (MİGM for a new talep) and the
    muhtar's institutional address when the talep closes."""
    from engine.models import Kullanici, Muhtar
    from engine.runtime import Motor
    with database.unit_of_work() as ses:
        ses.get(Muhtar, kayit.muhtar_id).eposta = "akpinar.cankaya@muhtar.example.gov.tr"
        migm = ses.scalars(select(Kullanici).where(Kullanici.birim_id == kayit.birim["MIGM"])).first()
        migm.eposta = "migm@example.gov.tr"
    s = Surucu(database, Motor(bildirim_baglantisi=lambda i: f"https://mbs.example/kurum/talep/{i}"), kayit)
    s.baslat()
    s.tamamla("Task_Yonlendir", "MIGM", {"karar": "kapat", "valilik_yonlendirmeleri": [],
                                         "belediye_yonlendirmeleri": [], "nihai_cevap": "Görev alanımız dışında."})
    with database.session() as ses:
        epostalar = ses.scalars(select(MesajKutusu).where(MesajKutusu.kanal == "eposta")
                                .order_by(MesajKutusu.id)).all()
    assert [m.alici for m in epostalar] == ["migm@example.gov.tr", "akpinar.cankaya@muhtar.example.gov.tr"]
    assert f"https://mbs.example/kurum/talep/{s.talep_id}" in epostalar[0].metin
    assert "Görev alanımız dışında." in epostalar[1].metin


def test_parcasi_olmayan_birime_gorev_verilmez_ve_hic_bir_sey_yazilmaz(database, kayit):
    """A unit sees a talep through its part alone, so a process (e.g. an analyst's edit) that gives a Belediye
    a task without recording its part is refused: the routing is rolled back whole, the MİGM task stays open."""
    from engine.errors import SurecHatasi
    from engine.runtime import Motor
    from engine.servisler import VARSAYILAN_SERVISLER

    def yalniz_valilik_parcalari(ctx, task, params):
        params = dict(params, liste=[i for i in params.get("liste") or []
                                     if i["birim_id"] != kayit.birim["BELEDIYE-06-CANKAYA"]])
        return VARSAYILAN_SERVISLER["yonlendirme/kaydet"](ctx, task, params)

    motor = Motor(servisler={**VARSAYILAN_SERVISLER, "yonlendirme/kaydet": yalniz_valilik_parcalari})
    s = Surucu(database, motor, kayit).baslat()
    with pytest.raises(SurecHatasi, match="yönlendirme(si)? yok"):
        s.yonlendir(valilikler=["VALILIK-06"], belediyeler=["BELEDIYE-06-CANKAYA"])
    assert s.talep().durum == "bekleyen"
    assert s.gorevler() == [("Task_Yonlendir", "MIGM")]
    with database.session() as oturum:
        assert oturum.scalars(select(Yonlendirme).where(Yonlendirme.talep_id == s.talep_id)).all() == []
