"""The application's engine (one Motor per app) and the commit-then-deliver step of every mutation."""
from __future__ import annotations

from flask import current_app

from engine.runtime import Motor


def get_motor() -> Motor:
    """The app's Motor; tests may put their own (with a controlled clock) in ``app.extensions["mbs_motor"]``."""
    return current_app.extensions.setdefault("mbs_motor", Motor())
