"""Gelen Kutusu, Görünümler, Tamamlanan: built from SQL, filtered, sorted, paginated by keyset, with counts."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.models import Ilce, Muhtar, Muhtarlik, Talep
from engine.runtime import Motor
from engine.servisler import Actor

from .kurum_yardim import _hizli_hash_yukseltilmez, kurum, metin, oturumlu  # noqa: F401

BASLANGIC = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def _numaralar(html: str) -> list[str]:
    return re.findall(r'>(\d{4}-\d{6})</a>', html)


def _sonraki(html: str) -> str | None:
    m = re.search(r'rel="next" href="([^"]+)"', html)
    return m.group(1).replace("&amp;", "&") if m else None


@pytest.fixture
def liste(kurum):
    """30 talepler in Ankara on consecutive days (the 5th, 10th... routed acil to Çankaya Belediyesi), and
    3 in İzmir."""
    with kurum.db.unit_of_work() as s:
        ilce = Ilce(il_kod="35", ad="Konak")
        s.add(ilce)
        s.flush()
        mahalle = Muhtarlik(ilce_id=ilce.id, ad="Alsancak Mah")
        s.add(mahalle)
        s.flush()
        izmir = Muhtar(muhtarlik_id=mahalle.id, tc_kimlik_no="10000000078", ad_soyad="Hasan Öztürk",
                       telefon="+905365678956", gorev_baslangic=date(2024, 4, 1))
        s.add(izmir)
        s.flush()
        izmir_id = izmir.id
    kimlikler = []
    for i in range(33):
        an = BASLANGIC + timedelta(days=i)
        motor = Motor(saat=lambda an=an: an)
        muhtar_id = kurum.kayit.muhtar_id if i < 30 else izmir_id
        metin_ = f"Talep {i}: {'kaldırım bozuk' if i % 3 == 0 else 'park istiyoruz'} lütfen ilgilenin"
        with kurum.db.unit_of_work() as s:
            talep = motor.talep_baslat(s, muhtar_id=muhtar_id, tur="istek" if i % 2 else "sikayet", aciklama=metin_)
            kimlikler.append(talep.id)
        if i % 5 == 4:
            with kurum.db.unit_of_work() as s:
                from engine.models import HumanTask
                uuid = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == kimlikler[-1])).one()
                motor.gorev_tamamla(s, uuid, Actor(kurum.kayit.birim["MIGM"], "MIGM", None), {
                    "karar": "yonlendir", "valilik_yonlendirmeleri": [], "nihai_cevap": None,
                    "belediye_yonlendirmeleri": [{"birim_id": kurum.kayit.birim["BELEDIYE-06-CANKAYA"],
                                                  "oncelik": "acil", "not": ""}]})
    with kurum.db.session() as s:
        numaralar = {t.id: t.numara for t in s.scalars(select(Talep))}
    return kurum, [numaralar[i] for i in kimlikler]


def test_sayfalama_ve_sekme_sayilari(liste):
    k, numaralar = liste
    migm = oturumlu(k, "MIGM")
    html = metin(migm.get("/kurum/gelen-kutusu"))
    assert '<span class="sayi">27</span>' in html  # 33 talepler, 6 routed on
    assert '<span class="sayi">33</span>' in html and '<span class="sayi">6</span>' in html
    birinci = _numaralar(html)
    assert len(birinci) == 25 and birinci[0] == numaralar[32]  # newest first
    ikinci_html = metin(migm.get(_sonraki(html)))
    ikinci = _numaralar(ikinci_html)
    assert len(ikinci) == 2 and not set(birinci) & set(ikinci) and _sonraki(ikinci_html) is None
    assert "İlk sayfa" in ikinci_html
    # a row added meanwhile does not shift page two
    k.talep_ac()
    assert _numaralar(metin(migm.get(_sonraki(html)))) == ikinci


def test_buyuk_sayilar_sinirli_sayilir(liste, monkeypatch):
    from webapp.kurum import listeler
    monkeypatch.setattr(listeler, "SAYI_SINIRI", 10)
    html = metin(oturumlu(liste[0], "MIGM").get("/kurum/gorunumler"))
    assert '<span class="sayi">10+</span>' in html and '<span class="sayi">6</span>' in html


def test_eskiden_yeniye_ve_oncelik(liste):
    k, numaralar = liste
    migm = oturumlu(k, "MIGM")
    eski = _numaralar(metin(migm.get("/kurum/gorunumler?sirala=eski")))
    assert eski[:3] == numaralar[:3]
    oncelik = _numaralar(metin(migm.get("/kurum/gorunumler?sirala=oncelik")))
    acil = [numaralar[i] for i in range(33) if i % 5 == 4]
    assert oncelik[:6] == list(reversed(acil))
    html = metin(migm.get("/kurum/gorunumler?sirala=oncelik"))
    tum = _numaralar(html) + _numaralar(metin(migm.get(_sonraki(html))))
    assert sorted(tum) == sorted(numaralar)


FILTRELER = [
    ("durum=yonlendirilen", lambda i: i % 5 == 4),
    ("durum=bekleyen&tur=istek", lambda i: i % 5 != 4 and i % 2 == 1),
    ("il=35", lambda i: i >= 30),
    ("ara=KALDIRIM", lambda i: i % 3 == 0),
    ("ara=kaldırım&il=06", lambda i: i % 3 == 0 and i < 30),
    ("baslangic=2026-03-05&bitis=2026-03-07", lambda i: 4 <= i <= 6),
]


def test_filtreler(liste):
    k, numaralar = liste
    migm = oturumlu(k, "MIGM")
    for sorgu, beklenen in FILTRELER:
        html = metin(migm.get(f"/kurum/gorunumler?{sorgu}&sirala=eski"))
        sonuc = _numaralar(html)
        if _sonraki(html):
            sonuc += _numaralar(metin(migm.get(_sonraki(html))))
        assert sonuc == [numaralar[i] for i in range(33) if beklenen(i)], sorgu


def test_numara_ile_arama_ve_ilce(liste):
    k, numaralar = liste
    migm = oturumlu(k, "MIGM")
    yil, sira = numaralar[7].split("-")
    assert _numaralar(metin(migm.get(f"/kurum/gorunumler?ara={yil}-{int(sira)}"))) == [numaralar[7]]
    with k.db.session() as s:
        konak = s.scalars(select(Ilce.id).where(Ilce.ad == "Konak")).one()
    html = metin(migm.get(f"/kurum/gorunumler?il=35&ilce={konak}"))
    assert sorted(_numaralar(html)) == sorted(numaralar[30:]) and 'name="ilce"' in html


def test_belediye_yalniz_kendi_talepleri_ve_tamamlanan(liste):
    k, numaralar = liste
    belediye = oturumlu(k, "BELEDIYE-06-CANKAYA")
    acil = [numaralar[i] for i in range(33) if i % 5 == 4]
    assert sorted(_numaralar(metin(belediye.get("/kurum/gorunumler")))) == sorted(acil)
    assert sorted(_numaralar(metin(belediye.get("/kurum/gelen-kutusu")))) == sorted(acil)
    assert _numaralar(metin(belediye.get("/kurum/tamamlanan"))) == []
    assert len(_numaralar(metin(oturumlu(k, "MIGM").get("/kurum/tamamlanan")))) == 6
    assert _numaralar(metin(oturumlu(k, "VALILIK-35").get("/kurum/gorunumler"))) == []


def test_bozuk_parametreler_hata_vermez(liste):
    k, _ = liste
    migm = oturumlu(k, "MIGM")
    import base64
    import json

    def imlec(*degerler):
        return base64.urlsafe_b64encode(json.dumps(list(degerler)).encode()).decode().rstrip("=")
    tam = _numaralar(metin(migm.get("/kurum/gorunumler")))
    # tampered cursors: a date without its zone, an id past BIGINT, a negative id: all read as page 1
    kotu_imlecler = [imlec("2026-03-01T10:00:00", 5), imlec("2026-03-01T10:00:00+00:00", 2**63),
                     imlec("2026-03-01T10:00:00+00:00", -1)]
    for sorgu in ["sonra=bozuk", "sonra=WzEsMiwzXQ", "baslangic=2026-13-45", "il=abc&ilce=5", "sirala=sil",
                  "durum=<script>", "ara=%25_%5C", "sirala=oncelik&sonra=WyJ4IiwxXQ", "il=٠٦",
                  *[f"sonra={i}" for i in kotu_imlecler], f"sirala=oncelik&sonra={imlec(1, '2026-03-01', 2**64)}"]:
        yanit = migm.get(f"/kurum/gorunumler?{sorgu}")
        assert yanit.status_code == 200 and "<script>" not in metin(yanit).split("<main")[1], sorgu
        if sorgu.startswith("sonra=") and sorgu != "sonra=bozuk":
            assert _numaralar(metin(yanit)) == tam, sorgu
    # a talep number is ASCII digits: Arabic-Indic digits find nothing
    assert _numaralar(metin(migm.get("/kurum/gorunumler?ara=2026-١"))) == []


def test_listeler_is_akisi_yuklemez(liste, monkeypatch):
    """Lists never deserialise a workflow."""
    k, _ = liste
    from engine import durum, runtime
    for modul in (durum, runtime):
        monkeypatch.setattr(modul, "durum_coz", lambda *a, **kw: pytest.fail("workflow loaded"))
    migm = oturumlu(k, "MIGM")
    with k.db.session() as s:
        ilk = s.scalars(select(Talep.id)).first()
    for yol in ("/kurum/gelen-kutusu", "/kurum/gorunumler?sirala=oncelik", "/kurum/tamamlanan", f"/kurum/talep/{ilk}"):
        assert migm.get(yol).status_code == 200
