"""The Flask application factory (the flaskr way): ``flask --app webapp run`` or
``gunicorn 'webapp:create_app()'``.

Configuration order: defaults -> instance/config.py -> MBS_* environment variables -> ``test_config``
(see ``webapp.ayarlar`` and ``instance/config.sample.py``).
"""
from __future__ import annotations

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
    _register_blueprints(app)
    from webapp import cli
    cli.init_app(app)
    return app


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


def _register_blueprints(app: Flask) -> None:
    """THE list of blueprints. To add a feature: create webapp/<feature>/ with a ``bp`` Blueprint and add
    one line below."""
    from webapp import public
    app.register_blueprint(public.bp)
    from webapp import kurum; app.register_blueprint(kurum.bp)  # noqa: E702
    # --- add blueprints here, one line each, e.g.:
    # from webapp import muhtar; app.register_blueprint(muhtar.bp)
    # from webapp import kurum; app.register_blueprint(kurum.bp)
    from webapp import muhtar; app.register_blueprint(muhtar.bp)  # noqa: E702
