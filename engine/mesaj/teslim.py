"""Delivering the outbox after the commit, with retries, so that no row is sent twice.

One delivery run (``teslim_et``) works in small batches:

1. **Claim** (a short transaction): take due rows (``durum='bekliyor'`` and ``sonraki_deneme <= now``) and
   mark them ``gonderiliyor``. PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``, so concurrent senders
   take disjoint rows without waiting. SQLite: the write session's ``BEGIN IMMEDIATE`` serialises claimers.
   While a row is ``gonderiliyor``, ``sonraki_deneme`` holds its lease expiry (claim time + ``kira``).
2. **Send** each claimed row with no transaction and no connection held.
3. **Record** the outcome (its own short transaction): ``gonderildi``; or back to ``bekliyor`` with
   ``deneme_sayisi + 1`` and an exponential back-off; or ``basarisiz`` after a permanent error or the
   last allowed attempt. ``deneme_sayisi`` counts attempts made, the successful one included.

A gizli row (a one-time login code) loses its text when it reaches a final state: the same UPDATE that writes
``gonderildi`` or ``basarisiz`` replaces ``metin`` with ``SILINEN_KOD_METNI``, so a delivered or dead code
never stays in the table. (Development keeps it, see ``TeslimAyarlari.gizli_metni_sil``.)

A row in ``gonderiliyor`` is never picked by another sender. The single at-least-once case: a sender that
dies between sending and recording leaves its rows in ``gonderiliyor``; once the lease expires they go
back to ``bekliyor`` (counted as an attempt) and are sent again. A live sender never outlives its lease:
it claims ``parti`` rows at a time and hands back the rest of a batch when half the lease is gone.
(A provider timeout is ambiguous in the same way: the provider may have accepted a message whose answer
never arrived; it is retried like any temporary error.)
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from engine.db import Database
from engine.mesaj.eposta import EpostaGonderici
from engine.mesaj.sms import SmsGateway
from engine.mesaj.sonuc import GonderimSonucu
from engine.models import MesajKutusu

logger = logging.getLogger(__name__)

BEKLIYOR, GONDERILIYOR, GONDERILDI, BASARISIZ = "bekliyor", "gonderiliyor", "gonderildi", "basarisiz"
SON_DURUMLAR = (GONDERILDI, BASARISIZ)
#: what a gizli row's text becomes once the row is final: the code itself is gone
SILINEN_KOD_METNI = "[onay kodu silindi]"
KIRA_DOLDU = "Gönderim yarıda kaldı (gönderici kira süresi içinde sonuç yazmadı); yeniden denenecek."


@dataclass(frozen=True)
class TeslimAyarlari:
    """Retry policy of the delivery loop. Seconds throughout; tests use ``geri_cekilme=0``."""
    #: attempts before a row is marked basarisiz
    azami_deneme: int = 8
    #: wait after the n-th failed attempt: geri_cekilme * 2**(n-1), at most geri_cekilme_tavan
    geri_cekilme: float = 30.0
    geri_cekilme_tavan: float = 3600.0
    #: how long a claimed row belongs to its sender before another may take it back
    kira: float = 300.0
    #: rows claimed per short transaction; parti * the gateway's timeout must stay well under kira
    parti: int = 10
    #: replace a gizli row's text by SILINEN_KOD_METNI when it becomes final. Off only in development,
    #: where nothing is really sent and the outbox is where a developer (and the e2e tests) read the code.
    gizli_metni_sil: bool = True


def teslim_ayarlari_olustur(ayarlar: dict) -> TeslimAyarlari:
    """Read MESAJ_AZAMI_DENEME, MESAJ_GERI_CEKILME_SN, MESAJ_GERI_CEKILME_TAVAN_SN, MESAJ_KIRA_SN, MESAJ_PARTI.

    One-time codes are kept after delivery only when MBS_ENV is "development" (missing counts as not).
    """
    v = TeslimAyarlari()
    return TeslimAyarlari(
        azami_deneme=int(_ayar(ayarlar, "MESAJ_AZAMI_DENEME", v.azami_deneme)),
        geri_cekilme=float(_ayar(ayarlar, "MESAJ_GERI_CEKILME_SN", v.geri_cekilme)),
        geri_cekilme_tavan=float(_ayar(ayarlar, "MESAJ_GERI_CEKILME_TAVAN_SN", v.geri_cekilme_tavan)),
        kira=float(_ayar(ayarlar, "MESAJ_KIRA_SN", v.kira)),
        parti=int(_ayar(ayarlar, "MESAJ_PARTI", v.parti)),
        gizli_metni_sil=ayarlar.get("MBS_ENV") != "development",
    )


def _ayar(ayarlar: dict, anahtar: str, varsayilan):
    # An empty environment variable means "not set", but 0 is a real value (tests use no back-off).
    deger = ayarlar.get(anahtar)
    return varsayilan if deger is None or deger == "" else deger


def geri_cekilme_suresi(deneme_sayisi: int, ayarlar: TeslimAyarlari) -> timedelta:
    """The wait before the next attempt after ``deneme_sayisi`` failed attempts (1 -> base, doubling, capped)."""
    saniye = ayarlar.geri_cekilme * 2 ** max(deneme_sayisi - 1, 0)
    return timedelta(seconds=min(saniye, ayarlar.geri_cekilme_tavan))


@dataclass(frozen=True)
class _Talep:
    """A claimed row copied out of the session, so sending needs no database."""
    id: int
    kanal: str
    alici: str
    konu: str | None
    metin: str
    gizli: bool
    deneme_sayisi: int


def teslim_et(database: Database, sms_gateway: SmsGateway, eposta_gonderici: EpostaGonderici,
              limit: int = 100, simdi: datetime | None = None, ayarlar: TeslimAyarlari | None = None) -> dict:
    """Deliver up to ``limit`` due rows, each at most once in this run; return counts by outcome.

    Keys: alinan (claimed), gonderildi, yeniden_denenecek, basarisiz, geri_alinan (expired leases taken
    back), birakilan (handed back unsent to keep within the lease), cakisma (outcome not recorded because
    the row had changed hands). ``simdi`` fixes the clock for tests; by default each step reads it anew.
    """
    ayarlar = ayarlar or TeslimAyarlari()
    sayac: Counter = Counter()
    denenenler: set[int] = set()
    while len(denenenler) < limit and _is_var(database, _utc(simdi)):
        parti = _talep_et(database, min(ayarlar.parti, limit - len(denenenler)), denenenler,
                          _utc(simdi), ayarlar, sayac)
        if not parti:
            break
        denenenler.update(m.id for m in parti)
        sayac["alinan"] += len(parti)
        _partiyi_gonder(database, parti, sms_gateway, eposta_gonderici, simdi, ayarlar, sayac)
    return {k: sayac[k] for k in ("alinan", "gonderildi", "yeniden_denenecek", "basarisiz", "geri_alinan",
                                  "birakilan", "cakisma")}


# --- 1. claim -----------------------------------------------------------------------------------------

def _is_var(database: Database, simdi: datetime) -> bool:
    """A cheap read first: an idle loop then never takes SQLite's write lock (or PostgreSQL row locks)."""
    sorgu = (select(MesajKutusu.id)
             .where(MesajKutusu.durum.in_((BEKLIYOR, GONDERILIYOR)), MesajKutusu.sonraki_deneme <= simdi)
             .limit(1))
    with database.session() as s:
        return s.execute(sorgu).first() is not None


