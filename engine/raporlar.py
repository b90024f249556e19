"""Reports: counts, times to answer, slowest units and ils, process bottlenecks, open and overdue talepler.

Every figure is computed by the database (GROUP BY; ``percentile_cont`` on PostgreSQL; on SQLite the same
interpolated percentile from ``ROW_NUMBER()`` over the ordered durations): Python only formats the grouped rows,
it never loops over talepler. All reports cover the talepler *filed* in the date range (``talep.olusturma``, a
Türkiye calendar range) and within the reader's scope:

* MİGM and analysts: everything;
* a Valilik: the talepler it has a part in, and its own and its sub-units' parts and tasks;
* a Belediye: the talepler it has a part in, and its own parts and tasks.

Durations are in seconds (floats); the web layer shows days.
"""
from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, cast, desc, exists, func, literal, or_, select, true, tuple_
from sqlalchemy.orm import Session

from engine.models import Birim, HumanTask, Il, Ilce, Muhtarlik, Talep, UtcDateTime, Yonlendirme

TURKIYE = ZoneInfo("Europe/Istanbul")
SONUCLANAN = "sonuclanan"
#: the largest export
AZAMI_SATIR = 100_000


# --- scope and filter ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kapsam:
    """Whose talepler a report covers: ``birim_id`` None for all (MİGM, analyst), else one unit's."""
    birim_id: int | None = None
    rol: str | None = None

    @property
    def hepsi(self) -> bool:
        return self.birim_id is None


def kapsam_olustur(birim: Birim, analist: bool = False) -> Kapsam:
    if birim.rol == "MIGM" or analist:
        return Kapsam()
    return Kapsam(birim.id, birim.rol)


@dataclass(frozen=True)
class Filtre:
    """Talepler filed from ``baslangic`` to ``bitis`` (Türkiye dates, both included), optionally one type, il,
    status, unit (a part there), or only the overdue ones."""
    baslangic: date | None = None
    bitis: date | None = None
    tur: str | None = None
    il: str | None = None
    durum: str | None = None
    birim_id: int | None = None
    #: "tumu", "acik" (not answered) or "gecikmis" (open and overdue)
    liste: str = "tumu"


def gun_basi(gun: date) -> datetime:
    return datetime.combine(gun, time.min, tzinfo=TURKIYE)


def gecikmis_kosulu(simdi: datetime):
    """Open and overdue: a timer marked it (``gecikti``) or its legal deadline has passed."""
    return and_(Talep.durum != SONUCLANAN, or_(Talep.gecikti.is_(True), Talep.son_tarih < simdi))


def _kapsam_talep(kapsam: Kapsam, filtre: Filtre):
    """The scope over Talep. A unit's talepler are read off its parts' index (birim_id, talep_olusturma,
    talep_id) within the date range; a Valilik's sub-units' parts hang under its own part, so its own decides."""
    if kapsam.hepsi:
        return true()
    return Talep.id.in_(select(Yonlendirme.talep_id).where(
        Yonlendirme.birim_id == kapsam.birim_id, *tarih_araligi(Yonlendirme.talep_olusturma, filtre)))


def tarih_araligi(kolon, filtre: Filtre) -> list:
    """``kolon`` (a submission time) within the filter's Türkiye dates, both days included."""
    k = []
    if filtre.baslangic:
        k.append(kolon >= gun_basi(filtre.baslangic))
    if filtre.bitis:
        k.append(kolon < gun_basi(filtre.bitis + timedelta(days=1)))
    return k


def kapsam_birim_kosulu(kapsam: Kapsam, birim_id_kolonu):
    """Which units' parts and tasks a report shows: all, a Valilik and its sub-units, or one unit."""
    if kapsam.hepsi:
        return true()
    if kapsam.rol == "VALILIK":
        alt = select(Birim.id).where(Birim.ust_birim_id == kapsam.birim_id)
        return or_(birim_id_kolonu == kapsam.birim_id, birim_id_kolonu.in_(alt))
    return birim_id_kolonu == kapsam.birim_id


