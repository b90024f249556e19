"""The Alembic migrations build exactly the schema of engine.models, on SQLite and on PostgreSQL.

A model change without its migration fails here: run ``make migration m="..."`` and commit the revision.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import PG_URL
from webapp import semalar


def _bos_sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'goc.db'}"


def _bos_postgres() -> str:
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


def _url(tur: str, tmp_path) -> str:
    if tur == "postgresql":
        if not PG_URL:
            pytest.skip("MBS_TEST_DATABASE_URL tanımlı değil: PostgreSQL göçü `make test-pg` / .ci/run ile denenir")
        return _bos_postgres()
    return _bos_sqlite(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def bos_url(request, tmp_path):
    return _url(request.param, tmp_path)


def test_tek_bas_revizyon():
    """Two engineers adding revisions at once make two heads: renumber one and point it at the other."""
    from alembic.script import ScriptDirectory
    heads = ScriptDirectory.from_config(semalar.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"birden çok baş revizyon: {heads}"


def test_head_modellerle_ayni(bos_url):
    semalar.upgrade(bos_url)
    farklar = semalar.farklar(bos_url)
    assert farklar == [], ("Modeller ile göçler farklı; `make migration m=\"...\"` ile revizyon ekleyin:\n"
                           + "\n".join(map(str, farklar)))


def test_geri_al_ve_yeniden_kur(bos_url):
    from alembic import command
    semalar.upgrade(bos_url)
    command.downgrade(semalar.alembic_config(bos_url), "base")
    engine = create_engine(bos_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    semalar.upgrade(bos_url)
    assert semalar.guncel_revizyon(bos_url) is not None
