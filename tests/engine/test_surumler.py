"""Process versions: stored once, new talepler on the current one, running ones finish on their own."""
from __future__ import annotations

import json
import zlib

from sqlalchemy import func, select

from engine.models import ProcessInstance, ProcessVersion
from engine.surecler import dosyalari_oku, guncel_surum, guncel_yap, surum_yukle
from tests.engine.conftest import ROOT
from tests.engine.test_senaryolar import Surucu

ESKI = "numaralı talebiniz sonuçlanmıştır."
YENI = "numaralı talebiniz cevaplanmıştır."


def _yeni_surum(database):
    files = dosyalari_oku(ROOT / "processes")
    files["talep_sureci.bpmn"] = files["talep_sureci.bpmn"].replace(ESKI, YENI)
    with database.unit_of_work() as s:
        return surum_yukle(s, files, deployed_by="analist").id


def test_ayni_dosyalar_tek_surum(database, kayit):
    with database.unit_of_work() as s:
        v = surum_yukle(s, dosyalari_oku(ROOT / "processes"), deployed_by="tekrar")
        assert s.scalar(select(func.count()).select_from(ProcessVersion)) == 1
        assert v.current and v.deployed_by == "test"


def test_calisan_talep_kendi_surumunde_biter(database, motor, kayit):
    eski = Surucu(database, motor, kayit).baslat()
    eski.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    yeni_surum_id = _yeni_surum(database)
    yeni = Surucu(database, motor, kayit).baslat()
    yeni.yonlendir(belediyeler=["BELEDIYE-06-CANKAYA"])
    for s in (eski, yeni):
        s.islem_tamamla("Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA")
        s.sureci_tamamla("Tamamlandı.")
    assert ESKI in eski.smsler()[-1].metin
    assert YENI in yeni.smsler()[-1].metin
    with database.session() as s:
        assert s.get(ProcessInstance, yeni.talep().instance_id).version_id == yeni_surum_id
        assert s.get(ProcessInstance, eski.talep().instance_id).version_id != yeni_surum_id


def test_geri_alma(database, kayit):
    ilk_id = guncel_surum(database.session()).id
    _yeni_surum(database)
    with database.unit_of_work() as s:
        guncel_yap(s, s.get(ProcessVersion, ilk_id))
    with database.session() as s:
        assert guncel_surum(s).id == ilk_id
        assert s.scalar(select(func.count()).select_from(ProcessVersion).where(ProcessVersion.current)) == 1


def test_durum_tanim_icermez(database, motor, kayit):
    s = Surucu(database, motor, kayit).baslat()
    s.yonlendir(valilikler=["VALILIK-06"], belediyeler=["BELEDIYE-06-CANKAYA"])
    with database.session() as ses:
        instance = ses.get(ProcessInstance, s.talep().instance_id)
        durum = json.loads(zlib.decompress(instance.state))
        assert "spec" not in durum and "subprocess_specs" not in durum
        assert len(instance.state) < 8 * 1024
