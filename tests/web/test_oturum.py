"""Flask-Login loader for both kinds of user, and the request-scoped session."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import text

from engine.db import IMMEDIATE
from engine.models import Birim, Il, Ilce, Kullanici, Muhtar, Muhtarlik
from webapp.db import get_session
from webapp.oturum import KurumOturumu, MuhtarOturumu, bugun, guvenli_hedef, kullanici_yukle


@pytest.fixture
def kisiler(app):
    """One kurum user, one muhtar in office, one whose term has ended, one inactive user."""
    with app.extensions["mbs_db"].unit_of_work() as s:
        s.add(Il(kod="06", ad="Ankara"))
        ilce = Ilce(il_kod="06", ad="Çankaya")
        s.add(ilce)
        s.flush()
        mahalle = Muhtarlik(ilce_id=ilce.id, ad="Akpınar Mah")
        birim = Birim(kod="MIGM", ad="MİGM", tur="MIGM", rol="MIGM")
        s.add_all([mahalle, birim])
        s.flush()
        kurum = Kullanici(kullanici_adi="migm", ad_soyad="MİGM Yöneticisi", parola_hash="x", birim_id=birim.id)
        pasif = Kullanici(kullanici_adi="eski", ad_soyad="Eski", parola_hash="x", birim_id=birim.id, aktif=False)
        gorevde = Muhtar(muhtarlik_id=mahalle.id, tc_kimlik_no="10000000146", ad_soyad="Ayşe Yılmaz",
                         telefon="+905321234512", gorev_baslangic=date(2024, 4, 1))
        bitmis = Muhtar(muhtarlik_id=mahalle.id, tc_kimlik_no="10000000214", ad_soyad="Eski Muhtar",
                        telefon="+905321234513", gorev_baslangic=date(2019, 4, 1), gorev_bitis=bugun())
        s.add_all([kurum, pasif, gorevde, bitmis])
        s.flush()
        return {"kurum": kurum.id, "pasif": pasif.id, "gorevde": gorevde.id, "bitmis": bitmis.id}


def test_kurum_kullanicisi_yuklenir(app, kisiler):
    with app.test_request_context():
        oturum = kullanici_yukle(f"k:{kisiler['kurum']}:0")
        assert isinstance(oturum, KurumOturumu)
        assert oturum.get_id() == f"k:{kisiler['kurum']}:0" and oturum.ad_soyad == "MİGM Yöneticisi"
        assert oturum.tur == "kurum" and oturum.is_active


def test_gorevdeki_muhtar_yuklenir(app, kisiler):
    with app.test_request_context():
        oturum = kullanici_yukle(f"m:{kisiler['gorevde']}:0")
        assert isinstance(oturum, MuhtarOturumu) and oturum.get_id() == f"m:{kisiler['gorevde']}:0"
        assert oturum.tur == "muhtar" and oturum.muhtarlik_id is not None


@pytest.mark.parametrize("kimlik", [
    "m:{bitmis}:0", "k:{pasif}:0", "k:999999:0", "m:abc:0", "x:{kurum}:0", "", "{kurum}", "{kurum}:0",
    # the generation: another number, none (the format before 0014), not ASCII digits, extra parts
    "k:{kurum}:1", "m:{gorevde}:1", "k:{kurum}", "m:{gorevde}", "k:{kurum}:", "k:{kurum}:-0", "k:{kurum}:٠",
    "k:{kurum}: 0", "k:{kurum}:0:0", "k::0",
])
def test_yuklenemeyenler_oturumsuz(app, kisiler, kimlik):
    with app.test_request_context():
        assert kullanici_yukle(kimlik.format(**kisiler)) is None


def test_gorev_suresi_bugun_bitiyorsa_gorevde_degil():
    from webapp.oturum import gorevde
    muhtar = Muhtar(gorev_bitis=date(2026, 11, 28))
    assert not gorevde(muhtar, date(2026, 11, 28))
    assert gorevde(muhtar, date(2026, 11, 28) - timedelta(days=1))


@pytest.mark.parametrize("yontem, kilitli", [("GET", False), ("HEAD", False), ("POST", True)])
def test_yazan_istekler_yazma_oturumu_alir(app, yontem, kilitli):
    with app.test_request_context(method=yontem):
        oturum = get_session()
        assert bool(oturum.get_bind().get_execution_options().get(IMMEDIATE)) is kilitli
        assert get_session() is oturum is g.mbs_session
        oturum.execute(text("SELECT 1"))
        assert oturum.in_transaction()
    # teardown closed it: the uncommitted transaction is gone
    assert not oturum.in_transaction()


@pytest.mark.parametrize("hedef, beklenen", [
    ("/kurum/gelen", "/kurum/gelen"), ("//kotu.example", "/"), ("https://kotu.example", "/"),
    ("/\\kotu.example", "/"), (None, "/"), ("", "/"),
])
def test_guvenli_hedef(hedef, beklenen):
    assert guvenli_hedef(hedef, "/") == beklenen
