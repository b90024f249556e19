"""Everything the talep page shows, as one unit may see it (see ``erisim`` for the rule)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.kimlik import telefon_maskele
from engine.models import Birim, Ek, Hareket, HumanTask, Il, Ilce, Muhtar, Muhtarlik, Talep, Yonlendirme
from webapp.kurum import erisim

#: hareket.islem -> what the history shows
ISLEM_ADLARI = {
    "basvuru": "Başvuru yapıldı", "kaydedildi": "Talep kaydedildi", "yonlendirildi": "MİGM yönlendirdi",
    "birime_iletildi": "Birime iletildi", "uzerine_alindi": "Valilik üzerine aldı",
    "alt_birime_yonlendirildi": "Alt birimlere yönlendirildi", "islem_tamamlandi": "İşlem tamamlandı",
    "yonlendirilmeden_kapatildi": "Yönlendirilmeden kapatıldı", "surec_tamamlandi": "Süreç tamamlandı",
    "sonuclandi": "Talep sonuçlandı", "sms_kuyruga_alindi": "SMS gönderildi",
    "sure_hatirlatma": "Son tarih hatırlatması gönderildi", "sure_asimi": "Son tarih geçti",
    "ilerleme_bildirimi": "Muhtara 30. gün ara bilgi SMS'i gönderildi", "surum_tasindi": "Süreç sürümü taşındı",
}


@dataclass
class Parca:
    """One unit's part with what this unit may see of it, and its sub-parts."""
    kayit: Yonlendirme
    birim: Birim
    yonlendiren: Birim | None
    tam: bool
    ekler: list[Ek] = field(default_factory=list)
    alt: list["Parca"] = field(default_factory=list)


@dataclass
class TalepAyrintisi:
    talep: Talep
    muhtar: Muhtar
    mahalle: str
    ilce: str
    il: str
    telefon: str
    parcalar: list[Parca]
    hareketler: list[tuple[Hareket, str | None, Birim | None]]
    acik_gorev: HumanTask | None
    #: my own part (Valilik, Belediye, sub-unit), if any
    kendi_parcam: Parca | None = None


def _birimler(session: Session, idler: set) -> dict[int, Birim]:
    idler = {i for i in idler if i is not None}
    return {b.id: b for b in session.scalars(select(Birim).where(Birim.id.in_(idler)))} if idler else {}


def _agac(gorunum: erisim.ParcaGorunumu, birimler: dict[int, Birim], ekler: dict[int, list[Ek]]) -> list[Parca]:
    """Top-level parts with their sub-parts nested; a sub-part whose parent is not visible stands alone."""
    tum = [(p, True) for p in gorunum.tam] + [(p, False) for p in gorunum.ozet]
    dugumler = {p.id: Parca(p, birimler[p.birim_id], birimler.get(p.yonlendiren_birim_id), tam,
                            ekler.get(p.id, [])) for p, tam in tum}
    kokler = []
    for p, _tam in tum:
        if p.ust_id in dugumler:
            dugumler[p.ust_id].alt.append(dugumler[p.id])
        else:
            kokler.append(dugumler[p.id])
    return kokler


def talep_ayrintisi(session: Session, birim: Birim, talep: Talep, acik_gorev: HumanTask | None,
                    migm_birim_id: int | None) -> TalepAyrintisi:
    muhtar = session.get(Muhtar, talep.muhtar_id)
    mahalle, ilce, il = session.execute(
        select(Muhtarlik.ad, Ilce.ad, Il.ad).join(Ilce, Ilce.id == Muhtarlik.ilce_id)
        .join(Il, Il.kod == Ilce.il_kod).where(Muhtarlik.id == talep.muhtarlik_id)).one()
    gorunum = erisim.parcalar(session, birim, talep.id)
    ekler = erisim.gorunur_ekler(session, birim, talep.id, gorunum)
    hareketler = erisim.gorunur_hareketler(session, birim, talep.id, gorunum, migm_birim_id)
    birimler = _birimler(session, {p.birim_id for p in gorunum.tam + gorunum.ozet}
                         | {p.yonlendiren_birim_id for p in gorunum.tam + gorunum.ozet}
                         | {h.birim_id for h, _ in hareketler})
    parcalar = _agac(gorunum, birimler, ekler)
    # The phone is shown in full only to a unit working on the talep now; others see it masked.
    telefon = muhtar.telefon if acik_gorev is not None else telefon_maskele(muhtar.telefon)
    ayrinti = TalepAyrintisi(talep, muhtar, mahalle, ilce, il, telefon, parcalar,
                             [(h, n, birimler.get(h.birim_id)) for h, n in hareketler], acik_gorev)
    ayrinti.kendi_parcam = _bul(parcalar, birim.id)
    return ayrinti


def _bul(parcalar: list[Parca], birim_id: int) -> Parca | None:
    for p in parcalar:
        if p.kayit.birim_id == birim_id:
            return p
        if (alt := _bul(p.alt, birim_id)) is not None:
            return alt
    return None
