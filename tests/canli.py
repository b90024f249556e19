"""A real server for the browser and fault tests: gunicorn on 127.0.0.1 (a free port), its own database.

``CanliSunucu`` starts ``gunicorn tests.canli_uygulama:uygulama`` with N sync workers, waits for
``/saglik`` and stops it (SIGTERM, then SIGKILL) when done. Its workers' pids are found under the master, so
a fault test can ``kill -9`` exactly one of them. ``veritabani_hazirla`` gives an empty database (SQLite file,
or a PostgreSQL one whose ``public`` schema is dropped first); ``kurulum_calistir`` runs the operators'
``flask --app webapp kurulum`` on it. ``HttpIstemci`` logs in with requests (kurum and muhtar, CSRF tokens
taken from the pages) for tests that drive the server without a browser.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import select, text

from engine.db import Database

KOK = Path(__file__).resolve().parent.parent
#: the development SMS backend's texts carry the one-time code like this
KOD_RE = re.compile(r"onay kodunuz: (\d{6})")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: the secret the live servers sign with: the tests need it to read the captcha answer (see e2e/conftest.py)
CANLI_ANAHTAR = "canli-test-anahtari-" + "x" * 24


def bos_port() -> int:
    with socket.socket() as sok:
        sok.bind(("127.0.0.1", 0))
        return sok.getsockname()[1]


def temiz_ortam(**ek) -> dict:
    """The environment for a child process: the parent's, without any MBS_* variable, plus ``ek``."""
    ortam = {k: v for k, v in os.environ.items() if not k.startswith("MBS_")}
    ortam.update({k: str(v) for k, v in ek.items()})
    return ortam


def veritabani_hazirla(url: str) -> None:
    """Make ``url`` an empty database: a PostgreSQL ``public`` schema is dropped and recreated (never pass a
    database used for anything else); a SQLite file is removed."""
    if url.startswith("sqlite:///"):
        yol = Path(url[len("sqlite:///"):])
        for ek in ("", "-journal", "-wal", "-shm"):
            Path(f"{yol}{ek}").unlink(missing_ok=True)
        return
    subprocess.run([sys.executable, "-m", "webapp.semalar", "vt-olustur", url], cwd=KOK, check=True,
                   env=temiz_ortam(), capture_output=True)
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        db.dispose()


def flask_komutu(url: str, *arguman, zaman_asimi: float = 300) -> subprocess.CompletedProcess:
    """``flask --app webapp <arguman...>`` on the database ``url`` (development configuration)."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", *arguman], cwd=KOK,
                          env=temiz_ortam(MBS_DATABASE_URL=url, MBS_ENV="development", MBS_SECRET_KEY=CANLI_ANAHTAR),
                          capture_output=True, text=True, timeout=zaman_asimi)


def kurulum_calistir(url: str) -> str:
    """The operators' set-up: schema, the whole registry, demo users and muhtars, the process."""
    sonuc = flask_komutu(url, "kurulum")
    assert sonuc.returncode == 0, sonuc.stdout + sonuc.stderr
    return sonuc.stdout


