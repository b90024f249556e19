"""Süreçler: the analysts' section (process versions, deployment, roll-back, migration, the BPMN editor) and
the process diagram on each talep's page.

Only kurum users with the "analist" permission open /kurum/surecler (others get 403); any kurum user who may
see a talep sees its diagram. Deploying is running code: every deployment is checked and audited
(``engine.yayin``).
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("surecler", __name__, url_prefix="/kurum/surecler")

from webapp.surecler import diyagram, sayfalar  # noqa: E402,F401  (registers the routes and template helpers)
