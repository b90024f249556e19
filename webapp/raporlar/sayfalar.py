"""The Raporlar pages and downloads. Views are thin: check the reader, read the filter, call, render."""
from __future__ import annotations

from datetime import date, datetime
from functools import wraps

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine import rapor_ozeti
from engine import raporlar as R
from engine.models import Birim, Il
from webapp.db import get_database, get_session
from webapp.girdi import rakam_mi, tamsayi_oku
from webapp.motor import get_motor
from webapp.oturum import kurum_gerekli
from webapp.raporlar import bp, disari, isi
from webapp.raporlar.tablolar import (BIRIM_TURLERI, DURUMLAR, TALEP_SUTUNLARI, TURLER, Gun, rapor,
                                      talep_hucreleri)

#: unit roles that may read reports (their own scope); MİGM and analysts read everything
RAPOR_ROLLERI = frozenset({"MIGM", "VALILIK", "BELEDIYE"})
LISTELER = {"tumu": "Tüm talepler", "acik": "Açık talepler", "gecikmis": "Süresi geçmiş açık talepler"}
SAYFA_BOYU = 25


def _birim() -> Birim:
    return get_session().get(Birim, current_user.kayit.birim_id)


def _analist() -> bool:
    return current_user.kayit.yetkili("analist")


def rapor_okuyabilir_mi() -> bool:
    return (current_user.is_authenticated and current_user.tur == "kurum"
            and (_analist() or _birim().rol in RAPOR_ROLLERI))


def rapor_gerekli(view):
    """Logged-in kurum users of MİGM, a Valilik or a Belediye, and analysts; others 403."""
    @wraps(view)
    @kurum_gerekli
    def sarmal(*args, **kwargs):
        if not rapor_okuyabilir_mi():
            abort(403)
        return view(*args, **kwargs)
    return sarmal


@bp.app_context_processor
def _menu():
    return {"kurum_rapor_mi": rapor_okuyabilir_mi}


@bp.app_template_global("rapor_simdi")
def rapor_simdi() -> datetime:
    """Now, on the engine's clock: the kurum lists mark a due date before it as "süresi geçti"."""
    return get_motor().saat()


@bp.app_template_filter("rapor_hucre")
def rapor_hucre(deger) -> str:
    """A report cell for the page: 1.234 / 7,5 / 02.03.2026 / – ."""
    if deger is None or deger == "":
        return "–"
    if isinstance(deger, bool):
        return "Evet" if deger else "Hayır"
    if isinstance(deger, (Gun, float)):
        return f"{deger:.1f}".replace(".", ",")
    if isinstance(deger, int):
        return f"{deger:,}".replace(",", ".")
    if isinstance(deger, (date, datetime)):
        return deger.strftime("%d.%m.%Y")
    return str(deger)


def _simdi() -> datetime:
    return get_motor().saat()


def _tarih(deger: str | None) -> date | None:
    try:
        return date.fromisoformat(deger) if deger else None
    except ValueError:
        return None


def filtre_oku(args, bugun: date) -> R.Filtre:
    """The filter from the query string; bad values are dropped. No dates: the last 365 days."""
    bas, bit = _tarih(args.get("baslangic")), _tarih(args.get("bitis"))
    if bas is None and bit is None:
        # the same range `flask raporlar hazirla` precomputes: one definition, or the stored figures never match
        varsayilan = rapor_ozeti.varsayilan_filtre(bugun)
        bas, bit = varsayilan.baslangic, varsayilan.bitis
    if bas and bit and bas > bit:
        bas, bit = bit, bas
    il = args.get("il", "")
    birim = args.get("birim", "")
    return R.Filtre(
        baslangic=bas, bitis=bit, tur=args.get("tur") if args.get("tur") in TURLER else None,
        il=il if rakam_mi(il, 2, 2) else None,
        durum=args.get("durum") if args.get("durum") in DURUMLAR else None,
        birim_id=tamsayi_oku(birim),
        liste=args.get("liste") if args.get("liste") in LISTELER else "tumu")


def filtre_parametreleri(f: R.Filtre) -> dict:
    degerler = {"baslangic": f.baslangic.isoformat() if f.baslangic else None,
                "bitis": f.bitis.isoformat() if f.bitis else None, "tur": f.tur, "il": f.il, "durum": f.durum,
                "birim": f.birim_id, "liste": f.liste if f.liste != "tumu" else None}
    return {k: v for k, v in degerler.items() if v not in (None, "")}


def _baglam():
    simdi = _simdi()
    birim = _birim()
    kapsam = R.kapsam_olustur(birim, _analist())
    filtre = filtre_oku(request.args, simdi.astimezone(R.TURKIYE).date())
    return simdi, birim, kapsam, filtre


