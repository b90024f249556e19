"""Gelen Kutusu, Görünümler and Tamamlanan: three lists with one filter bar and keyset pages."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from webapp.db import get_session
from webapp.kurum import bp, listeler
from webapp.kurum.ortak import aktif_birim
from webapp.oturum import kurum_gerekli

#: tab (endpoint name) -> (title, list function)
SEKMELER = {
    "gelen_kutusu": ("Gelen Kutusu", listeler.gelen_kutusu),
    "gorunumler": ("Görünümler", listeler.gorunumler),
    "tamamlanan": ("Tamamlanan", listeler.tamamlanan),
}


@bp.get("/")
@kurum_gerekli
def anasayfa():
    return redirect(url_for("kurum.gelen_kutusu"))


def _liste(sekme: str):
    db = get_session()
    birim = aktif_birim()
    filtre = listeler.filtre_oku(request.args)
    baslik, listele = SEKMELER[sekme]
    sayfa = listele(db, birim, filtre, request.args.get("sonra"))
    return render_template(
        "kurum/liste.html", sekme=sekme, baslik=baslik, sayfa=sayfa, filtre=filtre,
        sayilar=listeler.sekme_sayilari(db, birim), iller=listeler.il_secenekleri(db),
        ilceler=listeler.ilce_secenekleri(db, filtre.il), durumlar=listeler.DURUMLAR, turler=listeler.TURLER,
        oncelikler=listeler.ONCELIKLER, siralamalar=listeler.SIRALAMALAR,
        ilk_sayfa=request.args.get("sonra") is not None)


@bp.get("/gelen-kutusu")
@kurum_gerekli
def gelen_kutusu():
    return _liste("gelen_kutusu")


@bp.get("/gorunumler")
@kurum_gerekli
def gorunumler():
    return _liste("gorunumler")


@bp.get("/tamamlanan")
@kurum_gerekli
def tamamlanan():
    return _liste("tamamlanan")
