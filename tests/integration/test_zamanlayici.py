"""Deadline timers on a clock the test controls: reminders, escalations, the day-30 progress SMS and the overdue
flags fire at their moment and once; two runners at once wake each instance once; no answer is ever lost."""
from __future__ import annotations

import threading
from sqlalchemy import func, select

from engine.models import Hareket, Kullanici, MesajKutusu, ProcessInstance, Talep, Yonlendirme
from engine.runtime import Motor
from engine.tutarlilik import tutarlilik_denetle
from engine.zamanlayici import zamanlayicilari_isle
from tests.engine.conftest import kayit_olustur
from tests.integration.sure_senaryosu import Saat, gun, kur, oynat

ZAMANLAYICI_ISLEMLERI = ("sure_hatirlatma", "sure_asimi", "ilerleme_bildirimi")


def test_sure_senaryosu(database):
    s = kur(database)
    t, b = s.talep, s.kayit.birim
    ara = {}

    def her_adimda(sen, gun_no):
        if gun_no in (7, 30):  # just before the B reminder and the C progress SMS: nothing yet
            with database.session() as ses:
                ara[gun_no] = ses.scalar(select(func.count()).select_from(Hareket).where(
                    Hareket.islem.in_(ZAMANLAYICI_ISLEMLERI)))

    oynat(s, her_adimda=her_adimda)
    assert ara == {7: 2, 30: 6}  # E's two by day 7; by day 30 also B's two and C's two

    # each timer fired once, at the first runner pass after its due time (runner every 12 hours)
    beklenen = {
        (t["E"], "sure_hatirlatma", b["VALILIK-35"], gun(3.5)), (t["E"], "sure_asimi", b["VALILIK-35"], gun(4.5)),
        (t["B"], "sure_hatirlatma", b["VALILIK-06"], gun(7.5)), (t["B"], "sure_asimi", b["VALILIK-06"], gun(8.5)),
        (t["C"], "sure_hatirlatma", b["BELEDIYE-35-KONAK"], gun(15.5)),
        (t["C"], "sure_asimi", b["BELEDIYE-35-KONAK"], gun(16.5)),
        (t["C"], "ilerleme_bildirimi", None, gun(30.5)),
    }
    with database.session() as ses:
        satirlar = ses.execute(select(Hareket.talep_id, Hareket.islem, Hareket.birim_id, Hareket.zaman)
                               .where(Hareket.islem.in_(ZAMANLAYICI_ISLEMLERI))).all()
        assert len(satirlar) == len(beklenen) and set(map(tuple, satirlar)) == beklenen
        # the runner woke exactly those moments (an instance with no due timer is never loaded)
        assert sorted(s.uyandirma) == sorted({(z, tid) for tid, _, _, z in beklenen})

        # e-mails: the reminded unit's users; MİGM for an escalation and for the legal deadline
        epostalar = {(m.talep_id, m.alici, m.konu.split(":")[0]) for m in ses.scalars(
            select(MesajKutusu).where(MesajKutusu.kanal == "eposta"))}
        assert epostalar == {
            (t["B"], "valilik-06@ornek.gov.tr", "Hatırlatma"), (t["B"], "migm@ornek.gov.tr", "Süre aşımı"),
            (t["C"], "belediye-35-konak@ornek.gov.tr", "Hatırlatma"), (t["C"], "migm@ornek.gov.tr", "Süre aşımı"),
            (t["C"], "migm@ornek.gov.tr", "Yasal süre doldu"),
            (t["E"], "valilik-35@ornek.gov.tr", "Hatırlatma"), (t["E"], "migm@ornek.gov.tr", "Süre aşımı"),
        }
        assert ses.scalar(select(func.count()).select_from(MesajKutusu).where(MesajKutusu.kanal == "eposta")) == 7

        # the progress SMS: only C, once, to C's muhtar, with the talep number (Law 3071 art. 7)
        c = ses.get(Talep, t["C"])
        ilerleme = ses.scalars(select(MesajKutusu).where(MesajKutusu.kanal == "sms",
                                                         MesajKutusu.metin.like("%işlemdedir%"))).all()
        assert [(m.talep_id, m.alici) for m in ilerleme] == [(t["C"], "+905365678956")]
        assert ilerleme[0].metin.startswith(f"{c.numara} numaralı talebiniz işlemdedir")
        assert c.ilerleme_bildirimi == gun(30.5) and c.durum == "yonlendirilen"

        # overdue flags: the talep and the late part
        gecikti = {harf: ses.get(Talep, tid).gecikti for harf, tid in t.items()}
        assert gecikti == {"A": False, "B": True, "C": True, "D": False, "E": True, "F": False}
        parcalar = {(p.talep_id, p.birim_id): p for p in ses.scalars(select(Yonlendirme))}
        assert {k for k, p in parcalar.items() if p.gecikti} == {
            (t["B"], b["VALILIK-06"]), (t["C"], b["BELEDIYE-35-KONAK"]), (t["E"], b["VALILIK-35"])}
        assert {k: p.hatirlatma for k, p in parcalar.items() if p.hatirlatma} == {
            (t["B"], b["VALILIK-06"]): gun(7.5), (t["C"], b["BELEDIYE-35-KONAK"]): gun(15.5),
            (t["E"], b["VALILIK-35"]): gun(3.5)}

        # nothing a unit wrote is lost: every answer, before or after a deadline passed, is in SQL
        assert {k: p.cevap for k, p in parcalar.items()} == {
            (t["A"], b["BELEDIYE-06-CANKAYA"]): "A: kaldırım onarıldı",
            (t["B"], b["VALILIK-06"]): "B: valilik süre geçtikten sonra tamamladı",
            (t["C"], b["BELEDIYE-35-KONAK"]): None,
            (t["D"], b["VALILIK-06"]): "D: valilik kısmı tamam",
            (t["D"], b["SAGLIK-06"]): "D: sağlık ekibi inceledi",
            (t["E"], b["BELEDIYE-06-CANKAYA"]): "E: belediye kısmı yapıldı",
            (t["E"], b["VALILIK-35"]): "E: valilik geç de olsa tamamladı",
        }
        assert ses.get(Talep, t["E"]).nihai_cevap == "E: iki birim de tamamladı."

        # no timer is left waiting; the state, inbox and log agree
        assert ses.scalar(select(func.count()).select_from(ProcessInstance)
                          .where(ProcessInstance.next_timer_at.is_not(None))) == 0
        assert tutarlilik_denetle(ses) == (6, [])

    s.saat.an = gun(60)
    assert s.calistir() == 0