def _talep_et(database: Database, adet: int, haric: set[int], simdi: datetime, ayarlar: TeslimAyarlari,
              sayac: Counter) -> list[_Talep]:
    """Take back expired leases, then mark up to ``adet`` due rows gonderiliyor; commit; return copies."""
    with database.unit_of_work() as s:
        sayac["geri_alinan"] += _suresi_dolanlari_geri_al(s, simdi, ayarlar, sayac)
        sorgu = (select(MesajKutusu)
                 .where(MesajKutusu.durum == BEKLIYOR, MesajKutusu.sonraki_deneme <= simdi)
                 .order_by(MesajKutusu.sonraki_deneme, MesajKutusu.id)
                 .limit(adet)
                 .with_for_update(skip_locked=True))  # SQLite renders no FOR UPDATE: BEGIN IMMEDIATE
        if haric:
            sorgu = sorgu.where(MesajKutusu.id.not_in(haric))
        satirlar = list(s.scalars(sorgu))
        kira_bitisi = simdi + timedelta(seconds=ayarlar.kira)
        for m in satirlar:
            m.durum, m.sonraki_deneme = GONDERILIYOR, kira_bitisi
        return [_Talep(m.id, m.kanal, m.alici, m.konu, m.metin, m.gizli, m.deneme_sayisi) for m in satirlar]


