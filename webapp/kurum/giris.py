"""Login ("Oturum Aç"), the TOTP step, logout, password change and the TOTP set-up page.

Sessions: a new session at every login (``session.clear()`` before ``login_user``), permanent with
PERMANENT_SESSION_LIFETIME as the idle limit (Flask checks the cookie's age on every request),
KURUM_OTURUM_AZAMI_SAAT as the absolute limit, and a password stamp that ends other sessions when the
password changes. Server-side, the user's session generation (``webapp.oturum.oturumlari_sonlandir``) moves on
at logout, password change and TOTP on/off: every copy of the old cookie is logged out; after the user's own
change, this browser is logged in again under the new number.
"""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from engine.ekler import IZINLI_TURLER
from engine.errors import GecersizVeri
from engine.models import Kullanici, utcnow
from webapp.db import get_session
from webapp.eklentiler import limiter
from webapp.kurum import bp
from webapp.kurum import hesap
from webapp.kurum.ortak import aktif_birim, yonetici_mi
from webapp.oturum import KurumOturumu, guvenli_hedef, kurum_gerekli, oturumlari_sonlandir

#: the TOTP step must follow the password within this many seconds
TOTP_ADIM_SURESI = 300
#: login pages reachable without a session
ACIK_UC_NOKTALAR = {"kurum.giris", "kurum.dogrulama", "kurum.cikis"}


def _ip_siniri() -> str:
    return current_app.config.get("KURUM_GIRIS_IP_SINIRI", "30 per minute;300 per hour")


def _kullanici_siniri() -> str:
    return current_app.config.get("KURUM_GIRIS_KULLANICI_SINIRI", "10 per 15 minutes")


def _kullanici_anahtari() -> str:
    return "kurum-giris:" + (request.form.get("kullanici_adi") or "").strip().lower()[:64]


def _basarisiz(yanit) -> bool:
    # Only failed attempts count against a user name: a successful login redirects.
    return yanit.status_code != 302


def _anasayfa() -> str:
    return url_for("kurum.gelen_kutusu")


@bp.before_request
def oturumu_denetle():
    """End a kurum session whose password changed or whose absolute lifetime is over."""
    if request.endpoint in ACIK_UC_NOKTALAR or not current_user.is_authenticated or current_user.tur != "kurum":
        return None
    azami = current_app.config.get("KURUM_OTURUM_AZAMI_SAAT", 10) * 3600
    if (session.get("kurum_damga") != hesap.parola_damgasi(current_user.kayit)
            or time.time() - session.get("kurum_giris", 0) > azami):
        _oturumu_kapat()
        flash("Oturumunuzun süresi doldu; lütfen yeniden oturum açın.", "uyari")
        return redirect(url_for("kurum.giris", next=request.full_path.rstrip("?")))
    return None


def _oturum_ac(kullanici: Kullanici) -> None:
    """A fresh session for the user: whatever the old one held (and its identity) is dropped."""
    session.clear()
    login_user(KurumOturumu(kullanici), fresh=True)
    session.permanent = True
    session["kurum_giris"] = int(time.time())
    session["kurum_damga"] = hesap.parola_damgasi(kullanici)


def _oturumu_yenile(kullanici: Kullanici) -> None:
    """After the user's own password or TOTP change (generation moved on): this browser stays logged in, in a
    new session under the new generation; the absolute limit still counts from the original login."""
    giris_zamani = session.get("kurum_giris", int(time.time()))
    _oturum_ac(kullanici)
    session["kurum_giris"] = giris_zamani


def _oturumu_kapat() -> None:
    logout_user()
    session.clear()


@bp.route("/giris", methods=["GET", "POST"])
@limiter.limit(_ip_siniri, methods=["POST"])
@limiter.limit(_kullanici_siniri, key_func=_kullanici_anahtari, methods=["POST"], deduct_when=_basarisiz)
def giris():
    if current_user.is_authenticated and current_user.tur == "kurum":
        return redirect(_anasayfa())
    hedef = guvenli_hedef(request.values.get("next"), _anasayfa())
    if request.method == "GET":
        return render_template("kurum/giris.html", hedef=hedef)
    db = get_session()
    sonuc = hesap.giris_dene(db, request.form.get("kullanici_adi", ""), request.form.get("parola", ""), utcnow())
    db.commit()  # the failure count and the lock must be kept even though the login fails
    if sonuc.durum == "tamam":
        _oturum_ac(sonuc.kullanici)
        return redirect(hedef)
    if sonuc.durum == "totp":
        session.clear()
        session["kurum_totp"] = {"id": sonuc.kullanici.id, "zaman": int(time.time()), "hedef": hedef}
        return redirect(url_for("kurum.dogrulama"))
    return render_template("kurum/giris.html", hedef=hedef, hata=sonuc.mesaj,
                           kullanici_adi=request.form.get("kullanici_adi", "")[:64])


