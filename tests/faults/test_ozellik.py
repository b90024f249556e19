"""Property-based tests (hypothesis): no input to a form or request parser makes a 500.

Generated values mix arbitrary Unicode text (controls, right-to-left marks, non-ASCII digits such as "²" or
"١٢"), huge and negative numbers, and the SQL/template payloads of tests/web/test_guvenlik_enjeksiyon.py. The
parsers are tried on their own (formlib on every form of forms/, the kurum list filter) and through the real
views: the muhtar's login, code check, başvuru and talep pages, the kurum lists and task form, and any GET
route of the app with any query string.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from formlib import DosyaHatasi, FormSonucu, form_yukle, gonderimi_coz
from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import dunya_kur, rota_adresi, tum_kurallar
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401
from tests.web.test_guvenlik_enjeksiyon import YUKLER

pytestmark = pytest.mark.slow

KOK = Path(__file__).resolve().parents[2]
ORNEK = int(os.environ.get("MBS_HYPOTHESIS_ORNEK", "120"))
AYAR = settings(max_examples=ORNEK, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])

RAKAMLAR = "0123456789²³¹١٢٣٤٥٦٧٨٩٠۱۲۳𝟗𝟘⑨"
METIN = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(YUKLER),
    st.integers(min_value=-10 ** 30, max_value=10 ** 30).map(str),
    st.text(alphabet=RAKAMLAR + "-", min_size=1, max_size=24),
    st.sampled_from(["", " ", "0", "-1", "06", "2026-000001", "2026-1", "sikayet", "yonlendir", "kapat",
                     "alt_birim", "uzerine_al", "normal", "acil", "2026-02-30", "9999-12-31", "0001-01-01"]),
)
#: hypothesis examples run in this session (reported with the fault figures)
SAYAC = {"ornek": 0}


def _say():
    SAYAC["ornek"] += 1


# --- parsers alone -------------------------------------------------------------------------------------

FORMLAR = sorted(p.stem for p in (KOK / "forms").glob("*.json"))


class _Baglam:
    """Every id a unit picker might offer is "allowed" (the worst case for the parser); files are refused."""

    def birimleri_dogrula(self, alan, idler):
        return set(idler)

    def dosya_kaydet(self, alan, dosya):
        raise DosyaHatasi("test")


def _alan_adlari(tanim) -> list[str]:
    adlar = []
    for a in tanim.alanlar:
        adlar.append(a.ad)
        adlar += [f"{a.ad}.il", f"{a.ad}.ara"] + [f"{a.ad}.{i}.{alt}" for i in (1, 2, 7) for alt in a.alt_alanlar]
    return adlar + ["_eylem", "csrf_token", "bilinmeyen"]


@pytest.mark.parametrize("anahtar", FORMLAR)
def test_form_cozucu_her_girdiye_dayanir(anahtar):
    tanim = form_yukle(KOK / "forms", anahtar)
    adlar = _alan_adlari(tanim)

    @AYAR
    @given(st.lists(st.tuples(st.sampled_from(adlar), METIN), max_size=12))
    def ozellik(ciftler):
        _say()
        sonuc = gonderimi_coz(tanim, MultiDict(ciftler), MultiDict(), _Baglam())
        assert isinstance(sonuc, FormSonucu)
        assert sonuc.gecerli or sonuc.hatalar or sonuc.genel_hatalar
        assert set(sonuc.veri) <= {a.ad for a in tanim.alanlar}

    ozellik()


@AYAR
@given(st.dictionaries(st.sampled_from(["durum", "tur", "il", "ilce", "baslangic", "bitis", "ara", "sirala", "x"]),
                       METIN, max_size=9))
def test_kurum_filtre_okuyucu_her_girdiye_dayanir(degerler):
    from webapp.kurum.listeler import Filtre, filtre_oku
    _say()
    filtre = filtre_oku(MultiDict(degerler))
    assert isinstance(filtre, Filtre)
    assert filtre.ilce_id is None or 0 <= filtre.ilce_id < 2 ** 63
    assert len(filtre.ara) <= 100


# --- through the views -----------------------------------------------------------------------------------

@pytest.fixture
def dunya(make_app, web_database):
    return dunya_kur(make_app, web_database)


def _durum(yanit) -> int:
    yanit.close()
    return yanit.status_code


def test_muhtar_giris_ve_kod_her_girdiye_dayanir(dunya):
    client = dunya.app.test_client()
    token = csrf_token(client.get("/muhtar/giris").get_data(as_text=True))

    @AYAR
    @given(METIN, METIN, METIN, METIN, METIN)
    def ozellik(tc, ad, sonraki, islem, kod):
        _say()
        yanit = client.post("/muhtar/giris", data={"csrf_token": token, "tc_kimlik_no": tc, "ad_soyad": ad,
                                                   "next": sonraki, "islem": islem})
        assert _durum(yanit) in (200, 302, 400, 422), (tc, ad, yanit.status_code)  # 400: a NUL character
        yanit = client.post("/muhtar/giris/onay", data={"csrf_token": token, "onay_kodu": kod})
        assert _durum(yanit) in (200, 302, 400, 422), (kod, yanit.status_code)

    ozellik()


def test_muhtar_basvuru_ve_talep_sayfalari_her_girdiye_dayanir(dunya):
    client = dunya.muhtar_istemci()
    token = csrf_token(client.get("/muhtar/basvuru").get_data(as_text=True))

    @AYAR
    @given(METIN, st.one_of(METIN, st.text(min_size=10, max_size=60)), METIN, METIN, METIN, METIN)
    def ozellik(tur, aciklama, anahtar, durum, sayfa, talep):
        _say()
        yanit = client.post("/muhtar/basvuru", data={"csrf_token": token, "tur": tur, "aciklama": aciklama,
                                                     "istek_anahtari": anahtar})
        assert _durum(yanit) in (302, 400, 422), (tur, aciklama, anahtar, yanit.status_code)
        assert _durum(client.get("/muhtar/talepler", query_string={"durum": durum, "sayfa": sayfa})) in (200, 400)
        for yol in (f"/muhtar/talepler/{talep}", f"/muhtar/basvuru/tamam/{talep}",
                    f"/muhtar/talepler/{talep}/ekler/{sayfa}"):
            assert _durum(client.get(yol)) in (200, 400, 404, 308), (yol,)

    ozellik()


def test_kurum_listeleri_ve_gorev_formu_her_girdiye_dayanir(dunya):
    client = dunya.kurum("MIGM")
    token = csrf_token(client.get("/kurum/hesap/parola").get_data(as_text=True))
    alanlar = ["karar", "nihai_cevap", "kapatma_onayi", "valilik_yonlendirmeleri", "belediye_yonlendirmeleri",
               "valilik_yonlendirmeleri.il", "valilik_yonlendirmeleri.ara", "_eylem",
               f"valilik_yonlendirmeleri.{dunya.ortam.kayit.birim['VALILIK-06']}.oncelik",
               f"belediye_yonlendirmeleri.{dunya.ortam.kayit.birim['BELEDIYE-06-CANKAYA']}.not"]

    @AYAR
    @given(st.dictionaries(st.sampled_from(["durum", "tur", "il", "ilce", "baslangic", "bitis", "ara", "sirala",
                                            "sonra"]), METIN, max_size=9),
           st.sampled_from(["gelen-kutusu", "gorunumler", "tamamlanan"]),
           st.lists(st.tuples(st.sampled_from(alanlar), METIN), max_size=10))
    def ozellik(parametreler, liste, form):
        _say()
        assert _durum(client.get(f"/kurum/{liste}", query_string=parametreler)) in (200, 400), parametreler
        yanit = client.post(f"/kurum/gorev/{dunya.gorev['B-MIGM']}",
                            data=MultiDict([("csrf_token", token)] + form))
        assert _durum(yanit) in (200, 303, 400, 409, 422), (form, yanit.status_code)

    ozellik()


def test_her_get_rotasi_her_sorgu_dizesine_dayanir(dunya):
    """Any GET route of the app (today's and tomorrow's), any query string, as MİGM and as the muhtar."""
    istemciler = [dunya.kurum("MIGM"), dunya.muhtar_istemci()]
    yollar = [rota_adresi(k, dunya) for k in tum_kurallar(dunya.app, "GET")
              if k.endpoint != "static" and "dogrulama" not in k.endpoint]

    @AYAR
    @given(st.sampled_from(yollar), st.sampled_from([0, 1]),
           st.dictionaries(st.one_of(st.sampled_from(["ara", "durum", "tur", "il", "ilce", "sayfa", "sonra",
                                                      "baslangic", "bitis", "sirala", "mahalle", "ad", "tc",
                                                      "birim", "donem", "next"]),
                                     st.text(min_size=1, max_size=8)), METIN, max_size=8))
    def ozellik(yol, kim, parametreler):
        _say()
        yanit = istemciler[kim].get(yol, query_string=parametreler)
        assert _durum(yanit) < 500, (yol, parametreler, yanit.status_code)

    ozellik()


def test_hipotez_ornek_sayisi():
    """Runs last in this module: the number of generated inputs, for the report."""
    print(f"\nhypothesis: {SAYAC['ornek']} üretilmiş girdi")
    assert SAYAC["ornek"] > 0