def _suresi_dolanlari_geri_al(s, simdi: datetime, ayarlar: TeslimAyarlari, sayac: Counter) -> int:
    """Rows whose sender died mid-run: count the lost attempt and make them due again (or give up)."""
    sorgu = (select(MesajKutusu)
             .where(MesajKutusu.durum == GONDERILIYOR, MesajKutusu.sonraki_deneme <= simdi)
             .with_for_update(skip_locked=True))
    satirlar = list(s.scalars(sorgu))
    for m in satirlar:
        m.deneme_sayisi += 1
        m.son_hata = KIRA_DOLDU
        m.sonraki_deneme = simdi
        m.durum = BASARISIZ if m.deneme_sayisi >= ayarlar.azami_deneme else BEKLIYOR
        if m.durum == BASARISIZ and m.gizli and ayarlar.gizli_metni_sil:
            m.metin = SILINEN_KOD_METNI
        sayac["basarisiz"] += m.durum == BASARISIZ
        logger.warning("Mesaj #%s kira süresi doldu; durum=%s (deneme %s)", m.id, m.durum, m.deneme_sayisi)
    s.flush()
    return len(satirlar)


# --- 2. send ------------------------------------------------------------------------------------------

def _partiyi_gonder(database: Database, parti: list[_Talep], sms_gateway: SmsGateway,
                    eposta_gonderici: EpostaGonderici, simdi: datetime | None, ayarlar: TeslimAyarlari,
                    sayac: Counter) -> None:
    """Send a claimed batch and record each outcome; hand back the rest if the lease runs short."""
    baslangic = time.monotonic()
    for sira, mesaj in enumerate(parti):
        if time.monotonic() - baslangic > ayarlar.kira / 2:
            sayac["birakilan"] += _birak(database, parti[sira:], _utc(simdi), "kira süresinin yarısı doldu")
            return
        try:
            sonuc = _gonder(mesaj, sms_gateway, eposta_gonderici)
        except BaseException:
            # Ctrl+C or shutdown mid-send: this row's fate is unknown, so its lease decides; the rest go back now.
            _birak(database, parti[sira + 1:], _utc(simdi), "gönderici durduruldu")
            raise
        sayac[_sonucu_kaydet(database, mesaj, sonuc, _utc(simdi), ayarlar)] += 1


def _gonder(mesaj: _Talep, sms_gateway: SmsGateway, eposta_gonderici: EpostaGonderici) -> GonderimSonucu:
    """One attempt; an unexpected exception in a sender is a temporary failure, not a stuck row."""
    if mesaj.gizli and mesaj.metin == SILINEN_KOD_METNI:
        # A final gizli row set back to bekliyor by hand: its code is gone, so never text the placeholder.
        return GonderimSonucu.kalici_hata("Onay kodu silinmiş; bu mesaj yeniden gönderilemez (yeni kod istenmeli).")
    try:
        if mesaj.kanal == "sms":
            return sms_gateway.gonder(mesaj.alici, mesaj.metin, gizli=mesaj.gizli)
        if mesaj.kanal == "eposta":
            return eposta_gonderici.gonder(mesaj.alici, mesaj.konu or "", mesaj.metin)
        return GonderimSonucu.kalici_hata(f"Bilinmeyen mesaj kanalı: {mesaj.kanal!r}.")
    except Exception as hata:  # noqa: BLE001 - a sender bug must not leave the row in gonderiliyor
        logger.exception("Mesaj #%s gönderilirken beklenmeyen hata", mesaj.id)
        return GonderimSonucu.gecici_hata(f"Beklenmeyen hata: {type(hata).__name__}: {hata}"[:500])


