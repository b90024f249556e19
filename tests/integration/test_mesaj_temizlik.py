"""Outbox retention (``mesajlari_temizle``) and one-time codes leaving the outbox once final.

An operator notices: old delivered/failed rows are gone, recent and unsent ones stay, a big purge goes in
small transactions (an interrupted purge keeps what it did), and no delivered or dead login code can be read
from ``mesaj_kutusu``. Runs on SQLite and, with MBS_TEST_DATABASE_URL, on PostgreSQL.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from engine.errors import GecersizVeri
from engine.mesaj import (SILINEN_KOD_METNI, GelistirmeEpostaGonderici, GelistirmeSmsGateway, GonderimSonucu,
                          TeslimAyarlari, mesajlari_temizle, sms_kuyruga_al, teslim_ayarlari_olustur, teslim_et)
from engine.models import MesajKutusu, utcnow

HIZLI = TeslimAyarlari(geri_cekilme=0, parti=5)
KOD = "Muhtar Bilgi Sistemi giriş kodunuz: 482913"


def _satir_ekle(database, durum: str, yas_gun: float, *, gonderilme_gun: float | None = None, gizli=False,
                metin="Talebiniz alındı.") -> int:
    """One outbox row created ``yas_gun`` days ago; a gonderildi row delivered ``gonderilme_gun`` days ago."""
    simdi = utcnow()
    if durum == "gonderildi" and gonderilme_gun is None:
        gonderilme_gun = yas_gun
    with database.unit_of_work() as s:
        m = MesajKutusu(kanal="sms", alici="+905321234567", metin=metin, gizli=gizli, durum=durum,
                        deneme_sayisi=0 if durum == "bekliyor" else 1,
                        olusturma=simdi - timedelta(days=yas_gun), sonraki_deneme=simdi - timedelta(days=yas_gun),
                        gonderilme=None if gonderilme_gun is None else simdi - timedelta(days=gonderilme_gun))
        s.add(m)
        s.flush()
        return m.id


def _kalan_idler(database) -> list[int]:
    with database.session() as s:
        return list(s.scalars(select(MesajKutusu.id).order_by(MesajKutusu.id)))


def _metin(database, kimlik) -> str:
    with database.session() as s:
        return s.get(MesajKutusu, kimlik).metin


def _satir(database, kimlik) -> MesajKutusu:
    with database.session() as s:
        return s.get(MesajKutusu, kimlik)


class KaydedenSms(GelistirmeSmsGateway):
    """Development gateway that remembers every text it was asked to send."""

    def __init__(self, sonuc: GonderimSonucu | None = None):
        super().__init__(kodlari_logla=False)
        self.gonderilen: list[str] = []
        self.sonuc = sonuc

    def gonder(self, numara, metin, *, gizli=False):
        self.gonderilen.append(metin)
        return self.sonuc or super().gonder(numara, metin, gizli=gizli)


def _teslim(database, sms, ayarlar=HIZLI) -> dict:
    return teslim_et(database, sms, GelistirmeEpostaGonderici(), ayarlar=ayarlar)


# --- retention ---------------------------------------------------------------------------------------------

def test_eski_sonuclanmis_mesajlar_silinir_yeniler_ve_gonderilmemisler_kalir(database):
    silinecek = [
        _satir_ekle(database, "gonderildi", 120),
        _satir_ekle(database, "gonderildi", 91),
        _satir_ekle(database, "basarisiz", 100),
    ]
    kalacak = [
        _satir_ekle(database, "gonderildi", 89),
        _satir_ekle(database, "gonderildi", 2),
        _satir_ekle(database, "basarisiz", 30),
        # created long ago but delivered only recently (a failed row an operator re-queued): age is delivery
        _satir_ekle(database, "gonderildi", 200, gonderilme_gun=3),
        # never delivered: the delivery loop's rows are never touched, however old
        _satir_ekle(database, "bekliyor", 365),
        _satir_ekle(database, "gonderiliyor", 365),
    ]

    sonuc = mesajlari_temizle(database, 90)

    assert sonuc.silinen == 3
    assert _kalan_idler(database) == sorted(kalacak)
    assert not set(silinecek) & set(_kalan_idler(database))
    assert mesajlari_temizle(database, 90).silinen == 0  # nothing left to do: idempotent


def test_gun_sayisina_gore_siler(database):
    eski, orta, yeni = (_satir_ekle(database, "gonderildi", g) for g in (40, 20, 1))
    assert mesajlari_temizle(database, 30).silinen == 1
    assert _kalan_idler(database) == [orta, yeni]
    assert mesajlari_temizle(database, 7).silinen == 1
    assert _kalan_idler(database) == [yeni]
    assert eski not in _kalan_idler(database)


def test_partiler_halinde_siler_her_parti_ayri_islem(database):
    # 23 old delivered rows among old pending rows: with parti=5, five DELETEs of at most five rows each.
    silinecek, bekleyen = [], []
    for i in range(23):
        silinecek.append(_satir_ekle(database, "gonderildi", 100))
        if i % 4 == 0:
            bekleyen.append(_satir_ekle(database, "bekliyor", 100))
    silmeler: list[int] = []

    @event.listens_for(database.engine, "after_cursor_execute")
    def _say(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE FROM MESAJ_KUTUSU"):
            silmeler.append(cursor.rowcount)

    try:
        sonuc = mesajlari_temizle(database, 90, parti=5)
    finally:
        event.remove(database.engine, "after_cursor_execute", _say)

    assert sonuc.silinen == 23
    assert silmeler == [5, 5, 5, 5, 3]
    assert _kalan_idler(database) == bekleyen


def test_yarida_kesilen_temizlik_biten_partileri_korur(database):
    # Each batch commits on its own: a failure in the third keeps the first two, and a re-run finishes.
    kimlikler = [_satir_ekle(database, "gonderildi", 100) for _ in range(12)]
    silme_sayisi = 0

    @event.listens_for(database.engine, "before_cursor_execute")
    def _ucuncude_kes(conn, cursor, statement, parameters, context, executemany):
        nonlocal silme_sayisi
        if statement.lstrip().upper().startswith("DELETE FROM MESAJ_KUTUSU"):
            silme_sayisi += 1
            if silme_sayisi == 3:
                raise RuntimeError("bağlantı koptu")

    try:
        with pytest.raises(RuntimeError):
            mesajlari_temizle(database, 90, parti=4)
    finally:
        event.remove(database.engine, "before_cursor_execute", _ucuncude_kes)

    assert _kalan_idler(database) == kimlikler[8:]
    assert mesajlari_temizle(database, 90, parti=4).silinen == 4
    assert _kalan_idler(database) == []


@pytest.mark.parametrize("gun, parti", [(0, 10), (-5, 10), (90, 0)])
def test_gecersiz_gun_ya_da_parti_reddedilir(database, gun, parti):
    kimlik = _satir_ekle(database, "gonderildi", 400)
    with pytest.raises(GecersizVeri):
        mesajlari_temizle(database, gun, parti=parti)
    assert _kalan_idler(database) == [kimlik]


# --- one-time codes leave the outbox once final ------------------------------------------------------------

def test_teslimden_sonra_onay_kodu_metni_silinir_diger_metin_kalir(database):
    with database.unit_of_work() as s:
        kod = sms_kuyruga_al(s, "+905321234567", KOD, gizli=True).id
        bilgi = sms_kuyruga_al(s, "+905321234567", "Talebiniz 2026-000001 numarasıyla alındı.").id
    sms = KaydedenSms()

    assert _teslim(database, sms)["gonderildi"] == 2

    assert KOD in sms.gonderilen  # the muhtar did get the code...
    satir = _satir(database, kod)
    assert (satir.durum, satir.metin) == ("gonderildi", SILINEN_KOD_METNI)  # ...the table no longer has it
    assert "482913" not in satir.metin
    assert _metin(database, bilgi) == "Talebiniz 2026-000001 numarasıyla alındı."


def _kalici_hata() -> KaydedenSms:
    return KaydedenSms(GonderimSonucu.kalici_hata("Netgsm hata kodu 30: geçersiz kullanıcı adı/şifre."))


def test_kalici_hatada_onay_kodu_metni_silinir(database):
    with database.unit_of_work() as s:
        kimlik = sms_kuyruga_al(s, "+905321234567", KOD, gizli=True).id

    assert _teslim(database, _kalici_hata())["basarisiz"] == 1

    satir = _satir(database, kimlik)
    assert (satir.durum, satir.metin) == ("basarisiz", SILINEN_KOD_METNI)
    assert "kodu 30" in satir.son_hata


def test_gecici_hatada_kod_kalir_son_denemede_silinir(database):
    with database.unit_of_work() as s:
        kimlik = sms_kuyruga_al(s, "+905321234567", KOD, gizli=True).id
    sms = KaydedenSms(GonderimSonucu.gecici_hata("HTTP 500"))
    ayarlar = TeslimAyarlari(geri_cekilme=0, azami_deneme=2)

    assert _teslim(database, sms, ayarlar)["yeniden_denenecek"] == 1
    assert (_satir(database, kimlik).durum, _metin(database, kimlik)) == ("bekliyor", KOD)  # the retry needs it
    assert _teslim(database, sms, ayarlar)["basarisiz"] == 1

    assert sms.gonderilen == [KOD, KOD]
    assert (_satir(database, kimlik).durum, _metin(database, kimlik)) == ("basarisiz", SILINEN_KOD_METNI)


def test_kira_suresi_dolup_basarisiz_olan_kodun_metni_silinir(database):
    # The sender died mid-send on the last allowed attempt: taking the row back makes it basarisiz.
    with database.unit_of_work() as s:
        m = sms_kuyruga_al(s, "+905321234567", KOD, gizli=True)
        m.durum, m.deneme_sayisi, m.sonraki_deneme = "gonderiliyor", 7, utcnow() - timedelta(seconds=1)
        kimlik = m.id

    sayilar = _teslim(database, KaydedenSms(), TeslimAyarlari(geri_cekilme=0, azami_deneme=8))

    assert (sayilar["geri_alinan"], sayilar["basarisiz"]) == (1, 1)
    assert (_satir(database, kimlik).durum, _metin(database, kimlik)) == ("basarisiz", SILINEN_KOD_METNI)


def test_kodu_silinmis_mesaj_yeniden_siraya_alinsa_da_gonderilmez(database):
    # docs/sms.md: a failed row is re-sent by setting it bekliyor. A code row must not text the placeholder.
    with database.unit_of_work() as s:
        kimlik = sms_kuyruga_al(s, "+905321234567", KOD, gizli=True).id
    _teslim(database, _kalici_hata())
    with database.unit_of_work() as s:
        m = s.get(MesajKutusu, kimlik)
        m.durum, m.deneme_sayisi, m.sonraki_deneme = "bekliyor", 0, utcnow()
    sms = KaydedenSms()

    assert _teslim(database, sms)["basarisiz"] == 1

    assert sms.gonderilen == []
    assert "yeniden gönderilemez" in _satir(database, kimlik).son_hata


def test_gelistirmede_kod_giden_kutusunda_kalir_uretimde_silinir(database):
    # In development nothing is sent: the outbox is where `flask sms listele` (and the e2e tests) read the code.
    assert teslim_ayarlari_olustur({"MBS_ENV": "development"}).gizli_metni_sil is False
    assert teslim_ayarlari_olustur({"MBS_ENV": "production"}).gizli_metni_sil is True
    assert teslim_ayarlari_olustur({}).gizli_metni_sil is True
    with database.unit_of_work() as s:
        kimlik = sms_kuyruga_al(s, "+905321234567", KOD, gizli=True).id

    _teslim(database, KaydedenSms(), teslim_ayarlari_olustur({"MBS_ENV": "development", "MESAJ_GERI_CEKILME_SN": 0}))

    assert (_satir(database, kimlik).durum, _metin(database, kimlik)) == ("gonderildi", KOD)


def test_temizlik_eski_satirlardaki_kodlari_da_siler(database):
    # Rows final before this change still hold their code; pending codes are still to be sent and stay.
    eski_teslim = _satir_ekle(database, "gonderildi", 1, gizli=True, metin=KOD)
    eski_hata = _satir_ekle(database, "basarisiz", 2, gizli=True, metin=KOD)
    bekleyen = _satir_ekle(database, "bekliyor", 0, gizli=True, metin=KOD)
    gonderiliyor = _satir_ekle(database, "gonderiliyor", 0, gizli=True, metin=KOD)
    bilgi = _satir_ekle(database, "gonderildi", 1, metin="Talebiniz alındı.")

    sonuc = mesajlari_temizle(database, 90, parti=1)

    assert (sonuc.silinen, sonuc.kodu_silinen) == (0, 2)
    assert [_metin(database, k) for k in (eski_teslim, eski_hata)] == [SILINEN_KOD_METNI] * 2
    assert [_metin(database, k) for k in (bekleyen, gonderiliyor)] == [KOD, KOD]
    assert _metin(database, bilgi) == "Talebiniz alındı."
    assert mesajlari_temizle(database, 90).kodu_silinen == 0
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(MesajKutusu)
                        .where(MesajKutusu.metin.like("%482913%"))) == 2
