"""The three lists of the kurum screen, from SQL only (``human_task``, ``talep`` and the registry):

* Gelen Kutusu: the open tasks of my unit;
* Görünümler: every talep my unit is involved in (MİGM: all);
* Tamamlanan: the tasks my unit finished.

Filtered (durum, tür, il/ilçe, date range, number or text), sorted (newest, oldest, priority) and paginated
by keyset: the page after a row is "rows ordered after it", so page 400 costs what page 1 costs and a row
added meanwhile never shifts a page. No workflow is ever loaded here.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Select, case, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from engine.models import Birim, HumanTask, Il, Ilce, Muhtarlik, Talep, UtcDateTime, Yonlendirme
from webapp.kurum.arama import icerir
from webapp.girdi import BIGINT_EN_BUYUK, rakam_mi, tamsayi_oku
from webapp.kurum.erisim import birim_talep_idleri

SAYFA_BOYU = 25
TURKIYE = ZoneInfo("Europe/Istanbul")
DURUMLAR = {"bekleyen": "Bekleyen", "yonlendirilen": "Yönlendirilen", "sonuclanan": "Sonuçlanan"}
TURLER = {"sikayet": "Şikâyet", "istek": "İstek", "ihbar": "İhbar", "gorus_oneri": "Görüş ve Öneri"}
ONCELIKLER = {"normal": "Normal", "yuksek": "Yüksek", "acil": "Acil"}
SIRALAMALAR = {"yeni": "Yeniden eskiye", "eski": "Eskiden yeniye", "oncelik": "Önceliğe göre"}
_NUMARA = re.compile(r"[0-9]{4}-[0-9]{1,6}")


def oncelik_sirasi(kolon) -> case:
    """acil 2, yuksek 1, anything else 0: a sortable number for a priority column."""
    return case((kolon == "acil", 2), (kolon == "yuksek", 1), else_=0)


@dataclass
class Filtre:
    """What the filter bar asks for; built from the query string by ``filtre_oku`` (bad values are dropped)."""
    durum: str | None = None
    tur: str | None = None
    il: str | None = None
    ilce_id: int | None = None
    baslangic: date | None = None
    bitis: date | None = None
    ara: str = ""
    sirala: str = "yeni"

    def sorgu_parametreleri(self) -> dict:
        """The filter as query-string values (for links to the next page)."""
        degerler = {"durum": self.durum, "tur": self.tur, "il": self.il, "ilce": self.ilce_id,
                    "baslangic": self.baslangic.isoformat() if self.baslangic else None,
                    "bitis": self.bitis.isoformat() if self.bitis else None, "ara": self.ara or None,
                    "sirala": self.sirala if self.sirala != "yeni" else None}
        return {k: v for k, v in degerler.items() if v not in (None, "")}


def _tarih(deger: str | None) -> date | None:
    try:
        return date.fromisoformat(deger) if deger else None
    except ValueError:
        return None


def filtre_oku(args) -> Filtre:
    """A Filtre from a query-string mapping; unknown or malformed values are ignored, never an error."""
    ilce = args.get("ilce", "")
    il = args.get("il", "")
    return Filtre(
        durum=args.get("durum") if args.get("durum") in DURUMLAR else None,
        tur=args.get("tur") if args.get("tur") in TURLER else None,
        il=il if rakam_mi(il, 2, 2) else None,
        ilce_id=tamsayi_oku(ilce) if rakam_mi(il, 2, 2) else None,
        baslangic=_tarih(args.get("baslangic")), bitis=_tarih(args.get("bitis")),
        ara=(args.get("ara") or "").strip()[:100],
        sirala=args.get("sirala") if args.get("sirala") in SIRALAMALAR else "yeni")


def _gun_basi(gun: date) -> datetime:
    """Midnight of a Türkiye calendar day, as the aware datetime the columns compare with."""
    return datetime.combine(gun, time.min, tzinfo=TURKIYE)


def _filtrele(sorgu: Select, filtre: Filtre, olusturma=Talep.olusturma) -> Select:
    """Apply the filter to a query that already joins Talep, Muhtarlik and Ilce (``olusturma``: the column
    of the talep's submission time the list is ordered by, so a date range is a range of its index)."""
    kosullar = []
    if filtre.durum:
        kosullar.append(Talep.durum == filtre.durum)
    if filtre.tur:
        kosullar.append(Talep.tur == filtre.tur)
    if filtre.il:
        kosullar.append(Ilce.il_kod == filtre.il)
    if filtre.ilce_id:
        kosullar.append(Ilce.id == filtre.ilce_id)
    if filtre.baslangic:
        kosullar.append(olusturma >= _gun_basi(filtre.baslangic))
    if filtre.bitis:
        kosullar.append(olusturma < _gun_basi(filtre.bitis + timedelta(days=1)))
    if filtre.ara:
        kosullar.append(_arama(filtre.ara))
    return sorgu.where(*kosullar)


def _arama(metin: str):
    """A talep number ("2026-000123" or "2026-123") matches exactly; anything else searches the text."""
    if _NUMARA.fullmatch(metin):
        yil, sira = metin.split("-")
        return Talep.numara == f"{yil}-{int(sira):06d}"
    return or_(icerir(Talep.aciklama, metin), icerir(Talep.numara, metin))


# --- keyset pagination ------------------------------------------------------------------------------------

@dataclass
class Sayfa:
    """One page of rows and the cursor of the next page (None on the last)."""
    satirlar: list = field(default_factory=list)
    sonraki: str | None = None


def _imlec_yaz(degerler: tuple) -> str:
    ham = [v.isoformat() if isinstance(v, datetime) else v for v in degerler]
    return base64.urlsafe_b64encode(json.dumps(ham).encode()).decode().rstrip("=")


def _imlec_oku(imlec: str | None, turler: tuple) -> tuple | None:
    """The cursor's values converted to the sort columns' kinds; None for a missing or tampered cursor."""
    if not imlec:
        return None
    try:
        ham = json.loads(base64.urlsafe_b64decode(imlec + "=" * (-len(imlec) % 4)))
        if not isinstance(ham, list) or len(ham) != len(turler):
            return None
        degerler = tuple(datetime.fromisoformat(v) if t is datetime else int(v) for v, t in zip(ham, turler))
    except (ValueError, TypeError, json.JSONDecodeError):
        return None
    # a tampered cursor is page 1, never an error: a date without its zone cannot be compared with the
    # columns, and a number past BIGINT overflows the query
    for v in degerler:
        if isinstance(v, datetime) and v.tzinfo is None or isinstance(v, int) and not 0 <= v <= BIGINT_EN_BUYUK:
            return None
    return degerler


def _sayfala(session: Session, sorgu: Select, anahtarlar: list, turler: tuple, artan: bool,
             imlec: str | None, boy: int = SAYFA_BOYU) -> Sayfa:
    """Order by ``anahtarlar`` (all ascending or all descending), start after the cursor, take one page."""
    degerler = _imlec_oku(imlec, turler)
    if degerler is not None:
        sag = tuple_(*[literal(v, type_=UtcDateTime() if t is datetime else Integer())
                       for v, t in zip(degerler, turler)])
        sorgu = sorgu.where(tuple_(*anahtarlar) > sag if artan else tuple_(*anahtarlar) < sag)
    sirali = [a.asc() if artan else a.desc() for a in anahtarlar]
    etiketler = [f"_anahtar{i}" for i in range(len(anahtarlar))]
    sorgu = sorgu.add_columns(*[a.label(e) for a, e in zip(anahtarlar, etiketler)])
    satirlar = session.execute(sorgu.order_by(*sirali).limit(boy + 1)).all()
    sonraki = None
    if len(satirlar) > boy:
        satirlar = satirlar[:boy]
        son = satirlar[-1]._mapping
        sonraki = _imlec_yaz(tuple(son[e] for e in etiketler))
    return Sayfa(satirlar, sonraki)


def _siralama(filtre: Filtre, zaman, oncelik, kimlik) -> tuple[list, tuple, bool]:
    """Sort keys, their kinds and direction for the filter's order."""
    if filtre.sirala == "oncelik":
        return [oncelik_sirasi(oncelik), zaman, kimlik], (int, datetime, int), False
    return [zaman, kimlik], (datetime, int), filtre.sirala == "eski"


# --- the lists ----------------------------------------------------------------------------------------------

def _talep_kolonlari():
    return (Talep.id.label("talep_id"), Talep.numara, Talep.tur, Talep.durum, Talep.aciklama,
            Talep.olusturma, Talep.oncelik.label("talep_onceligi"), Talep.son_tarih.label("talep_son_tarih"),
            Talep.gecikti.label("talep_gecikti"),
            Muhtarlik.ad.label("mahalle"), Ilce.ad.label("ilce"), Il.ad.label("il"))


def _talep_birlesimi(sorgu: Select) -> Select:
    return (sorgu.join(Muhtarlik, Muhtarlik.id == Talep.muhtarlik_id)
            .join(Ilce, Ilce.id == Muhtarlik.ilce_id).join(Il, Il.kod == Ilce.il_kod))


def gelen_kutusu(session: Session, birim: Birim, filtre: Filtre, imlec: str | None) -> Sayfa:
    """Open tasks of the unit (index ix_human_task_gelen: birim_id, rol, durum, created_at)."""
    sorgu = _talep_birlesimi(
        select(HumanTask.task_uuid, HumanTask.ad.label("gorev"), HumanTask.created_at, HumanTask.oncelik,
               HumanTask.son_tarih, *_talep_kolonlari())
        .join(Talep, Talep.id == HumanTask.talep_id)
        .where(HumanTask.birim_id == birim.id, HumanTask.rol == birim.rol, HumanTask.durum == "acik"))
    anahtarlar, turler, artan = _siralama(filtre, HumanTask.created_at, HumanTask.oncelik, HumanTask.id)
    return _sayfala(session, _filtrele(sorgu, filtre), anahtarlar, turler, artan, imlec)


def gorunumler(session: Session, birim: Birim, filtre: Filtre, imlec: str | None) -> Sayfa:
    """Every talep the unit is involved in (MİGM: all), one row per talep, newest first by default.

    A unit's rows come from its parts (one per talep) in the talep's order: the page is one range of the
    index ix_yonlendirme_birim_gorunum, however many talepler the unit has."""
    if birim.rol == "MIGM":
        sorgu = _talep_birlesimi(select(*_talep_kolonlari()))
        olusturma, kimlik = Talep.olusturma, Talep.id
    else:
        sorgu = _talep_birlesimi(select(*_talep_kolonlari()).select_from(Yonlendirme)
                                 .join(Talep, Talep.id == Yonlendirme.talep_id)
                                 .where(Yonlendirme.birim_id == birim.id))
        olusturma, kimlik = Yonlendirme.talep_olusturma, Yonlendirme.talep_id
    anahtarlar, turler, artan = _siralama(filtre, olusturma, Talep.oncelik, kimlik)
    return _sayfala(session, _filtrele(sorgu, filtre, olusturma), anahtarlar, turler, artan, imlec)


def tamamlanan(session: Session, birim: Birim, filtre: Filtre, imlec: str | None) -> Sayfa:
    """Tasks the unit completed, most recent first by default."""
    sorgu = _talep_birlesimi(
        select(HumanTask.task_uuid, HumanTask.ad.label("gorev"), HumanTask.completed_at, HumanTask.oncelik,
               *_talep_kolonlari())
        .join(Talep, Talep.id == HumanTask.talep_id)
        .where(HumanTask.birim_id == birim.id, HumanTask.durum == "tamamlandi"))
    anahtarlar, turler, artan = _siralama(filtre, HumanTask.completed_at, HumanTask.oncelik, HumanTask.id)
    return _sayfala(session, _filtrele(sorgu, filtre), anahtarlar, turler, artan, imlec)


#: counts above this show as "1000+": every kurum page shows the three counts, and counting ten thousand index
#: entries on each of them cost ~8 ms of a ~20 ms page at a million talepler (a page shows 25 rows anyway)
SAYI_SINIRI = 1_000


def _sinirli_sayi(session: Session, sorgu: Select) -> int:
    """COUNT over at most SAYI_SINIRI + 1 rows (reads as far as the index needs, not the whole table)."""
    return session.scalar(select(func.count()).select_from(sorgu.limit(SAYI_SINIRI + 1).subquery()))


def sekme_sayilari(session: Session, birim: Birim) -> dict[str, str]:
    """Counts for the tabs (unfiltered), as text: "12", or "1000+" beyond SAYI_SINIRI."""
    gorev = select(HumanTask.id).where(HumanTask.birim_id == birim.id)
    sayilar = {
        "gelen": _sinirli_sayi(session, gorev.where(HumanTask.durum == "acik", HumanTask.rol == birim.rol)),
        "gorunumler": _sinirli_sayi(session, select(Talep.id) if birim.rol == "MIGM"
                                    else birim_talep_idleri(birim)),
        "tamamlanan": _sinirli_sayi(session, gorev.where(HumanTask.durum == "tamamlandi")),
    }
    return {k: f"{SAYI_SINIRI}+" if v > SAYI_SINIRI else str(v) for k, v in sayilar.items()}


def il_secenekleri(session: Session) -> list[tuple[str, str]]:
    return [(k, ad) for k, ad in session.execute(select(Il.kod, Il.ad).order_by(Il.kod))]


def ilce_secenekleri(session: Session, il_kod: str | None) -> list[tuple[int, str]]:
    if not il_kod:
        return []
    return [(i, ad) for i, ad in session.execute(select(Ilce.id, Ilce.ad).where(Ilce.il_kod == il_kod)
                                                 .order_by(Ilce.ad))]
