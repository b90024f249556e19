"""The muhtar's side: SMS-code login, başvuru, talep sorgulama (the seed manual's BAŞVURU İŞLEMLERİ and
TALEP SORGULAMA pages).

Routes (prefix /muhtar):
    GET  /giris                     TC Kimlik No, Ad ve Soyadı, Doğrulama Kodu -> "Onay Kodu Gönder"
    POST /giris                     queue the code (or not: the answer is the same), go to /giris/onay
    GET  /giris/onay                "Onay Kodu" -> "Sisteme Giriş"
    POST /giris/onay                check the code, open the session
    GET  /dogrulama-kodu/resim      the captcha image; /dogrulama-kodu/ses its audio alternative
    POST /cikis                     log out
    GET  /basvuru, POST /basvuru    the başvuru form; GET /basvuru/tamam/<numara> its result
    GET  /talepler                  Bekleyen / Yönlendirilen / Sonuçlanan Taleplerim (?durum=, ?sayfa=)
    GET  /talepler/<numara>         one talep: text, hareketler, final answer, shared attachments
    GET  /talepler/<numara>/ekler/<id>  download an attachment the units shared
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("muhtar", __name__, url_prefix="/muhtar")

from webapp.muhtar import giris_rotalari, talep_rotalari  # noqa: E402,F401  (routes register on bp)
