"""Shared pieces of the live-server fault drills: which database, a small world on it, a gunicorn on it.

The PostgreSQL drills use ONLY the database named by MBS_FAULT_PG_URL (default ``mbs_e2e`` on this machine's
server): they drop its schema and terminate its connections, so it must serve nothing else. They run in the
PostgreSQL pass (MBS_TEST_DATABASE_URL set: ``make test-pg``, .ci/run's second run); the SQLite pass runs the
SQLite variant where there is one.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine.db import Database
from engine.models import Base, HumanTask, Kullanici
from engine.runtime import Motor
from tests.canli import CanliSunucu, veritabani_hazirla
from tests.engine.conftest import kayit_olustur

PG_TEST = os.environ.get("MBS_TEST_DATABASE_URL", "")
ARIZA_PG_URL = os.environ.get("MBS_FAULT_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/mbs_e2e")
PAROLA = "ariza-tatbikati-1"
#: faults injected by the drills of this session (reported in the terminal summary)
SAYILAR = {"ariza": 0, "tutarsizlik": 0, "kesilen_istek": 0}


def vt_adresi(tur: str, tmp_path: Path) -> str:
    """The database of a drill variant, or a skip with the reason."""
    if tur == "postgresql":
        if not PG_TEST.startswith("postgresql"):
            pytest.skip("PostgreSQL tatbikatı: PostgreSQL geçişinde çalışır (make test-pg / .ci/run ikinci "
                        f"çalıştırma); yalnız {ARIZA_PG_URL.rsplit('/', 1)[-1]} veritabanını kullanır")
        return ARIZA_PG_URL
    if PG_TEST:
        pytest.skip("SQLite tatbikatı: SQLite geçişinde çalışır (bu geçiş PostgreSQL)")
    return f"sqlite:///{tmp_path / 'ariza.db'}"


def dunya_hazirla(url: str, talep_sayisi: int) -> tuple[Database, object, list[int]]:
    """Schema, the small registry with one password for every user, ``talep_sayisi`` talepler waiting for
    MİGM. Returns (database, registry ids, talep ids)."""
    from tests.web.kurum_yardim import HIZLI_HASHER
    veritabani_hazirla(url)
    db = Database(url)
    Base.metadata.create_all(db.engine)
    kayit = kayit_olustur(db)
    with db.unit_of_work() as s:
        s.execute(update(Kullanici).values(parola_hash=HIZLI_HASHER.hash(PAROLA)))
    talepler = []
    for i in range(talep_sayisi):
        with db.unit_of_work() as s:
            talepler.append(Motor().talep_baslat(s, muhtar_id=kayit.muhtar_id, tur="sikayet",
                                                 aciklama=f"Arıza tatbikatı talebi {i}: yol çökmüş.").id)
    return db, kayit, talepler


def acik_gorev(db: Database, talep_id: int, birim_id: int) -> str | None:
    with db.session() as s:
        return s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == talep_id,
                                                           HumanTask.birim_id == birim_id,
                                                           HumanTask.durum == "acik")).first()


def sunucu_baslat(url: str, klasor: Path, isci: int = 2, **ayar) -> CanliSunucu:
    ayar = {"UPLOAD_DIR": str(klasor / "ekler"), "MESAJ_TESLIM": "kapali", "MESAJ_ARKA_PLANDA_TESLIM": False,
            "KURUM_GIRIS_IP_SINIRI": "600 per minute", "KURUM_GIRIS_KULLANICI_SINIRI": "600 per minute",
            "CAPTCHA_ENABLED": False, **ayar}
    return CanliSunucu(url, ayar, klasor / "gunicorn.log", isci=isci).baslat()
