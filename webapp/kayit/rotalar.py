"""Search, a muhtar's page, contact changes, new terms and early ends."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.kimlik import tc_maskele, telefon_maskele
from engine.models import Muhtar, utcnow
from engine.muhtar_arama import DURUMLAR, Arama, Sayfa, il_secenekleri, ilce_secenekleri, muhtar_ara
from engine.muhtar_kayit import (BITIS_NEDENLERI, FormHatasi, Kapsam, KayitBulunamadi, donem_bitir, donemler,
                                 degisiklikler, eposta_maskele, guncel_mi, iletisim_guncelle, muhtar_getir,
                                 muhtarlik_getir, yeni_donem)
from webapp.db import get_session
from webapp.girdi import rakam_mi, tamsayi_oku
from webapp.kayit import bp
from webapp.kayit.ortak import aktif_kapsam, kayit_gerekli, tarih_oku
from webapp.oturum import bugun

#: change-log field names as the page shows them
ALAN_ADLARI = {"telefon": "Telefon", "eposta": "E-posta", "gorev_baslangic": "Görev başlangıcı",
               "gorev_bitis": "Görev bitişi"}


@bp.app_context_processor
def kayit_menusu():
    """The kurum menu shows "Muhtarlar" to users who keep the registry (queried only when asked)."""
    return {"kayit_yetkili_mi": lambda: aktif_kapsam() is not None, "tc_maskele": tc_maskele,
            "telefon_maskele": telefon_maskele, "eposta_maskele": eposta_maskele}


#: the session key of a TC Kimlik No search. The number is in no URL (access logs, browser history, Referer
#: headers: KVKK) and not in the session cookie either (signed, not encrypted: readable by whoever holds it):
#: the search form posts it, the session keeps which muhtar record in the user's scope has it ("m"; None: none),
#: its masked form for the page ("t") and when it was last used ("z"), and the list, at ``?tc=1``, reads the
#: number back from that record.
TC_ARAMA = "kayit_tc_arama"
#: seconds a TC search stays usable after its last page view
TC_ARAMA_SURESI = 15 * 60
TC_HATASI = "TC Kimlik No 11 haneli olmalı ve yalnızca rakamlardan oluşmalıdır."
TC_SURESI_DOLDU = "TC Kimlik No ile aramanın süresi doldu; lütfen numarayı yeniden yazıp arayın."
TC_ADRESTE = ("TC Kimlik No adres satırından aranmaz; numarayı TC Kimlik No kutusuna yazıp "
              "“TC ile ara” düğmesine basın.")


def _arama_oku(args) -> Arama:
    """The search's query-string (or form) values; the TC is never read from them (see ``TC_ARAMA``)."""
    durum = args.get("durum", "gorevde")
    return Arama(il_kod=(args.get("il") or "").strip()[:2] or None, ilce_id=tamsayi_oku(args.get("ilce")),
                 mahalle=(args.get("mahalle") or "").strip()[:100], ad=(args.get("ad") or "").strip()[:100],
                 durum=durum if durum in DURUMLAR else "gorevde")


def _sorgu(arama: Arama, tc_aramasi: bool = False) -> dict:
    """The search as query-string values, for the page links; a TC search is only its flag ``tc=1``."""
    degerler = {"il": arama.il_kod, "ilce": arama.ilce_id, "mahalle": arama.mahalle, "ad": arama.ad,
                "tc": "1" if tc_aramasi else None, "durum": arama.durum if arama.durum != "gorevde" else None}
    return {k: v for k, v in degerler.items() if v}


def _tc_aramasi(db: Session) -> tuple[str | None, str] | None:
    """The TC search in the session: (the TC, None if no muhtar record in scope has it; the masked TC), or None
    when there is none or it is older than ``TC_ARAMA_SURESI`` (then it is dropped). Using it renews it."""
    kayit = session.get(TC_ARAMA)
    if not isinstance(kayit, dict) or time.time() - kayit.get("z", 0) > TC_ARAMA_SURESI:
        session.pop(TC_ARAMA, None)
        return None
    session[TC_ARAMA] = {**kayit, "z": int(time.time())}
    m = kayit.get("m")
    tc = db.scalar(select(Muhtar.tc_kimlik_no).where(Muhtar.id == m)) if m is not None else None
    return tc, kayit.get("t", "")


