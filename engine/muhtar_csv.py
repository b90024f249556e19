"""The CSV side of the muhtar bulk import (issue 9): reading the file (UTF-8 with or without BOM, ";" or ","
separated, a header naming the columns in any order), dates, and the error report. No database, no Flask.
The checks and the writes are in ``engine.muhtar_ice_aktarim``.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from engine.errors import GecersizVeri
from engine.muhtar_arama import katla

#: column key -> the Turkish header shown in messages and in the example
SUTUN_ADLARI = {"il": "il", "ilce": "ilçe", "mahalle": "mahalle", "tc": "TC Kimlik No", "ad_soyad": "ad soyad",
                "telefon": "telefon", "gorev_baslangic": "görev başlangıcı", "eposta": "e-posta"}
ZORUNLU = ("il", "ilce", "mahalle", "tc", "ad_soyad", "telefon", "gorev_baslangic")
#: folded header text -> column key (headers are matched after ``katla`` and dropping punctuation)
BASLIKLAR = {
    "il": "il", "il adi": "il", "il kodu": "il", "ilce": "ilce", "ilce adi": "ilce",
    "mahalle": "mahalle", "mahalle adi": "mahalle", "muhtarlik": "mahalle", "mahalle koy": "mahalle",
    "tc kimlik no": "tc", "tc kimlik numarasi": "tc", "tc": "tc", "tckn": "tc", "tc no": "tc", "kimlik no": "tc",
    "t c kimlik no": "tc", "t c kimlik numarasi": "tc", "t c no": "tc",
    "ad soyad": "ad_soyad", "adi soyadi": "ad_soyad", "ad soyadi": "ad_soyad", "adi soyad": "ad_soyad",
    "telefon": "telefon", "cep telefonu": "telefon", "gsm": "telefon", "telefon no": "telefon",
    "gorev baslangici": "gorev_baslangic", "gorev baslangic": "gorev_baslangic",
    "gorev baslangic tarihi": "gorev_baslangic", "baslangic": "gorev_baslangic",
    "baslangic tarihi": "gorev_baslangic", "e posta": "eposta", "eposta": "eposta", "e mail": "eposta",
}
#: error kinds (``Hata.tur``) and their labels in the report
HATA_TURLERI = {
    "dosya": "Dosya", "sutun": "Sütun sayısı", "il": "Bilinmeyen il", "kapsam": "Yetki alanı dışında",
    "ilce": "Bilinmeyen ilçe", "mahalle": "Bilinmeyen mahalle", "tc": "Geçersiz TC Kimlik No",
    "ad": "Ad soyad", "telefon": "Geçersiz telefon", "tarih": "Geçersiz tarih", "eposta": "Geçersiz e-posta",
    "mahalle_tekrar": "Aynı mahalle birden çok kez", "tc_tekrar": "Aynı TC Kimlik No birden çok kez",
    "donem": "Dönem çakışması", "tc_gorevde": "Başka yerde görevde",
}
_TARIH_TR = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_TARIH_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NOKTALAMA = re.compile(r"[^a-z0-9 ]+")


class DosyaHatasi(GecersizVeri):
    """The file as a whole cannot be read (not CSV, not UTF-8, no header): nothing is checked further."""


@dataclass
class Hata:
    satir: int
    tur: str
    mesaj: str
    #: what the report shows of the row: il, ilçe, mahalle, TC (masked), ad soyad
    baglam: tuple[str, ...] = ()


# --- reading the file ---------------------------------------------------------------------------------------

def _metin(veri: bytes) -> str:
    if veri[:4] == b"PK\x03\x04" or b"\x00" in veri[:4096]:
        raise DosyaHatasi("Yalnızca CSV dosyası yüklenebilir (Excel'de “CSV UTF-8 (virgülle ayrılmış)” olarak "
                          "kaydedin).")
    try:
        return veri.decode("utf-8-sig")
    except UnicodeDecodeError as hata:
        raise DosyaHatasi("Dosya UTF-8 kodlamalı değil; Excel'de “CSV UTF-8 (virgülle ayrılmış)” olarak "
                          "kaydedin.") from hata


def _baslik_anahtari(hucre: str) -> str | None:
    return BASLIKLAR.get(" ".join(_NOKTALAMA.sub(" ", katla(hucre)).split()))


def satirlari_oku(veri: bytes) -> tuple[dict[str, int], int, list[tuple[int, list[str]]]]:
    """({column key: index}, number of header cells, [(line number, cells)]) of a CSV file; blank rows are
    skipped.

    The separator is the one the header line uses (";" preferred). Line numbers count physical lines, the
    header being line 1, so they match what a text editor shows. Raises DosyaHatasi."""
    metin = _metin(veri)
    ilk_satir = metin.split("\n", 1)[0]
    ayirac = ";" if ilk_satir.count(";") >= ilk_satir.count(",") and ";" in ilk_satir else ","
    okuyucu = csv.reader(io.StringIO(metin, newline=""), delimiter=ayirac)
    baslik = next(okuyucu, None)
    if not baslik:
        raise DosyaHatasi("Dosya boş.")
    sutunlar = {}
    for i, hucre in enumerate(baslik):
        anahtar = _baslik_anahtari(hucre)
        if anahtar and anahtar not in sutunlar:
            sutunlar[anahtar] = i
    eksik = [SUTUN_ADLARI[s] for s in ZORUNLU if s not in sutunlar]
    if eksik:
        raise DosyaHatasi(f"Satır 1: başlık satırında eksik sütun: {', '.join(eksik)}. Beklenen sütunlar: "
                          f"{', '.join(SUTUN_ADLARI[s] for s in ZORUNLU)} (isteğe bağlı: e-posta).")
    satirlar, onceki = [], okuyucu.line_num
    for hucreler in okuyucu:
        if any(h.strip() for h in hucreler):
            satirlar.append((onceki + 1, hucreler))
        onceki = okuyucu.line_num
    return sutunlar, len(baslik), satirlar


# --- dates and the report -----------------------------------------------------------------------------------

def tarih_coz(metin: str) -> date | None:
    """dd.mm.yyyy (also d.m.yyyy, dd/mm/yyyy) or yyyy-mm-dd; None for anything else or an impossible day."""
    metin = (metin or "").strip()
    if m := _TARIH_TR.fullmatch(metin):
        gun, ay, yil = (int(x) for x in m.groups())
    elif m := _TARIH_ISO.fullmatch(metin):
        yil, ay, gun = (int(x) for x in m.groups())
    else:
        return None
    try:
        sonuc = date(yil, ay, gun)
    except ValueError:
        return None
    return sonuc if 1950 <= sonuc.year <= 2100 else None


def hata_raporu(hatalar: list[Hata]) -> str:
    """The errors as CSV text (";"-separated, one error a line), for a spreadsheet."""
    tampon = io.StringIO()
    yazici = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    yazici.writerow(["Satır", "Hata türü", "Hata", "İl", "İlçe", "Mahalle", "TC Kimlik No", "Ad Soyad"])
    for h in hatalar:
        yazici.writerow([h.satir, HATA_TURLERI.get(h.tur, h.tur), h.mesaj, *h.baglam, *[""] * (5 - len(h.baglam))])
    return tampon.getvalue()
