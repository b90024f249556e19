"""Attachment storage: content-addressed, write-once, behind a small interface.

The bytes of an attachment live in a storage backend under their SHA-256; the ``ek`` table holds the
metadata. The same file uploaded twice is stored once; a stored file is never overwritten or changed. The
default backend is a local directory outside the web root (``instance/ekler`` or UPLOAD_DIR), laid out as
``ab/cd/abcd...`` so no directory grows too large. Another backend (object storage) implements ``Depo``.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

PARCA = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class DepoHatasi(Exception):
    """The storage could not take or give a file (not the user's fault)."""


class BoyutAsildi(ValueError):
    """The stream is longer than the allowed size; nothing was stored."""


@dataclass(frozen=True)
class GeciciDosya:
    """A file received and hashed but not yet stored: check it (``yol``), then ``Depo.kabul_et`` or drop it."""
    yol: Path
    sha256: str
    boyut: int

    def sil(self) -> None:
        self.yol.unlink(missing_ok=True)


def sha256_gecerli(sha256: str) -> bool:
    return isinstance(sha256, str) and _SHA256.fullmatch(sha256) is not None


class Depo(ABC):
    """Where attachment bytes live. Every method takes or returns a lowercase hex SHA-256."""

    @abstractmethod
    def gecici_al(self, akis: BinaryIO, en_buyuk: int) -> GeciciDosya:
        """Read the stream into a temporary file, hashing it; raise BoyutAsildi beyond ``en_buyuk`` bytes."""

    @abstractmethod
    def kabul_et(self, gecici: GeciciDosya) -> str:
        """Store the temporary file under its hash (a no-op if already stored); returns the hash."""

    @abstractmethod
    def var_mi(self, sha256: str) -> bool:
        """Whether the content is stored."""

    @abstractmethod
    def ac(self, sha256: str) -> BinaryIO:
        """The stored content for reading; raises FileNotFoundError."""

    def yol(self, sha256: str) -> Path | None:
        """A local path to the content, for backends that have one (lets the web server stream it)."""
        return None

    @abstractmethod
    def sahipsizleri_sil(self, kullanilan: set[str], en_genc: float) -> list[str]:
        """Delete stored contents not in ``kullanilan`` whose last write is older than ``en_genc`` seconds
        (a younger one may belong to a transaction not yet committed). Returns the deleted hashes."""

    def yaz(self, veri: bytes) -> str:
        """Store bytes at once (tests, imports); returns the hash."""
        import io
        return self.kabul_et(self.gecici_al(io.BytesIO(veri), len(veri)))


class YerelDepo(Depo):
    """A local directory: ``<kok>/ab/cd/<sha256>``, files read-only once written."""

    def __init__(self, kok: str | os.PathLike):
        self.kok = Path(kok)
        self.gecici_klasor = self.kok / "gecici"

    def _yol(self, sha256: str) -> Path:
        if not sha256_gecerli(sha256):
            raise FileNotFoundError(sha256)
        return self.kok / sha256[:2] / sha256[2:4] / sha256

    def gecici_al(self, akis: BinaryIO, en_buyuk: int) -> GeciciDosya:
        self.gecici_klasor.mkdir(parents=True, exist_ok=True)
        fd, ad = tempfile.mkstemp(dir=self.gecici_klasor, prefix="yukleme-")
        ozet, boyut = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as hedef:
                while parca := akis.read(PARCA):
                    boyut += len(parca)
                    if boyut > en_buyuk:
                        raise BoyutAsildi(boyut)
                    ozet.update(parca)
                    hedef.write(parca)
        except BaseException:
            Path(ad).unlink(missing_ok=True)
            raise
        return GeciciDosya(Path(ad), ozet.hexdigest(), boyut)

    def kabul_et(self, gecici: GeciciDosya) -> str:
        hedef = self._yol(gecici.sha256)
        if hedef.exists():
            gecici.sil()  # write-once: the same content is already there
            os.utime(hedef)  # ...and just used again: not an orphan for the clean-up
            return gecici.sha256
        hedef.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(gecici.yol, 0o440)
        try:
            # link() fails if the target exists: two uploads of one file never overwrite each other.
            os.link(gecici.yol, hedef)
        except FileExistsError:
            pass
        except OSError as hata:
            raise DepoHatasi(f"Ek kaydedilemedi: {hata}") from hata
        finally:
            gecici.sil()
        return gecici.sha256

    def var_mi(self, sha256: str) -> bool:
        try:
            return self._yol(sha256).is_file()
        except FileNotFoundError:
            return False

    def ac(self, sha256: str) -> BinaryIO:
        return open(self._yol(sha256), "rb")

    def yol(self, sha256: str) -> Path | None:
        yol = self._yol(sha256)
        return yol if yol.is_file() else None

    def sahipsizleri_sil(self, kullanilan: set[str], en_genc: float) -> list[str]:
        import time
        sinir = time.time() - en_genc
        silinen = []
        for yol in self.kok.glob("??/??/*"):
            if sha256_gecerli(yol.name) and yol.name not in kullanilan and yol.stat().st_mtime < sinir:
                yol.unlink()
                silinen.append(yol.name)
        for yol in self.gecici_klasor.glob("yukleme-*") if self.gecici_klasor.exists() else ():
            if yol.stat().st_mtime < sinir:  # left by a process that died mid-upload
                yol.unlink(missing_ok=True)
        return silinen
