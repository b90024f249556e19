"""The Süreçler pages: versions, upload, roll-back, a version's talepler and their migration, file downloads,
the editor (validate and deploy as JSON), and the version's diagram for the talep page's viewer.

Views are thin: load or 404, check the permission (``analist_gerekli``), call ``engine.yayin`` /
``engine.tasima``, commit, redirect. A refused deployment changes nothing and shows the problems.
"""
from __future__ import annotations

import logging

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from engine.dogrulama import LANE_ROLLERI, form_anahtarlari
from engine.errors import GecersizVeri, MbsHatasi
from engine.models import Kullanici, ProcessVersion, Talep
from engine.surecler import PROCESS_ID, guncel_surum
from engine.tasima import tasima_adaylari, toplu_tasi
from engine.yayin import (DOSYA_EN_BUYUK, EN_COK_DOSYA, SurumReddedildi, fark_ozeti, geri_al, guncel_veya_yok,
                          metin_coz, son_kayitlar, surum_denetle, surum_listesi, surum_yayinla)
from webapp.db import get_database, get_session
from webapp.girdi import tamsayi_oku
from webapp.motor import get_motor
from webapp.oturum import kurum_gerekli
from webapp.surecler import bp
from webapp.surecler.yetki import analist_gerekli

logger = logging.getLogger(__name__)

ISLEM_ADLARI = {"yukleme": "Yükleme", "geri_alma": "Güncel yapma / geri alma"}


def _kullanici() -> Kullanici:
    return current_user.kayit


def _denetleyiciler() -> dict:
    return {"form_keys": form_anahtarlari(current_app.config["FORMS_DIR"]),
            "servis_adlari": set(get_motor().servisler)}


def _yayinla(files: dict[str, str]):
    """Deploy in this request's transaction; commit on success, roll back (nothing changed) on refusal."""
    db, k = get_session(), _kullanici()
    try:
        sonuc = surum_yayinla(db, files, k.kullanici_adi, kullanici_id=k.id, **_denetleyiciler())
    except SurumReddedildi:
        db.rollback()
        logger.info("Süreç yüklemesi reddedildi (%s)", k.kullanici_adi)
        raise
    db.commit()
    logger.warning("Süreç sürümü %s: %s (%s, %s)", sonuc.islem, sonuc.surum.id, k.kullanici_adi,
                   sonuc.surum.sha256[:12])
    return sonuc


def _bpmn_dosyasi(surum: ProcessVersion) -> str:
    """The name of the version's file that holds its process (the diagram the viewer and editor open)."""
    adlar = sorted(a for a in surum.files if a.endswith(".bpmn"))
    for ad in adlar:
        if f'id="{surum.process_id}"' in surum.files[ad]:
            return ad
    if not adlar:
        abort(404)
    return adlar[0]


def _surum(surum_id: int) -> ProcessVersion:
    surum = get_session().get(ProcessVersion, surum_id)
    if surum is None:
        abort(404)
    return surum


# --- versions --------------------------------------------------------------------------------------------

