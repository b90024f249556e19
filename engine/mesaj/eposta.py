"""E-mail senders: a development one that sends nothing, and SMTP (plain text, UTF-8).

Same contract as the SMS gateways: ``gonder`` returns a ``GonderimSonucu`` and never raises for a
delivery problem; ``kalici`` tells the delivery loop not to retry.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from abc import ABC, abstractmethod
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from engine.mesaj.sonuc import GonderimSonucu, MesajYapilandirmaHatasi, ayar_bool, zorunlu_ayar

logger = logging.getLogger(__name__)


class EpostaGonderici(ABC):
    """Sends one plain-text e-mail."""

    @abstractmethod
    def gonder(self, alici: str, konu: str, metin: str) -> GonderimSonucu:
        """Send; return the outcome (``saglayici_kimlik`` is the Message-ID)."""


class GelistirmeEpostaGonderici(EpostaGonderici):
    """Development backend: logs the recipient and subject, sends nothing, succeeds."""

    def gonder(self, alici: str, konu: str, metin: str) -> GonderimSonucu:
        logger.info("E-posta (geliştirme, gönderilmedi) -> %s: %s (%d karakter)", alici, konu, len(metin))
        return GonderimSonucu.basari(f"gelistirme-{secrets.token_hex(6)}")


class SmtpEpostaGonderici(EpostaGonderici):
    """One SMTP connection per message: delivery is rare, and a fresh connection has no stale state."""

    def __init__(self, host: str, port: int, gonderen: str, kullanici: str | None = None,
                 parola: str | None = None, starttls: bool = False, timeout: float = 10):
        self.host, self.port, self.gonderen = host, int(port), gonderen
        self.kullanici, self.parola = kullanici, parola
        self.starttls, self.timeout = starttls, timeout

    def gonder(self, alici: str, konu: str, metin: str) -> GonderimSonucu:
        try:
            ileti = self._ileti(alici, konu, metin)
        except (ValueError, TypeError) as hata:
            # e.g. a line break in the address or subject: no retry can fix the row.
            return GonderimSonucu.kalici_hata(f"E-posta oluşturulamadı: {hata}")
        try:
            self._gonder(ileti)
        except smtplib.SMTPAuthenticationError as hata:
            return GonderimSonucu.kalici_hata(f"SMTP kimlik doğrulaması başarısız ({hata.smtp_code}).")
        except smtplib.SMTPRecipientsRefused as hata:
            return _smtp_kod_sonucu(_ilk_kod(hata.recipients), "Alıcı adresi reddedildi")
        except smtplib.SMTPResponseException as hata:
            return _smtp_kod_sonucu(hata.smtp_code, "SMTP sunucusu iletiyi reddetti")
        except smtplib.SMTPNotSupportedError:
            return GonderimSonucu.kalici_hata("SMTP sunucusu istenen özelliği (STARTTLS/AUTH) desteklemiyor.")
        except (smtplib.SMTPException, OSError) as hata:
            # Connection refused, timeouts, dropped connections: the server may be back later.
            return GonderimSonucu.gecici_hata(f"SMTP sunucusuna ulaşılamadı: {type(hata).__name__}.")
        return GonderimSonucu.basari(ileti["Message-ID"])

    def _ileti(self, alici: str, konu: str, metin: str) -> EmailMessage:
        ileti = EmailMessage()
        ileti["From"] = self.gonderen
        ileti["To"] = alici
        ileti["Subject"] = konu
        ileti["Date"] = formatdate(localtime=True)
        ileti["Message-ID"] = _message_id(self.gonderen)
        # quoted-printable keeps the body 7-bit, so no relay needs 8BITMIME.
        ileti.set_content(metin, charset="utf-8", cte="quoted-printable")
        return ileti

    def _gonder(self, ileti: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.kullanici:
                smtp.login(self.kullanici, self.parola or "")
            smtp.send_message(ileti)


def _message_id(gonderen: str) -> str:
    # Short enough for mesaj_kutusu.saglayici_kimlik (64), unique without a clock or hostname lookup.
    alan = parseaddr(gonderen)[1].rpartition("@")[2] or "mbs.local"
    return f"<{secrets.token_hex(10)}@{alan[:40]}>"


def _ilk_kod(alicilar: dict) -> int:
    return next(iter(alicilar.values()), (0, b""))[0]


def _smtp_kod_sonucu(kod: int, ne: str) -> GonderimSonucu:
    """SMTP 5xx is permanent, 4xx temporary (greylisting, full mailbox, rate limits)."""
    if 500 <= kod < 600:
        return GonderimSonucu.kalici_hata(f"{ne} (SMTP {kod}).")
    return GonderimSonucu.gecici_hata(f"{ne} (SMTP {kod}); daha sonra yeniden denenecek.")


def eposta_gonderici_olustur(ayarlar: dict) -> EpostaGonderici:
    """The sender the settings choose: EPOSTA_BACKEND "gelistirme" (default) or "smtp".

    smtp needs EPOSTA_SMTP_HOST and EPOSTA_GONDEREN; optional EPOSTA_SMTP_PORT (25),
    EPOSTA_SMTP_KULLANICI, EPOSTA_SMTP_PAROLA, EPOSTA_SMTP_STARTTLS (False), EPOSTA_SMTP_ZAMAN_ASIMI (10 s).
    Raises ``MesajYapilandirmaHatasi`` for bad settings.
    """
    backend = str(ayarlar.get("EPOSTA_BACKEND") or "gelistirme").strip().lower()
    if backend == "gelistirme":
        return GelistirmeEpostaGonderici()
    if backend == "smtp":
        return SmtpEpostaGonderici(
            host=zorunlu_ayar(ayarlar, "EPOSTA_SMTP_HOST"),
            port=int(ayarlar.get("EPOSTA_SMTP_PORT") or 25),
            gonderen=zorunlu_ayar(ayarlar, "EPOSTA_GONDEREN"),
            kullanici=ayarlar.get("EPOSTA_SMTP_KULLANICI") or None,
            parola=ayarlar.get("EPOSTA_SMTP_PAROLA") or None,
            starttls=ayar_bool(ayarlar.get("EPOSTA_SMTP_STARTTLS")),
            timeout=float(ayarlar.get("EPOSTA_SMTP_ZAMAN_ASIMI") or 10),
        )
    raise MesajYapilandirmaHatasi(f"Bilinmeyen EPOSTA_BACKEND: {backend!r} (gelistirme veya smtp olmalı).")
