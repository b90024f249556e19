"""Consistency check: every instance's state, inbox rows, talep status and hareket log agree.

Operators run it after an incident (``flask --app webapp tutarlilik``); tests run it after fault drills.
It reads each workflow once, in batches, and changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterator

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.durum import durum_coz
from engine.models import Hareket, HumanTask, ProcessInstance, ProcessVersion, Talep, Yonlendirme
from engine.surecler import surum_spec


def _beklenen_durum(tamamlandi: bool, yonlendirildi: bool) -> str:
    if tamamlandi:
        return "sonuclanan"
    return "yonlendirilen" if yonlendirildi else "bekleyen"


def ornek_sorunlari(session: Session, instance: ProcessInstance, talep: Talep | None) -> list[str]:
    """What disagrees for one instance (an empty list when all is well)."""
    etiket = f"talep {talep.numara if talep else '?'} (örnek {instance.id})"
    if talep is None:
        return [f"{etiket}: örneğin talebi yok"]
    spec, subs = surum_spec(session.get(ProcessVersion, instance.version_id))
    wf = durum_coz(instance.state, spec, subs)
    out = []
    if (instance.status == "tamamlandi") != wf.is_completed():
        out.append(f"{etiket}: örnek durumu '{instance.status}', süreç tamamlandı={wf.is_completed()}")
    hazir = {str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    acik = set(session.scalars(select(HumanTask.task_uuid).where(
        HumanTask.talep_id == talep.id, HumanTask.durum == "acik")))
    if hazir != acik:
        out.append(f"{etiket}: gelen kutusu süreçle uyuşmuyor (eksik {len(hazir - acik)}, fazla {len(acik - hazir)})")
    yonlendirildi = session.scalar(select(Yonlendirme.id).where(
        Yonlendirme.talep_id == talep.id, Yonlendirme.ust_id.is_(None)).limit(1)) is not None
    beklenen = _beklenen_durum(wf.is_completed(), yonlendirildi)
    if talep.durum != beklenen:
        out.append(f"{etiket}: talep durumu '{talep.durum}', beklenen '{beklenen}'")
    out += _hareket_sorunlari(session, etiket, instance, talep.id)
    out += _parcasiz_gorevler(session, etiket, talep.id)
    return out


def _parcasiz_gorevler(session: Session, etiket: str, talep_id: int) -> list[str]:
    """A non-MİGM unit's task on a talep where the unit has no part: the unit could not see it."""
    parcali = select(Yonlendirme.birim_id).where(Yonlendirme.talep_id == talep_id)
    yetim = session.scalars(select(HumanTask.birim_id).where(
        HumanTask.talep_id == talep_id, HumanTask.rol != "MIGM", HumanTask.birim_id.not_in(parcali))).all()
    return [f"{etiket}: {len(yetim)} görev, birimin yönlendirmesi olmayan talepte"] if yetim else []


def _hareket_sorunlari(session: Session, etiket: str, instance: ProcessInstance, talep_id: int) -> list[str]:
    """Every completed task has exactly one hareket row (of its talep: hareket has no index on task_uuid,
    its (talep_id, zaman) index finds the talep's few rows)."""
    tamamlanan = set(session.scalars(select(HumanTask.task_uuid).where(
        HumanTask.talep_id == talep_id, HumanTask.durum == "tamamlandi")))
    if not tamamlanan:
        return []
    kayitli = list(session.scalars(select(Hareket.task_uuid).where(Hareket.talep_id == talep_id,
                                                                    Hareket.task_uuid.in_(tamamlanan))))
    if len(kayitli) != len(tamamlanan) or set(kayitli) != tamamlanan:
        return [f"{etiket}: {len(tamamlanan)} tamamlanan görev, {len(kayitli)} hareket kaydı"]
    return []


def _ornekler(session: Session, parti: int) -> Iterator[tuple[ProcessInstance, Talep | None]]:
    son_id = 0
    while True:
        rows = session.execute(
            select(ProcessInstance, Talep).outerjoin(Talep, Talep.instance_id == ProcessInstance.id)
            .where(ProcessInstance.id > son_id).order_by(ProcessInstance.id).limit(parti)).all()
        if not rows:
            return
        yield from rows
        son_id = rows[-1][0].id
        session.expunge_all()  # keep memory flat over millions of rows


def tutarlilik_denetle(session: Session, parti: int = 500, en_cok: int | None = None) -> tuple[int, list[str]]:
    """(number of instances checked, problems found)."""
    sayi, sorunlar = 0, []
    for instance, talep in _ornekler(session, parti):
        sorunlar += ornek_sorunlari(session, instance, talep)
        sayi += 1
        if en_cok is not None and sayi >= en_cok:
            break
    return sayi, sorunlar
