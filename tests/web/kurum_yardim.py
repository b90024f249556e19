"""Fixtures and helpers of the kurum web tests: a small registry (tests/engine/conftest.py) with real
argon2 password hashes and e-mail addresses, talepler filed through the engine, logging in through the page.

Import what a test module needs: ``from tests.web.kurum_yardim import kurum, giris_yap, ...``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from engine.models import HumanTask, Kullanici, Muhtar
from engine.runtime import Motor
from tests.engine.conftest import Kayit, kayit_olustur

from .conftest import csrf_token

PAROLA = "demo1234"


#: argon2id with small parameters: a real hash that verifies in milliseconds (production's take ~0.5 s here)
HIZLI_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@lru_cache(maxsize=1)
def parola_hash() -> str:
    """One argon2id hash for every test user (same password)."""
    return HIZLI_HASHER.hash(PAROLA)


def kullanici_adi(kod: str) -> str:
    return kod.lower()


@dataclass
class KurumOrtami:
    """The app on a small registry: ``kayit.birim[kod]`` ids, users named ``kod.lower()``."""
    app: object
    db: object
    kayit: Kayit

    def client(self):
        return self.app.test_client()

    def talep_ac(self, aciklama="Mahallemizin ana caddesindeki sokak lambaları yanmıyor.", tur="sikayet") -> int:
        with self.db.unit_of_work() as s:
            return Motor().talep_baslat(s, muhtar_id=self.kayit.muhtar_id, tur=tur, aciklama=aciklama).id

    def gorev_uuid(self, talep_id: int, kod: str) -> str:
        with self.db.session() as s:
            return s.scalars(select(HumanTask.task_uuid).where(
                HumanTask.talep_id == talep_id, HumanTask.birim_id == self.kayit.birim[kod],
                HumanTask.durum == "acik")).one()

    def acik_gorevler(self, talep_id: int) -> list[tuple[str, str]]:
        kodlar = {v: k for k, v in self.kayit.birim.items()}
        with self.db.session() as s:
            return sorted((r.bpmn_id, kodlar[r.birim_id]) for r in s.scalars(select(HumanTask).where(
                HumanTask.talep_id == talep_id, HumanTask.durum == "acik")))


def kurum_ortami_kur(make_app, web_database, **config) -> KurumOrtami:
    kayit = kayit_olustur(web_database)
    with web_database.unit_of_work() as s:
        s.execute(update(Kullanici).values(parola_hash=parola_hash()))
        for k in s.scalars(select(Kullanici)):
            k.eposta = f"{k.kullanici_adi}@kurum.example.gov.tr"
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "migm").values(yetkiler="yonetici"))
        s.execute(update(Muhtar).values(eposta="akpinar.muhtarligi@muhtar.example.gov.tr"))
    config.setdefault("MESAJ_TESLIM", "kapali")
    return KurumOrtami(make_app(**config), web_database, kayit)


@pytest.fixture(autouse=True)
def _hizli_hash_yukseltilmez(monkeypatch):
    """The small test hashes would be re-hashed with production parameters at every login (slow); the
    upgrade itself is tested on its own in test_kurum_giris.py."""
    from webapp.kurum import hesap
    monkeypatch.setattr(hesap, "yeniden_hashlenmeli", lambda _hash: False)


@pytest.fixture
def kurum(make_app, web_database) -> KurumOrtami:
    return kurum_ortami_kur(make_app, web_database)


def giris_yap(client, kod_veya_ad: str, parola: str = PAROLA, takip=False):
    """Log in through the login page; returns the POST's response."""
    sayfa = client.get("/kurum/giris").get_data(as_text=True)
    return client.post("/kurum/giris", data={"csrf_token": csrf_token(sayfa), "kullanici_adi": kullanici_adi(kod_veya_ad),
                                             "parola": parola}, follow_redirects=takip)


def oturumlu(ortam: KurumOrtami, kod: str):
    client = ortam.client()
    yanit = giris_yap(client, kod)
    assert yanit.status_code == 302, yanit.get_data(as_text=True)[:500]
    return client


def form_csrf(html: str) -> str:
    return csrf_token(html)


