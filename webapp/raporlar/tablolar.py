"""The report tables as data: a title, Turkish column headers and rows of typed cells, shared by the page, the
charts and the XLSX/CSV exports. Built from ``engine.raporlar`` (every figure from SQL); durations in days."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app

from engine import rapor_ozeti
from engine import raporlar as R
from webapp.raporlar import onbellek

#: a stored dashboard result older than this is not shown (``flask rapor hazirla --dongu`` refreshes them)
VARSAYILAN_OZET_SN = 1200

GUN = 86400.0
DURUMLAR = {"bekleyen": "Bekleyen", "yonlendirilen": "Yönlendirilen", "sonuclanan": "Sonuçlanan"}
TURLER = {"sikayet": "Şikâyet", "istek": "İstek", "ihbar": "İhbar", "gorus_oneri": "Görüş ve Öneri"}
ONCELIKLER = {"normal": "Normal", "yuksek": "Yüksek", "acil": "Acil"}
BIRIM_TURLERI = {"MIGM": "MİGM", "VALILIK": "Valilik", "BELEDIYE": "Belediye", "IL_MUDURLUGU": "İl Müdürlüğü",
                 "IL_OZEL_IDARESI": "İl Özel İdaresi", "KAYMAKAMLIK": "Kaymakamlık"}


class Gun(float):
    """A duration in days (a cell kind: shown and exported with one decimal)."""


def gun(saniye) -> Gun | None:
    if saniye is None:
        return None
    return Gun(round(float(saniye) / GUN, 1))  # PostgreSQL gives Decimal, SQLite float


@dataclass
class Tablo:
    ad: str
    baslik: str
    sutunlar: list[str]
    satirlar: list[list] = field(default_factory=list)
    aciklama: str = ""


def _sayi_tablolari(s: R.Sayilar) -> list[Tablo]:
    parca = ["Kısım", "Açık", "Tamamlanan", "Süresi geçen"]
    return [
        Tablo("durum", "Duruma göre talepler", ["Durum", "Talep"],
              [[DURUMLAR.get(durum, durum), adet] for durum, adet in s.durum]),
        Tablo("tur", "Türe göre talepler", ["Tür", "Talep"], [[TURLER.get(t, t), adet] for t, adet in s.tur]),
        Tablo("il", "İle göre talepler", ["İl", "Talep"], [[ad, adet] for _kod, ad, adet in s.il]),
        Tablo("birim-turu", "Birim türüne göre kısımlar", ["Birim türü", *parca],
              [[BIRIM_TURLERI.get(r.tur, r.tur), r.adet, r.acik, r.tamamlanan, r.gecikti] for r in s.birim_turu],
              "Bir talebin her birime yönlendirilen bölümü bir kısımdır; süresi geçen: son tarihi açıkken geçen ya da "
              "son tarihinden sonra tamamlanan."),
        Tablo("birim", "Birime göre kısımlar", ["Birim", "Birim türü", *parca],
              [[r.ad, BIRIM_TURLERI.get(r.tur, r.tur), r.adet, r.acik, r.tamamlanan, r.gecikti] for r in s.birim]),
    ]


def _sure_sutunlari(ilk: list[str], adet: str) -> list[str]:
    return [*ilk, adet, "Medyan (gün)", "%90 (gün)", "Ortalama (gün)"]


def _sure(r) -> list:
    return [r.adet, gun(r.medyan), gun(r.p90), gun(r.ortalama)]


def _sure_tablolari(c: R.CevapSureleri) -> list[Tablo]:
    genel = [["Tümü", *_sure(c.genel)]] if c.genel is not None and c.genel.adet else []
    return [
        Tablo("cevap", "Cevap süresi: başvurudan nihai cevaba", _sure_sutunlari(["Kapsam"], "Sonuçlanan talep"),
              genel),
        Tablo("cevap-il", "İle göre cevap süresi", _sure_sutunlari(["İl"], "Sonuçlanan talep"),
              [[r.il_ad, *_sure(r)] for r in c.il]),
        Tablo("cevap-birim", "Birime göre işlem süresi: yönlendirmeden tamamlanmaya",
              _sure_sutunlari(["Birim", "Birim türü"], "Tamamlanan kısım"),
              [[r.birim_ad, BIRIM_TURLERI.get(r.birim_tur, r.birim_tur), *_sure(r)] for r in c.birim]),
        Tablo("en-yavas-il", "En yavaş iller (medyan cevap süresi)", _sure_sutunlari(["İl"], "Sonuçlanan talep"),
              [[r.il_ad, *_sure(r)] for r in c.en_yavas_il]),
        Tablo("en-yavas-birim", "En yavaş birimler (medyan işlem süresi)",
              _sure_sutunlari(["Birim", "Birim türü"], "Tamamlanan kısım"),
              [[r.birim_ad, BIRIM_TURLERI.get(r.birim_tur, r.birim_tur), *_sure(r)] for r in c.en_yavas_birim]),
    ]


def _darbogaz_tablosu(d: list[R.Darbogaz]) -> Tablo:
    return Tablo("darbogaz", "Süreç darboğazları: görevlerin bekleme süresi",
                 ["Görev", "BPMN kimliği", "Tamamlanan", "Medyan (gün)", "%90 (gün)", "Ortalama (gün)",
                  "Şu an bekleyen"],
                 [[x.ad, x.bpmn_id, x.adet, gun(x.medyan), gun(x.p90), gun(x.ortalama), x.acik] for x in d],
                 "Görevin gelen kutusuna düştüğü andan tamamlandığı ana kadar geçen süre.")


def _ozet_tablosu(s: R.Sayilar, c: R.CevapSureleri) -> Tablo:
    o = s.ozet
    satirlar = [["Talep", o["toplam"]], ["Sonuçlanan", o["sonuclanan"]], ["Açık", o["acik"]],
                ["Süresi geçmiş açık talep", o["gecikmis"]], ["Süresi geçmiş (sonuçlanan dahil)", o["gecikti"]]]
    if c.genel is not None and c.genel.adet:
        satirlar += [["Medyan cevap süresi (gün)", gun(c.genel.medyan)], ["%90 cevap süresi (gün)", gun(c.genel.p90)]]
    return Tablo("ozet", "Özet", ["Gösterge", "Değer"], satirlar)


#: table name -> which report computes it
KAYNAK = {"ozet": "hepsi", "durum": "sayi", "tur": "sayi", "il": "sayi", "birim-turu": "sayi", "birim": "sayi",
          "cevap": "sure", "cevap-il": "sure", "cevap-birim": "sure", "en-yavas-il": "sure",
          "en-yavas-birim": "sure", "darbogaz": "darbogaz"}


@dataclass
class Rapor:
    tablolar: dict[str, Tablo]
    sayilar: R.Sayilar | None = None
    sureler: R.CevapSureleri | None = None
    darbogazlar: list | None = None
    #: when the oldest of the figures was computed (a precomputed or cached result may be minutes old)
    hesaplanma: datetime | None = None


def _ozet_ya_da_hesapla(session, ad: str, kapsam: R.Kapsam, filtre: R.Filtre, simdi: datetime):
    """(figures, when computed): the result ``flask rapor hazirla`` stored for this view if it is younger than
    RAPOR_OZET_SN seconds, else computed now."""
    en_eski = simdi - timedelta(seconds=float(current_app.config.get("RAPOR_OZET_SN", VARSAYILAN_OZET_SN)))
    kayit = rapor_ozeti.oku(session, ad, kapsam, filtre, en_eski)
    if kayit is not None:
        return kayit
    return rapor_ozeti.RAPORLAR[ad](session, kapsam, filtre, simdi), simdi


def rapor(session, kapsam: R.Kapsam, filtre: R.Filtre, simdi: datetime, yalniz: str | None = None) -> Rapor:
    """The tables (all, or only what ``yalniz`` needs), each from one SQL report or its stored result."""
    gerek = {"sayi", "sure", "darbogaz"} if yalniz is None or KAYNAK.get(yalniz) == "hepsi" else {KAYNAK[yalniz]}
    if yalniz == "ozet":
        gerek = {"sayi", "sure"}
    zamanlar = []

    def hesapla(ad):
        if ad not in gerek:
            return None
        deger, zaman = onbellek.al((ad, kapsam, filtre),
                                   lambda: _ozet_ya_da_hesapla(session, ad, kapsam, filtre, simdi))
        zamanlar.append(zaman)
        return deger

    sayi = hesapla("sayi")
    sure = hesapla("sure")
    darbogaz = hesapla("darbogaz")
    tablolar: list[Tablo] = []
    if sayi is not None and sure is not None:
        tablolar.append(_ozet_tablosu(sayi, sure))
    if sayi is not None:
        tablolar += _sayi_tablolari(sayi)
    if sure is not None:
        tablolar += _sure_tablolari(sure)
    if darbogaz is not None:
        tablolar.append(_darbogaz_tablosu(darbogaz))
    return Rapor({t.ad: t for t in tablolar}, sayi, sure, darbogaz, min(zamanlar, default=None))


TALEP_SUTUNLARI = ["Talep No", "Tür", "Durum", "Öncelik", "İl", "İlçe", "Muhtarlık", "Başvuru tarihi",
                   "Yasal son tarih", "Sonuçlanma tarihi", "Cevap süresi (gün)", "Süresi geçti"]


def talep_hucreleri(r) -> list:
    """One talep row of the list export, as typed cells (dates as ``date`` in Türkiye time)."""
    sure = None
    if r.sonuclanma is not None and r.olusturma is not None:
        sure = Gun(round((r.sonuclanma - r.olusturma).total_seconds() / GUN, 1))
    return [r.numara or f"#{r.id}", TURLER.get(r.tur, r.tur), DURUMLAR.get(r.durum, r.durum),
            ONCELIKLER.get(r.oncelik, r.oncelik or ""), r.il, r.ilce, r.mahalle, yerel_tarih(r.olusturma),
            yerel_tarih(r.son_tarih), yerel_tarih(r.sonuclanma), sure,
            "Evet" if (r.gecikmis or r.gecikti) else "Hayır"]


def yerel_tarih(an: datetime | None) -> date | None:
    if an is None:
        return None
    return an.astimezone(R.TURKIYE).date()
