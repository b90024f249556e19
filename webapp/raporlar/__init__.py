"""Raporlar (/kurum/raporlar): counts, times to answer, slowest units and ils, process bottlenecks with a heat
map on the process diagram, open and overdue talepler; XLSX and CSV exports of every table and of the list.

MİGM users and analysts see everything; a Valilik or a Belediye sees its own scope (``engine.raporlar``); other
units get 403. Figures come from SQL (``engine.raporlar``); views only read the filter, call, render.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("raporlar", __name__, url_prefix="/kurum/raporlar")

from webapp.raporlar import komut, sayfalar  # noqa: E402,F401  (registers the routes and the command)
