"""E-mail notifications, queued in the outbox inside the caller's transaction (never sent here).

* a task arrives for a unit: each active user of that unit with an address gets a short e-mail;
* a talep is closed: the muhtar's institutional address (``Muhtar.eposta``) gets a copy of the final answer.

The texts carry the talep number, type, place and a link, never the muhtar's phone or identity number.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.mesaj import eposta_kuyruga_al
from engine.models import HumanTask, Ilce, Kullanici, MesajKutusu, Muhtarlik, Talep
from engine.servisler import gorevdeki_muhtar

TUR_ADLARI = {"sikayet": "Şikâyet", "istek": "İstek", "ihbar": "İhbar", "gorus_oneri": "Görüş ve Öneri"}
IMZA = "\n\nBu ileti Muhtar Bilgi Sistemi tarafından gönderilmiştir; lütfen yanıtlamayınız."


def yeni_gorevler(session: Session, talep_id: int, zaman: datetime) -> list[HumanTask]:
    """The tasks an operation at ``zaman`` opened on the talep (the engine stamps them with its clock)."""
    return list(session.scalars(select(HumanTask).where(
        HumanTask.talep_id == talep_id, HumanTask.durum == "acik", HumanTask.created_at == zaman)
        .order_by(HumanTask.id)))


def _yer(session: Session, talep: Talep) -> str:
    satir = session.execute(select(Muhtarlik.ad, Ilce.ad).join(Ilce, Ilce.id == Muhtarlik.ilce_id)
                            .where(Muhtarlik.id == talep.muhtarlik_id)).first()
    return f"{satir[0]}, {satir[1]}" if satir else ""


def gorev_epostalari(session: Session, talep: Talep, gorevler: Iterable[HumanTask],
                     baglanti: Callable[[int], str]) -> list[MesajKutusu]:
    """Queue one e-mail per active user (with an address) of each task's unit; ``baglanti(talep_id)`` is the
    talep page's address. Returns the queued rows."""
    kuyruk = []
    for gorev in gorevler:
        alicilar = session.scalars(select(Kullanici.eposta).where(
            Kullanici.birim_id == gorev.birim_id, Kullanici.aktif.is_(True), Kullanici.eposta.is_not(None),
            Kullanici.eposta != "")).all()
        konu = f"Yeni görev: {talep.numara} numaralı talep ({gorev.ad})"
        metin = (f"Biriminize yeni bir görev geldi.\n\nTalep no: {talep.numara}\n"
                 f"Tür: {TUR_ADLARI.get(talep.tur, talep.tur)}\nMuhtarlık: {_yer(session, talep)}\n"
                 f"Görev: {gorev.ad}\n\nTalebi görmek için: {baglanti(talep.id)}" + IMZA)
        for adres in sorted(set(alicilar)):
            kuyruk.append(eposta_kuyruga_al(session, adres, konu, metin, talep_id=talep.id))
    return kuyruk


def _muhtar_epostasi(session: Session, talep: Talep, simdi: datetime) -> str | None:
    """The address of the muhtarlık's muhtar in office, else of the muhtar who filed the talep."""
    muhtar = gorevdeki_muhtar(session, talep, simdi)
    return ((muhtar.eposta if muhtar else "") or "").strip() or None


def sonuc_epostasi(session: Session, talep: Talep, simdi: datetime) -> MesajKutusu | None:
    """A copy of the final answer to the muhtar's institutional address, when the registry has one."""
    adres = _muhtar_epostasi(session, talep, simdi)
    if not adres or not talep.nihai_cevap:
        return None
    metin = (f"{talep.numara} numaralı talebiniz sonuçlanmıştır.\n\nCevap:\n{talep.nihai_cevap}\n\n"
             "Talebinizin tüm hareketlerini Talep Sorgulama sayfasından görebilirsiniz." + IMZA)
    return eposta_kuyruga_al(session, adres, f"{talep.numara} numaralı talebiniz sonuçlandı", metin,
                             talep_id=talep.id)
