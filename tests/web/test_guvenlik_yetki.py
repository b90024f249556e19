"""Who may open what: every route of the app is classified here, and each class is tried.

``ROTALAR`` names every endpoint of ``app.url_map`` with who may use it and, for routes that show one object
(a talep, a task, an attachment, a muhtar record, an import report...), which kind of object. A route that is
not in the table fails ``test_her_rota_siniflandirilmis`` until someone decides what it is: a new route can
not slip in unchecked. Then, for every route:

* anonymously, a protected GET goes to the right login page (kurum or muhtar);
* a muhtar's session gets 403 on kurum routes, a kurum session 403 on the muhtar's;
* routes for some roles only (administrators, the registry, reports, process analysts) give 403 to others;
* routes that show an object give 404 to a user of another unit / another muhtarlık (as to a missing one).

The full role × route × foreign-object matrix of the kurum screens (8 units, 2 provinces, lists included) is
``tests/web/test_kurum_yetki.py::test_matris``; the registry's is ``tests/web/test_kayit_yetki.py``; the
reports' scope is tested with the reports (``tests/web/test_raporlar.py``).
"""
from __future__ import annotations

import pytest

from tests.web.conftest import csrf_token
from tests.web.guvenlik_ortak import ZEYNEP, dunya, rota_adresi, tum_kurallar  # noqa: F401
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401

# who: "herkes" (no login), "giris" (login steps), "kurum" (any kurum user), "muhtar", "yonetici" (MİGM
# administrators), "kayit" (registry keepers: MİGM here), "rapor" (report readers: not sub-units),
# "analist" (process analysts: nobody in this world). nesne: what one object the route shows, if any.
ROTALAR: dict[str, tuple[str, str | None]] = {
    "static": ("herkes", None),
    "public.anasayfa": ("herkes", None),
    "public.saglik": ("herkes", None),
    "kurum.giris": ("giris", None),
    "kurum.dogrulama": ("giris", None),
    "kurum.cikis": ("giris", None),
    "muhtar.giris_sayfasi": ("giris", None),
    "muhtar.onay_kodu_gonder": ("giris", None),
    "muhtar.onay_sayfasi": ("giris", None),
    "muhtar.sisteme_giris": ("giris", None),
    "muhtar.dogrulama_resmi": ("giris", None),
    "muhtar.dogrulama_sesi": ("giris", None),
    "muhtar.cikis": ("giris", None),
    # kurum: lists are scoped by unit (test_kurum_yetki.test_matris checks what each list shows)
    "kurum.anasayfa": ("kurum", None),
    "kurum.gelen_kutusu": ("kurum", None),
    "kurum.gorunumler": ("kurum", None),
    "kurum.tamamlanan": ("kurum", None),
    "kurum.parola": ("kurum", None),
    "kurum.iki_asamali": ("kurum", None),
    "kurum.talep": ("kurum", "talep"),
    "kurum.ek_indir": ("kurum", "ek"),
    "kurum.gorev_gonder": ("kurum", "gorev"),
    "kurum.kullanicilar": ("yonetici", None),
    "kurum.kullanici_olustur_view": ("yonetici", None),
    "kurum.kullanici_islem": ("yonetici", "kullanici"),
    # the muhtar: everything scoped by muhtarlık
    "muhtar.anasayfa": ("muhtar", None),
    "muhtar.basvuru": ("muhtar", None),
    "muhtar.basvuru_gonder": ("muhtar", None),
    "muhtar.basvuru_tamam": ("muhtar", "muhtar-talep"),
    "muhtar.talep_listesi": ("muhtar", None),
    "muhtar.talep_detayi": ("muhtar", "muhtar-talep"),
    "muhtar.ek_indir": ("muhtar", "muhtar-ek"),
    # the muhtar registry (scope by unit: tests/web/test_kayit_yetki.py)
    "kayit.liste": ("kayit", None),
    "kayit.muhtar": ("kayit", "muhtar-kaydi"),
    "kayit.iletisim": ("kayit", "muhtar-kaydi"),
    "kayit.bitir_onay": ("kayit", "muhtar-kaydi"),
    "kayit.bitir": ("kayit", "muhtar-kaydi"),
    "kayit.mahalle": ("kayit", "muhtarlik"),
    "kayit.yeni_donem_view": ("kayit", "muhtarlik"),
    "kayit.ice_aktar_formu": ("kayit", None),
    "kayit.ice_aktar_gonder": ("kayit", None),
    "kayit.ice_aktar_sonuc": ("kayit", "ice-aktarim"),
    "kayit.hata_raporu": ("kayit", "ice-aktarim"),
    "kayit.ornek": ("kayit", None),
    # reports (scope by unit: tests/web/test_raporlar.py)
    "raporlar.pano": ("rapor", None),
    "raporlar.talepler": ("rapor", None),
    "raporlar.talepler_indir": ("rapor", None),
    "raporlar.tablo_indir": ("rapor", "rapor-tablosu"),
    # process versions (tests/web/test_surecler.py); the diagram is the process's, shown on every talep page
    "surecler.liste": ("analist", None),
    "surecler.surum": ("analist", "surum"),
    "surecler.dosya": ("analist", "surum"),
    "surecler.diyagram_xml": ("kurum", None),
    "surecler.duzenle": ("analist", None),
    "surecler.duzenle_dogrula": ("analist", None),
    "surecler.duzenle_yukle": ("analist", None),
    "surecler.yukle": ("analist", None),
    "surecler.guncel_yap": ("analist", "surum"),
    "surecler.tasi": ("analist", "surum"),
}

