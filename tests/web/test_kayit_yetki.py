"""Who may keep the muhtar registry (issue 9): every /kurum/muhtarlar route against every kind of user.

Ankara's Valilik user with "kayit" keeps Ankara only: İzmir's muhtar, mahalle and import are 404 to it, the
same as missing ones. MİGM (yonetici) keeps every il. Users without the permission, other units and muhtars
get 403; a visitor is sent to the kurum login."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import MuhtarIceAktarim
from tests.web.muhtar_ortak import giris_yap as muhtar_girisi

from .kayit_ortak import (_hizli_hash_yukseltilmez, csv_dosyasi, form_gonder, kayit_ortami_kur, metin,  # noqa: F401
                          ortam, yukle)

#: user -> what each (kind of) route answers
IZINLI = {"MIGM": "hepsi", "VALILIK-06": "kendi_ili"}
YASAK = ["VALILIK-35", "BELEDIYE-06-CANKAYA", "SAGLIK-06", "MEB-06"]


@pytest.fixture
def aktarimlar(ortam):
    """One import by Ankara's Valilik and one by MİGM (every il)."""
    veri = ";".join(["06", "Çankaya", "Balgat Mah", "12345678901", "Ali Veli", "05321112233", "01.04.2029"])
    yukle(ortam.oturum("VALILIK-06"), csv_dosyasi(veri))
    yukle(ortam.oturum("MIGM"), csv_dosyasi(veri))
    with ortam.db.session() as s:
        valilik, migm = s.scalars(select(MuhtarIceAktarim.id).order_by(MuhtarIceAktarim.id)).all()
    return {"valilik": valilik, "migm": migm}


def _get_yollari(o, a) -> dict[str, tuple[str, bool]]:
    """name -> (path, belongs to Ankara)."""
    return {
        "liste": ("/kurum/muhtarlar/", True),
        "muhtarsiz": ("/kurum/muhtarlar/?durum=muhtarsiz", True),
        "muhtar": (f"/kurum/muhtarlar/{o.id['ayse']}", True),
        "muhtar_izmir": (f"/kurum/muhtarlar/{o.id['hasan']}", False),
        "bitir": (f"/kurum/muhtarlar/{o.id['ayse']}/bitir", True),
        "bitir_izmir": (f"/kurum/muhtarlar/{o.id['hasan']}/bitir", False),
        "mahalle": (f"/kurum/muhtarlar/mahalle/{o.id['Balgat Mah']}", True),
        "mahalle_izmir": (f"/kurum/muhtarlar/mahalle/{o.id['Alsancak Mah']}", False),
        "ice_aktar": ("/kurum/muhtarlar/ice-aktar", True),
        "ornek": ("/kurum/muhtarlar/ice-aktar/ornek.csv", True),
        "sonuc": (f"/kurum/muhtarlar/ice-aktar/{a['valilik']}", True),
        "rapor": (f"/kurum/muhtarlar/ice-aktar/{a['valilik']}/hatalar.csv", True),
        "sonuc_migm": (f"/kurum/muhtarlar/ice-aktar/{a['migm']}", False),
        "rapor_migm": (f"/kurum/muhtarlar/ice-aktar/{a['migm']}/hatalar.csv", False),
        "sonuc_yok": ("/kurum/muhtarlar/ice-aktar/999999", None),
        "muhtar_yok": ("/kurum/muhtarlar/999999", None),
    }


def _beklenen(kullanici: str, kendi_ili: bool | None) -> int:
    if kullanici in YASAK:
        return 403
    if kendi_ili is None:
        return 404
    return 200 if IZINLI[kullanici] == "hepsi" or kendi_ili else 404


@pytest.mark.parametrize("kullanici", list(IZINLI) + YASAK)
def test_get_matrisi(ortam, aktarimlar, kullanici):
    client = ortam.oturum(kullanici)
    for ad, (yol, kendi_ili) in _get_yollari(ortam, aktarimlar).items():
        assert client.get(yol).status_code == _beklenen(kullanici, kendi_ili), (kullanici, ad)


