"""What every sender returns, and the small helpers the senders' factories share."""
from __future__ import annotations

from dataclasses import dataclass

from engine.errors import MbsHatasi


@dataclass(frozen=True)
class GonderimSonucu:
    """The outcome of one delivery attempt.

    ``basarili``: the provider accepted the message. ``saglayici_kimlik``: the provider's id for it (Netgsm
    jobid, e-mail Message-ID). ``hata``: a Turkish sentence for ``mesaj_kutusu.son_hata``. ``kalici``: the
    failure will not go away by retrying (bad number, bad credentials), so the row is marked failed at once.
    """
    basarili: bool
    saglayici_kimlik: str | None = None
    hata: str | None = None
    kalici: bool = False

    @classmethod
    def basari(cls, saglayici_kimlik: str | None = None) -> "GonderimSonucu":
        return cls(True, saglayici_kimlik=saglayici_kimlik)

    @classmethod
    def gecici_hata(cls, hata: str) -> "GonderimSonucu":
        """A failure worth retrying later: timeouts, 5xx, rate limits."""
        return cls(False, hata=hata, kalici=False)

    @classmethod
    def kalici_hata(cls, hata: str) -> "GonderimSonucu":
        """A failure no retry can fix."""
        return cls(False, hata=hata, kalici=True)


class MesajYapilandirmaHatasi(MbsHatasi):
    """The SMS or e-mail settings are missing or wrong; raised at start-up, not per message."""
    mesaj = "Mesaj gönderim ayarları eksik veya hatalı."


def ayar_bool(deger, varsayilan: bool = False) -> bool:
    """Read a flag that may come from the environment as text ("1", "true", "evet")."""
    if deger is None or deger == "":
        return varsayilan
    if isinstance(deger, str):
        return deger.strip().lower() in {"1", "true", "yes", "on", "evet", "e"}
    return bool(deger)


def zorunlu_ayar(ayarlar: dict, anahtar: str) -> str:
    """The value of a required setting, or a clear error naming the key."""
    deger = ayarlar.get(anahtar)
    if deger is None or str(deger).strip() == "":
        raise MesajYapilandirmaHatasi(f"Mesaj gönderim ayarı eksik: {anahtar}")
    return str(deger)
