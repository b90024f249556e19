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


def _mesaj_ekle(app, durum: str, yas_gun: int, gizli: bool = False, metin: str = "Talebiniz alındı.") -> int:
    """An outbox row that became final (or was queued) ``yas_gun`` days ago."""
    from datetime import timedelta

    from engine.models import utcnow
    an = utcnow() - timedelta(days=yas_gun)
    with app.extensions["mbs_db"].unit_of_work() as s:
        m = MesajKutusu(kanal="sms", alici="+905321234512", metin=metin, gizli=gizli, durum=durum, deneme_sayisi=1,
                        olusturma=an, sonraki_deneme=an, gonderilme=an if durum == "gonderildi" else None)
        s.add(m)
        s.flush()
        return m.id


def _mesaj_kutusu(app) -> dict[int, tuple[str, str]]:
    with app.extensions["mbs_db"].session() as s:
        return {m.id: (m.durum, m.metin) for m in s.scalars(select(MesajKutusu))}


def test_mesaj_temizle_eski_mesajlari_siler_ve_sayiyi_yazar(app, runner):
    _modul("engine.mesaj.temizlik")
    eskiler = [_mesaj_ekle(app, "gonderildi", 100), _mesaj_ekle(app, "gonderildi", 95),
               _mesaj_ekle(app, "basarisiz", 91)]
    yeni = _mesaj_ekle(app, "gonderildi", 10)
    bekleyen = _mesaj_ekle(app, "bekliyor", 200)
    kod = _mesaj_ekle(app, "gonderildi", 1, gizli=True, metin="Giriş kodunuz: 123456")

    sonuc = runner.invoke(args=["mesaj", "temizle", "--parti", "2"])

    assert sonuc.exit_code == 0, sonuc.output
    assert sonuc.output.strip() == ("Giden kutusu temizlendi: 90 günden eski 3 mesaj silindi, "
                                    "1 mesajda onay kodu metni silindi.")
    kalan = _mesaj_kutusu(app)
    assert sorted(kalan) == sorted([yeni, bekleyen, kod]) and not set(eskiler) & set(kalan)
    assert kalan[kod] == ("gonderildi", "[onay kodu silindi]")
    tekrar = runner.invoke(args=["mesaj", "temizle"])
    assert "0 mesaj silindi, 0 mesajda" in tekrar.output


def test_mesaj_temizle_gun_secenegi_ve_ayar(make_app, monkeypatch):
    _modul("engine.mesaj.temizlik")
    monkeypatch.setenv("MBS_MESAJ_SAKLAMA_GUN", "30")
    app = make_app()
    otuz_bes, yirmi, bes = (_mesaj_ekle(app, "gonderildi", g) for g in (35, 20, 5))
    runner = app.test_cli_runner()

    sonuc = runner.invoke(args=["mesaj", "temizle"])  # MBS_MESAJ_SAKLAMA_GUN=30
    assert sonuc.exit_code == 0, sonuc.output
    assert "30 günden eski 1 mesaj silindi" in sonuc.output
    assert sorted(_mesaj_kutusu(app)) == [yirmi, bes]

    sonuc = runner.invoke(args=["mesaj", "temizle", "--gun", "7"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "7 günden eski 1 mesaj silindi" in sonuc.output
    assert sorted(_mesaj_kutusu(app)) == [bes] and otuz_bes not in _mesaj_kutusu(app)


def test_mesaj_temizle_gecersiz_gun_turkce_hata(app, runner):
    _modul("engine.mesaj.temizlik")
    kimlik = _mesaj_ekle(app, "gonderildi", 400)
    sonuc = runner.invoke(args=["mesaj", "temizle", "--gun", "0"])
    assert sonuc.exit_code == 1
    assert "en az 1 gün" in sonuc.output and "Traceback" not in sonuc.output
    assert list(_mesaj_kutusu(app)) == [kimlik]
