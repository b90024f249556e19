"""Authorisation matrix: every kurum route, every kind of user, against objects of other units.

Two talepler: A routed to Ankara (Valilik, forwarded to its Sağlık Müdürlüğü, and Çankaya Belediyesi), B to
İzmir (Valilik, forwarded to its Sağlık Müdürlüğü, and Konak Belediyesi). Each sub-unit closed its part with
an attachment; each Belediye still has its task open. A unit sees a talep, a task or a file only when the
rule of ``webapp.kurum.erisim`` says so; anything else is 404, the same as a missing object.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from engine.depo import YerelDepo
from engine.models import Ek, Kullanici, Talep, Yonlendirme
from engine.runtime import Motor
from tests.engine.conftest import Kayit

from .conftest import csrf_token
from .kurum_yardim import (KurumOrtami, _hizli_hash_yukseltilmez, giris_yap, kurum_ortami_kur, metin,  # noqa: F401
                           ornek_pdf, parola_hash)

KULLANICILAR = ["MIGM", "VALILIK-06", "VALILIK-35", "BELEDIYE-06-CANKAYA", "BELEDIYE-35-KONAK", "SAGLIK-06",
                "MEB-06", "SAGLIK-35"]


@dataclass
class Dunya:
    ortam: KurumOrtami
    talep: dict[str, int]
    numara: dict[str, str]
    ek: dict[str, int]
    gorev: dict[str, str]   # "A-BELEDIYE": uuid of the Belediye's open task on talep A, ...


def _tamamla(db, motor, kayit: Kayit, talep_id, kod, veri):
    from engine.models import HumanTask
    with db.unit_of_work() as s:
        uuid = s.scalars(select(HumanTask.task_uuid).where(HumanTask.talep_id == talep_id, HumanTask.durum == "acik",
                                                           HumanTask.birim_id == kayit.birim[kod])).one()
        motor.gorev_tamamla(s, uuid, kayit.actor(kod), veri)


def _kur(ortam: KurumOrtami, il: str, belediye: str) -> tuple[int, int, str]:
    db, kayit, motor = ortam.db, ortam.kayit, Motor()
    talep_id = ortam.talep_ac(aciklama=f"{il} ili için örnek talep metni")
    _tamamla(db, motor, kayit, talep_id, "MIGM", {
        "karar": "yonlendir", "nihai_cevap": None,
        "valilik_yonlendirmeleri": [{"birim_id": kayit.birim[f"VALILIK-{il}"], "oncelik": "normal", "not": "v"}],
        "belediye_yonlendirmeleri": [{"birim_id": kayit.birim[belediye], "oncelik": "normal", "not": "b"}]})
    _tamamla(db, motor, kayit, talep_id, f"VALILIK-{il}",
             {"alt_yonlendirmeler": [{"birim_id": kayit.birim[f"SAGLIK-{il}"], "not": "incele"}]})
    icerik = ornek_pdf() + il.encode()
    sha = YerelDepo(ortam.app.config["UPLOAD_DIR"]).yaz(icerik)
    _tamamla(db, motor, kayit, talep_id, f"SAGLIK-{il}", {
        "islem_notu": f"SAGLIK-{il} tamamladı", "muhtara_acik": False,
        "ekler": [{"sha256": sha, "dosya_adi": f"rapor-{il}.pdf", "icerik_turu": "application/pdf",
                   "boyut": len(icerik), "muhtar_gorur": False}]})
    with db.session() as s:
        ek_id = s.scalars(select(Ek.id).where(Ek.talep_id == talep_id)).one()
    return talep_id, ek_id, ortam.gorev_uuid(talep_id, belediye)


@pytest.fixture
def dunya(make_app, web_database) -> Dunya:
    ortam = kurum_ortami_kur(make_app, web_database)
    a, ek_a, gorev_a = _kur(ortam, "06", "BELEDIYE-06-CANKAYA")
    b, ek_b, gorev_b = _kur(ortam, "35", "BELEDIYE-35-KONAK")
    with ortam.db.session() as s:
        numara = {"A": s.get(Talep, a).numara, "B": s.get(Talep, b).numara}
    return Dunya(ortam, {"A": a, "B": b}, numara, {"A": ek_a, "B": ek_b}, {"A": gorev_a, "B": gorev_b})


#: who may see talep A / B (talep page) and the sub-unit's file on it; the Belediye's task: only that Belediye
GORUR = {
    "A": {"MIGM", "VALILIK-06", "BELEDIYE-06-CANKAYA", "SAGLIK-06"},
    "B": {"MIGM", "VALILIK-35", "BELEDIYE-35-KONAK", "SAGLIK-35"},
}
EK_GORUR = {"A": {"MIGM", "VALILIK-06", "SAGLIK-06"}, "B": {"MIGM", "VALILIK-35", "SAGLIK-35"}}
GOREV_SAHIBI = {"A": "BELEDIYE-06-CANKAYA", "B": "BELEDIYE-35-KONAK"}
#: open tasks: each Belediye, and each Valilik (its only sub-unit is done, so İşlemi tamamla is open)
GELEN = {"A": {"BELEDIYE-06-CANKAYA", "VALILIK-06"}, "B": {"BELEDIYE-35-KONAK", "VALILIK-35"}}


def _istekler(d: Dunya, x: str) -> list[tuple[str, str, str, set[str]]]:
    """(name, method, path, units expecting success) for talep ``x``'s objects."""
    return [
        ("talep", "GET", f"/kurum/talep/{d.talep[x]}", GORUR[x]),
        ("ek", "GET", f"/kurum/ek/{d.ek[x]}", EK_GORUR[x]),
        ("gorev", "POST", f"/kurum/gorev/{d.gorev[x]}", {GOREV_SAHIBI[x]}),
    ]


