"""Deadline service operations, called by the BPMN's timer branches (registered in ``engine.servisler``).

* ``sure/hesapla``: before a unit's task, read the part's due date from SQL (``yonlendirme.son_tarih``) and give
  the process the ISO instants its boundary timers wait for (``son_tarih`` and ``hatirlatma``).
* ``sure/hatirlat``: the reminder timer fired: e-mail the unit's users once, log ``sure_hatirlatma``.
* ``sure/asim``: the due-date timer fired: mark the part and the talep overdue (``gecikti``), log
  ``sure_asimi``, e-mail MİGM (and, for a sub-unit, the Valilik that forwarded it) once.
* ``talep/ilerleme``: the 30-day timer fired without a final answer: the progress SMS to the muhtar (Law 3071
  art. 7) once, log ``ilerleme_bildirimi``, mark the talep overdue, e-mail MİGM.

Every operation is idempotent through its SQL marker (``hatirlatma``, ``gecikti``, ``ilerleme_bildirimi``): a
timer branch that runs twice, or two timers of one part, never send twice. Nothing here deletes or changes a
unit's answer: the timers are non-interrupting and answers live in ``yonlendirme`` from the moment they
arrive. Messages only go to the outbox; the sender delivers them after the commit.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.errors import SurecHatasi
from engine.mesaj.kuyruk import eposta_kuyruga_al, sms_kuyruga_al
from engine.models import Birim, Hareket, Kullanici, Yonlendirme

TURKIYE = ZoneInfo("Europe/Istanbul")
IMZA = "\n\nBu ileti Muhtar Bilgi Sistemi tarafından gönderilmiştir; lütfen yanıtlamayınız."


def _yerel(an: datetime) -> str:
    return an.astimezone(TURKIYE).strftime("%d.%m.%Y %H:%M")


def _parca(ctx, birim_id) -> Yonlendirme:
    part = ctx.session.scalars(select(Yonlendirme).where(
        Yonlendirme.talep_id == ctx.talep.id, Yonlendirme.birim_id == int(birim_id))).first()
    if part is None:
        raise SurecHatasi(detay=f"talep {ctx.talep.id}: birim {birim_id} için yönlendirme yok")
    return part


def _hareket(ctx, islem: str, birim_id: int | None, not_: str, muhtar_gorur: bool = False) -> Hareket:
    """A system movement (no user), whoever's operation happened to run the timer branch."""
    row = Hareket(talep_id=ctx.talep.id, zaman=ctx.simdi, islem=islem, birim_id=birim_id, kullanici_id=None,
                  not_=not_, muhtar_gorur=muhtar_gorur)
    ctx.session.add(row)
    return row


def birim_adresleri(session, birim_ids) -> list[str]:
    """E-mail addresses of the active users of these units, sorted, without duplicates."""
    ids = [i for i in birim_ids if i is not None]
    if not ids:
        return []
    return sorted(set(session.scalars(select(Kullanici.eposta).where(
        Kullanici.birim_id.in_(ids), Kullanici.aktif.is_(True), Kullanici.eposta.is_not(None),
        Kullanici.eposta != ""))))


def migm_birimleri(session) -> list[int]:
    return list(session.scalars(select(Birim.id).where(Birim.rol == "MIGM", Birim.aktif.is_(True))))


def _epostala(ctx, adresler, konu: str, metin: str) -> int:
    for adres in adresler:
        eposta_kuyruga_al(ctx.session, adres, konu, metin + IMZA, talep_id=ctx.talep.id)
    return len(adresler)


# --- operations -----------------------------------------------------------------------------------------------

def sure_hesapla(ctx, task, params: dict) -> dict:
    """The part's due date and reminder instant (ISO 8601, UTC) for the timers; reminder ``hatirlatma_gun`` days
    before the due date, or half-way when the part is shorter than that."""
    part = _parca(ctx, params["birim_id"])
    son = part.son_tarih or ctx.talep.son_tarih
    if son is None:
        raise SurecHatasi(detay=f"talep {ctx.talep.id}: birim {part.birim_id} parçasının son tarihi yok")
    hatirlatma = son - timedelta(days=float(params.get("hatirlatma_gun", 1)))
    if hatirlatma <= part.olusturma:
        hatirlatma = part.olusturma + (son - part.olusturma) / 2
    return {"son_tarih": son.isoformat(), "hatirlatma": hatirlatma.isoformat()}


