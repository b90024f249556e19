"""Accessibility in a real browser: axe-core on every main page (no serious or critical violation), and the
muhtar's login and başvuru done with the keyboard alone (Tab, typing, Enter; the focus always visible).

axe-core is the npm package's own file (tests/e2e/vendor/), served by the test on the app's origin.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import Talep
from tests.canli import son_onay_kodu
from tests.e2e.conftest import axe_calistir, dogrulama_cevabi
from tests.e2e.test_sekil1 import kurum_giris, muhtar_giris

pytestmark = pytest.mark.e2e

FATMA = {"tc": "10000000382", "ad": "Fatma Kaya", "telefon": "+905443456734"}
MEHMET = {"tc": "10000000214", "ad": "Mehmet Demir", "telefon": "+905332345623"}


def _denetle(sayfa, ekran, ad: str, sonuclar: dict) -> None:
    ekran.cek(sayfa, ad)
    sonuclar[ad] = axe_calistir(sayfa)


def _rapor(sonuclar: dict) -> str:
    return "\n".join(f"{sayfa}: {v['impact']} {v['id']} ({v['help']}) {v['hedefler']}"
                     for sayfa, ihlaller in sonuclar.items() for v in ihlaller)


def test_ana_sayfalarda_ciddi_erisilebilirlik_ihlali_yok(baglam_ac, vt, ekran):
    sonuclar: dict[str, list] = {}
    muhtar_baglami = baglam_ac(telefon=True)
    muhtar = muhtar_baglami.new_page()
    muhtar.goto("/")
    _denetle(muhtar, ekran, "anasayfa", sonuclar)
    muhtar.goto("/muhtar/giris")
    _denetle(muhtar, ekran, "muhtar-giris", sonuclar)
    # the login form with its error messages
    muhtar.get_by_label("TC Kimlik Numarası").fill("12345678901")
    muhtar.get_by_role("button", name="Onay Kodu Gönder").click()
    muhtar.locator(".alan-hatasi").first.wait_for()
    _denetle(muhtar, ekran, "muhtar-giris-hatali", sonuclar)
    muhtar_giris(muhtar_baglami, muhtar, ekran, vt, FATMA)
    muhtar.wait_for_url("**/muhtar/basvuru")
    _denetle(muhtar, ekran, "basvuru", sonuclar)
    muhtar.get_by_role("button", name="Gönder").click()  # browser validation stops it: nothing chosen
    muhtar.get_by_label("İstek").check()
    muhtar.get_by_label("Açıklama").fill("Ayrancı parkındaki oyun grubunun kaydırağı kırık, onarılmasını rica ederiz.")
    muhtar.get_by_role("button", name="Gönder").click()
    muhtar.wait_for_url("**/muhtar/basvuru/tamam/**")
    numara = muhtar.locator(".talep-numarasi").inner_text().strip()
    _denetle(muhtar, ekran, "basvuru-tamam", sonuclar)
    for durum in ("bekleyen", "yonlendirilen", "sonuclanan"):
        muhtar.goto(f"/muhtar/talepler?durum={durum}")
        _denetle(muhtar, ekran, f"talepler-{durum}", sonuclar)
    muhtar.goto(f"/muhtar/talepler/{numara}")
    _denetle(muhtar, ekran, "muhtar-talep", sonuclar)
    muhtar.goto("/bulunmayan-sayfa")
    _denetle(muhtar, ekran, "hata-404", sonuclar)

    kurum_baglami = baglam_ac()
    kurum = kurum_baglami.new_page()
    kurum.goto("/kurum/giris")
    _denetle(kurum, ekran, "kurum-giris", sonuclar)
    kurum.close()
    migm = kurum_giris(kurum_baglami, ekran, "migm")
    _denetle(migm, ekran, "gelen-kutusu", sonuclar)
    for liste in ("gorunumler", "tamamlanan"):
        migm.goto(f"/kurum/{liste}?il=06")
        _denetle(migm, ekran, liste, sonuclar)
    with vt.session() as s:
        talep_id = s.scalars(select(Talep.id).where(Talep.numara == numara)).one()
    migm.goto(f"/kurum/talep/{talep_id}")
    assert migm.get_by_role("button", name="SEÇİLEN BİRİMLERE YÖNLENDİR").is_visible()
    _denetle(migm, ekran, "talep-yonlendir-formu", sonuclar)
    # the same form shown again with its errors
    migm.get_by_role("button", name="SEÇİLEN BİRİMLERE YÖNLENDİR").click()
    migm.locator(".bildirim.hata").first.wait_for()
    _denetle(migm, ekran, "talep-formu-hatali", sonuclar)
    migm.goto("/kurum/hesap/parola")
    _denetle(migm, ekran, "parola", sonuclar)
    migm.goto("/kurum/yonetim/kullanicilar")
    _denetle(migm, ekran, "yonetim", sonuclar)

    assert len(sonuclar) >= 18
    assert not any(sonuclar.values()), "ciddi/kritik erişilebilirlik ihlalleri:\n" + _rapor(sonuclar)


def _odak(sayfa) -> dict:
    """What has the focus, and whether it is visibly marked (:focus-visible with an outline)."""
    return sayfa.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        return {etiket: e.tagName.toLowerCase(), id: e.id, ad: e.getAttribute('name'), tur: e.type || '',
                metin: (e.innerText || e.value || '').trim().slice(0, 40),
                gorunur: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
    }""")


