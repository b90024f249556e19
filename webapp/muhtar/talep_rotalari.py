"""Başvuru and talep sorgulama views: load (scoped to the muhtar's muhtarlık) or 404, call, commit, redirect."""
from __future__ import annotations

import re
import secrets

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.errors import MbsHatasi
from engine.models import Talep
from engine.runtime import ACIKLAMA_EN_AZ, ACIKLAMA_EN_COK, TALEP_TURLERI
from webapp.db import get_session
from webapp.girdi import tamsayi_oku
from webapp.motor import get_motor
from webapp.muhtar import bp, talepler
from webapp.mesaj_teslim import teslimi_baslat
from webapp.oturum import muhtar_gerekli

#: the hidden per-form token: a double click sends it twice, the engine files one talep
_ANAHTAR_RE = re.compile(r"[A-Za-z0-9_-]{16,48}")


@bp.get("/")
@muhtar_gerekli
def anasayfa():
    return redirect(url_for("muhtar.basvuru"))


# --- başvuru --------------------------------------------------------------------------------------------

@bp.get("/basvuru")
@muhtar_gerekli
def basvuru():
    return _basvuru_formu({})


def _basvuru_formu(degerler: dict, hata: str | None = None, durum: int = 200):
    bilgi = talepler.muhtar_bilgisi(get_session(), current_user.id)
    return render_template("muhtar/basvuru.html", bilgi=bilgi, turler=TALEP_TURLERI, degerler=degerler,
                           hata=hata, istek_anahtari=secrets.token_urlsafe(24), en_az=ACIKLAMA_EN_AZ,
                           en_cok=ACIKLAMA_EN_COK), durum


@bp.post("/basvuru")
@muhtar_gerekli
def basvuru_gonder():
    tur = request.form.get("tur", "")
    # Browsers count a line break as one character for maxlength but send two (\r\n).
    aciklama = request.form.get("aciklama", "").replace("\r\n", "\n")
    degerler = {"tur": tur, "aciklama": aciklama}
    anahtar = request.form.get("istek_anahtari", "")
    if not _ANAHTAR_RE.fullmatch(anahtar):
        return _basvuru_formu(degerler, "Form eksik gönderildi; lütfen yeniden deneyin.", 400)
    # Scoped to the muhtar: a token can never return another muhtar's talep.
    istek_anahtari = f"m{current_user.id}-{anahtar}"
    try:
        talep = get_motor().talep_baslat(get_session(), muhtar_id=current_user.id, tur=tur, aciklama=aciklama,
                                         istek_anahtari=istek_anahtari)
        numara = talepler.talep_anahtari(talep)
        get_session().commit()
    except MbsHatasi as hata:
        get_session().rollback()
        return _basvuru_formu(degerler, hata.mesaj, 422)
    except IntegrityError:
        # Two clicks raced past each other (PostgreSQL): the other one filed it.
        get_session().rollback()
        numara = _anahtarla_bul(istek_anahtari)
    teslimi_baslat()
    return redirect(url_for("muhtar.basvuru_tamam", anahtar=numara))


def _anahtarla_bul(istek_anahtari: str) -> str:
    talep = get_session().scalars(select(Talep).where(Talep.istek_anahtari == istek_anahtari)).first()
    if talep is None:
        abort(409)
    return talepler.talep_anahtari(talep)


@bp.get("/basvuru/tamam/<anahtar>")
@muhtar_gerekli
def basvuru_tamam(anahtar):
    talep = _talep_veya_404(anahtar)
    return render_template("muhtar/basvuru_tamam.html", talep=talep, tur_adi=talepler.tur_adi(talep.tur),
                           anahtar=talepler.talep_anahtari(talep))


# --- talep sorgulama ------------------------------------------------------------------------------------

@bp.get("/talepler")
@muhtar_gerekli
def talep_listesi():
    durum = request.args.get("durum", "bekleyen")
    if durum not in talepler.DURUMLAR:
        durum = "bekleyen"
    sayfa_no = tamsayi_oku(request.args.get("sayfa"), en_cok_hane=6, varsayilan=1)
    session = get_session()
    sayilar = talepler.sayilar(session, current_user.muhtarlik_id)
    sayfa = talepler.sayfa_getir(session, current_user.muhtarlik_id, durum, sayfa_no, sayilar[durum])
    return render_template("muhtar/talepler.html", durum=durum, durumlar=talepler.DURUMLAR, sayilar=sayilar,
                           sayfa=sayfa, tur_adi=talepler.tur_adi, anahtar=talepler.talep_anahtari)


@bp.get("/talepler/<anahtar>")
@muhtar_gerekli
def talep_detayi(anahtar):
    session = get_session()
    talep = _talep_veya_404(anahtar)
    bilgi = talepler.muhtar_bilgisi(session, current_user.id)
    return render_template(
        "muhtar/talep.html", talep=talep, anahtar=talepler.talep_anahtari(talep),
        tur_adi=talepler.tur_adi(talep.tur), durum_adi=talepler.DURUM_ADLARI.get(talep.durum, talep.durum),
        hareketler=talepler.hareketler(session, talep, bilgi.muhtarlik), ekler=talepler.ekler(session, talep),
        ek_indirilebilir=_ek_indirilebilir())


@bp.get("/talepler/<anahtar>/ekler/<int:ek_id>")
@muhtar_gerekli
def ek_indir(anahtar, ek_id):
    """A file a unit shared with the muhtar, from the attachment storage (``webapp.ekler``)."""
    talep = _talep_veya_404(anahtar)
    ek = talepler.ek_bul(get_session(), talep, ek_id)
    if ek is None or not _ek_indirilebilir():
        abort(404)
    from webapp.ekler import ek_yaniti
    return ek_yaniti(ek)


def _talep_veya_404(anahtar: str) -> Talep:
    talep = talepler.talep_bul(get_session(), current_user.muhtarlik_id, anahtar)
    if talep is None:
        abort(404)
    return talep


def _ek_indirilebilir() -> bool:
    """Downloads need the attachment storage (``webapp.ekler`` over ``engine.depo``)."""
    try:
        import webapp.ekler  # noqa: F401
    except ImportError:
        return False
    return True
