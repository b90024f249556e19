"""The ``flask --app webapp ...`` commands, run through Flask's CLI runner on the test database.

Commands that call a feature's engine module are skipped (with the reason) while that module is missing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from engine.models import Birim, Kullanici, MesajKutusu, ProcessVersion
from tests.conftest import PG_URL


def _modul(ad: str):
    return pytest.importorskip(ad, reason=f"{ad} henüz yok: bu komutun testi modül gelince çalışır")


@pytest.fixture
def bos_app(make_app, tmp_path):
    """An app on an EMPTY database (no tables): what `kurulum` and `db upgrade` meet on a new machine."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return make_app(DATABASE_URL=PG_URL)
    return make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'bos.db'}")


def _migm(app) -> int:
    with app.extensions["mbs_db"].unit_of_work() as s:
        birim = Birim(kod="MIGM", ad="Mahalli İdareler Genel Müdürlüğü", tur="MIGM", rol="MIGM")
        s.add(birim)
        s.flush()
        return birim.id


def test_db_upgrade_bos_veritabaninda(bos_app):
    sonuc = bos_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert sonuc.exit_code == 0, sonuc.output
    from alembic.script import ScriptDirectory

    from webapp import semalar
    head = ScriptDirectory.from_config(semalar.alembic_config("sqlite://")).get_current_head()
    assert f"Veritabanı şeması güncel (revizyon {head})." in sonuc.output


@pytest.mark.slow
def test_kurulum_bos_veritabaninda_ve_tekrar(bos_app):
    _modul("engine.kayit")
    _modul("engine.surecler")
    runner = bos_app.test_cli_runner()
    ilk = runner.invoke(args=["kurulum"])
    assert ilk.exit_code == 0, ilk.output
    assert "muhtarlik: 73305" in ilk.output
    assert "Kurulum tamamlandı." in ilk.output and "demo1234" in ilk.output
    ikinci = runner.invoke(args=["kurulum"])
    assert ikinci.exit_code == 0, ikinci.output
    assert "il: 0, ilce: 0, muhtarlik: 0, birim: 0" in ikinci.output
    assert "kullanici: 0, muhtar: 0" in ikinci.output
    with bos_app.extensions["mbs_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(ProcessVersion)) == 1
        assert s.scalar(select(Kullanici.id).where(Kullanici.kullanici_adi == "migm")) is not None


def test_surec_dogrula_depodaki_surecler_gecerli(runner):
    _modul("engine.surecler")
    sonuc = runner.invoke(args=["surec", "dogrula"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "Süreç dosyaları geçerli." in sonuc.output


def test_surec_dogrula_bozuk_dosya(make_app, tmp_path):
    _modul("engine.surecler")
    klasor = tmp_path / "surecler"
    klasor.mkdir()
    (klasor / "bozuk.bpmn").write_text("<bpmn:definitions xmlns:bpmn='x'><kapanmadi>", encoding="utf-8")
    sonuc = make_app(PROCESSES_DIR=str(klasor)).test_cli_runner().invoke(args=["surec", "dogrula"])
    assert sonuc.exit_code == 1
    assert "geçerli" not in sonuc.output.replace("geçersiz", "")
    assert sonuc.output.strip()


def test_surec_yukle_tekrarda_ayni_surum(app, runner, tmp_path):
    _modul("engine.surecler")
    assert runner.invoke(args=["surec", "yukle"]).exit_code == 0
    sonuc = runner.invoke(args=["surec", "yukle", "--yukleyen", "test"])
    assert sonuc.exit_code == 0, sonuc.output
    with app.extensions["mbs_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(ProcessVersion)) == 1


def test_kullanici_olustur_parola_gizli_sorulur(app, runner):
    _modul("engine.kayit")
    from engine.parola import parola_dogrula
    _migm(app)
    sonuc = runner.invoke(args=["kullanici", "olustur", "--kullanici-adi", "ayse.k", "--birim-kod", "MIGM",
                                "--ad-soyad", "Ayşe Kara", "--yetkiler", "analist"],
                          input="gizli-parola-1\ngizli-parola-1\n")
    assert sonuc.exit_code == 0, sonuc.output
    assert "gizli-parola-1" not in sonuc.output
    with app.extensions["mbs_db"].session() as s:
        kullanici = s.scalars(select(Kullanici).where(Kullanici.kullanici_adi == "ayse.k")).one()
    assert kullanici.yetkiler == "analist" and parola_dogrula(kullanici.parola_hash, "gizli-parola-1")


def test_kullanici_olustur_bilinmeyen_birim_acik_hata(runner):
    _modul("engine.kayit")
    sonuc = runner.invoke(args=["kullanici", "olustur", "--kullanici-adi", "x.y", "--birim-kod", "YOK-99",
                                "--ad-soyad", "X Y"], input="gizli-parola-1\ngizli-parola-1\n")
    assert sonuc.exit_code == 1
    assert "YOK-99" in sonuc.output and "Traceback" not in sonuc.output


def test_sms_listele(app, runner):
    mesaj = _modul("engine.mesaj")
    with app.extensions["mbs_db"].unit_of_work() as s:
        mesaj.sms_kuyruga_al(s, "+905321234512", "Talebiniz 2026-000001 numarasıyla alındı.")
        mesaj.sms_kuyruga_al(s, "+905321234512", "Giriş kodunuz: 123456", gizli=True)
    sonuc = runner.invoke(args=["sms", "listele", "--limit", "5"])
    assert sonuc.exit_code == 0, sonuc.output
    satirlar = sonuc.output.strip().splitlines()
    assert len(satirlar) == 2
    assert "123456" in satirlar[0]  # newest first; codes are shown in development
    assert "+905321234512" in satirlar[1] and "2026-000001" in satirlar[1] and "bekliyor" in satirlar[1]


def test_mesaj_gonder_bir_kez(app, runner):
    mesaj = _modul("engine.mesaj")
    with app.extensions["mbs_db"].unit_of_work() as s:
        mesaj.sms_kuyruga_al(s, "+905321234512", "Deneme")
    sonuc = runner.invoke(args=["mesaj", "gonder"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "gonderildi: 1" in sonuc.output
    with app.extensions["mbs_db"].session() as s:
        assert s.scalars(select(MesajKutusu.durum)).one() == "gonderildi"
