"""Instance runtime: start a talep's process, complete a user task, under the one-transaction rule.

Every mutation: lock the instance row (FOR UPDATE on PostgreSQL; the session's BEGIN IMMEDIATE on SQLite),
load, check the task is READY and the actor's unit may act, run, save the state with ``lock_version + 1``,
update the inbox, talep and hareket rows, queue messages. The caller commits once; nothing is sent here.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import bildirim
from engine.betik import MbsScriptEngine
from engine.errors import (EsZamanliDegisiklik, GecersizVeri, GorevBulunamadi, GorevTamamlanmis, GorevYetkisiz,
                           MbsHatasi, SurecHatasi)
from engine.gelen_kutusu import gorev_ozellikleri, gorevleri_esitle, ifade
from engine.kelimeler import anahtar_kelimeler
from engine.models import Birim, Hareket, HumanTask, Muhtar, ProcessInstance, ProcessVersion, Talep, utcnow
from engine.servisler import VARSAYILAN_SERVISLER, Actor, ServisBaglami
from engine.durum import durum_coz, durum_kodla
from engine.saat import sonraki_zamanlayici, surec_saati
from engine.surecler import guncel_surum, surum_spec, surum_spec_kimlikle

TALEP_TURLERI = {"sikayet": "Şikâyet", "istek": "İstek", "ihbar": "İhbar", "gorus_oneri": "Görüş ve Öneri"}
ACIKLAMA_EN_AZ, ACIKLAMA_EN_COK = 10, 4000
#: keys a form may never write into the process data: they carry identity and routing already decided
KORUNAN_ANAHTARLAR = frozenset({"talep_id", "migm_birim_id", "tur", "kayit", "yonlendirme", "alt_yonlendirme",
                                "belediye_yonlendirmesi", "oneri", "aciklama_kelimeler",
                                # the due instants the deadline timers wait for (sure/hesapla)
                                "valilik_suresi", "alt_birim_suresi", "belediye_suresi"})


class Motor:
    """The engine with its service registry and clock; one per application."""

    def __init__(self, servisler: dict | None = None, saat=utcnow,
                 bildirim_baglantisi: Callable[[int], str] | None = None):
        """``bildirim_baglantisi(talep_id)`` is the talep page's address for e-mails; without it no e-mail is
        queued when a task arrives or a talep closes."""
        self.servisler = dict(VARSAYILAN_SERVISLER if servisler is None else servisler)
        self.saat = saat
        self.bildirim_baglantisi = bildirim_baglantisi

    def _esitle_ve_bildir(self, session: Session, wf: BpmnWorkflow, instance: ProcessInstance, talep: Talep,
                          simdi: datetime, onceki_durum: str | None) -> None:
        """Sync the inbox; e-mail the units whose tasks just arrived, and the muhtar when the talep closed."""
        yeni = gorevleri_esitle(session, wf, instance, talep, simdi)
        if self.bildirim_baglantisi is None:
            return
        session.flush()
        bildirim.gorev_epostalari(session, talep, yeni, self.bildirim_baglantisi)
        if talep.durum == "sonuclanan" and onceki_durum != "sonuclanan":
            bildirim.sonuc_epostasi(session, talep, simdi)

    # --- state ----------------------------------------------------------------------------------------

    def _script_engine(self, session: Session, talep: Talep, actor: Actor | None, simdi: datetime):
        return MbsScriptEngine(self.servisler, ServisBaglami(session, talep, actor, simdi))

    def yukle(self, session: Session, instance: ProcessInstance, talep: Talep, actor: Actor | None,
              simdi: datetime, surum_sha256: str | None = None) -> BpmnWorkflow:
        """The instance's workflow on its own version, with this operation's script engine attached
        (``surum_sha256``: the version's SHA-256 when the caller already read it)."""
        spec, subs = surum_spec_kimlikle(session, instance.version_id, surum_sha256)
        wf = durum_coz(instance.state, spec, subs)
        wf.script_engine = self._script_engine(session, talep, actor, simdi)
        return wf

    def _kaydet(self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow, simdi: datetime) -> None:
        """Save with a version check: if another transaction saved meanwhile, nothing is written."""
        status = "tamamlandi" if wf.is_completed() else "calisiyor"
        result = session.execute(
            update(ProcessInstance)
            .where(ProcessInstance.id == instance.id, ProcessInstance.lock_version == instance.lock_version)
            .values(state=durum_kodla(wf), lock_version=instance.lock_version + 1, status=status,
                    updated_at=simdi, next_timer_at=sonraki_zamanlayici(wf))
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise EsZamanliDegisiklik(detay=f"instance {instance.id} lock_version {instance.lock_version}")
        session.expire(instance, ["state", "lock_version", "status", "updated_at", "next_timer_at"])

    def _calistir(self, wf: BpmnWorkflow, simdi: datetime | None = None, zamanlayicilar: bool = False) -> None:
        """Run engine steps on the operation's clock (``engine.saat``) until only user tasks and waiting events
        remain: a timer that came due in the last step's timer refresh is run too, never saved READY."""
        try:
            with surec_saati(simdi or self.saat()):
                if zamanlayicilar:
                    wf.refresh_timers()
                wf.do_engine_steps()
                for _ in range(10):
                    if not wf.get_tasks(state=TaskState.READY, manual=False):
                        break
                    wf.do_engine_steps()
        except WorkflowException as err:
            raise _neden(err) from err

    # --- operations -----------------------------------------------------------------------------------

    def talep_baslat(self, session: Session, *, muhtar_id: int, tur: str, aciklama: str,
                     istek_anahtari: str | None = None) -> Talep:
        """File a talep for the muhtar's muhtarlık and run its process to the first user task.

        The same ``istek_anahtari`` twice (a double click) returns the first talep instead of a second one."""
        if istek_anahtari:
            onceki = session.scalars(select(Talep).where(Talep.istek_anahtari == istek_anahtari)).first()
            if onceki is not None:
                return onceki
        tur, aciklama = talep_verisi_dogrula(tur, aciklama)
        muhtar = session.get(Muhtar, muhtar_id)
        if muhtar is None:
            raise GecersizVeri("Muhtar bulunamadı.")
        simdi = self.saat()
        version = guncel_surum(session)
        instance = ProcessInstance(version_id=version.id, state=b"", created_at=simdi, updated_at=simdi)
        session.add(instance)
        session.flush()
        talep = Talep(muhtarlik_id=muhtar.muhtarlik_id, muhtar_id=muhtar.id, tur=tur, aciklama=aciklama,
                      olusturma=simdi, instance_id=instance.id, istek_anahtari=istek_anahtari)
        session.add(talep)
        session.flush()
        session.add(Hareket(talep_id=talep.id, zaman=simdi, islem="basvuru", muhtar_gorur=True,
                            not_=f"{TALEP_TURLERI[tur]} başvurusu yapıldı."))
        spec, subs = surum_spec(version)
        wf = BpmnWorkflow(spec, subs, script_engine=self._script_engine(session, talep, None, simdi))
        wf.task_tree.data.update({"talep_id": talep.id, "tur": tur, "migm_birim_id": migm_birim_id(session),
                                  "aciklama_kelimeler": anahtar_kelimeler(aciklama)})
        self._calistir(wf, simdi)
        instance.state = durum_kodla(wf)
        instance.status = "tamamlandi" if wf.is_completed() else "calisiyor"
        instance.next_timer_at = sonraki_zamanlayici(wf)
        self._esitle_ve_bildir(session, wf, instance, talep, simdi, None)
        session.flush()
        return talep

    def gorev_tamamla(self, session: Session, task_uuid: str, actor: Actor, veri: dict) -> Talep:
        """Complete a READY user task of the actor's unit with the form's data and run on to the next wait."""
        # lock first, then read the task and its talep: the read after the lock sees what a concurrent
        # completion of the same instance committed (two statements, not a read, a lock and a re-read)
        kilitli = session.execute(
            select(ProcessInstance, ProcessVersion.sha256)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .where(ProcessInstance.id == select(HumanTask.instance_id).where(
                HumanTask.task_uuid == task_uuid).scalar_subquery())
            .with_for_update(of=ProcessInstance).execution_options(populate_existing=True)).first()
        if kilitli is None:
            raise GorevBulunamadi()
        instance, surum_sha256 = kilitli
        gorev, talep = session.execute(
            select(HumanTask, Talep).join(Talep, Talep.id == HumanTask.talep_id)
            .where(HumanTask.task_uuid == task_uuid).execution_options(populate_existing=True)).one()
        if gorev.durum != "acik":
            raise GorevTamamlanmis()
        if gorev.birim_id != actor.birim_id or gorev.rol != actor.rol:
            raise GorevYetkisiz()
        _veri_dogrula(veri)
        simdi = self.saat()
        onceki_durum = talep.durum
        wf = self.yukle(session, instance, talep, actor, simdi, surum_sha256)
        task = wf.get_task_from_id(UUID(task_uuid))
        if task is None or task.state != TaskState.READY:
            raise GorevTamamlanmis()
        task.data.update(veri)
        self._gorevi_calistir(task, simdi)
        self._hareket_yaz(session, wf, task, talep, actor, simdi)
        gorev.durum, gorev.completed_at, gorev.completed_by = "tamamlandi", simdi, actor.kullanici_id
        self._calistir(wf, simdi)
        self._kaydet(session, instance, wf, simdi)
        self._esitle_ve_bildir(session, wf, instance, talep, simdi, onceki_durum)
        session.flush()
        return talep

    def zamanlayicilari_calistir(self, session: Session, instance: ProcessInstance) -> Talep:
        """Fire the due timers of an instance whose row the caller locked (``engine.zamanlayici``), run on to
        the next wait, save, sync the inbox; the timer branches' services write hareket and outbox rows."""
        simdi = self.saat()
        talep = session.scalars(select(Talep).where(Talep.instance_id == instance.id)).one()
        onceki_durum = talep.durum
        wf = self.yukle(session, instance, talep, None, simdi)
        self._calistir(wf, simdi, zamanlayicilar=True)
        self._kaydet(session, instance, wf, simdi)
        self._esitle_ve_bildir(session, wf, instance, talep, simdi, onceki_durum)
        session.flush()
        return talep

    @staticmethod
    def _gorevi_calistir(task, simdi: datetime) -> None:
        try:
            with surec_saati(simdi):
                task.run()
        except WorkflowException as err:
            raise _neden(err) from err

    @staticmethod
    def _hareket_yaz(session, wf, task, talep: Talep, actor: Actor, simdi: datetime) -> None:
        """Log the movement the task's properties describe (islem, note, whether the muhtar sees the note)."""
        props = gorev_ozellikleri(task)
        islem = ifade(wf, task, props.get("hareket"))
        if not islem:
            return
        notu = ifade(wf, task, props.get("hareketNotu"))
        session.add(Hareket(
            talep_id=talep.id, zaman=simdi, birim_id=actor.birim_id, kullanici_id=actor.kullanici_id,
            islem=str(islem), bpmn_id=task.task_spec.bpmn_id, task_uuid=str(task.id),
            not_=str(notu) if notu else None, muhtar_gorur=bool(ifade(wf, task, props.get("muhtarGorur"), False))))


def _neden(err: WorkflowException) -> MbsHatasi:
    """The engine error behind a SpiffWorkflow exception (a handler's GecersizVeri stays itself)."""
    cause = err
    while cause is not None:
        if isinstance(cause, MbsHatasi):
            return cause
        cause = cause.__cause__ or cause.__context__
    return SurecHatasi("Süreç adımı çalıştırılamadı; işlem kaydedilmedi.", detay=str(err))


def _veri_dogrula(veri: dict) -> None:
    kotu = [k for k in veri if k in KORUNAN_ANAHTARLAR or not k.isidentifier() or k.startswith("_")]
    if kotu:
        raise GecersizVeri("Form süreçte değiştirilemeyen alanlar içeriyor.", detay=f"korunan: {kotu}")


def talep_verisi_dogrula(tur: str, aciklama: str) -> tuple[str, str]:
    """The başvuru's type and text, checked; a clear Turkish error otherwise."""
    if tur not in TALEP_TURLERI:
        raise GecersizVeri("Başvuru türü şikâyet, istek, ihbar veya görüş ve öneri olmalıdır.")
    aciklama = (aciklama or "").strip()
    if len(aciklama) < ACIKLAMA_EN_AZ:
        raise GecersizVeri(f"Açıklama en az {ACIKLAMA_EN_AZ} karakter olmalıdır.")
    if len(aciklama) > ACIKLAMA_EN_COK:
        raise GecersizVeri(f"Açıklama en çok {ACIKLAMA_EN_COK} karakter olabilir.")
    return tur, aciklama


def kilitle(session: Session, instance_id: int) -> ProcessInstance:
    """Lock the instance row for this transaction and read its current state."""
    instance = session.scalars(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                               .with_for_update().execution_options(populate_existing=True)).first()
    if instance is None:
        raise GorevBulunamadi()
    return instance


def migm_birim_id(session: Session) -> int:
    birim_id = session.scalar(select(Birim.id).where(Birim.kod == "MIGM"))
    if birim_id is None:
        raise SurecHatasi("MİGM birimi tanımlı değil; önce 'flask --app webapp kurulum' çalıştırın.")
    return birim_id
