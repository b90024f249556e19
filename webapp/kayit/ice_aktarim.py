"""The CSV bulk import: upload, result page, error report and example file downloads.

The file is checked and written in the request (73,305 rows take seconds; see docs/muhtar-kayit.md for the
WSGI timeout). Each run is kept in ``muhtar_ice_aktarim`` with its error report, which only the uploader's
scope can download: a Valilik user its il's runs, MİGM every run.
"""
from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from engine.models import Kullanici, MuhtarIceAktarim, utcnow
from engine.muhtar_ice_aktarim import HATA_TURLERI, ice_aktar
from webapp.db import get_session
from webapp.kayit import bp
from webapp.kayit.ortak import aktif_kapsam, kayit_gerekli

#: the largest file accepted (bytes) unless MUHTAR_ICE_AKTARIM_AZAMI_BAYT says otherwise; 73,305 rows are ~6 MB
VARSAYILAN_AZAMI_BAYT = 16 * 1024 * 1024
#: errors shown on the result page; the report has them all
GOSTERILEN_HATA = 200
SON_AKTARIMLAR = 10
ORNEK = ("il;ilçe;mahalle;TC Kimlik No;ad soyad;telefon;görev başlangıcı;e-posta\r\n"
         "Ankara;Çankaya;Akpınar Mah;10000000146;Ayşe Yılmaz;0532 123 45 12;01.04.2024;ayse@example.com\r\n"
         "06;Çankaya;Bahçelievler Mah;10000000214;Mehmet Demir;+90 533 234 56 23;2024-04-01;\r\n")
DURUM_ADLARI = {"yazildi": "Yazıldı", "yazilmadi": "Hiçbir kayıt yazılmadı", "kismi": "Yalnızca hatasız satırlar yazıldı"}


def _azami_bayt() -> int:
    return int(current_app.config.get("MUHTAR_ICE_AKTARIM_AZAMI_BAYT", VARSAYILAN_AZAMI_BAYT))


def _gorunur_aktarimlar():
    """Runs this user's scope covers: MİGM all, a Valilik those of its il (never MİGM's all-il runs)."""
    kapsam = aktif_kapsam()
    sorgu = select(MuhtarIceAktarim, Kullanici.ad_soyad).outerjoin(Kullanici,
                                                                  Kullanici.id == MuhtarIceAktarim.kullanici_id)
    return sorgu if kapsam.il_kod is None else sorgu.where(MuhtarIceAktarim.il_kod == kapsam.il_kod)


def _aktarim_getir(aktarim_id: int) -> tuple[MuhtarIceAktarim, str | None]:
    satir = get_session().execute(_gorunur_aktarimlar().where(MuhtarIceAktarim.id == aktarim_id)).first()
    if satir is None:
        abort(404)
    return satir[0], satir[1]


@bp.get("/ice-aktar")
@kayit_gerekli
def ice_aktar_formu():
    sorgu = _gorunur_aktarimlar().order_by(MuhtarIceAktarim.id.desc()).limit(SON_AKTARIMLAR)
    son = get_session().execute(sorgu).all()
    return render_template("kayit/ice_aktar.html", sekme="kayit", son=son, durum_adlari=DURUM_ADLARI,
                           azami_mb=_azami_bayt() // (1024 * 1024), kapsam=aktif_kapsam())


def _dosya_oku() -> tuple[bytes | None, str]:
    """The uploaded file's bytes and name, or (None, Turkish reason)."""
    dosya = request.files.get("dosya")
    if dosya is None or not dosya.filename:
        return None, "Bir CSV dosyası seçin."
    if not dosya.filename.lower().endswith(".csv"):
        return None, "Yalnızca .csv uzantılı dosya yüklenebilir (Excel'de “CSV UTF-8” olarak kaydedin)."
    veri = dosya.stream.read(_azami_bayt() + 1)
    if len(veri) > _azami_bayt():
        return None, f"Dosya çok büyük: en fazla {_azami_bayt() // (1024 * 1024)} MB."
    return veri, dosya.filename


@bp.post("/ice-aktar")
@kayit_gerekli
def ice_aktar_gonder():
    veri, ad = _dosya_oku()
    if veri is None:
        flash(ad, "hata")
        return redirect(url_for("kayit.ice_aktar_formu"), 303)
    db = get_session()
    sonuc = ice_aktar(db, veri, kapsam=aktif_kapsam(), dosya_adi=ad, simdi=utcnow(),
                      yalniz_hatasiz=request.form.get("yalniz_hatasiz") == "1")
    db.commit()
    return redirect(url_for("kayit.ice_aktar_sonuc", aktarim_id=sonuc.kayit.id), 303)


@bp.get("/ice-aktar/<int:aktarim_id>")
@kayit_gerekli
def ice_aktar_sonuc(aktarim_id: int):
    aktarim, yukleyen = _aktarim_getir(aktarim_id)
    hatalar = _rapor_satirlari(aktarim.hata_raporu)
    return render_template("kayit/ice_aktar_sonuc.html", sekme="kayit", aktarim=aktarim, yukleyen=yukleyen,
                           hatalar=hatalar[:GOSTERILEN_HATA], hata_sayisi=len(hatalar), durum_adlari=DURUM_ADLARI,
                           turler=HATA_TURLERI)


def _rapor_satirlari(rapor: str | None) -> list[list[str]]:
    """The report's rows without its header: [line, kind, message, il, ilçe, mahalle, TC, ad soyad]."""
    if not rapor:
        return []
    return list(csv.reader(io.StringIO(rapor), delimiter=";"))[1:]


def _csv_yaniti(metin: str, dosya_adi: str) -> Response:
    # The BOM makes Excel read the file as UTF-8 (Turkish letters intact).
    return Response(("\ufeff" + metin).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{dosya_adi}"',
                             "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


@bp.get("/ice-aktar/<int:aktarim_id>/hatalar.csv")
@kayit_gerekli
def hata_raporu(aktarim_id: int):
    aktarim, _ = _aktarim_getir(aktarim_id)
    if not aktarim.hata_raporu:
        abort(404)
    return _csv_yaniti(aktarim.hata_raporu, f"muhtar-ice-aktarim-{aktarim.id}-hatalar.csv")


@bp.get("/ice-aktar/ornek.csv")
@kayit_gerekli
def ornek():
    return _csv_yaniti(ORNEK, "muhtar-ornek.csv")
