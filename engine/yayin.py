"""Deploying process versions: a checked, audited action; roll-back; the version list; diff summaries.

A deployment is refused with the full list of problems (``SurumReddedildi``) and then changes nothing: the
files are checked (names, sizes, safe XML, SpiffWorkflow's parser and BPMN/DMN schema, our lint in
``engine.dogrulama``) before anything is written. An accepted deployment writes the version (once per set of
files, ``engine.surecler.surum_yukle``), makes it current and logs a ``surum_kaydi`` row with who, when, the
hash and what changed against the version that was current: all in the caller's transaction.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.dogrulama import dosyalari_dogrula
from engine.errors import GecersizVeri, SurecHatasi
from engine.models import ProcessInstance, ProcessVersion, SurumKaydi, utcnow
from engine.surecler import PROCESS_ID, dosyalar_sha256, guncel_yap, guvenli_xml, surum_yukle

#: a process file's name: letters, digits, "_", "-", "." and the .bpmn or .dmn extension
DOSYA_ADI = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}\.(bpmn|dmn)$")
DOSYA_EN_BUYUK = 1024 * 1024
EN_COK_DOSYA = 20
#: the diagram (layout) namespaces: a change there moves shapes, not behaviour
DI_NS = {"http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
         "http://www.omg.org/spec/DD/20100524/DI", "https://www.omg.org/spec/DMN/20191111/DMNDI/",
         "http://www.omg.org/spec/DMN/20180521/DMNDI/", "http://www.omg.org/spec/DMN/20180521/DC/",
         "http://www.omg.org/spec/DMN/20180521/DI/"}


class SurumReddedildi(SurecHatasi):
    """The files were refused; ``sorunlar`` lists every problem (by element id and name)."""
    mesaj = "Süreç dosyaları kabul edilmedi; hiçbir şey değişmedi."

    def __init__(self, sorunlar: list[str]):
        self.sorunlar = list(sorunlar)
        super().__init__(detay="; ".join(self.sorunlar))


@dataclass
class YayinSonucu:
    surum: ProcessVersion
    #: yukleme (new version), geri_alma (an existing earlier version made current), degisiklik_yok
    islem: str
    ozet: dict = field(default_factory=dict)
    kayit: SurumKaydi | None = None


# --- checks -----------------------------------------------------------------------------------------------

def dosya_sorunlari(files: dict[str, str]) -> list[str]:
    """Names, count and sizes: what is refused before any XML is read."""
    out = []
    if not files:
        return ["Hiç dosya yok."]
    if len(files) > EN_COK_DOSYA:
        out.append(f"En çok {EN_COK_DOSYA} dosya yüklenebilir ({len(files)} dosya verildi).")
    for ad, metin in sorted(files.items()):
        if not DOSYA_ADI.match(ad or ""):
            out.append(f"{ad!r}: dosya adı geçersiz (harf, rakam, _ - . ve .bpmn ya da .dmn uzantısı).")
        if not isinstance(metin, str):
            out.append(f"{ad}: metin dosyası değil.")
        elif len(metin.encode("utf-8")) > DOSYA_EN_BUYUK:
            out.append(f"{ad}: dosya {DOSYA_EN_BUYUK // 1024} KB sınırını aşıyor.")
    return out


def surum_denetle(files: dict[str, str], form_keys: set[str], servis_adlari: set[str]) -> list[str]:
    """Every problem of the set of files; an empty list means it may be deployed."""
    return dosya_sorunlari(files) or dosyalari_dogrula(files, form_keys, servis_adlari)


def metin_coz(ad: str, veri: bytes) -> str:
    """An uploaded file's bytes as text (UTF-8, optional BOM), or GecersizVeri."""
    if len(veri) > DOSYA_EN_BUYUK:
        raise GecersizVeri(f"{ad}: dosya {DOSYA_EN_BUYUK // 1024} KB sınırını aşıyor.")
    try:
        return veri.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise GecersizVeri(f"{ad}: UTF-8 metin değil.") from err


# --- diff summary -----------------------------------------------------------------------------------------

#: the namespaces whose elements are reported by id (extension elements such as spiffworkflow:parameter have
#: ids that are unique only within their task: they count as part of it)
MODEL_NS = {"http://www.omg.org/spec/BPMN/20100524/MODEL", "https://www.omg.org/spec/DMN/20191111/MODEL/",
            "http://www.omg.org/spec/DMN/20180521/MODEL/", "http://www.omg.org/spec/DMN/20151101/dmn.xsd"}


