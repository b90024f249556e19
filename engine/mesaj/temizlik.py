"""Outbox retention: delete old final rows, and blank one-time codes still held by final rows.

``mesaj_kutusu`` would otherwise keep every delivered SMS and e-mail for ever. ``mesajlari_temizle`` (the
``flask --app webapp mesaj temizle`` command) works in batches, each its own short transaction, so a purge of
a million rows never holds one long transaction or lock: the senders and the web application go on writing
between batches. Only final rows are touched (``gonderildi``, ``basarisiz``); ``bekliyor`` and
``gonderiliyor`` rows belong to the delivery loop and are never deleted or changed here.

A row's age is the time it became final: ``gonderilme`` for a delivered row, ``olusturma`` for a failed one
(it has no delivery time; failing takes at most hours after creation).

Batches walk the primary key upwards (keyset: ``id > last id seen``), so every row is read once, dead
tuples left by earlier batches are not scanned again, and no index beyond the primary key is needed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update

from engine.db import Database
from engine.errors import GecersizVeri
from engine.mesaj.teslim import SILINEN_KOD_METNI, SON_DURUMLAR
from engine.models import MesajKutusu

logger = logging.getLogger(__name__)

#: ids per transaction: a few milliseconds of locks each, small enough for any IN list
VARSAYILAN_PARTI = 5000
VARSAYILAN_SAKLAMA_GUN = 90


@dataclass(frozen=True)
class TemizlikSonucu:
    """What a purge did: rows deleted, gizli rows whose code text was blanked, the age limit used."""
    silinen: int
    kodu_silinen: int
    sinir: datetime


def mesajlari_temizle(database: Database, gun: int = VARSAYILAN_SAKLAMA_GUN, *, parti: int = VARSAYILAN_PARTI,
                      simdi: datetime | None = None) -> TemizlikSonucu:
    """Delete final rows that became final more than ``gun`` days ago; blank final gizli rows' text.

    Each batch of at most ``parti`` rows is one transaction. Safe to run while senders run, and to run
    again (an interrupted purge keeps what its finished batches did). Raises ``GecersizVeri`` for
    ``gun`` < 1 or ``parti`` < 1.
    """
    if gun is None or int(gun) < 1:
        raise GecersizVeri(f"Saklama süresi en az 1 gün olmalı (verilen: {gun}).")
    if parti is None or int(parti) < 1:
        raise GecersizVeri(f"Parti büyüklüğü en az 1 olmalı (verilen: {parti}).")
    simdi = _utc(simdi)
    sinir = simdi - timedelta(days=int(gun))
    silinen = _eskileri_sil(database, sinir, int(parti))
    kodu_silinen = _kodlari_sil(database, int(parti))
    logger.info("Giden kutusu temizlendi: %d mesaj silindi (sınır %s), %d onay kodu metni silindi.",
                silinen, sinir.isoformat(), kodu_silinen)
    return TemizlikSonucu(silinen, kodu_silinen, sinir)


def _eski_mi(sinir: datetime):
    """Final, and final since before ``sinir``."""
    return (MesajKutusu.durum.in_(SON_DURUMLAR),
            func.coalesce(MesajKutusu.gonderilme, MesajKutusu.olusturma) < sinir)


def _eskileri_sil(database: Database, sinir: datetime, parti: int) -> int:
    toplam, son_id = 0, 0
    while True:
        with database.unit_of_work() as s:
            idler = list(s.scalars(select(MesajKutusu.id)
                                   .where(MesajKutusu.id > son_id, *_eski_mi(sinir))
                                   .order_by(MesajKutusu.id).limit(parti)))
            if not idler:
                return toplam
            # The condition again: a row set back to bekliyor by hand meanwhile must stay.
            toplam += s.execute(delete(MesajKutusu).where(MesajKutusu.id.in_(idler), *_eski_mi(sinir))
                                .execution_options(synchronize_session=False)).rowcount
        son_id = idler[-1]
        if len(idler) < parti:
            return toplam


def _kod_tasiyor():
    return (MesajKutusu.gizli.is_(True), MesajKutusu.durum.in_(SON_DURUMLAR),
            MesajKutusu.metin != SILINEN_KOD_METNI)


def _kodlari_sil(database: Database, parti: int) -> int:
    """Final gizli rows still holding their code (rows final before codes were blanked on delivery)."""
    toplam, son_id = 0, 0
    while True:
        with database.unit_of_work() as s:
            idler = list(s.scalars(select(MesajKutusu.id)
                                   .where(MesajKutusu.id > son_id, *_kod_tasiyor())
                                   .order_by(MesajKutusu.id).limit(parti)))
            if not idler:
                return toplam
            toplam += s.execute(update(MesajKutusu).where(MesajKutusu.id.in_(idler), *_kod_tasiyor())
                                .values(metin=SILINEN_KOD_METNI)
                                .execution_options(synchronize_session=False)).rowcount
        son_id = idler[-1]
        if len(idler) < parti:
            return toplam


def _utc(an: datetime | None) -> datetime:
    if an is None:
        return datetime.now(timezone.utc)
    return an.replace(tzinfo=timezone.utc) if an.tzinfo is None else an.astimezone(timezone.utc)
