"""Schema migrations with plain Alembic (engine/ owns the models and must not import Flask).

``upgrade(url)`` brings a database to the newest revision; ``farklar(url)`` lists what differs between that
database and ``engine.models`` (empty when every model change has its migration); ``yeni_revizyon(mesaj)``
autogenerates the next numbered revision against a scratch SQLite database.

Command line (used by the Makefile and .ci/run):
    python -m webapp.semalar upgrade [URL]
    python -m webapp.semalar yeni "mesaj"
    python -m webapp.semalar vt-olustur URL      # CREATE DATABASE if missing (PostgreSQL)
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

KOK = Path(__file__).resolve().parent.parent
ALEMBIC_INI = KOK / "alembic.ini"
SURUMLER = KOK / "migrations" / "versions"


def alembic_config(url: str):
    """An Alembic Config for this repository, pointed at ``url`` (env.py reads it from here)."""
    from alembic.config import Config
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(KOK / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    from alembic import command
    command.upgrade(alembic_config(url), revision)


def guncel_revizyon(url: str) -> str | None:
    """The revision the database is at (None when it was never migrated)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def farklar(url: str) -> list:
    """Alembic's autogenerate diff between the database at ``url`` and ``engine.models``."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from engine.models import Base
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def sonraki_numara() -> str:
    """"0002" after 0001_...py: revisions are numbered so their order reads from the file names."""
    numaralar = [int(m.group(1)) for p in SURUMLER.glob("*.py") if (m := re.match(r"(\d{4})_", p.name))]
    return f"{max(numaralar, default=0) + 1:04d}"


def yeni_revizyon(mesaj: str) -> Path | None:
    """Autogenerate the next revision from the models' difference to head (on a scratch SQLite file)."""
    from alembic import command
    with tempfile.TemporaryDirectory() as gecici:
        url = f"sqlite:///{Path(gecici) / 'sema.db'}"
        upgrade(url)
        if not farklar(url):
            return None
        script = command.revision(alembic_config(url), message=mesaj, autogenerate=True,
                                  rev_id=sonraki_numara())
    return _ascii_ad(Path(script.path))


_ASCII = str.maketrans("çğıöşüÇĞİÖŞÜâîûÂÎÛ", "cgiosuCGIOSUaiuAIU")


def _ascii_ad(yol: Path) -> Path:
    # Alembic slugs keep "ş"; keep file names plain ASCII for every file system and shell.
    yeni = yol.with_name(yol.name.translate(_ASCII))
    if yeni != yol:
        yol.rename(yeni)
    return yeni


def veritabani_olustur(url: str) -> bool:
    """CREATE DATABASE for a PostgreSQL URL if it does not exist; True if it was created."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    hedef = make_url(url)
    if not hedef.drivername.startswith("postgresql"):
        return False
    yonetim = create_engine(hedef.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with yonetim.connect() as conn:
            var = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :ad"), {"ad": hedef.database}).scalar()
            if not var:
                conn.execute(text(f'CREATE DATABASE "{hedef.database}"'))
            return not var
    finally:
        yonetim.dispose()


def main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "upgrade":
        import os
        upgrade(argv[1] if len(argv) > 1 else os.environ["MBS_DATABASE_URL"])
    elif len(argv) == 2 and argv[0] == "yeni":
        yol = yeni_revizyon(argv[1])
        print(f"Yeni revizyon: {yol.relative_to(KOK)}" if yol else "Modellerde değişiklik yok: revizyon gerekmiyor.")
    elif len(argv) == 2 and argv[0] == "vt-olustur":
        print("Veritabanı oluşturuldu." if veritabani_olustur(argv[1]) else "Veritabanı zaten var.")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
