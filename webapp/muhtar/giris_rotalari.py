"""Login views: "Onay Kodu Gönder", "Sisteme Giriş", the captcha image and audio, logout, 429 pages.

The logic is in ``giris`` (codes) and ``dogrulama`` (captcha); these views read the form, call them, commit
once and redirect. Session key ``muhtar_giris`` holds the login waiting for its code: the random token whose
hash names the ``onay_kodu`` row (b), the masked phone (m), the TC key for rate limits (t), where to go
after login (n). It says nothing about whether the person is a muhtar.
"""
from __future__ import annotations

import time
from datetime import timedelta

from flask import (Response, current_app, flash, g, redirect, render_template, request, session, url_for)
from flask_login import current_user, login_user, logout_user

from engine.kimlik import tc_kimlik_gecerli
from engine.models import utcnow
from webapp.db import get_session
from webapp.eklentiler import limiter
from webapp.muhtar import bp, dogrulama, giris
from webapp.mesaj_teslim import teslimi_baslat
from webapp.muhtar.sinirlar import (BEKLEYEN_GIRIS, bekleyen_tc, gonderilen_tc, kod_istendi, mesaj, sinir,
                                    yenileme_degil)
from webapp.oturum import MuhtarOturumu, bugun, guvenli_hedef, oturumlari_sonlandir

NOTR_MESAJ = "Bilgiler doğrulanabildiyse kayıtlı cep telefonunuza onay kodu gönderilmiştir."
#: the "Onay Kodu Gönder" answer never comes sooner than this (seconds), muhtar or not
VARSAYILAN_ASGARI_SURE = 0.3

SONUC_MESAJLARI = {
    giris.SURESI_DOLDU: "Onay kodunun süresi doldu. Lütfen yeni bir onay kodu isteyin.",
    giris.KULLANILMIS: "Bu onay kodu daha önce kullanıldı. Lütfen yeni bir onay kodu isteyin.",
    giris.HAK_DOLDU: (f"Onay kodu {giris.AZAMI_DENEME} kez hatalı girildi; bu kod artık geçersiz. "
                      "Lütfen yeni bir onay kodu isteyin."),
    giris.YOK: "Onay kodu isteğiniz bulunamadı. Lütfen yeniden onay kodu isteyin.",
}


def _gecerlilik() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("MUHTAR_ONAY_KODU_SURESI_SN", 180)))


def _muhtar_girisli() -> bool:
    return current_user.is_authenticated and current_user.tur == "muhtar"


# --- step 1 ---------------------------------------------------------------------------------------------

@bp.get("/giris")
def giris_sayfasi():
    if _muhtar_girisli():
        return redirect(guvenli_hedef(request.args.get("next"), url_for("muhtar.basvuru")))
    return _giris_formu({"next": request.args.get("next", "")})


def _giris_formu(degerler: dict, hatalar: dict | None = None, durum: int = 200):
    nonce = dogrulama.yeni_soru() if dogrulama.etkin() else None
    return render_template("muhtar/giris.html", degerler=degerler, hatalar=hatalar or {},
                           dogrulama_etkin=nonce is not None, surum=(nonce or "")[:8]), durum


@bp.post("/giris")
@limiter.limit(sinir("MUHTAR_SINIR_KOD_GONDER_IP"), error_message=mesaj("MUHTAR_SINIR_KOD_GONDER_IP"),
               deduct_when=yenileme_degil)
@limiter.limit(sinir("MUHTAR_SINIR_KOD_GONDER_TC"), key_func=gonderilen_tc,
               error_message=mesaj("MUHTAR_SINIR_KOD_GONDER_TC"), deduct_when=kod_istendi)
def onay_kodu_gonder():
    baslangic = time.monotonic()
    tc = "".join(request.form.get("tc_kimlik_no", "").split())
    ad_soyad = " ".join(request.form.get("ad_soyad", "").split())
    degerler = {"tc_kimlik_no": tc, "ad_soyad": ad_soyad, "next": request.form.get("next", "")}
    if request.form.get("islem") == "yenile":
        g.mbs_yalniz_yenile = True
        return _giris_formu(degerler)
    hatalar = _giris_hatalari(tc, ad_soyad)
    if hatalar:
        return _giris_formu(degerler, hatalar, 422)
    gizli = current_app.config["SECRET_KEY"]
    istek = giris.onay_kodu_iste(get_session(), tc=tc, ad_soyad=ad_soyad, gizli=gizli, simdi=utcnow(),
                                 gun=bugun(), gecerlilik=_gecerlilik())
    get_session().commit()
    if istek.sms_gonderildi:
        teslimi_baslat()
    session[BEKLEYEN_GIRIS] = {"b": istek.belirtec, "m": istek.maske, "t": giris.tc_anahtari(gizli, tc)[:32],
                               "n": degerler["next"]}
    _asgari_sureyi_bekle(baslangic)
    return redirect(url_for("muhtar.onay_sayfasi"))


def _giris_hatalari(tc: str, ad_soyad: str) -> dict:
    """Field -> Turkish message; the captcha is checked (and used up) whatever the other fields hold."""
    hatalar = {}
    if dogrulama.etkin() and not dogrulama.dogrula(request.form.get("dogrulama_kodu")):
        hatalar["dogrulama_kodu"] = "Doğrulama kodu hatalı. Lütfen yeni resimdeki kodu girin."
    if not tc:
        hatalar["tc_kimlik_no"] = "TC Kimlik Numaranızı girin."
    elif not tc_kimlik_gecerli(tc):
        hatalar["tc_kimlik_no"] = "TC Kimlik Numarası geçersiz: 11 haneli numaranızı kontrol edin."
    if not ad_soyad:
        hatalar["ad_soyad"] = "Adınızı ve soyadınızı girin."
    elif len(ad_soyad) > 128:
        hatalar["ad_soyad"] = "Ad ve soyadı en çok 128 karakter olabilir."
    return hatalar


