"""The dashboard's precomputed default view (``flask raporlar hazirla``, engine.rapor_ozeti): the page shows the
stored figures with their time, a stored result past RAPOR_OZET_SN is not shown, and the stored figures are the
live ones."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select, update

from engine import rapor_ozeti
from engine import raporlar as R
from engine.models import Kullanici, RaporOzeti
from tests.conftest import make_database
from tests.integration.sure_senaryosu import kur, oynat
from tests.web.conftest import test_config
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401  (autouse: fast test logins)
from tests.web.kurum_yardim import KurumOrtami, metin, oturumlu, parola_hash
from webapp import create_app


@pytest.fixture
def ortam(tmp_path):
    db = make_database(tmp_path)
    s = kur(db)
    oynat(s)
    with db.unit_of_work() as ses:
        ses.execute(update(Kullanici).values(parola_hash=parola_hash()))

    def uygulama(**ayar):
        app = create_app(test_config(db, MESAJ_TESLIM="kapali", UPLOAD_DIR=str(tmp_path / "ekler"), **ayar))
        app.extensions["mbs_motor"] = s.motor
        return KurumOrtami(app, db, s.kayit)
    yield uygulama, s
    db.dispose()


def _duz(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>|<script.*?</script>", "", html,
                                                                  flags=re.S)))


def _yeni_talep(s) -> None:
    with s.db.unit_of_work() as ses:
        s.motor.talep_baslat(ses, muhtar_id=s.kayit.muhtar_id, tur="istek",
                             aciklama="Özetten sonra gelen talep: parka bank istiyoruz.")


def test_pano_hazir_ozeti_zamaniyla_gosterir_eskisini_gostermez(ortam):
    uygulama, s = ortam
    k = uygulama()
    sonuc = k.app.test_cli_runner().invoke(args=["raporlar", "hazirla"])
    assert sonuc.exit_code == 0, sonuc.output
    assert "3 kapsamın rapor özeti hazırlandı" in sonuc.output  # MİGM and the two Valilikler
    zaman = s.motor.saat().astimezone(R.TURKIYE).strftime("%d.%m.%Y %H:%M")
    _yeni_talep(s)
    s.saat.an = s.saat.an.replace(minute=(s.saat.an.minute + 5) % 60)  # a few minutes later, same day

    html = _duz(metin(oturumlu(k, "MIGM").get("/kurum/raporlar/")))
    assert "6 talep" in html and f"rakamlar {zaman} itibarıyla" in html  # the stored figures, not 7
    # the table's export reads the same stored figures as the page
    satirlar = list(csv.reader(io.StringIO(
        oturumlu(k, "MIGM").get("/kurum/raporlar/tablo/durum.csv").get_data(as_text=True)[1:]), delimiter=";"))
    assert sum(int(r[1]) for r in satirlar[1:]) == 6

    # past RAPOR_OZET_SN the stored result is not shown: the figures are live (7 talepler)
    canli = uygulama(RAPOR_OZET_SN=0)
    assert "7 talep" in _duz(metin(oturumlu(canli, "MIGM").get("/kurum/raporlar/")))
    with s.db.session() as ses:
        assert ses.scalar(select(func.count()).select_from(RaporOzeti)) == 9  # 3 scopes x 3 reports


def test_hazir_ozet_canli_hesapla_ayni(ortam):
    _uygulama, s = ortam
    simdi = s.motor.saat()
    bugun = simdi.astimezone(R.TURKIYE).date()
    assert rapor_ozeti.hazirla(s.db, simdi, bugun) == 3
    filtre = rapor_ozeti.varsayilan_filtre(bugun)
    with s.db.session() as ses:
        for kapsam in rapor_ozeti.kapsamlar(ses):
            for ad, hesapla in rapor_ozeti.RAPORLAR.items():
                deger, zaman = rapor_ozeti.oku(ses, ad, kapsam, filtre, simdi)
                assert zaman == simdi
                assert deger == hesapla(ses, kapsam, filtre, simdi), (ad, kapsam)
        # older than asked for: not returned
        assert rapor_ozeti.oku(ses, "sayi", R.Kapsam(), filtre, simdi.replace(year=simdi.year + 1)) is None
        # another filter: nothing stored
        assert rapor_ozeti.oku(ses, "sayi", R.Kapsam(), R.Filtre(tur="istek"), simdi.replace(year=2000)) is None
