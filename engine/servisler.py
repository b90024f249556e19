"""Service operations the BPMN's service tasks call (``spiffworkflow:serviceTaskOperator id=...``).

Each handler runs inside the caller's transaction, takes the operation's context, the task and the evaluated
parameters, writes SQL rows (never sends anything itself: messages go to the outbox), and returns a small
JSON-able result that the task stores in its result variable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.mesaj.kuyruk import sms_kuyruga_al
from engine.models import Birim, Ek, Hareket, Muhtar, NumaraSayaci, Talep, Yonlendirme
from engine.sureler import SURE_SERVISLERI

ONCELIK_SIRASI = {"normal": 0, "yuksek": 1, "acil": 2}


@dataclass
class Actor:
    """Who acts: a kurum user of a unit (or the system, with no user)."""
    birim_id: int | None
    rol: str | None
    kullanici_id: int | None = None


@dataclass
class ServisBaglami:
    """What a service handler may touch during one operation."""
    session: Session
    talep: Talep
    actor: Actor | None
    simdi: datetime

    def hareket(self, islem: str, **kw) -> Hareket:
        row = Hareket(talep_id=self.talep.id, zaman=self.simdi, islem=islem,
                      kullanici_id=self.actor.kullanici_id if self.actor else None, **kw)
        self.session.add(row)
        return row


def _numara_ver(session: Session, yil: int) -> int:
    """Next talep number of the year; the UPDATE's row lock serialises concurrent submissions."""
    if session.get(NumaraSayaci, yil) is None:
        try:
            with session.begin_nested():
                session.add(NumaraSayaci(yil=yil, son=0))
        except IntegrityError:
            pass  # another transaction created the year's row first
    stmt = update(NumaraSayaci).where(NumaraSayaci.yil == yil).values(son=NumaraSayaci.son + 1)
    return session.execute(stmt.returning(NumaraSayaci.son)).scalar_one()


def talep_kaydet(ctx: ServisBaglami, task, params: dict) -> dict:
    """Give the talep its number and legal deadline (``son_tarih``, ISO: the 30-day timer waits for it)."""
    talep = ctx.talep
    talep.numara = f"{ctx.simdi.year}-{_numara_ver(ctx.session, ctx.simdi.year):06d}"
    talep.son_tarih = talep.olusturma + timedelta(days=int(params.get("cevap_suresi_gun", 30)))
    ctx.hareket("kaydedildi", not_=f"Talep {talep.numara} numarasıyla kaydedildi.", muhtar_gorur=True)
    return {"numara": talep.numara, "son_tarih": talep.son_tarih.isoformat()}


def gorevdeki_muhtar(session: Session, talep: Talep, simdi: datetime) -> Muhtar:
    """The muhtarlık's muhtar in office now (the talep belongs to the muhtarlık), else the one who filed it."""
    guncel = session.scalars(
        select(Muhtar).where(Muhtar.muhtarlik_id == talep.muhtarlik_id, Muhtar.gorev_baslangic <= simdi.date(),
                             (Muhtar.gorev_bitis.is_(None)) | (Muhtar.gorev_bitis > simdi.date()))
        .order_by(Muhtar.gorev_baslangic.desc())).first()
    return guncel or session.get(Muhtar, talep.muhtar_id)


def talep_muhtar_telefonu(session: Session, talep: Talep, simdi: datetime) -> str:
    return gorevdeki_muhtar(session, talep, simdi).telefon


def sms_gonder(ctx: ServisBaglami, task, params: dict) -> dict:
    """Queue an SMS to the talep's muhtar; the sender delivers it after the commit."""
    telefon = talep_muhtar_telefonu(ctx.session, ctx.talep, ctx.simdi)
    mesaj = sms_kuyruga_al(ctx.session, telefon, str(params["metin"]), talep_id=ctx.talep.id)
    return {"mesaj_id": mesaj.id}


def _hedef_birim(ctx: ServisBaglami, yonlendiren: Birim, birim_id: Any) -> Birim:
    """The unit a routing names, checked against who may route to whom."""
    birim = ctx.session.get(Birim, int(birim_id)) if str(birim_id).isdigit() else None
    if birim is None or not birim.aktif:
        raise GecersizVeri("Seçilen birim bulunamadı.")
    if yonlendiren.rol == "MIGM" and birim.rol in ("VALILIK", "BELEDIYE"):
        return birim
    if yonlendiren.rol == "VALILIK" and birim.rol == "ALT_BIRIM" and birim.ust_birim_id == yonlendiren.id:
        return birim
    raise GecersizVeri(f"{birim.ad} birimine {yonlendiren.ad} tarafından yönlendirme yapılamaz.")