@pytest.mark.parametrize("kullanici", list(IZINLI) + YASAK)
def test_post_matrisi(ortam, kullanici):
    """Posts outside the scope change nothing; allowed ones answer with their page (a form error is 422)."""
    client = ortam.oturum(kullanici)
    sayfa = "/kurum/hesap/parola"
    for muhtar, kendi_ili in (("ayse", True), ("hasan", False)):
        beklenen = _beklenen(kullanici, kendi_ili)
        yanit = form_gonder(client, sayfa, f"/kurum/muhtarlar/{ortam.id[muhtar]}/iletisim", {"telefon": "0312 1"})
        assert yanit.status_code == (422 if beklenen == 200 else beklenen), (kullanici, muhtar)
        yanit = form_gonder(client, sayfa, f"/kurum/muhtarlar/{ortam.id[muhtar]}/bitir",
                            {"bitis": "2026-01-01", "neden": "istifa", "onay": "1", "aciklama": ""})
        if beklenen != 200:
            assert yanit.status_code == beklenen, (kullanici, muhtar)
        assert (ortam.muhtar(ortam.id[muhtar]).gorev_bitis is None) == (beklenen != 200)
    for mahalle, kendi_ili in (("Balgat Mah", True), ("Alsancak Mah", False)):
        beklenen = _beklenen(kullanici, kendi_ili)
        yanit = form_gonder(client, sayfa, f"/kurum/muhtarlar/mahalle/{ortam.id[mahalle]}/yeni-donem", {"tc": "1"})
        assert yanit.status_code == (422 if beklenen == 200 else beklenen), (kullanici, mahalle)
    yanit = yukle(client, csv_dosyasi(), takip=False, sayfa=sayfa)
    assert yanit.status_code == (303 if kullanici in IZINLI else 403)


def test_muhtar_kaydi_goremez_ve_degistiremez(ortam):
    muhtar = ortam.client()
    assert muhtar_girisi(muhtar, ortam.db).status_code == 302
    for yol in ("/kurum/muhtarlar/", f"/kurum/muhtarlar/{ortam.id['ayse']}", "/kurum/muhtarlar/ice-aktar",
                f"/kurum/muhtarlar/mahalle/{ortam.id['Akpınar Mah']}"):
        assert muhtar.get(yol).status_code == 403, yol
    token_sayfasi = "/muhtar/basvuru"
    yanit = form_gonder(muhtar, token_sayfasi, f"/kurum/muhtarlar/{ortam.id['ayse']}/iletisim",
                        {"telefon": "05449998877"})
    assert yanit.status_code == 403
    assert ortam.muhtar(ortam.id["ayse"]).telefon == "+905321234512"


def test_oturumsuz_giris_sayfasina(ortam):
    client = ortam.client()
    for yol in ("/kurum/muhtarlar/", f"/kurum/muhtarlar/{ortam.id['ayse']}", "/kurum/muhtarlar/ice-aktar",
                "/kurum/muhtarlar/ice-aktar/1/hatalar.csv"):
        yanit = client.get(yol)
        assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"], yol


def test_menu_baglantisi_yalniz_yetkililere(ortam):
    for kullanici, gorur in (("VALILIK-06", True), ("MIGM", True), ("VALILIK-35", False),
                             ("BELEDIYE-06-CANKAYA", False)):
        html = metin(ortam.oturum(kullanici).get("/kurum/hesap/parola"))
        assert ('href="/kurum/muhtarlar/"' in html) == gorur, kullanici


def test_her_kayit_rotasi_tabloda(ortam):
    """A new registry route must be added to the matrices above."""
    kapsanan = {"/kurum/muhtarlar/", "/kurum/muhtarlar/<int:muhtar_id>", "/kurum/muhtarlar/<int:muhtar_id>/iletisim",
                "/kurum/muhtarlar/<int:muhtar_id>/bitir", "/kurum/muhtarlar/mahalle/<int:muhtarlik_id>",
                "/kurum/muhtarlar/mahalle/<int:muhtarlik_id>/yeni-donem", "/kurum/muhtarlar/ice-aktar",
                "/kurum/muhtarlar/ice-aktar/<int:aktarim_id>", "/kurum/muhtarlar/ice-aktar/<int:aktarim_id>/hatalar.csv",
                "/kurum/muhtarlar/ice-aktar/ornek.csv"}
    rotalar = {r.rule for r in ortam.app.url_map.iter_rules() if r.endpoint.startswith("kayit.")}
    assert rotalar == kapsanan


def test_sayfalarda_satir_ici_betik_ve_stil_yok(ortam, aktarimlar):
    client = ortam.oturum("MIGM")
    for ad, (yol, _) in _get_yollari(ortam, aktarimlar).items():
        yanit = client.get(yol)
        if yanit.mimetype != "text/html" or yanit.status_code != 200:
            continue
        html = metin(yanit)
        assert "style=" not in html and "<style" not in html and "<script" not in html, ad
        assert '<meta name="viewport"' in html
