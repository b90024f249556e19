"""Report figures for the clock-controlled deadline scenario (tests/integration/sure_senaryosu.py), against
values worked out by hand below; the same SQL on SQLite (window functions) and PostgreSQL (percentile_cont).

Days from submission (T0) to the final answer: A 2.5, B 11, D 7, E 7, F 1 (C is open)
  -> sorted [1, 2.5, 7, 7, 11]: median 7; p90 at 1 + 4 * 0.9 = 4.6 -> 7 + 0.6 * (11 - 7) = 9.4; mean 5.7.
  Ankara [1, 2.5, 7, 11]: median 4.75, p90 at 3.7 -> 7 + 0.7 * 4 = 9.8, mean 5.375; İzmir [7].
Days from routing to completion per unit: Ankara Valiliği B 9, D 5 -> median 7, p90 5 + 0.9 * 4 = 8.6;
  İzmir Valiliği E 5; İl Sağlık D 3 (forwarded day 2, answered day 5); Çankaya Bel. A 1, E 1.
Waits per user task (created -> completed): Yönlendir 6 x 1; Üzerine al B, D, E 1 each;
  İşlemi tamamla (Valilik) B 8 (d2-d10), D 1 (d5-d6), E 4 (d2-d6) -> median 4, p90 4 + 0.8 * 4 = 7.2;
  İşlemi tamamla (Alt birim) D 3; İşlemi tamamla (Belediye) A 1, E 1, C still open;
  Süreci tamamla A 0.5, B 1, D 1, E 1 -> median 1, p90 1.
"""
from __future__ import annotations

from datetime import date

import pytest

from engine import raporlar as R
from engine.models import Birim
from tests.integration.sure_senaryosu import gun, kur, oynat

G = 86400.0


@pytest.fixture(scope="module")
def senaryo(tmp_path_factory):
    from tests.conftest import make_database
    db = make_database(tmp_path_factory.mktemp("rapor"))
    s = kur(db)
    oynat(s)
    yield s
    db.dispose()


def _gun(deger):
    return None if deger is None else round(float(deger) / G, 4)


def _kapsam(s, kod) -> R.Kapsam:
    with s.db.session() as ses:
        return R.kapsam_olustur(ses.get(Birim, s.kayit.birim[kod]))


def _sure(r) -> tuple:
    return (r.adet, _gun(r.medyan), _gun(r.p90), _gun(r.ortalama))


def test_sayilar(senaryo):
    with senaryo.db.session() as ses:
        say = R.sayilar(ses, R.Kapsam(), R.Filtre(), gun(31))
    assert say.ozet == {"toplam": 6, "sonuclanan": 5, "acik": 1, "gecikmis": 1, "gecikti": 3}
    assert dict(say.durum) == {"sonuclanan": 5, "yonlendirilen": 1}
    assert dict(say.tur) == {"sikayet": 2, "istek": 2, "ihbar": 1, "gorus_oneri": 1}
    assert say.il == [("06", "Ankara", 4), ("35", "İzmir", 2)]
    # parts: count, open, completed, late (overdue while open or completed after the due date)
    assert {r.tur: (r.adet, r.acik, r.tamamlanan, r.gecikti) for r in say.birim_turu} == {
        "BELEDIYE": (3, 1, 2, 1), "VALILIK": (3, 0, 3, 2), "IL_MUDURLUGU": (1, 0, 1, 0)}
    assert {r.ad: (r.adet, r.acik, r.tamamlanan, r.gecikti) for r in say.birim} == {
        "Ankara Valiliği": (2, 0, 2, 1), "Çankaya Belediyesi": (2, 0, 2, 0), "Konak Belediyesi": (1, 1, 0, 1),
        "İzmir Valiliği": (1, 0, 1, 1), "Ankara İl Sağlık Müdürlüğü": (1, 0, 1, 0)}


def test_cevap_sureleri_medyan_ve_p90(senaryo):
    with senaryo.db.session() as ses:
        c = R.cevap_sureleri(ses, R.Kapsam(), R.Filtre(), gun(31))
    assert _sure(c.genel) == (5, 7.0, 9.4, 5.7)
    assert {r.il_ad: _sure(r) for r in c.il} == {"Ankara": (4, 4.75, 9.8, 5.375), "İzmir": (1, 7.0, 7.0, 7.0)}
    assert [r.il_ad for r in c.en_yavas_il] == ["İzmir", "Ankara"]
    assert [(r.birim_ad, *_sure(r)) for r in c.en_yavas_birim] == [
        ("Ankara Valiliği", 2, 7.0, 8.6, 7.0), ("İzmir Valiliği", 1, 5.0, 5.0, 5.0),
        ("Ankara İl Sağlık Müdürlüğü", 1, 3.0, 3.0, 3.0), ("Çankaya Belediyesi", 2, 1.0, 1.0, 1.0)]


def test_darbogazlar(senaryo):
    with senaryo.db.session() as ses:
        d = R.darbogazlar(ses, R.Kapsam(), R.Filtre(), gun(31))
    assert [(x.bpmn_id, x.adet, _gun(x.medyan), _gun(x.p90), x.acik) for x in d] == [
        ("Task_ValilikTamamla", 3, 4.0, 7.2, 0),
        ("Task_AltBirimTamamla", 1, 3.0, 3.0, 0),
        ("Task_BelediyeTamamla", 2, 1.0, 1.0, 1),
        ("Task_SureciTamamla", 4, 1.0, 1.0, 0),
        ("Task_UzerineAl", 3, 1.0, 1.0, 0),
        ("Task_Yonlendir", 6, 1.0, 1.0, 0),
    ]
    assert {x.bpmn_id: x.ad for x in d}["Task_ValilikTamamla"] == "İşlemi tamamla (Valilik)"


