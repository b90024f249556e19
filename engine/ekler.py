"""Attachments: which files are accepted, what their names become, and who may fetch them.

A file is accepted when its extension is one of ``IZINLI_TURLER``, its content starts as that type's content
does (magic bytes; for the office formats, the zip entries that make the format), and the type the browser
claimed does not contradict it. The stored type comes from this check, never from the browser. Names keep
Turkish letters but lose any directory part, control and shell/HTML-special characters.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.models import Ek, Talep

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

#: extension -> the content type stored and sent back
IZINLI_TURLER = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
}
#: what browsers send when they do not know, or know by another name
BELIRSIZ_TURLER = {"", "application/octet-stream", "binary/octet-stream", "application/x-download"}
ESANLAMLILAR = {"image/jpeg": {"image/pjpeg", "image/jpg"}, "application/pdf": {"application/x-pdf"},
                ODT: {"application/x-vnd.oasis.opendocument.text"}}
AD_EN_COK = 150
_IZINSIZ_KARAKTER = re.compile(r"[^\w\s.()\-]", re.UNICODE)


def guvenli_ad(ad: str | None) -> str:
    """A display/download name: last path part only, no control or special characters, no leading dots."""
    ad = unicodedata.normalize("NFC", ad or "").replace("\\", "/").rsplit("/", 1)[-1]
    ad = "".join(c for c in ad if unicodedata.category(c)[0] != "C")
    ad = re.sub(r"\s+", " ", _IZINSIZ_KARAKTER.sub("_", ad)).strip(" ._")
    govde, uzanti = _ayir(ad)
    kesik = govde[:AD_EN_COK - len(uzanti)]
    # a cut may end on a character the first pass strips from the ends ('_'): strip it too, or a second pass
    # would give another name
    govde = (kesik.strip(" ._") if len(kesik) < len(govde) else kesik.strip(" .")) or "ek"
    return govde + uzanti


def _ayir(ad: str) -> tuple[str, str]:
    nokta = ad.rfind(".")
    if nokta <= 0 or len(ad) - nokta > 8:
        return ad, ""
    return ad[:nokta], ad[nokta:].lower()


def _zip_adlari(yol: Path) -> list[str] | None:
    try:
        with zipfile.ZipFile(yol) as z:
            return z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _odt_mi(yol: Path) -> bool:
    try:
        with zipfile.ZipFile(yol) as z:
            ilk = z.infolist()[0]
            return ilk.filename == "mimetype" and ilk.file_size < 100 and z.read(ilk).strip() == ODT.encode()
    except (zipfile.BadZipFile, OSError, ValueError, IndexError, KeyError):
        return False


def icerik_uyuyor_mu(uzanti: str, yol: Path) -> bool:
    """Whether the file's content is what its extension says."""
    with open(yol, "rb") as f:
        bas = f.read(16)
    if uzanti == ".pdf":
        return bas.startswith(b"%PDF-")
    if uzanti == ".png":
        return bas.startswith(b"\x89PNG\r\n\x1a\n")
    if uzanti in (".jpg", ".jpeg"):
        return bas.startswith(b"\xff\xd8\xff")
    if not bas.startswith(b"PK\x03\x04"):
        return False
    if uzanti == ".odt":
        return _odt_mi(yol)
    adlar = _zip_adlari(yol) or []
    if any(a.lower().endswith("vbaproject.bin") for a in adlar):
        return False  # macros: a .docx/.xlsx never carries them
    gerekli = "word/document.xml" if uzanti == ".docx" else "xl/workbook.xml"
    return "[Content_Types].xml" in adlar and gerekli in adlar


def dosya_incele(dosya_adi: str | None, beyan_turu: str | None, yol: Path) -> tuple[str, str]:
    """(safe name, content type) of an uploaded file, or GecersizVeri with the reason in Turkish."""
    ad = guvenli_ad(dosya_adi)
    _govde, uzanti = _ayir(ad)
    tur = IZINLI_TURLER.get(uzanti)
    if tur is None:
        raise GecersizVeri(f"{ad}: bu dosya türü kabul edilmiyor (PDF, PNG, JPEG, DOCX, XLSX veya ODT olmalı).")
    beyan = (beyan_turu or "").split(";")[0].strip().lower()
    if beyan not in BELIRSIZ_TURLER and beyan != tur and beyan not in ESANLAMLILAR.get(tur, ()):
        raise GecersizVeri(f"{ad}: dosyanın bildirilen türü ({beyan}) uzantısıyla uyuşmuyor.")
    if not icerik_uyuyor_mu(uzanti, yol):
        raise GecersizVeri(f"{ad}: dosyanın içeriği uzantısıyla uyuşmuyor; dosya kabul edilmedi.")
    return ad, tur


def muhtar_eki(session: Session, ek_id: int, muhtarlik_id: int) -> Ek | None:
    """An attachment the muhtar of ``muhtarlik_id`` may download: one the unit shared (``muhtar_gorur``)
    on a talep of that muhtarlık. None otherwise (the muhtar side answers 404)."""
    return session.scalars(select(Ek).join(Talep, Talep.id == Ek.talep_id).where(
        Ek.id == ek_id, Ek.muhtar_gorur.is_(True), Talep.muhtarlik_id == muhtarlik_id)).first()


def muhtar_ekleri(session: Session, talep_id: int) -> list[Ek]:
    """The attachments of a talep the muhtar may see, oldest first (for the muhtar's talep page)."""
    return list(session.scalars(select(Ek).where(Ek.talep_id == talep_id, Ek.muhtar_gorur.is_(True))
                                .order_by(Ek.id)))
