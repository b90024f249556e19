"""Helpers the kurum views share: the current unit, the actor, the admin check, the tab counts."""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user

from engine.models import Birim
from engine.servisler import Actor
from webapp.db import get_session
from webapp.oturum import kurum_gerekli


def aktif_birim() -> Birim:
    """The logged-in kurum user's unit (loaded once per request)."""
    if "kurum_birim" not in g:
        g.kurum_birim = get_session().get(Birim, current_user.kayit.birim_id)
    return g.kurum_birim


def aktif_actor() -> Actor:
    birim = aktif_birim()
    return Actor(birim_id=birim.id, rol=birim.rol, kullanici_id=current_user.kayit.id)


def yonetici_mi() -> bool:
    """MİGM users with the "yonetici" permission administer the users of every unit."""
    return (current_user.is_authenticated and current_user.tur == "kurum"
            and current_user.kayit.yetkili("yonetici") and aktif_birim().rol == "MIGM")


def yonetici_gerekli(view):
    """A kurum view only MİGM administrators may open (others get 403)."""
    @wraps(view)
    @kurum_gerekli
    def sarmal(*args, **kwargs):
        if not yonetici_mi():
            abort(403)
        return view(*args, **kwargs)
    return sarmal
