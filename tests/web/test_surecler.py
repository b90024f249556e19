"""The Süreçler section (issue 5) through the web pages: analysts only; upload refused with its problems and
nothing changed; roll-back; migration of a waiting talep; the editor's validate/deploy endpoints; the
suggestion on MİGM's Yönlendir form; the diagram on the talep page. Done means: an analyst changes a routing
rule in the editor, deploys it, the next talep follows it while a running one finishes on its old version."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select, update

from engine.models import Kullanici, ProcessInstance, ProcessVersion, SurumKaydi, Talep, Yonlendirme
from tests.engine.conftest import ROOT

from .kurum_yardim import (_hizli_hash_yukseltilmez, bildirimler, gorev_gonder, kurum, metin,  # noqa: F401
                           oturumlu, talep_sayfasi, yonlendirme_verisi)

BPMN = (ROOT / "processes" / "talep_sureci.bpmn").read_text(encoding="utf-8")
IHBAR = "Mahallede gece geç saatlerde kaçak kazı yapıldığını ihbar ediyorum."


@pytest.fixture
def analist(kurum):
    """MİGM's user gets the analist permission (next to yonetici)."""
    with kurum.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "migm").values(yetkiler="yonetici analist"))
    return oturumlu(kurum, "MIGM")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _veri(html: str, kimlik: str) -> dict:
    return json.loads(re.search(rf'<script type="application/json" id="{kimlik}">(.*?)</script>', html, re.S).group(1))


def _sayilar(db):
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(ProcessVersion)),
                s.scalar(select(func.count()).select_from(SurumKaydi)),
                s.scalar(select(ProcessVersion.id).where(ProcessVersion.current.is_(True))))


def _yukle(client, dosyalar: dict[str, str], tam=False):
    sayfa = metin(client.get("/kurum/surecler/"))
    veri = {"csrf_token": _csrf(sayfa), "dosyalar": [(io.BytesIO(t.encode()), ad) for ad, t in dosyalar.items()]}
    if tam:
        veri["tam"] = "1"
    return client.post("/kurum/surecler/yukle", data=veri, content_type="multipart/form-data")


def _editor(client, yol: str, xml: str):
    veri = _veri(metin(client.get("/kurum/surecler/duzenle")), "duzenleyici-verisi")
    return client.post(yol, json={"xml": xml}, headers={"X-CSRFToken": veri["csrf"]})


def test_yalniz_analist(kurum, analist):
    assert analist.get("/kurum/surecler/").status_code == 200
    for kod in ("VALILIK-06", "BELEDIYE-06-CANKAYA"):
        c = oturumlu(kurum, kod)
        for yol in ("/kurum/surecler/", "/kurum/surecler/1", "/kurum/surecler/duzenle", "/kurum/surecler/1/dosya/oneri.dmn"):
            assert c.get(yol).status_code == 403, yol
        assert c.post("/kurum/surecler/1/guncel-yap", data={"csrf_token": _csrf(metin(c.get("/kurum/gelen-kutusu")))}
                      ).status_code == 403
        assert "Süreçler</a>" not in metin(c.get("/kurum/gelen-kutusu"))
    yanit = kurum.client().get("/kurum/surecler/")
    assert yanit.status_code == 302 and "/kurum/giris" in yanit.headers["Location"]
    assert "Süreçler</a>" in metin(analist.get("/kurum/gelen-kutusu"))


