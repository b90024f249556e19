"""SQL and template injection through search and filter parameters and free text: never a 500, never
evaluated, never a row the user may not see.

Every GET route of the app (as MİGM, as a Belediye and as the muhtar) gets every payload in every usual filter
parameter; the kurum lists are searched with each payload and must find nothing that is not there; the
muhtar files a talep whose text is the payloads, and every page that shows it shows it as text.
"""
from __future__ import annotations

import re
import time

from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import dunya, rota_adresi, tum_kurallar  # noqa: F401
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401

SQL = [
    "' OR 1=1 --", "' OR '1'='1", "\" OR \"\"=\"", "1 OR 1=1", "1; DROP TABLE talep; --", "%' OR 1=1 --",
    "\\' OR 1=1 #", "' UNION SELECT parola_hash, 1, 1 FROM kullanici --", "2026-000001' OR '1'='1",
    "'; SELECT pg_sleep(3); --", "1' AND (SELECT 1 FROM (SELECT SLEEP(3))x) --", "' || (SELECT sqlite_version()) || '",
    "%", "_", "%%", "\\", "\\%", "'", "''", "\"", ";", "--", "/*", "*/", "0x27", "%27", "%00",
    "06' OR il_kod IS NOT NULL --", "9223372036854775808", "-1", "1e309", "NaN",
]
#: payload -> what it would show if a template engine evaluated it
SABLON = {
    "{{31337*3}}": "94011", "{{7*'7'}}": "7777777", "{% for i in range(3) %}Q{{i}}{% endfor %}": "Q0Q1Q2",
    "${31337*5}": "156685", "#{31337*7}": "219359", "<%= 31337*9 %>": "282033", "{{ config.SECRET_KEY }}": "test-",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}": "<class 'object'>", "{{request.environ}}": "wsgi.input",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}": "uid=",
}
DIGER = ["<script>alert(1)</script>", "\"><svg onload=alert(1)>", "javascript:alert(1)", "\x00", "a\x00b",
         "\u202eevil", "𝕿𝖊𝖘𝖙 🚨", "İıŞşĞğÜüÖöÇç", "x" * 5000, "\r\n\r\n<h1>enjekte</h1>", "%0d%0aSet-Cookie:x=1",
         "../../../../etc/passwd", "{{", "}}", "{%", "%}", "' \"{{7*7}}\" '"]
YUKLER = SQL + list(SABLON) + DIGER
PARAMETRELER = ["ara", "durum", "tur", "il", "ilce", "baslangic", "bitis", "sirala", "sonra", "sayfa", "birim",
                "q", "next", "bicim", "donem", "yil"]


def _degerlendirilmis(html: str) -> list[str]:
    return [yuk for yuk, sonuc in SABLON.items() if sonuc in html]


def test_her_get_rotasi_her_parametrede_zararli_girdiye_dayanir(dunya):
    istemciler = {"MIGM": dunya.kurum("MIGM"), "BELEDIYE": dunya.kurum("BELEDIYE-06-CANKAYA"),
                  "muhtar": dunya.muhtar_istemci()}
    kurallar = [k for k in tum_kurallar(dunya.app, "GET") if k.endpoint != "static"
                and not k.endpoint.endswith(("dogrulama_resmi", "dogrulama_sesi"))]
    sayi = 0
    for kim, client in istemciler.items():
        for kural in kurallar:
            yol = rota_adresi(kural, dunya)
            for yuk in YUKLER:
                t0 = time.monotonic()
                yanit = client.get(yol, query_string={p: yuk for p in PARAMETRELER})
                sure = time.monotonic() - t0
                html = yanit.get_data(as_text=True) if yanit.mimetype == "text/html" else ""
                yanit.close()
                sayi += 1
                assert yanit.status_code < 500, (kim, yol, yuk, yanit.status_code)
                assert sure < 2.5, (kim, yol, yuk, sure)  # a sleep() got through?
                assert not _degerlendirilmis(html), (kim, yol, yuk)
                assert "<script>alert(1)</script>" not in html and "<svg onload" not in html, (kim, yol, yuk)
    assert sayi >= 3 * 30 * len(YUKLER)
    print(f"\n{sayi} zararlı istek")


def _numaralar(html: str) -> set[str]:
    """Talep numbers in the result table (the search box repeats what was typed)."""
    tablo = re.search(r'<table class="liste">.*?</table>', html, re.S)
    return set(re.findall(r"\b20\d\d-\d{6}\b", tablo.group(0))) if tablo else set()