class CanliSunucu:
    """gunicorn serving the app on 127.0.0.1; ``ayar`` is the app's extra configuration (JSON-able)."""

    def __init__(self, url: str, ayar: dict, kayit_dosyasi: Path, isci: int = 2, zaman_asimi: int = 30):
        self.url, self.ayar, self.isci, self.zaman_asimi = url, ayar, isci, zaman_asimi
        self.kayit_dosyasi = kayit_dosyasi
        self.port = bos_port()
        self.adres = f"http://127.0.0.1:{self.port}"
        self.surec: subprocess.Popen | None = None

    def baslat(self, bekle: float = 60) -> "CanliSunucu":
        ayar = {"DATABASE_URL": self.url, "SECRET_KEY": CANLI_ANAHTAR, "MBS_ENV": "development", **self.ayar}
        self._kayit = open(self.kayit_dosyasi, "ab")
        self.surec = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.isci), "-b", f"127.0.0.1:{self.port}",
             "--timeout", str(self.zaman_asimi), "--graceful-timeout", "2", "--no-control-socket",
             "tests.canli_uygulama:uygulama"],
            cwd=KOK, env=temiz_ortam(MBS_CANLI_AYAR=json.dumps(ayar), MBS_DATABASE_URL=self.url,
                                     MBS_SECRET_KEY=CANLI_ANAHTAR),
            stdout=self._kayit, stderr=subprocess.STDOUT, start_new_session=True)
        son = time.monotonic() + bekle
        while time.monotonic() < son:
            if self.surec.poll() is not None:
                raise RuntimeError(f"gunicorn başlamadı (çıkış {self.surec.returncode}): {self.kayit()[-3000:]}")
            if self.hazir() and len(self.isciler()) == self.isci:
                return self
            time.sleep(0.2)
        self.durdur()
        raise RuntimeError(f"gunicorn {bekle:g} sn içinde hazır olmadı: {self.kayit()[-3000:]}")

    def hazir(self) -> bool:
        try:
            return requests.get(f"{self.adres}/saglik", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def isciler(self) -> list[int]:
        """The pids of the master's live worker processes."""
        if self.surec is None:
            return []
        pidler = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                alanlar = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            # fields after the name: state, ppid, ...; a zombie (Z) is a dead worker not yet reaped
            if int(alanlar[1]) == self.surec.pid and alanlar[0] != "Z":
                pidler.append(int(stat.parent.name))
        return sorted(pidler)

    def isci_oldur(self, pid: int) -> None:
        """SIGKILL one worker (it must be one of ours)."""
        assert pid in self.isciler(), (pid, self.isciler())
        os.kill(pid, signal.SIGKILL)

    def kayit(self) -> str:
        try:
            return self.kayit_dosyasi.read_text(errors="replace")
        except OSError:
            return ""

    def durdur(self) -> None:
        if self.surec is None:
            return
        if self.surec.poll() is None:
            self.surec.terminate()
            try:
                self.surec.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.surec.pid, signal.SIGKILL)
                self.surec.wait(5)
        self._kayit.close()
        self.surec = None


# --- HTTP clients ------------------------------------------------------------------------------------------

def csrf(html: str) -> str:
    eslesme = CSRF_RE.search(html)
    assert eslesme, "sayfada csrf_token yok"
    return eslesme.group(1)


class HttpIstemci:
    """A requests session against a live server (cookies kept, redirects not followed)."""

    def __init__(self, adres: str, zaman_asimi: float = 30):
        self.adres, self.zaman_asimi = adres, zaman_asimi
        self.oturum = requests.Session()

    def get(self, yol: str, **kw) -> requests.Response:
        kw.setdefault("timeout", self.zaman_asimi)
        kw.setdefault("allow_redirects", False)
        return self.oturum.get(self.adres + yol, **kw)

    def post(self, yol: str, **kw) -> requests.Response:
        kw.setdefault("timeout", self.zaman_asimi)
        kw.setdefault("allow_redirects", False)
        return self.oturum.post(self.adres + yol, **kw)

    def kurum_giris(self, kullanici_adi: str, parola: str = "demo1234") -> None:
        token = csrf(self.get("/kurum/giris").text)
        yanit = self.post("/kurum/giris", data={"csrf_token": token, "kullanici_adi": kullanici_adi,
                                                "parola": parola})
        assert yanit.status_code == 302, (kullanici_adi, yanit.status_code, yanit.text[:300])

    def muhtar_giris(self, database: Database, tc: str, ad: str, telefon: str) -> None:
        """Captcha off on this server: ask for a code, read it from the outbox, enter it."""
        token = csrf(self.get("/muhtar/giris").text)
        yanit = self.post("/muhtar/giris", data={"csrf_token": token, "tc_kimlik_no": tc, "ad_soyad": ad})
        assert yanit.status_code == 302, yanit.text[:300]
        kod = son_onay_kodu(database, telefon)
        token = csrf(self.get("/muhtar/giris/onay").text)
        yanit = self.post("/muhtar/giris/onay", data={"csrf_token": token, "onay_kodu": kod})
        assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/muhtar/basvuru"), yanit.text[:300]


def son_onay_kodu(database: Database, telefon: str) -> str:
    """The one-time code of the latest SMS to ``telefon``, read from the outbox table."""
    from engine.models import MesajKutusu
    with database.session() as s:
        metin = s.scalars(select(MesajKutusu.metin).where(MesajKutusu.alici == telefon,
                                                          MesajKutusu.gizli.is_(True))
                          .order_by(MesajKutusu.id.desc())).first()
    eslesme = KOD_RE.search(metin or "")
    assert eslesme, f"{telefon} için giden kutusunda onay kodu yok"
    return eslesme.group(1)