# --- 3. record ----------------------------------------------------------------------------------------

def _sonucu_kaydet(database: Database, mesaj: _Talep, sonuc: GonderimSonucu, simdi: datetime,
                   ayarlar: TeslimAyarlari) -> str:
    """Write the outcome; return the counter key. Guarded updates: a row that changed hands is not overwritten."""
    deneme = mesaj.deneme_sayisi + 1
    # A final state and the end of a one-time code's text go in the same UPDATE, hence one transaction.
    kodu_sil = {"metin": SILINEN_KOD_METNI} if mesaj.gizli and ayarlar.gizli_metni_sil else {}
    if sonuc.basarili:
        # Even if the lease was lost meanwhile, the message did go: saying so prevents a second send.
        degisen = _guncelle(database, mesaj, {"durum": GONDERILDI, "deneme_sayisi": deneme, "gonderilme": simdi,
                                              "saglayici_kimlik": (sonuc.saglayici_kimlik or None) and
                                              sonuc.saglayici_kimlik[:64], **kodu_sil}, sadece_bizimse=False)
        anahtar = "gonderildi"
    elif sonuc.kalici or deneme >= ayarlar.azami_deneme:
        degisen = _guncelle(database, mesaj, {"durum": BASARISIZ, "deneme_sayisi": deneme,
                                              "son_hata": _kisalt(sonuc.hata), **kodu_sil})
        anahtar = "basarisiz"
    else:
        degisen = _guncelle(database, mesaj, {"durum": BEKLIYOR, "deneme_sayisi": deneme, "son_hata": _kisalt(
            sonuc.hata), "sonraki_deneme": simdi + geri_cekilme_suresi(deneme, ayarlar)})
        anahtar = "yeniden_denenecek"
    _logla(mesaj, sonuc, anahtar, deneme, degisen)
    return anahtar if degisen else "cakisma"


def _guncelle(database: Database, mesaj: _Talep, degerler: dict, sadece_bizimse: bool = True) -> bool:
    """Update the row if it is still ours (gonderiliyor, same attempt count); success only needs it unsent."""
    sorgu = update(MesajKutusu).where(MesajKutusu.id == mesaj.id)
    if sadece_bizimse:
        sorgu = sorgu.where(MesajKutusu.durum == GONDERILIYOR, MesajKutusu.deneme_sayisi == mesaj.deneme_sayisi)
    else:
        sorgu = sorgu.where(MesajKutusu.durum != GONDERILDI)
    with database.unit_of_work() as s:
        return s.execute(sorgu.values(**degerler).execution_options(synchronize_session=False)).rowcount == 1


def _birak(database: Database, kalanlar: list[_Talep], simdi: datetime, neden: str) -> int:
    """Hand unsent claimed rows back as due now, without counting an attempt."""
    birakilan = 0
    for mesaj in kalanlar:
        birakilan += _guncelle(database, mesaj, {"durum": BEKLIYOR, "sonraki_deneme": simdi})
    if birakilan:
        logger.warning("%s: %d mesaj gönderilmeden sıraya geri bırakıldı.", neden.capitalize(), birakilan)
    return birakilan


def _logla(mesaj: _Talep, sonuc: GonderimSonucu, anahtar: str, deneme: int, degisen: bool) -> None:
    # Never the text: it may hold a one-time code. The recipient is masked for the same reason.
    if not degisen:
        logger.warning("Mesaj #%s sonucu (%s) yazılamadı: satır başka bir göndericiye geçmiş.", mesaj.id, anahtar)
    elif sonuc.basarili:
        logger.info("Mesaj #%s (%s -> %s) gönderildi, kimlik=%s", mesaj.id, mesaj.kanal, _maskele(mesaj.alici),
                    sonuc.saglayici_kimlik)
    else:
        logger.warning("Mesaj #%s (%s -> %s) deneme %d başarısız, durum=%s: %s", mesaj.id, mesaj.kanal,
                       _maskele(mesaj.alici), deneme, anahtar, sonuc.hata)