def _birim_secenekleri(session, kapsam: R.Kapsam) -> list[tuple[int, str]]:
    """Units the filter offers: a Valilik its own and its sub-units; MİGM every Valilik and Belediye."""
    if kapsam.hepsi:
        sorgu = select(Birim.id, Birim.ad).where(Birim.rol.in_(("VALILIK", "BELEDIYE")), Birim.aktif.is_(True))
    else:
        sorgu = select(Birim.id, Birim.ad).where(R.kapsam_birim_kosulu(kapsam, Birim.id))
    return [(i, ad) for i, ad in session.execute(sorgu.order_by(Birim.ad).limit(2000))]


def _grafikler(r) -> dict:
    """The chart data (labels and values) the page passes to static/js/raporlar.js in a JSON block."""
    def cift(tablo, etiket=0, deger=1):
        return {"etiketler": [s[etiket] for s in tablo.satirlar], "degerler": [s[deger] for s in tablo.satirlar]}

    t = r.tablolar
    return {
        "durum": cift(t["durum"]),
        "tur": cift(t["tur"]),
        "il": {k: v[:15] for k, v in cift(t["il"]).items()},
        "birim_turu": {"etiketler": [s[0] for s in t["birim-turu"].satirlar],
                       "acik": [s[2] for s in t["birim-turu"].satirlar],
                       "tamamlanan": [s[3] for s in t["birim-turu"].satirlar]},
        "en_yavas_birim": {"etiketler": [s[0] for s in t["en-yavas-birim"].satirlar],
                           "medyan": [s[3] for s in t["en-yavas-birim"].satirlar],
                           "p90": [s[4] for s in t["en-yavas-birim"].satirlar]},
        "darbogaz": {"etiketler": [s[0] for s in t["darbogaz"].satirlar if s[2]],
                     "medyan": [s[3] for s in t["darbogaz"].satirlar if s[2]],
                     "p90": [s[4] for s in t["darbogaz"].satirlar if s[2]]},
    }


@bp.get("/")
@rapor_gerekli
def pano():
    simdi, birim, kapsam, filtre = _baglam()
    db = get_session()
    r = rapor(db, kapsam, filtre, simdi)
    gecikmis = R.en_cok_gecikenler(db, kapsam, filtre, simdi)
    return render_template(
        "raporlar/pano.html", sekme="raporlar", rapor=r, filtre=filtre, kapsam=kapsam, birim=birim,
        parametreler=filtre_parametreleri(filtre), grafikler=_grafikler(r), gecikmis=gecikmis,
        isi_haritasi=isi.isi_haritasi(db, r.darbogazlar), **_secenekler(db, kapsam))


def _secenekler(db, kapsam) -> dict:
    return {"turler": TURLER, "durumlar": DURUMLAR, "listeler": LISTELER, "birim_turleri": BIRIM_TURLERI,
            "iller": [(k, ad) for k, ad in db.execute(select(Il.kod, Il.ad).order_by(Il.kod))],
            "birimler": _birim_secenekleri(db, kapsam)}


@bp.get("/talepler")
@rapor_gerekli
def talepler():
    simdi, birim, kapsam, filtre = _baglam()
    db = get_session()
    sayfa = R.talep_sayfasi(db, kapsam, filtre, simdi, request.args.get("sonra"), SAYFA_BOYU)
    return render_template(
        "raporlar/talepler.html", sekme="raporlar", sayfa=sayfa, filtre=filtre, kapsam=kapsam, birim=birim,
        parametreler=filtre_parametreleri(filtre), ilk_sayfa=request.args.get("sonra") is not None,
        sutunlar=TALEP_SUTUNLARI, hucreler=talep_hucreleri, **_secenekler(db, kapsam))


def _dosya_adi(on: str, simdi: datetime) -> str:
    return f"{on}-{simdi.astimezone(R.TURKIYE).strftime('%Y%m%d-%H%M')}"


@bp.get("/talepler.<any(xlsx, csv):bicim>")
@rapor_gerekli
def talepler_indir(bicim):
    """The filtered talep list (at most 100 000 rows, newest first), read in batches while it is written."""
    simdi, _birim_, kapsam, filtre = _baglam()
    database = get_database()

    def satirlar():
        with database.session() as oturum:
            for r in R.talep_satirlari(oturum, kapsam, filtre, simdi):
                yield talep_hucreleri(r)

    return disari.indir(bicim, _dosya_adi("talepler", simdi), "Talepler", TALEP_SUTUNLARI, satirlar())


@bp.get("/tablo/<ad>.<any(xlsx, csv):bicim>")
@rapor_gerekli
def tablo_indir(ad, bicim):
    from webapp.raporlar.tablolar import KAYNAK
    if ad not in KAYNAK:
        abort(404)
    simdi, _birim_, kapsam, filtre = _baglam()
    tablo = rapor(get_session(), kapsam, filtre, simdi, yalniz=ad).tablolar[ad]
    return disari.indir(bicim, _dosya_adi(f"rapor-{ad}", simdi), tablo.baslik, tablo.sutunlar, tablo.satirlar)


@bp.app_template_global("rapor_indirme")
def rapor_indirme(ad: str, bicim: str, parametreler: dict) -> str:
    return url_for("raporlar.tablo_indir", ad=ad, bicim=bicim, **parametreler)