def test_surum_listesi_yukleme_ve_ret(kurum, analist):
    talep_id = kurum.talep_ac()
    sayfa = metin(analist.get("/kurum/surecler/"))
    assert "Sürüm 1" in sayfa and "Güncel" in sayfa and "test" in sayfa
    with kurum.db.session() as s:
        sha = s.get(ProcessVersion, 1).sha256
    assert sha[:12] in sayfa

    # broken uploads: each refused with its reason, nothing changed
    once = _sayilar(kurum.db)
    xxe = BPMN.replace('<?xml version="1.0" encoding="UTF-8"?>',
                       '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    for dosyalar, neden in [
        ({"talep_sureci.bpmn": xxe}, "DOCTYPE/varlık (entity) tanımı içeren dosyalar kabul edilmez"),
        ({"talep_sureci.bpmn": BPMN.replace('name="Belediye">', 'name="Muhtarlık">', 1)},
         "kullanıcı görevi bilinen bir kulvarda değil"),
        ({"talep_sureci.bpmn": BPMN.replace('value="surec_tamamla"', 'value="yok_form"')}, "'yok_form' formu forms/ içinde yok"),
        ({"talep_sureci.bpmn": BPMN.replace("len(valilik_yonlendirmeleri) &gt; 0", "len(valilik_yonlendirmeleri) &gt;")},
         "Gateway_BirimAyrim (Hangi birimler?): koşul"),
        ({"talep_sureci.bpmn": BPMN.replace(">yonlendirme_onerisi<", ">yok_karar<")}, "'yok_karar' kararı hiçbir DMN"),
        ({"talep_sureci.bpmn": BPMN}, None),  # with "tam": the DMN is missing
        ({"notlar.txt": "x"}, "dosya adı geçersiz"),
    ]:
        yanit = _yukle(analist, dosyalar, tam=neden is None)
        html = metin(yanit)
        assert yanit.status_code == 422, html[:300]
        assert "hiçbir şey değişmedi" in html
        assert (neden or "'yonlendirme_onerisi' kararı hiçbir DMN") in html.replace("&#39;", "'"), neden
        assert _sayilar(kurum.db) == once

    # a valid upload (one file replaces its namesake; the DMN stays) becomes current and is audited
    yeni = BPMN.replace("numaralı talebiniz sonuçlanmıştır", "numaralı talebiniz cevaplanmıştır")
    yanit = _yukle(analist, {"talep_sureci.bpmn": yeni})
    assert yanit.status_code == 303
    sayfa = metin(analist.get("/kurum/surecler/"))
    assert "Sürüm 2 yüklendi ve güncel yapıldı" in sayfa
    assert "Değişen: Task_SonucSms (Sonuç SMS&#39;i gönder)" in sayfa and "migm" in sayfa
    with kurum.db.session() as s:
        assert sorted(s.get(ProcessVersion, 2).files) == ["oneri.dmn", "talep_sureci.bpmn"]
        k = s.scalars(select(SurumKaydi)).one()
        assert (k.kullanici, k.islem, k.onceki_version_id, k.version_id) == ("migm", "yukleme", 1, 2)
    # the same files again: nothing changes
    assert _yukle(analist, {"talep_sureci.bpmn": yeni}).status_code == 303
    assert "aynı; hiçbir şey değişmedi" in metin(analist.get("/kurum/surecler/"))

    # the version page: the running talep of version 1 may move to version 2; move it
    sayfa = metin(analist.get("/kurum/surecler/1"))
    assert "Değişen: Task_SonucSms" in sayfa and f'name="talep" value="{talep_id}"' in sayfa
    yanit = analist.post("/kurum/surecler/1/tasi", data={"csrf_token": _csrf(sayfa), "talep": [str(talep_id)]},
                         follow_redirects=True)
    assert "1 talep sürüm 2&#39;e taşındı" in metin(yanit)
    with kurum.db.session() as s:
        assert s.get(ProcessInstance, s.get(Talep, talep_id).instance_id).version_id == 2
    assert "Bu sürümde çalışan talep yok." in metin(analist.get("/kurum/surecler/1"))

    # roll back to version 1; a file download for desktop modelers
    sayfa = metin(analist.get("/kurum/surecler/"))
    yanit = analist.post("/kurum/surecler/1/guncel-yap", data={"csrf_token": _csrf(sayfa)}, follow_redirects=True)
    assert "Sürüm 1 güncel yapıldı" in metin(yanit)
    assert _sayilar(kurum.db)[2] == 1
    yanit = analist.get("/kurum/surecler/1/dosya/oneri.dmn")
    assert yanit.status_code == 200 and b"yonlendirme_onerisi" in yanit.data and "attachment" in yanit.headers[
        "Content-Disposition"]
    assert analist.get("/kurum/surecler/1/dosya/yok.dmn").status_code == 404
    assert analist.get("/kurum/surecler/99").status_code == 404


def test_tasima_guvenli_degilse_reddedilir(kurum, analist):
    talep_id = kurum.talep_ac()
    # version 2 changes the decision table: the waiting talep's completed decision task changed
    dmn = (ROOT / "processes" / "oneri.dmn").read_text(encoding="utf-8").replace(
        '<outputEntry id="Rule_Ihbar_Birim"><text>"VALILIK"</text>', '<outputEntry id="Rule_Ihbar_Birim"><text>"BELEDIYE"</text>')
    assert _yukle(analist, {"oneri.dmn": dmn}).status_code == 303
    sayfa = metin(analist.get("/kurum/surecler/1"))
    assert "Hayır: Task_Oneri (Yönlendirme önerisi): tamamlanmış görevin tanımı yeni sürümde değişmiş." in sayfa
    assert f'name="talep" value="{talep_id}"' not in sayfa  # not offered
    yanit = analist.post("/kurum/surecler/1/tasi", data={"csrf_token": _csrf(sayfa), "talep": [str(talep_id)]},
                         follow_redirects=True)
    assert "taşınamaz: Task_Oneri" in metin(yanit)
    with kurum.db.session() as s:
        assert s.get(ProcessInstance, s.get(Talep, talep_id).instance_id).version_id == 1


