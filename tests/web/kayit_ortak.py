"""Shared pieces of the muhtar registry web tests (issue 9): the kurum test registry with a few more
mahalleler, Ankara's Valilik user holding the "kayit" permission, and helpers to post the registry's forms.

Import into a test module: ``from tests.web.kayit_ortak import kayit_ortami, _hizli_hash_yukseltilmez, ...``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select, update

from engine.kimlik import tc_kimlik_uret
from engine.models import Ilce, Kullanici, Muhtar, Muhtarlik
from tests.web.kurum_yardim import (_hizli_hash_yukseltilmez, KurumOrtami, kurum_ortami_kur,  # noqa: F401
                                    metin, oturumlu)

from .conftest import csrf_token

BASLIK = "il;ilçe;mahalle;TC Kimlik No;ad soyad;telefon;görev başlangıcı"
AYSE_TELEFON = "+905321234512"
HASAN_TC = tc_kimlik_uret("100000005")


@dataclass
class KayitOrtami:
    """The kurum test world plus: ``id["ayse"]``, ``id["hasan"]`` (İzmir), muhtarlık ids by name."""
    kurum: KurumOrtami
    id: dict[str, int]

    @property
    def app(self):
        return self.kurum.app

    @property
    def db(self):
        return self.kurum.db

    def client(self):
        return self.kurum.client()

    def oturum(self, kod: str):
        """A client logged in as the user of unit ``kod`` ("VALILIK-06", "MIGM"...)."""
        return oturumlu(self.kurum, kod)

    def muhtar(self, muhtar_id: int) -> Muhtar:
        with self.db.session() as s:
            return s.get(Muhtar, muhtar_id)


def kayit_ortami_kur(make_app, web_database) -> KayitOrtami:
    """VALILIK-06 keeps Ankara's registry ("kayit"); VALILIK-35 has no registry permission; MİGM is "yonetici".
    Çankaya gets Bahçelievler and Balgat (no muhtar), İzmir gets Konak / Alsancak with Hasan Öztürk."""
    kurum = kurum_ortami_kur(make_app, web_database, MUHTAR_GIRIS_ASGARI_SN=0)
    with web_database.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "valilik-06").values(yetkiler="kayit"))
        akpinar = s.scalars(select(Muhtarlik).where(Muhtarlik.ad == "Akpınar Mah")).one()
        konak = Ilce(il_kod="35", ad="Konak")
        s.add(konak)
        s.flush()
        mahalleler = {ad: Muhtarlik(ilce_id=akpinar.ilce_id, ad=ad) for ad in ("Bahçelievler Mah", "Balgat Mah")}
        mahalleler["Alsancak Mah"] = Muhtarlik(ilce_id=konak.id, ad="Alsancak Mah")
        s.add_all(mahalleler.values())
        s.flush()
        hasan = Muhtar(muhtarlik_id=mahalleler["Alsancak Mah"].id, tc_kimlik_no=HASAN_TC, ad_soyad="Hasan Öztürk",
                       telefon="+905365678956", gorev_baslangic=date(2024, 4, 1))
        s.add(hasan)
        s.flush()
        ids = {ad: m.id for ad, m in mahalleler.items()}
        ids.update({"Akpınar Mah": akpinar.id, "ayse": kurum.kayit.muhtar_id, "hasan": hasan.id})
    return KayitOrtami(kurum, ids)


@pytest.fixture
def ortam(make_app, web_database) -> KayitOrtami:
    return kayit_ortami_kur(make_app, web_database)


def form_gonder(client, sayfa: str, hedef: str, veri: dict, **kw):
    """GET ``sayfa`` for its CSRF token, then POST ``veri`` to ``hedef``."""
    token = csrf_token(metin(client.get(sayfa)))
    return client.post(hedef, data={"csrf_token": token, **veri}, **kw)


def csv_dosyasi(*satirlar: str, baslik: str = BASLIK, ad: str = "secim.csv"):
    icerik = ("\ufeff" + "\r\n".join((baslik, *satirlar)) + "\r\n").encode("utf-8")
    return (io.BytesIO(icerik), ad, "text/csv")


def yukle(client, dosya, yalniz_hatasiz: bool = False, takip: bool = True, sayfa="/kurum/muhtarlar/ice-aktar"):
    """Upload a CSV on the import page (as the form does; the CSRF token from ``sayfa``)."""
    veri = {"dosya": dosya}
    if yalniz_hatasiz:
        veri["yalniz_hatasiz"] = "1"
    return form_gonder(client, sayfa, "/kurum/muhtarlar/ice-aktar", veri,
                       content_type="multipart/form-data", follow_redirects=takip)
