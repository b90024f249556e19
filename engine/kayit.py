"""The registry seed: places (il, ilçe, muhtarlık) and units (birim) from ``data/turkiye``, plus demo data.

Every loader is idempotent: it reads the keys already in the database with one query per table and bulk
inserts only what is missing, so running it again inserts nothing and takes a second or two. Loaders flush
and never commit; the caller (CLI, test) owns the transaction.

Unit tree (``Birim``): MİGM; one Valilik per il with its il müdürlükleri, the İl Özel İdaresi (only outside
the 30 büyükşehir provinces) and a Kaymakamlık per ilçe other than "Merkez" under it (``rol`` ALT_BIRIM);
belediyeler (``rol`` BELEDIYE, no parent): büyükşehir, il (the merkez ilçe's municipality) and ilçe.
"""
from __future__ import annotations

import csv
import functools
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.kimlik import tc_kimlik_uret
from engine.models import Birim, Il, Ilce, Kullanici, Muhtar, Muhtarlik
from engine.parola import parola_hashle

#: the data shipped with the repository (MIT licence notice beside it)
VERI_DIZINI = Path(__file__).resolve().parent.parent / "data" / "turkiye"

#: the ilçe whose affairs the Valilik and the il belediyesi handle: no Kaymakamlık, no ilçe belediyesi
MERKEZ = "Merkez"

#: il müdürlükleri under each Valilik: (code prefix, name pattern with {il})
IL_MUDURLUKLERI = (
    ("SAGLIK", "{il} İl Sağlık Müdürlüğü"),
    ("MEB", "{il} İl Milli Eğitim Müdürlüğü"),
    ("TARIM", "{il} İl Tarım ve Orman Müdürlüğü"),
    ("AILE", "{il} Aile ve Sosyal Hizmetler İl Müdürlüğü"),
    ("CEVRE", "{il} Çevre, Şehircilik ve İklim Değişikliği İl Müdürlüğü"),
    ("GENCLIK", "{il} Gençlik ve Spor İl Müdürlüğü"),
    ("KULTUR", "{il} İl Kültür ve Turizm Müdürlüğü"),
    ("AFAD", "{il} AFAD İl Müdürlüğü"),
    ("EMNIYET", "{il} Emniyet Müdürlüğü"),
    ("JANDARMA", "{il} İl Jandarma Komutanlığı"),
)

#: the extra permissions a kurum user may hold (``Kullanici.yetkiler``)
YETKILER = frozenset({"yonetici", "analist", "kayit"})
PAROLA_EN_AZ = 8

_ASCII = str.maketrans({"ç": "C", "Ç": "C", "ğ": "G", "Ğ": "G", "ı": "I", "İ": "I",
                        "ö": "O", "Ö": "O", "ş": "S", "Ş": "S", "ü": "U", "Ü": "U"})


def ascii_slug(ad: str) -> str:
    """``"Polatlı"`` -> ``"POLATLI"``, ``"19 Mayıs"`` -> ``"19_MAYIS"``: the ilçe part of a unit code.

    Turkish letters map to their base letter, other accents are dropped, then anything not A-Z/0-9
    becomes "_". Done by hand because ``str.upper`` turns "i" into "I" but "ı" stays out of ASCII."""
    ad = unicodedata.normalize("NFKD", ad.translate(_ASCII)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "_", ad.upper())


# --- Reading the data files --------------------------------------------------------------------------

class Mahalle(NamedTuple):
    il_kod: str
    il: str
    ilce: str
    mahalle: str
    posta_kodu: str | None


@functools.lru_cache(maxsize=4)
def mahalleleri_oku(dizin: Path = VERI_DIZINI) -> tuple[Mahalle, ...]:
    """Every row of ``mahalleler.csv`` (73,305 in the shipped file); cached, the file does not change."""
    with open(dizin / "mahalleler.csv", encoding="utf-8", newline="") as f:
        return tuple(Mahalle(r["il_kodu"], r["il"], r["ilce"], r["mahalle"], r["posta_kodu"] or None)
                     for r in csv.DictReader(f))


def buyuksehirleri_oku(dizin: Path = VERI_DIZINI) -> frozenset[str]:
    """Plate codes of the 30 büyükşehir provinces (Law 6360)."""
    with open(dizin / "buyuksehirler.csv", encoding="utf-8", newline="") as f:
        return frozenset(r["il_kodu"] for r in csv.DictReader(f))


