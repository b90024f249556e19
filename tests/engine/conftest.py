"""A small registry (the units of Ankara and İzmir the scenarios need) and a deployed process."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.models import Birim, Il, Ilce, Kullanici, Muhtar, Muhtarlik
from engine.runtime import Motor
from engine.servisler import Actor
from engine.surecler import surecleri_yukle

ROOT = Path(__file__).resolve().parents[2]

BIRIMLER = [
    # kod, ad, tur, rol, ust kod, il
    ("MIGM", "Mahalli İdareler Genel Müdürlüğü", "MIGM", "MIGM", None, None),
    ("VALILIK-06", "Ankara Valiliği", "VALILIK", "VALILIK", None, "06"),
    ("VALILIK-35", "İzmir Valiliği", "VALILIK", "VALILIK", None, "35"),
    ("SAGLIK-06", "Ankara İl Sağlık Müdürlüğü", "IL_MUDURLUGU", "ALT_BIRIM", "VALILIK-06", "06"),
    ("MEB-06", "Ankara İl Milli Eğitim Müdürlüğü", "IL_MUDURLUGU", "ALT_BIRIM", "VALILIK-06", "06"),
    ("SAGLIK-35", "İzmir İl Sağlık Müdürlüğü", "IL_MUDURLUGU", "ALT_BIRIM", "VALILIK-35", "35"),
    ("BELEDIYE-06-CANKAYA", "Çankaya Belediyesi", "BELEDIYE", "BELEDIYE", None, "06"),
    ("BELEDIYE-35-KONAK", "Konak Belediyesi", "BELEDIYE", "BELEDIYE", None, "35"),
]


class Kayit:
    """Ids of the scenario's units and its muhtar, and an Actor for each unit."""

    def __init__(self, birimler: dict[str, Birim], muhtar: Muhtar):
        self.birim = {k: b.id for k, b in birimler.items()}
        self.rol = {k: b.rol for k, b in birimler.items()}
        self.muhtar_id = muhtar.id

    def actor(self, kod: str) -> Actor:
        return Actor(birim_id=self.birim[kod], rol=self.rol[kod], kullanici_id=None)


def kayit_olustur(database) -> Kayit:
    with database.unit_of_work() as s:
        s.add_all([Il(kod="06", ad="Ankara", buyuksehir=True), Il(kod="35", ad="İzmir", buyuksehir=True)])
        ilce = Ilce(il_kod="06", ad="Çankaya")
        s.add(ilce)
        s.flush()
        mahalle = Muhtarlik(ilce_id=ilce.id, ad="Akpınar Mah", posta_kodu="06620")
        s.add(mahalle)
        s.flush()
        birimler = {}
        for kod, ad, tur, rol, ust, il in BIRIMLER:
            b = Birim(kod=kod, ad=ad, tur=tur, rol=rol, il_kod=il,
                      ust_birim_id=birimler[ust].id if ust else None)
            s.add(b)
            s.flush()
            birimler[kod] = b
        muhtar = Muhtar(muhtarlik_id=mahalle.id, tc_kimlik_no="10000000146", ad_soyad="Ayşe Yılmaz",
                        telefon="+905321234512", gorev_baslangic=date(2024, 4, 1))
        s.add(muhtar)
        for kod, b in birimler.items():
            s.add(Kullanici(kullanici_adi=kod.lower(), ad_soyad=kod, parola_hash="x", birim_id=b.id))
        surecleri_yukle(s, ROOT / "processes", deployed_by="test")
        s.flush()
        return Kayit(birimler, muhtar)


@pytest.fixture
def kayit(database) -> Kayit:
    return kayit_olustur(database)


@pytest.fixture
def motor() -> Motor:
    return Motor()
