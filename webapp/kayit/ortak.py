"""What the registry views share: the user's scope (403 without one) and form values."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import abort, g
from flask_login import current_user

from engine.muhtar_ice_aktarim import tarih_coz
from engine.muhtar_kayit import Kapsam, kapsam_bul
from webapp.db import get_session
from webapp.oturum import kurum_gerekli


def aktif_kapsam() -> Kapsam | None:
    """The logged-in kurum user's registry scope (None: no permission), found once per request."""
    if "kayit_kapsam" not in g:
        kullanici = current_user.kayit if current_user.is_authenticated and current_user.tur == "kurum" else None
        g.kayit_kapsam = kapsam_bul(get_session(), kullanici) if kullanici is not None else None
    return g.kayit_kapsam


def kayit_gerekli(view):
    """A kurum view for users who keep the registry; others get 403 (a muhtar too)."""
    @wraps(view)
    @kurum_gerekli
    def sarmal(*args, **kwargs):
        if aktif_kapsam() is None:
            abort(403)
        return view(*args, **kwargs)
    return sarmal


def tarih_oku(deger: str | None) -> date | None:
    """A date from a form: yyyy-mm-dd (the date input) or dd.mm.yyyy (typed by hand); None otherwise."""
    return tarih_coz(deger or "")
