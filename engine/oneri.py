"""The routing suggestion (processes/oneri.dmn) as MİGM's Yönlendir form shows it.

The decision's task writes ``oneri`` = {"oncelik", "birim_turu", "gerekce"} into the task data; the open task's
data holds it. ``on_degerler`` turns it into the form's first values: the Valilik of the talep's il and/or the
Belediye of its ilçe, pre-selected with the suggested priority. MİGM reviews, changes and submits.
"""
from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.durum import durum_coz
from engine.models import Birim, HumanTask, Ilce, Muhtarlik, ProcessInstance, ProcessVersion, Talep
from engine.surecler import surum_spec

ONCELIKLER = ("normal", "yuksek", "acil")
BIRIM_TURLERI = {"VALILIK": "Valilik", "BELEDIYE": "Belediye", "IKISI": "Valilik ve Belediye"}


def gorev_onerisi(session: Session, gorev: HumanTask) -> dict | None:
    """The ``oneri`` in an open task's data (None when the process gave none)."""
    instance = session.get(ProcessInstance, gorev.instance_id)
    if instance is None or not instance.state:
        return None
    spec, subs = surum_spec(session.get(ProcessVersion, instance.version_id))
    task = durum_coz(instance.state, spec, subs).get_task_from_id(UUID(gorev.task_uuid))
    oneri = task.data.get("oneri") if task is not None else None
    if not isinstance(oneri, dict):
        return None
    oncelik = oneri.get("oncelik") if oneri.get("oncelik") in ONCELIKLER else "normal"
    birim_turu = oneri.get("birim_turu") if oneri.get("birim_turu") in BIRIM_TURLERI else ""
    return {"oncelik": oncelik, "birim_turu": birim_turu, "birim_turu_adi": BIRIM_TURLERI.get(birim_turu, ""),
            "gerekce": str(oneri.get("gerekce") or "")[:500]}


def onerilen_birimler(session: Session, talep: Talep, birim_turu: str) -> dict[str, list[int]]:
    """{"VALILIK": [id], "BELEDIYE": [id]}: the talep's il's Valilik and its ilçe's Belediye, as suggested."""
    ilce = session.scalars(select(Ilce).join(Muhtarlik, Muhtarlik.ilce_id == Ilce.id)
                           .where(Muhtarlik.id == talep.muhtarlik_id)).first()
    if ilce is None:
        return {}
    out: dict[str, list[int]] = {}
    aktif = [Birim.aktif.is_(True)]
    if birim_turu in ("VALILIK", "IKISI"):
        valilik = session.scalar(select(Birim.id).where(Birim.rol == "VALILIK", Birim.il_kod == ilce.il_kod, *aktif)
                                 .order_by(Birim.id).limit(1))
        if valilik is not None:
            out["VALILIK"] = [valilik]
    if birim_turu in ("BELEDIYE", "IKISI"):
        belediye = session.scalar(select(Birim.id).where(Birim.rol == "BELEDIYE", Birim.ilce_id == ilce.id, *aktif)
                                  .order_by(Birim.id).limit(1))
        if belediye is None:  # registries without the ilçe on the unit: the ilçe's name
            belediye = session.scalar(select(Birim.id).where(
                Birim.rol == "BELEDIYE", Birim.il_kod == ilce.il_kod, Birim.ad == f"{ilce.ad} Belediyesi", *aktif)
                .order_by(Birim.id).limit(1))
        if belediye is not None:
            out["BELEDIYE"] = [belediye]
    return out


#: the Yönlendir form's unit-list fields by the role they offer
ALANLAR = {"VALILIK": "valilik_yonlendirmeleri", "BELEDIYE": "belediye_yonlendirmeleri"}


def on_degerler(session: Session, talep: Talep, oneri: dict | None, alanlar: dict[str, str]) -> dict:
    """First values of the unit-list fields for the suggestion: {field: [{birim_id, oncelik, not}]}.

    ``alanlar`` maps a role to the form's field offering that role (only fields the form has)."""
    if not oneri or not oneri.get("birim_turu"):
        return {}
    out = {}
    for rol, idler in onerilen_birimler(session, talep, oneri["birim_turu"]).items():
        if rol in alanlar:
            out[alanlar[rol]] = [{"birim_id": i, "oncelik": oneri["oncelik"], "not": ""} for i in idler]
    return out