#: who of this world may use each restricted class (user codes; every other kurum user gets 403)
IZINLI = {"yonetici": {"MIGM"}, "kayit": {"MIGM"}, "rapor": {"MIGM", "VALILIK-06", "BELEDIYE-06-CANKAYA"},
          "analist": set()}
KURUM_KULLANICILARI = ["MIGM", "VALILIK-06", "BELEDIYE-06-CANKAYA", "SAGLIK-06"]


def test_her_rota_siniflandirilmis(dunya):
    bilinmeyen = sorted({k.endpoint for k in tum_kurallar(dunya.app)} - set(ROTALAR))
    assert not bilinmeyen, ("Yeni rota(lar) yetki tablosunda yok; tests/web/test_guvenlik_yetki.py ROTALAR'a "
                            f"kimin açabileceğini ve gösterdiği nesneyi yazın: {bilinmeyen}")


def _get_kurallari(app):
    return [k for k in tum_kurallar(app, "GET") if k.endpoint in ROTALAR]


def test_oturumsuz_giris_sayfasina_yonlenir(dunya):
    client = dunya.app.test_client()
    for kural in _get_kurallari(dunya.app):
        kim, _ = ROTALAR[kural.endpoint]
        if kim in ("herkes", "giris"):
            continue
        yanit = client.get(rota_adresi(kural, dunya))
        beklenen = "/muhtar/giris" if kim == "muhtar" else "/kurum/giris"
        assert yanit.status_code == 302 and beklenen in yanit.headers["Location"], (kural.rule, yanit.status_code)


def test_muhtar_kurum_sayfalarini_kurum_muhtar_sayfalarini_acamaz(dunya):
    muhtar, kurum = dunya.muhtar_istemci(), dunya.kurum("MIGM")
    for kural in _get_kurallari(dunya.app):
        kim, _ = ROTALAR[kural.endpoint]
        yol = rota_adresi(kural, dunya)
        if kim == "muhtar":
            assert kurum.get(yol).status_code == 403, kural.rule
        elif kim not in ("herkes", "giris"):
            assert muhtar.get(yol).status_code == 403, kural.rule


def test_yetkili_olmayan_birim_403(dunya):
    """Administrator, registry, report and analyst pages: other kurum users get 403."""
    istemciler = {kod: dunya.kurum(kod) for kod in KURUM_KULLANICILARI}
    sayi = 0
    for kural in _get_kurallari(dunya.app):
        kim, _ = ROTALAR[kural.endpoint]
        if kim not in IZINLI:
            continue
        for kod, client in istemciler.items():
            durum = client.get(rota_adresi(kural, dunya)).status_code
            if kod in IZINLI[kim]:
                assert durum in (200, 404), (kural.rule, kod, durum)  # 404: this world has no such object
            else:
                assert durum == 403, (kural.rule, kod, durum)
            sayi += 1
    assert sayi >= 20


