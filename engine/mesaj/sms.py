"""SMS gateways: one interface, a development backend that sends nothing, and Netgsm (REST v2).

A gateway sends one message and says what happened (``GonderimSonucu``); it never touches the database.
The delivery loop (``teslim.py``) decides about retries from ``kalici``.
"""
from __future__ import annotations

import logging
import re
import uuid
from abc import ABC, abstractmethod

import requests

from engine.mesaj.kuyruk import GIZLI_METIN, son_mesajlar  # noqa: F401  (re-exported for the CLI)
from engine.mesaj.sonuc import GonderimSonucu, MesajYapilandirmaHatasi, ayar_bool, zorunlu_ayar

logger = logging.getLogger(__name__)

NETGSM_VARSAYILAN_URL = "https://api.netgsm.com.tr/sms/rest/v2/send"

#: Netgsm answer code -> (Turkish explanation, permanent?)
NETGSM_HATALARI: dict[str, tuple[str, bool]] = {
    "20": ("Mesaj metni hatalı veya azami mesaj uzunluğu aşıldı.", True),
    "30": ("Geçersiz kullanıcı adı/şifre veya kullanıcının API erişim izni yok.", True),
    "40": ("Mesaj başlığı (gönderici adı) sistemde tanımlı değil.", True),
    "50": ("Abone hesabı ile İYS kontrollü gönderim yapılamaz.", True),
    "51": ("Aboneliğe tanımlı İYS marka bilgisi bulunamadı.", True),
    "70": ("Hatalı sorgu: parametrelerden biri hatalı veya zorunlu bir alan eksik.", True),
    "80": ("Gönderim sınır aşımı.", False),
    "85": ("Mükerrer gönderim sınır aşımı: aynı numaraya kısa sürede çok fazla mesaj.", False),
    "100": ("Netgsm sistem hatası.", False),
    "101": ("Netgsm sistem hatası.", False),
}


class SmsGateway(ABC):
    """Sends one SMS. Implementations must not raise for delivery problems: they return a result."""

    @abstractmethod
    def gonder(self, numara: str, metin: str, *, gizli: bool = False) -> GonderimSonucu:
        """Send ``metin`` to ``numara``. ``gizli``: the text holds a one-time code (do not log it)."""


class GelistirmeSmsGateway(SmsGateway):
    """Development backend: sends nothing, logs the message and succeeds.

    The outbox table is the record (see ``son_mesajlar``). A gizli text is logged only when
    ``kodlari_logla`` is on, so the developer can read a one-time code from the console.
    """

    def __init__(self, kodlari_logla: bool = False):
        self.kodlari_logla = kodlari_logla

    def gonder(self, numara: str, metin: str, *, gizli: bool = False) -> GonderimSonucu:
        gorunen = metin if (not gizli or self.kodlari_logla) else GIZLI_METIN
        # the number masked as the delivery loop logs it: no log is a copy of the muhtars' phones (KVKK)
        logger.info("SMS (geliştirme, gönderilmedi) -> %s: %s", _maskeli(numara), gorunen)
        return GonderimSonucu.basari(f"gelistirme-{uuid.uuid4().hex[:12]}")


def _maskeli(numara: str) -> str:
    numara = numara or ""
    return numara if len(numara) <= 6 else f"{numara[:4]}***{numara[-3:]}"


def netgsm_numarasi(numara: str) -> str | None:
    """A Turkish mobile number in Netgsm's form "5xxxxxxxxx", or None when it is not one.

    Accepts "+90 532 123 45 67", "0090...", "90...", "0532...", "532..." with spaces, dashes, brackets.
    """
    rakamlar = re.sub(r"[\s\-().]", "", numara or "")
    if rakamlar.startswith("+"):
        rakamlar = rakamlar[1:]
    for onek in ("0090", "90", "0"):
        if len(rakamlar) == 10 + len(onek) and rakamlar.startswith(onek):
            rakamlar = rakamlar[len(onek):]
            break
    return rakamlar if re.fullmatch(r"5\d{9}", rakamlar) else None


