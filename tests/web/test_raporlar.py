"""Raporlar through the pages: who may read what (the route matrix), the figures of the deadline scenario on
the page and in the XLSX/CSV exports (Turkish headers, dd.mm.yyyy), the overdue marker in the kurum lists,
and no inline script (the CSP)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from engine.models import Kullanici
from tests.conftest import make_database
from tests.integration.sure_senaryosu import kur, oynat
from tests.web.conftest import test_config
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401  (autouse: fast test logins)
from tests.web.kurum_yardim import KurumOrtami, giris_yap, metin, oturumlu, parola_hash
from webapp import create_app

ARALIK = "baslangic=2026-03-01&bitis=2026-03-31"


@pytest.fixture(scope="module")
def rapor(tmp_path_factory):
    """The deadline scenario played to day 31, once for the module (the tests only read); the app's engine
    runs on the scenario's clock. An analyst sits in a Valilik: the permission, not the unit, opens all."""
    tmp = tmp_path_factory.mktemp("raporlar")
    db = make_database(tmp)
    s = kur(db)
    oynat(s)
    with db.unit_of_work() as ses:
        ses.execute(update(Kullanici).values(parola_hash=parola_hash()))
        ses.add(Kullanici(kullanici_adi="analist", ad_soyad="Analist", parola_hash=parola_hash(),
                          birim_id=s.kayit.birim["VALILIK-35"], yetkiler="analist"))
    app = create_app(test_config(db, MESAJ_TESLIM="kapali", UPLOAD_DIR=str(tmp / "ekler")))
    app.extensions["mbs_motor"] = s.motor
    yield KurumOrtami(app, db, s.kayit), s
    app.extensions["mbs_db"].dispose()
    db.dispose()


def _csv(yanit) -> list[list[str]]:
    assert yanit.status_code == 200 and yanit.mimetype == "text/csv"
    govde = yanit.get_data(as_text=True)
    assert govde.startswith("\ufeff")
    return list(csv.reader(io.StringIO(govde[1:]), delimiter=";"))


def _xlsx(yanit):
    assert yanit.status_code == 200 and yanit.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(yanit.data)).active


ROTALAR = ["/kurum/raporlar/", "/kurum/raporlar/talepler", "/kurum/raporlar/talepler.csv",
           "/kurum/raporlar/talepler.xlsx", "/kurum/raporlar/tablo/durum.csv", "/kurum/raporlar/tablo/birim.xlsx"]


def test_her_rapor_rotasi_tabloda(rapor):
    ortam, _ = rapor
    rotalar = {r.rule for r in ortam.app.url_map.iter_rules() if r.endpoint.startswith("raporlar.")}
    assert rotalar == {"/kurum/raporlar/", "/kurum/raporlar/talepler",
                       "/kurum/raporlar/talepler.<any(xlsx, csv):bicim>",
                       "/kurum/raporlar/tablo/<ad>.<any(xlsx, csv):bicim>"}


@pytest.mark.parametrize("kod,beklenen", [("MIGM", 200), ("VALILIK-06", 200), ("BELEDIYE-06-CANKAYA", 200),
                                          ("SAGLIK-06", 403), ("analist", 200)])
def test_yetki_matrisi(rapor, kod, beklenen):
    ortam, _ = rapor
    client = ortam.client()
    for rota in ROTALAR:
        yanit = client.get(rota)
        assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"], rota
    assert giris_yap(client, kod).status_code == 302
    for rota in ROTALAR:
        assert client.get(rota).status_code == beklenen, rota
    assert client.get("/kurum/raporlar/tablo/yok.csv").status_code == (404 if beklenen == 200 else 403)
    menu = metin(client.get("/kurum/gelen-kutusu"))
    assert ('href="/kurum/raporlar/"' in menu) == (beklenen == 200)