@bp.get("/")
@analist_gerekli
def liste(sorunlar: list[str] | None = None, durum: int = 200):
    db = get_session()
    satirlar = surum_listesi(db, PROCESS_ID)
    kayitlar = son_kayitlar(db, PROCESS_ID)
    return render_template("surecler/liste.html", satirlar=satirlar, kayitlar=kayitlar, sorunlar=sorunlar or [],
                           islem_adlari=ISLEM_ADLARI, sekme="surecler", en_cok_dosya=EN_COK_DOSYA,
                           en_buyuk_kb=DOSYA_EN_BUYUK // 1024), durum


@bp.post("/yukle")
@analist_gerekli
def yukle():
    """Upload .bpmn/.dmn files: they replace the same-named files of the current version (or, with "tam",
    form the whole new version)."""
    yuklenen = [d for d in request.files.getlist("dosyalar") if d and d.filename]
    if not yuklenen:
        return liste(["Yüklenecek dosya seçilmedi."], 422)
    if len(yuklenen) > EN_COK_DOSYA:
        return liste([f"En çok {EN_COK_DOSYA} dosya yüklenebilir."], 422)
    guncel = None if request.form.get("tam") else guncel_veya_yok(get_session(), PROCESS_ID)
    files = dict(guncel.files) if guncel is not None else {}
    try:
        for dosya in yuklenen:
            ad = dosya.filename.replace("\\", "/").rsplit("/", 1)[-1]
            files[ad] = metin_coz(ad, dosya.read(DOSYA_EN_BUYUK + 1))
    except GecersizVeri as hata:
        return liste([hata.mesaj], 422)
    try:
        sonuc = _yayinla(files)
    except SurumReddedildi as hata:
        return liste(hata.sorunlar, 422)
    flash(_sonuc_mesaji(sonuc), "basari")
    return redirect(url_for("surecler.liste"), 303)


def _sonuc_mesaji(sonuc) -> str:
    if sonuc.islem == "degisiklik_yok":
        return f"Dosyalar güncel sürüm {sonuc.surum.id} ile aynı; hiçbir şey değişmedi."
    if sonuc.islem == "geri_alma":
        return f"Bu dosyalar sürüm {sonuc.surum.id} ile aynı; sürüm {sonuc.surum.id} yeniden güncel yapıldı."
    return f"Sürüm {sonuc.surum.id} yüklendi ve güncel yapıldı; yeni talepler bu sürümle başlayacak."


@bp.post("/<int:surum_id>/guncel-yap")
@analist_gerekli
def guncel_yap(surum_id: int):
    """Roll back (or forward): make this version current."""
    _surum(surum_id)
    db, k = get_session(), _kullanici()
    sonuc = geri_al(db, surum_id, k.kullanici_adi, k.id)
    db.commit()
    flash(f"Sürüm {surum_id} güncel yapıldı; yeni talepler bu sürümle başlayacak."
          if sonuc.islem != "degisiklik_yok" else f"Sürüm {surum_id} zaten güncel.", "basari")
    return redirect(url_for("surecler.liste"), 303)


@bp.get("/<int:surum_id>")
@analist_gerekli
def surum(surum_id: int):
    """A version: its files, the changes against the current version, its running talepler and whether each
    may move to the current version."""
    db = get_session()
    v = _surum(surum_id)
    guncel = guncel_veya_yok(db, v.process_id)
    ozet = fark_ozeti(v.files, guncel.files) if guncel is not None and guncel.id != v.id else None
    adaylar = tasima_adaylari(db, v.id, guncel) if guncel is not None and guncel.id != v.id else []
    sayilar = next((r for r in surum_listesi(db, v.process_id) if r.surum.id == v.id), None)
    return render_template("surecler/surum.html", v=v, guncel=guncel, ozet=ozet, adaylar=adaylar, sayilar=sayilar,
                           bpmn_dosyasi=_bpmn_dosyasi(v), sekme="surecler")


@bp.post("/<int:surum_id>/tasi")
@analist_gerekli
def tasi(surum_id: int):
    """Move the chosen running talepler of this version to the current version, each where safe."""
    db = get_session()
    v = _surum(surum_id)
    hedef = guncel_surum(db, v.process_id)
    secilen = [i for i in map(tamsayi_oku, request.form.getlist("talep")) if i is not None]
    if request.form.get("hepsi"):
        secilen = [a.talep_id for a in tasima_adaylari(db, v.id, hedef) if a.engel is None]
    gecerli = set(db.scalars(select(Talep.id).where(Talep.id.in_(secilen)))) if secilen else set()
    secilen = [i for i in secilen if i in gecerli]
    if not secilen:
        flash("Taşınacak talep seçilmedi.", "hata")
        return redirect(url_for("surecler.surum", surum_id=surum_id), 303)
    from webapp.kurum.ortak import aktif_actor
    actor, kullanici_adi, hedef_id = aktif_actor(), _kullanici().kullanici_adi, hedef.id
    db.rollback()  # each talep moves in its own transaction; this request's session holds no lock meanwhile
    sonuclar = toplu_tasi(get_database(), get_motor(), secilen, hedef_id, actor, kullanici_adi)
    tasinan = [r for r in sonuclar if r.tasindi]
    if tasinan:
        flash(f"{len(tasinan)} talep sürüm {hedef_id}'e taşındı: " + ", ".join(str(r.numara) for r in tasinan),
              "basari")
    for r in sonuclar:
        if not r.tasindi:
            flash(f"{r.numara}: {r.mesaj}", "hata")
    return redirect(url_for("surecler.surum", surum_id=surum_id), 303)


@bp.get("/<int:surum_id>/dosya/<ad>")
@analist_gerekli
def dosya(surum_id: int, ad: str):
    """A file of the version, to open in a desktop modeler."""
    v = _surum(surum_id)
    if ad not in v.files:
        abort(404)
    tur = "application/xml; charset=utf-8"
    return v.files[ad], 200, {"Content-Type": tur, "Content-Disposition": f'attachment; filename="{ad}"',
                              "X-Content-Type-Options": "nosniff"}


@bp.get("/<int:surum_id>/diyagram.bpmn")
@kurum_gerekli
def diyagram_xml(surum_id: int):
    """The version's BPMN for the viewer on the talep page (any kurum user; versions never change)."""
    v = _surum(surum_id)
    yanit = current_app.response_class(v.files[_bpmn_dosyasi(v)], mimetype="application/xml")
    yanit.headers["Cache-Control"] = "private, max-age=86400, immutable"
    yanit.headers["ETag"] = v.sha256
    return yanit


# --- editor ----------------------------------------------------------------------------------------------

@bp.get("/duzenle")
@analist_gerekli
def duzenle():
    """The bpmn-js modeler on the current version's BPMN; validates and deploys through the JSON endpoints."""
    db = get_session()
    v = guncel_surum(db)
    veri = {"xml": url_for("surecler.diyagram_xml", surum_id=v.id), "surum": v.id, "dosya": _bpmn_dosyasi(v),
            "dogrula": url_for("surecler.duzenle_dogrula"), "yukle": url_for("surecler.duzenle_yukle"),
            "liste": url_for("surecler.liste"), "formlar": sorted(_denetleyiciler()["form_keys"]),
            "servisler": sorted(_denetleyiciler()["servis_adlari"]),
            "roller": dict(LANE_ROLLERI), "csrf": generate_csrf()}
    # bpmn-js (viewer and modeler) runs under the site's strict CSP: it sets styles through the CSSOM only,
    # checked in headless Chromium (no violation while drawing, selecting, dragging, editing labels).
    return render_template("surecler/duzenle.html", veri=veri, v=v, sekme="surecler")


def _editor_dosyalari() -> dict[str, str]:
    """The current version's files with the editor's BPMN in place of its process file."""
    govde = request.get_json(silent=True) or {}
    xml = govde.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise GecersizVeri("Diyagram gönderilmedi.")
    if len(xml.encode("utf-8")) > DOSYA_EN_BUYUK:
        raise GecersizVeri(f"Diyagram {DOSYA_EN_BUYUK // 1024} KB sınırını aşıyor.")
    guncel = guncel_surum(get_session())
    return {**guncel.files, _bpmn_dosyasi(guncel): xml}


@bp.post("/duzenle/dogrula")
@analist_gerekli
def duzenle_dogrula():
    """POST {"xml": ...} -> {"gecerli": bool, "sorunlar": [...]}: the full check, nothing written."""
    try:
        files = _editor_dosyalari()
    except GecersizVeri as hata:
        return jsonify(gecerli=False, sorunlar=[hata.mesaj]), 400
    sorunlar = surum_denetle(files, **_denetleyiciler())
    return jsonify(gecerli=not sorunlar, sorunlar=sorunlar)


@bp.post("/duzenle/yukle")
@analist_gerekli
def duzenle_yukle():
    """POST {"xml": ...}: deploy as a new version (checked, audited) -> {"surum": id, ...} or 422 with problems."""
    try:
        files = _editor_dosyalari()
        sonuc = _yayinla(files)
    except SurumReddedildi as hata:
        return jsonify(gecerli=False, sorunlar=hata.sorunlar), 422
    except MbsHatasi as hata:
        return jsonify(gecerli=False, sorunlar=[hata.mesaj]), 400
    return jsonify(gecerli=True, surum=sonuc.surum.id, islem=sonuc.islem, mesaj=_sonuc_mesaji(sonuc),
                   ozet=sonuc.ozet, adres=url_for("surecler.surum", surum_id=sonuc.surum.id))
