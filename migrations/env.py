"""Alembic environment: target_metadata is engine.models.Base.metadata.

The URL comes from the caller (``config.attributes["url"]``, set by webapp.semalar), else MBS_DATABASE_URL,
else the development SQLite file in instance/. SQLite gets batch mode (it cannot ALTER most things).
"""
from __future__ import annotations

import os
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import TypeDecorator, create_engine, pool

from engine.models import Base

config = context.config
target_metadata = Base.metadata

# Logging set-up only when run from the alembic command line: inside the app or tests it must not
# reconfigure (and silence) their loggers.
if config.config_file_name and "url" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    if config.attributes.get("url"):
        return config.attributes["url"]
    if os.environ.get("MBS_DATABASE_URL"):
        return os.environ["MBS_DATABASE_URL"]
    return f"sqlite:///{Path(__file__).resolve().parent.parent / 'instance' / 'mbs.db'}"


def _render_item(kind, obj, _autogen_context):
    # A custom column type (engine.models.UtcDateTime) is written as the type it stores, so revisions
    # never import engine code that may change later.
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _configure(**kw) -> None:
    context.configure(target_metadata=target_metadata, compare_type=True, render_item=_render_item, **kw)


def run_migrations_offline() -> None:
    """Emit SQL to stdout (alembic upgrade --sql)."""
    url = _url()
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"},
               render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
