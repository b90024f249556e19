"""webapp.girdi: the one ASCII-digit rule for ids, page numbers and cursors taken from a request."""
from __future__ import annotations

import pytest

from tests.web.guvenlik_ortak import dunya  # noqa: F401  (fixture)
from tests.web.kurum_yardim import _hizli_hash_yukseltilmez  # noqa: F401  (autouse: fast test logins)
from webapp.girdi import BIGINT_EN_BUYUK, rakam_mi, tamsayi_oku

REDDEDILEN = ["²", "٣", "-1", "", " 5", "5 ", "+5", "1.0", "1e3", "１", "0x1", "\x00", None, str(2**63),
              "9" * 19]


@pytest.mark.parametrize("deger", REDDEDILEN)
def test_ascii_rakam_olmayan_ya_da_bigint_tasan_reddedilir(deger):
    assert not rakam_mi(deger)
    assert tamsayi_oku(deger) is None
    assert tamsayi_oku(deger, varsayilan=1) == 1


@pytest.mark.parametrize("deger, sayi", [("0", 0), ("42", 42), ("007", 7), ("9" * 18, 10**18 - 1)])
def test_ascii_rakamlar_kabul_edilir(deger, sayi):
    assert rakam_mi(deger)
    assert tamsayi_oku(deger) == sayi
    assert tamsayi_oku(deger, varsayilan=1) == sayi  # "0" is 0, not the default


def test_bigint_siniri_hane_sayisi_artsa_da_korunur():
    assert tamsayi_oku(str(BIGINT_EN_BUYUK), en_cok_hane=19) == 2**63 - 1
    assert tamsayi_oku(str(2**63), en_cok_hane=19) is None
    assert tamsayi_oku(str(2**63), en_cok_hane=30) is None


def test_hane_siniri():
    assert rakam_mi("123456", 6, 6) and not rakam_mi("12345", 6, 6) and not rakam_mi("1234567", 6, 6)
    assert tamsayi_oku("999999", en_cok_hane=6) == 999999
    assert tamsayi_oku("1000000", en_cok_hane=6) is None


def test_rota_kimlikleri_yalniz_ascii_rakam(dunya):
    """``<int:...>`` in a route: talep 1 has one address; Arabic-Indic or full-width digits and ids past
    BIGINT are 404, like a talep that does not exist."""
    from tests.web.kurum_yardim import oturumlu
    migm = oturumlu(dunya.ortam, "MIGM")
    talep = dunya.talep["A"]
    assert migm.get(f"/kurum/talep/{talep}").status_code == 200
    arapca = "".join(chr(0x0660 + int(c)) for c in str(talep))
    genis = "".join(chr(0xFF10 + int(c)) for c in str(talep))
    for yol in (arapca, genis, "9" * 19, str(2**64)):
        assert migm.get(f"/kurum/talep/{yol}").status_code == 404, yol
