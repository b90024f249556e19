"""Yönetim: MİGM administrators create, deactivate, reactivate and unlock users of any unit; the same from
the command line; task e-mails go to the active users of the unit that has an address."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from engine import bildirim
from engine.models import HumanTask, Kullanici, MesajKutusu, Talep, utcnow

from .conftest import csrf_token
from .kurum_yardim import (_hizli_hash_yukseltilmez, giris_yap, gorev_gonder, kurum, metin, oturumlu,  # noqa: F401
                           yonlendirme_verisi)


def _kullanici(k, ad):
    with k.db.session() as s:
        return s.scalars(select(Kullanici).where(Kullanici.kullanici_adi == ad)).first()


def test_kullanici_olustur_pasiflestir_etkinlestir(kurum):
    migm = oturumlu(kurum, "MIGM")
    html = metin(migm.get("/kurum/yonetim/kullanicilar?birim_ara=konak"))
    assert "BELEDIYE-35-KONAK" in html
    veri = {"csrf_token": csrf_token(html), "kullanici_adi": "konak.2", "ad_soyad": "Konak Görevlisi",
            "birim_kod": "belediye-35-konak", "eposta": "konak2@example.gov.tr", "parola": "ilk-parola-1",
            "parola_tekrar": "ilk-parola-1", "yetkiler": ["kayit", "bilinmeyen"]}
    yanit = migm.post("/kurum/yonetim/kullanicilar", data=veri, follow_redirects=True)
    assert "“konak.2” kullanıcısı oluşturuldu." in metin(yanit)
    yeni = _kullanici(kurum, "konak.2")
    assert yeni.birim_id == kurum.kayit.birim["BELEDIYE-35-KONAK"] and yeni.yetkiler == "kayit"
    assert yeni.eposta == "konak2@example.gov.tr" and yeni.parola_hash.startswith("$argon2id$")
    # the same user name again, a short password, an unknown unit: Turkish messages, nothing created
    for degisen, mesaj in ((("kullanici_adi", "konak.2"),), "zaten kullanılıyor"), \
                          ((("kullanici_adi", "x1"), ("parola", "kisa"), ("parola_tekrar", "kisa")), "en az 8"), \
                          ((("kullanici_adi", "x2"), ("birim_kod", "YOK")), "birim bulunamadı"):
        yanit = migm.post("/kurum/yonetim/kullanicilar", data={**veri, **dict(degisen)}, follow_redirects=True)
        assert mesaj in metin(yanit)
    assert _kullanici(kurum, "x1") is None and _kullanici(kurum, "x2") is None

    yeni_client = kurum.client()
    assert giris_yap(yeni_client, "konak.2", "ilk-parola-1").status_code == 302
    html = metin(migm.get("/kurum/yonetim/kullanicilar?ara=konak"))
    yanit = migm.post(f"/kurum/yonetim/kullanicilar/{yeni.id}/pasif", data={"csrf_token": csrf_token(html)})
    assert yanit.status_code == 303 and not _kullanici(kurum, "konak.2").aktif
    assert yeni_client.get("/kurum/gelen-kutusu").status_code == 302  # the session ended
    assert giris_yap(kurum.client(), "konak.2", "ilk-parola-1").status_code == 200
    migm.post(f"/kurum/yonetim/kullanicilar/{yeni.id}/aktif", data={"csrf_token": csrf_token(html)})
    assert giris_yap(kurum.client(), "konak.2", "ilk-parola-1").status_code == 302
    # the session from before the deactivation stays ended after the account is active again
    assert yeni_client.get("/kurum/gelen-kutusu").status_code == 302


def test_kendini_pasiflestiremez_ve_kilit_acar(kurum):
    migm = oturumlu(kurum, "MIGM")
    html = metin(migm.get("/kurum/yonetim/kullanicilar"))
    kendi = _kullanici(kurum, "migm")
    yanit = migm.post(f"/kurum/yonetim/kullanicilar/{kendi.id}/pasif", data={"csrf_token": csrf_token(html)},
                      follow_redirects=True)
    assert "Kendi hesabınızı pasifleştiremezsiniz." in metin(yanit) and _kullanici(kurum, "migm").aktif
    with kurum.db.unit_of_work() as s:
        s.execute(update(Kullanici).where(Kullanici.kullanici_adi == "meb-06")
                  .values(kilitli_bitis=utcnow() + timedelta(minutes=10), basarisiz_giris=0))
    meb = _kullanici(kurum, "meb-06")
    assert "Kilidi aç" in metin(migm.get("/kurum/yonetim/kullanicilar?ara=meb"))
    migm.post(f"/kurum/yonetim/kullanicilar/{meb.id}/kilit-ac", data={"csrf_token": csrf_token(html)})
    assert _kullanici(kurum, "meb-06").kilitli_bitis is None
    assert giris_yap(kurum.client(), "MEB-06").status_code == 302
    assert migm.post(f"/kurum/yonetim/kullanicilar/{meb.id}/sil", data={"csrf_token": csrf_token(html)}).status_code == 404


def test_komut_satiri(kurum):
    runner = kurum.app.test_cli_runner()
    sonuc = runner.invoke(args=["kurum", "pasiflestir", "saglik-06"])
    assert sonuc.exit_code == 0 and not _kullanici(kurum, "saglik-06").aktif
    assert runner.invoke(args=["kurum", "etkinlestir", "saglik-06"]).exit_code == 0
    assert _kullanici(kurum, "saglik-06").aktif
    assert runner.invoke(args=["kurum", "kilit-ac", "saglik-06"]).exit_code == 0
    sonuc = runner.invoke(args=["kurum", "pasiflestir", "yok"])
    assert sonuc.exit_code != 0 and "bulunamadı" in sonuc.output


def test_gorev_epostasi_birimin_etkin_adresli_kullanicilarina(kurum):
    with kurum.db.unit_of_work() as s:
        birim = kurum.kayit.birim["BELEDIYE-06-CANKAYA"]
        s.add_all([Kullanici(kullanici_adi="c2", ad_soyad="İkinci", parola_hash="x", birim_id=birim,
                             eposta="c2@kurum.example.gov.tr"),
                   Kullanici(kullanici_adi="c3", ad_soyad="Pasif", parola_hash="x", birim_id=birim,
                             eposta="c3@kurum.example.gov.tr", aktif=False),
                   Kullanici(kullanici_adi="c4", ad_soyad="Adressiz", parola_hash="x", birim_id=birim)])
    talep_id = kurum.talep_ac()
    gorev_gonder(kurum, oturumlu(kurum, "MIGM"), talep_id, "MIGM",
                 yonlendirme_verisi(kurum, belediyeler=["BELEDIYE-06-CANKAYA"]))
    with kurum.db.session() as s:
        epostalar = list(s.scalars(select(MesajKutusu).where(MesajKutusu.kanal == "eposta")))
        numara = s.get(Talep, talep_id).numara
    assert sorted(m.alici for m in epostalar) == ["belediye-06-cankaya@kurum.example.gov.tr",
                                                  "c2@kurum.example.gov.tr"]
    m = epostalar[0]
    assert numara in m.konu and f"/kurum/talep/{talep_id}" in m.metin and "Akpınar Mah" in m.metin
    assert "+90532" not in m.metin and m.durum == "bekliyor"  # MESAJ_TESLIM=kapali: a sender process delivers


def test_yeni_gorevler_ayni_islemin_gorevleri(kurum):
    talep_id = kurum.talep_ac()
    with kurum.db.session() as s:
        gorev = s.scalars(select(HumanTask).where(HumanTask.talep_id == talep_id)).one()
        assert [g.id for g in bildirim.yeni_gorevler(s, talep_id, gorev.created_at)] == [gorev.id]
        assert bildirim.yeni_gorevler(s, talep_id, gorev.created_at + timedelta(seconds=1)) == []
