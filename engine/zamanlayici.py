"""The timer runner: wakes process instances whose BPMN timers are due (no Flask here).

Every save stores the earliest due instant of an instance's waiting timers in ``process_instance.next_timer_at``
(``engine.saat.sonraki_zamanlayici``). A run (``zamanlayicilari_isle``) repeats, one instance per transaction:

1. take the first running instance with ``next_timer_at < now`` and lock its row: PostgreSQL
   ``SELECT ... FOR UPDATE SKIP LOCKED`` (two runners take different instances and never wait on each other);
   SQLite: the write session's ``BEGIN IMMEDIATE`` serialises runners, the second sees the first's commit;
2. ``Motor.zamanlayicilari_calistir``: load, ``refresh_timers`` + engine steps on the engine's clock, save with
   ``lock_version + 1`` and the new ``next_timer_at``, sync the inbox; the timer branches' services write the
   hareket and outbox rows;
3. commit. The save moved ``next_timer_at`` past the fired timers, so no runner wakes them again: each timer
   fires once however many runners there are.

An instance that fails to wake (a service error) is rolled back and retried after ``hata_bekleme``; the others
go on. "now" is ``motor.saat()``: the same clock the timers compare with (``engine.saat``), so a test that
controls the Motor's clock controls the runner.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from engine.db import Database
from engine.models import ProcessInstance
from engine.runtime import Motor

logger = logging.getLogger(__name__)


@dataclass
class IslemeSonucu:
    """What one run did: instances woken, instances that failed (retried later)."""
    uyandirilan: int = 0
    hatali: int = 0
    talepler: list[int] = field(default_factory=list)


def _sonraki(session, simdi: datetime, atla: set[int], postgres: bool) -> ProcessInstance | None:
    sorgu = (select(ProcessInstance)
             .where(ProcessInstance.status == "calisiyor", ProcessInstance.next_timer_at < simdi)
             .order_by(ProcessInstance.next_timer_at, ProcessInstance.id).limit(1)
             .execution_options(populate_existing=True))
    if atla:
        sorgu = sorgu.where(ProcessInstance.id.not_in(atla))
    if postgres:
        sorgu = sorgu.with_for_update(skip_locked=True)
    return session.scalars(sorgu).first()


def _ertele(database: Database, instance_id: int, zaman: datetime) -> None:
    """After a failed wake: retry this instance at ``zaman`` instead of at once."""
    try:
        with database.unit_of_work() as session:
            session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id,
                                                          ProcessInstance.status == "calisiyor")
                            .values(next_timer_at=zaman))
    except Exception:  # noqa: BLE001 - the next run tries again anyway
        logger.exception("Örnek %s için zamanlayıcı ertelenemedi.", instance_id)


def zamanlayicilari_isle(database: Database, motor: Motor, en_cok: int = 500,
                         hata_bekleme: timedelta = timedelta(minutes=5)) -> IslemeSonucu:
    """Wake due instances one transaction each, at most ``en_cok`` of them; returns what it did."""
    sonuc = IslemeSonucu()
    atla: set[int] = set()
    postgres = not database.is_sqlite
    while sonuc.uyandirilan + sonuc.hatali < en_cok:
        simdi = motor.saat()
        instance_id = None
        try:
            with database.unit_of_work() as session:
                instance = _sonraki(session, simdi, atla, postgres)
                if instance is None:
                    break
                instance_id = instance.id
                talep = motor.zamanlayicilari_calistir(session, instance)
                talep_id = talep.id
        except Exception:  # noqa: BLE001 - one broken instance must not stop the others
            if instance_id is None:
                raise  # the database itself failed: let the loop's caller log and retry
            logger.exception("Örnek %s uyandırılamadı; %s sonra yeniden denenecek.", instance_id, hata_bekleme)
            sonuc.hatali += 1
            atla.add(instance_id)
            _ertele(database, instance_id, simdi + hata_bekleme)
            continue
        sonuc.uyandirilan += 1
        sonuc.talepler.append(talep_id)
        atla.add(instance_id)  # woken once per run; a timer due later waits for the next run
    return sonuc


def zamanlayici_dongusu(database: Database, motor: Motor, *, aralik: float = 30.0,
                        durdur: threading.Event | None = None, en_cok: int = 500,
                        her_turda=None) -> None:
    """A service loop: wake due instances, then wait ``aralik`` seconds (at once again after a full run).

    Returns when ``durdur`` is set; a failing run (database down) is logged and retried next round.
    ``her_turda(sonuc)`` is called after each run that woke something (e.g. to deliver the outbox)."""
    durdur = durdur or threading.Event()
    logger.info("Zamanlayıcı döngüsü başladı (aralık %.1f sn).", aralik)
    while not durdur.is_set():
        sonuc = IslemeSonucu()
        try:
            sonuc = zamanlayicilari_isle(database, motor, en_cok=en_cok)
            if sonuc.uyandirilan and her_turda is not None:
                her_turda(sonuc)
        except Exception:  # noqa: BLE001 - the service must outlive a database restart
            logger.exception("Zamanlayıcı turu başarısız; %.1f sn sonra yeniden denenecek.", aralik)
        if sonuc.uyandirilan + sonuc.hatali < en_cok:
            durdur.wait(aralik)
    logger.info("Zamanlayıcı döngüsü durdu.")
