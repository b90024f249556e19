"""After a commit that queued SMS or e-mail: deliver the outbox, so a message goes at once.

The outbox rows are already committed, so nothing is lost if delivery fails here: the sender service
(``flask --app webapp mesaj gonder --dongu``) or the next call picks them up. ``MESAJ_TESLIM``:
"arka_plan" (a daemon thread; the default), "senkron" (in this request; tests), "kapali" (only the separate
sender delivers; the default under TESTING).
"""
from __future__ import annotations

import logging

from flask import current_app

from webapp.db import get_database

logger = logging.getLogger(__name__)


def teslimi_baslat() -> None:
    """Deliver the outbox as MESAJ_TESLIM says; returns at once unless "senkron"."""
    app = current_app
    mod = app.config.get("MESAJ_TESLIM") or ("kapali" if app.testing else "arka_plan")
    if mod == "kapali":
        return
    from engine.mesaj import teslim_ayarlari_olustur, teslim_et, teslim_et_arka_planda
    try:
        sms, eposta = _gondericiler(app)
        ayarlar = teslim_ayarlari_olustur(app.config)
        if mod == "senkron":
            teslim_et(get_database(), sms, eposta, ayarlar=ayarlar)
        else:
            teslim_et_arka_planda(get_database(), sms, eposta, ayarlar=ayarlar)
    except Exception:  # noqa: BLE001 - the change is committed; the outbox keeps the messages for later
        logger.exception("Mesaj teslimi başlatılamadı; mesajlar giden kutusunda bekliyor.")


def _gondericiler(app):
    """The configured SMS gateway and e-mail sender, built once per application."""
    gondericiler = app.extensions.get("mbs_gondericiler")
    if gondericiler is None:
        from engine.mesaj import eposta_gonderici_olustur, sms_gateway_olustur
        gondericiler = (sms_gateway_olustur(app.config), eposta_gonderici_olustur(app.config))
        app.extensions["mbs_gondericiler"] = gondericiler
    return gondericiler
