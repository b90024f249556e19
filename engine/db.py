"""Database access: one engine per URL, sessions for reads and units of work for mutations.

SQLite has no ``SELECT ... FOR UPDATE``: a mutation there begins with ``BEGIN IMMEDIATE``, which takes the
write lock up front, so two completions of one instance queue instead of failing with "database is locked".
PostgreSQL mutations lock the instance row explicitly (see ``runtime.lock_instance``).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

IMMEDIATE = "mbs_immediate"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(IMMEDIATE) else "BEGIN")


class Database:
    """Owns the engine and hands out sessions; created once per application or test."""

    def __init__(self, url: str, **engine_kw):
        self.url = url
        if url.startswith("sqlite"):
            engine_kw.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        else:
            engine_kw.setdefault("pool_pre_ping", True)
        self.engine = create_engine(url, **engine_kw)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(**{IMMEDIATE: True}), expire_on_commit=False)

    def session(self) -> Session:
        """A session for reading (and for writes that lock nothing)."""
        return self._reader()

    def write_session(self) -> Session:
        """A session whose transaction holds the write lock from its first statement on SQLite."""
        return self._writer()

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One mutation, one transaction: commit on success, roll back on any error."""
        session = self.write_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
