"""After a commit that queued SMS: deliver the outbox in the background, so the message goes at once.

The outbox row is already committed, so nothing is lost if this thread dies: the sender service
(``flask --app webapp mesaj gonder --dongu``) or the next call picks it up. ``MESAJ_ARKA_PLANDA_TESLIM``
(default: on, except under TESTING) turns it off, e.g. where only the separate sender may talk to the provider.
"""
from __future__ import annotations

from flask import current_app

from webapp.db import get_database


def mesajlari_gonder() -> None:
    """Start (or nudge) the background delivery of this database's outbox; returns at once."""
    app = current_app
    if not app.config.get("MESAJ_ARKA_PLANDA_TESLIM", not app.testing):
        return
    from engine.mesaj import teslim_ayarlari_olustur, teslim_et_arka_planda
    sms, eposta = _gondericiler(app)
    teslim_et_arka_planda(get_database(), sms, eposta, ayarlar=teslim_ayarlari_olustur(app.config))


def _gondericiler(app):
    """The configured SMS gateway and e-mail sender, built once per application."""
    gondericiler = app.extensions.get("mbs_muhtar_gondericiler")
    if gondericiler is None:
        from engine.mesaj import eposta_gonderici_olustur, sms_gateway_olustur
        gondericiler = (sms_gateway_olustur(app.config), eposta_gonderici_olustur(app.config))
        app.extensions["mbs_muhtar_gondericiler"] = gondericiler
    return gondericiler
