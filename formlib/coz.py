"""A submitted form, read and validated against its definition on the server.

Only declared fields are read; fields marked ``yalniz_form`` are checked but not passed on; a field whose
``kosul`` is false takes its empty value. Files are handed to the caller's ``dosya_kaydet`` only after every
other check passed, so a form with a mistake stores nothing.

The request is seen through two small interfaces (``get``/``getlist`` of a form, ``getlist`` of files with
``.filename``), so this module needs no web framework.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from formlib import ifade
from formlib.tanim import Alan, FormTanimi

ONCELIKLER = ("normal", "yuksek", "acil")
NOT_EN_COK = 1000
_KONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class DosyaHatasi(ValueError):
    """A file was refused; ``mesaj`` is shown next to the field."""

    def __init__(self, mesaj: str):
        super().__init__(mesaj)
        self.mesaj = mesaj


class FormBaglami(Protocol):
    """What validation needs from the application."""

    def birimleri_dogrula(self, alan: Alan, idler: list[int]) -> set[int]:
        """The ids among ``idler`` that may be chosen in this field."""

    def dosya_kaydet(self, alan: Alan, dosya) -> dict:
        """Store one uploaded file; return {sha256, dosya_adi, icerik_turu, boyut} or raise DosyaHatasi."""


@dataclass
class FormSonucu:
    #: the data for the engine: declared, non-``yalniz_form`` fields only
    veri: dict = field(default_factory=dict)
    #: every field's parsed value, for showing the form again
    degerler: dict = field(default_factory=dict)
    #: field name -> messages
    hatalar: dict[str, list[str]] = field(default_factory=dict)
    #: messages not tied to one field
    genel_hatalar: list[str] = field(default_factory=list)

    @property
    def gecerli(self) -> bool:
        return not self.hatalar and not self.genel_hatalar

    def hata(self, alan: str | None, mesaj: str) -> None:
        if alan:
            self.hatalar.setdefault(alan, []).append(mesaj)
        else:
            self.genel_hatalar.append(mesaj)


def metni_temizle(deger: str | None) -> str:
    """Trimmed text with Windows line ends unified and control characters (but tab/newline) removed."""
    return _KONTROL.sub("", (deger or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


# --- reading ----------------------------------------------------------------------------------------------

def degerleri_oku(tanim: FormTanimi, form) -> dict:
    """Every non-file field's value as submitted (unvalidated): for validation and for redisplay."""
    return {a.ad: _oku(a, form) for a in tanim.alanlar if a.tur != "dosyalar"}


def _oku(alan: Alan, form):
    if alan.tur in ("metin", "metin_alani"):
        return metni_temizle(form.get(alan.ad)) or None
    if alan.tur in ("secim", "dugme"):
        return form.get(alan.ad) or None
    if alan.tur == "onay":
        return form.get(alan.ad) not in (None, "", "0")
    if alan.tur == "birim_listesi":
        return _birimleri_oku(alan, form)
    raise ValueError(alan.tur)


def _birimleri_oku(alan: Alan, form) -> list[dict]:
    """The ticked units in order, each with its sub-fields (priority, note); duplicates dropped."""
    sonuc, gorulen = [], set()
    for ham in form.getlist(alan.ad):
        # ASCII digits only: "²".isdigit() is true but int("²") fails; 18 digits fit any id column
        if not (str(ham).isascii() and str(ham).isdigit() and len(str(ham)) <= 18) or int(ham) in gorulen:
            continue
        birim_id = int(ham)
        gorulen.add(birim_id)
        oge = {"birim_id": birim_id}
        if "oncelik" in alan.alt_alanlar:
            oge["oncelik"] = form.get(f"{alan.ad}.{birim_id}.oncelik") or "normal"
        if "not" in alan.alt_alanlar:
            oge["not"] = metni_temizle(form.get(f"{alan.ad}.{birim_id}.not"))
        sonuc.append(oge)
    return sonuc


# --- validating -------------------------------------------------------------------------------------------

def gonderimi_coz(tanim: FormTanimi, form, dosyalar, baglam: FormBaglami) -> FormSonucu:
    """Read and validate a submission; store its files only when everything else is valid."""
    ham = degerleri_oku(tanim, form)
    sonuc = FormSonucu(degerler=dict(ham))
    etkin = {a.ad for a in tanim.alanlar if not a.kosul or ifade.degerlendir(a.kosul, ham)}
    for alan in tanim.alanlar:
        if alan.ad not in etkin:
            sonuc.degerler[alan.ad] = alan.bos
        elif alan.tur != "dosyalar":
            _alani_denetle(alan, sonuc.degerler[alan.ad], baglam, sonuc)
    _kurallari_denetle(tanim, sonuc)
    if sonuc.gecerli:
        for alan in tanim.alanlar:
            if alan.tur == "dosyalar":
                sonuc.degerler[alan.ad] = _dosyalar(alan, dosyalar, baglam, sonuc) if alan.ad in etkin else []
    if sonuc.gecerli:
        _muhtar_gorur(tanim, sonuc)
        sonuc.veri = {a.ad: sonuc.degerler[a.ad] for a in tanim.alanlar if not a.yalniz_form}
    return sonuc