# --- Places -------------------------------------------------------------------------------------------

def _illeri_yukle(session: Session, mahalleler, buyuksehirler) -> int:
    var = set(session.scalars(select(Il.kod)))
    iller = {m.il_kod: m.il for m in mahalleler}
    yeni = [{"kod": kod, "ad": ad, "buyuksehir": kod in buyuksehirler}
            for kod, ad in sorted(iller.items()) if kod not in var]
    return _toplu_ekle(session, Il, yeni)


def _ilce_idleri(session: Session) -> dict[tuple[str, str], int]:
    """(il kod, ilçe adı) -> ilçe id, for everything in the database."""
    return {(k, ad): i for k, ad, i in session.execute(select(Ilce.il_kod, Ilce.ad, Ilce.id))}


def _ilceleri_yukle(session: Session, mahalleler) -> int:
    var = _ilce_idleri(session)
    ilceler = sorted({(m.il_kod, m.ilce) for m in mahalleler} - var.keys())
    return _toplu_ekle(session, Ilce, [{"il_kod": k, "ad": ad} for k, ad in ilceler])


def _muhtarliklari_yukle(session: Session, mahalleler, ilce_idleri) -> int:
    var = {(ilce_id, ad) for ilce_id, ad in session.execute(select(Muhtarlik.ilce_id, Muhtarlik.ad))}
    yeni = []
    for m in mahalleler:
        ilce_id = ilce_idleri[(m.il_kod, m.ilce)]
        if (ilce_id, m.mahalle) not in var:
            yeni.append({"ilce_id": ilce_id, "ad": m.mahalle, "posta_kodu": m.posta_kodu})
    return _toplu_ekle(session, Muhtarlik, yeni)


def _toplu_ekle(session: Session, model, satirlar: list[dict]) -> int:
    """One bulk INSERT (executemany) for ``satirlar``; returns how many rows it inserted."""
    if satirlar:
        # render_nulls keeps rows with and without None values in one batch instead of splitting them.
        session.execute(insert(model).execution_options(render_nulls=True), satirlar)
    return len(satirlar)


# --- Units --------------------------------------------------------------------------------------------

class IlBilgisi(NamedTuple):
    kod: str
    ad: str
    buyuksehir: bool
    #: (ilçe adı, ilçe id), sorted by name
    ilceler: list[tuple[str, int]]


def _birim(kod, ad, tur, rol, il_kod=None, ilce_id=None, ust_kod=None) -> dict:
    """A Birim row as a dict; ``ust_kod`` is the parent's code, turned into ``ust_birim_id`` on insert."""
    return {"kod": kod, "ad": ad, "tur": tur, "rol": rol, "il_kod": il_kod, "ilce_id": ilce_id,
            "aktif": True, "ust_kod": ust_kod}


def _valilik_birimleri(il: IlBilgisi) -> list[dict]:
    """The Valilik and the units under it: il müdürlükleri, İl Özel İdaresi, kaymakamlıklar."""
    valilik = f"VALILIK-{il.kod}"
    birimler = [_birim(valilik, f"{il.ad} Valiliği", "VALILIK", "VALILIK", il.kod)]
    birimler += [_birim(f"{onek}-{il.kod}", ad.format(il=il.ad), "IL_MUDURLUGU", "ALT_BIRIM", il.kod,
                        ust_kod=valilik) for onek, ad in IL_MUDURLUKLERI]
    if not il.buyuksehir:
        # Law 6360 abolished the İl Özel İdaresi in büyükşehir provinces.
        birimler.append(_birim(f"IOI-{il.kod}", f"{il.ad} İl Özel İdaresi", "IL_OZEL_IDARESI", "ALT_BIRIM",
                               il.kod, ust_kod=valilik))
    birimler += [_birim(f"KAYMAKAMLIK-{il.kod}-{ascii_slug(ad)}", f"{ad} Kaymakamlığı", "KAYMAKAMLIK",
                        "ALT_BIRIM", il.kod, ilce_id, ust_kod=valilik)
                 for ad, ilce_id in il.ilceler if ad != MERKEZ]
    return birimler