def test_editor_dogrula_ve_yukle(kurum, analist):
    sayfa = metin(analist.get("/kurum/surecler/duzenle"))
    veri = _veri(sayfa, "duzenleyici-verisi")
    assert veri["surum"] == 1 and veri["dosya"] == "talep_sureci.bpmn" and "yonlendir" in veri["formlar"]
    assert "sms/gonder" in veri["servisler"] and veri["roller"]["MİGM"] == "MIGM"
    yanit = analist.get("/kurum/surecler/duzenle")
    # the site's strict CSP holds on the editor too (bpmn-js needs no inline style)
    assert "style-src 'self';" in yanit.headers["Content-Security-Policy"]
    assert "script-src 'self';" in yanit.headers["Content-Security-Policy"]
    assert all('src="/static/' in e for e in sayfa.split("<script")[1:] if not e.startswith(' type="application/json"'))
    assert analist.get(veri["xml"]).data.decode() == BPMN

    assert _editor(analist, "/kurum/surecler/duzenle/dogrula", BPMN).get_json() == {"gecerli": True, "sorunlar": []}
    bozuk = BPMN.replace('name="formKey" value="islem_tamamla"', 'name="formKey" value="yok"', 1)
    sonuc = _editor(analist, "/kurum/surecler/duzenle/dogrula", bozuk).get_json()
    assert not sonuc["gecerli"] and any("'yok' formu forms/ içinde yok" in s for s in sonuc["sorunlar"])
    yanit = _editor(analist, "/kurum/surecler/duzenle/yukle", bozuk)
    assert yanit.status_code == 422 and _sayilar(kurum.db) == (1, 0, 1)
    # without the CSRF header: refused
    assert analist.post("/kurum/surecler/duzenle/yukle", json={"xml": BPMN}).status_code == 400
    assert _sayilar(kurum.db) == (1, 0, 1)


def test_bitti_analist_editorde_kurali_degistirir(kurum, analist):
    """Done means: the analyst changes a routing rule in the editor and deploys it; the next talep follows it,
    the running one finishes on its old version; no Python file changed."""
    migm = analist
    eski = kurum.talep_ac(aciklama=IHBAR, tur="ihbar")
    # the rule: acil parts are due in 1 day instead of 3 (BPMN data edited in the modeler)
    yeni_xml = BPMN.replace('{&quot;acil&quot;: 3, &quot;yuksek&quot;: 7', '{&quot;acil&quot;: 1, &quot;yuksek&quot;: 7', 1)
    sonuc = _editor(migm, "/kurum/surecler/duzenle/yukle", yeni_xml).get_json()
    assert sonuc["gecerli"] and sonuc["surum"] == 2 and sonuc["islem"] == "yukleme"
    assert "Task_YonlendirmeKaydet (Yönlendirmeleri kaydet)" in sonuc["ozet"]["degisen"]
    yeni = kurum.talep_ac(aciklama=IHBAR, tur="ihbar")

    for talep_id, gun in ((eski, 3), (yeni, 1)):
        sayfa = metin(talep_sayfasi(migm, talep_id))
        # the suggestion: ihbar -> acil, Valilik; the talep's il's Valilik comes pre-selected at acil
        assert 'id="yonlendirme-onerisi"' in sayfa and "öncelik Acil" in sayfa and "Valilik" in sayfa
        vid = kurum.kayit.birim["VALILIK-06"]
        assert re.search(rf'name="valilik_yonlendirmeleri" value="{vid}"[^>]*checked', sayfa)
        assert re.search(rf'name="valilik_yonlendirmeleri\.{vid}\.oncelik".*?<option value="acil" selected', sayfa, re.S)
        yanit = gorev_gonder(kurum, migm, talep_id, "MIGM", yonlendirme_verisi(kurum, ["VALILIK-06"], oncelik="acil"))
        assert "Talep işlendi." in bildirimler(metin(yanit))
        with kurum.db.session() as s:
            part = s.scalars(select(Yonlendirme).where(Yonlendirme.talep_id == talep_id)).one()
            assert (part.son_tarih - part.olusturma).days == gun
    valilik = oturumlu(kurum, "VALILIK-06")
    for talep_id in (eski, yeni):
        gorev_gonder(kurum, valilik, talep_id, "VALILIK-06", {"islem": "uzerine_al"})
        gorev_gonder(kurum, valilik, talep_id, "VALILIK-06", {"islem_notu": "Gereği yapıldı."})
        yanit = gorev_gonder(kurum, migm, talep_id, "MIGM", {"nihai_cevap": "Talebiniz sonuçlandı.", "tamamlama_onayi": "1"})
        assert yanit.status_code == 200
    with kurum.db.session() as s:
        for talep_id, surum in ((eski, 1), (yeni, 2)):
            t = s.get(Talep, talep_id)
            assert t.durum == "sonuclanan" and s.get(ProcessInstance, t.instance_id).version_id == surum