def _iste(client, yontem, yol, token):
    if yontem == "GET":
        return client.get(yol)
    # an empty form: the owner gets 422 (validation), nobody else may even learn the task exists
    return client.post(yol, data={"csrf_token": token, "islem_notu": ""})


@pytest.mark.parametrize("kod", KULLANICILAR)
def test_matris(dunya, kod):
    client = dunya.ortam.client()
    assert giris_yap(client, kod).status_code == 302
    token = csrf_token(metin(client.get("/kurum/hesap/parola")))
    for x in ("A", "B"):
        for ad, yontem, yol, izinli in _istekler(dunya, x):
            beklenen = (422 if yontem == "POST" else 200) if kod in izinli else 404
            yanit = _iste(client, yontem, yol, token)
            assert yanit.status_code == beklenen, (kod, x, ad, yanit.status_code)
        # lists show only what the unit may see
        gorunur = metin(client.get("/kurum/gorunumler"))
        assert (dunya.numara[x] in gorunur) == (kod in GORUR[x]), (kod, x, "gorunumler")
        gelen = metin(client.get("/kurum/gelen-kutusu"))
        assert (dunya.numara[x] in gelen) == (kod in GELEN[x]), (kod, x, "gelen")
        tamam = metin(client.get("/kurum/tamamlanan"))
        assert (dunya.numara[x] in tamam) == (kod in {"MIGM", f"VALILIK-{'06' if x == 'A' else '35'}",
                                                       f"SAGLIK-{'06' if x == 'A' else '35'}"}), (kod, x, "tamam")
    # administration: MİGM's "yonetici" only
    beklenen = 200 if kod == "MIGM" else 403
    assert client.get("/kurum/yonetim/kullanicilar").status_code == beklenen
    assert client.post("/kurum/yonetim/kullanicilar/1/kilit-ac", data={"csrf_token": token}).status_code \
        == (303 if kod == "MIGM" else 403)


def test_notlar_birime_gore(dunya):
    """What each unit reads on talep A: MİGM all; the Valilik its note, its sub-unit's answer and the
    Belediye's state; the Belediye its own note only; the sub-unit what was forwarded to it."""
    sayfalar = {}
    for kod in ("MIGM", "VALILIK-06", "BELEDIYE-06-CANKAYA", "SAGLIK-06"):
        client = dunya.ortam.client()
        giris_yap(client, kod)
        sayfalar[kod] = metin(client.get(f"/kurum/talep/{dunya.talep['A']}"))
    m, v, b, s = (sayfalar[k] for k in ("MIGM", "VALILIK-06", "BELEDIYE-06-CANKAYA", "SAGLIK-06"))
    assert "SAGLIK-06 tamamladı" in m and "rapor-06.pdf" in m and "incele" in m
    assert "SAGLIK-06 tamamladı" in v and "rapor-06.pdf" in v and "Çankaya Belediyesi" in v
    assert "SAGLIK-06 tamamladı" not in b and "rapor-06.pdf" not in b and "Ankara İl Sağlık" not in b
    assert "incele" in s and "SAGLIK-06 tamamladı" in s and "rapor-06.pdf" in s
    assert "Çankaya Belediyesi" not in s and "Yönlendirme notu</dt><dd class=\"metin\">v<" not in s
    # the phone is masked unless the unit has an open task on the talep
    assert "+905321234512" in b and "+905321234512" not in m and "05** *** ** 12" in m


def test_belediye_yonlendiremez(dunya):
    """A Belediye's only task is İşlemi tamamla: sub-unit routing it posts is not a field of that form and
    never reaches the engine; the Valilik's routing task is not its own (404)."""
    o = dunya.ortam
    client = o.client()
    giris_yap(client, "BELEDIYE-06-CANKAYA")
    html = metin(client.get(f"/kurum/talep/{dunya.talep['A']}"))
    assert "alt_yonlendirmeler" not in html and "SEÇİLEN ALT BİRİMLERE" not in html
    yanit = client.post(f"/kurum/gorev/{dunya.gorev['A']}", data={
        "csrf_token": csrf_token(html), "islem_notu": "Tamamlandı.", "alt_yonlendirmeler": [str(o.kayit.birim["MEB-06"])],
        f"alt_yonlendirmeler.{o.kayit.birim['MEB-06']}.not": "x", "valilik_yonlendirmeleri": "2"})
    assert yanit.status_code == 303
    with o.db.session() as s:
        birimler = set(s.scalars(select(Yonlendirme.birim_id).where(Yonlendirme.talep_id == dunya.talep["A"])))
    assert o.kayit.birim["MEB-06"] not in birimler


