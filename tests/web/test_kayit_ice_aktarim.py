"""The CSV bulk import through the web page and the command line (issue 9): errors by line number on the
result page and in the downloadable report, nothing written until the file is clean (or only the clean
rows, when asked), CSV only within the size limit, reports only within the user's scope."""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from engine.kimlik import tc_kimlik_uret
from engine.models import Muhtar, MuhtarIceAktarim

from .kayit_ortak import (_hizli_hash_yukseltilmez, csv_dosyasi, kayit_ortami_kur, metin, ortam,  # noqa: F401
                          yukle)
from .kurum_yardim import bildirimler

TC_A, TC_B = tc_kimlik_uret("300000011"), tc_kimlik_uret("300000012")
#: line 2 fine, line 3 a bad phone, line 4 another il, line 5 fine
SATIRLAR = (f"06;Çankaya;Balgat Mah;{TC_A};Ali Veli;0532 111 22 33;01.04.2029",
            f"06;Çankaya;Bahçelievler Mah;{tc_kimlik_uret('300000013')};Can Yıldız;0312 111 22 33;01.04.2029",
            f"35;Konak;Alsancak Mah;{tc_kimlik_uret('300000014')};Deniz Ak;0533 111 22 33;01.04.2029",
            f"06;Çankaya;Akpınar Mah;{TC_B};Mehmet Demir;0533 234 56 23;2029-04-01")


def _muhtar_sayisi(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Muhtar))


def _son_aktarim(db) -> MuhtarIceAktarim:
    with db.session() as s:
        return s.scalars(select(MuhtarIceAktarim).order_by(MuhtarIceAktarim.id.desc())).first()


def test_hatali_dosya_hicbir_sey_yazmaz_rapor_indirilir(ortam):
    valilik = ortam.oturum("VALILIK-06")
    once = _muhtar_sayisi(ortam.db)
    yanit = yukle(valilik, csv_dosyasi(*SATIRLAR))
    html = metin(yanit)
    assert yanit.status_code == 200 and "Hiçbir kayıt yazılmadı" in html
    assert '<td data-baslik="Satır">3</td>' in html and '<td data-baslik="Satır">4</td>' in html
    assert "Geçersiz telefon" in html and "Yetki alanı dışında" in html
    assert _muhtar_sayisi(ortam.db) == once

    aktarim = _son_aktarim(ortam.db)
    rapor = valilik.get(f"/kurum/muhtarlar/ice-aktar/{aktarim.id}/hatalar.csv")
    assert rapor.status_code == 200 and rapor.mimetype == "text/csv"
    assert "attachment" in rapor.headers["Content-Disposition"]
    assert rapor.data.startswith("\ufeff".encode())
    satirlar = list(csv.reader(io.StringIO(rapor.data.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0], r[1]) for r in satirlar[1:]] == [("3", "Geçersiz telefon"), ("4", "Yetki alanı dışında")]
    assert satirlar[1][6] == "300******" + tc_kimlik_uret("300000013")[-2:]  # masked TC


def test_yalniz_hatasiz_satirlar(ortam):
    valilik = ortam.oturum("VALILIK-06")
    once = _muhtar_sayisi(ortam.db)
    html = metin(yukle(valilik, csv_dosyasi(*SATIRLAR), yalniz_hatasiz=True))
    assert "Yalnızca hatasız satırlar yazıldı" in html and "Yazılan yeni dönem</dt><dd>2" in html
    assert _muhtar_sayisi(ortam.db) == once + 2
    with ortam.db.session() as s:
        yeni = {m.tc_kimlik_no: m for m in s.scalars(select(Muhtar).where(Muhtar.tc_kimlik_no.in_([TC_A, TC_B])))}
        assert yeni[TC_B].muhtarlik_id == ortam.id["Akpınar Mah"] and yeni[TC_B].telefon == "+905332345623"
        assert s.get(Muhtar, ortam.id["ayse"]).gorev_bitis.isoformat() == "2029-04-01"
    # The same file again: written rows are unchanged, the bad ones still reported.
    html = metin(yukle(valilik, csv_dosyasi(*SATIRLAR), yalniz_hatasiz=True))
    assert "Zaten kayıtlı (değişmedi)</dt><dd>2" in html and _muhtar_sayisi(ortam.db) == once + 2