@bp.route("/", methods=["GET", "POST"])
@kayit_gerekli
def liste():
    """GET: the search (every filter in the query string, bookmarkable; ``tc=1``: the TC search kept in the
    session). POST: the TC Kimlik No form, then 303 to ``?tc=1`` with the other filters."""
    arama = _arama_oku(request.args if request.method == "GET" else request.form)
    if request.method == "POST":
        return _tc_ile_ara(arama)
    isaret = request.args.get("tc") or None
    if isaret is not None and isaret != "1":
        # an old bookmark or a hand-typed ?tc=<number>: not searched, and the address loses the number
        flash(TC_ADRESTE, "uyari")
        return redirect(url_for("kayit.liste", **_sorgu(arama)), 303)
    if isaret and arama.durum != "muhtarsiz":
        tc_aramasi = _tc_aramasi(get_session())
        if tc_aramasi is None:
            flash(TC_SURESI_DOLDU, "uyari")
            return redirect(url_for("kayit.liste", **_sorgu(arama)), 303)
        tc, maske = tc_aramasi
        return _liste_sayfasi(replace(arama, tc=tc or ""), maske)
    session.pop(TC_ARAMA, None)  # any other search ends the TC search
    return _liste_sayfasi(arama)


def _tc_ile_ara(arama: Arama):
    """The TC form: 11 ASCII digits (spaces dropped), else the list again with the error, 422."""
    db, kapsam = get_session(), aktif_kapsam()
    tc = "".join((request.form.get("tc") or "").split())
    if not rakam_mi(tc, 11, 11):
        session.pop(TC_ARAMA, None)
        return _liste_sayfasi(arama, tc_hatasi=TC_HATASI, durum=422)
    # the record that has the TC, found as the search finds it (in the user's scope, any term): a TC outside the
    # scope is kept exactly as one no record has
    bulunan = muhtar_ara(db, kapsam, Arama(tc=tc, durum="tum"), 1, bugun(), boy=1).satirlar
    session[TC_ARAMA] = {"m": bulunan[0].muhtar.id if bulunan else None, "t": tc_maskele(tc),
                         "z": int(time.time())}
    return redirect(url_for("kayit.liste", **_sorgu(arama, tc_aramasi=True)), 303)


def _liste_sayfasi(arama: Arama, tc_maske: str | None = None, tc_hatasi: str | None = None, durum: int = 200):
    """The list page; ``tc_maske``: a TC search is on (``arama.tc`` empty then means no record has the TC)."""
    db, kapsam = get_session(), aktif_kapsam()
    if tc_maske is not None and not arama.tc:
        sayfa = Sayfa([], 0, 1, 1)
    else:
        sayfa = muhtar_ara(db, kapsam, arama, tamsayi_oku(request.args.get("sayfa"), varsayilan=1), bugun())
    il_kod = kapsam.il_kod or arama.il_kod
    sorgu = _sorgu(arama, tc_aramasi=tc_maske is not None)
    return render_template("kayit/liste.html", sekme="kayit", arama=arama, sayfa=sayfa, sorgu=sorgu,
                           tc_maske=tc_maske, tc_hatasi=tc_hatasi, sorgu_tcsiz=_sorgu(arama),
                           iller=il_secenekleri(db, kapsam), ilceler=ilce_secenekleri(db, il_kod),
                           durumlar=DURUMLAR, kapsam=kapsam, bugun=bugun()), durum


def _muhtar_sayfasi(muhtar_id: int, hatalar: dict | None = None, durum: int = 200):
    db, kapsam = get_session(), aktif_kapsam()
    try:
        ayrinti = muhtar_getir(db, kapsam, muhtar_id)
    except KayitBulunamadi:
        abort(404)
    return render_template("kayit/muhtar.html", sekme="kayit", a=ayrinti, m=ayrinti.muhtar,
                           guncel=guncel_mi(ayrinti.muhtar, bugun()), donemler=donemler(db, ayrinti.muhtarlik.id),
                           gunluk=degisiklikler(db, muhtar_id), alan_adlari=ALAN_ADLARI, hatalar=hatalar or {},
                           form=request.form if hatalar else {}, bugun=bugun()), durum


@bp.get("/<int:muhtar_id>")
@kayit_gerekli
def muhtar(muhtar_id: int):
    return _muhtar_sayfasi(muhtar_id)


@bp.post("/<int:muhtar_id>/iletisim")
@kayit_gerekli
def iletisim(muhtar_id: int):
    db = get_session()
    try:
        degisen = iletisim_guncelle(db, aktif_kapsam(), muhtar_id, telefon=request.form.get("telefon"),
                                    eposta=request.form.get("eposta"), simdi=utcnow(), gun=bugun())
    except KayitBulunamadi:
        abort(404)
    except FormHatasi as hata:
        db.rollback()
        return _muhtar_sayfasi(muhtar_id, hata.alanlar, 422)
    except GecersizVeri as hata:
        db.rollback()
        flash(hata.mesaj, "hata")
        return redirect(url_for("kayit.muhtar", muhtar_id=muhtar_id), 303)
    db.commit()
    if degisen:
        adlar = " ve ".join(ALAN_ADLARI[a].lower() for a in degisen)
        ek = " Yeni numara bir sonraki onay kodu isteğinden itibaren kullanılır." if "telefon" in degisen else ""
        flash(f"Muhtarın {adlar} bilgisi güncellendi.{ek}", "basari")
    else:
        flash("Değişiklik yok.", "bilgi")
    return redirect(url_for("kayit.muhtar", muhtar_id=muhtar_id), 303)