def _bos_mu(deger) -> bool:
    return deger in (None, "", False) or deger == []


def _alani_denetle(alan: Alan, deger, baglam: FormBaglami, sonuc: FormSonucu) -> None:
    if _bos_mu(deger):
        if alan.zorunlu or alan.tur == "dugme":
            sonuc.hata(alan.ad, _zorunlu_mesaji(alan))
        return
    if alan.tur in ("metin", "metin_alani"):
        _uzunluk(alan, len(deger), sonuc, "karakter")
    elif alan.tur in ("secim", "dugme") and deger not in alan.secenek_degerleri():
        sonuc.hata(alan.ad, "Geçerli bir seçenek seçin.")
    elif alan.tur == "birim_listesi":
        _birimleri_denetle(alan, deger, baglam, sonuc)


def _zorunlu_mesaji(alan: Alan) -> str:
    if alan.tur == "onay":
        return "Devam etmek için bu kutuyu işaretlemelisiniz."
    if alan.tur == "dugme":
        return "Lütfen yapılacak işlemi seçin."
    if alan.liste_mi:
        return "En az bir seçim yapmalısınız."
    return "Bu alan zorunludur."


def _uzunluk(alan: Alan, n: int, sonuc: FormSonucu, birim: str) -> None:
    if alan.en_az is not None and n < alan.en_az:
        sonuc.hata(alan.ad, f"En az {alan.en_az} {birim} olmalıdır.")
    if alan.ust_sinir is not None and n > alan.ust_sinir:
        sonuc.hata(alan.ad, f"En çok {alan.ust_sinir} {birim} olabilir.")


def _birimleri_denetle(alan: Alan, ogeler: list[dict], baglam: FormBaglami, sonuc: FormSonucu) -> None:
    _uzunluk(alan, len(ogeler), sonuc, "birim")
    izinli = baglam.birimleri_dogrula(alan, [o["birim_id"] for o in ogeler])
    if any(o["birim_id"] not in izinli for o in ogeler):
        sonuc.hata(alan.ad, "Seçilen birimlerden biri bulunamadı ya da bu işlem için seçilemez.")
    if any(o.get("oncelik", "normal") not in ONCELIKLER for o in ogeler):
        sonuc.hata(alan.ad, "Öncelik normal, yüksek veya acil olmalıdır.")
    if any(len(o.get("not", "")) > NOT_EN_COK for o in ogeler):
        sonuc.hata(alan.ad, f"Birim notu en çok {NOT_EN_COK} karakter olabilir.")


def _kurallari_denetle(tanim: FormTanimi, sonuc: FormSonucu) -> None:
    for kural in tanim.kurallar:
        if kural.kosul and not ifade.degerlendir(kural.kosul, sonuc.degerler):
            continue
        if not ifade.degerlendir(kural.gerekli, sonuc.degerler):
            sonuc.hata(kural.alan, kural.mesaj)


def _dosyalar(alan: Alan, dosyalar, baglam: FormBaglami, sonuc: FormSonucu) -> list[dict]:
    secilen = [d for d in (dosyalar.getlist(alan.ad) if dosyalar is not None else []) if d and d.filename]
    if not secilen:
        if alan.zorunlu:
            sonuc.hata(alan.ad, "En az bir dosya eklemelisiniz.")
        return []
    _uzunluk(alan, len(secilen), sonuc, "dosya")
    if not sonuc.gecerli:
        return []
    ekler = []
    for dosya in secilen:
        try:
            ekler.append(baglam.dosya_kaydet(alan, dosya))
        except DosyaHatasi as hata:
            sonuc.hata(alan.ad, hata.mesaj)
    return ekler


def _muhtar_gorur(tanim: FormTanimi, sonuc: FormSonucu) -> None:
    for alan in tanim.alanlar:
        if alan.tur == "dosyalar":
            acik = bool(ifade.degerlendir(alan.muhtar_gorur, sonuc.degerler)) if alan.muhtar_gorur else False
            for ek in sonuc.degerler[alan.ad]:
                ek["muhtar_gorur"] = acik
