"""Shared pieces of the muhtar web tests: a small registry, an app on it, and the SMS-code login.

Import the fixtures into a test module with ``from tests.web.muhtar_ortak import kayit, uygulama, istemci``.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.kimlik import tc_kimlik_uret
from engine.models import HumanTask, MesajKutusu, Muhtar, Muhtarlik
from tests.engine.conftest import kayit_olustur
from tests.web.conftest import csrf_token

AYSE_TC, AYSE_AD = "10000000146", "Ayşe Yılmaz"
#: valid checksum, nobody's
YABANCI_TC = tc_kimlik_uret("987654321")
KOD_RE = re.compile(r"onay kodunuz: (\d{6})")
NOTR = "Bilgiler doğrulanabildiyse kayıtlı cep telefonunuza onay kodu gönderilmiştir."


@pytest.fixture
def kayit(web_database):
    """Ankara/İzmir units, the Akpınar muhtarlık with Ayşe Yılmaz in office, the process deployed."""
    return kayit_olustur(web_database)


@pytest.fixture
def uygulama(make_app, kayit):
    """The app on the registry, without the "Onay Kodu Gönder" minimum answer time (tests need speed)."""
    return make_app(MUHTAR_GIRIS_ASGARI_SN=0)


@pytest.fixture
def istemci(uygulama):
    return uygulama.test_client()


def muhtar_ekle(database, *, muhtarlik_id=None, tc=None, ad="Mehmet Demir", telefon="+905332345623",
                baslangic=date(2024, 4, 1), bitis=None, yeni_muhtarlik=None) -> int:
    """Add a muhtar (to a new muhtarlık named ``yeni_muhtarlik`` in Akpınar's ilçe if given); return the id."""
    with database.unit_of_work() as s:
        if yeni_muhtarlik:
            akpinar = s.scalars(select(Muhtarlik).where(Muhtarlik.ad == "Akpınar Mah")).one()
            mahalle = Muhtarlik(ilce_id=akpinar.ilce_id, ad=yeni_muhtarlik)
            s.add(mahalle)
            s.flush()
            muhtarlik_id = mahalle.id
        m = Muhtar(muhtarlik_id=muhtarlik_id, tc_kimlik_no=tc or tc_kimlik_uret("200000001"), ad_soyad=ad,
                   telefon=telefon, gorev_baslangic=baslangic, gorev_bitis=bitis)
        s.add(m)
        s.flush()
        return m.id


def kod_iste(istemci, tc=AYSE_TC, ad=AYSE_AD, ip="127.0.0.1", **ek):
    """GET the login page and post "Onay Kodu Gönder" from ``ip``; returns the POST's response."""
    ortam = {"REMOTE_ADDR": ip}
    sayfa = istemci.get("/muhtar/giris", environ_base=ortam)
    veri = {"csrf_token": csrf_token(sayfa.get_data(as_text=True)), "tc_kimlik_no": tc, "ad_soyad": ad}
    veri.update(ek)
    return istemci.post("/muhtar/giris", data=veri, environ_base=ortam)


def son_kod(database, telefon="+905321234512") -> str | None:
    """The code in the latest SMS to ``telefon`` (from the outbox, as `flask sms listele` shows it)."""
    with database.session() as s:
        metin = s.scalars(select(MesajKutusu.metin).where(MesajKutusu.alici == telefon, MesajKutusu.gizli.is_(True))
                          .order_by(MesajKutusu.id.desc())).first()
    eslesme = KOD_RE.search(metin or "")
    return eslesme.group(1) if eslesme else None


def sms_sayisi(database) -> int:
    with database.session() as s:
        return len(s.scalars(select(MesajKutusu.id).where(MesajKutusu.gizli.is_(True))).all())


def kod_gir(istemci, kod, ip="127.0.0.1"):
    """Post "Sisteme Giriş" with ``kod`` (the CSRF token from the onay page, or the login page if gone)."""
    ortam = {"REMOTE_ADDR": ip}
    sayfa = istemci.get("/muhtar/giris/onay", environ_base=ortam, follow_redirects=True)
    token = csrf_token(sayfa.get_data(as_text=True))
    return istemci.post("/muhtar/giris/onay", data={"csrf_token": token, "onay_kodu": kod}, environ_base=ortam)


def giris_yap(istemci, database, tc=AYSE_TC, ad=AYSE_AD, telefon="+905321234512"):
    """The whole login: ask for a code, read it from the outbox, enter it. Returns the last response."""
    yanit = kod_iste(istemci, tc, ad)
    assert yanit.status_code == 302, yanit.get_data(as_text=True)
    kod = son_kod(database, telefon)
    assert kod, "SMS kutusunda onay kodu yok"
    return kod_gir(istemci, kod)


def basvur(istemci, tur="sikayet", aciklama="Mahallemizin ana caddesindeki sokak lambaları yanmıyor.",
           anahtar=None):
    """Post the başvuru form (with a fresh hidden token unless ``anahtar`` is given)."""
    html = istemci.get("/muhtar/basvuru").get_data(as_text=True)
    if anahtar is None:
        anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    return istemci.post("/muhtar/basvuru", data={"csrf_token": csrf_token(html), "tur": tur, "aciklama": aciklama,
                                                 "istek_anahtari": anahtar})


def acik_gorev(database, talep_id: int, bpmn_id: str) -> str:
    with database.session() as s:
        return s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == talep_id,
                                                           HumanTask.bpmn_id == bpmn_id,
                                                           HumanTask.durum == "acik")).first()
