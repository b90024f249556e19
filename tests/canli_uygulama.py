"""The WSGI application the live-server tests run under gunicorn: ``gunicorn tests.canli_uygulama:uygulama``.

The extra configuration comes as JSON in MBS_CANLI_AYAR (set by ``tests.canli.CanliSunucu``); it is the
same ``test_config`` argument of ``create_app`` the in-process tests use. Nothing in ``webapp`` reads this
variable: production is started with ``gunicorn 'webapp:create_app()'``.
"""
from __future__ import annotations

import json
import os

from webapp import create_app

uygulama = create_app(json.loads(os.environ.get("MBS_CANLI_AYAR") or "{}"))
