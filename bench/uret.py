"""Fill a database with N talepler consistent with what the engine writes (issue 8).

    python -m bench.uret --url postgresql+psycopg://postgres@127.0.0.1:5432/mbs_bench --n 1000000
    python -m bench.uret --url sqlite:////tmp/mbs_bench.db --n 100000

How: the schema is rebuilt (Alembic), the registry seeded (timed), one muhtar put in office in each of the
73,305 muhtarlık, the process deployed; then the real engine (``Motor``) drives one talep per routing
shape, stage and type (``SEKILLER`` x 4 types) to get *template* rows: the state bytes, the inbox rows, the
yonlendirme, hareket and outbox rows. Every generated talep is a copy of one template with new ids, new task
UUIDs, the muhtarlık's own units (its il's Valilik and il müdürlükleri, its ilçe's Belediye), its own
number, muhtar and phone, and timestamps moved to its own filing time.

State bytes: a talep with open tasks gets its own state, rewritten from the template's JSON (task UUIDs,
talep/unit/outbox/part ids, number) and compressed like ``durum_kodla`` does, so its inbox rows match the
READY tasks of its state. A closed talep (no READY task, never loaded again by the engine) reuses one of
``HAVUZ`` rewritten states of its template: the same bytes per row as a real one, at a fraction of the
cost; its rows (inbox, hareket) still have unique UUIDs of their own. Timer dates inside the state are the
template's.

PostgreSQL: tables are loaded with binary COPY (psycopg) by two processes, with secondary indexes and
foreign-key triggers off during the load, then indexes rebuilt and tables analysed. SQLite: executemany in
big transactions with synchronous=OFF.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

KOK = Path(__file__).resolve().parent.parent
if str(KOK) not in sys.path:
    sys.path.insert(0, str(KOK))

from sqlalchemy import func, insert, select, text  # noqa: E402

from engine.db import Database  # noqa: E402
from engine.kayit import kullanici_olustur, seed_registry  # noqa: E402
from engine.kimlik import tc_kimlik_uret  # noqa: E402
from engine.models import (Base, Birim, Hareket, HumanTask, Ilce, MesajKutusu, Muhtar, Muhtarlik,  # noqa: E402
                           NumaraSayaci, ProcessInstance, Talep, Yonlendirme)
from engine.runtime import Motor  # noqa: E402
from engine.servisler import Actor  # noqa: E402
from engine.surecler import surecleri_yukle  # noqa: E402

PG_VARSAYILAN = "postgresql+psycopg://postgres@127.0.0.1:5432/mbs_bench"
#: the bench users' password (bench database only)
PAROLA = "bench-parola-2026"
#: bench users: user name -> unit code (the lifecycle run's units are in Ankara/Çankaya)
KULLANICILAR = {"bench.migm": "MIGM", "bench.valilik06": "VALILIK-06", "bench.saglik06": "SAGLIK-06",
                "bench.meb06": "MEB-06", "bench.cankaya": "BELEDIYE-06-CANKAYA", "bench.valilik35": "VALILIK-35"}
#: the template muhtarlık (its units are the ones the templates route to)
SABLON_IL, SABLON_ILCE, SABLON_MAHALLE = "06", "Çankaya", "Akpınar Mah"
#: closed talepler reuse one of this many rewritten states per template
HAVUZ = 16
#: room for each table's rows of one talep: child ids are talep_id * ARALIK + n
ARALIK = 32
TURLER = ("sikayet", "istek", "ihbar", "gorus_oneri")
ACIKLAMALAR = {
    "sikayet": "Mahallemizin ana caddesindeki sokak lambaları bir haftadır yanmıyor, akşamları yol karanlık.",
    "istek": "Mahallemizdeki parka çocuklar için yeni oyun aletleri ve oturma bankları konulmasını istiyoruz.",
    "ihbar": "Okulun yanındaki boş arsaya gece saatlerinde moloz ve çöp döküldüğünü bildirmek isteriz.",
    "gorus_oneri": "Muhtarlığımız önündeki otobüs durağının yeri değiştirilirse trafik rahatlayacaktır.",
}


# --- routing shapes, driven through the real engine ------------------------------------------------------

def _yonlendir(v=(), b=(), oncelik="normal", birim=None):
    return ("MIGM", "Task_Yonlendir", {
        "karar": "yonlendir",
        "valilik_yonlendirmeleri": [{"birim_id": birim[k], "oncelik": oncelik, "not": "Gereğini rica ederim."}
                                    for k in v],
        "belediye_yonlendirmeleri": [{"birim_id": birim[k], "oncelik": oncelik, "not": "Gereğini rica ederim."}
                                     for k in b], "nihai_cevap": None})


def _islem(kod, bpmn):
    return (kod, bpmn, {"islem_notu": "Gerekli çalışma yapıldı.", "muhtara_acik": True, "ekler": []})


def _adimlar(sekil: str, birim: dict) -> list:
    """The task completions that bring a fresh talep to ``sekil``."""
    V, S, M, B = "VALILIK-06", "SAGLIK-06", "MEB-06", "BELEDIYE-06-CANKAYA"
    uzerine = (V, "Task_UzerineAl", {"alt_yonlendirmeler": []})
    alt = (V, "Task_UzerineAl", {"alt_yonlendirmeler": [{"birim_id": birim[S], "not": "İncelensin."},
                                                        {"birim_id": birim[M], "not": "İncelensin."}]})
    kapat = ("MIGM", "Task_SureciTamamla", {"nihai_cevap": "Talebiniz ilgili birimlerce karşılanmıştır."})
    return {
        "bekleyen": [],
        "belediye_acik": [_yonlendir(b=[B], birim=birim)],
        "valilik_kendi_acik": [_yonlendir(v=[V], birim=birim), uzerine],
        "valilik_alt_acik": [_yonlendir(v=[V], birim=birim), alt],
        "valilik_belediye_acik": [_yonlendir(v=[V], b=[B], birim=birim)],
        "migm_kapatacak": [_yonlendir(b=[B], birim=birim), _islem(B, "Task_BelediyeTamamla")],
        "kapali_yonlendirmesiz": [("MIGM", "Task_Yonlendir", {
            "karar": "kapat", "valilik_yonlendirmeleri": [], "belediye_yonlendirmeleri": [],
            "nihai_cevap": "Talebiniz idaremizin görev alanı dışındadır."})],
        "kapali_belediye": [_yonlendir(b=[B], birim=birim), _islem(B, "Task_BelediyeTamamla"), kapat],
        "kapali_valilik_alt": [_yonlendir(v=[V], birim=birim), alt, _islem(S, "Task_AltBirimTamamla"),
                               _islem(M, "Task_AltBirimTamamla"), _islem(V, "Task_ValilikTamamla"), kapat],
        "kapali_valilik_belediye": [_yonlendir(v=[V], b=[B], birim=birim), _islem(B, "Task_BelediyeTamamla"),
                                    uzerine, _islem(V, "Task_ValilikTamamla"), kapat],
    }[sekil]


#: shape -> share of the talepler (sums to 1): a few years of history, most of it closed
SEKILLER = {
    "bekleyen": 0.05, "belediye_acik": 0.06, "valilik_kendi_acik": 0.03, "valilik_alt_acik": 0.04,
    "valilik_belediye_acik": 0.03, "migm_kapatacak": 0.02, "kapali_yonlendirmesiz": 0.07,
    "kapali_belediye": 0.40, "kapali_valilik_alt": 0.15, "kapali_valilik_belediye": 0.15,
}
#: open shapes are filed within this many days; closed ones within three years
ACIK_GUN, KAPALI_GUN = 60, 3 * 365


# --- templates -----------------------------------------------------------------------------------------------

TABLOLAR = ("process_instance", "talep", "yonlendirme", "human_task", "hareket", "mesaj_kutusu")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SLOT_RE = re.compile(r'(' + _UUID + r')|"(talep_id|migm_birim_id|birim_id|mesaj_id|yonlendirme_id)":(\d+)'
                      r'|"numara":"(\d{4}-\d{6})"')
#: unit roles of the template (code -> slot name)
ROLLER = {"VALILIK-06": "V", "SAGLIK-06": "S", "MEB-06": "M", "BELEDIYE-06-CANKAYA": "B"}
#: datetime columns that are deadlines: moved with the filing time, never stretched
SURELER = {"son_tarih", "next_timer_at", "sonraki_deneme"}


@dataclass
class Sablon:
    sekil: str
    tur: str
    acik: bool
    #: table -> list of row dicts (as read back from the database)
    satirlar: dict
    #: the state's JSON split into literal parts and slots
    parcalar: list
    t0: datetime
    sure: float
    numara: str
    havuz: list = field(default_factory=list)


def _sablon_parcalari(state: bytes) -> tuple[str, list]:
    """The state's JSON with markers where a copy differs, and the (marker, kind, template value) list.

    A task UUID keeps all but its first group, which becomes the marker \x01 (the copy's number, see
    ``Kopya.uuid``); ids and the number become markers of their own: a copy is a few ``str.replace`` calls."""
    metin = zlib.decompress(state).decode("utf-8")
    isaretler: dict = {}

    def degistir(m):
        if m.group(1):
            u = m.group(1)
            return "\x01" + u[8:14] + "8" + u[15:]
        if m.group(2):
            anahtar = (m.group(2) if m.group(2) == "talep_id" else m.group(2).replace("migm_", ""), int(m.group(3)))
            isaret = isaretler.setdefault(anahtar, f"\x02{len(isaretler)}\x02")
            return f'"{m.group(2)}":{isaret}'
        return '"numara":"\x03"'
    metin = _SLOT_RE.sub(degistir, metin)
    return metin, [(isaret, tur, deger) for (tur, deger), isaret in isaretler.items()]


def _satirlar(conn, talep_id: int, instance_id: int) -> dict:
    md = Base.metadata.tables
    out = {}
    for ad in TABLOLAR:
        t = md[ad]
        kosul = t.c.id == instance_id if ad == "process_instance" else (
            t.c.id == talep_id if ad == "talep" else t.c.talep_id == talep_id)
        out[ad] = [dict(r._mapping) for r in conn.execute(select(t).where(kosul).order_by(t.c.id))]
    return out


def _gonderilmis_say(mesajlar: list[dict]) -> None:
    """The outbox as production has it: the separate sender (``flask mesaj gonder --dongu``) delivered every
    message within seconds of its commit; the engine alone leaves them 'bekliyor'. (Sent "at" its creation time:
    a copy stretches a template's times, and two seconds of the template could become days.)"""
    for m in mesajlar:
        m.update(durum="gonderildi", deneme_sayisi=1, gonderilme=m["olusturma"], sonraki_deneme=m["olusturma"])


def sablonlari_uret(db: Database, birim: dict, muhtar_id: int, turler=TURLER) -> list[Sablon]:
    """Run the engine once per (shape, type); read the rows it wrote back as templates."""
    motor = Motor()
    sablonlar = []
    for sekil in SEKILLER:
        for tur in turler:
            with db.unit_of_work() as s:
                talep = motor.talep_baslat(s, muhtar_id=muhtar_id, tur=tur, aciklama=ACIKLAMALAR[tur])
                talep_id, instance_id = talep.id, talep.instance_id
            for kod, bpmn, veri in _adimlar(sekil, birim):
                with db.unit_of_work() as s:
                    uuid = s.scalars(select(HumanTask.task_uuid).where(
                        HumanTask.talep_id == talep_id, HumanTask.bpmn_id == bpmn,
                        HumanTask.birim_id == birim[kod], HumanTask.durum == "acik")).one()
                    rol = "MIGM" if kod == "MIGM" else s.get(Birim, birim[kod]).rol
                    motor.gorev_tamamla(s, uuid, Actor(birim[kod], rol, None), json.loads(json.dumps(veri)))
            with db.engine.connect() as conn:
                satirlar = _satirlar(conn, talep_id, instance_id)
            _gonderilmis_say(satirlar["mesaj_kutusu"])
            pi, tl = satirlar["process_instance"][0], satirlar["talep"][0]
            zamanlar = [v for rows in satirlar.values() for r in rows for k, v in r.items()
                        if isinstance(v, datetime) and k not in SURELER]
            sablonlar.append(Sablon(sekil, tur, pi["status"] != "tamamlandi", satirlar,
                                    _sablon_parcalari(pi["state"]), tl["olusturma"],
                                    max(1e-3, (max(zamanlar) - tl["olusturma"]).total_seconds()), tl["numara"]))
    return sablonlar


# --- one copy ------------------------------------------------------------------------------------------------

@dataclass
class Kopya:
    """What one generated talep is made of: its number in the run, template, muhtarlık, units and time."""
    no: int
    sablon: Sablon
    muhtarlik_id: int
    birimler: dict
    olusturma: datetime
    germe: float
    numara: str
    telefon: str

    @property
    def talep_id(self) -> int:
        return TEMEL + self.no

    def uuid(self, eski: str) -> str:
        # the copy's number in the first group, version nibble 8 (the engine's are 4): never a collision
        return f"{self.no:08x}-{eski[9:14]}8{eski[15:]}"

    def zaman(self, kolon: str, deger: datetime | None) -> datetime | None:
        if deger is None:
            return None
        fark = (deger - self.sablon.t0).total_seconds()
        return self.olusturma + timedelta(seconds=fark if kolon in SURELER else fark * self.germe)


#: template talepler keep their own small ids; copy n is talep (and instance) TEMEL + n
TEMEL = 1000


def _esle(kopya: Kopya, sablon_idleri: dict, tablo: str, eski: int | None) -> int | None:
    """A template row id -> the copy's row id for the same position."""
    if eski is None:
        return None
    return kopya.talep_id * ARALIK + sablon_idleri[tablo][eski]


def durum_yaz(kopya: Kopya, sablon_idleri: dict, seviye: int) -> bytes:
    """The template's state with the copy's UUIDs, ids and number, zlib-compressed as ``durum_kodla`` does."""
    metin, isaretler = kopya.sablon.parcalar
    b = kopya.birimler
    metin = metin.replace("\x01", f"{kopya.no:08x}").replace("\x03", kopya.numara)
    for isaret, tur, deger in isaretler:
        if tur == "talep_id":
            yeni = kopya.talep_id
        elif tur == "mesaj_id":
            yeni = _esle(kopya, sablon_idleri, "mesaj_kutusu", deger)
        elif tur == "yonlendirme_id":
            yeni = _esle(kopya, sablon_idleri, "yonlendirme", deger)
        else:
            yeni = b.get(deger, deger)
        metin = metin.replace(isaret, str(yeni))
    return zlib.compress(metin.encode("utf-8"), seviye)


#: how each column of a copied row is made (column name -> kind); anything else is the template's value
KOLON_TURLERI = {
    "talep_id": "tid", "instance_id": "tid", "birim_id": "birim", "yonlendiren_birim_id": "birim",
    "ust_id": "ust", "task_uuid": "uuid", "numara": "numara", "muhtarlik_id": "mid", "muhtar_id": "mid",
    "istek_anahtari": "yok", "alici": "telefon", "metin": "metin", "not": "metin", "state": "state",
}


def satir_programi(sablon: Sablon) -> dict:
    """table -> (column names, [(template row values, kinds)]), compiled once per template."""
    md = Base.metadata.tables
    out = {}
    for tablo in TABLOLAR:
        kolonlar = [c.name for c in md[tablo].columns]
        satirlar = []
        for r in sablon.satirlar[tablo]:
            turler = []
            for k in kolonlar:
                if k == "id":
                    turler.append("tid" if tablo in ("talep", "process_instance") else "id")
                elif isinstance(r[k], datetime):
                    turler.append("sure" if k in SURELER else "dt")
                else:
                    turler.append(KOLON_TURLERI.get(k, "sabit"))
            satirlar.append(([r[k] for k in kolonlar],
                             [(i, t) for i, t in enumerate(turler) if t != "sabit" and r[kolonlar[i]] is not None]))
        out[tablo] = (kolonlar, satirlar)
    return out


def kopya_satirlari(kopya: Kopya, sablon_idleri: dict, program: dict) -> dict:
    """table -> rows (value lists in the order of ``program``'s columns) of the copy."""
    s, b, tid = kopya.sablon, kopya.birimler, kopya.talep_id
    eski_numara, t0, germe, olusturma = s.numara, s.t0, kopya.germe, kopya.olusturma
    out = {}
    for tablo, (_kolonlar, satirlar) in program.items():
        idler = sablon_idleri[tablo]
        rows = []
        for degerler, turler in satirlar:
            yeni = degerler.copy()
            for i, tur in turler:
                v = yeni[i]
                if tur == "dt":
                    v = olusturma + (v - t0) * germe
                elif tur == "sure":
                    v = olusturma + (v - t0)
                elif tur == "tid":
                    v = tid
                elif tur == "id":
                    v = tid * ARALIK + idler[v]
                elif tur == "birim":
                    v = b.get(v, v)
                elif tur == "uuid":
                    v = kopya.uuid(v)
                elif tur == "ust":
                    v = tid * ARALIK + sablon_idleri["yonlendirme"][v]
                elif tur == "numara":
                    v = kopya.numara
                elif tur == "mid":
                    v = kopya.muhtarlik_id
                elif tur == "telefon":
                    v = kopya.telefon
                elif tur == "metin":
                    v = v.replace(eski_numara, kopya.numara) if eski_numara in v else v
                elif tur == "yok":
                    v = None
                elif tur == "state":
                    if s.acik:
                        # open talepler get their own state (level 1: a fifth of the time; size not measured)
                        v = durum_yaz(kopya, sablon_idleri, 1)
                    elif len(s.havuz) < HAVUZ:
                        v = durum_yaz(kopya, sablon_idleri, 6)
                        s.havuz.append(v)
                    else:
                        v = s.havuz[kopya.no % HAVUZ]
                yeni[i] = v
            rows.append(yeni)
        out[tablo] = rows
    return out


# --- the plan: which template, muhtarlık and time for each copy ---------------------------------------------

@dataclass
class Plan:
    sablonlar: list
    #: muhtarlık id -> (valilik, saglik, meb, belediye) ids
    birimler: dict
    muhtarliklar: list
    sablon_birimleri: dict
    simdi: datetime
    tohum: int
    tur_sayisi: int = len(TURLER)


def _kopya(plan: Plan, no: int, rnd: random.Random, sayaclar: dict) -> Kopya:
    x, toplam = rnd.random(), 0.0
    for sekil, pay in SEKILLER.items():
        toplam += pay
        if x < toplam:
            break
    sablon = plan.sablonlar[list(SEKILLER).index(sekil) * plan.tur_sayisi + rnd.randrange(plan.tur_sayisi)]
    mid = plan.muhtarliklar[rnd.randrange(len(plan.muhtarliklar))]
    v, sa, me, be = plan.birimler[mid]
    sb = plan.sablon_birimleri
    birimler = {sb["V"]: v, sb["S"]: sa, sb["M"]: me, sb["B"]: be}
    yas = rnd.uniform(0.05, 7 if sekil == "bekleyen" else (ACIK_GUN if sablon.acik else KAPALI_GUN)) * 86400
    olusturma = plan.simdi - timedelta(seconds=yas)
    # stretch the template's milliseconds between events to days, never past now
    germe = min(2e6, yas * 0.9 / sablon.sure)
    yil = olusturma.year
    sayaclar[yil] = sayaclar.get(yil, 0) + 1
    # numbers per year, from a range no engine number of this run uses (1..); see _sayaclari_yaz
    numara = f"{yil}-{sayaclar[yil] + 100:06d}"
    return Kopya(no, sablon, mid, birimler, olusturma, germe, numara, f"+90530{mid:07d}")


def _sablon_idleri(sablon: Sablon) -> dict:
    return {tablo: {r["id"]: i for i, r in enumerate(rows)} for tablo, rows in sablon.satirlar.items()}


# --- writing ---------------------------------------------------------------------------------------------

def _pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _pg_isci(args) -> dict:
    """One loader process: copies [bas, son) with binary COPY on its own connection."""
    plan, url, bas, son, numara_tabani = args
    import psycopg
    rnd = random.Random(plan.tohum * 1000003 + bas)
    sayaclar: dict = {}
    idler = {id(s): _sablon_idleri(s) for s in plan.sablonlar}
    programlar = {id(s): satir_programi(s) for s in plan.sablonlar}
    with psycopg.connect(_pg_url(url)) as conn:
        conn.execute("SET session_replication_role = replica")
        tipler = {}
        for tablo in TABLOLAR:
            kolonlar = [c.name for c in Base.metadata.tables[tablo].columns]
            rows = conn.execute("SELECT column_name, udt_name FROM information_schema.columns "
                                "WHERE table_name = %s AND table_schema = 'public'", (tablo,)).fetchall()
            udt = {a: b for a, b in rows}
            tipler[tablo] = (kolonlar, [udt[k] for k in kolonlar])
        tampon = {t: [] for t in TABLOLAR}

        def bosalt():
            with conn.cursor() as cur:
                for tablo in TABLOLAR:
                    kolonlar, tur = tipler[tablo]
                    kol = ", ".join(f'"{k}"' for k in kolonlar)
                    with cur.copy(f"COPY {tablo} ({kol}) FROM STDIN (FORMAT BINARY)") as cp:
                        cp.set_types(tur)
                        for r in tampon[tablo]:
                            cp.write_row(r)
                    tampon[tablo].clear()
            conn.commit()

        for no in range(bas, son):
            k = _kopya(plan, no, rnd, sayaclar)
            k.numara = f"{k.numara[:5]}{int(k.numara[5:]) + numara_tabani:06d}"
            for tablo, rows in kopya_satirlari(k, idler[id(k.sablon)], programlar[id(k.sablon)]).items():
                tampon[tablo].extend(rows)
            if (no - bas) % 5000 == 4999:
                bosalt()
        bosalt()
    return sayaclar


def _sqlite_yaz(db: Database, plan: Plan, n: int) -> dict:
    rnd = random.Random(plan.tohum)
    sayaclar: dict = {}
    idler = {id(s): _sablon_idleri(s) for s in plan.sablonlar}
    programlar = {id(s): satir_programi(s) for s in plan.sablonlar}
    md = Base.metadata.tables
    anahtarlar = {t: [c.key for c in md[t].columns] for t in TABLOLAR}
    tampon = {t: [] for t in TABLOLAR}
    with db.engine.connect() as conn:
        ham = conn.connection.driver_connection  # outside a transaction: PRAGMAs refuse to run inside one
        ham.execute("PRAGMA synchronous=OFF")
        ham.execute("PRAGMA foreign_keys=OFF")

        def bosalt():
            for tablo in TABLOLAR:
                if tampon[tablo]:
                    conn.execute(insert(md[tablo]), tampon[tablo])
                    tampon[tablo].clear()
            conn.commit()

        for no in range(n):
            k = _kopya(plan, no, rnd, sayaclar)
            for tablo, rows in kopya_satirlari(k, idler[id(k.sablon)], programlar[id(k.sablon)]).items():
                tampon[tablo].extend(dict(zip(anahtarlar[tablo], r)) for r in rows)
            if no % 20000 == 19999:
                bosalt()
        bosalt()
    return sayaclar


# --- set-up ------------------------------------------------------------------------------------------------

def sema_kur(url: str) -> None:
    """An empty database at the head revision (PostgreSQL: the public schema dropped and re-created)."""
    if url.startswith("sqlite"):
        yol = url.split("///", 1)[1]
        for ek in ("", "-wal", "-shm"):
            if os.path.exists(yol + ek):
                os.remove(yol + ek)
    else:
        db = Database(url)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.dispose()
    from webapp import semalar
    semalar.upgrade(url)


def muhtarlari_ekle(s, simdi: datetime) -> int:
    """One muhtar in office per muhtarlık, id = muhtarlık id, a valid TC kimlik no and a phone."""
    ids = list(s.scalars(select(Muhtarlik.id).order_by(Muhtarlik.id)))
    satirlar = [{"id": i, "muhtarlik_id": i, "tc_kimlik_no": tc_kimlik_uret(str(300000000 + i)),
                 "ad_soyad": f"Muhtar {i}", "telefon": f"+90530{i:07d}", "eposta": None,
                 "gorev_baslangic": date(2024, 4, 1), "gorev_bitis": None} for i in ids]
    s.execute(insert(Muhtar).execution_options(render_nulls=True), satirlar)
    return len(satirlar)


def birim_haritasi(s) -> tuple[dict, dict]:
    """muhtarlık id -> (Valilik, il sağlık, il MEB, Belediye) ids; unit code -> id."""
    kod_id = {k: i for k, i in s.execute(select(Birim.kod, Birim.id))}
    ilce_bel = {i: b for b, i in s.execute(select(Birim.id, Birim.ilce_id).where(Birim.rol == "BELEDIYE",
                                                                                  Birim.ilce_id.is_not(None)))}
    out = {}
    for mid, ilce_id, il in s.execute(select(Muhtarlik.id, Muhtarlik.ilce_id, Ilce.il_kod)
                                      .join(Ilce, Ilce.id == Muhtarlik.ilce_id)):
        bel = ilce_bel.get(ilce_id) or kod_id.get(f"BELEDIYE-{il}-BB") or kod_id.get(f"BELEDIYE-{il}-IL")
        out[mid] = (kod_id[f"VALILIK-{il}"], kod_id[f"SAGLIK-{il}"], kod_id[f"MEB-{il}"], bel)
    return out, kod_id


def _indeksleri_kaldir(db: Database) -> list[str]:
    """Drop the secondary indexes and unique constraints of the loaded tables; return the DDL to rebuild."""
    ddl = []
    with db.engine.begin() as conn:
        kisitlar = conn.execute(text(
            "SELECT conname, pg_get_constraintdef(oid), conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'u' AND conrelid::regclass::text = ANY(:t)"), {"t": list(TABLOLAR)}).all()
        for isim, tanim, tablo in kisitlar:
            ddl.append(f'ALTER TABLE {tablo} ADD CONSTRAINT "{isim}" {tanim}')
            conn.execute(text(f'ALTER TABLE {tablo} DROP CONSTRAINT "{isim}"'))
        for isim, tanim in conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(:t) "
                "AND indexname NOT LIKE '%pkey'"), {"t": list(TABLOLAR)}).all():
            ddl.append(tanim)
            conn.execute(text(f'DROP INDEX "{isim}"'))
    return ddl


