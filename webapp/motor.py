"""The application's engine (one Motor per app)."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

from engine.runtime import Motor


def talep_baglantisi(talep_id: int) -> str:
    """The kurum talep page's address for e-mails: the request's host, or UYGULAMA_ADRESI outside a request
    (the timer runner)."""
    if has_request_context():
        return url_for("kurum.talep", talep_id=talep_id, _external=True)
    taban = current_app.config.get("UYGULAMA_ADRESI") or f"http://127.0.0.1:{current_app.config.get('PORT', 5000)}"
    return f"{taban.rstrip('/')}/kurum/talep/{talep_id}"


def get_motor() -> Motor:
    """The app's Motor; tests may put their own (with a controlled clock) in ``app.extensions["mbs_motor"]``."""
    motor = current_app.extensions.get("mbs_motor")
    if motor is None:
        motor = current_app.extensions["mbs_motor"] = Motor(bildirim_baglantisi=talep_baglantisi)
    return motor
