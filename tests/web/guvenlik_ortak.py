"""Shared pieces of the security tests (tests/web/test_guvenlik_*.py): a small world with a talep in each
state a route can show, clients logged in as each kind of user, and URLs built for any route of the app.

``guvenlik`` (fixture): the small registry of tests/engine/conftest.py with real password hashes, MİGM's user
an administrator; talep A (Ankara: routed to the Valilik, which forwarded it to Sağlık; Sağlık closed its
part with a PDF shared with the muhtar; Çankaya Belediyesi's task open) and talep B (a muhtar of another
muhtarlık, waiting for MİGM).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select, text

from engine.depo import YerelDepo
from engine.models import Ek, HumanTask, Muhtar, Muhtarlik, Talep
from engine.runtime import Motor
from tests.web.conftest import csrf_token
from tests.web.kurum_yardim import KurumOrtami, giris_yap, kurum_ortami_kur, ornek_pdf  # noqa: F401
from tests.web.muhtar_ortak import KOD_RE

AYSE = {"tc": "10000000146", "ad": "Ayşe Yılmaz", "telefon": "+905321234512"}
#: a muhtar of another muhtarlık (Kızılay Mah, same ilçe)
ZEYNEP = {"tc": "10000000696", "ad": "Zeynep Arslan", "telefon": "+905426789067"}


@dataclass
class Dunya:
    ortam: KurumOrtami
    talep: dict[str, int] = field(default_factory=dict)
    numara: dict[str, str] = field(default_factory=dict)
    ek: dict[str, int] = field(default_factory=dict)
    gorev: dict[str, str] = field(default_factory=dict)
    muhtar: dict[str, int] = field(default_factory=dict)

    @property
    def app(self):
        return self.ortam.app

    @property
    def db(self):
        return self.ortam.db

    def kurum(self, kod: str, ip: str = "127.0.0.1"):
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = ip
        yanit = giris_yap(client, kod)
        assert yanit.status_code == 302, yanit.get_data(as_text=True)[:300]
        return client

    def muhtar_istemci(self, kim: dict = AYSE, ip: str = "127.0.0.1"):
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = ip
        muhtar_girisi(client, self.db, kim)
        return client


def muhtar_girisi(client, database, kim: dict = AYSE):
    """Ask for a code, read it from the outbox, enter it; returns the last response (a redirect)."""
    html = client.get("/muhtar/giris").get_data(as_text=True)
    yanit = client.post("/muhtar/giris", data={"csrf_token": csrf_token(html), "tc_kimlik_no": kim["tc"],
                                               "ad_soyad": kim["ad"]})
    assert yanit.status_code == 302, yanit.get_data(as_text=True)[:300]
    with database.session() as s:
        metin = s.scalar(text("SELECT metin FROM mesaj_kutusu WHERE alici = :a AND gizli ORDER BY id DESC LIMIT 1"),
                         {"a": kim["telefon"]})
    kod = KOD_RE.search(metin).group(1)
    html = client.get("/muhtar/giris/onay").get_data(as_text=True)
    yanit = client.post("/muhtar/giris/onay", data={"csrf_token": csrf_token(html), "onay_kodu": kod})
    assert yanit.status_code == 302 and yanit.headers["Location"].endswith("/muhtar/basvuru"), yanit.status_code
    return yanit


def _tamamla(ortam: KurumOrtami, talep_id: int, kod: str, veri: dict) -> None:
    with ortam.db.unit_of_work() as s:
        uuid = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == talep_id, HumanTask.durum == "acik",
                                                           HumanTask.birim_id == ortam.kayit.birim[kod])).one()
        Motor().gorev_tamamla(s, uuid, ortam.kayit.actor(kod), veri)


def dunya_kur(make_app, web_database, **config) -> Dunya:
    config.setdefault("MUHTAR_GIRIS_ASGARI_SN", 0)
    ortam = kurum_ortami_kur(make_app, web_database, **config)
    d = Dunya(ortam)
    k = ortam.kayit
    with ortam.db.unit_of_work() as s:
        akpinar = s.get(Muhtarlik, s.get(Muhtar, k.muhtar_id).muhtarlik_id)
        kizilay = Muhtarlik(ilce_id=akpinar.ilce_id, ad="Kızılay Mah")
        s.add(kizilay)
        s.flush()
        zeynep = Muhtar(muhtarlik_id=kizilay.id, tc_kimlik_no=ZEYNEP["tc"], ad_soyad=ZEYNEP["ad"],
                        telefon=ZEYNEP["telefon"], gorev_baslangic=date(2024, 4, 1))
        s.add(zeynep)
        s.flush()
        d.muhtar = {"A": k.muhtar_id, "B": zeynep.id}
    a = ortam.talep_ac(aciklama="Akpınar talebi: sokak lambaları yanmıyor.")
    with ortam.db.unit_of_work() as s:
        b = Motor().talep_baslat(s, muhtar_id=d.muhtar["B"], tur="istek", aciklama="Kızılay talebi: park istiyoruz.").id
    _tamamla(ortam, a, "MIGM", {
        "karar": "yonlendir", "nihai_cevap": None,
        "valilik_yonlendirmeleri": [{"birim_id": k.birim["VALILIK-06"], "oncelik": "normal", "not": "v"}],
        "belediye_yonlendirmeleri": [{"birim_id": k.birim["BELEDIYE-06-CANKAYA"], "oncelik": "normal", "not": "b"}]})
    _tamamla(ortam, a, "VALILIK-06", {"alt_yonlendirmeler": [{"birim_id": k.birim["SAGLIK-06"], "not": "incele"}]})
    icerik = ornek_pdf() + b"A"
    sha = YerelDepo(ortam.app.config["UPLOAD_DIR"]).yaz(icerik)
    _tamamla(ortam, a, "SAGLIK-06", {
        "islem_notu": "Sağlık tamamladı", "muhtara_acik": True,
        "ekler": [{"sha256": sha, "dosya_adi": "rapor.pdf", "icerik_turu": "application/pdf", "boyut": len(icerik),
                   "muhtar_gorur": True}]})
    with ortam.db.session() as s:
        d.talep = {"A": a, "B": b}
        d.numara = {x: s.get(Talep, i).numara for x, i in d.talep.items()}
        d.ek = {"A": s.scalars(select(Ek.id).where(Ek.talep_id == a)).one()}
    d.gorev = {"A-BELEDIYE": ortam.gorev_uuid(a, "BELEDIYE-06-CANKAYA"), "B-MIGM": ortam.gorev_uuid(b, "MIGM")}
    return d


@pytest.fixture
def dunya(make_app, web_database) -> Dunya:
    return dunya_kur(make_app, web_database)


# --- URLs for any route --------------------------------------------------------------------------------

def ornek_deger(arguman: str, d: Dunya | None) -> str:
    """A value for a route argument: a real object of talep A where the name says what it is."""
    gercek = {}
    if d is not None:
        gercek = {"talep_id": d.talep["A"], "ek_id": d.ek["A"], "task_uuid": d.gorev["A-BELEDIYE"],
                  "anahtar": d.numara["A"], "muhtar_id": d.muhtar["A"], "kullanici_id": 1}
    return str(gercek.get(arguman, 1))


def rota_adresi(kural, d: Dunya | None = None) -> str:
    """A concrete path for a werkzeug Rule (any converter), filled with ``ornek_deger``."""
    from werkzeug.routing import AnyConverter
    degerler = {}
    for arguman in kural.arguments:
        donusturucu = kural._converters.get(arguman)
        if isinstance(donusturucu, AnyConverter):
            degerler[arguman] = sorted(donusturucu.items)[0]
        elif arguman == "filename":
            degerler[arguman] = "css/mbs.css"
        elif arguman == "islem":
            degerler[arguman] = "pasiflestir"
        else:
            degerler[arguman] = ornek_deger(arguman, d)
    yol = kural.rule
    for arguman, deger in degerler.items():
        yol = re.sub(r"<(?:[^:<>]+:)?" + re.escape(arguman) + r"(?:\([^)]*\))?>", deger, yol)
    return yol


def tum_kurallar(app, yontem: str | None = None) -> list:
    kurallar = [k for k in app.url_map.iter_rules() if yontem is None or yontem in k.methods]
    return sorted(kurallar, key=lambda k: (k.rule, k.endpoint))


def tablo_dokumu(database) -> dict[str, list]:
    """Every row of every table (the small test database): to prove a refused request changed nothing."""
    from engine.models import Base
    with database.session() as s:
        return {t.name: sorted(map(repr, s.execute(t.select()).all())) for t in Base.metadata.sorted_tables}