def _belediyeler(il: IlBilgisi) -> list[dict]:
    """Büyükşehir or il belediyesi, then one belediye per ilçe other than Merkez."""
    if il.buyuksehir:
        birimler = [_birim(f"BELEDIYE-{il.kod}-BB", f"{il.ad} Büyükşehir Belediyesi", "BELEDIYE", "BELEDIYE",
                           il.kod)]
    else:
        merkez_id = dict(il.ilceler)[MERKEZ]
        birimler = [_birim(f"BELEDIYE-{il.kod}-IL", f"{il.ad} Belediyesi", "BELEDIYE", "BELEDIYE", il.kod,
                           merkez_id)]
    birimler += [_birim(f"BELEDIYE-{il.kod}-{ascii_slug(ad)}", f"{ad} Belediyesi", "BELEDIYE", "BELEDIYE",
                        il.kod, ilce_id) for ad, ilce_id in il.ilceler if ad != MERKEZ]
    return birimler


def birim_tanimlari(iller: list[IlBilgisi]) -> list[dict]:
    """Every unit the registry should hold, parents before children (see ``_birim`` for the row shape)."""
    birimler = [_birim("MIGM", "Mahalli İdareler Genel Müdürlüğü", "MIGM", "MIGM")]
    for il in iller:
        birimler += _valilik_birimleri(il) + _belediyeler(il)
    return birimler


def _il_bilgileri(mahalleler, buyuksehirler, ilce_idleri) -> list[IlBilgisi]:
    iller: dict[str, IlBilgisi] = {}
    for il_kod, il_ad, ilce in sorted({(m.il_kod, m.il, m.ilce) for m in mahalleler}):
        il = iller.setdefault(il_kod, IlBilgisi(il_kod, il_ad, il_kod in buyuksehirler, []))
        il.ilceler.append((ilce, ilce_idleri[(il_kod, ilce)]))
    return list(iller.values())


def _birimleri_yukle(session: Session, tanimlar: list[dict]) -> int:
    """Inserts the missing units: first those without a parent, then the rest with their parent's id."""
    var = set(session.scalars(select(Birim.kod)))
    eksik = [t for t in tanimlar if t["kod"] not in var]
    kokler = [t for t in eksik if t["ust_kod"] is None]
    cocuklar = [t for t in eksik if t["ust_kod"] is not None]
    sayi = _toplu_ekle(session, Birim, [_ust_id_ile(t, None) for t in kokler])
    if cocuklar:
        ust_kodlar = {t["ust_kod"] for t in cocuklar}
        sorgu = select(Birim.kod, Birim.id).where(Birim.kod.in_(ust_kodlar))
        ust_id = {kod: birim_id for kod, birim_id in session.execute(sorgu)}
        sayi += _toplu_ekle(session, Birim, [_ust_id_ile(t, ust_id[t["ust_kod"]]) for t in cocuklar])
    return sayi


def _ust_id_ile(tanim: dict, ust_birim_id: int | None) -> dict:
    satir = {k: v for k, v in tanim.items() if k != "ust_kod"}
    satir["ust_birim_id"] = ust_birim_id
    return satir


def seed_registry(session: Session, veri_dizini: Path = VERI_DIZINI) -> dict[str, int]:
    """Loads il, ilçe, muhtarlık and birim rows from ``veri_dizini``; inserts only what is missing.

    Returns the number of rows inserted per table: ``{"il", "ilce", "muhtarlik", "birim"}`` (all 0 on a
    second run). From the shipped data into an empty database: 81, 973, 73,305 and 2,868. Flushes, never
    commits."""
    # Rows the caller added but has not flushed must count as existing, or the bulk insert would dup them.
    session.flush()
    mahalleler = mahalleleri_oku(veri_dizini)
    buyuksehirler = buyuksehirleri_oku(veri_dizini)
    sayilar = {"il": _illeri_yukle(session, mahalleler, buyuksehirler),
               "ilce": _ilceleri_yukle(session, mahalleler)}
    ilce_idleri = _ilce_idleri(session)
    sayilar["muhtarlik"] = _muhtarliklari_yukle(session, mahalleler, ilce_idleri)
    iller = _il_bilgileri(mahalleler, buyuksehirler, ilce_idleri)
    sayilar["birim"] = _birimleri_yukle(session, birim_tanimlari(iller))
    return sayilar


# --- Kurum users --------------------------------------------------------------------------------------

