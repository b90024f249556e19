"""The application as the bench runs it under gunicorn: ``gunicorn 'bench.wsgi:app'``.

Bench-only settings come from ``MBS_BENCH_CONFIG`` (JSON): the login rate limits raised so that several
client threads may log in from 127.0.0.1, the outbox left to a separate sender (``MESAJ_TESLIM = "kapali"``,
the documented production option), no captcha. Never used by ``make run`` or production.
"""
from __future__ import annotations

import json
import os

from webapp import create_app

app = create_app(json.loads(os.environ.get("MBS_BENCH_CONFIG", "{}")))
