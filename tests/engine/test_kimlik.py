"""TC kimlik no, phone numbers and password hashing: pure functions, no database."""
from __future__ import annotations

import pytest

from engine.kimlik import tc_kimlik_gecerli, tc_kimlik_uret, tc_maskele, telefon_maskele, telefon_normalize
from engine.parola import parola_dogrula, parola_hashle, yeniden_hashlenmeli


# --- TC kimlik no ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("no", ["10000000146", "11111111110", "12345678950", "99999999990"])
def test_gecerli_tc_numaralari(no):
    assert tc_kimlik_gecerli(no)


@pytest.mark.parametrize("no", [
    "10000000147",    # last digit wrong
    "10000000156",    # tenth digit wrong
    "01000000146",    # starts with 0
    "00000000000",
    "1000000014",     # 10 digits
    "100000001460",   # 12 digits
    "1000000014a",
    " 10000000146",
    "١٠٠٠٠٠٠٠١٤٦",    # Arabic-Indic digits are digits to str.isdigit, not to a TC number
    "",
    None,
    10000000146,      # an int, not a string
])
def test_gecersiz_tc_numaralari(no):
    assert not tc_kimlik_gecerli(no)


def test_tc_uret_gecerli_numara_verir():
    assert tc_kimlik_uret("100000001") == "10000000146"
    for seed in ("123456789", "987654321", "100000002", "555555555"):
        no = tc_kimlik_uret(seed)
        assert no.startswith(seed) and len(no) == 11 and tc_kimlik_gecerli(no)


@pytest.mark.parametrize("seed", ["012345678", "12345678", "1234567890", "12345678x", "", None])
def test_tc_uret_gecersiz_tohumu_reddeder(seed):
    with pytest.raises(ValueError):
        tc_kimlik_uret(seed)


def test_tc_maskele():
    assert tc_maskele("10000000146") == "100******46"
    assert tc_maskele("123") == "***********"
    assert tc_maskele(None) == "***********"


# --- Telefon ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("girdi", [
    "05321234512",
    "5321234512",
    "+905321234512",
    "+90 532 123 45 12",
    "0090 532 123 45 12",
    "00905321234512",
    "905321234512",
    "0 (532) 123-45-12",
    "(0532) 123 45 12",
    "0532-123-45-12",
    "0532.123.45.12",
    " 0532 123 45 12 ",
    "+90 (532) 123-4512",
])
def test_telefon_normalize_gecerli(girdi):
    assert telefon_normalize(girdi) == "+905321234512"


@pytest.mark.parametrize("girdi", [
    "03121234567",        # Ankara landline
    "3121234567",
    "+90 312 123 45 67",
    "0532123451",         # one digit short
    "053212345123",       # one digit long
    "+15321234512",       # not Turkey
    "+4905321234512",
    "0532 123 45 1a",
    "+0532 123 45 12",
    "",
    "   ",
    None,
    5321234512,
])
def test_telefon_normalize_gecersiz(girdi):
    assert telefon_normalize(girdi) is None


def test_telefon_maskele():
    assert telefon_maskele("+905321234512") == "05** *** ** 12"
    assert telefon_maskele("0532 123 45 99") == "05** *** ** 99"
    assert "1" not in telefon_maskele("03121234511")


# --- Parola ------------------------------------------------------------------------------------------------

def test_parola_hash_argon2id_ve_dogrulama():
    h = parola_hashle("demo1234")
    assert h.startswith("$argon2id$")
    assert h != parola_hashle("demo1234")  # salted
    assert parola_dogrula(h, "demo1234")
    assert not yeniden_hashlenmeli(h)


@pytest.mark.parametrize("parola_hash, parola", [
    ("GERCEK", "demo12345"),
    ("GERCEK", ""),
    ("bozuk-hash", "demo1234"),
    ("$argon2id$v=19$m=65536,t=3,p=4$bozuk", "demo1234"),
    ("", "demo1234"),
    (None, "demo1234"),
    ("GERCEK", None),
])
def test_parola_dogrula_hic_hata_firlatmaz(parola_hash, parola):
    if parola_hash == "GERCEK":
        parola_hash = parola_hashle("demo1234")
    assert parola_dogrula(parola_hash, parola) is False


def test_eski_parametreli_hash_yeniden_hashlenmeli():
    from argon2 import PasswordHasher
    eski = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("demo1234")
    assert parola_dogrula(eski, "demo1234")
    assert yeniden_hashlenmeli(eski)
    assert yeniden_hashlenmeli("bozuk-hash")
    assert yeniden_hashlenmeli(None)
