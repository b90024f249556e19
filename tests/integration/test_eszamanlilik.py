"""Two units answer the same talep at the same moment: both answers are kept, every time."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from engine.errors import GorevTamamlanmis
from engine.models import Hareket, HumanTask, ProcessInstance, Yonlendirme
from engine.runtime import Motor
from tests.engine.conftest import kayit_olustur

TEKRAR = 50


def _acik_gorev(database, talep_id, bpmn_id):
    with database.session() as s:
        return s.scalars(select(HumanTask.task_uuid).where(
            HumanTask.talep_id == talep_id, HumanTask.bpmn_id == bpmn_id, HumanTask.durum == "acik")).one()


def _hazirla(database, motor, kayit) -> int:
    """A talep waiting on both the Valilik's and the Belediye's İşlemi tamamla."""
    with database.unit_of_work() as s:
        talep_id = motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="istek",
                                      aciklama="Okul önüne yaya geçidi istiyoruz.").id
    with database.unit_of_work() as s:
        motor.gorev_tamamla(s, _acik_gorev(database, talep_id, "Task_Yonlendir"), kayit.actor("MIGM"), {
            "karar": "yonlendir", "nihai_cevap": None,
            "valilik_yonlendirmeleri": [{"birim_id": kayit.birim["VALILIK-06"], "oncelik": "normal", "not": "v"}],
            "belediye_yonlendirmeleri": [{"birim_id": kayit.birim["BELEDIYE-06-CANKAYA"], "oncelik": "normal",
                                          "not": "b"}]})
    with database.unit_of_work() as s:
        motor.gorev_tamamla(s, _acik_gorev(database, talep_id, "Task_UzerineAl"), kayit.actor("VALILIK-06"),
                            {"alt_yonlendirmeler": []})
    return talep_id


def _ayni_anda(database, motor, isler):
    """Run each (task uuid, actor, data) in its own thread and transaction, released together."""
    engel = threading.Barrier(len(isler))
    hatalar = []

    def calis(uuid, actor, veri):
        try:
            engel.wait()
            with database.unit_of_work() as s:
                motor.gorev_tamamla(s, uuid, actor, veri)
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            hatalar.append(err)

    threads = [threading.Thread(target=calis, args=is_) for is_ in isler]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return hatalar


def test_valilik_ve_belediye_ayni_anda(database):
    motor, kayit = Motor(), kayit_olustur(database)
    for i in range(TEKRAR):
        talep_id = _hazirla(database, motor, kayit)
        hatalar = _ayni_anda(database, motor, [
            (_acik_gorev(database, talep_id, "Task_ValilikTamamla"), kayit.actor("VALILIK-06"),
             {"islem_notu": f"valilik {i}", "muhtara_acik": True, "ekler": []}),
            (_acik_gorev(database, talep_id, "Task_BelediyeTamamla"), kayit.actor("BELEDIYE-06-CANKAYA"),
             {"islem_notu": f"belediye {i}", "muhtara_acik": True, "ekler": []}),
        ])
        assert hatalar == [], f"tekrar {i}: {hatalar}"
        with database.session() as s:
            cevaplar = sorted(s.scalars(select(Yonlendirme.cevap).where(Yonlendirme.talep_id == talep_id)))
            assert cevaplar == [f"belediye {i}", f"valilik {i}"]
            acik = s.scalars(select(HumanTask.bpmn_id).where(HumanTask.talep_id == talep_id,
                                                             HumanTask.durum == "acik")).all()
            assert acik == ["Task_SureciTamamla"], f"tekrar {i}: both answers must reach MİGM"
            instance_version = s.scalar(select(ProcessInstance.lock_version).join(
                HumanTask, HumanTask.instance_id == ProcessInstance.id).where(HumanTask.talep_id == talep_id)
                .limit(1))
            assert instance_version == 4  # yönlendir, üzerine al, two completions: one save each


def test_ayni_gorevi_iki_kisi_tamamlar(database):
    """The same task completed twice at once: one wins, the other gets a clear error, nothing doubles."""
    motor, kayit = Motor(), kayit_olustur(database)
    for i in range(10):
        talep_id = _hazirla(database, motor, kayit)
        uuid = _acik_gorev(database, talep_id, "Task_BelediyeTamamla")
        actor = kayit.actor("BELEDIYE-06-CANKAYA")
        hatalar = _ayni_anda(database, motor, [
            (uuid, actor, {"islem_notu": "birinci", "muhtara_acik": True, "ekler": []}),
            (uuid, actor, {"islem_notu": "ikinci", "muhtara_acik": True, "ekler": []}),
        ])
        assert len(hatalar) == 1 and isinstance(hatalar[0], GorevTamamlanmis), hatalar
        with database.session() as s:
            tamamlanan = s.scalar(select(func.count()).select_from(Hareket).where(
                Hareket.talep_id == talep_id, Hareket.islem == "islem_tamamlandi"))
            assert tamamlanan == 1
