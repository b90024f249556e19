"""``flask --app webapp tutarlilik``: the operators' consistency check after an incident (exit 1 on problems).

The drills (test_isci_oldurme, test_vt_kesintisi) run it on their live databases; here it is shown to see a
broken database, so their "0 tutarsızlık" means something.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from engine.models import Birim, Hareket, HumanTask, Talep, Yonlendirme
from tests.web.guvenlik_ortak import dunya_kur
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401


def test_tutarlilik_komutu_saglam_ve_bozuk_veritabaninda(make_app, web_database):
    d = dunya_kur(make_app, web_database)
    runner = d.app.test_cli_runner()
    sonuc = runner.invoke(args=["tutarlilik"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "2 süreç örneği, 0 tutarsızlık" in sonuc.output
    # break it four ways: a talep status, an inbox row, a hareket row, a task given to a unit with no part
    with d.db.unit_of_work() as s:
        parcasiz = s.scalars(select(Birim.id).where(Birim.rol == "ALT_BIRIM", Birim.id.not_in(
            select(Yonlendirme.birim_id).where(Yonlendirme.talep_id == d.talep["A"])))).first()
        s.execute(update(HumanTask).where(HumanTask.talep_id == d.talep["A"], HumanTask.rol == "ALT_BIRIM")
                  .values(birim_id=parcasiz))
        s.execute(update(Talep).where(Talep.id == d.talep["B"]).values(durum="sonuclanan"))
        s.execute(update(HumanTask).where(HumanTask.task_uuid == d.gorev["A-BELEDIYE"]).values(durum="tamamlandi"))
        s.execute(delete(Hareket).where(Hareket.talep_id == d.talep["A"], Hareket.islem == "islem_tamamlandi"))
    sonuc = runner.invoke(args=["tutarlilik", "--parti", "1"])
    assert sonuc.exit_code == 1, sonuc.output
    assert "talep durumu 'sonuclanan', beklenen 'bekleyen'" in sonuc.output
    assert "gelen kutusu süreçle uyuşmuyor" in sonuc.output
    assert "1 görev, birimin yönlendirmesi olmayan talepte" in sonuc.output
    assert "hareket" in sonuc.output and "2 süreç örneği, 4 tutarsızlık" in sonuc.output
