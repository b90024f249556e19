"""The process check refuses broken files with the reason, by element id and name."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.dogrulama import dosyalari_dogrula, form_anahtarlari, surecleri_dogrula
from engine.errors import SurecHatasi
from engine.servisler import VARSAYILAN_SERVISLER
from engine.surecler import guvenli_xml

ROOT = Path(__file__).resolve().parents[2]
BPMN = (ROOT / "processes" / "talep_sureci.bpmn").read_text(encoding="utf-8")
DMN = (ROOT / "processes" / "oneri.dmn").read_text(encoding="utf-8")
FORMLAR = form_anahtarlari(ROOT / "forms")
SERVISLER = set(VARSAYILAN_SERVISLER)
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}


def _dogrula(metin: str) -> list[str]:
    return dosyalari_dogrula({"talep_sureci.bpmn": metin, "oneri.dmn": DMN}, FORMLAR, SERVISLER)


def test_depodaki_surec_gecerli():
    assert surecleri_dogrula(ROOT / "processes", ROOT / "forms") == []


@pytest.mark.parametrize("eski,yeni,beklenen", [
    ('<bpmn:lane id="Lane_Belediye" name="Belediye">', '<bpmn:lane id="Lane_Belediye" name="Muhtarlık">',
     "Task_BelediyeTamamla (İşlemi tamamla (Belediye)): kullanıcı görevi bilinen bir kulvarda değil"),
    ('name="formKey" value="surec_tamamla"', 'name="formKey" value="olmayan_form"',
     "Task_SureciTamamla (Süreci tamamla): 'olmayan_form' formu forms/ içinde yok"),
    ('<spiffworkflow:property name="rol" value="BELEDIYE" />', '<spiffworkflow:property name="rol" value="MIGM" />',
     "rol 'MIGM' bulunduğu 'Belediye' kulvarıyla uyuşmuyor"),
    ("len(belediye_yonlendirmeleri) &gt; 0", "len(belediye_yonlendirmeleri &gt; 0",
     "Gateway_BirimAyrim (Hangi birimler?): koşul"),
    ('id="talep/sonuclandir"', 'id="talep/sil"', "'talep/sil' kayıtlı bir servis işlemi değil"),
    ('name="birim" value="migm_birim_id"', 'name="birim" value="__import__(&quot;os&quot;)"',
     "'birim' ifadesi geçersiz"),
    ('<spiffworkflow:parameter id="cevap" type="str" value="nihai_cevap" />',
     '<spiffworkflow:parameter id="cevap" type="str" value="nihai_cevap.__class__" />',
     "'cevap' parametresi geçersiz: '__class__' özniteliği kullanılamaz"),
])
def test_bozuk_dosya_nedeniyle_reddedilir(eski, yeni, beklenen):
    assert eski in BPMN
    sorunlar = _dogrula(BPMN.replace(eski, yeni, 1))
    assert any(beklenen in s for s in sorunlar), sorunlar


def test_xxe_reddedilir(tmp_path):
    gizli = tmp_path / "gizli.txt"
    gizli.write_text("GIZLI")
    xxe = BPMN.replace('<?xml version="1.0" encoding="UTF-8"?>',
                       f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{gizli}">]>')
    sorunlar = _dogrula(xxe)
    assert len(sorunlar) == 1 and "DOCTYPE" in sorunlar[0]
    with pytest.raises(SurecHatasi):
        guvenli_xml(xxe, "x.bpmn")


def test_bozuk_xml_reddedilir():
    assert "XML okunamadı" in _dogrula(BPMN[:500])[0]


def test_her_oge_diyagramda_cizili():
    """Every flow node and flow has a shape or edge, so the file opens and looks right in a modeler."""
    root = etree.fromstring(BPMN.encode())
    cizili = {e.get("bpmnElement") for e in root.xpath("//bpmndi:BPMNShape|//bpmndi:BPMNEdge", namespaces=NS)}
    ogeler = root.xpath("//bpmn:process//*[self::bpmn:startEvent or self::bpmn:endEvent or self::bpmn:userTask or "
                        "self::bpmn:serviceTask or self::bpmn:exclusiveGateway or self::bpmn:inclusiveGateway or "
                        "self::bpmn:callActivity or self::bpmn:subProcess or self::bpmn:sequenceFlow or "
                        "self::bpmn:lane]", namespaces=NS)
    eksik = [e.get("id") for e in ogeler if e.get("id") not in cizili]
    assert eksik == []
    assert {"Participant_Talep", "Participant_Valilik"} <= cizili
    lanes = {e.get("name") for e in root.xpath("//bpmn:lane", namespaces=NS)}
    assert lanes == {"MİGM", "Valilik", "Belediye", "Alt Birim"}
