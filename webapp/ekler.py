"""Attachments on the web: the app's storage, receiving an upload, and sending a file back.

Shared by the kurum and muhtar sides: ``ek_yaniti(ek)`` is the download response for an ``Ek`` the caller
has already authorised (kurum: ``webapp.kurum.erisim.ek_getir``; muhtar: ``engine.ekler.muhtar_eki``).
"""
from __future__ import annotations

from flask import Response, abort, current_app, send_file

from engine.depo import BoyutAsildi, Depo, YerelDepo
from engine.ekler import dosya_incele
from engine.errors import GecersizVeri
from engine.models import Ek

#: a downloaded file may not run script or load anything, even if a browser were to render it, nor be framed
INDIRME_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def get_depo() -> Depo:
    """The app's storage: ``app.extensions["mbs_depo"]`` if set (tests, other backends), else UPLOAD_DIR."""
    depo = current_app.extensions.get("mbs_depo")
    if depo is None:
        depo = current_app.extensions["mbs_depo"] = YerelDepo(current_app.config["UPLOAD_DIR"])
    return depo


def yukleme_al(dosya, en_buyuk_bayt: int) -> dict:
    """Check and store one uploaded werkzeug FileStorage; return the engine's "ekler" item (without
    ``muhtar_gorur``). Raises GecersizVeri with a Turkish reason; nothing is kept on refusal."""
    depo = get_depo()
    try:
        gecici = depo.gecici_al(dosya.stream, en_buyuk_bayt)
    except BoyutAsildi as hata:
        mb = en_buyuk_bayt / (1024 * 1024)
        raise GecersizVeri(f"{dosya.filename}: dosya {mb:g} MB sınırını aşıyor.") from hata
    try:
        if gecici.boyut == 0:
            raise GecersizVeri(f"{dosya.filename}: dosya boş.")
        ad, tur = dosya_incele(dosya.filename, dosya.mimetype, gecici.yol)
    except GecersizVeri:
        gecici.sil()
        raise
    sha256 = depo.kabul_et(gecici)
    return {"sha256": sha256, "dosya_adi": ad, "icerik_turu": tur, "boyut": gecici.boyut}


def ek_yaniti(ek: Ek) -> Response:
    """The file as a download (never inline), with a safe name, its checked type, nosniff and no caching."""
    depo = get_depo()
    yol = depo.yol(ek.sha256)
    try:
        kaynak = yol if yol is not None else depo.ac(ek.sha256)
    except FileNotFoundError:
        abort(404)
    yanit = send_file(kaynak, mimetype=ek.icerik_turu, as_attachment=True, download_name=ek.dosya_adi,
                      conditional=False, etag=False, max_age=0)
    yanit.headers["X-Content-Type-Options"] = "nosniff"
    yanit.headers["Content-Security-Policy"] = INDIRME_CSP
    yanit.headers["Cache-Control"] = "private, no-store"
    return yanit