def talep_kosullari(kapsam: Kapsam, filtre: Filtre, simdi: datetime) -> list:
    """WHERE conditions over Talep alone (no join: the il filter is a semi-join on the muhtarlık)."""
    k = [_kapsam_talep(kapsam, filtre), *tarih_araligi(Talep.olusturma, filtre)]
    if filtre.tur:
        k.append(Talep.tur == filtre.tur)
    if filtre.durum:
        k.append(Talep.durum == filtre.durum)
    if filtre.il:
        k.append(Talep.muhtarlik_id.in_(select(Muhtarlik.id).join(Ilce, Ilce.id == Muhtarlik.ilce_id)
                                         .where(Ilce.il_kod == filtre.il)))
    if filtre.birim_id:
        k.append(exists().where(Yonlendirme.talep_id == Talep.id, Yonlendirme.birim_id == filtre.birim_id))
    if filtre.liste == "acik":
        k.append(Talep.durum != SONUCLANAN)
    elif filtre.liste == "gecikmis":
        k.append(gecikmis_kosulu(simdi))
    return k


def _taban(kapsam: Kapsam, filtre: Filtre, simdi: datetime):
    """The ids of the talepler a report covers (a subquery for parts and tasks)."""
    return select(Talep.id).where(*talep_kosullari(kapsam, filtre, simdi))


def _yerli(sorgu, il: bool = True):
    """Join a query over Talep to its place (muhtarlık, ilçe and, with ``il``, il)."""
    sorgu = sorgu.join(Muhtarlik, Muhtarlik.id == Talep.muhtarlik_id).join(Ilce, Ilce.id == Muhtarlik.ilce_id)
    return sorgu.join(Il, Il.kod == Ilce.il_kod) if il else sorgu


def _il_adlari(session: Session, kodlar) -> dict[str, str]:
    kodlar = set(kodlar)
    return dict(session.execute(select(Il.kod, Il.ad).where(Il.kod.in_(kodlar))).all()) if kodlar else {}


def _birimler(session: Session, kimlikler) -> dict[int, tuple[str, str]]:
    kimlikler = set(kimlikler)
    if not kimlikler:
        return {}
    return {i: (ad, tur) for i, ad, tur in session.execute(
        select(Birim.id, Birim.ad, Birim.tur).where(Birim.id.in_(kimlikler)))}


# --- durations and percentiles -------------------------------------------------------------------------------