#: an object route of talep A/its muhtarlık opened by someone outside it: (who, method)
YABANCI = {
    "talep": [("kurum", "VALILIK-35"), ("kurum", "BELEDIYE-35-KONAK"), ("kurum", "SAGLIK-35")],
    "ek": [("kurum", "VALILIK-35"), ("kurum", "BELEDIYE-06-CANKAYA"), ("kurum", "MEB-06")],
    "gorev": [("kurum", "VALILIK-06"), ("kurum", "MIGM"), ("kurum", "BELEDIYE-35-KONAK")],
    "muhtar-talep": [("muhtar", "ZEYNEP")],
    "muhtar-ek": [("muhtar", "ZEYNEP")],
}
#: object kinds whose foreign-object matrix lives with their feature (see the module docstring)
BASKA_YERDE = {"kullanici", "muhtar-kaydi", "muhtarlik", "ice-aktarim", "rapor-tablosu", "surum"}


def test_nesne_gosteren_rotalar_yabanci_nesneyi_404(dunya):
    """Talep A is Ankara's and Akpınar's: İzmir's units, a Belediye for a sub-unit's file, another unit for the
    Belediye's task, and the muhtar of Kızılay Mah get 404 — the same as for an object that does not exist."""
    nesneli = [k for k in tum_kurallar(dunya.app) if k.endpoint in ROTALAR and ROTALAR[k.endpoint][1]]
    denenen = set()
    for kural in nesneli:
        nesne = ROTALAR[kural.endpoint][1]
        if nesne in BASKA_YERDE:
            continue
        assert nesne in YABANCI, f"{kural.rule}: '{nesne}' için yabancı nesne denemesi tanımlı değil"
        yol = rota_adresi(kural, dunya)
        for tur, kim in YABANCI[nesne]:
            client = dunya.muhtar_istemci(ZEYNEP) if tur == "muhtar" else dunya.kurum(kim)
            if "GET" in kural.methods:
                yanit = client.get(yol)
            else:
                token = csrf_token(client.get("/kurum/hesap/parola").get_data(as_text=True))
                yanit = client.post(yol, data={"csrf_token": token, "islem_notu": "yabancı görev"})
            assert yanit.status_code == 404, (kural.rule, kim, yanit.status_code)
            denenen.add(kural.endpoint)
    assert {"kurum.talep", "kurum.ek_indir", "kurum.gorev_gonder", "muhtar.talep_detayi", "muhtar.ek_indir",
            "muhtar.basvuru_tamam"} <= denenen
    # and their own muhtar / units do see them (the 404s are not just broken URLs)
    ayse = dunya.muhtar_istemci()
    for yol in (f"/muhtar/talepler/{dunya.numara['A']}", f"/muhtar/basvuru/tamam/{dunya.numara['A']}",
                f"/muhtar/talepler/{dunya.numara['A']}/ekler/{dunya.ek['A']}"):
        assert ayse.get(yol).status_code == 200, yol
    for yol in (f"/muhtar/talepler/{dunya.numara['B']}", f"/muhtar/talepler/{dunya.talep['B']}",
                f"/muhtar/basvuru/tamam/{dunya.numara['B']}",
                f"/muhtar/talepler/{dunya.numara['B']}/ekler/{dunya.ek['A']}"):
        assert ayse.get(yol).status_code == 404, yol


@pytest.mark.parametrize("yol", ["/kurum/talep/{a}", "/kurum/ek/{e}"])
def test_id_tahmini_bir_sey_sizdirmaz(dunya, yol):
    """Walking ids: a foreign object, a missing one and a huge one all answer the same 404 page."""
    client = dunya.kurum("VALILIK-35")
    sayfalar = set()
    for deger in (dunya.talep["A"], dunya.ek["A"], 999999, 2 ** 31, 2 ** 63 + 5, 10 ** 30):
        yanit = client.get(yol.format(a=deger, e=deger))
        assert yanit.status_code == 404, (deger, yanit.status_code)
        sayfalar.add(yanit.get_data(as_text=True))
    assert len(sayfalar) == 1
