"""The Flask application factory (the flaskr way): ``flask --app webapp run`` or
``gunicorn 'webapp:create_app()'``.

Configuration order: defaults -> instance/config.py -> MBS_* environment variables -> ``test_config``
(see ``webapp.ayarlar`` and ``instance/config.sample.py``).
"""
from __future__ import annotations

import importlib
import os

from flask import Flask

from webapp import ayarlar


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; raises ``ayarlar.YapilandirmaHatasi`` on an unsafe production set-up."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    ayarlar.yukle(app, test_config)
    _init_extensions(app)
    if ayarlar.uretimde(app):
        from webapp.guvenlik import demo_verisini_denetle
        demo_verisini_denetle(app)
    from webapp.girdi import AsciiTamsayi
    app.url_map.converters["int"] = AsciiTamsayi  # before the routes are added
    _register_blueprints(app)
    from webapp import cli
    cli.init_app(app)
    if not app.testing:
        _sablonlari_derle(app)
    return app


def _sablonlari_derle(app: Flask) -> None:
    """Compile every page template now, at worker start: Jinja compiles a template on its first use in a
    process, and each gunicorn worker's first view of a page would otherwise take 50-100 ms longer."""
    for ad in app.jinja_env.list_templates(filter_func=lambda ad: ad.endswith(".html")):
        app.jinja_env.get_template(ad)


def _init_extensions(app: Flask) -> None:
    """Bind the unbound extensions and this package's request hooks to ``app``."""
    from webapp import db, filtreler, guvenlik, hatalar, oturum
    from webapp.eklentiler import csrf, limiter
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    oturum.init_app(app)
    guvenlik.init_app(app)
    hatalar.init_app(app)
    filtreler.init_app(app)


#: THE list of blueprints: each module defines ``bp``. A new feature adds one line here.
BLUEPRINTS = (
    "webapp.public",
    "webapp.muhtar",
    "webapp.kurum",
    "webapp.raporlar",
    "webapp.surecler",
    "webapp.kayit",
)


def _register_blueprints(app: Flask) -> None:
    """Register every blueprint named in ``BLUEPRINTS``, in order."""
    for modul in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(modul).bp)
