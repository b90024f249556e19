"""Who may use the Süreçler section: kurum users with the "analist" permission."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from webapp.oturum import kurum_gerekli


def analist_mi() -> bool:
    return (current_user.is_authenticated and current_user.tur == "kurum"
            and current_user.kayit.yetkili("analist"))


def analist_gerekli(view):
    """A kurum view only analysts may open: login page when logged out, 403 for other users."""
    @wraps(view)
    @kurum_gerekli
    def sarmal(*args, **kwargs):
        if not analist_mi():
            abort(403)
        return view(*args, **kwargs)
    return sarmal
