"""Fault drills and property-based tests. They run in the plain ``make test``; the live-server drills start
gunicorn on 127.0.0.1 (tests/canli.py). The web fixtures (``make_app``, ``web_database``) are the ones of
tests/web/conftest.py."""
from tests.web.conftest import make_app, web_database  # noqa: F401  (fixtures for this folder)