def _kayit(database):
    """The engine tests' registry, every unit's user with an e-mail address."""
    kayit = kayit_olustur(database)
    with database.unit_of_work() as s:
        for k in s.scalars(select(Kullanici)):
            k.eposta = f"{k.kullanici_adi}@ornek.gov.tr"
    return kayit


def _talepler(database, motor, kayit, sayi, oncelik="acil"):
    """``sayi`` talepler routed to Çankaya Belediyesi at the clock's now."""
    from engine.models import HumanTask
    kimlikler = []
    for i in range(sayi):
        with database.unit_of_work() as s:
            kimlikler.append(motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="istek",
                                                aciklama=f"Talep {i}: yol bakımı gerekiyor.").id)
        with database.session() as s:
            uuid = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == kimlikler[-1])).one()
        with database.unit_of_work() as s:
            motor.gorev_tamamla(s, uuid, kayit.actor("MIGM"), {
                "karar": "yonlendir", "nihai_cevap": None, "valilik_yonlendirmeleri": [],
                "belediye_yonlendirmeleri": [{"birim_id": kayit.birim["BELEDIYE-06-CANKAYA"], "oncelik": oncelik,
                                              "not": ""}]})
    return kimlikler


def _iki_calistirici(database, saat):
    """Two runners (each its own Motor on the same clock) started together; their results."""
    engel = threading.Barrier(2)
    sonuclar, hatalar = [], []

    def calis():
        try:
            engel.wait()
            sonuclar.append(zamanlayicilari_isle(database, Motor(saat=saat)))
        except Exception as err:  # noqa: BLE001 - asserted below
            hatalar.append(err)

    threads = [threading.Thread(target=calis) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert hatalar == []
    return sonuclar


def _surumler(database, kimlikler):
    with database.session() as s:
        return dict(s.execute(select(Talep.id, ProcessInstance.lock_version)
                              .join(ProcessInstance, ProcessInstance.id == Talep.instance_id)
                              .where(Talep.id.in_(kimlikler))).all())


def _sayilar(database, islem):
    with database.session() as s:
        return dict(s.execute(select(Hareket.talep_id, func.count()).where(Hareket.islem == islem)
                              .group_by(Hareket.talep_id)).all())


def test_iki_calistirici_her_zamanlayiciyi_bir_kez_calistirir(database):
    kayit = _kayit(database)
    saat = Saat(gun(0))
    motor = Motor(saat=saat)
    kimlikler = _talepler(database, motor, kayit, 16)  # acil: reminder at day 2, due day 3, SMS day 30
    for an, islemler in ((gun(2.5), ["sure_hatirlatma"]), (gun(31), ["sure_asimi", "ilerleme_bildirimi"])):
        once = _surumler(database, kimlikler)
        saat.an = an
        sonuclar = _iki_calistirici(database, saat)
        # every instance woken by exactly one runner, once: one save each
        assert sum(r.uyandirilan for r in sonuclar) == len(kimlikler) and sum(r.hatali for r in sonuclar) == 0
        assert sorted(tid for r in sonuclar for tid in r.talepler) == sorted(kimlikler)
        assert _surumler(database, kimlikler) == {k: v + 1 for k, v in once.items()}
        for islem in islemler:
            assert _sayilar(database, islem) == {k: 1 for k in kimlikler}, islem
        assert sum(r.uyandirilan for r in _iki_calistirici(database, saat)) == 0  # nothing left at this time
    with database.session() as s:
        def sayi(kanal, kosul):
            return s.scalar(select(func.count()).select_from(MesajKutusu).where(MesajKutusu.kanal == kanal, kosul))
        assert sayi("sms", MesajKutusu.metin.like("%işlemdedir%")) == len(kimlikler)
        # the Belediye's one user reminded once per talep; MİGM's one user told twice (the part, the legal deadline)
        assert sayi("eposta", MesajKutusu.konu.like("Hatırlatma:%")) == len(kimlikler)
        assert sayi("eposta", MesajKutusu.alici == "migm@ornek.gov.tr") == 2 * len(kimlikler)
        assert tutarlilik_denetle(s)[1] == []


def test_gec_acilan_gorevin_zamanlayicisi_tekrar_bildirmez(database):
    """The Valilik's timers span its three waits: taken on day 5 after its reminder and escalation already went
    (acil, routed day 0: due day 3), Task_ValilikTamamla opens with both timers past; they fire at once, and the
    services see the part already reminded and escalated: nothing is sent twice, and its answer is kept."""
    from engine.models import HumanTask
    kayit = _kayit(database)
    saat = Saat(gun(0))
    motor = Motor(saat=saat)
    with database.unit_of_work() as s:
        talep_id = motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="sikayet",
                                      aciklama="Köprü yıkıldı, acil onarım gerekiyor.").id

    def tamamla(bpmn_id, kod, veri):
        with database.session() as s:
            uuid = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == talep_id,
                                                               HumanTask.bpmn_id == bpmn_id,
                                                               HumanTask.durum == "acik")).one()
        with database.unit_of_work() as s:
            motor.gorev_tamamla(s, uuid, kayit.actor(kod), veri)

    tamamla("Task_Yonlendir", "MIGM", {"karar": "yonlendir", "nihai_cevap": None, "belediye_yonlendirmeleri": [],
                                       "valilik_yonlendirmeleri": [{"birim_id": kayit.birim["VALILIK-06"],
                                                                    "oncelik": "acil", "not": ""}]})
    for an in (gun(2.5), gun(3.5)):
        saat.an = an
        assert zamanlayicilari_isle(database, motor).uyandirilan == 1
    saat.an = gun(5)
    tamamla("Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": []})
    saat.an = gun(6)
    tamamla("Task_ValilikTamamla", "VALILIK-06", {"islem_notu": "Köprü onarıldı.", "muhtara_acik": True,
                                                  "ekler": []})
    assert _sayilar(database, "sure_hatirlatma") == {talep_id: 1}
    assert _sayilar(database, "sure_asimi") == {talep_id: 1}
    with database.session() as s:
        part = s.scalars(select(Yonlendirme).where(Yonlendirme.talep_id == talep_id)).one()
        assert (part.cevap, part.gecikti, part.hatirlatma, part.tamamlanma) == (
            "Köprü onarıldı.", True, gun(2.5), gun(6))
        assert s.scalar(select(func.count()).select_from(MesajKutusu).where(MesajKutusu.kanal == "eposta")) == 2
        assert tutarlilik_denetle(s)[1] == []


def test_form_sureleri_degistiremez(database):
    """The due instants live in the process data; a form may not move them (they are protected keys)."""
    import pytest

    from engine.errors import GecersizVeri
    from engine.models import HumanTask
    kayit = _kayit(database)
    motor = Motor(saat=Saat(gun(0)))
    talep_id = _talepler(database, motor, kayit, 1)[0]
    with database.session() as s:
        uuid = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == talep_id,
                                                           HumanTask.durum == "acik")).one()
    with pytest.raises(GecersizVeri), database.unit_of_work() as s:
        motor.gorev_tamamla(s, uuid, kayit.actor("BELEDIYE-06-CANKAYA"), {
            "islem_notu": "x", "muhtara_acik": True, "ekler": [],
            "belediye_suresi": {"son_tarih": "2099-01-01T00:00:00+00:00", "hatirlatma": "2099-01-01T00:00:00+00:00"}})