def _donem_kaydet(islem: Callable[[Session, Kapsam], Muhtar], form_sayfasi: Callable, kayit_id: int,
                  gecersiz_alani: str, mesaj: Callable[[Muhtar], str]):
    """What ending a term and starting one share: ``islem(db, kapsam)`` changes the registry and returns the
    muhtar; on success commit, flash ``mesaj(muhtar)`` and go to the muhtar's page. A record outside the scope is
    a 404; a refused form is rolled back and shown again, 422, by ``form_sayfasi(kayit_id, hatalar, 422)``
    (a GecersizVeri's message under ``gecersiz_alani``)."""
    db = get_session()
    try:
        muhtar = islem(db, aktif_kapsam())
    except KayitBulunamadi:
        abort(404)
    except FormHatasi as hata:
        db.rollback()
        return form_sayfasi(kayit_id, hata.alanlar, 422)
    except GecersizVeri as hata:
        db.rollback()
        return form_sayfasi(kayit_id, {gecersiz_alani: hata.mesaj}, 422)
    db.commit()
    flash(mesaj(muhtar), "basari")
    return redirect(url_for("kayit.muhtar", muhtar_id=muhtar.id), 303)


def _bitir_sayfasi(muhtar_id: int, hatalar: dict | None = None, durum: int = 200):
    try:
        ayrinti = muhtar_getir(get_session(), aktif_kapsam(), muhtar_id)
    except KayitBulunamadi:
        abort(404)
    return render_template("kayit/bitir.html", sekme="kayit", a=ayrinti, m=ayrinti.muhtar, nedenler=BITIS_NEDENLERI,
                           hatalar=hatalar or {}, form=request.form, bugun=bugun()), durum


@bp.get("/<int:muhtar_id>/bitir")
@kayit_gerekli
def bitir_onay(muhtar_id: int):
    return _bitir_sayfasi(muhtar_id)


@bp.post("/<int:muhtar_id>/bitir")
@kayit_gerekli
def bitir(muhtar_id: int):
    if request.form.get("onay") != "1":
        return _bitir_sayfasi(muhtar_id, {"onay": "Görevin sona ereceğini onaylamak için kutuyu işaretleyin."}, 422)
    f = request.form
    return _donem_kaydet(
        lambda db, kapsam: donem_bitir(db, kapsam, muhtar_id, bitis=tarih_oku(f.get("bitis")), neden=f.get("neden"),
                                       aciklama=f.get("aciklama"), simdi=utcnow(), gun=bugun()),
        _bitir_sayfasi, muhtar_id, "bitis",
        lambda m: f"{m.ad_soyad} adlı muhtarın görevi {m.gorev_bitis:%d.%m.%Y} tarihinden itibaren sona erdi; "
                  "yeni muhtar girilene kadar mahallenin muhtarı yok.")


def _mahalle_sayfasi(muhtarlik_id: int, hatalar: dict | None = None, durum: int = 200):
    db = get_session()
    try:
        yer = muhtarlik_getir(db, aktif_kapsam(), muhtarlik_id)
    except KayitBulunamadi:
        abort(404)
    return render_template("kayit/mahalle.html", sekme="kayit", yer=yer, donemler=donemler(db, muhtarlik_id),
                           hatalar=hatalar or {}, form=request.form if hatalar else {}, bugun=bugun()), durum


@bp.get("/mahalle/<int:muhtarlik_id>")
@kayit_gerekli
def mahalle(muhtarlik_id: int):
    return _mahalle_sayfasi(muhtarlik_id)


@bp.post("/mahalle/<int:muhtarlik_id>/yeni-donem")
@kayit_gerekli
def yeni_donem_view(muhtarlik_id: int):
    f = request.form
    return _donem_kaydet(
        lambda db, kapsam: yeni_donem(db, kapsam, muhtarlik_id, tc=f.get("tc"), ad_soyad=f.get("ad_soyad"),
                                      telefon=f.get("telefon"), eposta=f.get("eposta"),
                                      baslangic=tarih_oku(f.get("baslangic")), simdi=utcnow()),
        _mahalle_sayfasi, muhtarlik_id, "genel",
        lambda m: f"{m.ad_soyad} adlı muhtarın görevi {m.gorev_baslangic:%d.%m.%Y} tarihinde başlar; önceki dönem "
                  "bu tarihte sona erer. Mahallenin talepleri yeni muhtara görünür.")
