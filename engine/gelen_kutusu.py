"""The inbox index: keeps ``human_task`` in step with the workflow's READY user tasks after every run.

Lists, views and reports read ``human_task`` and never deserialise a workflow.
"""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import SurecHatasi
from engine.models import HumanTask, ProcessInstance, Talep, Yonlendirme

MIGM = "MIGM"


def gorev_ozellikleri(task) -> dict:
    """The ``spiffworkflow:properties`` of a task's spec."""
    return (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})


def ifade(wf, task, expr: str | None, varsayilan=None):
    """Evaluate a property expression against the task's data."""
    if not expr:
        return varsayilan
    try:
        return wf.script_engine.evaluate(task, expr)
    except Exception as err:  # noqa: BLE001 - a broken expression is a process error, reported with its task
        raise SurecHatasi(detay=f"{task.task_spec.bpmn_id}: '{expr}' hesaplanamadı: {err}") from err


def _gorev_satiri(session: Session, wf, task, instance: ProcessInstance, talep: Talep, simdi: datetime) -> HumanTask:
    props = gorev_ozellikleri(task)
    birim_id = ifade(wf, task, props.get("birim"))
    if birim_id is None:
        raise SurecHatasi(detay=f"{task.task_spec.bpmn_id}: görevin birimi belirlenemedi.")
    rol = props.get("rol", "")
    # MİGM has no part of its own: its tasks take the talep's priority and due date
    part = None if rol == MIGM else session.scalars(select(Yonlendirme).where(
        Yonlendirme.talep_id == talep.id, Yonlendirme.birim_id == int(birim_id))).first()
    if part is None and rol != MIGM:
        # A unit sees a talep through its part (yonlendirme) alone: its lists and the scope check read only
        # that table, so a task outside a part would be invisible. A BPMN edit that does this is refused.
        raise SurecHatasi(detay=f"{task.task_spec.bpmn_id}: {birim_id} numaralı birimin bu talepte "
                                f"yönlendirmesi yok; görev ona verilemez.")
    return HumanTask(
        task_uuid=str(task.id), instance_id=instance.id, talep_id=talep.id, bpmn_id=task.task_spec.bpmn_id,
        ad=task.task_spec.bpmn_name or task.task_spec.bpmn_id, rol=rol, birim_id=int(birim_id),
        form_key=props.get("formKey", ""), created_at=simdi,
        oncelik=part.oncelik if part else talep.oncelik, son_tarih=part.son_tarih if part else talep.son_tarih)


def gorevleri_esitle(session: Session, wf, instance: ProcessInstance, talep: Talep, simdi: datetime) -> list[HumanTask]:
    """Add rows for new READY user tasks; close rows whose task is no longer READY. Returns the new rows."""
    ready = {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}
    acik = session.scalars(select(HumanTask).where(
        HumanTask.talep_id == talep.id, HumanTask.durum == "acik")).all()
    bilinen = {row.task_uuid for row in acik}
    for row in acik:
        if row.task_uuid not in ready:
            # a task that left READY without our completion (e.g. cancelled by a boundary event)
            row.durum, row.completed_at = "iptal", simdi
    yeni = [_gorev_satiri(session, wf, t, instance, talep, simdi) for uuid, t in ready.items() if uuid not in bilinen]
    session.add_all(yeni)
    return yeni