def test_pano_rakamlari_ve_csp(rapor):
    ortam, _ = rapor
    html = metin(oturumlu(ortam, "MIGM").get(f"/kurum/raporlar/?{ARALIK}"))
    duz = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>|<script.*?</script>", "", html,
                                                                 flags=re.S)))
    for parca in ("6 talep", "5 sonuçlanan", "1 açık", "1 süresi geçmiş açık", "7,0 gün medyan cevap süresi",
                  "9,4 gün %90 cevap süresi", "Tümü 5 7,0 9,4 5,7", "Ankara 4 4,8 9,8 5,4",
                  "Ankara Valiliği Valilik 2 7,0 8,6 7,0", "İşlemi tamamla (Valilik) Task_ValilikTamamla 3 4,0 7,2",
                  "2026-000003 Süresi geçti"):
        assert parca in duz, parca
    # charts: data in a JSON block, code from /static only; the heat map is inline SVG without style
    assert not re.search(r"<script(?![^>]*(src=|type=\"application/json\"))", html)
    assert "style=" not in html and 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert re.search(r'<svg[^>]*class="isi-haritasi"', html) and "4,0 / 7,2 gün" in html
    assert 'data-grafik="darbogaz"' in html


def test_tablo_disa_aktarma(rapor):
    ortam, _ = rapor
    client = oturumlu(ortam, "MIGM")
    assert _csv(client.get(f"/kurum/raporlar/tablo/cevap-il.csv?{ARALIK}")) == [
        ["İl", "Sonuçlanan talep", "Medyan (gün)", "%90 (gün)", "Ortalama (gün)"],
        ["Ankara", "4", "4,8", "9,8", "5,4"], ["İzmir", "1", "7,0", "7,0", "7,0"]]
    assert _csv(client.get(f"/kurum/raporlar/tablo/birim-turu.csv?{ARALIK}"))[1:] == [
        ["Belediye", "3", "1", "2", "1"], ["Valilik", "3", "0", "3", "2"], ["İl Müdürlüğü", "1", "0", "1", "0"]]
    sayfa = _xlsx(client.get(f"/kurum/raporlar/tablo/darbogaz.xlsx?{ARALIK}"))
    satirlar = [list(r) for r in sayfa.iter_rows(values_only=True)]
    assert satirlar[0] == ["Görev", "BPMN kimliği", "Tamamlanan", "Medyan (gün)", "%90 (gün)", "Ortalama (gün)",
                           "Şu an bekleyen"]
    assert satirlar[1][:6] == ["İşlemi tamamla (Valilik)", "Task_ValilikTamamla", 3, 4.0, 7.2, 4.3]
    assert sayfa.cell(row=2, column=4).number_format == "0.0" and sayfa.cell(row=1, column=1).font.bold
    ozet = dict(r for r in _csv(client.get(f"/kurum/raporlar/tablo/ozet.csv?{ARALIK}"))[1:])
    assert ozet["Talep"] == "6" and ozet["Medyan cevap süresi (gün)"] == "7,0"


def test_talep_listesi_disa_aktarma(rapor):
    ortam, s = rapor
    client = oturumlu(ortam, "MIGM")
    satirlar = _csv(client.get(f"/kurum/raporlar/talepler.csv?{ARALIK}"))
    assert satirlar[0] == ["Talep No", "Tür", "Durum", "Öncelik", "İl", "İlçe", "Muhtarlık", "Başvuru tarihi",
                           "Yasal son tarih", "Sonuçlanma tarihi", "Cevap süresi (gün)", "Süresi geçti"]
    satir = {r[0]: r for r in satirlar[1:]}
    assert len(satir) == 6
    assert satir["2026-000003"] == ["2026-000003", "İhbar", "Yönlendirilen", "Normal", "İzmir", "Konak",
                                    "Alsancak Mah", "02.03.2026", "01.04.2026", "", "", "Evet"]
    assert satir["2026-000002"][7:] == ["02.03.2026", "01.04.2026", "13.03.2026", "11,0", "Evet"]
    assert satir["2026-000001"][9:] == ["05.03.2026", "2,5", "Hayır"]
    # the same filter as the page: only İzmir's open ones
    assert [r[0] for r in _csv(client.get(f"/kurum/raporlar/talepler.csv?{ARALIK}&il=35&liste=acik"))[1:]] == [
        "2026-000003"]
    sayfa = _xlsx(client.get(f"/kurum/raporlar/talepler.xlsx?{ARALIK}&tur=istek"))
    rows = list(sayfa.iter_rows(values_only=True))
    assert rows[0][0] == "Talep No" and sorted(r[0] for r in rows[1:]) == ["2026-000002", "2026-000004"]
    assert rows[1][7].date() == date(2026, 3, 2) and sayfa.cell(row=2, column=8).number_format == "DD.MM.YYYY"
    assert "attachment;" in client.get(f"/kurum/raporlar/talepler.xlsx?{ARALIK}").headers["Content-Disposition"]


