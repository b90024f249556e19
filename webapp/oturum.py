"""Who is logged in: kurum users ("k:<id>:<n>") and muhtars ("m:<id>:<n>") share one Flask-Login session.

The models stay free of Flask; a thin wrapper gives Flask-Login what it needs. Log a user in with
``login_user(KurumOturumu(kullanici))`` or ``login_user(MuhtarOturumu(muhtar))``; in a view,
``current_user.kayit`` is the model row and ``current_user.tur`` is "kurum" or "muhtar". Protect views
with ``@kurum_gerekli`` / ``@muhtar_gerekli``.

Server-side revocation: the session is a signed cookie, so clearing it in one browser does not stop a copy of
it (or a remember cookie) elsewhere. Each row has a session generation ``oturum_surumu`` (``<n>`` above); the
loader accepts a session only while its number equals the row's. ``oturumlari_sonlandir(kayit)`` moves the
number on (logout, password change, TOTP on/off): every session of that user, in every browser, ends at its next
request. A view that wants to keep its own session logs the user in again after the change.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from urllib.parse import quote

from flask import Flask, abort, redirect, request
from flask_login import UserMixin, current_user
from sqlalchemy.orm import object_session

from engine.models import Kullanici, Muhtar
from webapp.db import get_session
from webapp.eklentiler import login_manager
from webapp.girdi import tamsayi_oku

TURKIYE = ZoneInfo("Europe/Istanbul")

#: where each kind of user logs in (paths, so this module does not depend on the blueprints' names)
GIRIS_YOLU = {"kurum": "/kurum/giris", "muhtar": "/muhtar/giris"}


class _Oturum(UserMixin):
    """Flask-Login's view of a model row; other attributes are read from the row."""
    tur = ""

    def __init__(self, kayit):
        self.kayit = kayit

    def get_id(self) -> str:
        return f"{self.tur[0]}:{self.kayit.id}:{self.kayit.oturum_surumu}"

    def __getattr__(self, ad):
        # Only called for names the wrapper lacks: ad_soyad, birim_id, muhtarlik_id...
        return getattr(self.__dict__["kayit"], ad)


class KurumOturumu(_Oturum):
    tur = "kurum"

    @property
    def is_active(self) -> bool:
        return bool(self.kayit.aktif)


class MuhtarOturumu(_Oturum):
    tur = "muhtar"

    @property
    def is_active(self) -> bool:
        return gorevde(self.kayit)


def bugun() -> date:
    """Today's date in Türkiye (a term ends at local midnight, not UTC's)."""
    return datetime.now(TURKIYE).date()


def gorevde(muhtar: Muhtar, gun: date | None = None) -> bool:
    """A muhtar is in office while ``gorev_bitis`` is unset or still in the future."""
    return muhtar.gorev_bitis is None or muhtar.gorev_bitis > (gun or bugun())


def kullanici_yukle(kimlik: str):
    """Flask-Login's user loader: "k:<id>:<n>" or "m:<id>:<n>"; None (logged out) for anything else.

    ``<n>`` must equal the row's ``oturum_surumu``: a session from before a logout or a password change is
    refused. An id without a generation ("k:<id>", the format before revision 0014) is refused too: sessions
    opened before the upgrade are simply logged out once and the user logs in again."""
    tur, _, geri = (kimlik or "").partition(":")
    sayi, ayrac, surum_metni = geri.partition(":")
    kimlik_no, surum = tamsayi_oku(sayi), tamsayi_oku(surum_metni)
    if kimlik_no is None or not ayrac or surum is None:
        return None
    session = get_session()
    if tur == "k":
        kullanici = session.get(Kullanici, kimlik_no)
        if kullanici is None or not kullanici.aktif or kullanici.oturum_surumu != surum:
            return None
        return KurumOturumu(kullanici)
    if tur == "m":
        muhtar = session.get(Muhtar, kimlik_no)
        if muhtar is None or not gorevde(muhtar) or muhtar.oturum_surumu != surum:
            return None
        return MuhtarOturumu(muhtar)
    return None


def oturumlari_sonlandir(kayit: Kullanici | Muhtar) -> int:
    """End every session of this kurum user or muhtar (all browsers, copied cookies included) by moving the
    session generation on; returns the new number. Flushes in the caller's transaction, never commits.

    The increment is done by the database (``oturum_surumu + 1``), so two concurrent calls cannot both write
    the same number back. To keep the current browser logged in, call ``login_user`` again afterwards: the new
    session carries the new number."""
    session = object_session(kayit)
    kayit.oturum_surumu = type(kayit).oturum_surumu + 1
    session.flush()
    session.refresh(kayit, ["oturum_surumu"])
    return kayit.oturum_surumu


def _gerekli(tur: str):
    """A decorator: the view needs a logged-in user of this kind (else login page, or 403 for the other kind)."""
    def decorator(view):
        @wraps(view)
        def sarmal(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(f"{GIRIS_YOLU[tur]}?next={quote(request.full_path.rstrip('?'))}")
            if current_user.tur != tur:
                abort(403)
            return view(*args, **kwargs)
        return sarmal
    return decorator


kurum_gerekli = _gerekli("kurum")
muhtar_gerekli = _gerekli("muhtar")


#: a path on this site: one "/" then no second "/" or "\\"; no backslash, control character or space anywhere
#: (browsers drop tabs and line breaks from a URL, so "/\t/evil.example" would be "//evil.example")
_GUVENLI_YOL = re.compile(r"/(?![/\\])[^\\\x00-\x20\x7f]*")


def guvenli_hedef(hedef: str | None, varsayilan: str) -> str:
    """The ``next`` target after login, if it is a path on this site; else ``varsayilan`` (no open redirect)."""
    if hedef and _GUVENLI_YOL.fullmatch(hedef):
        return hedef
    return varsayilan


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(kullanici_yukle)
    # Session protection "strong" drops the session when the IP/agent hash changes.
    login_manager.session_protection = "strong"
    login_manager.login_message = "Bu sayfayı görmek için giriş yapın."
    login_manager.login_message_category = "uyari"