def _tab_ile(sayfa, kosul, en_cok: int = 25) -> dict:
    """Press Tab until the focused element satisfies ``kosul``; every stop on the way must show its focus."""
    for _ in range(en_cok):
        sayfa.keyboard.press("Tab")
        odak = _odak(sayfa)
        assert odak["gorunur"] or odak["etiket"] == "body", f"odak görünmüyor: {odak}"
        if kosul(odak):
            return odak
    raise AssertionError(f"{en_cok} Tab içinde aranan öğeye ulaşılamadı; son odak: {odak}")


def test_klavyeyle_giris_ve_basvuru(baglam_ac, vt, ekran):
    baglam = baglam_ac(telefon=True)
    sayfa = baglam.new_page()
    sayfa.goto("/")
    # the first Tab reaches the skip link, Enter on it moves to the content
    sayfa.keyboard.press("Tab")
    assert _odak(sayfa)["metin"] == "İçeriğe geç" and _odak(sayfa)["gorunur"]
    odak = _tab_ile(sayfa, lambda o: o["metin"].startswith("BAŞVURU"))
    ekran.cek(sayfa, "odak-basvuru-dugmesi")
    sayfa.keyboard.press("Enter")
    sayfa.wait_for_url("**/muhtar/giris")

    _tab_ile(sayfa, lambda o: o["id"] == "tc_kimlik_no")
    sayfa.keyboard.type(MEHMET["tc"])
    _tab_ile(sayfa, lambda o: o["id"] == "ad_soyad")
    sayfa.keyboard.type(MEHMET["ad"])
    ekran.cek(sayfa, "odak-ad-soyad")
    # past the "listen" link to the captcha field
    odak = _tab_ile(sayfa, lambda o: o["id"] == "dogrulama_kodu")
    sayfa.wait_for_function("() => document.querySelector('img.dogrulama-resmi').complete")
    sayfa.keyboard.type(dogrulama_cevabi(baglam))
    ekran.cek(sayfa, "odak-dogrulama-kodu")
    sayfa.keyboard.press("Enter")  # submits with the form's first button: Onay Kodu Gönder
    sayfa.wait_for_url("**/muhtar/giris/onay")

    _tab_ile(sayfa, lambda o: o["id"] == "onay_kodu")
    sayfa.keyboard.type(son_onay_kodu(vt, MEHMET["telefon"]))
    ekran.cek(sayfa, "odak-onay-kodu")
    sayfa.keyboard.press("Enter")
    sayfa.wait_for_url("**/muhtar/basvuru")

    # the radio group is one Tab stop; arrow keys move the choice
    odak = _tab_ile(sayfa, lambda o: o["ad"] == "tur")
    sayfa.keyboard.press("Space")
    sayfa.keyboard.press("ArrowDown")
    secili = sayfa.evaluate("() => document.querySelector('input[name=tur]:checked').value")
    assert secili == "istek", secili
    _tab_ile(sayfa, lambda o: o["id"] == "aciklama")
    sayfa.keyboard.type("Bahçelievler 7. Cadde'deki sokak lambaları üç gündür yanmıyor.")
    odak = _tab_ile(sayfa, lambda o: o["etiket"] == "button" and o["metin"] == "Gönder")
    ekran.cek(sayfa, "odak-gonder")
    sayfa.keyboard.press("Enter")
    sayfa.wait_for_url("**/muhtar/basvuru/tamam/**")
    numara = sayfa.locator(".talep-numarasi").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{6}", numara)
    ekran.cek(sayfa, "klavyeyle-basvuru-alindi")
    with vt.session() as s:
        talep = s.scalars(select(Talep).where(Talep.numara == numara)).one()
        assert talep.tur == "istek" and "sokak lambaları" in talep.aciklama
