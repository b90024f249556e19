"""The script environment and service registry: restricted expressions, handler errors as task errors."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.betik import KisitliOrtam
from engine.errors import ServisHatasi
from engine.models import HumanTask, MesajKutusu, ProcessInstance, Talep
from engine.runtime import Motor
from engine.servisler import VARSAYILAN_SERVISLER


@pytest.mark.parametrize("ifade", ["__import__('os')", "open('/etc/passwd')", "eval('1')",
                                   "exec('x = 1')", "compile('1', 'x', 'eval')"])
def test_yasak_adlar_calismaz(ifade):
    with pytest.raises(NameError):
        KisitliOrtam().evaluate(ifade, {})


def test_izinli_ifadeler_calisir():
    veri = {"liste": [{"birim_id": 3}, {"birim_id": 1}]}
    assert KisitliOrtam().evaluate("sorted(x['birim_id'] for x in liste)", veri) == [1, 3]
    assert KisitliOrtam().evaluate("len(liste) > 0 and max(1, 2) == 2", veri) is True


def test_import_betikte_calismaz():
    with pytest.raises(ImportError):
        KisitliOrtam().execute("import os", {})


def test_servis_hatasi_hicbir_sey_degistirmez(database, kayit):
    def bozuk_sms(ctx, task, params):
        raise ConnectionError("sağlayıcıya ulaşılamadı")

    motor = Motor(servisler={**VARSAYILAN_SERVISLER, "sms/gonder": bozuk_sms})
    with pytest.raises(ServisHatasi) as err:
        with database.unit_of_work() as s:
            motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="istek", aciklama="Parka çöp kutusu istiyoruz.")
    assert "sms/gonder" in str(err.value) and "Task_AlindiSms" in str(err.value)
    assert err.value.mesaj == "Süreç adımı çalıştırılamadı; işlem kaydedilmedi."
    with database.session() as s:
        for model in (Talep, ProcessInstance, HumanTask, MesajKutusu):
            assert s.scalar(select(func.count()).select_from(model)) == 0


def test_kayitli_olmayan_servis(database, kayit):
    motor = Motor(servisler={k: v for k, v in VARSAYILAN_SERVISLER.items() if k != "talep/kaydet"})
    with pytest.raises(ServisHatasi) as err:
        with database.unit_of_work() as s:
            motor.talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="istek", aciklama="Parka çöp kutusu istiyoruz.")
    assert "Kayıtlı olmayan servis işlemi: talep/kaydet" in str(err.value)
