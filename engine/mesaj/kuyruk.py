"""Queueing messages in the outbox (``mesaj_kutusu``) inside the caller's transaction.

These functions add rows and flush; they never commit and never send. The row becomes visible to a
sender only when the caller's transaction commits, so a rolled-back mutation sends nothing.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.models import MesajKutusu, utcnow

#: a gizli row's text is shown as this outside development
GIZLI_METIN = "[gizli içerik]"


def sms_kuyruga_al(session: Session, alici: str, metin: str, talep_id: int | None = None,
                   gizli: bool = False) -> MesajKutusu:
    """Queue one SMS to ``alici`` (any usual Turkish mobile notation; the gateway normalises it).

    ``gizli`` marks a text holding a one-time code: its text never reaches a production log.
    Returns the flushed row (it has its id); raises ``GecersizVeri`` for an empty number or text.
    """
    _bos_olmasin(alici, "SMS alıcısı")
    _bos_olmasin(metin, "SMS metni")
    return _ekle(session, MesajKutusu(kanal="sms", alici=alici.strip(), metin=metin, gizli=gizli,
                                      talep_id=talep_id))


def eposta_kuyruga_al(session: Session, alici: str, konu: str, metin: str,
                      talep_id: int | None = None) -> MesajKutusu:
    """Queue one plain-text e-mail. Returns the flushed row; raises ``GecersizVeri`` for empty fields."""
    _bos_olmasin(alici, "E-posta alıcısı")
    _bos_olmasin(konu, "E-posta konusu")
    _bos_olmasin(metin, "E-posta metni")
    return _ekle(session, MesajKutusu(kanal="eposta", alici=alici.strip(), konu=konu, metin=metin,
                                      talep_id=talep_id))


def son_mesajlar(session: Session, limit: int = 20, kanal: str | None = "sms") -> list[MesajKutusu]:
    """The latest outbox rows, newest first (for ``flask sms listele``).

    ``kanal`` "sms" (default) or "eposta" filters; None lists both channels.
    """
    sorgu = select(MesajKutusu).order_by(MesajKutusu.id.desc()).limit(limit)
    if kanal is not None:
        sorgu = sorgu.where(MesajKutusu.kanal == kanal)
    return list(session.scalars(sorgu))


def gorunur_metin(mesaj: MesajKutusu, kodlari_goster: bool = False) -> str:
    """The text to print for a row: a gizli row's text only when ``kodlari_goster`` (development)."""
    return mesaj.metin if (not mesaj.gizli or kodlari_goster) else GIZLI_METIN


def _ekle(session: Session, mesaj: MesajKutusu) -> MesajKutusu:
    # Set explicitly so the row is due now even if the caller reads it before the flush.
    mesaj.durum = "bekliyor"
    mesaj.deneme_sayisi = 0
    mesaj.sonraki_deneme = utcnow()
    session.add(mesaj)
    session.flush()
    return mesaj


def _bos_olmasin(deger: str | None, ad: str) -> None:
    if deger is None or not str(deger).strip():
        raise GecersizVeri(f"{ad} boş olamaz.")