def _kullanici_verisini_denetle(kullanici_adi: str, parola: str, ad_soyad: str, yetkiler: str) -> None:
    if not kullanici_adi or len(kullanici_adi) > 64 or any(c.isspace() for c in kullanici_adi):
        raise GecersizVeri("Kullanıcı adı boş olamaz, boşluk içeremez ve en fazla 64 karakter olabilir.")
    if not isinstance(parola, str) or len(parola) < PAROLA_EN_AZ:
        raise GecersizVeri(f"Parola en az {PAROLA_EN_AZ} karakter olmalıdır.")
    if not ad_soyad or len(ad_soyad) > 128:
        raise GecersizVeri("Ad soyad boş olamaz ve en fazla 128 karakter olabilir.")
    bilinmeyen = set(yetkiler.split()) - YETKILER
    if bilinmeyen:
        raise GecersizVeri(f"Bilinmeyen yetki: {', '.join(sorted(bilinmeyen))}. "
                           f"Geçerli yetkiler: {', '.join(sorted(YETKILER))}.")


def kullanici_olustur(session: Session, kullanici_adi: str, parola: str, birim_kod: str, ad_soyad: str,
                      yetkiler: str = "") -> Kullanici:
    """Adds a kurum user of unit ``birim_kod`` with an argon2id hash of ``parola``; flushes, never commits.

    Raises GecersizVeri (Turkish message) for a taken username, an unknown unit, a password shorter than
    8 characters, an empty name or an unknown permission (``YETKILER``)."""
    kullanici_adi, ad_soyad = (kullanici_adi or "").strip(), (ad_soyad or "").strip()
    yetkiler = " ".join((yetkiler or "").split())
    _kullanici_verisini_denetle(kullanici_adi, parola, ad_soyad, yetkiler)
    if session.scalar(select(Kullanici.id).where(Kullanici.kullanici_adi == kullanici_adi)) is not None:
        raise GecersizVeri(f"“{kullanici_adi}” kullanıcı adı zaten kullanılıyor.")
    birim_id = session.scalar(select(Birim.id).where(Birim.kod == birim_kod))
    if birim_id is None:
        raise GecersizVeri(f"“{birim_kod}” kodlu birim bulunamadı.")
    kullanici = Kullanici(kullanici_adi=kullanici_adi, parola_hash=parola_hashle(parola), birim_id=birim_id,
                          ad_soyad=ad_soyad, yetkiler=yetkiler)
    session.add(kullanici)
    session.flush()
    return kullanici


# --- Demo data (development only) ----------------------------------------------------------------------

#: the password of every demo user; never seed demo data into production
DEMO_PAROLA = "demo1234"

DEMO_KULLANICILAR = [
    {"kullanici_adi": "migm", "birim_kod": "MIGM", "ad_soyad": "MİGM Yöneticisi", "yetkiler": "yonetici"},
    {"kullanici_adi": "analist", "birim_kod": "MIGM", "ad_soyad": "MİGM Analisti", "yetkiler": "analist"},
    {"kullanici_adi": "valilik.ankara", "birim_kod": "VALILIK-06", "ad_soyad": "Ankara Valiliği Kayıt Görevlisi",
     "yetkiler": "kayit"},
    {"kullanici_adi": "belediye.cankaya", "birim_kod": "BELEDIYE-06-CANKAYA",
     "ad_soyad": "Çankaya Belediyesi Görevlisi", "yetkiler": ""},
    {"kullanici_adi": "saglik.ankara", "birim_kod": "SAGLIK-06",
     "ad_soyad": "Ankara İl Sağlık Müdürlüğü Görevlisi", "yetkiler": ""},
    {"kullanici_adi": "milliegitim.ankara", "birim_kod": "MEB-06",
     "ad_soyad": "Ankara İl Milli Eğitim Müdürlüğü Görevlisi", "yetkiler": ""},
    {"kullanici_adi": "kaymakamlik.polatli", "birim_kod": "KAYMAKAMLIK-06-POLATLI",
     "ad_soyad": "Polatlı Kaymakamlığı Görevlisi", "yetkiler": ""},
    {"kullanici_adi": "valilik.izmir", "birim_kod": "VALILIK-35", "ad_soyad": "İzmir Valiliği Kayıt Görevlisi",
     "yetkiler": "kayit"},
    {"kullanici_adi": "belediye.konak", "birim_kod": "BELEDIYE-35-KONAK",
     "ad_soyad": "Konak Belediyesi Görevlisi", "yetkiler": ""},
]