def yonlendirme_kaydet(ctx: ServisBaglami, task, params: dict) -> dict:
    """Record one part per chosen unit, with its priority, note and due date."""
    yonlendiren = ctx.session.get(Birim, int(params["yonlendiren_birim_id"]))
    sure_gun = params.get("sure_gun") or {}
    ust = ctx.session.scalars(select(Yonlendirme).where(
        Yonlendirme.talep_id == ctx.talep.id, Yonlendirme.birim_id == yonlendiren.id)).first()
    liste = params.get("liste") or []
    for item in liste:
        birim = _hedef_birim(ctx, yonlendiren, item.get("birim_id"))
        oncelik = item.get("oncelik") or (ust.oncelik if ust else "normal")
        if oncelik not in ONCELIK_SIRASI:
            raise GecersizVeri("Öncelik normal, yüksek veya acil olmalıdır.")
        son_tarih = ctx.simdi + timedelta(days=int(sure_gun.get(oncelik, 15)))
        if ust and ust.son_tarih and son_tarih > ust.son_tarih:
            son_tarih = ust.son_tarih  # a sub-unit is never due after its Valilik
        ctx.session.add(Yonlendirme(
            talep_id=ctx.talep.id, birim_id=birim.id, ust_id=ust.id if ust else None,
            yonlendiren_birim_id=yonlendiren.id, oncelik=oncelik, not_=str(item.get("not") or ""),
            olusturma=ctx.simdi, son_tarih=son_tarih, talep_olusturma=ctx.talep.olusturma))
        ctx.hareket("birime_iletildi", birim_id=birim.id, not_=str(item.get("not") or ""), muhtar_gorur=False)
    if yonlendiren.rol == "MIGM" and liste:
        _talep_yonlendirildi(ctx, [i.get("oncelik") or "normal" for i in liste])
    try:
        ctx.session.flush()
    except IntegrityError as err:
        raise GecersizVeri("Bir birim bu talebe birden fazla kez seçilemez.") from err
    return {"sayi": len(liste)}


def _talep_yonlendirildi(ctx: ServisBaglami, oncelikler: list[str]) -> None:
    ctx.talep.durum = "yonlendirilen"
    ctx.talep.yonlendirme_zamani = ctx.simdi
    ctx.talep.oncelik = max(oncelikler, key=lambda o: ONCELIK_SIRASI.get(o, 0))


def cevap_kaydet(ctx: ServisBaglami, task, params: dict) -> dict:
    """Keep the unit's answer and attachments in SQL, then drop them from the process data."""
    birim_id = int(params["birim_id"])
    part = ctx.session.scalars(select(Yonlendirme).where(
        Yonlendirme.talep_id == ctx.talep.id, Yonlendirme.birim_id == birim_id)).one()
    part.cevap = str(task.data.pop("islem_notu", "") or "")
    part.cevap_muhtara_acik = bool(task.data.pop("muhtara_acik", False))
    part.durum, part.tamamlanma = "tamamlandi", ctx.simdi
    part.tamamlayan_id = ctx.actor.kullanici_id if ctx.actor else None
    ekler = task.data.pop("ekler", None) or []
    for ek in ekler:
        ctx.session.add(Ek(
            talep_id=ctx.talep.id, yonlendirme_id=part.id, birim_id=birim_id, dosya_adi=ek["dosya_adi"],
            icerik_turu=ek["icerik_turu"], boyut=int(ek["boyut"]), sha256=ek["sha256"],
            muhtar_gorur=bool(ek.get("muhtar_gorur", part.cevap_muhtara_acik)),
            yukleyen_id=part.tamamlayan_id, olusturma=ctx.simdi))
    return {"yonlendirme_id": part.id, "ek_sayisi": len(ekler)}


def talep_sonuclandir(ctx: ServisBaglami, task, params: dict) -> dict:
    """Close the talep with MİGM's final answer (or the reason it was closed without routing)."""
    cevap = str(params.get("cevap") or "").strip()
    if not cevap:
        raise GecersizVeri("Nihai cevap boş olamaz.")
    ctx.talep.durum, ctx.talep.sonuclanma, ctx.talep.nihai_cevap = "sonuclanan", ctx.simdi, cevap
    ctx.hareket("sonuclandi", birim_id=ctx.actor.birim_id if ctx.actor else None, not_=cevap, muhtar_gorur=True)
    return {}


#: operation id (as written in the BPMN) -> handler
VARSAYILAN_SERVISLER = {
    "talep/kaydet": talep_kaydet,
    "sms/gonder": sms_gonder,
    "yonlendirme/kaydet": yonlendirme_kaydet,
    "cevap/kaydet": cevap_kaydet,
    "talep/sonuclandir": talep_sonuclandir,
    # deadline timers: sure/hesapla, sure/hatirlat, sure/asim, talep/ilerleme (engine/sureler.py)
    **SURE_SERVISLERI,
}