def test_kapsam_valilik_ve_belediye(senaryo):
    v06, cankaya = _kapsam(senaryo, "VALILIK-06"), _kapsam(senaryo, "BELEDIYE-06-CANKAYA")
    with senaryo.db.session() as ses:
        # Ankara Valiliği: B and D, its own parts and its sub-unit's
        say = R.sayilar(ses, v06, R.Filtre(), gun(31))
        assert say.ozet == {"toplam": 2, "sonuclanan": 2, "acik": 0, "gecikmis": 0, "gecikti": 1}
        assert {r.ad for r in say.birim} == {"Ankara Valiliği", "Ankara İl Sağlık Müdürlüğü"}
        c = R.cevap_sureleri(ses, v06, R.Filtre(), gun(31))
        assert _sure(c.genel) == (2, 9.0, 10.6, 9.0)  # B 11, D 7
        assert {r.birim_ad for r in c.birim} == {"Ankara Valiliği", "Ankara İl Sağlık Müdürlüğü"}
        assert {x.bpmn_id for x in R.darbogazlar(ses, v06, R.Filtre(), gun(31))} == {
            "Task_UzerineAl", "Task_ValilikTamamla", "Task_AltBirimTamamla"}
        assert {r.numara for r in R.talep_sayfasi(ses, v06, R.Filtre(), gun(31)).satirlar} == {
            "2026-000002", "2026-000004"}
        # Çankaya Belediyesi: A and E (E's Valilik part is not its own: not counted)
        say = R.sayilar(ses, cankaya, R.Filtre(), gun(31))
        assert say.ozet["toplam"] == 2 and [(r.ad, r.tur, r.adet, r.acik, r.tamamlanan, r.gecikti)
                                            for r in say.birim] == [("Çankaya Belediyesi", "BELEDIYE", 2, 0, 2, 0)]
        assert {x.bpmn_id for x in R.darbogazlar(ses, cankaya, R.Filtre(), gun(31))} == {"Task_BelediyeTamamla"}


def test_filtreler_ve_listeler(senaryo):
    k = R.Kapsam()
    with senaryo.db.session() as ses:
        def numaralar(**f):
            return sorted(r.numara[-1] for r in R.talep_sayfasi(ses, k, R.Filtre(**f), gun(31)).satirlar)
        assert numaralar(tur="istek") == ["2", "4"]
        assert numaralar(il="35") == ["3", "5"]
        assert numaralar(liste="acik") == ["3"] and numaralar(liste="gecikmis") == ["3"]
        assert numaralar(birim_id=senaryo.kayit.birim["BELEDIYE-06-CANKAYA"]) == ["1", "5"]
        assert numaralar(baslangic=date(2026, 3, 2), bitis=date(2026, 3, 2)) == ["1", "2", "3", "4", "5", "6"]
        assert numaralar(baslangic=date(2026, 3, 3)) == [] and numaralar(bitis=date(2026, 3, 1)) == []
        assert R.sayilar(ses, k, R.Filtre(bitis=date(2026, 3, 1)), gun(31)).ozet["toplam"] == 0
        assert R.cevap_sureleri(ses, k, R.Filtre(bitis=date(2026, 3, 1)), gun(31)).genel.adet == 0
        # keyset pages: 4 + 2, no row twice, none lost
        ilk = R.talep_sayfasi(ses, k, R.Filtre(), gun(31), boy=4)
        ikinci = R.talep_sayfasi(ses, k, R.Filtre(), gun(31), imlec=ilk.sonraki, boy=4)
        assert len(ilk.satirlar) == 4 and len(ikinci.satirlar) == 2 and ikinci.sonraki is None
        assert {r.id for r in ilk.satirlar} | {r.id for r in ikinci.satirlar} == set(senaryo.talep.values())
        assert R.talep_sayfasi(ses, k, R.Filtre(), gun(31), imlec="bozuk!").satirlar  # a bad cursor: page 1
        assert len(list(R.talep_satirlari(ses, k, R.Filtre(), gun(31), sinir=5))) == 5


def test_yuzdelik_sqlite_ve_postgresql_ayni(senaryo):
    """percentile_cont's interpolation, on whichever database runs: groups of 1, 2, 3 and 10 values."""
    from sqlalchemy import literal, select, union_all
    degerler = {"a": [5], "b": [1, 3], "c": [2, 9, 4], "d": [float(i * i) for i in range(10)]}
    parcalar = [select(literal(g).label("g"), literal(v).label("sure")) for g, vs in degerler.items() for v in vs]
    with senaryo.db.session() as ses:
        alt = union_all(*parcalar).subquery()
        sonuc = {r.g: (r.adet, round(float(r.medyan), 6), round(float(r.p90), 6)) for r in
                 R.istatistik(ses, alt, ["g"])}
    assert sonuc == {"a": (1, 5.0, 5.0), "b": (2, 2.0, 2.8), "c": (3, 4.0, 8.0), "d": (10, 20.5, 65.7)}