def sure_sn(session: Session, bas, bit):
    """Seconds from ``bas`` to ``bit`` as a SQL expression."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", bit - bas)
    return (func.julianday(bit) - func.julianday(bas)) * 86400.0


def istatistik(session: Session, alt, gruplar: list[str]):
    """Per group of ``alt`` (a subquery with the ``gruplar`` columns and ``sure``): adet, medyan, p90, ortalama.

    PostgreSQL: ``percentile_cont``. SQLite: the same linear interpolation, from ROW_NUMBER() over the durations
    ordered within each group: position 1 + (n - 1) * p between rows floor and ceil of it."""
    if session.get_bind().dialect.name == "postgresql":
        g = [alt.c[x] for x in gruplar]
        sorgu = select(*g, func.count().label("adet"),
                       func.percentile_cont(0.5).within_group(alt.c.sure).label("medyan"),
                       func.percentile_cont(0.9).within_group(alt.c.sure).label("p90"),
                       func.avg(alt.c.sure).label("ortalama"))
    else:
        g0 = [alt.c[x] for x in gruplar]
        sira = func.row_number().over(partition_by=g0 or None, order_by=alt.c.sure)
        adet = func.count().over(partition_by=g0 or None)
        w = select(*g0, alt.c.sure, sira.label("sira"), adet.label("n")).subquery()
        g = [w.c[x] for x in gruplar]

        def yuzdelik(p: float):
            konum = 1 + (w.c.n - 1) * p
            alt_sira = cast(konum, Integer)
            ust_sira = case((konum > alt_sira, alt_sira + 1), else_=alt_sira)
            alt_deger = func.max(case((w.c.sira == alt_sira, w.c.sure)))
            ust_deger = func.max(case((w.c.sira == ust_sira, w.c.sure)))
            return alt_deger + func.max(konum - alt_sira) * (ust_deger - alt_deger)

        sorgu = select(*g, func.count().label("adet"), yuzdelik(0.5).label("medyan"), yuzdelik(0.9).label("p90"),
                       func.avg(w.c.sure).label("ortalama"))
    if g:
        sorgu = sorgu.group_by(*g).order_by(*g)
    return session.execute(sorgu).all()


# --- the reports ----------------------------------------------------------------------------------------------

@dataclass
class Sayilar:
    ozet: dict = field(default_factory=dict)
    #: (durum, adet), (tur, adet), (kod, ad, adet): most first
    durum: list = field(default_factory=list)
    tur: list = field(default_factory=list)
    il: list = field(default_factory=list)
    #: BirimSayisi rows: per unit kind (id and ad None) and per unit
    birim_turu: list = field(default_factory=list)
    birim: list = field(default_factory=list)


@dataclass
class BirimSayisi:
    id: int | None
    ad: str | None
    tur: str
    adet: int = 0
    acik: int = 0
    tamamlanan: int = 0
    gecikti: int = 0


def _cok_olan_once(sayac: Counter) -> list:
    return sorted(sayac.items(), key=lambda kv: (-kv[1], kv[0]))


def sayilar(session: Session, kapsam: Kapsam, filtre: Filtre, simdi: datetime) -> Sayilar:
    """Counts of talepler by status, type and il; of parts by unit kind and unit (with open and late ones).

    Two scans: one GROUP BY over the talepler (durum, tür, il, overdue flags: at most a few thousand grouped
    rows, whose marginals are summed here) and one over their parts by unit."""
    ic = _yerli(select(Talep.durum, Talep.tur, Ilce.il_kod.label("il"), Talep.gecikti,
                       case((gecikmis_kosulu(simdi), 1), else_=0).label("gecikmis")).select_from(Talep), il=False
                ).where(*talep_kosullari(kapsam, filtre, simdi)).subquery()
    gruplar = session.execute(select(ic.c.durum, ic.c.tur, ic.c.il, ic.c.gecikti, ic.c.gecikmis,
                                     func.count().label("adet"))
                              .group_by(ic.c.durum, ic.c.tur, ic.c.il, ic.c.gecikti, ic.c.gecikmis)).all()
    ozet = {"toplam": 0, "sonuclanan": 0, "acik": 0, "gecikmis": 0, "gecikti": 0}
    durum, tur, il = Counter(), Counter(), Counter()
    for g in gruplar:
        ozet["toplam"] += g.adet
        ozet["sonuclanan" if g.durum == SONUCLANAN else "acik"] += g.adet
        ozet["gecikmis"] += g.adet if g.gecikmis else 0
        ozet["gecikti"] += g.adet if g.gecikti else 0
        durum[g.durum] += g.adet
        tur[g.tur] += g.adet
        il[g.il] += g.adet
    adlar = _il_adlari(session, il)

    gec = or_(Yonlendirme.gecikti.is_(True),
              and_(Yonlendirme.tamamlanma.is_not(None), Yonlendirme.tamamlanma > Yonlendirme.son_tarih))
    parca = session.execute(
        select(Yonlendirme.birim_id, func.count().label("adet"),
               func.coalesce(func.sum(case((Yonlendirme.durum != "tamamlandi", 1), else_=0)), 0).label("acik"),
               func.coalesce(func.sum(case((gec, 1), else_=0)), 0).label("gecikti"))
        .where(Yonlendirme.talep_id.in_(_taban(kapsam, filtre, simdi)),
               kapsam_birim_kosulu(kapsam, Yonlendirme.birim_id))
        .group_by(Yonlendirme.birim_id)).all()
    birimler = _birimler(session, (p.birim_id for p in parca))
    birim, turler = [], {}
    for p in parca:
        ad, btur = birimler[p.birim_id]
        birim.append(BirimSayisi(p.birim_id, ad, btur, p.adet, p.acik, p.adet - p.acik, p.gecikti))
        t = turler.setdefault(btur, BirimSayisi(None, None, btur))
        t.adet, t.acik, t.tamamlanan, t.gecikti = (t.adet + p.adet, t.acik + p.acik,
                                                  t.tamamlanan + p.adet - p.acik, t.gecikti + p.gecikti)
    return Sayilar(ozet=ozet, durum=_cok_olan_once(durum), tur=_cok_olan_once(tur),
                   il=[(kod, adlar.get(kod, kod), adet) for kod, adet in _cok_olan_once(il)],
                   birim_turu=sorted(turler.values(), key=lambda b: (-b.adet, b.tur)),
                   birim=sorted(birim, key=lambda b: (-b.adet, b.ad)))


@dataclass
class SureSatiri:
    """One group's durations (seconds): count, median, 90th percentile, mean; with the group's labels."""
    adet: int
    medyan: float | None
    p90: float | None
    ortalama: float | None
    il_kod: str | None = None
    il_ad: str | None = None
    birim_id: int | None = None
    birim_ad: str | None = None
    birim_tur: str | None = None


def _sure_satiri(r, **etiket) -> SureSatiri:
    def f(v):
        return None if v is None else float(v)  # PostgreSQL gives Decimal
    return SureSatiri(r.adet, f(r.medyan), f(r.p90), f(r.ortalama), **etiket)


def _en_yavas(satirlar: list[SureSatiri], sinir: int) -> list[SureSatiri]:
    return sorted(satirlar, key=lambda r: (-(r.medyan or 0), -(r.p90 or 0)))[:sinir]


@dataclass
class CevapSureleri:
    genel: SureSatiri | None = None
    il: list = field(default_factory=list)
    birim: list = field(default_factory=list)
    en_yavas_il: list = field(default_factory=list)
    en_yavas_birim: list = field(default_factory=list)


def cevap_sureleri(session: Session, kapsam: Kapsam, filtre: Filtre, simdi: datetime,
                   en_yavas: int = 10) -> CevapSureleri:
    """Time to answer (submission to final answer) overall and per il; per unit from assignment
    (``yonlendirme.olusturma``) to completion (``tamamlanma``); the slowest ils and units by median (sorted
    from the grouped rows). Three percentile queries."""
    kosullar = [*talep_kosullari(kapsam, filtre, simdi), Talep.durum == SONUCLANAN, Talep.sonuclanma.is_not(None)]
    sure = sure_sn(session, Talep.olusturma, Talep.sonuclanma).label("sure")
    genel = istatistik(session, select(sure).where(*kosullar).subquery(), [])
    il_alt = _yerli(select(Ilce.il_kod.label("il_kod"), sure).select_from(Talep), il=False).where(*kosullar)
    il_satirlari = istatistik(session, il_alt.subquery(), ["il_kod"])
    adlar = _il_adlari(session, (r.il_kod for r in il_satirlari))
    il = sorted((_sure_satiri(r, il_kod=r.il_kod, il_ad=adlar.get(r.il_kod, r.il_kod)) for r in il_satirlari),
                key=lambda r: r.il_ad)
    parca = (select(Yonlendirme.birim_id.label("birim_id"),
                    sure_sn(session, Yonlendirme.olusturma, Yonlendirme.tamamlanma).label("sure"))
             .where(Yonlendirme.talep_id.in_(_taban(kapsam, filtre, simdi)), Yonlendirme.durum == "tamamlandi",
                    Yonlendirme.tamamlanma.is_not(None), kapsam_birim_kosulu(kapsam, Yonlendirme.birim_id))
             ).subquery()
    birim_satirlari = istatistik(session, parca, ["birim_id"])
    birimler = _birimler(session, (r.birim_id for r in birim_satirlari))
    birim = sorted((_sure_satiri(r, birim_id=r.birim_id, birim_ad=birimler[r.birim_id][0],
                                 birim_tur=birimler[r.birim_id][1]) for r in birim_satirlari),
                   key=lambda r: r.birim_ad)
    return CevapSureleri(genel=_sure_satiri(genel[0]) if genel else None, il=il, birim=birim,
                         en_yavas_il=_en_yavas(il, en_yavas), en_yavas_birim=_en_yavas(birim, en_yavas))


@dataclass
class Darbogaz:
    bpmn_id: str
    ad: str
    adet: int
    medyan: float | None
    p90: float | None
    ortalama: float | None
    acik: int


def darbogazlar(session: Session, kapsam: Kapsam, filtre: Filtre, simdi: datetime) -> list[Darbogaz]:
    """For each BPMN user task: how long tasks waited there from creation to completion (count, median, p90,
    mean), and how many wait now; over the scope's units' tasks of the talepler filed in the range."""
    taban = _taban(kapsam, filtre, simdi)
    birim_kosulu = kapsam_birim_kosulu(kapsam, HumanTask.birim_id)
    gorev = (select(HumanTask.bpmn_id.label("bpmn_id"),
                    sure_sn(session, HumanTask.created_at, HumanTask.completed_at).label("sure"))
             .where(HumanTask.talep_id.in_(taban), HumanTask.durum == "tamamlandi",
                    HumanTask.completed_at.is_not(None), birim_kosulu)).subquery()
    tamamlanan = {r.bpmn_id: _sure_satiri(r) for r in istatistik(session, gorev, ["bpmn_id"])}
    acik = dict(session.execute(
        select(HumanTask.bpmn_id, func.count()).where(HumanTask.talep_id.in_(taban), HumanTask.durum == "acik",
                                                      birim_kosulu).group_by(HumanTask.bpmn_id)).all())
    kimlikler = set(tamamlanan) | set(acik)
    # the latest name of each task (a handful of ids; the primary key index finds each at once)
    adlar = {b: session.scalar(select(HumanTask.ad).where(HumanTask.bpmn_id == b).order_by(HumanTask.id.desc())
                               .limit(1)) for b in kimlikler}
    satirlar = []
    for bpmn_id in kimlikler:
        r = tamamlanan.get(bpmn_id)
        satirlar.append(Darbogaz(bpmn_id, adlar.get(bpmn_id, bpmn_id), r.adet if r else 0, r.medyan if r else None,
                                 r.p90 if r else None, r.ortalama if r else None, acik.get(bpmn_id, 0)))
    return sorted(satirlar, key=lambda d: (-(d.medyan or 0), d.bpmn_id))


# --- talep lists ----------------------------------------------------------------------------------------------

def talep_sorgusu(kapsam: Kapsam, filtre: Filtre, simdi: datetime):
    """The filtered talepler with what the list and the export show (newest first)."""
    return _yerli(select(
        Talep.id, Talep.numara, Talep.tur, Talep.durum, Talep.oncelik, Il.ad.label("il"), Ilce.ad.label("ilce"),
        Muhtarlik.ad.label("mahalle"), Talep.olusturma, Talep.son_tarih, Talep.sonuclanma, Talep.gecikti,
        case((gecikmis_kosulu(simdi), True), else_=False).label("gecikmis")).select_from(Talep)
    ).where(*talep_kosullari(kapsam, filtre, simdi))


@dataclass
class Sayfa:
    satirlar: list = field(default_factory=list)
    sonraki: str | None = None


def _imlec(olusturma: datetime, kimlik: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([olusturma.isoformat(), kimlik]).encode()).decode().rstrip("=")


def _imlec_oku(imlec: str | None) -> tuple[datetime, int] | None:
    if not imlec:
        return None
    try:
        ham = json.loads(base64.urlsafe_b64decode(imlec + "=" * (-len(imlec) % 4)))
        an, kimlik = datetime.fromisoformat(ham[0]), int(ham[1])
    except (ValueError, TypeError, IndexError, KeyError, json.JSONDecodeError):
        return None
    if an.tzinfo is None or not 0 < kimlik < 2 ** 63:  # a tampered cursor is page 1, never an error
        return None
    return an, kimlik


def talep_sayfasi(session: Session, kapsam: Kapsam, filtre: Filtre, simdi: datetime, imlec: str | None = None,
                  boy: int = 25) -> Sayfa:
    """One page of the filtered talepler, newest first, by keyset (olusturma, id): page 400 costs page 1's."""
    sorgu = talep_sorgusu(kapsam, filtre, simdi)
    onceki = _imlec_oku(imlec)
    if onceki is not None:
        sorgu = sorgu.where(tuple_(Talep.olusturma, Talep.id)
                            < tuple_(literal(onceki[0], UtcDateTime()), literal(onceki[1], Integer())))
    satirlar = session.execute(sorgu.order_by(Talep.olusturma.desc(), Talep.id.desc()).limit(boy + 1)).all()
    sonraki = None
    if len(satirlar) > boy:
        satirlar = satirlar[:boy]
        sonraki = _imlec(satirlar[-1].olusturma, satirlar[-1].id)
    return Sayfa(satirlar, sonraki)


def en_cok_gecikenler(session: Session, kapsam: Kapsam, filtre: Filtre, simdi: datetime, boy: int = 10) -> list:
    """The open overdue talepler whose due date passed longest ago (the dashboard's list): read in due-date
    order off the partial index ix_talep_acik_son_tarih, so it stops after ``boy`` rows however many are open."""
    sorgu = talep_sorgusu(kapsam, Filtre(**{**filtre.__dict__, "liste": "gecikmis"}), simdi)
    return session.execute(sorgu.order_by(Talep.son_tarih.asc().nulls_last(), Talep.id).limit(boy)).all()


def talep_satirlari(session: Session, kapsam: Kapsam, filtre: Filtre, simdi: datetime,
                    sinir: int = AZAMI_SATIR) -> Iterator:
    """The filtered talepler for an export, at most ``sinir``, fetched in batches (server-side cursor)."""
    sorgu = talep_sorgusu(kapsam, filtre, simdi).order_by(Talep.olusturma.desc(), Talep.id.desc()).limit(sinir)
    yield from session.execute(sorgu.execution_options(yield_per=1000))