def sure_hatirlat(ctx, task, params: dict) -> dict:
    """Remind the unit of its due date, once, while the part is open and not yet due."""
    part = _parca(ctx, params["birim_id"])
    if part.durum == "tamamlandi" or part.hatirlatma is not None or ctx.simdi >= part.son_tarih:
        return {"gonderildi": False}
    part.hatirlatma = ctx.simdi
    talep = ctx.talep
    son = _yerel(part.son_tarih)
    _hareket(ctx, "sure_hatirlatma", part.birim_id, f"Son tarih {son}; birime hatırlatma gönderildi.")
    sayi = _epostala(
        ctx, birim_adresleri(ctx.session, [part.birim_id]),
        f"Hatırlatma: {talep.numara} numaralı talebin son tarihi {son}",
        f"Biriminize yönlendirilen {talep.numara} numaralı talebin son tarihi {son}.\n"
        "Süre dolmadan işlemi tamamlayınız; süre aşımı MİGM'ye bildirilir.\n\n"
        "Talep, Muhtar Bilgi Sistemi'nde Gelen Kutusu'nuzdadır.")
    return {"gonderildi": True, "eposta": sayi}


def sure_asim(ctx, task, params: dict) -> dict:
    """The part's due date passed while it is open: mark it overdue and tell MİGM, once."""
    part = _parca(ctx, params["birim_id"])
    if part.durum == "tamamlandi" or part.gecikti:
        return {"bildirildi": False}
    part.gecikti = True
    ctx.talep.gecikti = True
    talep = ctx.talep
    birim = ctx.session.get(Birim, part.birim_id)
    son = _yerel(part.son_tarih)
    _hareket(ctx, "sure_asimi", part.birim_id, f"{birim.ad}: son tarih ({son}) geçti; MİGM'ye bildirildi.")
    alicilar = migm_birimleri(ctx.session)
    if part.ust_id is not None:
        alicilar.append(part.yonlendiren_birim_id)  # the Valilik that forwarded it to its sub-unit
    sayi = _epostala(
        ctx, birim_adresleri(ctx.session, alicilar),
        f"Süre aşımı: {talep.numara} numaralı talep ({birim.ad})",
        f"{talep.numara} numaralı talepte {birim.ad} biriminin son tarihi ({son}) geçti; işlem tamamlanmadı.\n"
        f"Öncelik: {part.oncelik}. Yönlendirme tarihi: {_yerel(part.olusturma)}.\n\n"
        "Talep listelerde \"süresi geçti\" olarak işaretlendi.")
    return {"bildirildi": True, "eposta": sayi}


def talep_ilerleme(ctx, task, params: dict) -> dict:
    """The legal 30 days passed without a final answer: the progress SMS to the muhtar, once (Law 3071 art. 7)."""
    talep = ctx.talep
    if talep.durum == "sonuclanan" or talep.ilerleme_bildirimi is not None:
        return {"gonderildi": False}
    from engine.servisler import talep_muhtar_telefonu  # engine.servisler imports this module
    metin = str(params["metin"])
    talep.ilerleme_bildirimi = ctx.simdi
    talep.gecikti = True
    mesaj = sms_kuyruga_al(ctx.session, talep_muhtar_telefonu(ctx.session, talep, ctx.simdi), metin,
                           talep_id=talep.id)
    _hareket(ctx, "ilerleme_bildirimi", None, metin, muhtar_gorur=True)
    _epostala(ctx, birim_adresleri(ctx.session, migm_birimleri(ctx.session)),
              f"Yasal süre doldu: {talep.numara} numaralı talep",
              f"{talep.numara} numaralı talep {_yerel(talep.son_tarih)} tarihinde 30 günlük yasal cevap süresini "
              "doldurdu ve henüz sonuçlanmadı.\nMuhtara talebin işlemde olduğu SMS ile bildirildi (3071 s. Kanun "
              "md. 7).")
    return {"mesaj_id": mesaj.id}


#: operation id (as written in the BPMN) -> handler; merged into engine.servisler.VARSAYILAN_SERVISLER
SURE_SERVISLERI = {
    "sure/hesapla": sure_hesapla,
    "sure/hatirlat": sure_hatirlat,
    "sure/asim": sure_asim,
    "talep/ilerleme": talep_ilerleme,
}
