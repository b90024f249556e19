"""Turkish error pages. They never show a stack trace: the 500 page says only that something went wrong."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

#: code -> (title, explanation) shown to the user
MESAJLAR = {
    400: ("Geçersiz istek", "İstek işlenemedi. Form uzun süre açık kaldıysa sayfayı yenileyip yeniden deneyin."),
    403: ("Erişim izniniz yok", "Bu sayfayı görüntüleme ya da bu işlemi yapma yetkiniz bulunmuyor."),
    404: ("Sayfa bulunamadı", "Aradığınız sayfa bulunamadı ya da kaldırılmış olabilir."),
    405: ("İzin verilmeyen işlem", "Bu sayfada bu işlem yapılamaz."),
    413: ("Dosya çok büyük", "Gönderdiğiniz dosya ya da form izin verilen boyutu aşıyor."),
    429: ("Çok fazla deneme", "Kısa sürede çok fazla istek gönderdiniz. Lütfen biraz bekleyip yeniden deneyin."),
    500: ("Beklenmeyen bir hata oluştu", "İşleminiz tamamlanamadı. Lütfen daha sonra yeniden deneyin; "
                                        "sorun sürerse sistem yöneticisine bildirin."),
}


def hata_sayfasi(hata: HTTPException):
    """Render hata.html with the Turkish text for the error's code (500's for anything unknown)."""
    kod = hata.code if isinstance(hata, HTTPException) and hata.code in MESAJLAR else 500
    baslik, aciklama = MESAJLAR[kod]
    yanit = render_template("hata.html", kod=kod, baslik=baslik, aciklama=aciklama)
    return yanit, kod, _ek_basliklar(hata)


def _ek_basliklar(hata) -> dict:
    # 405 must keep its Allow header; 429 its Retry-After.
    basliklar = {}
    if isinstance(hata, HTTPException):
        for ad, deger in hata.get_headers():
            if ad in ("Allow", "Retry-After"):
                basliklar[ad] = deger
    return basliklar


def init_app(app: Flask) -> None:
    for kod in MESAJLAR:
        app.register_error_handler(kod, hata_sayfasi)