def test_valilik_baska_ilin_alt_birimini_secemez(make_app, web_database):
    o = kurum_ortami_kur(make_app, web_database)
    talep_id = o.talep_ac()
    _tamamla(o.db, Motor(), o.kayit, talep_id, "MIGM", {
        "karar": "yonlendir", "nihai_cevap": None, "belediye_yonlendirmeleri": [],
        "valilik_yonlendirmeleri": [{"birim_id": o.kayit.birim["VALILIK-06"], "oncelik": "acil", "not": ""}]})
    client = o.client()
    giris_yap(client, "VALILIK-06")
    html = metin(client.get(f"/kurum/talep/{talep_id}"))
    assert "İzmir İl Sağlık Müdürlüğü" not in html
    yabanci = o.kayit.birim["SAGLIK-35"]
    yanit = client.post(f"/kurum/gorev/{o.gorev_uuid(talep_id, 'VALILIK-06')}", data={
        "csrf_token": csrf_token(html), "islem": "alt_birim", "alt_yonlendirmeler": [str(yabanci)]})
    assert yanit.status_code == 422 and "bu işlem için seçilemez" in metin(yanit)
    assert o.acik_gorevler(talep_id) == [("Task_UzerineAl", "VALILIK-06")]


def test_muhtar_oturumu_kurum_sayfalarini_acamaz(dunya):
    from flask_login.utils import _create_identifier
    client = dunya.ortam.client()
    with dunya.ortam.app.test_request_context(environ_base=client.environ_base):
        kimlik = _create_identifier()  # what Flask-Login's "strong" protection expects of this client
    with client.session_transaction() as oturum:
        oturum.update({"_user_id": f"m:{dunya.ortam.kayit.muhtar_id}:0", "_fresh": True, "_id": kimlik})
    assert client.get("/kurum/gelen-kutusu").status_code == 403
    for yol in _kurum_yollari(dunya):
        yanit = client.get(yol) if not yol.startswith("POST ") else client.post(yol[5:])
        assert yanit.status_code in (403, 400), (yol, yanit.status_code)  # 400: CSRF before the view


def test_oturumsuz_giris_sayfasina(dunya):
    client = dunya.ortam.client()
    for yol in _kurum_yollari(dunya):
        if yol.startswith("POST "):
            continue
        yanit = client.get(yol)
        assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"], yol


def _kurum_yollari(d: Dunya) -> list[str]:
    return ["/kurum/", "/kurum/gelen-kutusu", "/kurum/gorunumler", "/kurum/tamamlanan",
            f"/kurum/talep/{d.talep['A']}", f"/kurum/ek/{d.ek['A']}", "/kurum/hesap/parola",
            "/kurum/hesap/iki-asamali", "/kurum/yonetim/kullanicilar", f"POST /kurum/gorev/{d.gorev['A']}"]


def test_her_kurum_rotasi_tabloda(dunya):
    """A new kurum route must be added to the matrix above (or to the public list here)."""
    kapsanan = {"/kurum/", "/kurum/gelen-kutusu", "/kurum/gorunumler", "/kurum/tamamlanan",
                "/kurum/talep/<int:talep_id>", "/kurum/ek/<int:ek_id>", "/kurum/gorev/<task_uuid>",
                "/kurum/hesap/parola", "/kurum/hesap/iki-asamali", "/kurum/yonetim/kullanicilar",
                "/kurum/yonetim/kullanicilar/<int:kullanici_id>/<islem>",
                # public: the login steps and logout
                "/kurum/giris", "/kurum/giris/dogrulama", "/kurum/cikis"}
    # The muhtar registry (/kurum/muhtarlar, blueprint "kayit") has its own matrix: test_kayit_yetki.py;
    # so have the reports (/kurum/raporlar, blueprint "raporlar"): test_raporlar.py, and the process
    # versions (/kurum/surecler, blueprint "surecler"): test_surecler.py.
    rotalar = {r.rule for r in dunya.ortam.app.url_map.iter_rules()
               if r.rule.startswith("/kurum") and not r.endpoint.startswith(("kayit.", "raporlar.", "surecler."))}
    assert rotalar == kapsanan


def test_yonetici_olmayan_migm_kullanicisi(dunya):
    with dunya.ortam.db.unit_of_work() as s:
        s.add(Kullanici(kullanici_adi="analist", ad_soyad="Analist", parola_hash=parola_hash(),
                        birim_id=dunya.ortam.kayit.birim["MIGM"], yetkiler="analist"))
    client = dunya.ortam.client()
    giris_yap(client, "analist")
    assert client.get("/kurum/yonetim/kullanicilar").status_code == 403
    assert client.get(f"/kurum/talep/{dunya.talep['B']}").status_code == 200