def _demo_muhtar(tc, ad_soyad, il_kod, ilce, mahalle, telefon, eposta) -> dict:
    return {"tc_kimlik_no": tc, "ad_soyad": ad_soyad, "il_kod": il_kod, "ilce": ilce, "mahalle": mahalle,
            "telefon": telefon, "eposta": eposta}


#: demo muhtars, each in office since the 2024 local elections; mahalle names are as in mahalleler.csv
DEMO_MUHTARLAR = [
    _demo_muhtar("10000000146", "Ayşe Yılmaz", "06", "Çankaya", "Akpınar Mah", "+905321234512",
                 "ayse.yilmaz@example.com"),
    _demo_muhtar(tc_kimlik_uret("100000002"), "Mehmet Demir", "06", "Çankaya", "Bahçelievler Mah",
                 "+905332345623", "mehmet.demir@example.com"),
    _demo_muhtar(tc_kimlik_uret("100000003"), "Fatma Kaya", "06", "Çankaya", "Ayrancı Mah", "+905443456734",
                 None),
    _demo_muhtar(tc_kimlik_uret("100000004"), "Ali Çelik", "06", "Çankaya", "Balgat Mah", "+905054567845",
                 None),
    _demo_muhtar(tc_kimlik_uret("100000005"), "Hasan Öztürk", "35", "Konak", "Alsancak Mah", "+905365678956",
                 "hasan.ozturk@example.com"),
    _demo_muhtar(tc_kimlik_uret("100000006"), "Zeynep Arslan", "35", "Konak", "Akdeniz Mah", "+905426789067",
                 None),
]

#: start of the demo muhtars' term (31 March 2024 local elections)
DEMO_GOREV_BASLANGIC = date(2024, 4, 1)


def muhtarlik_bul(session: Session, il_kod: str, ilce: str, mahalle: str) -> Muhtarlik | None:
    """The muhtarlık of ``mahalle`` in ``ilce`` of il ``il_kod``, names as in the data ("Akpınar Mah")."""
    return session.scalar(select(Muhtarlik).join(Ilce, Muhtarlik.ilce_id == Ilce.id)
                          .where(Ilce.il_kod == il_kod, Ilce.ad == ilce, Muhtarlik.ad == mahalle))


def _demo_kullanicilari_ekle(session: Session) -> int:
    var = set(session.scalars(select(Kullanici.kullanici_adi)))
    yeni = [k for k in DEMO_KULLANICILAR if k["kullanici_adi"] not in var]
    for k in yeni:
        kullanici_olustur(session, k["kullanici_adi"], DEMO_PAROLA, k["birim_kod"], k["ad_soyad"], k["yetkiler"])
    return len(yeni)


def _demo_muhtarlari_ekle(session: Session) -> int:
    var = set(session.scalars(select(Muhtar.tc_kimlik_no)))
    sayi = 0
    for m in DEMO_MUHTARLAR:
        if m["tc_kimlik_no"] in var:
            continue
        muhtarlik = muhtarlik_bul(session, m["il_kod"], m["ilce"], m["mahalle"])
        if muhtarlik is None:
            raise GecersizVeri("Demo verisinden önce kayıt verisi (il, ilçe, muhtarlık, birim) yüklenmelidir.",
                               detay=f"muhtarlık yok: {m['il_kod']} {m['ilce']} {m['mahalle']}")
        session.add(Muhtar(muhtarlik_id=muhtarlik.id, tc_kimlik_no=m["tc_kimlik_no"], ad_soyad=m["ad_soyad"],
                           telefon=m["telefon"], eposta=m["eposta"], gorev_baslangic=DEMO_GOREV_BASLANGIC,
                           gorev_bitis=None))
        sayi += 1
    session.flush()
    return sayi


def seed_demo(session: Session) -> dict[str, int]:
    """Adds the demo kurum users (password ``DEMO_PAROLA``) and demo muhtars; development only.

    Needs ``seed_registry`` first (raises GecersizVeri otherwise). Skips usernames and TC numbers that
    already exist; returns ``{"kullanici": n, "muhtar": n}`` inserted. Flushes, never commits."""
    if session.scalar(select(Birim.id).where(Birim.kod == "MIGM")) is None:
        raise GecersizVeri("Demo verisinden önce kayıt verisi (il, ilçe, muhtarlık, birim) yüklenmelidir.")
    return {"kullanici": _demo_kullanicilari_ekle(session), "muhtar": _demo_muhtarlari_ekle(session)}