def metin(yanit) -> str:
    return yanit.get_data(as_text=True)


def bildirimler(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<p class="bildirim[^"]*"[^>]*>(.*?)</p>', html, re.S)]


# --- form posts ----------------------------------------------------------------------------------------

def talep_sayfasi(client, talep_id: int):
    return client.get(f"/kurum/talep/{talep_id}")


def gorev_gonder(ortam: KurumOrtami, client, talep_id: int, kod: str, veri: dict, takip=True):
    """Post the task form of unit ``kod`` on the talep, with the CSRF token of the talep page."""
    html = metin(talep_sayfasi(client, talep_id))
    uuid = ortam.gorev_uuid(talep_id, kod)
    return gorev_gonder_uuid(client, uuid, html, veri, takip)


def gorev_gonder_uuid(client, uuid: str, html: str, veri: dict, takip=True):
    return client.post(f"/kurum/gorev/{uuid}", data={"csrf_token": csrf_token(html), **veri},
                       follow_redirects=takip)


def yonlendirme_verisi(ortam: KurumOrtami, valilikler=(), belediyeler=(), oncelik="normal") -> dict:
    veri: dict = {"karar": "yonlendir", "valilik_yonlendirmeleri": [], "belediye_yonlendirmeleri": []}
    for alan, kodlar in (("valilik_yonlendirmeleri", valilikler), ("belediye_yonlendirmeleri", belediyeler)):
        for kod in kodlar:
            birim_id = ortam.kayit.birim[kod]
            veri[alan].append(str(birim_id))
            veri[f"{alan}.{birim_id}.oncelik"] = oncelik
            veri[f"{alan}.{birim_id}.not"] = f"{kod} için MİGM notu"
    return veri


def alt_yonlendirme_verisi(ortam: KurumOrtami, kodlar) -> dict:
    veri: dict = {"islem": "alt_birim", "alt_yonlendirmeler": []}
    for kod in kodlar:
        birim_id = ortam.kayit.birim[kod]
        veri["alt_yonlendirmeler"].append(str(birim_id))
        veri[f"alt_yonlendirmeler.{birim_id}.not"] = f"{kod} incelesin"
    return veri


# --- sample files: the smallest bytes each format accepts -------------------------------------------------

def ornek_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ornek_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ornek_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _zip(girdiler: dict[str, bytes], ilk: str | None = None) -> bytes:
    import io
    import zipfile
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        if ilk:
            z.writestr(zipfile.ZipInfo(ilk), girdiler[ilk])
        for ad, veri in girdiler.items():
            if ad != ilk:
                z.writestr(ad, veri)
    return tampon.getvalue()


def ornek_docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def ornek_xlsx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def ornek_odt() -> bytes:
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
                ilk="mimetype")


def dosya(veri: bytes, ad: str, tur: str = "application/octet-stream"):
    import io
    return (io.BytesIO(veri), ad, tur)


# --- a local SMTP server --------------------------------------------------------------------------------

class SmtpKutusu:
    """aiosmtpd on 127.0.0.1 that keeps every accepted message."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.iletiler: list = []
        import socket
        with socket.socket() as sok:
            sok.bind(("127.0.0.1", 0))
            port = sok.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.port = port

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy
        ileti = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.iletiler.append((tuple(envelope.rcpt_tos), ileti["Subject"], ileti.get_content()))
        return "250 OK"

    def alicilar(self) -> list[str]:
        return sorted(a for rcpt, _konu, _metin in self.iletiler for a in rcpt)

    def kapat(self):
        self.controller.stop()


@pytest.fixture
def smtp():
    kutu = SmtpKutusu()
    yield kutu
    kutu.kapat()


def smtp_ayarlari(smtp: SmtpKutusu) -> dict:
    return {"MESAJ_TESLIM": "senkron", "EPOSTA_BACKEND": "smtp", "EPOSTA_SMTP_HOST": "127.0.0.1",
            "EPOSTA_SMTP_PORT": smtp.port, "EPOSTA_GONDEREN": "Muhtar Bilgi Sistemi <mbs@example.gov.tr>",
            "MESAJ_GERI_CEKILME_SN": 0}