def _model_ogesi(el) -> bool:
    return isinstance(el.tag, str) and bool(el.get("id")) and etree.QName(el).namespace in MODEL_NS


def _di_mi(el) -> bool:
    return isinstance(el.tag, str) and etree.QName(el).namespace in DI_NS


def _temizle(el) -> None:
    """Drop comments and whitespace-only text so formatting is no change."""
    for e in list(el.iter()):
        if not isinstance(e.tag, str):
            parent = e.getparent()
            if parent is not None:
                if e.tail and e.tail.strip():
                    onceki = e.getprevious()
                    if onceki is not None:
                        onceki.tail = (onceki.tail or "") + e.tail
                    else:
                        parent.text = (parent.text or "") + e.tail
                parent.remove(e)
            continue
        e.text = e.text.strip() if e.text and e.text.strip() else None
        e.tail = None


def _ogeler(files: dict[str, str]) -> tuple[dict[str, tuple[str, bytes]], dict[str, bytes]]:
    """{element id: (label, signature)} of the model elements, and {file: signature of its diagram part}.

    An element's signature is its canonical XML without the descendants that have ids of their own (they are
    compared on their own), so a changed condition shows on its flow, not on the whole process."""
    ogeler: dict[str, tuple[str, bytes]] = {}
    diyagramlar: dict[str, bytes] = {}
    for ad, metin in sorted(files.items()):
        root = copy.deepcopy(guvenli_xml(metin, ad))
        _temizle(root)
        di = [e for e in root.iter() if _di_mi(e) and not _di_mi(e.getparent())]
        diyagramlar[ad] = b"".join(etree.tostring(e, method="c14n") for e in di)
        for e in di:
            e.getparent().remove(e)
        for el in root.iter():
            if not _model_ogesi(el):
                continue
            kimlik = el.get("id")
            kopya = copy.deepcopy(el)
            for alt in [a for a in kopya.iter() if a is not kopya and _model_ogesi(a)]:
                if alt.getparent() is not None:
                    alt.getparent().remove(alt)
            adi = el.get("name") or el.get("label")
            ogeler[kimlik] = (f"{kimlik} ({adi})" if adi else kimlik, etree.tostring(kopya, method="c14n"))
    return ogeler, diyagramlar


def fark_ozeti(eski: dict[str, str] | None, yeni: dict[str, str]) -> dict:
    """Added, removed and changed element ids (with names), files added/removed, and whether the layout
    changed, between two sets of process files."""
    if eski is None:
        return {"ilk": True, "eklenen": [], "silinen": [], "degisen": [], "dosya_eklenen": sorted(yeni),
                "dosya_silinen": [], "diyagram": False}
    e_ogeler, e_di = _ogeler(eski)
    y_ogeler, y_di = _ogeler(yeni)
    return {
        "eklenen": sorted(y_ogeler[k][0] for k in y_ogeler.keys() - e_ogeler.keys()),
        "silinen": sorted(e_ogeler[k][0] for k in e_ogeler.keys() - y_ogeler.keys()),
        "degisen": sorted(y_ogeler[k][0] for k in y_ogeler.keys() & e_ogeler.keys()
                          if y_ogeler[k][1] != e_ogeler[k][1]),
        "dosya_eklenen": sorted(yeni.keys() - eski.keys()),
        "dosya_silinen": sorted(eski.keys() - yeni.keys()),
        "diyagram": any(e_di.get(ad) != y_di.get(ad) for ad in yeni.keys() & eski.keys()),
    }


def ozet_metni(ozet: dict) -> str:
    """One line for the CLI and the log."""
    if ozet.get("ilk"):
        return "ilk sürüm"
    parcalar = [f"{len(ozet.get(k, []))} {ad}" for k, ad in (("eklenen", "eklenen"), ("silinen", "silinen"),
                                                             ("degisen", "değişen"))]
    if ozet.get("dosya_eklenen") or ozet.get("dosya_silinen"):
        parcalar.append("dosyalar: +" + ",".join(ozet.get("dosya_eklenen", [])) + " -"
                        + ",".join(ozet.get("dosya_silinen", [])))
    if ozet.get("diyagram"):
        parcalar.append("diyagram düzeni değişti")
    return "öğe: " + ", ".join(parcalar)


