"""Response headers on every route, session cookies in production, a new session at login, open redirects
through ``next``, and error pages that give nothing away in production.

(The home page's headers and the 400/404/405/413/500 pages in development: tests/web/test_app.py.)
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import text, update

from engine.models import Kullanici
from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import AYSE, dunya, dunya_kur, muhtar_girisi, rota_adresi, tum_kurallar  # noqa: F401
from tests.web.muhtar_ortak import KOD_RE
from tests.web.kurum_yardim import HIZLI_HASHER, _hizli_hash_yukseltilmez, giris_yap  # noqa: F401

URETIM_PAROLASI = "uretim-icin-guclu-parola-7"
HTTPS = {"base_url": "https://mbs.example.gov.tr", "headers": {"Referer": "https://mbs.example.gov.tr/"}}


def csp_yonergeleri(deger: str) -> dict[str, list[str]]:
    yonergeler = {}
    for parca in deger.split(";"):
        kelimeler = parca.split()
        if kelimeler:
            yonergeler[kelimeler[0].lower()] = kelimeler[1:]
    return yonergeler


def basliklari_denetle(yanit, neresi) -> None:
    b = yanit.headers
    assert "Content-Security-Policy" in b, neresi
    csp = csp_yonergeleri(b["Content-Security-Policy"])
    betik = csp.get("script-src", csp.get("default-src"))
    assert betik, (neresi, csp)
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(betik), (neresi, betik)
    assert csp.get("frame-ancestors") == ["'none'"], (neresi, b["Content-Security-Policy"])
    assert csp.get("base-uri") in (["'none'"], ["'self'"]) or csp.get("default-src") == ["'none'"], neresi
    assert b.get("X-Content-Type-Options") == "nosniff", neresi
    assert b.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), neresi
    assert b.get("X-Frame-Options") == "DENY", neresi


def test_her_rotada_guvenlik_basliklari(dunya):
    """Every GET route, as anonymous, kurum and muhtar users: pages, redirects, 403/404s and downloads."""
    istemciler = {"anonim": dunya.app.test_client(), "kurum": dunya.kurum("MIGM"), "muhtar": dunya.muhtar_istemci()}
    sayi = 0
    for kural in tum_kurallar(dunya.app, "GET"):
        yol = rota_adresi(kural, dunya)
        for kim, client in istemciler.items():
            for adres in (yol, yol + "?ara=%3Cscript%3E&next=//kotu.example.com", yol.rstrip("/") + "/../x/.%2e/"):
                yanit = client.get(adres)
                basliklari_denetle(yanit, (kim, adres, yanit.status_code))
                yanit.close()
                sayi += 1
    assert sayi > 100
    # downloads: sent as attachments, never rendered
    yanit = istemciler["kurum"].get(f"/kurum/ek/{dunya.ek['A']}")
    assert yanit.status_code == 200 and yanit.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in yanit.headers["Content-Security-Policy"]


def _uretim(make_app, web_database):
    d = dunya_kur(make_app, web_database)
    with d.db.unit_of_work() as s:
        s.execute(update(Kullanici).values(parola_hash=HIZLI_HASHER.hash(URETIM_PAROLASI)))
    # TESTING off: errors are handled as in production, not raised into the test
    return d, make_app(MBS_ENV="production", SECRET_KEY="u" * 48, MUHTAR_GIRIS_ASGARI_SN=0, TESTING=False)


def _cerezler(yanit) -> list[str]:
    return yanit.headers.getlist("Set-Cookie")


def test_uretimde_oturum_cerezi_secure_httponly_samesite(make_app, web_database):
    d, app = _uretim(make_app, web_database)
    assert app.config["DEBUG"] is False and app.config["PROPAGATE_EXCEPTIONS"] in (None, False)
    client = app.test_client()
    sayfa = client.get("/kurum/giris", **HTTPS)
    yanit = client.post("/kurum/giris", data={"csrf_token": csrf_token(sayfa.get_data(as_text=True)),
                                              "kullanici_adi": "migm", "parola": URETIM_PAROLASI}, **HTTPS)
    assert yanit.status_code == 302
    muhtar = app.test_client()
    muhtar.get("/muhtar/giris", **HTTPS)
    cerezler = _cerezler(sayfa) + _cerezler(yanit)
    html = muhtar.get("/muhtar/giris", **HTTPS).get_data(as_text=True)
    ilk = muhtar.post("/muhtar/giris", data={"csrf_token": csrf_token(html), "tc_kimlik_no": AYSE["tc"],
                                             "ad_soyad": AYSE["ad"]}, **HTTPS)
    cerezler += _cerezler(ilk)
    assert cerezler
    for cerez in cerezler:
        ad = cerez.split("=", 1)[0]
        assert ad == "session", cerez  # no remember-me or other cookie
        parcalar = {p.strip().split("=")[0].lower(): p.strip() for p in cerez.split(";")[1:]}
        assert "secure" in parcalar and "httponly" in parcalar, cerez
        assert parcalar.get("samesite", "").lower() in ("samesite=lax", "samesite=strict"), cerez


def _oturum_cerezi(client) -> str | None:
    cerez = client.get_cookie("session")
    return cerez.value if cerez else None


def _cerezi_tasi(kaynak_deger: str, app):
    saldirgan = app.test_client()
    saldirgan.set_cookie("session", kaynak_deger)
    return saldirgan


def test_kurum_girisinde_yeni_oturum(dunya):
    """A cookie planted before the login stays anonymous; the login issues a new session; a token from before
    the login no longer passes."""
    kurban = dunya.app.test_client()
    onceki_token = csrf_token(kurban.get("/kurum/giris").get_data(as_text=True))
    with kurban.session_transaction() as s:
        s["saldirgan"] = "sabit"
    sabit = _oturum_cerezi(kurban)
    saldirgan = _cerezi_tasi(sabit, dunya.app)
    assert giris_yap(kurban, "MIGM").status_code == 302
    assert _oturum_cerezi(kurban) != sabit
    with kurban.session_transaction() as s:
        assert "saldirgan" not in s and s["_user_id"].startswith("k:")
    assert kurban.get("/kurum/gelen-kutusu").status_code == 200
    yanit = saldirgan.get("/kurum/gelen-kutusu")
    assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"]
    assert kurban.post("/kurum/cikis", data={"csrf_token": onceki_token}).status_code == 400


def test_muhtar_girisinde_yeni_oturum(dunya):
    kurban = dunya.app.test_client()
    kurban.get("/muhtar/giris")
    with kurban.session_transaction() as s:
        s["saldirgan"] = "sabit"
    sabit = _oturum_cerezi(kurban)
    saldirgan = _cerezi_tasi(sabit, dunya.app)
    onceki_token = csrf_token(kurban.get("/muhtar/giris").get_data(as_text=True))
    muhtar_girisi(kurban, dunya.db)
    assert _oturum_cerezi(kurban) != sabit
    with kurban.session_transaction() as s:
        assert "saldirgan" not in s and s["_user_id"].startswith("m:") and "muhtar_giris" not in s
    assert saldirgan.get("/muhtar/basvuru").status_code == 302
    assert kurban.post("/muhtar/cikis", data={"csrf_token": onceki_token}).status_code == 400


# --- open redirects ---------------------------------------------------------------------------------------

ACIK_YONLENDIRME = [
    "https://kotu.example.com/", "http://kotu.example.com", "//kotu.example.com", "///kotu.example.com",
    "/\\kotu.example.com", "\\\\kotu.example.com", "\\/kotu.example.com", "/\t/kotu.example.com",
    "/\n/kotu.example.com", " //kotu.example.com", "https:kotu.example.com", "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "/%2F%2Fkotu.example.com", "/%5Ckotu.example.com",
    "%2F%2Fkotu.example.com", "/\r\nSet-Cookie: x=1", "\x00//kotu.example.com", "/.//kotu.example.com",
    "https://mbs.example.gov.tr@kotu.example.com/", "/kurum/../\\kotu.example.com", "\u3002kotu.example.com",
    "/\u2215\u2215kotu.example.com", "/\uff0f/kotu.example.com",
]


def _tarayicida_hedef(konum: str) -> str:
    """Where a browser would go: it drops tab/CR/LF anywhere, trims spaces and controls, reads \\ as /."""
    konum = re.sub(r"[\t\r\n]", "", konum).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f "
                                                   "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
    return konum.replace("\\", "/")


def _ayni_site(konum: str) -> bool:
    hedef = _tarayicida_hedef(konum)
    parca = urlsplit(hedef)
    if parca.scheme in ("http", "https"):
        return parca.netloc in ("localhost", "mbs.example.gov.tr")
    return not parca.scheme and not parca.netloc and hedef.startswith("/") and not hedef.startswith("//")


def test_next_ile_acik_yonlendirme_yok(dunya):
    """Each hostile ``next`` through the kurum login, the logged-in kurum login page, the muhtar's SMS-code
    login (next kept in the session) and the logged-in muhtar login page: always a path on this site."""
    for hedef in ACIK_YONLENDIRME:
        client = dunya.app.test_client()
        if "\x00" in hedef:
            # a NUL anywhere in the request is refused before any view runs: no page, no redirect at all
            assert client.get("/kurum/giris", query_string={"next": hedef}).status_code == 400
            continue
        html = client.get("/kurum/giris", query_string={"next": hedef}).get_data(as_text=True)
        yanit = client.post("/kurum/giris", data={"csrf_token": csrf_token(html), "kullanici_adi": "migm",
                                                  "parola": "demo1234", "next": hedef})
        assert yanit.status_code == 302 and _ayni_site(yanit.headers["Location"]), (hedef, yanit.headers["Location"])
        yanit = client.get("/kurum/giris", query_string={"next": hedef})
        assert yanit.status_code == 302 and _ayni_site(yanit.headers["Location"]), (hedef, yanit.headers["Location"])
        muhtar = dunya.app.test_client()
        konum = _muhtar_girisi_next(dunya, muhtar, hedef)
        assert _ayni_site(konum), (hedef, konum)
        yanit = muhtar.get("/muhtar/giris", query_string={"next": hedef})
        assert yanit.status_code == 302 and _ayni_site(yanit.headers["Location"]), (hedef, yanit.headers["Location"])


def _muhtar_girisi_next(dunya, client, hedef) -> str:
    html = client.get("/muhtar/giris").get_data(as_text=True)
    yanit = client.post("/muhtar/giris", data={"csrf_token": csrf_token(html), "tc_kimlik_no": AYSE["tc"],
                                               "ad_soyad": AYSE["ad"], "next": hedef})
    assert yanit.status_code == 302
    with dunya.db.session() as s:
        metin = s.scalar(text("SELECT metin FROM mesaj_kutusu WHERE gizli ORDER BY id DESC LIMIT 1"))
    html = client.get("/muhtar/giris/onay").get_data(as_text=True)
    yanit = client.post("/muhtar/giris/onay", data={"csrf_token": csrf_token(html),
                                                    "onay_kodu": KOD_RE.search(metin).group(1)})
    assert yanit.status_code == 302
    return yanit.headers["Location"]


def test_guvenli_hedef_korunan_sayfaya_doner(dunya):
    """The safe case still works: a path on this site is where the login goes."""
    client = dunya.app.test_client()
    yanit = client.get("/kurum/gorunumler?durum=bekleyen")
    hedef = yanit.headers["Location"].split("next=", 1)[1]
    html = client.get(yanit.headers["Location"]).get_data(as_text=True)
    yanit = client.post("/kurum/giris", data={"csrf_token": csrf_token(html), "kullanici_adi": "migm",
                                              "parola": "demo1234", "next": unquote(hedef)})
    assert yanit.headers["Location"].endswith("/kurum/gorunumler?durum=bekleyen")


# --- error pages in production ----------------------------------------------------------------------------

IZ = ("Traceback", "File \"", "sqlalchemy", "SELECT ", "psycopg", "sqlite3", "werkzeug", "jinja2",
      "OperationalError", "gizli-ayrinti", "/work/", "site-packages", "Debugger")


def test_uretimde_hata_sayfalari_iz_vermez(make_app, web_database, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from webapp.kurum import kutular
    d, app = _uretim(make_app, web_database)

    def patla(*_a, **_k):
        raise OperationalError("SELECT parola_hash FROM kullanici WHERE gizli-ayrinti", {"p": 1},
                               Exception("sqlite3 disk I/O error at /work/main/instance"))
    monkeypatch.setitem(kutular.SEKMELER, "gelen_kutusu", ("Gelen Kutusu", patla))
    client = app.test_client()
    html = client.get("/kurum/giris", **HTTPS).get_data(as_text=True)
    client.post("/kurum/giris", data={"csrf_token": csrf_token(html), "kullanici_adi": "migm",
                                      "parola": URETIM_PAROLASI}, **HTTPS)
    yanitlar = {
        500: client.get("/kurum/gelen-kutusu", **HTTPS),
        404: client.get("/kurum/talep/987654", **HTTPS),
        403: client.get("/kurum/surecler/", **HTTPS) if "surecler.liste" in app.view_functions
        else client.get("/muhtar/basvuru", **HTTPS),
        405: client.get("/kurum/cikis", **HTTPS),
        400: client.post("/kurum/cikis", data={}, **HTTPS),
    }
    for kod, yanit in yanitlar.items():
        html = yanit.get_data(as_text=True)
        assert yanit.status_code == kod, (kod, yanit.status_code)
        assert not [iz for iz in IZ if iz in html], (kod, [iz for iz in IZ if iz in html])
        basliklari_denetle(yanit, kod)
    assert "Beklenmeyen bir hata oluştu" in yanitlar[500].get_data(as_text=True)
    # the Werkzeug debugger is never reachable
    assert client.get("/console", **HTTPS).status_code == 404
