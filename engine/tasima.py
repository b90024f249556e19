"""Migrating running talepler to another version of their process, only where it is safe.

Safe means: every task the instance has completed, started or is waiting in (COMPLETED, STARTED, WAITING,
ERROR: the work done and the events armed) has, in the target version, a task spec of the same name whose
serialised definition is identical; the same for its subprocesses. READY and predicted tasks are reset and
re-predicted on the new definition (SpiffWorkflow's ``migrate_workflow``): a READY user task keeps its id, and
its inbox row is refreshed from the new definition (role, form, unit).

Each migration is one transaction under the one-transaction rule: lock the instance row, load, check, migrate,
run to the next wait, save with ``lock_version + 1`` (a concurrent save makes it fail, nothing written),
refresh the inbox, log a ``surum_tasindi`` hareket.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.durum import durum_coz
from engine.errors import GecersizVeri, MbsHatasi
from engine.gelen_kutusu import _gorev_satiri, gorevleri_esitle
from engine.models import Hareket, HumanTask, ProcessInstance, ProcessVersion, Talep
from engine.runtime import Motor, kilitle
from engine.servisler import Actor
from engine.surecler import SERIALIZER, surum_spec

#: the states whose task definition must not change under a running instance
KORUNAN_DURUMLAR = (TaskState.COMPLETED, TaskState.STARTED, TaskState.WAITING, TaskState.ERROR)
DURUM_ADLARI = {TaskState.COMPLETED: "tamamlanmış", TaskState.STARTED: "başlamış", TaskState.WAITING: "bekleyen",
                TaskState.ERROR: "hatalı"}


class TasimaEngeli(MbsHatasi):
    """The talep may not move to that version; ``mesaj`` says which task stands in the way."""
    mesaj = "Talep bu sürüme taşınamaz."


def _etiket(ts) -> str:
    ad = getattr(ts, "bpmn_name", None)
    kimlik = getattr(ts, "bpmn_id", None) or ts.name
    return f"{kimlik} ({ad})" if ad else kimlik


def tasima_engeli(wf, spec, subprocess_specs) -> str | None:
    """Why this workflow may not move to (spec, subprocess_specs), or None when it may."""
    donustur = SERIALIZER.registry.convert
    onbellek: dict[int, dict] = {}
    for w in [wf, *wf.subprocesses.values()]:
        yeni = spec if w is wf else subprocess_specs.get(w.spec.name)
        for task in w.tasks.values():
            if task.state not in KORUNAN_DURUMLAR:
                continue
            durum = DURUM_ADLARI[task.state]
            if yeni is None:
                return f"{_etiket(task.task_spec)}: {durum} görevin alt süreci '{w.spec.name}' yeni sürümde yok."
            yeni_ts = yeni.task_specs.get(task.task_spec.name)
            if yeni_ts is None:
                return f"{_etiket(task.task_spec)}: {durum} görev yeni sürümde yok."
            eski_dict = onbellek.setdefault(id(task.task_spec), donustur(task.task_spec))
            if eski_dict != donustur(yeni_ts):
                return f"{_etiket(task.task_spec)}: {durum} görevin tanımı yeni sürümde değişmiş."
    return None


def _tasi(wf, spec, subprocess_specs) -> None:
    top_diff, sp_diffs = diff_workflow(SERIALIZER.registry, wf, spec, subprocess_specs)
    # Only READY tasks are reset: a WAITING task (a join, an armed timer) has an unchanged definition here
    # (tasima_engeli) and keeps its state, so a timer's due time does not start again.
    for sp_id, sp in list(wf.subprocesses.items()):
        migrate_workflow(sp_diffs[sp_id], sp, subprocess_specs[sp.spec.name], reset_mask=TaskState.READY)
    migrate_workflow(top_diff, wf, spec, reset_mask=TaskState.READY)
    wf.subprocess_specs = subprocess_specs


def _calistir(motor: Motor, wf, simdi) -> None:
    """Run to the next wait on the operation's clock (the engine's runner; older ones take no clock)."""
    if "simdi" in inspect.signature(motor._calistir).parameters:
        motor._calistir(wf, simdi)
    else:
        motor._calistir(wf)


def surum_engeli(session: Session, instance: ProcessInstance, hedef: ProcessVersion) -> str | None:
    """Why this instance may not move to ``hedef`` (read only; the migration checks again under the lock)."""
    if instance.status != "calisiyor":
        return "Talebin süreci tamamlanmış."
    if instance.version_id == hedef.id:
        return "Talep zaten bu sürümde."
    kaynak = session.get(ProcessVersion, instance.version_id)
    if kaynak.process_id != hedef.process_id:
        return "Başka bir sürecin sürümü."
    spec, subs = surum_spec(kaynak)
    wf = durum_coz(instance.state, spec, subs)
    yeni_spec, yeni_subs = surum_spec(hedef)
    return tasima_engeli(wf, yeni_spec, yeni_subs)


@dataclass
class Aday:
    """A running talep of a version and why it may not move to the target (None: it may)."""
    talep_id: int
    numara: str | None
    durum: str
    engel: str | None


def tasima_adaylari(session: Session, kaynak_id: int, hedef: ProcessVersion, limit: int = 200) -> list[Aday]:
    """The running talepler of version ``kaynak_id`` (oldest first), each with its obstacle to ``hedef``."""
    satirlar = session.execute(
        select(Talep, ProcessInstance).join(ProcessInstance, ProcessInstance.id == Talep.instance_id)
        .where(ProcessInstance.version_id == kaynak_id, ProcessInstance.status == "calisiyor")
        .order_by(Talep.olusturma, Talep.id).limit(limit)).all()
    return [Aday(t.id, t.numara, t.durum, surum_engeli(session, i, hedef)) for t, i in satirlar]


def talep_tasi(session: Session, motor: Motor, talep_id: int, hedef_id: int, actor: Actor | None,
               kullanici: str) -> Talep:
    """Move one running talep to version ``hedef_id`` in the caller's transaction (flushes; caller commits).

    Raises TasimaEngeli when it is not safe, EsZamanliDegisiklik when another save came first."""
    talep = session.get(Talep, talep_id)
    if talep is None or talep.instance_id is None:
        raise GecersizVeri("Talep bulunamadı.")
    hedef = session.get(ProcessVersion, hedef_id)
    if hedef is None:
        raise GecersizVeri(f"{hedef_id} numaralı süreç sürümü yok.")
    instance = kilitle(session, talep.instance_id)
    simdi = motor.saat()
    if instance.status != "calisiyor":
        raise TasimaEngeli("Talebin süreci tamamlanmış; taşınamaz.")
    eski_id = instance.version_id
    if eski_id == hedef.id:
        raise TasimaEngeli("Talep zaten bu sürümde.")
    if session.get(ProcessVersion, eski_id).process_id != hedef.process_id:
        raise TasimaEngeli("Başka bir sürecin sürümüne taşınamaz.")
    wf = motor.yukle(session, instance, talep, actor, simdi)
    spec, subs = surum_spec(hedef)
    if (engel := tasima_engeli(wf, spec, subs)) is not None:
        raise TasimaEngeli(f"Talep {talep.numara or talep.id} taşınamaz: {engel}")
    _tasi(wf, spec, subs)
    _calistir(motor, wf, simdi)
    # the engine's save: state with the lock_version check (EsZamanliDegisiklik when another save came first)
    motor._kaydet(session, instance, wf, simdi)
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance.id)
                    .values(version_id=hedef.id).execution_options(synchronize_session=False))
    session.expire(instance)
    _gelen_kutusunu_yenile(session, wf, instance, talep, simdi)
    session.add(Hareket(talep_id=talep.id, zaman=simdi, birim_id=actor.birim_id if actor else None,
                        kullanici_id=actor.kullanici_id if actor else None, islem="surum_tasindi",
                        muhtar_gorur=False, not_=f"Süreç sürümü {eski_id} → {hedef.id} ({kullanici})."))
    session.flush()
    return talep


def _gelen_kutusunu_yenile(session: Session, wf, instance: ProcessInstance, talep: Talep, simdi) -> None:
    """Open inbox rows of tasks still READY take their role, form and unit from the new definition."""
    hazir = {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    for row in session.scalars(select(HumanTask).where(HumanTask.talep_id == talep.id,
                                                       HumanTask.durum == "acik")):
        task = hazir.get(row.task_uuid)
        if task is None:
            continue
        yeni = _gorev_satiri(session, wf, task, instance, talep, simdi)
        row.bpmn_id, row.ad, row.rol, row.birim_id, row.form_key = (yeni.bpmn_id, yeni.ad, yeni.rol, yeni.birim_id,
                                                                    yeni.form_key)
    gorevleri_esitle(session, wf, instance, talep, simdi)


@dataclass
class TasimaSonucu:
    talep_id: int
    numara: str | None
    tasindi: bool
    mesaj: str


def toplu_tasi(database, motor: Motor, talep_idler: list[int], hedef_id: int, actor: Actor | None,
               kullanici: str) -> list[TasimaSonucu]:
    """Move each talep in its own transaction; one refused or failed talep does not stop the others."""
    sonuclar = []
    for talep_id in talep_idler:
        try:
            with database.unit_of_work() as session:
                talep = talep_tasi(session, motor, talep_id, hedef_id, actor, kullanici)
                numara = talep.numara
        except MbsHatasi as hata:
            with database.session() as session:
                talep = session.get(Talep, talep_id)
                numara = talep.numara if talep else None
            sonuclar.append(TasimaSonucu(talep_id, numara, False, hata.mesaj))
        else:
            sonuclar.append(TasimaSonucu(talep_id, numara, True, f"Talep {numara} sürüm {hedef_id}'e taşındı."))
    return sonuclar