# --- deploy and roll back ---------------------------------------------------------------------------------

def guncel_veya_yok(session: Session, process_id: str) -> ProcessVersion | None:
    return session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                        ProcessVersion.current.is_(True))).first()


def _kaydet(session: Session, surum: ProcessVersion, islem: str, kullanici: str, kullanici_id: int | None,
            onceki: ProcessVersion | None, ozet: dict) -> SurumKaydi:
    kayit = SurumKaydi(process_id=surum.process_id, version_id=surum.id, islem=islem, kullanici=kullanici[:64],
                       kullanici_id=kullanici_id, zaman=utcnow(), sha256=surum.sha256,
                       onceki_version_id=onceki.id if onceki else None, ozet=ozet)
    session.add(kayit)
    session.flush()
    return kayit


def surum_yayinla(session: Session, files: dict[str, str], kullanici: str, *, form_keys: set[str],
                  servis_adlari: set[str], kullanici_id: int | None = None,
                  process_id: str = PROCESS_ID) -> YayinSonucu:
    """Check the files and deploy them as the current version, audited. Raises SurumReddedildi (nothing
    written). The same files as the current version change nothing; the files of an earlier version make
    that version current again (logged as a roll-back)."""
    sorunlar = surum_denetle(files, form_keys, servis_adlari)
    if sorunlar:
        raise SurumReddedildi(sorunlar)
    onceki = guncel_veya_yok(session, process_id)
    sha = dosyalar_sha256(files)
    if onceki is not None and onceki.sha256 == sha:
        return YayinSonucu(onceki, "degisiklik_yok", {})
    var_olan = session.scalars(select(ProcessVersion.id).where(
        ProcessVersion.process_id == process_id, ProcessVersion.sha256 == sha)).first()
    ozet = fark_ozeti(onceki.files if onceki else None, files)
    surum = surum_yukle(session, files, kullanici[:64], process_id)
    islem = "geri_alma" if var_olan is not None else "yukleme"
    return YayinSonucu(surum, islem, ozet, _kaydet(session, surum, islem, kullanici, kullanici_id, onceki, ozet))


def geri_al(session: Session, surum_id: int, kullanici: str, kullanici_id: int | None = None) -> YayinSonucu:
    """Make an earlier (or any other) version current again: new talepler start on it; running ones stay."""
    surum = session.get(ProcessVersion, surum_id)
    if surum is None:
        raise GecersizVeri(f"{surum_id} numaralı süreç sürümü yok.")
    onceki = guncel_veya_yok(session, surum.process_id)
    if onceki is not None and onceki.id == surum.id:
        return YayinSonucu(surum, "degisiklik_yok", {})
    ozet = fark_ozeti(onceki.files if onceki else None, surum.files)
    guncel_yap(session, surum)
    return YayinSonucu(surum, "geri_alma", ozet,
                       _kaydet(session, surum, "geri_alma", kullanici, kullanici_id, onceki, ozet))


# --- lists ------------------------------------------------------------------------------------------------

@dataclass
class SurumSatiri:
    surum: ProcessVersion
    #: talepler whose process runs on this version now
    calisan: int
    #: all talepler ever started on it (or migrated to it)
    toplam: int


def surum_listesi(session: Session, process_id: str = PROCESS_ID) -> list[SurumSatiri]:
    """Every version of the process, newest first, with its running and total instance counts (one query)."""
    calisan = func.count(ProcessInstance.id).filter(ProcessInstance.status == "calisiyor")
    sayilar = dict((vid, (c, t)) for vid, c, t in session.execute(
        select(ProcessInstance.version_id, calisan, func.count(ProcessInstance.id))
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessVersion.process_id == process_id).group_by(ProcessInstance.version_id)))
    surumler = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                               .order_by(ProcessVersion.id.desc()))
    return [SurumSatiri(v, *sayilar.get(v.id, (0, 0))) for v in surumler]


def son_kayitlar(session: Session, process_id: str = PROCESS_ID, limit: int = 50) -> list[SurumKaydi]:
    return list(session.scalars(select(SurumKaydi).where(SurumKaydi.process_id == process_id)
                                .order_by(SurumKaydi.zaman.desc(), SurumKaydi.id.desc()).limit(limit)))