def test_talep_sayfasinda_diyagram(kurum, analist):
    talep_id = kurum.talep_ac(aciklama="Sokağımızdaki su borusu patladı, yol göle döndü.")
    migm = analist
    sayfa = metin(talep_sayfasi(migm, talep_id))
    veri = _veri(sayfa, "surec-diyagrami-verisi")
    durumlar = {o["id"]: (o["durum"], o["birimler"]) for o in veri["ogeler"]}
    assert durumlar["Task_Yonlendir"] == ("aktif", ["Mahalli İdareler Genel Müdürlüğü"])
    assert durumlar["Task_Oneri"][0] == durumlar["Task_TalepKaydet"][0] == "tamamlandi"
    assert veri["surum"] == 1 and migm.get(veri["xml"]).status_code == 200
    gorev_gonder(kurum, migm, talep_id, "MIGM",
                 yonlendirme_verisi(kurum, ["VALILIK-06"], ["BELEDIYE-06-CANKAYA"], oncelik="yuksek"))
    # the Belediye sees the diagram of its talep: its own unit by name, the Valilik's not
    belediye = oturumlu(kurum, "BELEDIYE-06-CANKAYA")
    veri = _veri(metin(talep_sayfasi(belediye, talep_id)), "surec-diyagrami-verisi")
    durumlar = {o["id"]: (o["durum"], o["birimler"]) for o in veri["ogeler"]}
    assert durumlar["Task_BelediyeTamamla"] == ("aktif", ["Çankaya Belediyesi"])
    assert durumlar["Task_UzerineAl"] == ("aktif", ["başka birim"])
    assert durumlar["Task_Yonlendir"][0] == "tamamlandi"
    assert belediye.get(veri["xml"]).status_code == 200  # any kurum user may load the diagram
    html = metin(talep_sayfasi(belediye, talep_id))
    assert "yonlendirme-onerisi" not in html  # the suggestion is MİGM's
    assert all('src="/static/' in e for e in html.split("<script")[1:] if not e.startswith(' type="application/json"'))


def test_her_surec_rotasi_kapsaniyor(kurum):
    """Every /kurum/surecler route is in the analyst-only check above, or is the diagram (any kurum user)."""
    rotalar = {r.rule for r in kurum.app.url_map.iter_rules() if r.endpoint.startswith("surecler.")}
    assert rotalar == {"/kurum/surecler/", "/kurum/surecler/yukle", "/kurum/surecler/<int:surum_id>",
                       "/kurum/surecler/<int:surum_id>/guncel-yap", "/kurum/surecler/<int:surum_id>/tasi",
                       "/kurum/surecler/<int:surum_id>/dosya/<ad>", "/kurum/surecler/duzenle",
                       "/kurum/surecler/duzenle/dogrula", "/kurum/surecler/duzenle/yukle",
                       "/kurum/surecler/<int:surum_id>/diyagram.bpmn"}
    c = oturumlu(kurum, "BELEDIYE-06-CANKAYA")
    token = _csrf(metin(c.get("/kurum/gelen-kutusu")))
    for yol in ("/kurum/surecler/yukle", "/kurum/surecler/1/tasi", "/kurum/surecler/duzenle/dogrula",
                "/kurum/surecler/duzenle/yukle"):
        assert c.post(yol, data={"csrf_token": token}).status_code == 403, yol
    assert c.get("/kurum/surecler/1/diyagram.bpmn").status_code == 200
    assert kurum.client().get("/kurum/surecler/1/diyagram.bpmn").status_code == 302
