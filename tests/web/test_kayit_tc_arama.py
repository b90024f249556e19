"""The registry's search by TC Kimlik No keeps the number out of every URL (access logs, browser history, Referer
headers: KVKK): the TC form posts, the list is at ``?tc=1`` and reads the number from the session, which holds
only the muhtar record that has it and the masked number. Every other filter stays in the query string."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.kimlik import tc_kimlik_uret
from engine.models import Muhtar
from tests.web.muhtar_ortak import AYSE_TC
from webapp.kayit import rotalar

from .kayit_ortak import HASAN_TC, _hizli_hash_yukseltilmez, form_gonder, metin, ortam  # noqa: F401
from .kurum_yardim import bildirimler

LISTE = "/kurum/muhtarlar/"
#: an attribute holding a URL
ADRES = re.compile(r'\b(?:href|src|action|formaction)="([^"]*)"')


def tc_ara(client, tc: str, **diger):
    """Post the TC form as the page does (its CSRF token, the page's other filters as hidden fields)."""
    return form_gonder(client, LISTE, LISTE, {"tc": tc, **diger})


def _adresler(yanit) -> list[str]:
    return ADRES.findall(metin(yanit)) + [yanit.headers.get("Location", "")]


def _tc_yok(adresler: list[str], tc: str) -> None:
    for adres in adresler:
        assert tc not in adres and tc[:5] not in adres and not re.search(r"\d{11}", adres), adres


def _adlar(html: str) -> list[str]:
    return re.findall(r'data-baslik="Muhtar"><a [^>]*>([^<]+)</a>', html)


def test_tc_ile_arama_bulur_ve_adreslerde_tc_yok(ortam):
    valilik = ortam.oturum("VALILIK-06")
    yanit = tc_ara(valilik, AYSE_TC)
    assert yanit.status_code == 303
    konum = yanit.headers["Location"]
    assert konum.endswith("/kurum/muhtarlar/?tc=1") and AYSE_TC not in konum
    sonuc = valilik.get(konum)
    html = metin(sonuc)
    assert sonuc.status_code == 200 and _adlar(html) == ["Ayşe Yılmaz"] and "1 kayıt" in html
    assert AYSE_TC not in html and "100******46" in html  # the number is shown masked, as everywhere
    _tc_yok(_adresler(yanit) + _adresler(sonuc), AYSE_TC)
    # ...and the session cookie (signed, readable) holds no number either
    with valilik.session_transaction() as s:
        assert AYSE_TC not in repr(dict(s)) and s[rotalar.TC_ARAMA]["t"] == "100******46"
    # spaces typed between the digits are dropped
    assert _adlar(metin(valilik.get(tc_ara(valilik, " 100 000 001 46 ").headers["Location"]))) == ["Ayşe Yılmaz"]


def test_diger_suzgecler_adreste_kalir_tc_gitmez(ortam):
    valilik = ortam.oturum("VALILIK-06")
    yanit = tc_ara(valilik, AYSE_TC, durum="tum", mahalle="akp", ad="ayşe")
    konum = yanit.headers["Location"]
    assert "durum=tum" in konum and "mahalle=akp" in konum and "tc=1" in konum and AYSE_TC not in konum
    html = metin(valilik.get(konum))
    assert _adlar(html) == ["Ayşe Yılmaz"]
    # the GET filter keeps the TC search (tc=1 as a hidden field); the TC form carries the other filters
    assert '<input type="hidden" name="tc" value="1">' in html
    assert '<input type="hidden" name="durum" value="tum">' in html
    # a filter that excludes her, with the TC search still on
    assert _adlar(metin(valilik.get(konum.replace("mahalle=akp", "mahalle=balgat")))) == []
    # removing the TC filter: the link keeps the others and ends the search
    kaldir = re.search(r'<a href="([^"]+)">TC Kimlik No süzgecini kaldır</a>', html).group(1).replace("&amp;", "&")
    assert "tc=" not in kaldir and "durum=tum" in kaldir
    assert valilik.get(kaldir).status_code == 200
    with valilik.session_transaction() as s:
        assert rotalar.TC_ARAMA not in s
    # ?tc=1 without a search in the session: back to the list, without the flag
    yanit = valilik.get(konum)
    assert yanit.status_code == 303 and "tc=" not in yanit.headers["Location"]
    assert "durum=tum" in yanit.headers["Location"]


def test_sayfalama_tc_suzgecini_korur(ortam, monkeypatch):
    """Ayşe's earlier terms in two other mahalleler, one a page: the page links carry tc=1, never the number."""
    gecmis = tc_kimlik_uret("300000021")
    with ortam.db.unit_of_work() as s:
        for mahalle, yil in (("Balgat Mah", 2014), ("Bahçelievler Mah", 2019)):
            s.add(Muhtar(muhtarlik_id=ortam.id[mahalle], tc_kimlik_no=AYSE_TC, ad_soyad="Ayşe Yılmaz",
                         telefon="+905321234512", gorev_baslangic=date(yil, 4, 1), gorev_bitis=date(yil + 5, 4, 1)))
        # someone else in the same il and list: a page without the TC filter would show him
        s.add(Muhtar(muhtarlik_id=ortam.id["Balgat Mah"], tc_kimlik_no=gecmis, ad_soyad="Veli Kaya",
                     telefon="+905321112233", gorev_baslangic=date(2009, 4, 1), gorev_bitis=date(2014, 4, 1)))
    ara = rotalar.muhtar_ara
    monkeypatch.setattr(rotalar, "muhtar_ara", lambda *a, **k: ara(*a, **{"boy": 1, **k}))
    valilik = ortam.oturum("VALILIK-06")
    adres = tc_ara(valilik, AYSE_TC, durum="tum").headers["Location"]
    goruldu = []
    for sayfa_no in (1, 2, 3):
        yanit = valilik.get(adres)
        html = metin(yanit)
        assert f"3 kayıt, sayfa {sayfa_no} / 3" in html, sayfa_no
        goruldu += _adlar(html)
        _tc_yok(_adresler(yanit), AYSE_TC)
        sonraki = re.search(r'<a rel="next" href="([^"]+)"', html)
        if sayfa_no < 3:
            adres = sonraki.group(1).replace("&amp;", "&")
            assert "tc=1" in adres and f"sayfa={sayfa_no + 1}" in adres and "durum=tum" in adres
        else:
            assert sonraki is None and 'rel="prev" href="/kurum/muhtarlar/?sayfa=2&amp;tc=1&amp;durum=tum"' in html
    assert goruldu == ["Ayşe Yılmaz"] * 3
    with ortam.db.session() as s:
        mahalleler = s.scalars(select(Muhtar.muhtarlik_id).where(Muhtar.tc_kimlik_no == AYSE_TC)).all()
    assert len(set(mahalleler)) == 3


@pytest.mark.parametrize("tc", ["", "1000000014", "100000001466", "1000000014a", "10000-00014",
                                "١٠٠٠٠٠٠٠١٤٦", "１０００００００１４６", "+10000000146"])
def test_hatali_tc_turkce_uyari(ortam, tc):
    valilik = ortam.oturum("VALILIK-06")
    yanit = tc_ara(valilik, tc, durum="tum")
    html = metin(yanit)
    assert yanit.status_code == 422 and rotalar.TC_HATASI in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="f-tc-hata f-tc-ipucu"' in html
    assert '<input type="hidden" name="durum" value="tum">' in html  # the other filters are kept
    if tc:
        assert f'value="{tc}"' not in html  # what was typed is not echoed
    with valilik.session_transaction() as s:
        assert rotalar.TC_ARAMA not in s


def test_adresteki_tc_aranmaz(ortam):
    """An old bookmark (or a hand-typed address) with the number: not searched, and the number leaves the address."""
    valilik = ortam.oturum("VALILIK-06")
    yanit = valilik.get(f"{LISTE}?tc={AYSE_TC}&durum=tum")
    assert yanit.status_code == 303 and yanit.headers["Location"].endswith("/kurum/muhtarlar/?durum=tum")
    html = metin(valilik.get(yanit.headers["Location"]))
    assert rotalar.TC_ADRESTE in bildirimler(html)
    assert AYSE_TC not in html


def test_kapsam_disi_tc_hic_olmayan_gibi(ortam):
    """İzmir's muhtar by TC: Ankara's Valilik gets the same empty list as for a TC no one has; MİGM finds him."""
    valilik = ortam.oturum("VALILIK-06")
    sayfalar = []
    for tc in (HASAN_TC, tc_kimlik_uret("999999999")):
        html = metin(valilik.get(tc_ara(valilik, tc, durum="tum").headers["Location"]))
        assert "Aramaya uyan muhtar bulunamadı." in html and "0 kayıt" in html
        sayfalar.append(re.sub(r'name="csrf_token" value="[^"]+"|<strong class="tc">[^<]+</strong>', "", html))
    assert sayfalar[0] == sayfalar[1]
    migm = ortam.oturum("MIGM")
    assert _adlar(metin(migm.get(tc_ara(migm, HASAN_TC).headers["Location"]))) == ["Hasan Öztürk"]


def test_tc_aramasi_suresi_dolar(ortam):
    valilik = ortam.oturum("VALILIK-06")
    adres = tc_ara(valilik, AYSE_TC).headers["Location"]
    assert valilik.get(adres).status_code == 200
    with valilik.session_transaction() as s:
        s[rotalar.TC_ARAMA] = {**s[rotalar.TC_ARAMA], "z": s[rotalar.TC_ARAMA]["z"] - rotalar.TC_ARAMA_SURESI - 1}
    yanit = valilik.get(adres)
    assert yanit.status_code == 303 and yanit.headers["Location"].endswith("/kurum/muhtarlar/")
    assert rotalar.TC_SURESI_DOLDU in bildirimler(metin(valilik.get(yanit.headers["Location"])))
    with valilik.session_transaction() as s:
        assert rotalar.TC_ARAMA not in s


@pytest.mark.parametrize("kullanici", ["VALILIK-35", "BELEDIYE-06-CANKAYA"])
def test_yetkisiz_tc_aramasi_403(ortam, kullanici):
    client = ortam.oturum(kullanici)
    yanit = form_gonder(client, "/kurum/hesap/parola", LISTE, {"tc": AYSE_TC})
    assert yanit.status_code == 403
    with client.session_transaction() as s:
        assert rotalar.TC_ARAMA not in s
