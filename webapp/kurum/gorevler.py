"""Task forms on the kurum side: the form a task's ``form_key`` names, the units a field may offer, files,
and completing the task through the engine with its notifications.

Operations take plain values and the session.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.models import Birim, HumanTask, Il, Ilce, Muhtarlik, Talep
from engine.runtime import Motor
from engine.servisler import Actor
from formlib import Alan, DosyaHatasi, FormTanimi, form_yukle
from webapp.ekler import yukleme_al
from webapp.kurum.arama import icerir

MB = 1024 * 1024
#: how many candidate units a picker shows at once (search or pick an il to narrow)
ADAY_SINIRI = 60


def form_tanimi(form_key: str) -> FormTanimi:
    return form_yukle(current_app.config["FORMS_DIR"], form_key)


def _aday_kosullari(alan: Alan, birim: Birim) -> list:
    """Which units a unit-picker field offers to the acting unit: active units of the field's role; a
    sub-unit picker only the acting Valilik's own sub-units."""
    kosullar = [Birim.aktif.is_(True), Birim.rol == alan.birim_rolu]
    if alan.birim_rolu == "ALT_BIRIM":
        kosullar.append(Birim.ust_birim_id == birim.id)
    return kosullar


class KurumFormBaglami:
    """formlib's view of the application for one acting unit."""

    def __init__(self, session: Session, birim: Birim):
        self.session, self.birim = session, birim

    def birimleri_dogrula(self, alan: Alan, idler: list[int]) -> set[int]:
        if not idler:
            return set()
        return set(self.session.scalars(select(Birim.id).where(Birim.id.in_(idler),
                                                               *_aday_kosullari(alan, self.birim))))

    def dosya_kaydet(self, alan: Alan, dosya) -> dict:
        try:
            return yukleme_al(dosya, int(alan.en_buyuk_mb * MB))
        except GecersizVeri as hata:
            raise DosyaHatasi(hata.mesaj) from hata


@dataclass
class BirimSecici:
    """What a unit-picker field shows: the chosen units first, then candidates for the current filter."""
    secili: list = field(default_factory=list)
    adaylar: list = field(default_factory=list)
    fazla: bool = False
    il: str | None = None
    ara: str = ""
    il_filtresi: bool = True


def talep_il_kodu(session: Session, talep: Talep) -> str | None:
    return session.scalar(select(Ilce.il_kod).join(Muhtarlik, Muhtarlik.ilce_id == Ilce.id)
                          .where(Muhtarlik.id == talep.muhtarlik_id))


def birim_secici(session: Session, birim: Birim, alan: Alan, secili: list[dict], il: str | None,
                 ara: str) -> BirimSecici:
    """Chosen units (with their sub-field values) and up to ADAY_SINIRI candidates matching il/search."""
    il_filtresi = alan.birim_rolu != "ALT_BIRIM"
    secili_idler = [o["birim_id"] for o in secili]
    temel = (select(Birim, Il.ad).outerjoin(Il, Il.kod == Birim.il_kod).where(*_aday_kosullari(alan, birim)))
    adlar = {b.id: (b, il_ad) for b, il_ad in session.execute(temel.where(Birim.id.in_(secili_idler)))} \
        if secili_idler else {}
    sorgu = temel.where(Birim.id.not_in(secili_idler)) if secili_idler else temel
    if il and il_filtresi:
        sorgu = sorgu.where(Birim.il_kod == il)
    if ara:
        sorgu = sorgu.where(icerir(Birim.ad, ara))
    adaylar = session.execute(sorgu.order_by(Birim.il_kod, Birim.tur, Birim.ad).limit(ADAY_SINIRI + 1)).all()
    return BirimSecici(
        secili=[(adlar[o["birim_id"]][0], adlar[o["birim_id"]][1], o) for o in secili if o["birim_id"] in adlar],
        adaylar=[(b, il_ad) for b, il_ad in adaylar[:ADAY_SINIRI]], fazla=len(adaylar) > ADAY_SINIRI,
        il=il if il_filtresi else None, ara=ara, il_filtresi=il_filtresi)


def form_secicileri(session: Session, birim: Birim, talep: Talep, tanim: FormTanimi, degerler: dict,
                    form=None) -> dict[str, BirimSecici]:
    """A BirimSecici per unit-picker field; the filter comes from the posted form, else the talep's il."""
    varsayilan_il = None
    secicileri = {}
    for alan in tanim.alanlar:
        if alan.tur != "birim_listesi":
            continue
        if form is not None:
            il, ara = form.get(f"{alan.ad}.il") or None, (form.get(f"{alan.ad}.ara") or "").strip()[:100]
        else:
            varsayilan_il = varsayilan_il or talep_il_kodu(session, talep)
            il, ara = varsayilan_il, ""
        secicileri[alan.ad] = birim_secici(session, birim, alan, degerler.get(alan.ad) or [], il, ara)
    return secicileri


def acik_gorev(session: Session, birim: Birim, talep_id: int) -> HumanTask | None:
    """This unit's open task on the talep (the process gives a unit at most one at a time)."""
    return session.scalars(select(HumanTask).where(
        HumanTask.talep_id == talep_id, HumanTask.birim_id == birim.id, HumanTask.rol == birim.rol,
        HumanTask.durum == "acik").order_by(HumanTask.created_at, HumanTask.id)).first()


def gorevi_tamamla(session: Session, motor: Motor, gorev: HumanTask, actor: Actor, veri: dict) -> Talep:
    """Complete the task; the engine queues the e-mails (to the units whose tasks it opened, to the muhtar when
    it closed the talep). Flushes; the caller commits once. Engine errors propagate (MbsHatasi)."""
    talep = motor.gorev_tamamla(session, gorev.task_uuid, actor, veri)
    session.flush()
    return talep


