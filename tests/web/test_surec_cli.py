"""flask --app webapp surec listele | yukle DOSYA... | geri-al SURUM_ID | tasi SURUM_ID [--talep NUMARA...]"""
from __future__ import annotations

from sqlalchemy import func, select

from engine.models import ProcessInstance, ProcessVersion, SurumKaydi, Talep
from tests.engine.conftest import ROOT, kayit_olustur
from tests.engine.test_senaryolar import Surucu

from engine.runtime import Motor


def _dosya(tmp_path, ad, eski=None, yeni=None):
    metin = (ROOT / "processes" / ad).read_text(encoding="utf-8")
    if eski:
        assert eski in metin
        metin = metin.replace(eski, yeni, 1)
    yol = tmp_path / ad
    yol.write_text(metin, encoding="utf-8")
    return str(yol)


def test_surec_cli_yukle_listele_geri_al_tasi(app, runner, web_database, tmp_path):
    kayit = kayit_olustur(web_database)   # deploys processes/ as version 1
    bekleyen = Surucu(web_database, Motor(), kayit).baslat()

    # a broken file is refused with its problems; nothing changes
    bozuk = _dosya(tmp_path, "talep_sureci.bpmn", 'name="formKey" value="surec_tamamla"',
                   'name="formKey" value="olmayan_form"')
    sonuc = runner.invoke(args=["surec", "yukle", bozuk, "--yukleyen", "analist.ayse"])
    assert sonuc.exit_code == 1 and "'olmayan_form' formu forms/ içinde yok" in sonuc.output
    xxe = tmp_path / "xxe" / "talep_sureci.bpmn"
    xxe.parent.mkdir()
    xxe.write_text('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>')
    sonuc = runner.invoke(args=["surec", "yukle", str(xxe)])
    assert sonuc.exit_code == 1 and "DOCTYPE" in sonuc.output
    with web_database.session() as s:
        assert s.scalar(select(func.count()).select_from(ProcessVersion)) == 1
        assert s.scalar(select(func.count()).select_from(SurumKaydi)) == 0

    # one changed file replaces its namesake of the current version (the DMN is kept)
    sms = _dosya(tmp_path, "talep_sureci.bpmn", "numaralı talebiniz sonuçlanmıştır", "numaralı talebiniz cevaplandı")
    sonuc = runner.invoke(args=["surec", "yukle", sms, "--yukleyen", "analist.ayse"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "sürüm 2" in sonuc.output and "Task_SonucSms" not in sonuc.output and "1 değişen" in sonuc.output
    with web_database.session() as s:
        assert sorted(s.get(ProcessVersion, 2).files) == ["oneri.dmn", "talep_sureci.bpmn"]

    liste = runner.invoke(args=["surec", "listele"]).output.splitlines()
    assert liste[0].startswith("*    2") and "analist.ayse" in liste[0] and "çalışan 0, toplam 0" in liste[0]
    assert liste[1].startswith("     1") and "çalışan 1, toplam 1" in liste[1]

    # migrate the waiting talep of version 1 to the current version 2
    numara = bekleyen.talep().numara
    sonuc = runner.invoke(args=["surec", "tasi", "1", "--talep", numara, "--yukleyen", "analist.ayse"])
    assert sonuc.exit_code == 0, sonuc.output
    assert f"+ {numara}" in sonuc.output and "Taşınan: 1, taşınamayan: 0" in sonuc.output
    with web_database.session() as s:
        assert s.get(ProcessInstance, s.get(Talep, bekleyen.talep_id).instance_id).version_id == 2

    # roll back to version 1; an unknown version is a clear error
    sonuc = runner.invoke(args=["surec", "geri-al", "1", "--yukleyen", "analist.ayse"])
    assert sonuc.exit_code == 0 and "sürüm 1 güncel" in sonuc.output
    assert runner.invoke(args=["surec", "listele"]).output.splitlines()[1].startswith("*    1")
    sonuc = runner.invoke(args=["surec", "geri-al", "99"])
    assert sonuc.exit_code != 0 and "99 numaralı süreç sürümü yok" in sonuc.output
    # moving back from 2 to 1 is refused only where unsafe: here it is safe (nothing done since)
    sonuc = runner.invoke(args=["surec", "tasi", "2"])
    assert sonuc.exit_code == 0 and "Taşınan: 1" in sonuc.output
    with web_database.session() as s:
        assert [k.islem for k in s.scalars(select(SurumKaydi).order_by(SurumKaydi.id))] == ["yukleme", "geri_alma"]
