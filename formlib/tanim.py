"""Form definitions: ``forms/<formKey>.json`` read, checked against ``form_semasi.json`` and the rules the
schema cannot say (unique names, expressions that parse and name declared fields), and cached by mtime.

A definition is data only; ``formlib.coz`` validates a submission against it and one Jinja macro file
(``webapp/templates/formlar/alanlar.html``) renders it. Adding a field of a known type, or a form for a new
user task, is a JSON edit.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema

from formlib import ifade

SEMA_YOLU = Path(__file__).with_name("form_semasi.json")
#: request parameter names the web layer uses itself
AYRILMIS_ADLAR = frozenset({"csrf_token", "next"})
#: the empty value a field of each type takes when its condition is false or nothing was entered
BOS_DEGERLER = {"metin": None, "metin_alani": None, "secim": None, "dugme": None, "onay": False,
                "birim_listesi": [], "dosyalar": []}
VARSAYILAN_EN_COK = {"metin": 200, "metin_alani": 4000, "birim_listesi": 100, "dosyalar": 5}
#: per-file limit when a dosyalar field gives none
VARSAYILAN_EN_BUYUK_MB = 10


class FormTanimHatasi(ValueError):
    """A form file is missing or invalid; the message names the file and the problem (Turkish)."""


@dataclass(frozen=True)
class Secenek:
    deger: str
    etiket: str
    tehlike: bool = False


@dataclass(frozen=True)
class Alan:
    ad: str
    tur: str
    etiket: str = ""
    ipucu: str = ""
    zorunlu: bool = False
    en_az: int | None = None
    en_cok: int | None = None
    kosul: str | None = None
    yalniz_form: bool = False
    varsayilan: object = None
    secenekler: tuple[Secenek, ...] = ()
    birim_rolu: str | None = None
    alt_alanlar: tuple[str, ...] = ()
    en_buyuk_mb: float = VARSAYILAN_EN_BUYUK_MB
    muhtar_gorur: str | None = None

    @property
    def bos(self):
        deger = BOS_DEGERLER[self.tur]
        return list(deger) if isinstance(deger, list) else deger

    @property
    def ust_sinir(self) -> int | None:
        return self.en_cok if self.en_cok is not None else VARSAYILAN_EN_COK.get(self.tur)

    @property
    def liste_mi(self) -> bool:
        return self.tur in ("birim_listesi", "dosyalar")

    def secenek_degerleri(self) -> set[str]:
        return {s.deger for s in self.secenekler}


@dataclass(frozen=True)
class Kural:
    gerekli: str
    mesaj: str
    kosul: str | None = None
    alan: str | None = None


@dataclass(frozen=True)
class FormTanimi:
    anahtar: str
    baslik: str
    alanlar: tuple[Alan, ...]
    aciklama: str = ""
    dugme: str = "KAYDET"
    kurallar: tuple[Kural, ...] = field(default_factory=tuple)

    def alan(self, ad: str) -> Alan | None:
        return next((a for a in self.alanlar if a.ad == ad), None)

    @property
    def dugme_alani(self) -> Alan | None:
        """The field whose value is the pressed button (the form's actions), if any."""
        return next((a for a in self.alanlar if a.tur == "dugme"), None)

    @property
    def dosyali(self) -> bool:
        return any(a.tur == "dosyalar" for a in self.alanlar)


@lru_cache(maxsize=1)
def _sema() -> dict:
    return json.loads(SEMA_YOLU.read_text(encoding="utf-8"))


def _secenek(ham) -> Secenek:
    if isinstance(ham, list):
        return Secenek(ham[0], ham[1])
    return Secenek(ham["deger"], ham["etiket"], bool(ham.get("tehlike")))


def _alan(ham: dict) -> Alan:
    degerler = dict(ham)
    degerler["secenekler"] = tuple(_secenek(s) for s in ham.get("secenekler", ()))
    degerler["alt_alanlar"] = tuple(ham.get("alt_alanlar", ()))
    degerler.setdefault("etiket", ham["ad"])
    return Alan(**degerler)


def tanim_olustur(anahtar: str, ham: dict) -> FormTanimi:
    """A FormTanimi from parsed JSON; raises FormTanimHatasi listing every problem found."""
    sorunlar = sorted(f"{'/'.join(map(str, h.absolute_path)) or '(kök)'}: {h.message}"
                      for h in jsonschema.Draft202012Validator(_sema()).iter_errors(ham))
    if sorunlar:
        raise FormTanimHatasi(f"{anahtar}.json: " + "; ".join(sorunlar))
    tanim = FormTanimi(
        anahtar=anahtar, baslik=ham["baslik"], aciklama=ham.get("aciklama", ""), dugme=ham.get("dugme", "KAYDET"),
        alanlar=tuple(_alan(a) for a in ham["alanlar"]),
        kurallar=tuple(Kural(**k) for k in ham.get("kurallar", ())))
    sorunlar = anlam_sorunlari(tanim)
    if sorunlar:
        raise FormTanimHatasi(f"{anahtar}.json: " + "; ".join(sorunlar))
    return tanim


def anlam_sorunlari(tanim: FormTanimi) -> list[str]:
    """What the schema cannot check: names, expressions, limits."""
    from engine.runtime import KORUNAN_ANAHTARLAR
    sorunlar, adlar = [], [a.ad for a in tanim.alanlar]
    bilinen = set(adlar)
    for ad in sorted({a for a in adlar if adlar.count(a) > 1}):
        sorunlar.append(f"'{ad}' alanı birden fazla kez tanımlı")
    for a in tanim.alanlar:
        if a.ad in AYRILMIS_ADLAR or (a.ad in KORUNAN_ANAHTARLAR and not a.yalniz_form):
            sorunlar.append(f"'{a.ad}' adı kullanılamaz (süreç ya da sayfa tarafından ayrılmış)")
        if a.en_az is not None and a.ust_sinir is not None and a.en_az > a.ust_sinir:
            sorunlar.append(f"'{a.ad}': en_az en_cok değerinden büyük")
        sorunlar += _ifade_sorunlari(f"'{a.ad}' koşulu", a.kosul, bilinen)
        sorunlar += _ifade_sorunlari(f"'{a.ad}' muhtar_gorur ifadesi", a.muhtar_gorur, bilinen)
    if sum(a.tur == "dugme" for a in tanim.alanlar) > 1:
        sorunlar.append("formda en çok bir 'dugme' alanı olabilir")
    for i, k in enumerate(tanim.kurallar, 1):
        sorunlar += _ifade_sorunlari(f"{i}. kuralın koşulu", k.kosul, bilinen)
        sorunlar += _ifade_sorunlari(f"{i}. kuralın 'gerekli' ifadesi", k.gerekli, bilinen)
        if k.alan and k.alan not in bilinen:
            sorunlar.append(f"{i}. kural tanımsız '{k.alan}' alanını gösteriyor")
    return sorunlar


def _ifade_sorunlari(neresi: str, metin: str | None, bilinen: set[str]) -> list[str]:
    if not metin:
        return []
    try:
        bilinmeyen = ifade.adlar(metin) - bilinen
    except ifade.IfadeHatasi as hata:
        return [f"{neresi} geçersiz: {hata}"]
    return [f"{neresi} tanımsız alan kullanıyor: {', '.join(sorted(bilinmeyen))}"] if bilinmeyen else []


def _dosya(klasor: str | os.PathLike, anahtar: str) -> Path:
    if not anahtar or not anahtar.replace("_", "").isalnum() or not anahtar.isascii():
        raise FormTanimHatasi(f"Geçersiz form anahtarı: {anahtar!r}")
    return Path(klasor) / f"{anahtar}.json"


@lru_cache(maxsize=64)
def _yukle_onbellek(yol: str, mtime_ns: int, anahtar: str) -> FormTanimi:
    try:
        ham = json.loads(Path(yol).read_text(encoding="utf-8"))
    except json.JSONDecodeError as hata:
        raise FormTanimHatasi(f"{anahtar}.json: JSON okunamadı (satır {hata.lineno}: {hata.msg})") from hata
    return tanim_olustur(anahtar, ham)


def form_yukle(klasor: str | os.PathLike, anahtar: str) -> FormTanimi:
    """The form for a BPMN formKey; re-read when the file changes. Raises FormTanimHatasi."""
    yol = _dosya(klasor, anahtar)
    try:
        mtime = yol.stat().st_mtime_ns
    except FileNotFoundError as hata:
        raise FormTanimHatasi(f"'{anahtar}' formu bulunamadı ({yol.name}).") from hata
    return _yukle_onbellek(str(yol), mtime, anahtar)


def formlari_dogrula(klasor: str | os.PathLike) -> list[str]:
    """Every problem of every form in the folder (empty list: all valid)."""
    sorunlar = []
    for yol in sorted(Path(klasor).glob("*.json")):
        try:
            form_yukle(klasor, yol.stem)
        except FormTanimHatasi as hata:
            sorunlar.append(str(hata))
    return sorunlar
