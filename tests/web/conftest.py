"""Web fixtures (the flaskr way): ``app`` on a fresh database, ``client``, ``runner``.

CSRF protection is ON: a test that posts takes the token from the form it got (``csrf_token`` helper
below). Rate limiting is OFF unless a test passes ``RATELIMIT_ENABLED=True`` through ``make_app``.
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import make_database
from webapp import create_app


def test_config(database, **ek) -> dict:
    """The configuration every web test starts from; ``ek`` overrides."""
    config = {
        "TESTING": True,
        "MBS_ENV": "development",
        "SECRET_KEY": "test-anahtari",
        "DATABASE_URL": database.url,
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CAPTCHA_ENABLED": False,
    }
    config.update(ek)
    return config


test_config.__test__ = False  # a helper, not a test


@pytest.fixture
def web_database(tmp_path):
    """A fresh database with the current schema (SQLite file, or MBS_TEST_DATABASE_URL reset)."""
    db = make_database(tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def make_app(web_database, tmp_path):
    """Build an app on the test database with extra config: ``make_app(RATELIMIT_ENABLED=True)``."""
    apps = []

    def _make(**ek):
        ek.setdefault("UPLOAD_DIR", str(tmp_path / "ekler"))
        app = create_app(test_config(web_database, **ek))
        apps.append(app)
        return app

    yield _make
    for app in apps:
        app.extensions["mbs_db"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in ``html``."""
    eslesme = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert eslesme, "sayfada csrf_token alanı yok"
    return eslesme.group(1)