@bp.route("/giris/dogrulama", methods=["GET", "POST"])
@limiter.limit(_ip_siniri, methods=["POST"])
def dogrulama():
    """The second step for users with TOTP: the six-digit code of their authenticator app."""
    bekleyen = session.get("kurum_totp") or {}
    if not bekleyen or time.time() - bekleyen.get("zaman", 0) > TOTP_ADIM_SURESI:
        session.pop("kurum_totp", None)
        flash("Doğrulama adımının süresi doldu; lütfen yeniden oturum açın.", "uyari")
        return redirect(url_for("kurum.giris"))
    if request.method == "GET":
        return render_template("kurum/dogrulama.html")
    db = get_session()
    kullanici = db.get(Kullanici, bekleyen["id"])
    sonuc = hesap.totp_dene(db, kullanici, request.form.get("kod", ""), utcnow())
    db.commit()
    if sonuc.durum == "tamam":
        _oturum_ac(kullanici)
        return redirect(guvenli_hedef(bekleyen.get("hedef"), _anasayfa()))
    if sonuc.durum == "kilitli":
        session.pop("kurum_totp", None)
        flash(hesap.KILITLI, "hata")
        return redirect(url_for("kurum.giris"))
    return render_template("kurum/dogrulama.html", hata=hesap.HATALI_KOD)


@bp.post("/cikis")
def cikis():
    if current_user.is_authenticated:
        # "Çıkış" ends this user's session everywhere: a copied cookie is no longer accepted either
        oturumlari_sonlandir(current_user.kayit)
        get_session().commit()
    _oturumu_kapat()
    flash("Oturumunuz kapatıldı.", "basari")
    return redirect(url_for("kurum.giris"))


@bp.route("/hesap/parola", methods=["GET", "POST"])
@kurum_gerekli
def parola():
    if request.method == "GET":
        return render_template("kurum/parola.html")
    db = get_session()
    kullanici = current_user.kayit
    try:
        hesap.parola_degistir(kullanici, request.form.get("eski", ""), request.form.get("yeni", ""),
                              request.form.get("yeni_tekrar", ""))
    except GecersizVeri as hata:
        return render_template("kurum/parola.html", hata=hata.mesaj), 422
    oturumlari_sonlandir(kullanici)  # with the new password, in one transaction: every session ends...
    db.commit()
    _oturumu_yenile(kullanici)  # ...but this one, logged in again under the new generation and stamp
    flash("Parolanız değiştirildi.", "basari")
    return redirect(_anasayfa())


@bp.route("/hesap/iki-asamali", methods=["GET", "POST"])
@kurum_gerekli
def iki_asamali():
    """Turn the TOTP second factor on (secret shown as text and as an otpauth:// URI) or off."""
    kullanici = current_user.kayit
    hata = None
    if request.method == "POST":
        hata = _iki_asamali_islem(kullanici)
        if hata is None:
            return redirect(url_for("kurum.iki_asamali"))
    secret = None
    if not kullanici.totp_secret:
        secret = session.setdefault("totp_kurulum", hesap.totp_yeni_secret())
    return render_template("kurum/iki_asamali.html", secret=secret,
                           uri=hesap.totp_uri(secret, kullanici.kullanici_adi) if secret else None,
                           hata=hata), 422 if hata else 200


def _iki_asamali_islem(kullanici: Kullanici) -> str | None:
    """Run the posted action; the Turkish error, or None after success (committed)."""
    db = get_session()
    try:
        if request.form.get("islem") == "kapat":
            hesap.totp_kapat(kullanici, request.form.get("parola", ""), request.form.get("kod", ""), utcnow())
            mesaj = "İki aşamalı doğrulama kapatıldı."
        else:
            secret = session.get("totp_kurulum")
            if not secret:
                return "Kurulum bilgisi bulunamadı; sayfayı yenileyip yeniden deneyin."
            hesap.totp_etkinlestir(kullanici, secret, request.form.get("kod", ""), utcnow())
            mesaj = "İki aşamalı doğrulama etkinleştirildi."
    except GecersizVeri as hata:
        return hata.mesaj
    oturumlari_sonlandir(kullanici)  # other sessions end (with the change, in one transaction)
    db.commit()
    _oturumu_yenile(kullanici)  # this one stays (the new session has no "totp_kurulum" either)
    flash(mesaj, "basari")
    return None


@bp.app_context_processor
def kurum_menusu():
    """The kurum menu needs to know whether to show Yönetim; nothing is queried for other users."""
    def _yonetici():
        return yonetici_mi()

    def _birim_adi():
        return aktif_birim().ad
    return {"kurum_yonetici_mi": _yonetici, "kurum_birim_adi": _birim_adi,
            "ek_kabul": ",".join(IZINLI_TURLER)}
