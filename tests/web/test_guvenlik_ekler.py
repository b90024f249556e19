"""Booby-trapped uploads through the real task form: refused, or kept under a safe name and only ever sent back
as a download (attachment, the checked type, nosniff, a sandboxing CSP), to the units and to the muhtar.

The engine-level checks (types by content, macros, name cleaning, storage limits) are in
tests/web/test_kurum_ekler.py; this file posts hostile files as a browser would and looks at what comes back.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine.models import Ek
from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import dunya  # noqa: F401
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez, dosya, ornek_pdf, ornek_png  # noqa: F401

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b"<script>alert(document.cookie)</script></svg>")
HTML = b"<!doctype html><html><body><script>fetch('/kurum/yonetim/kullanicilar')</script></body></html>"
#: valid as a PDF by its first bytes, HTML after them: kept only because it is never rendered by the app
POLIGLOT = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"

REDDEDILEN = [
    (SVG, "cizim.svg", "image/svg+xml", "türü kabul edilmiyor"),
    (SVG, "cizim.png", "image/png", "içeriği uzantısıyla uyuşmuyor"),
    (SVG, "cizim.png", "application/octet-stream", "içeriği uzantısıyla uyuşmuyor"),
    (HTML, "sayfa.html", "text/html", "türü kabul edilmiyor"),
    (HTML, "sayfa.htm", "application/octet-stream", "türü kabul edilmiyor"),
    (HTML, "rapor.pdf", "application/pdf", "içeriği uzantısıyla uyuşmuyor"),
    (HTML, "rapor.pdf.html", "application/pdf", "türü kabul edilmiyor"),
    (HTML, "rapor.html.pdf", "text/html", "bildirilen türü"),
    (b"MZ\x90\x00" + b"\x00" * 60, "fatura.pdf", "application/pdf", "içeriği uzantısıyla uyuşmuyor"),
    (b"#!/bin/sh\nrm -rf /\n", "betik.sh", "text/x-shellscript", "türü kabul edilmiyor"),
    (ornek_pdf(), "../../../../tmp/mbs-kacak.php", "application/pdf", "türü kabul edilmiyor"),
    (b"", "bos.pdf", "application/pdf", "dosya boş"),
    (ornek_pdf() + b"0" * (10 * 1024 * 1024), "buyuk.pdf", "application/pdf", "10 MB sınırını aşıyor"),
]

#: (content, name, declared type) kept under a clean name
KABUL = [
    (POLIGLOT, "../../../../tmp/mbs-kacak.pdf", "application/pdf"),
    (ornek_pdf() + b"1", "..\\..\\windows\\system32\\drivers\\etc\\hosts.pdf", "application/pdf"),
    (ornek_png() + b"2", "<img src=x onerror=alert(1)>.png", "image/png"),
    (ornek_pdf() + b"3", "%2e%2e%2f%2e%2e%2fetc%2fpasswd.pdf", "application/pdf"),
    (ornek_pdf() + b"4", "\u202eexe.pdf", "application/pdf"),
]


def _gonder(client, dunya, dosyalar):
    uuid = dunya.gorev["A-BELEDIYE"]
    html = client.get(f"/kurum/talep/{dunya.talep['A']}").get_data(as_text=True)
    return client.post(f"/kurum/gorev/{uuid}", data={"csrf_token": csrf_token(html), "islem_notu": "Yapıldı.",
                                                     "muhtara_acik": "1", "ekler": dosyalar},
                       content_type="multipart/form-data")


def _ekler(dunya) -> list[Ek]:
    with dunya.db.session() as s:
        return list(s.scalars(select(Ek).where(Ek.talep_id == dunya.talep["A"]).order_by(Ek.id)))


def _depodaki(dunya) -> set[str]:
    kok = Path(dunya.app.config["UPLOAD_DIR"])
    return {str(p.relative_to(kok)) for p in kok.rglob("*") if p.is_file()}


def test_zararli_yuklemeler_reddedilir_ve_iz_birakmaz(dunya):
    belediye = dunya.kurum("BELEDIYE-06-CANKAYA")
    ekler_once, depo_once = len(_ekler(dunya)), _depodaki(dunya)
    for veri, ad, tur, neden in REDDEDILEN:
        yanit = _gonder(belediye, dunya, [dosya(veri, ad, tur)])
        html = yanit.get_data(as_text=True)
        assert yanit.status_code == 422, (ad, yanit.status_code)
        assert neden in html, (ad, neden)
        assert "<script>alert" not in html and "onload=" not in html
    assert len(_ekler(dunya)) == ekler_once and _depodaki(dunya) == depo_once
    assert not Path("/tmp/mbs-kacak.php").exists() and not Path("/tmp/mbs-kacak.pdf").exists()
    with dunya.db.session() as s:
        from engine.models import HumanTask
        assert s.scalars(select(HumanTask.durum).where(HumanTask.task_uuid == dunya.gorev["A-BELEDIYE"])).one() \
            == "acik"


def _indirme_guvenli(yanit, ek: Ek) -> None:
    assert yanit.status_code == 200
    cd = yanit.headers["Content-Disposition"]
    assert cd.startswith("attachment;"), cd
    assert "\r" not in cd and "\n" not in cd and "X-Injected" not in yanit.headers
    assert yanit.headers["X-Content-Type-Options"] == "nosniff"
    assert yanit.mimetype == ek.icerik_turu and yanit.mimetype in ("application/pdf", "image/png")
    csp = yanit.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "no-store" in yanit.headers["Cache-Control"]


def test_kabul_edilenler_guvenli_adla_yalniz_indirme_olarak_doner(dunya):
    belediye = dunya.kurum("BELEDIYE-06-CANKAYA")
    yanit = _gonder(belediye, dunya, [dosya(v, a, t) for v, a, t in KABUL])
    assert yanit.status_code == 303, yanit.get_data(as_text=True)[:2000]
    assert not Path("/tmp/mbs-kacak.pdf").exists()
    yeni = [e for e in _ekler(dunya) if e.birim_id == dunya.ortam.kayit.birim["BELEDIYE-06-CANKAYA"]]
    assert len(yeni) == len(KABUL)
    for ek in yeni:
        assert not set(ek.dosya_adi) & set("/\\<>\"'\r\n\x00;\u202e"), ek.dosya_adi
        assert ".." not in ek.dosya_adi and not ek.dosya_adi.startswith(".")
    # every store file is named by its hash inside the storage folder
    for yol in _depodaki(dunya):
        assert ".." not in yol and "kacak" not in yol
    # the talep page shows the names as text, the downloads are attachments for units and the muhtar
    migm = dunya.kurum("MIGM")
    sayfa = migm.get(f"/kurum/talep/{dunya.talep['A']}").get_data(as_text=True)
    assert "<img src=x" not in sayfa and "onerror=alert" not in sayfa.replace("onerror=alert(1)_", "")
    muhtar = dunya.muhtar_istemci()
    for ek in yeni:
        _indirme_guvenli(migm.get(f"/kurum/ek/{ek.id}"), ek)
        _indirme_guvenli(muhtar.get(f"/muhtar/talepler/{dunya.numara['A']}/ekler/{ek.id}"), ek)


def test_indirme_basligina_satir_sonu_ve_tirnak_sizmaz(dunya):
    """Even a name the upload check would never let through (quotes, a parameter of its own, non-ASCII)
    cannot break out of Content-Disposition: the header is built with RFC 5987 encoding. (A line break in a
    header value is refused by Werkzeug itself.)"""
    from webapp.ekler import ek_yaniti, get_depo
    with dunya.app.test_request_context():
        sha = get_depo().yaz(ornek_pdf() + b"basliklar")
        ek = Ek(id=1, talep_id=dunya.talep["A"], sha256=sha, dosya_adi='a"; filename=x.html; İ <b>.pdf',
                icerik_turu="application/pdf", boyut=10)
        yanit = ek_yaniti(ek)
        _indirme_guvenli(yanit, ek)
        # read as a mail/HTTP parser does: one file name, the whole of it
        from email.message import Message
        m = Message()
        m["Content-Disposition"] = yanit.headers["Content-Disposition"]
        parametreler = [ad for ad, _ in m.get_params(header="content-disposition")[1:]]
        assert len(parametreler) == 2 and set(parametreler) == {"filename"}, parametreler  # plain + RFC 2231
        ad = m.get_filename()  # the ASCII fallback: the whole name, its quote escaped, not a second parameter
        assert ad.startswith('a"; filename=x.html;') and ad.endswith("<b>.pdf"), ad
        yanit.close()
