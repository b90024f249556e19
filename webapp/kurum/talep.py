"""The talep page (muhtar, request, parts, notes, attachments, history, the task form), the task form's
submission, and attachment downloads. Anything another unit may not see is a 404."""
from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.errors import GorevTamamlanmis, MbsHatasi
from engine.runtime import migm_birim_id
from engine.models import Talep
from formlib import FormSonucu, FormTanimHatasi, degerleri_oku, gonderimi_coz
from webapp.db import get_session
from webapp.ekler import ek_yaniti
from webapp.kurum import bp, erisim, gorevler, listeler
from webapp.kurum.ortak import aktif_actor, aktif_birim
from webapp.kurum.talep_ayrinti import ISLEM_ADLARI, talep_ayrintisi
from webapp.mesaj_teslim import teslimi_baslat
from webapp.motor import get_motor
from webapp.oturum import kurum_gerekli

#: KVKK audit: who was shown a muhtar's full phone number (never the number itself). Route this logger to the
#: audit log (see README, "Kişisel veriler").
kvkk_kaydi = logging.getLogger("mbs.kvkk")

#: what the page says after each form is completed
BASARI_MESAJLARI = {
    "yonlendir": "Talep işlendi.", "uzerine_al": "Kaydedildi.", "islem_tamamla": "İşlem tamamlandı.",
    "surec_tamamla": "Süreç tamamlandı; muhtara SMS gönderilecek.",
}


def _migm_id(db) -> int | None:
    try:
        return migm_birim_id(db)
    except MbsHatasi:
        return None


def _sayfa(talep: Talep, gorev=None, sonuc: FormSonucu | None = None, form=None, durum: int = 200):
    """Render the talep page; with a task, its form (values and errors from ``sonuc`` when re-shown)."""
    db, birim = get_session(), aktif_birim()
    gorev = gorev or gorevler.acik_gorev(db, birim, talep.id)
    ayrinti = talep_ayrintisi(db, birim, talep, gorev, _migm_id(db))
    if ayrinti.telefon == ayrinti.muhtar.telefon:
        kvkk_kaydi.info("tam telefon gösterildi: kullanıcı #%s (birim #%s), talep #%s, muhtar #%s",
                        current_user.kayit.id, birim.id, talep.id, ayrinti.muhtar.id)
    baglam = {"ayrinti": ayrinti, "talep": talep, "gorev": gorev, "islem_adlari": ISLEM_ADLARI,
              "turler": listeler.TURLER, "durumlar": listeler.DURUMLAR, "oncelikler": listeler.ONCELIKLER,
              "sayilar": listeler.sekme_sayilari(db, birim), "birim": birim, "tanim": None,
              "iller": listeler.il_secenekleri(db) if gorev is not None else []}
    if gorev is not None:
        try:
            tanim = gorevler.form_tanimi(gorev.form_key)
        except FormTanimHatasi:
            baglam["form_hatasi"] = "Bu görevin formu yüklenemedi; sistem yöneticisine bildirin."
        else:
            degerler = sonuc.degerler if sonuc else {a.ad: a.varsayilan if a.varsayilan is not None else a.bos
                                                     for a in tanim.alanlar}
            baglam.update(tanim=tanim, degerler=degerler, hatalar=sonuc.hatalar if sonuc else {},
                          genel_hatalar=sonuc.genel_hatalar if sonuc else [],
                          secicileri=gorevler.form_secicileri(db, birim, talep, tanim, degerler, form))
    return render_template("kurum/talep.html", **baglam), durum


@bp.get("/talep/<int:talep_id>")
@kurum_gerekli
def talep(talep_id: int):
    talep = erisim.talep_getir(get_session(), aktif_birim(), talep_id)
    if talep is None:
        abort(404)
    return _sayfa(talep)


@bp.post("/gorev/<task_uuid>")
@kurum_gerekli
def gorev_gonder(task_uuid: str):
    """Submit a task's form. "Listele" only re-shows the form with the unit filter applied."""
    db = get_session()
    gorev = erisim.gorev_getir(db, aktif_birim(), task_uuid)
    if gorev is None:
        abort(404)
    talep = db.get(Talep, gorev.talep_id)
    hedef = url_for("kurum.talep", talep_id=talep.id)
    try:
        tanim = gorevler.form_tanimi(gorev.form_key)
    except FormTanimHatasi:
        flash("Bu görevin formu yüklenemedi; sistem yöneticisine bildirin.", "hata")
        return redirect(hedef, 303)
    if gorev.durum != "acik":
        flash(GorevTamamlanmis.mesaj, "hata")
        return redirect(hedef, 303)
    if request.form.get("_eylem") == "listele":
        return _sayfa(talep, gorev, FormSonucu(degerler=degerleri_oku(tanim, request.form)), request.form)
    sonuc = gonderimi_coz(tanim, request.form, request.files, gorevler.KurumFormBaglami(db, aktif_birim()))
    if not sonuc.gecerli:
        return _sayfa(talep, gorev, sonuc, request.form, 422)
    return _tamamla(db, gorev, talep, sonuc, hedef)


def _tamamla(db, gorev, talep: Talep, sonuc: FormSonucu, hedef: str):
    """Run the engine with the validated data; commit once, deliver the outbox, tell the user."""
    try:
        gorevler.gorevi_tamamla(db, get_motor(), gorev, aktif_actor(), sonuc.veri)
    except GorevTamamlanmis as hata:
        db.rollback()
        flash(hata.mesaj, "hata")
        return redirect(hedef, 303)
    except MbsHatasi as hata:
        db.rollback()
        sonuc.genel_hatalar.append(hata.mesaj)
        return _sayfa(db.get(Talep, talep.id), None, sonuc, request.form, 409)
    db.commit()
    teslimi_baslat()
    flash(BASARI_MESAJLARI.get(gorev.form_key, "İşlem kaydedildi."), "basari")
    return redirect(hedef, 303)


@bp.get("/ek/<int:ek_id>")
@kurum_gerekli
def ek_indir(ek_id: int):
    ek = erisim.ek_getir(get_session(), aktif_birim(), ek_id)
    if ek is None:
        abort(404)
    return ek_yaniti(ek)
