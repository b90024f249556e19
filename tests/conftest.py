"""Shared fixtures. The database comes from MBS_TEST_DATABASE_URL (PostgreSQL in CI's second run);
without it each test gets a fresh SQLite file."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from engine.db import Database
from engine.models import Base

PG_URL = os.environ.get("MBS_TEST_DATABASE_URL", "")


def _reset_postgres(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def make_database(tmp_path) -> Database:
    """A new, empty database with the current schema."""
    if PG_URL:
        db = Database(PG_URL)
        _reset_postgres(db)
    else:
        db = Database(f"sqlite:///{tmp_path / 'test.db'}")
    Base.metadata.create_all(db.engine)
    return db


@pytest.fixture
def database(tmp_path):
    db = make_database(tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def session(database):
    s = database.session()
    yield s
    s.close()