def test_ornek_dosya_aktarilabilir(ortam):
    migm = ortam.oturum("MIGM")
    ornek = migm.get("/kurum/muhtarlar/ice-aktar/ornek.csv")
    assert ornek.status_code == 200 and ornek.mimetype == "text/csv"
    html = metin(yukle(migm, (io.BytesIO(ornek.data), "ornek.csv", "text/csv")))
    # Ayşe is already in office in Akpınar since that day; Bahçelievler gets its muhtar.
    assert "Yazıldı" in html and "Yazılan yeni dönem</dt><dd>1" in html and "(değişmedi)</dt><dd>1" in html


def test_yalniz_csv_ve_boyut_siniri(make_app, web_database):
    ortam = kayit_ortami_kur(make_app, web_database)
    ortam.app.config["MUHTAR_ICE_AKTARIM_AZAMI_BAYT"] = 200
    valilik = ortam.oturum("VALILIK-06")
    yanit = yukle(valilik, (io.BytesIO(b"PK\x03\x04..."), "secim.xlsx", "application/octet-stream"))
    assert any("Yalnızca .csv" in b for b in bildirimler(metin(yanit)))
    yanit = yukle(valilik, csv_dosyasi(*SATIRLAR * 3))
    assert any("Dosya çok büyük" in b for b in bildirimler(metin(yanit)))
    # An Excel file renamed to .csv is caught by its content.
    yanit = yukle(valilik, (io.BytesIO(b"PK\x03\x04\x14\x00 xl/workbook.xml"), "secim.csv", "text/csv"))
    assert "Yalnızca CSV dosyası yüklenebilir" in metin(yanit)
    assert _son_aktarim(ortam.db).durum == "yazilmadi"
    yanit = yukle(valilik, (io.BytesIO(b""), "", "text/csv"))  # no file chosen
    assert any("Bir CSV dosyası seçin" in b for b in bildirimler(metin(yanit)))


def test_rapor_yalniz_kapsamdakine(ortam):
    migm, valilik = ortam.oturum("MIGM"), ortam.oturum("VALILIK-06")
    yukle(migm, csv_dosyasi(SATIRLAR[1]))
    migm_aktarimi = _son_aktarim(ortam.db).id
    yukle(valilik, csv_dosyasi(SATIRLAR[1]))
    valilik_aktarimi = _son_aktarim(ortam.db).id
    assert valilik.get(f"/kurum/muhtarlar/ice-aktar/{migm_aktarimi}").status_code == 404
    assert valilik.get(f"/kurum/muhtarlar/ice-aktar/{migm_aktarimi}/hatalar.csv").status_code == 404
    assert migm.get(f"/kurum/muhtarlar/ice-aktar/{valilik_aktarimi}/hatalar.csv").status_code == 200
    liste = metin(valilik.get("/kurum/muhtarlar/ice-aktar"))
    assert f"#{valilik_aktarimi}" in liste and f"#{migm_aktarimi}<" not in liste


# --- the command ------------------------------------------------------------------------------------------

def test_komut(ortam, tmp_path):
    dosya = tmp_path / "secim.csv"
    dosya.write_text("\ufeffil;ilçe;mahalle;TC Kimlik No;ad soyad;telefon;görev başlangıcı\n"
                     + "\n".join(SATIRLAR) + "\n", encoding="utf-8")
    runner = ortam.app.test_cli_runner()
    once = _muhtar_sayisi(ortam.db)

    sonuc = runner.invoke(args=["muhtar", "ice-aktar", str(dosya)])
    assert sonuc.exit_code == 1, sonuc.output
    assert "satır 3: Geçersiz telefon" in sonuc.output and "hiçbir kayıt yazılmadı" in sonuc.output
    assert "satır 4" not in sonuc.output  # every il: İzmir's row is fine
    assert _muhtar_sayisi(ortam.db) == once

    rapor = tmp_path / "hatalar.csv"
    sonuc = runner.invoke(args=["muhtar", "ice-aktar", str(dosya), "--il", "6", "--yalniz-hatasiz",
                                "--hata-raporu", str(rapor)])
    assert sonuc.exit_code == 0, sonuc.output
    assert "2 yeni dönem yazıldı" in sonuc.output and "2 hatalı satır" in sonuc.output
    assert "satır 4: Yetki alanı dışında" in sonuc.output
    assert rapor.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Satır;Hata türü;Hata")
    assert _muhtar_sayisi(ortam.db) == once + 2
    assert _son_aktarim(ortam.db).kullanici_id is None and _son_aktarim(ortam.db).il_kod == "06"

    sonuc = runner.invoke(args=["muhtar", "ice-aktar", str(dosya), "--il", "99"])
    assert sonuc.exit_code != 0 and "plaka kodlu il yok" in sonuc.output
