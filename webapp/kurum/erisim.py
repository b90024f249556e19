"""Who may see what: every query that lists or loads a talep, task, part or attachment goes through here.

The rule (ARCHITECTURE.md, "Roles and units"): MİGM sees every talep. Any other unit sees a talep only when
it has a part (``yonlendirme``) on it; its tasks always lie on its parts (the engine refuses any other). Within
a talep:

* MİGM sees every part, note and attachment;
* a Valilik sees its own part (MİGM's note to it, its answer, its attachments), the parts it forwarded to
  its sub-units in full, and of the other units MİGM routed the talep to (e.g. the Belediye) their state and
  the note they closed their part with, as the manual says;
* a Belediye and a sub-unit see only their own part.

Anything outside the rule is answered with 404 by the views: a unit cannot even learn that it exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from engine.models import Birim, Ek, Hareket, HumanTask, Talep, Yonlendirme

MIGM = "MIGM"


def gorunur_talep_kosulu(birim: Birim) -> ColumnElement[bool]:
    """A WHERE clause over ``Talep``: the talepler this unit is involved in (MİGM: all)."""
    if birim.rol == MIGM:
        return true()
    return Talep.id.in_(birim_talep_idleri(birim))


def birim_talep_idleri(birim: Birim):
    """The ids of the talepler a (non-MİGM) unit is involved in: those it has a part in. Its tasks need no
    second look: the engine gives a non-MİGM unit a task only on a talep where it has a part
    (``engine.gelen_kutusu``), and ``flask tutarlilik`` checks it."""
    return select(Yonlendirme.talep_id).where(Yonlendirme.birim_id == birim.id)


def talep_gorunur_mu(session: Session, birim: Birim, talep_id: int) -> bool:
    return session.scalar(select(Talep.id).where(Talep.id == talep_id, gorunur_talep_kosulu(birim))) is not None


def talep_getir(session: Session, birim: Birim, talep_id: int) -> Talep | None:
    """The talep if this unit may see it, else None (the view answers 404)."""
    return session.scalars(select(Talep).where(Talep.id == talep_id, gorunur_talep_kosulu(birim))).first()


def gorev_getir(session: Session, birim: Birim, task_uuid: str) -> HumanTask | None:
    """A task of this unit (open or done); another unit's task is None, like a missing one."""
    return session.scalars(select(HumanTask).where(
        HumanTask.task_uuid == task_uuid, HumanTask.birim_id == birim.id, HumanTask.rol == birim.rol)).first()


@dataclass
class ParcaGorunumu:
    """The parts of one talep as this unit may see them."""
    #: parts seen in full: routing note, answer, attachments
    tam: list[Yonlendirme] = field(default_factory=list)
    #: parts seen in summary: unit, state and the closing note only
    ozet: list[Yonlendirme] = field(default_factory=list)

    @property
    def tam_birimler(self) -> set[int]:
        return {p.birim_id for p in self.tam}

    @property
    def ozet_birimler(self) -> set[int]:
        return {p.birim_id for p in self.ozet}


def parcalar(session: Session, birim: Birim, talep_id: int) -> ParcaGorunumu:
    """Split the talep's parts into those this unit sees in full and those it sees in summary."""
    hepsi = list(session.scalars(select(Yonlendirme).where(Yonlendirme.talep_id == talep_id)
                                 .order_by(Yonlendirme.id)))
    if birim.rol == MIGM:
        return ParcaGorunumu(tam=hepsi)
    kendi = [p for p in hepsi if p.birim_id == birim.id]
    if birim.rol != "VALILIK" or not kendi:
        return ParcaGorunumu(tam=kendi)
    kendi_id = kendi[0].id
    alt = [p for p in hepsi if p.ust_id == kendi_id]
    diger = [p for p in hepsi if p.ust_id is None and p.id != kendi_id]
    return ParcaGorunumu(tam=kendi + alt, ozet=diger)


def ek_gorunur_mu(ek: Ek, gorunum: ParcaGorunumu) -> bool:
    """An attachment is seen with the part it belongs to, only when that part is seen in full."""
    return any(p.id == ek.yonlendirme_id for p in gorunum.tam)


def gorunur_ekler(session: Session, birim: Birim, talep_id: int, gorunum: ParcaGorunumu) -> dict[int, list[Ek]]:
    """Attachments by part id, for the parts seen in full."""
    ids = [p.id for p in gorunum.tam]
    sonuc: dict[int, list[Ek]] = {i: [] for i in ids}
    if not ids:
        return sonuc
    for ek in session.scalars(select(Ek).where(Ek.talep_id == talep_id, Ek.yonlendirme_id.in_(ids))
                              .order_by(Ek.id)):
        sonuc[ek.yonlendirme_id].append(ek)
    return sonuc


def ek_getir(session: Session, birim: Birim, ek_id: int) -> Ek | None:
    """An attachment this unit may download, else None (404)."""
    ek = session.get(Ek, ek_id)
    if ek is None or not talep_gorunur_mu(session, birim, ek.talep_id):
        return None
    return ek if ek_gorunur_mu(ek, parcalar(session, birim, ek.talep_id)) else None


def gorunur_hareketler(session: Session, birim: Birim, talep_id: int, gorunum: ParcaGorunumu,
                       migm_birim_id: int | None) -> list[tuple[Hareket, str | None]]:
    """The movement history with each row's note as this unit may read it: (row, note or None).

    MİGM reads everything. Others read the rows of MİGM, the system and the units they see in full; of the
    units they see in summary only the closing row with its note; of anyone else nothing."""
    satirlar = list(session.scalars(select(Hareket).where(Hareket.talep_id == talep_id)
                                    .order_by(Hareket.zaman, Hareket.id)))
    if birim.rol == MIGM:
        return [(h, h.not_) for h in satirlar]
    tam = gorunum.tam_birimler | {None, migm_birim_id}
    ozet = gorunum.ozet_birimler
    sonuc = []
    for h in satirlar:
        if h.birim_id in tam:
            sonuc.append((h, h.not_))
        elif h.birim_id in ozet and h.islem == "islem_tamamlandi":
            sonuc.append((h, h.not_))
    return sonuc