def uret(url: str, n: int, tohum: int = 8, isci: int = 2, yazdir=print, turler=TURLER) -> dict:
    """Build the database; returns timings and counts."""
    sure = {}
    t = time.perf_counter()
    sema_kur(url)
    sure["sema_sn"] = time.perf_counter() - t
    db = Database(url)
    simdi = datetime.now(timezone.utc)
    t = time.perf_counter()
    with db.unit_of_work() as s:
        sayilar = seed_registry(s)
    sure["kayit_sn"] = time.perf_counter() - t
    yazdir(f"kayıt verisi: {sayilar} {sure['kayit_sn']:.1f} s")
    t = time.perf_counter()
    with db.unit_of_work() as s:
        muhtar_sayisi = muhtarlari_ekle(s, simdi)
        for ad, kod in KULLANICILAR.items():
            kullanici_olustur(s, ad, PAROLA, kod, f"Bench {kod}", "yonetici" if kod == "MIGM" else "")
        surecleri_yukle(s, KOK / "processes", deployed_by="bench")
        haritasi, kod_id = birim_haritasi(s)
        sablon_mahalle = s.scalar(select(Muhtarlik.id).join(Ilce, Ilce.id == Muhtarlik.ilce_id).where(
            Ilce.il_kod == SABLON_IL, Ilce.ad == SABLON_ILCE, Muhtarlik.ad == SABLON_MAHALLE))
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("SELECT setval(pg_get_serial_sequence('muhtar', 'id'), (SELECT max(id) FROM muhtar))"))
    birim = {k: kod_id[k] for k in ("MIGM", *ROLLER)}
    sablonlar = sablonlari_uret(db, birim, sablon_mahalle, turler)
    sure["hazirlik_sn"] = time.perf_counter() - t
    yazdir(f"{muhtar_sayisi} muhtar, {len(sablonlar)} şablon: {sure['hazirlik_sn']:.1f} s")
    plan = Plan(sablonlar, haritasi, sorted(haritasi), {ROLLER[k]: kod_id[k] for k in ROLLER}, simdi, tohum,
                len(turler))
    t = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        ddl = _indeksleri_kaldir(db)
        parcalar = [(i * n // isci, (i + 1) * n // isci) for i in range(isci)]
        # numbers: each process has its own block of each year's numbers
        isler = [(plan, url, bas, son, i * (n // isci + 1)) for i, (bas, son) in enumerate(parcalar)]
        with mp.get_context("fork").Pool(isci) as havuz:
            sonuclar = havuz.map(_pg_isci, isler)
        sure["yukleme_sn"] = time.perf_counter() - t
        yazdir(f"{n} talep yüklendi: {sure['yukleme_sn']:.1f} s; indeksler kuruluyor")
        t = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(text("SET maintenance_work_mem = '512MB'"))
            for d in ddl:
                conn.execute(text(d))
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
            for tablo in ("talep", "process_instance", "yonlendirme", "human_task", "hareket", "mesaj_kutusu"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{tablo}', 'id'), "
                                  f"(SELECT max(id) FROM {tablo}))"))
        sure["indeks_sn"] = time.perf_counter() - t
        yil_son = {}
        for i, sayac in enumerate(sonuclar):
            for yil, son in sayac.items():
                yil_son[yil] = max(yil_son.get(yil, 0), son + 100 + isler[i][4])
    else:
        sayac = _sqlite_yaz(db, plan, n)
        sure["yukleme_sn"] = time.perf_counter() - t
        yil_son = {yil: son + 100 for yil, son in sayac.items()}
    with db.unit_of_work() as s:
        for yil, son in yil_son.items():
            row = s.get(NumaraSayaci, yil)
            if row is None:
                s.add(NumaraSayaci(yil=yil, son=son))
            else:
                row.son = max(row.son, son)
    sure["toplam_sn"] = sum(v for k, v in sure.items() if k != "kayit_sn") + sure["kayit_sn"]
    with db.session() as s:
        sayim = {t: s.scalar(text(f"SELECT count(*) FROM {t}")) for t in TABLOLAR}
    db.dispose()
    yazdir(f"bitti: {json.dumps(sure)} {sayim}")
    return {"sure": sure, "sayim": sayim, "n": n, "url": url.split("@")[-1]}


def denetle(url: str, ornek: int = 1000, tohum: int = 1) -> tuple[int, list[str]]:
    """The consistency check on the first ``ornek`` instances and on ``ornek`` random ones."""
    from engine.tutarlilik import ornek_sorunlari, tutarlilik_denetle
    db = Database(url)
    with db.session() as s:
        sayi, sorunlar = tutarlilik_denetle(s, en_cok=ornek)
        en_buyuk = s.scalar(select(func.max(ProcessInstance.id))) or 0
        rnd = random.Random(tohum)
        idler = sorted({rnd.randrange(1, en_buyuk + 1) for _ in range(ornek)})
        rows = s.execute(select(ProcessInstance, Talep).outerjoin(Talep, Talep.instance_id == ProcessInstance.id)
                         .where(ProcessInstance.id.in_(idler))).all()
        for inst, talep in rows:
            sorunlar += ornek_sorunlari(s, inst, talep)
        sayi += len(rows)
    db.dispose()
    return sayi, sorunlar


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("MBS_BENCH_URL", PG_VARSAYILAN))
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--isci", type=int, default=2)
    ap.add_argument("--denetim", type=int, default=1000)
    a = ap.parse_args(argv)
    n = a.n if a.n is not None else (100_000 if a.url.startswith("sqlite") else 1_000_000)
    sonuc = uret(a.url, n, isci=a.isci)
    t = time.perf_counter()
    sayi, sorunlar = denetle(a.url, a.denetim)
    print(f"tutarlılık denetimi: {sayi} örnek, {len(sorunlar)} sorun, {time.perf_counter() - t:.1f} s")
    for s in sorunlar[:20]:
        print("  ", s)
    sonuc["denetim"] = {"ornek": sayi, "sorun": len(sorunlar)}
    Path(__file__).with_name("uretim.json").write_text(json.dumps(sonuc, indent=1))
    return 1 if sorunlar else 0


if __name__ == "__main__":
    sys.exit(main())
