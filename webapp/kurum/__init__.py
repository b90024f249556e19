"""The kurum workspace (MİGM, Valilik, Belediye and sub-unit users): login, Gelen Kutusu, Görünümler,
Tamamlanan, the talep page with its task form, attachments and the user administration.

Views are thin: load or 404, check permission, call an operation, commit, redirect. Operations live in
``hesap`` (accounts), ``erisim`` (who sees what), ``listeler`` (the lists), ``gorevler`` (task forms),
``yonetim_islemleri`` (users).
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("kurum", __name__, url_prefix="/kurum")

from webapp.kurum import giris, kutular, talep, yonetim  # noqa: E402,F401  (registers the routes)