class NetgsmSmsGateway(SmsGateway):
    """Netgsm REST v2: POST JSON with HTTP basic auth; ``{"code": "00", "jobid": ...}`` means accepted."""

    def __init__(self, url: str, kullanici: str, parola: str, baslik: str, timeout: float = 10,
                 oturum: requests.Session | None = None):
        self.url = url
        self.baslik = baslik
        self.timeout = timeout
        self._auth = (kullanici, parola)
        # A session keeps the TLS connection open between the messages of one delivery run.
        self._oturum = oturum or requests.Session()

    def gonder(self, numara: str, metin: str, *, gizli: bool = False) -> GonderimSonucu:
        no = netgsm_numarasi(numara)
        if no is None:
            return GonderimSonucu.kalici_hata("Geçersiz cep telefonu numarası.")
        govde = {"msgheader": self.baslik, "messages": [{"msg": metin, "no": no}], "encoding": "TR"}
        try:
            yanit = self._oturum.post(self.url, json=govde, auth=self._auth, timeout=self.timeout)
        except requests.Timeout:
            return GonderimSonucu.gecici_hata(f"Netgsm {self.timeout:g} sn içinde yanıt vermedi (zaman aşımı).")
        except requests.ConnectionError as hata:
            return GonderimSonucu.gecici_hata(f"Netgsm'e bağlanılamadı: {type(hata).__name__}.")
        except requests.RequestException as hata:
            return GonderimSonucu.gecici_hata(f"Netgsm isteği başarısız: {type(hata).__name__}.")
        return netgsm_yanitini_coz(yanit.status_code, _json_ya_da_none(yanit))


def netgsm_yanitini_coz(http_durumu: int, veri: object) -> GonderimSonucu:
    """Map Netgsm's HTTP status and JSON answer to a result (pure, so it is tested without a server)."""
    if http_durumu >= 500:
        return GonderimSonucu.gecici_hata(f"Netgsm sunucu hatası (HTTP {http_durumu}).")
    kod = str(veri.get("code", "")).strip() if isinstance(veri, dict) else ""
    if kod == "00" and http_durumu < 300:
        return GonderimSonucu.basari(str(veri.get("jobid") or "") or None)
    if kod in NETGSM_HATALARI:
        aciklama, kalici = NETGSM_HATALARI[kod]
        return GonderimSonucu(False, hata=f"Netgsm hata kodu {kod}: {aciklama}", kalici=kalici)
    if http_durumu in (401, 403):
        return GonderimSonucu.kalici_hata(f"Netgsm isteği reddetti (HTTP {http_durumu}): kullanıcı bilgilerini "
                                          "kontrol edin.")
    if http_durumu in (408, 429) or http_durumu < 400:
        # An unknown code or an unreadable 2xx: maybe passing, so retry (the attempt limit bounds it).
        return GonderimSonucu.gecici_hata(f"Netgsm beklenmeyen yanıt verdi (HTTP {http_durumu}, kod {kod or '-'}).")
    return GonderimSonucu.kalici_hata(f"Netgsm isteği reddetti (HTTP {http_durumu}, kod {kod or '-'}).")


def _json_ya_da_none(yanit: requests.Response) -> object:
    try:
        return yanit.json()
    except ValueError:
        return None


def sms_gateway_olustur(ayarlar: dict) -> SmsGateway:
    """The gateway the settings choose: SMS_BACKEND "gelistirme" (default) or "netgsm".

    netgsm needs SMS_NETGSM_KULLANICI, SMS_NETGSM_PAROLA, SMS_NETGSM_BASLIK; SMS_NETGSM_URL and
    SMS_NETGSM_ZAMAN_ASIMI (seconds, default 10) are optional. SMS_KODLARI_LOGLA (default: DEBUG) lets
    the development backend print one-time codes. Raises ``MesajYapilandirmaHatasi`` for bad settings.
    """
    backend = str(ayarlar.get("SMS_BACKEND") or "gelistirme").strip().lower()
    if backend == "gelistirme":
        return GelistirmeSmsGateway(ayar_bool(ayarlar.get("SMS_KODLARI_LOGLA"), ayar_bool(ayarlar.get("DEBUG"))))
    if backend == "netgsm":
        return NetgsmSmsGateway(
            url=str(ayarlar.get("SMS_NETGSM_URL") or NETGSM_VARSAYILAN_URL),
            kullanici=zorunlu_ayar(ayarlar, "SMS_NETGSM_KULLANICI"),
            parola=zorunlu_ayar(ayarlar, "SMS_NETGSM_PAROLA"),
            baslik=zorunlu_ayar(ayarlar, "SMS_NETGSM_BASLIK"),
            timeout=float(ayarlar.get("SMS_NETGSM_ZAMAN_ASIMI") or 10),
        )
    raise MesajYapilandirmaHatasi(f"Bilinmeyen SMS_BACKEND: {backend!r} (gelistirme veya netgsm olmalı).")
