"""Request-scoped database session.

A view calls ``get_session()``; the first call in a request opens a session and keeps it on ``g``. Requests
that may write (anything but GET/HEAD/OPTIONS) get ``Database.write_session()`` so that on SQLite the write
lock is taken at BEGIN and two writers queue instead of failing halfway. The view (the request edge)
commits once; the teardown closes the session, which rolls back whatever was not committed.
"""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from engine.db import Database

#: methods that never write: they get the plain (deferred) session
OKUMA_YONTEMLERI = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database() -> Database:
    """The application's Database (``app.extensions["mbs_db"]``)."""
    return current_app.extensions["mbs_db"]


def get_session() -> Session:
    """The session of this request (or app context), opened on first use."""
    if "mbs_session" not in g:
        database = get_database()
        g.mbs_session = database.session() if _salt_okuma() else database.write_session()
    return g.mbs_session


def _salt_okuma() -> bool:
    # Outside a request (CLI, scripts) assume a write: it is the safe choice on SQLite.
    return has_request_context() and request.method in OKUMA_YONTEMLERI


def close_session(_exc: BaseException | None = None) -> None:
    """Teardown: close the session; an uncommitted transaction is rolled back by close()."""
    session = g.pop("mbs_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Create the Database from DATABASE_URL and register the teardown."""
    app.extensions["mbs_db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)
