"""``flask --app webapp zamanlayici calistir``: wakes due timers on the app's engine clock and delivers what they
queued (development backends), then finds nothing more to do."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.models import Hareket, MesajKutusu
from engine.runtime import Motor
from tests.integration.sure_senaryosu import Saat, gun
from tests.integration.test_zamanlayici import _kayit, _talepler


def test_zamanlayici_calistir(make_app, web_database):
    kayit = _kayit(web_database)
    saat = Saat(gun(0))
    _talepler(web_database, Motor(saat=saat), kayit, 2)  # acil to Çankaya: reminder due on day 2
    app = make_app(MESAJ_TESLIM="senkron")
    saat.an = gun(2.5)
    app.extensions["mbs_motor"] = Motor(saat=saat)
    runner = app.test_cli_runner()
    sonuc = runner.invoke(args=["zamanlayici", "calistir"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "uyandırılan talep: 2, hatalı: 0" in sonuc.output
    with web_database.session() as s:
        assert s.scalar(select(func.count()).select_from(Hareket).where(Hareket.islem == "sure_hatirlatma")) == 2
        durumlar = set(s.scalars(select(MesajKutusu.durum).where(MesajKutusu.kanal == "eposta")))
        assert durumlar == {"gonderildi"}
    assert "uyandırılan talep: 0" in runner.invoke(args=["zamanlayici", "calistir"]).output
    assert "--dongu" in runner.invoke(args=["zamanlayici", "calistir", "--help"]).output
