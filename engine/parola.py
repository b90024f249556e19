"""Password hashing for kurum users: argon2id through argon2-cffi.

The hasher's parameters are argon2-cffi's defaults (RFC 9106 "low memory" profile: argon2id, t=3,
m=64 MiB, p=4). When a future release raises them, ``yeniden_hashlenmeli`` tells the login code to
store a fresh hash after the next successful login, so old hashes upgrade themselves.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


def parola_hashle(parola: str) -> str:
    """The argon2id hash of ``parola`` as a self-describing string (``$argon2id$v=19$m=...``), salted."""
    return _HASHER.hash(parola)


def parola_dogrula(parola_hash: str | None, parola: str | None) -> bool:
    """True only when ``parola`` matches ``parola_hash``.

    Never raises: a wrong password, an empty or corrupt hash or a missing value all give False, so a login
    view needs no try/except and cannot leak why a login failed."""
    if not isinstance(parola_hash, str) or not isinstance(parola, str) or not parola_hash:
        return False
    try:
        return _HASHER.verify(parola_hash, parola)
    except (VerificationError, InvalidHashError):
        return False


def yeniden_hashlenmeli(parola_hash: str | None) -> bool:
    """True when ``parola_hash`` was made with other parameters than today's (or is not an argon2 hash).

    Call it after a successful ``parola_dogrula`` and store ``parola_hashle(parola)`` when it says so."""
    if not isinstance(parola_hash, str) or not parola_hash:
        return True
    try:
        return _HASHER.check_needs_rehash(parola_hash)
    except (InvalidHashError, ValueError):
        # Unreadable hash: replacing it is the only useful thing to do.
        return True