def test_arama_zararli_girdiyle_fazladan_kayit_bulmaz(dunya):
    """The Belediye sees talep A only; MİGM sees A and B. No payload finds anything (no talep contains them),
    and none widens a unit's scope."""
    migm, belediye = dunya.kurum("MIGM"), dunya.kurum("BELEDIYE-06-CANKAYA")
    for liste in ("gelen-kutusu", "gorunumler", "tamamlanan"):
        assert dunya.numara["B"] not in belediye.get(f"/kurum/{liste}").get_data(as_text=True)
    for yuk in SQL + list(SABLON):
        if yuk in ("%", "_", "%%", "\\", "\\%", "'", "''", "-1", ";", "--"):
            continue  # these may legitimately match text (escaped as literals); checked below
        for client in (migm, belediye):
            for liste in ("gelen-kutusu", "gorunumler", "tamamlanan"):
                html = client.get(f"/kurum/{liste}", query_string={"ara": yuk}).get_data(as_text=True)
                assert not (_numaralar(html) & {dunya.numara["A"], dunya.numara["B"]}), (liste, yuk)
    # LIKE wildcards are literals: "%" and "_" match only text that has them
    for yuk in ("%", "_", "%%", "\\%", "\\"):
        html = migm.get("/kurum/gorunumler", query_string={"ara": yuk}).get_data(as_text=True)
        assert not (_numaralar(html) & set(dunya.numara.values())), yuk
    # the real search still works
    html = migm.get("/kurum/gorunumler", query_string={"ara": "lambaları"}).get_data(as_text=True)
    assert dunya.numara["A"] in html and dunya.numara["B"] not in html
    html = belediye.get("/kurum/gorunumler", query_string={"ara": "Kızılay"}).get_data(as_text=True)
    assert dunya.numara["B"] not in html


def test_serbest_metin_metin_olarak_saklanir_ve_gosterilir(dunya):
    """A başvuru whose text is every template and script payload: stored as typed, shown escaped on the
    muhtar's and the units' pages, evaluated nowhere."""
    muhtar = dunya.muhtar_istemci()
    metin = "Sokak lambası. " + " | ".join(list(SABLON) + DIGER[:3] + SQL[:8])
    html = muhtar.get("/muhtar/basvuru").get_data(as_text=True)
    anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    yanit = muhtar.post("/muhtar/basvuru", data={"csrf_token": csrf_token(html), "tur": "ihbar",
                                                 "aciklama": metin[:4000], "istek_anahtari": anahtar})
    assert yanit.status_code == 302, yanit.get_data(as_text=True)[:500]
    numara = yanit.headers["Location"].rsplit("/", 1)[1]
    from sqlalchemy import select

    from engine.models import Talep
    with dunya.db.session() as s:
        talep = s.scalars(select(Talep).where(Talep.numara == numara)).one()
        assert talep.aciklama == metin[:4000]
    migm = dunya.kurum("MIGM")
    # the talep pages show the whole text; the lists a shortened one
    sayfalar = [(muhtar.get(f"/muhtar/talepler/{numara}"), True), (migm.get(f"/kurum/talep/{talep.id}"), True),
                (muhtar.get("/muhtar/talepler"), False), (migm.get("/kurum/gelen-kutusu"), False)]
    for yanit, tam in sayfalar:
        html = yanit.get_data(as_text=True)
        assert yanit.status_code == 200
        assert not _degerlendirilmis(html), _degerlendirilmis(html)
        assert "<script>alert(1)</script>" not in html
        assert not tam or ("&lt;script&gt;alert(1)&lt;/script&gt;" in html and "{{31337*3}}" in html)


def test_nul_karakteri_hicbir_yerde_gecmez(dunya):
    """PostgreSQL text cannot hold NUL: in the path, the query string or a form it is a 400, never a 500."""
    from sqlalchemy import func, select

    from engine.models import Talep
    migm, muhtar = dunya.kurum("MIGM"), dunya.muhtar_istemci()
    for client, yol in ((migm, "/kurum/gorunumler?ara=a%00b"), (migm, "/kurum/gelen-kutusu?%00=1"),
                        (muhtar, "/muhtar/talepler/2026%00"), (muhtar, "/muhtar/talepler?durum=%00")):
        assert client.get(yol).status_code == 400, yol
    with dunya.db.session() as s:
        once = s.scalar(select(func.count()).select_from(Talep))
    html = muhtar.get("/muhtar/basvuru").get_data(as_text=True)
    anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    yanit = muhtar.post("/muhtar/basvuru", data={"csrf_token": csrf_token(html), "tur": "istek",
                                                 "aciklama": "Sokak lambası\x00 yanmıyor, onarılsın.",
                                                 "istek_anahtari": anahtar})
    assert yanit.status_code == 400
    token = csrf_token(migm.get("/kurum/hesap/parola").get_data(as_text=True))
    assert migm.post(f"/kurum/gorev/{dunya.gorev['B-MIGM']}\x00", data={"csrf_token": token}).status_code in (400, 404)
    assert migm.post(f"/kurum/gorev/{dunya.gorev['B-MIGM']}",
                     data={"csrf_token": token, "nihai_cevap": "a\x00", "karar": "kapat"}).status_code == 400
    with dunya.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Talep)) == once
