"""Browser end-to-end tests: Playwright for Python driving Debian's Chromium against gunicorn.

Run with ``make test-e2e`` (it sets MBS_E2E=1); the plain ``make test`` skips this folder, because these
tests need a browser. The server is the real thing: ``gunicorn tests.canli_uygulama:uygulama`` with two
workers on 127.0.0.1, on a fresh database (a SQLite file, or MBS_TEST_DATABASE_URL when set, whose schema
is dropped first) set up by ``flask --app webapp kurulum`` (the whole registry, demo users and muhtars, the
process). The captcha is on. The test reads its answer the way only the test can: the session cookie
holds the captcha's nonce (signed, not secret) and the answer is derived from it with the server's secret
key, which the test set (``tests.canli.CANLI_ANAHTAR``). Production is not changed in any way for this.
SMS go through the development backend; the test reads the code from the outbox table.

Screenshots of every step go to test-output/e2e/ (git-ignored).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from engine.db import Database
from tests.canli import CANLI_ANAHTAR, KOK, CanliSunucu, kurulum_calistir, veritabani_hazirla

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CIKTI = KOK / "test-output" / "e2e"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
#: the path the tests serve axe-core on (same origin, so the page's CSP lets the script load)
AXE_YOLU = "/__e2e__/axe.min.js"
MASAUSTU = {"width": 1280, "height": 900}
TELEFON = {"width": 390, "height": 844}
E2E_KLASORU = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Without MBS_E2E=1 (``make test-e2e``) the browser tests are skipped, with the reason."""
    if os.environ.get("MBS_E2E") == "1":
        return
    atla = pytest.mark.skip(reason="tarayıcı testi: `make test-e2e` (MBS_E2E=1) ile çalışır")
    for item in items:
        if E2E_KLASORU in Path(str(item.path)).parents:
            item.add_marker(atla)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing (no browser download by Playwright)."""
    if not os.access(CHROMIUM, os.X_OK):
        try:
            subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
                           shell=True, check=True, capture_output=True, timeout=900)
        except (subprocess.SubprocessError, OSError) as hata:
            pytest.skip(f"{CHROMIUM} yok ve `apt-get install chromium` başarısız oldu: {hata}")
        if not os.access(CHROMIUM, os.X_OK):
            pytest.skip(f"chromium paketi kuruldu ama {CHROMIUM} yok")
    return CHROMIUM


@pytest.fixture(scope="session")
def cikti() -> Path:
    """test-output/e2e/, emptied at the start of the session."""
    shutil.rmtree(CIKTI, ignore_errors=True)
    CIKTI.mkdir(parents=True)
    return CIKTI


@pytest.fixture(scope="session")
def vt_adresi(tmp_path_factory) -> str:
    url = os.environ.get("MBS_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('e2e-vt') / 'mbs.db'}"
    veritabani_hazirla(url)
    kurulum_calistir(url)
    return url


@pytest.fixture(scope="session")
def vt(vt_adresi):
    db = Database(vt_adresi)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def sunucu(vt_adresi, tmp_path_factory, cikti):
    klasor = tmp_path_factory.mktemp("e2e-sunucu")
    ayar = {
        "UPLOAD_DIR": str(klasor / "ekler"),
        "CAPTCHA_ENABLED": True,
        # one address (127.0.0.1) logs in as every role here
        "KURUM_GIRIS_IP_SINIRI": "600 per minute",
    }
    s = CanliSunucu(vt_adresi, ayar, cikti / "gunicorn.log", isci=2).baslat()
    yield s
    s.durdur()


@pytest.fixture(scope="session")
def tarayici(chromium):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def baglam_ac(tarayici, sunucu):
    """``baglam_ac(telefon=False)``: a new browser context (its own cookies) on the server, Turkish locale.
    axe-core is served by the test at AXE_YOLU on the app's origin."""
    acilanlar = []

    def _ac(telefon: bool = False):
        b = tarayici.new_context(base_url=sunucu.adres, viewport=TELEFON if telefon else MASAUSTU,
                                 locale="tr-TR", accept_downloads=True, is_mobile=telefon, has_touch=telefon)
        b.set_default_timeout(15_000)
        b.route(f"{sunucu.adres}{AXE_YOLU}", lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=AXE.read_text(encoding="utf-8")))
        acilanlar.append(b)
        return b

    yield _ac
    for b in acilanlar:
        b.close()


class Ekran:
    """Numbered screenshots: test-output/e2e/<test>-<nn>-<step>.png."""

    def __init__(self, klasor: Path, onek: str):
        self.klasor, self.onek, self.sira = klasor, onek, 0
        self.dosyalar: list[Path] = []
        self.sure = 0.0

    def cek(self, sayfa, ad: str) -> Path:
        self.sira += 1
        yol = self.klasor / f"{self.onek}-{self.sira:02d}-{ad}.png"
        t0 = time.monotonic()
        sayfa.screenshot(path=str(yol), full_page=True)
        self.sure += time.monotonic() - t0
        self.dosyalar.append(yol)
        return yol


@pytest.fixture
def ekran(cikti, request) -> Ekran:
    e = Ekran(cikti, request.node.name.removeprefix("test_"))
    yield e
    print(f"\n{len(e.dosyalar)} ekran görüntüsü, {e.sure:.1f} sn")


def dogrulama_cevabi(baglam) -> str:
    """The captcha answer on the muhtar's screen: the nonce from the (signed, readable) session cookie,
    the digits derived from it with the server's secret, exactly as the server does."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    from webapp.muhtar import dogrulama
    app = Flask("e2e-dogrulama")
    app.config["SECRET_KEY"] = CANLI_ANAHTAR
    cerez = next(c["value"] for c in baglam.cookies() if c["name"] == app.config["SESSION_COOKIE_NAME"])
    veri = SecureCookieSessionInterface().get_signing_serializer(app).loads(cerez)
    with app.app_context():
        return dogrulama.cevap(veri["muhtar_dogrulama"]["n"])


def axe_calistir(sayfa) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA rules) on the page; the serious and critical violations."""
    if not sayfa.evaluate("() => typeof window.axe !== 'undefined'"):
        sayfa.add_script_tag(url=AXE_YOLU)
    sonuc = sayfa.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       hedefler: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [v for v in sonuc if v["impact"] in ("serious", "critical")]


def ornek_pdf(baslik: str) -> bytes:
    """A small, valid one-page PDF (header, objects, xref table, trailer) with ``baslik`` as its text."""
    metin = baslik.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    akis = b"BT /F1 18 Tf 72 720 Td (" + metin + b") Tj ET"
    nesneler = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(akis)).encode() + b" >>\nstream\n" + akis + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    govde = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    konumlar = []
    for i, nesne in enumerate(nesneler, 1):
        konumlar.append(len(govde))
        govde += f"{i} 0 obj\n".encode() + nesne + b"\nendobj\n"
    xref = len(govde)
    govde += f"xref\n0 {len(nesneler) + 1}\n0000000000 65535 f \n".encode()
    for k in konumlar:
        govde += f"{k:010d} 00000 n \n".encode()
    govde += f"trailer\n<< /Size {len(nesneler) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(govde)