def _asgari_sureyi_bekle(baslangic: float) -> None:
    """Pad the answer to a fixed minimum, so a muhtar's (SMS queued) and anyone else's take as long."""
    asgari = float(current_app.config.get("MUHTAR_GIRIS_ASGARI_SN", VARSAYILAN_ASGARI_SURE))
    kalan = asgari - (time.monotonic() - baslangic)
    if kalan > 0:
        time.sleep(kalan)


# --- step 2 ---------------------------------------------------------------------------------------------

@bp.get("/giris/onay")
def onay_sayfasi():
    bekleyen = session.get(BEKLEYEN_GIRIS)
    if not bekleyen:
        return redirect(url_for("muhtar.giris_sayfasi"))
    return _onay_formu(bekleyen)


def _onay_formu(bekleyen: dict, hata: str | None = None, durum: int = 200):
    dakika = max(1, round(_gecerlilik().total_seconds() / 60))
    return render_template("muhtar/onay.html", notr_mesaj=NOTR_MESAJ, maske=bekleyen["m"], dakika=dakika,
                           hata=hata), durum


@bp.post("/giris/onay")
@limiter.limit(sinir("MUHTAR_SINIR_KOD_KONTROL_IP"), error_message=mesaj("MUHTAR_SINIR_KOD_KONTROL_IP"))
@limiter.limit(sinir("MUHTAR_SINIR_KOD_KONTROL_TC"), key_func=bekleyen_tc,
               error_message=mesaj("MUHTAR_SINIR_KOD_KONTROL_TC"))
def sisteme_giris():
    bekleyen = session.get(BEKLEYEN_GIRIS)
    if not bekleyen:
        flash(SONUC_MESAJLARI[giris.YOK], "hata")
        return redirect(url_for("muhtar.giris_sayfasi"))
    kod = giris.kod_normalize(request.form.get("onay_kodu"))
    if not kod:
        return _onay_formu(bekleyen, "Telefonunuza gelen onay kodunu girin.", 422)
    sonuc = giris.onay_kodunu_dogrula(get_session(), belirtec=bekleyen["b"], kod=kod,
                                      gizli=current_app.config["SECRET_KEY"], simdi=utcnow(), gun=bugun())
    get_session().commit()
    if sonuc.durum == giris.GECERLI:
        return _oturum_ac(sonuc.muhtar, bekleyen.get("n"))
    if sonuc.durum == giris.HATALI:
        return _onay_formu(bekleyen, f"Onay kodu hatalı. Kalan deneme hakkınız: {sonuc.kalan}.", 422)
    session.pop(BEKLEYEN_GIRIS, None)
    flash(SONUC_MESAJLARI[sonuc.durum], "hata")
    return redirect(url_for("muhtar.giris_sayfasi"))


def _oturum_ac(muhtar, sonraki: str | None):
    """A fresh session (nothing from before the login survives), permanent with the configured lifetime."""
    hedef = guvenli_hedef(sonraki, url_for("muhtar.basvuru"))
    session.clear()
    login_user(MuhtarOturumu(muhtar))
    session.permanent = True
    current_app.logger.info("Muhtar #%s SMS onay koduyla giriş yaptı.", muhtar.id)
    return redirect(hedef)


@bp.post("/cikis")
def cikis():
    if current_user.is_authenticated:
        # "Çıkış" ends this muhtar's session everywhere: a copied cookie is no longer accepted either
        oturumlari_sonlandir(current_user.kayit)
        get_session().commit()
    logout_user()
    session.clear()
    flash("Oturumunuz kapatıldı.", "bilgi")
    return redirect(url_for("public.anasayfa"))


# --- captcha --------------------------------------------------------------------------------------------

def _dogrulama_yaniti(govde: bytes, tur: str) -> Response:
    yanit = Response(govde, mimetype=tur)
    yanit.headers["Cache-Control"] = "no-store"
    return yanit


@bp.get("/dogrulama-kodu/resim")
@limiter.limit(sinir("MUHTAR_SINIR_DOGRULAMA_IP"), error_message=mesaj("MUHTAR_SINIR_DOGRULAMA_IP"))
def dogrulama_resmi():
    if not dogrulama.etkin():
        return Response(status=404)
    return _dogrulama_yaniti(dogrulama.resim(dogrulama.soru()), "image/png")


@bp.get("/dogrulama-kodu/ses")
@limiter.limit(sinir("MUHTAR_SINIR_DOGRULAMA_IP"), error_message=mesaj("MUHTAR_SINIR_DOGRULAMA_IP"))
def dogrulama_sesi():
    if not dogrulama.etkin():
        return Response(status=404)
    return _dogrulama_yaniti(dogrulama.ses(dogrulama.soru()), "audio/wav")


# --- 429 ------------------------------------------------------------------------------------------------

@bp.errorhandler(429)
def cok_fazla_istek(hata):
    """The limit's own Turkish sentence and when to try again; Retry-After is kept."""
    saniye = _yeniden_deneme_saniyesi()
    dakika = max(1, -(-saniye // 60)) if saniye else None
    yanit = render_template("muhtar/sinir.html", aciklama=hata.description, dakika=dakika)
    basliklar = {"Retry-After": str(saniye)} if saniye else {}
    return yanit, 429, basliklar


def _yeniden_deneme_saniyesi() -> int | None:
    limit = limiter.current_limit
    if limit is None:
        return None
    return max(1, int(limit.reset_at - time.time()))