def test_kapsam_sayfada_ve_disari(rapor):
    ortam, _ = rapor
    valilik = oturumlu(ortam, "VALILIK-06")
    assert [r[0] for r in _csv(valilik.get(f"/kurum/raporlar/talepler.csv?{ARALIK}"))[1:]] == [
        "2026-000004", "2026-000002"]
    birimler = [r[0] for r in _csv(valilik.get(f"/kurum/raporlar/tablo/birim.csv?{ARALIK}"))[1:]]
    assert birimler == ["Ankara Valiliği", "Ankara İl Sağlık Müdürlüğü"]
    # asking for another unit's talepler gives nothing (the scope still applies)
    konak = str(ortam.kayit.birim["BELEDIYE-35-KONAK"])
    assert _csv(valilik.get(f"/kurum/raporlar/talepler.csv?{ARALIK}&birim={konak}"))[1:] == []
    html = metin(valilik.get(f"/kurum/raporlar/?{ARALIK}"))
    assert "Ankara Valiliği kapsamı" in html and "Konak" not in html
    belediye = oturumlu(ortam, "BELEDIYE-06-CANKAYA")
    assert sorted(r[0] for r in _csv(belediye.get(f"/kurum/raporlar/talepler.csv?{ARALIK}"))[1:]) == [
        "2026-000001", "2026-000005"]
    analist = oturumlu(ortam, "analist")
    assert len(_csv(analist.get(f"/kurum/raporlar/talepler.csv?{ARALIK}"))) == 7


def test_listeler_sayfalanir(rapor):
    ortam, _ = rapor
    client = oturumlu(ortam, "MIGM")
    from webapp.raporlar import sayfalar
    eski, sayfalar.SAYFA_BOYU = sayfalar.SAYFA_BOYU, 4
    try:
        html = metin(client.get(f"/kurum/raporlar/talepler?{ARALIK}"))
        ilk = re.findall(r">(2026-\d{6})</a>", html)
        sonraki = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        ikinci = re.findall(r">(2026-\d{6})</a>", metin(client.get(sonraki)))
    finally:
        sayfalar.SAYFA_BOYU = eski
    assert len(ilk) == 4 and len(ikinci) == 2 and set(ilk).isdisjoint(ikinci)
    gecikmis = metin(client.get(f"/kurum/raporlar/talepler?{ARALIK}&liste=gecikmis"))
    assert re.findall(r">(2026-\d{6})</a>", gecikmis) == ["2026-000003"]


def test_kurum_listelerinde_suresi_gecti(rapor):
    ortam, _ = rapor
    migm = metin(oturumlu(ortam, "MIGM").get("/kurum/gorunumler"))
    isaretli = set(re.findall(r">(2026-\d{6})</a>\s*<span class=\"oncelik oncelik-acil gecikti\"", migm))
    assert isaretli == {"2026-000002", "2026-000003", "2026-000005"}  # B and E answered late, C overdue
    konak = metin(oturumlu(ortam, "BELEDIYE-35-KONAK").get("/kurum/gelen-kutusu"))
    assert re.search(r">2026-000003</a>\s*<span class=\"oncelik oncelik-acil gecikti\"", konak)
