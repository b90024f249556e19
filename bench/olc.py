"""Measurements of issue 8 on a database filled by ``bench.uret``; writes bench/RESULTS.md.

    python -m bench.olc --url postgresql+psycopg://postgres@127.0.0.1:5432/mbs_bench

1. a task completion through the engine against the bare SpiffWorkflow floor (same BPMN, in memory);
2. page latency through gunicorn on 127.0.0.1 (kurum and muhtar lists, talep page, reports, XLSX);
3. whole lifecycles per second through HTTP (8 POSTs each, threads, bounded run);
4. bytes stored per closed talep, peak RSS of a worker;
5. seeding the registry from nothing.
Each figure is repeated and given as median and p95.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

KOK = Path(__file__).resolve().parent.parent
if str(KOK) not in sys.path:
    sys.path.insert(0, str(KOK))

import requests  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402

from bench.uret import KULLANICILAR, PAROLA, PG_VARSAYILAN, SABLON_IL, SABLON_ILCE, SABLON_MAHALLE  # noqa: E402
from engine import rapor_ozeti  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.raporlar import TURKIYE  # noqa: E402
from engine.kimlik import tc_kimlik_uret  # noqa: E402
from engine.models import (Base, Birim, HumanTask, Ilce, MesajKutusu, Muhtarlik, ProcessInstance,  # noqa: E402
                           ProcessVersion, Talep)

SONUCLAR: dict = {}
ACIKLAMA = "Mahallemizin ana caddesindeki sokak lambaları bir haftadır yanmıyor, akşamları yol karanlık."


def ozet(sureler: list[float]) -> dict:
    """Median and p95 in ms."""
    s = sorted(sureler)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return {"n": len(s), "medyan_ms": round(statistics.median(s) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def yaz(*a):
    print(*a, flush=True)


# --- 1. engine completion vs the SpiffWorkflow floor -----------------------------------------------------

def _birim_idleri(db: Database) -> dict:
    with db.session() as s:
        return {k: i for k, i in s.execute(select(Birim.kod, Birim.id))}


def _sablon_muhtar(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(Muhtarlik.id).join(Ilce, Ilce.id == Muhtarlik.ilce_id).where(
            Ilce.il_kod == SABLON_IL, Ilce.ad == SABLON_ILCE, Muhtarlik.ad == SABLON_MAHALLE))


def motor_olc(db: Database, adet: int = 40) -> dict:
    """Time ``Motor.gorev_tamamla`` (own unit of work, commit included) of a Belediye's task, and the floor:
    the same state deserialised, the same task run with the same data, engine steps, serialised, in memory."""
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: F401
    from SpiffWorkflow.util.task import TaskState
    from engine.betik import MbsScriptEngine
    from engine.durum import durum_coz, durum_kodla
    from engine.runtime import Motor
    from engine.servisler import Actor, VARSAYILAN_SERVISLER
    from engine.surecler import SERIALIZER, surum_spec
    motor, birim, muhtar_id = Motor(), _birim_idleri(db), _sablon_muhtar(db)
    bel = birim["BELEDIYE-06-CANKAYA"]
    veri_yon = {"karar": "yonlendir", "valilik_yonlendirmeleri": [],
                "belediye_yonlendirmeleri": [{"birim_id": bel, "oncelik": "normal", "not": "Bench."}],
                "nihai_cevap": None}
    veri = {"islem_notu": "Gerekli çalışma yapıldı.", "muhtara_acik": True, "ekler": []}
    gorevler = []
    for _ in range(adet + 5):
        with db.unit_of_work() as s:
            t = motor.talep_baslat(s, muhtar_id=muhtar_id, tur="sikayet", aciklama=ACIKLAMA)
            tid = t.id
        with db.unit_of_work() as s:
            u = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == tid,
                                                            HumanTask.durum == "acik")).one()
            motor.gorev_tamamla(s, u, Actor(birim["MIGM"], "MIGM", None), dict(veri_yon))
        with db.session() as s:
            u = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == tid,
                                                            HumanTask.durum == "acik")).one()
            inst = s.get(ProcessInstance, s.get(Talep, tid).instance_id)
            gorevler.append((u, inst.state, inst.version_id))
    with db.session() as s:
        version = s.get(ProcessVersion, gorevler[0][2])
        spec, subs = surum_spec(version)
    # the floor: no database; service tasks answer from a stub (they are the application's, not the engine's)
    stub = {k: (lambda ctx, task, params: {}) for k in VARSAYILAN_SERVISLER}
    taban, taban_spiff, motor_s, sorgular = [], [], [], []
    sayac = [0]

    def say(*_a):
        sayac[0] += 1
    event.listen(db.engine, "before_cursor_execute", say)
    # interleaved: each task's floor and engine run back to back, so both see the same machine load
    for u, state, _v in gorevler:
        t = time.perf_counter()
        wf = durum_coz(state, spec, subs)
        wf.script_engine = MbsScriptEngine(stub, None)
        task = wf.get_task_from_id(UUID(u))
        task.data.update(dict(veri))
        task.run()
        wf.do_engine_steps()
        durum_kodla(wf)
        taban.append(time.perf_counter() - t)
        # SpiffWorkflow's own serializer (the whole workflow with its spec, as JSON), same run
        wf2 = durum_coz(state, spec, subs)
        js = SERIALIZER.serialize_json(wf2)
        t = time.perf_counter()
        wf3 = SERIALIZER.deserialize_json(js)
        wf3.script_engine = MbsScriptEngine(stub, None)
        task = wf3.get_task_from_id(UUID(u))
        task.data.update(dict(veri))
        task.run()
        wf3.do_engine_steps()
        SERIALIZER.serialize_json(wf3)
        taban_spiff.append(time.perf_counter() - t)
        assert wf3.get_tasks(state=TaskState.READY, manual=True)
        sayac[0] = 0
        t = time.perf_counter()
        with db.unit_of_work() as s:
            motor.gorev_tamamla(s, u, Actor(bel, "BELEDIYE", None), dict(veri))
        motor_s.append(time.perf_counter() - t)
        sorgular.append(sayac[0])
    event.remove(db.engine, "before_cursor_execute", say)
    m, f, fs = ozet(motor_s[5:]), ozet(taban[5:]), ozet(taban_spiff[5:])
    return {"motor": m, "taban_durum": f, "taban_spiff_json": fs, "sql_ifadesi": statistics.median(sorgular),
            "oran_medyan": round(m["medyan_ms"] / f["medyan_ms"], 2),
            "oran_spiff_json_medyan": round(m["medyan_ms"] / fs["medyan_ms"], 2)}


# --- the server ------------------------------------------------------------------------------------------

def bos_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sunucu:
    """gunicorn on 127.0.0.1 with ``isci`` sync workers (threads: gthread) on the bench database."""

    def __init__(self, url: str, isci: int = 4, thread: int = 1):
        self.port = bos_port()
        config = {"CAPTCHA_ENABLED": False, "MESAJ_TESLIM": "kapali", "MESAJ_ARKA_PLANDA_TESLIM": False,
                  "MUHTAR_GIRIS_ASGARI_SN": 0, "KURUM_GIRIS_IP_SINIRI": "10000 per minute",
                  # pages are measured as computed or read from rapor_ozeti, never from a worker's memory
                  "RAPOR_ONBELLEK_SN": 0}
        env = dict(os.environ, MBS_DATABASE_URL=url, MBS_BENCH_CONFIG=json.dumps(config),
                   MBS_SECRET_KEY="bench-" + "x" * 40, MBS_ENV="development")
        komut = [sys.executable, "-m", "gunicorn", "-w", str(isci), "--threads", str(thread), "-b",
                 f"127.0.0.1:{self.port}", "--log-level", "warning", "bench.wsgi:app"]
        self.proc = subprocess.Popen(komut, cwd=KOK, env=env, start_new_session=True)
        self.adres = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                if requests.get(self.adres + "/saglik", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            self.kapat()
            raise RuntimeError("gunicorn başlamadı")

    def isciler(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def tepe_rss_mb(self) -> dict:
        sonuc = {}
        for pid in self.isciler():
            try:
                for satir in open(f"/proc/{pid}/status"):
                    if satir.startswith("VmHWM"):
                        sonuc[pid] = round(int(satir.split()[1]) / 1024, 1)
            except OSError:
                pass
        return sonuc

    def kapat(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(html: str) -> str:
    m = CSRF_RE.search(html)
    if not m:
        raise RuntimeError("csrf_token yok")
    return m.group(1)


def kurum_giris(adres: str, kullanici: str) -> requests.Session:
    """Log in through the login form, as a browser does."""
    s = requests.Session()
    sayfa = s.get(adres + "/kurum/giris").text
    r = s.post(adres + "/kurum/giris", data={"csrf_token": csrf(sayfa), "kullanici_adi": kullanici,
                                             "parola": PAROLA}, allow_redirects=False)
    if r.status_code != 302:
        raise RuntimeError(f"kurum girişi {kullanici}: {r.status_code}")
    return s


def muhtar_giris(adres: str, db: Database, muhtarlik_id: int) -> requests.Session:
    """The SMS-code login: TC + name, then the code read from the outbox (the muhtar's phone)."""
    s = requests.Session()
    sayfa = s.get(adres + "/muhtar/giris").text
    r = s.post(adres + "/muhtar/giris", data={"csrf_token": csrf(sayfa),
                                              "tc_kimlik_no": tc_kimlik_uret(str(300000000 + muhtarlik_id)),
                                              "ad_soyad": f"Muhtar {muhtarlik_id}"}, allow_redirects=False)
    if r.status_code != 302:
        raise RuntimeError(f"muhtar kod isteği: {r.status_code}")
    with db.session() as ses:
        metin = ses.scalars(select(MesajKutusu.metin).where(
            MesajKutusu.alici == f"+90530{muhtarlik_id:07d}", MesajKutusu.gizli.is_(True))
            .order_by(MesajKutusu.id.desc())).first()
    kod = re.search(r"(\d{6})", metin or "").group(1)
    sayfa = s.get(adres + "/muhtar/giris/onay").text
    r = s.post(adres + "/muhtar/giris/onay", data={"csrf_token": csrf(sayfa), "onay_kodu": kod},
               allow_redirects=False)
    if r.status_code != 302:
        raise RuntimeError(f"muhtar girişi: {r.status_code}")
    return s


# --- 2. page latency -------------------------------------------------------------------------------------

def _imlec(degerler) -> str:
    from webapp.kurum.listeler import _imlec_yaz
    return _imlec_yaz(degerler)


def rapor_ozeti_olc(db: Database) -> dict:
    """What production runs beside the server every few minutes (flask raporlar hazirla): timed once."""
    simdi = datetime.now(timezone.utc)
    t = time.perf_counter()
    kapsam = rapor_ozeti.hazirla(db, simdi, simdi.astimezone(TURKIYE).date())
    return {"kapsam": kapsam, "sure_sn": round(time.perf_counter() - t, 1)}


def _isit(oturum: requests.Session, url: str, thread: int) -> None:
    """GET ``url`` twice from each of ``thread`` threads at once (each thread its own session, same cookies)."""
    def iki():
        s = requests.Session()
        s.cookies.update(oturum.cookies)
        for _ in range(2):
            s.get(url, allow_redirects=False)
    isler = [threading.Thread(target=iki) for _ in range(thread)]
    for t in isler:
        t.start()
    for t in isler:
        t.join()


def sayfa_olc(adres: str, db: Database, tekrar: int = 40, isinma: int = 8) -> dict:
    """Each page warmed by ``isinma`` parallel threads (at least twice the workers: a worker's first request of
    a page compiles its queries), then 3 sequential requests unmeasured and ``tekrar`` measured."""
    birim = _birim_idleri(db)
    bugun = datetime.now(timezone.utc).astimezone(TURKIYE).date()
    migm = kurum_giris(adres, "bench.migm")
    valilik = kurum_giris(adres, "bench.valilik06")
    muhtarlik = _sablon_muhtar(db)
    muhtar = muhtar_giris(adres, db, muhtarlik)
    with db.session() as s:
        # a deep page: the cursor of the row 20,000 (inbox) / 500,000 (views) rows down
        acik = s.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.birim_id == birim["MIGM"], HumanTask.durum == "acik"))
        r = s.execute(select(HumanTask.created_at, HumanTask.id).where(
            HumanTask.birim_id == birim["MIGM"], HumanTask.rol == "MIGM", HumanTask.durum == "acik")
            .order_by(HumanTask.created_at.desc(), HumanTask.id.desc()).offset(min(20000, acik // 2)).limit(1)).one()
        derin_gelen = _imlec(tuple(r))
        talep_sayisi = s.scalar(select(func.count()).select_from(Talep))
        r = s.execute(select(Talep.olusturma, Talep.id).order_by(Talep.olusturma.desc(), Talep.id.desc())
                      .offset(talep_sayisi // 2).limit(1)).one()
        derin_gorunum = _imlec(tuple(r))
        en_buyuk = s.scalar(select(func.max(Talep.id)))
        rnd = random.Random(3)
        talep_idler = [x for x in s.scalars(select(Talep.id).where(Talep.id.in_(
            [rnd.randrange(1000, en_buyuk) for _ in range(4 * tekrar)]), Talep.durum == "sonuclanan"))][:tekrar]
    sayfalar = {
        "MİGM Gelen Kutusu, ilk sayfa": (migm, "/kurum/gelen-kutusu"),
        "MİGM Gelen Kutusu, derin sayfa": (migm, f"/kurum/gelen-kutusu?sonra={derin_gelen}"),
        "MİGM Görünümler, ilk sayfa": (migm, "/kurum/gorunumler"),
        "MİGM Görünümler, derin sayfa (yarısı)": (migm, f"/kurum/gorunumler?sonra={derin_gorunum}"),
        "Valilik (Ankara) Gelen Kutusu": (valilik, "/kurum/gelen-kutusu"),
        "Valilik (Ankara) Görünümler": (valilik, "/kurum/gorunumler"),
        "Talep sayfası (MİGM, kapalı talepler)": (migm, None),
        "Muhtar: Bekleyen Taleplerim": (muhtar, "/muhtar/talepler?durum=bekleyen"),
        "Muhtar: Yönlendirilen Taleplerim": (muhtar, "/muhtar/talepler?durum=yonlendirilen"),
        "Muhtar: Sonuçlanan Taleplerim": (muhtar, "/muhtar/talepler?durum=sonuclanan"),
        "Raporlar panosu (MİGM, önceden hesaplanmış)": (migm, "/kurum/raporlar/"),
        "Raporlar panosu (Valilik Ankara, önceden hesaplanmış)": (valilik, "/kurum/raporlar/"),
        # a filter nobody precomputed: a month of national figures, live (the in-process cache is off)
        "Raporlar panosu (MİGM, son 30 gün, canlı)": (migm, f"/kurum/raporlar/?baslangic={bugun - timedelta(days=29)}"
                                                          f"&bitis={bugun}"),
    }
    out = {}
    for ad, (oturum, yol) in sayfalar.items():
        # warm-up from parallel threads: a sequential client keeps meeting the same idle worker, and each
        # worker's first query of a page (statement compilation, prepared statements) must not be measured
        _isit(oturum, adres + (yol or f"/kurum/talep/{talep_idler[0]}"), 1 if ad.endswith("canlı)") else isinma)
        sureler, durumlar = [], set()
        for i in range(tekrar + 3):
            y = yol or f"/kurum/talep/{talep_idler[i % len(talep_idler)]}"
            t = time.perf_counter()
            r = oturum.get(adres + y, allow_redirects=False)
            sure = time.perf_counter() - t
            durumlar.add(r.status_code)
            if i >= 3:
                sureler.append(sure)
            if ad.endswith("canlı)") and i >= 7:
                break
        out[ad] = {**ozet(sureler), "http": sorted(durumlar), "bayt": len(r.content)}
        yaz(f"  {ad}: {out[ad]}")
    out.update(xlsx_olc(adres, db, migm))
    return out


def xlsx_olc(adres: str, db: Database, migm=None) -> dict:
    """The report's talep list as XLSX from the day of the 10,000th newest talep on (about 10,000 rows)."""
    migm = migm or kurum_giris(adres, "bench.migm")
    with db.session() as s:
        onuncu_bin = s.scalar(select(Talep.olusturma).order_by(Talep.olusturma.desc()).offset(10000).limit(1))
    bas = (onuncu_bin or datetime.now(timezone.utc)).astimezone(ZoneInfo("Europe/Istanbul")).date()
    xl = []
    for _ in range(3):
        t = time.perf_counter()
        r = migm.get(adres + f"/kurum/raporlar/talepler.xlsx?baslangic={bas.isoformat()}")
        xl.append(time.perf_counter() - t)
    xlsx_satir = None
    if r.status_code == 200:
        import io
        from openpyxl import load_workbook
        xlsx_satir = sum(1 for _ in load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows()) - 1
    out = {"XLSX dışa aktarma": {**ozet(xl), "http": [r.status_code], "bayt": len(r.content), "satir": xlsx_satir}}
    yaz(f"  XLSX: {out['XLSX dışa aktarma']}")
    return out


# --- 3. lifecycles per second ----------------------------------------------------------------------------

GOREV_RE = re.compile(r'action="/kurum/gorev/([0-9a-f-]{36})"')


class Yasam:
    """One client thread's sessions (cookies shared from one login per user, like tabs of one browser)."""

    def __init__(self, adres, oturumlar, birim):
        self.adres, self.birim = adres, birim
        self.o = {}
        for ad, kaynak in oturumlar.items():
            s = requests.Session()
            s.cookies.update(kaynak.cookies)
            self.o[ad] = s

    def _gorev(self, kim: str, talep_id: int, veri: dict):
        s = self.o[kim]
        html = s.get(f"{self.adres}/kurum/talep/{talep_id}").text
        m = GOREV_RE.search(html)
        if not m:
            raise RuntimeError(f"{kim}: açık görev yok (talep {talep_id})")
        r = s.post(f"{self.adres}/kurum/gorev/{m.group(1)}", data={"csrf_token": csrf(html), **veri},
                   allow_redirects=False)
        if r.status_code != 303:
            raise RuntimeError(f"{kim}: {r.status_code} {r.text[:300]}")

    def calistir(self):
        b, a = self.birim, self.adres
        m = self.o["muhtar"]
        html = m.get(a + "/muhtar/basvuru").text
        anahtar = re.search(r'name="istek_anahtari"[^>]*value="([^"]+)"', html).group(1)
        r = m.post(a + "/muhtar/basvuru", data={"csrf_token": csrf(html), "tur": "sikayet", "aciklama": ACIKLAMA,
                                                "istek_anahtari": anahtar}, allow_redirects=False)
        numara = r.headers["Location"].rsplit("/", 1)[1]
        html = self.o["migm"].get(f"{a}/kurum/gelen-kutusu?ara={numara}").text
        talep_id = int(re.search(r'/kurum/talep/(\d+)', html).group(1))
        v, be, sa, me = b["VALILIK-06"], b["BELEDIYE-06-CANKAYA"], b["SAGLIK-06"], b["MEB-06"]
        self._gorev("migm", talep_id, {
            "karar": "yonlendir", "valilik_yonlendirmeleri": [str(v)], f"valilik_yonlendirmeleri.{v}.oncelik": "normal",
            f"valilik_yonlendirmeleri.{v}.not": "Gereği.", "belediye_yonlendirmeleri": [str(be)],
            f"belediye_yonlendirmeleri.{be}.oncelik": "normal", f"belediye_yonlendirmeleri.{be}.not": "Gereği."})
        self._gorev("valilik", talep_id, {"islem": "alt_birim", "alt_yonlendirmeler": [str(sa), str(me)],
                                          f"alt_yonlendirmeler.{sa}.not": "İncelensin.",
                                          f"alt_yonlendirmeler.{me}.not": "İncelensin."})
        islem = {"islem_notu": "Gerekli çalışma yapıldı.", "muhtara_acik": "1"}
        for kim in ("saglik", "meb", "belediye", "valilik"):
            self._gorev(kim, talep_id, islem)
        self._gorev("migm", talep_id, {"nihai_cevap": "Talebiniz karşılanmıştır.", "tamamlama_onayi": "1"})


def _cpu_sn(pidler) -> float:
    """User + system CPU seconds used so far by these processes (from /proc)."""
    toplam = 0
    for pid in pidler:
        try:
            alanlar = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            toplam += int(alanlar[11]) + int(alanlar[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return toplam / os.sysconf("SC_CLK_TCK")


def _postgres_pidleri() -> list[int]:
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def yasam_olc(adres: str, db: Database, sure: float = 60, thread: int = 8, isciler=None) -> dict:
    birim = _birim_idleri(db)
    oturumlar = {"migm": kurum_giris(adres, "bench.migm"), "valilik": kurum_giris(adres, "bench.valilik06"),
                 "saglik": kurum_giris(adres, "bench.saglik06"), "meb": kurum_giris(adres, "bench.meb06"),
                 "belediye": kurum_giris(adres, "bench.cankaya"),
                 "muhtar": muhtar_giris(adres, db, _sablon_muhtar(db))}
    Yasam(adres, oturumlar, birim).calistir()  # warm-up, and a check that one whole lifecycle works
    bitis = time.monotonic() + sure
    sureler, hatalar, kilit = [], [], threading.Lock()

    def dongu():
        y = Yasam(adres, oturumlar, birim)
        while time.monotonic() < bitis:
            t = time.perf_counter()
            try:
                y.calistir()
            except Exception as e:  # noqa: BLE001 - counted and reported
                with kilit:
                    hatalar.append(repr(e)[:200])
                continue
            with kilit:
                sureler.append(time.perf_counter() - t)

    # where the 2 cores go: this client, the gunicorn workers, PostgreSQL (its backends come and go: counted
    # over the processes alive at the end, which holds the pool's connections)
    isci_pid = isciler() if isciler else []
    pg_once = {p: _cpu_sn([p]) for p in _postgres_pidleri()}
    istemci_once, isci_once = time.process_time(), _cpu_sn(isci_pid)
    bas = time.monotonic()
    isler = [threading.Thread(target=dongu) for _ in range(thread)]
    for t in isler:
        t.start()
    for t in isler:
        t.join()
    gecen = time.monotonic() - bas
    n = max(len(sureler), 1)
    cpu = {"istemci": time.process_time() - istemci_once, "gunicorn": _cpu_sn(isci_pid) - isci_once,
           "postgresql": sum(_cpu_sn([p]) - pg_once.get(p, 0.0) for p in _postgres_pidleri())}
    return {"sure_sn": round(gecen, 1), "thread": thread, "yasam": len(sureler),
            "cpu_ms_yasam_basina": {k: round(v * 1000 / n, 1) for k, v in cpu.items()},
            "yasam_sn": round(len(sureler) / gecen, 2), "istek_sn": round(len(sureler) * 17 / gecen, 1),
            "yasam_suresi": ozet(sureler) if sureler else None, "hata": len(hatalar), "hatalar": hatalar[:5]}


# --- 4. bytes per closed talep ---------------------------------------------------------------------------

def _gunluk_temizlik(db: Database) -> dict:
    """What production runs daily (``flask mesaj temizle``: delivered messages older than 90 days go), timed;
    then the outbox's indexes rebuilt, which is where a daily purge keeps them (freed pages are reused by the
    next day's messages), not where one purge of three years at once leaves them."""
    from engine.mesaj.temizlik import mesajlari_temizle
    t = time.perf_counter()
    sonuc = mesajlari_temizle(db)
    sure = time.perf_counter() - t
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE mesaj_kutusu"))
        conn.execute(text("REINDEX TABLE mesaj_kutusu"))
    return {"silinen": sonuc.silinen, "sure_sn": round(sure, 1)}


def bayt_olc(db: Database, ornek: int = 2000) -> dict:
    tablolar = ("talep", "process_instance", "yonlendirme", "human_task", "hareket", "mesaj_kutusu")
    if db.engine.dialect.name != "postgresql":
        return {}
    temizlik = _gunluk_temizlik(db)
    with db.session() as s:
        toplam = {t: s.scalar(text(f"SELECT pg_total_relation_size('{t}')")) for t in tablolar}
        yigin = {t: s.scalar(text(f"SELECT pg_relation_size('{t}') + coalesce(pg_relation_size("
                                  f"(SELECT reltoastrelid FROM pg_class WHERE relname = '{t}')), 0)"))
                 for t in tablolar}
        talep_sayisi = s.scalar(select(func.count()).select_from(Talep))
        kapali = s.scalar(select(func.count()).select_from(Talep).where(Talep.durum == "sonuclanan"))
        idler = [i for i in s.scalars(text(
            "SELECT id FROM talep TABLESAMPLE SYSTEM (1) WHERE durum = 'sonuclanan' LIMIT :n"), {"n": ornek})]
        satir = {}
        for t, kosul in (("talep", "id"), ("process_instance", "id"), ("yonlendirme", "talep_id"),
                         ("human_task", "talep_id"), ("hareket", "talep_id"), ("mesaj_kutusu", "talep_id")):
            alan = "id" if t != "process_instance" else "id"
            if t == "process_instance":
                q = ("SELECT coalesce(sum(pg_column_size(p.*) + 28), 0), coalesce(sum(pg_column_size(p.state)), 0) "
                     "FROM process_instance p JOIN talep t ON t.instance_id = p.id WHERE t.id = ANY(:i)")
                a, st = s.execute(text(q), {"i": idler}).one()
                satir[t] = a / len(idler)
                satir["(state alanı)"] = st / len(idler)
                continue
            q = f"SELECT coalesce(sum(pg_column_size(x.*) + 28), 0) FROM {t} x WHERE x.{kosul} = ANY(:i)"
            satir[t] = s.scalar(text(q), {"i": idler}) / len(idler)
            del alan
        veri = sum(v for k, v in satir.items() if not k.startswith("("))
        # the indexes' share: the tables' index bytes per talep
        indeks = sum(toplam[t] - yigin[t] for t in tablolar) / talep_sayisi
    return {"ornek": len(idler), "temizlik": temizlik, "satir_bayt": {k: round(v) for k, v in satir.items()},
            "satirlar_toplam": round(veri), "indeks_payi": round(indeks), "kapali_talep_basina": round(veri + indeks),
            "tablolar_toplam_mb": round(sum(toplam.values()) / 2**20), "talep": talep_sayisi, "kapali": kapali,
            "tum_tablolar_talep_basina": round(sum(toplam.values()) / talep_sayisi)}


# --- 5. registry seed ------------------------------------------------------------------------------------

def kayit_olc(pg_url: str | None, tekrar: int = 3) -> dict:
    from engine.kayit import seed_registry
    out = {}
    sureler = []
    for i in range(tekrar):
        yol = f"/tmp/mbs_bench_kayit_{os.getpid()}.db"
        for ek in ("", "-wal", "-shm"):
            if os.path.exists(yol + ek):
                os.remove(yol + ek)
        db = Database(f"sqlite:///{yol}")
        Base.metadata.create_all(db.engine)
        t = time.perf_counter()
        with db.unit_of_work() as s:
            seed_registry(s)
        sureler.append(time.perf_counter() - t)
        db.dispose()
        os.remove(yol)
    out["sqlite"] = ozet(sureler)
    if pg_url:
        sureler = []
        for i in range(tekrar):
            yonetici = Database(pg_url)
            with yonetici.engine.begin() as c:
                c.execute(text("DROP SCHEMA IF EXISTS kayit_olcum CASCADE"))
                c.execute(text("CREATE SCHEMA kayit_olcum"))
            db = Database(pg_url, connect_args={"options": "-csearch_path=kayit_olcum"})
            Base.metadata.create_all(db.engine)
            t = time.perf_counter()
            with db.unit_of_work() as s:
                seed_registry(s)
            sureler.append(time.perf_counter() - t)
            db.dispose()
            with yonetici.engine.begin() as c:
                c.execute(text("DROP SCHEMA kayit_olcum CASCADE"))
            yonetici.dispose()
        out["postgresql"] = ozet(sureler)
    return out


# --- the report ------------------------------------------------------------------------------------------

def makine() -> dict:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    from importlib.metadata import version
    surumler = {p: version(p) for p in ("SpiffWorkflow", "SQLAlchemy", "Flask", "gunicorn", "psycopg")}
    return {"nproc": os.cpu_count(), "bellek_gb": round(mem / 2**20, 1), "cpu": cpu, "python": platform.python_version(),
            "tarih": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "surumler": surumler,
            "yuk": open("/proc/loadavg").read().split()[:3]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=os.environ.get("MBS_BENCH_URL", PG_VARSAYILAN))
    ap.add_argument("--isci", type=int, default=4)
    ap.add_argument("--sure", type=float, default=60)
    ap.add_argument("--thread", type=int, default=8)
    ap.add_argument("--tekrar", type=int, default=40)
    ap.add_argument("--yalniz", default="1,2,3,4,5")
    ap.add_argument("--cikti", default=str(Path(__file__).with_name("sonuclar.json")))
    ap.add_argument("--birlestir", action="store_true", help="add to the results already in --cikti")
    a = ap.parse_args(argv)
    secim = set(a.yalniz.split(","))
    if a.birlestir and Path(a.cikti).exists():
        SONUCLAR.update(json.loads(Path(a.cikti).read_text()))
    db = Database(a.url)
    SONUCLAR["makine"] = makine()
    with db.session() as s:
        SONUCLAR["talep_sayisi"] = s.scalar(select(func.count()).select_from(Talep))
        if db.engine.dialect.name == "postgresql":
            SONUCLAR["postgresql"] = s.scalar(text("SHOW server_version"))
    yaz(f"makine: {SONUCLAR['makine']}, talep: {SONUCLAR['talep_sayisi']}")
    if "1" in secim:
        SONUCLAR["motor"] = motor_olc(db)
        yaz(f"1. motor: {SONUCLAR['motor']}")
    if secim & {"2", "3", "x"}:
        sunucu = Sunucu(a.url, a.isci)
        try:
            SONUCLAR["sunucu"] = {"isci": a.isci}
            if "2" in secim:
                SONUCLAR["rapor_ozeti"] = rapor_ozeti_olc(db)
                yaz(f"rapor özeti: {SONUCLAR['rapor_ozeti']}")
                SONUCLAR["sayfalar"] = sayfa_olc(sunucu.adres, db, a.tekrar, isinma=2 * a.isci)
            elif "x" in secim:
                SONUCLAR.setdefault("sayfalar", {}).update(xlsx_olc(sunucu.adres, db))
            if "3" in secim:
                SONUCLAR["yasam"] = yasam_olc(sunucu.adres, db, a.sure, a.thread, sunucu.isciler)
                yaz(f"3. yaşam: {SONUCLAR['yasam']}")
            SONUCLAR["tepe_rss_mb"] = sunucu.tepe_rss_mb()
            yaz(f"RSS: {SONUCLAR['tepe_rss_mb']}")
        finally:
            sunucu.kapat()
    # after the pages: its purge deletes a million outbox rows, and the autovacuum that follows would be measured
    # as page latency
    if "4" in secim:
        SONUCLAR["bayt"] = bayt_olc(db)
        yaz(f"4. bayt: {SONUCLAR['bayt']}")
    if "5" in secim:
        SONUCLAR["kayit"] = kayit_olc(a.url if db.engine.dialect.name == "postgresql" else None)
        yaz(f"5. kayıt: {SONUCLAR['kayit']}")
    uretim = Path(__file__).with_name("uretim.json")
    if uretim.exists():
        SONUCLAR["uretim"] = json.loads(uretim.read_text())
    db.dispose()
    Path(a.cikti).write_text(json.dumps(SONUCLAR, indent=1, ensure_ascii=False, default=str))
    from bench.rapor import rapor_yaz
    rapor_yaz(SONUCLAR, Path(__file__).with_name("RESULTS.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
