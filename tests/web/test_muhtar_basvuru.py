"""Başvuru: the muhtar's details, the four types, the result page, double clicks, bad input, delivery."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from engine.models import MesajKutusu, Talep
from tests.web.conftest import csrf_token
from tests.web.muhtar_ortak import (basvur, giris_yap, istemci, kayit, uygulama)  # noqa: F401


@pytest.fixture
def girisli(istemci, web_database):
    giris_yap(istemci, web_database)
    return istemci


def _talep_sayisi(database) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(Talep))


def test_giris_gerekli(istemci):
    for yol in ("/muhtar/basvuru", "/muhtar/talepler", "/muhtar/talepler/2026-000001", "/muhtar/"):
        yanit = istemci.get(yol)
        assert yanit.status_code == 302 and "/muhtar/giris?next=" in yanit.headers["Location"]


def test_basvuru_sayfasi(girisli):
    html = girisli.get("/muhtar/basvuru").get_data(as_text=True)
    for metin in ("Ayşe Yılmaz", "Akpınar Mah", "Çankaya", "Ankara", "Şikâyet", "İstek", "İhbar", "Görüş ve Öneri",
                  'maxlength="4000"', ">Gönder<", "js/muhtar.js", "BAŞVURU", "TALEP SORGULAMA"):
        assert metin in html
    # No inline script (the CSP forbids it): only the external file.
    assert re.findall(r"<script[^>]*>", html) == [re.search(r'<script src="[^"]+muhtar\.js" defer>', html).group()]


@pytest.mark.parametrize("tur, ad", [("sikayet", "Şikâyet"), ("istek", "İstek"), ("ihbar", "İhbar"),
                                     ("gorus_oneri", "Görüş ve Öneri")])
def test_dort_tur(girisli, web_database, tur, ad):
    yanit = basvur(girisli, tur=tur)
    assert yanit.status_code == 302
    numara = re.search(r"/muhtar/basvuru/tamam/(\d{4}-\d{6})$", yanit.headers["Location"]).group(1)
    html = girisli.get(yanit.headers["Location"]).get_data(as_text=True)
    assert numara in html and f"{ad} başvurunuz" in html
    assert f'href="/muhtar/talepler/{numara}">Talep sorgula<' in html
    assert 'href="/muhtar/basvuru">Yeni talep<' in html
    with web_database.session() as s:
        talep = s.scalars(select(Talep)).one()
        assert (talep.tur, talep.durum, talep.numara) == (tur, "bekleyen", numara)
        # The process queued its "kaydedildi" SMS to the muhtar.
        assert s.scalars(select(MesajKutusu).where(MesajKutusu.talep_id == talep.id)).one().alici == "+905321234512"


def test_cift_tiklama_tek_talep(girisli, web_database):
    html = girisli.get("/muhtar/basvuru").get_data(as_text=True)
    anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    veri = {"csrf_token": csrf_token(html), "tur": "istek", "aciklama": "Parka bank konulmasını istiyoruz.",
            "istek_anahtari": anahtar}
    birinci = girisli.post("/muhtar/basvuru", data=veri)
    ikinci = girisli.post("/muhtar/basvuru", data=veri)
    assert birinci.status_code == ikinci.status_code == 302
    assert birinci.headers["Location"] == ikinci.headers["Location"]
    assert _talep_sayisi(web_database) == 1
    # A new form is a new talep.
    assert basvur(girisli).headers["Location"] != birinci.headers["Location"]
    assert _talep_sayisi(web_database) == 2


@pytest.mark.parametrize("tur, aciklama, mesaj", [
    ("sikayet", "", "Açıklama en az 10 karakter olmalıdır."),
    ("sikayet", "   kısa   ", "Açıklama en az 10 karakter olmalıdır."),
    ("sikayet", "x" * 4001, "Açıklama en çok 4000 karakter olabilir."),
    ("", "Mahallemizde su kesintisi var.", "Başvuru türü şikâyet, istek, ihbar veya görüş ve öneri olmalıdır."),
    ("talep", "Mahallemizde su kesintisi var.", "Başvuru türü şikâyet, istek, ihbar veya görüş ve öneri olmalıdır."),
])
def test_gecersiz_basvuru(girisli, web_database, tur, aciklama, mesaj):
    yanit = basvur(girisli, tur=tur, aciklama=aciklama)
    html = yanit.get_data(as_text=True)
    assert yanit.status_code == 422 and mesaj in html
    # What was typed stays in the form, and nothing was filed.
    assert aciklama.strip()[:50] in html
    assert _talep_sayisi(web_database) == 0


def test_eksik_form_anahtari(girisli, web_database):
    assert basvur(girisli, anahtar="").status_code == 400
    assert basvur(girisli, anahtar="<kotu>").status_code == 400
    assert _talep_sayisi(web_database) == 0


def test_satir_sonlari_bir_karakter_sayilir(girisli, web_database):
    """A browser's maxlength counts a line break once but sends \\r\\n: 4000 typed characters must pass."""
    aciklama = ("a" * 9 + "\r\n") * 400
    assert len(aciklama) == 4400
    assert basvur(girisli, aciklama=aciklama).status_code == 302
    with web_database.session() as s:
        assert len(s.scalars(select(Talep.aciklama)).one()) == 3999  # trailing newline stripped


def test_html_metin_olarak_gosterilir(girisli):
    aciklama = '<script>alert("x")</script> <b>kalın</b> & "tırnak"'
    yanit = basvur(girisli, aciklama=aciklama)
    numara = yanit.headers["Location"].rsplit("/", 1)[1]
    for yol in (f"/muhtar/talepler/{numara}", "/muhtar/talepler"):
        html = girisli.get(yol).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html and "&lt;b&gt;kalın&lt;/b&gt; &amp;" in html
        assert "<script>alert" not in html and "<b>kalın" not in html
    # And on the form it came back to after an error.
    html = basvur(girisli, tur="", aciklama=aciklama).get_data(as_text=True)
    assert "&lt;script&gt;alert(" in html and "<script>alert" not in html


def test_csrf_belirteci_yoksa_400(girisli, web_database):
    html = girisli.get("/muhtar/basvuru").get_data(as_text=True)
    anahtar = re.search(r'name="istek_anahtari" value="([^"]+)"', html).group(1)
    yanit = girisli.post("/muhtar/basvuru", data={"tur": "istek", "aciklama": "Parka bank konulmasını istiyoruz.",
                                                  "istek_anahtari": anahtar})
    assert yanit.status_code == 400 and "Geçersiz istek" in yanit.get_data(as_text=True)
    assert _talep_sayisi(web_database) == 0


def test_teslim_arka_planda(make_app, kayit, web_database):
    """After the commit the outbox is delivered in the background: the development SMS goes at once."""
    istemci = make_app(MUHTAR_GIRIS_ASGARI_SN=0, MESAJ_TESLIM="arka_plan").test_client()
    giris_yap(istemci, web_database)
    assert basvur(istemci).status_code == 302
    son = time.monotonic() + 10
    while time.monotonic() < son:
        with web_database.session() as s:
            durumlar = set(s.scalars(select(MesajKutusu.durum)))
        if durumlar == {"gonderildi"}:
            break
        time.sleep(0.05)
    # The login code and the "kaydedildi" SMS.
    with web_database.session() as s:
        assert [m.durum for m in s.scalars(select(MesajKutusu))] == ["gonderildi", "gonderildi"]