def _maskele(alici: str) -> str:
    return alici if len(alici) <= 6 else f"{alici[:4]}***{alici[-3:]}"


def _kisalt(hata: str | None) -> str:
    return (hata or "Bilinmeyen hata.")[:1000]


def _utc(an: datetime | None) -> datetime:
    """Aware UTC; a naive value is taken as UTC (SQLite stores wall-clock text, so one zone throughout)."""
    if an is None:
        return datetime.now(timezone.utc)
    return an.replace(tzinfo=timezone.utc) if an.tzinfo is None else an.astimezone(timezone.utc)


# --- running it ---------------------------------------------------------------------------------------

def teslim_dongusu(database: Database, sms_gateway: SmsGateway, eposta_gonderici: EpostaGonderici, *,
                   aralik: float = 2.0, durdur: threading.Event | None = None, limit: int = 100,
                   ayarlar: TeslimAyarlari | None = None) -> None:
    """A service loop: deliver, then wait ``aralik`` seconds (or not at all if a full batch came back).

    Returns when ``durdur`` is set. A failing run (database down) is logged and retried next round.
    """
    durdur = durdur or threading.Event()
    logger.info("Mesaj teslim döngüsü başladı (aralık %.1f sn).", aralik)
    while not durdur.is_set():
        alinan = 0
        try:
            alinan = teslim_et(database, sms_gateway, eposta_gonderici, limit=limit, ayarlar=ayarlar)["alinan"]
        except Exception:  # noqa: BLE001 - the service must outlive a database restart
            logger.exception("Mesaj teslimi başarısız; %.1f sn sonra yeniden denenecek.", aralik)
        if alinan < limit:
            durdur.wait(aralik)
    logger.info("Mesaj teslim döngüsü durdu.")


class _ArkaPlanDurumu:
    """Per database: the running background thread, and whether another run was asked for meanwhile."""

    def __init__(self):
        self.is_parcacigi: threading.Thread | None = None
        self.tekrar = False


_kilit = threading.Lock()
_durumlar: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def teslim_et_arka_planda(database: Database, sms_gateway: SmsGateway, eposta_gonderici: EpostaGonderici, *,
                          limit: int = 100, ayarlar: TeslimAyarlari | None = None) -> threading.Thread | None:
    """Deliver in a daemon thread; call it after a commit that queued messages (development, small sites).

    Bounded: at most one such thread per database. If one is running, it is asked to run once more (so
    rows committed after its claim go too) and None is returned; otherwise the new thread is returned.
    """
    with _kilit:
        durum = _durumlar.setdefault(database, _ArkaPlanDurumu())
        if durum.is_parcacigi is not None:
            durum.tekrar = True
            return None
        is_parcacigi = threading.Thread(target=_arka_planda_calis, name="mbs-mesaj-teslim", daemon=True,
                                        args=(database, sms_gateway, eposta_gonderici, limit, ayarlar, durum))
        durum.is_parcacigi = is_parcacigi
    is_parcacigi.start()
    return is_parcacigi


def _arka_planda_calis(database, sms_gateway, eposta_gonderici, limit, ayarlar, durum: _ArkaPlanDurumu) -> None:
    while True:
        try:
            teslim_et(database, sms_gateway, eposta_gonderici, limit=limit, ayarlar=ayarlar)
        except Exception:  # noqa: BLE001 - a background thread has no caller to raise to
            logger.exception("Arka planda mesaj teslimi başarısız; satırlar bir sonraki çalıştırmada gönderilir.")
        with _kilit:
            if not durum.tekrar:
                durum.is_parcacigi = None
                return
            durum.tekrar = False
