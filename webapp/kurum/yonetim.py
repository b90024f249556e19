"""Yönetim: MİGM administrators create, deactivate, reactivate and unlock the users of any unit.

The CLI does the same for set-up (``flask --app webapp kullanici olustur``); both go through
``engine.kayit.kullanici_olustur``.
"""
from __future__ import annotations

import click
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.errors import GecersizVeri
from engine.kayit import YETKILER, kullanici_olustur
from engine.models import Birim, Kullanici
from webapp.db import get_session
from webapp.girdi import tamsayi_oku
from webapp.kurum import bp, listeler
from webapp.kurum.arama import icerir
from webapp.kurum.ortak import aktif_birim, yonetici_gerekli
from webapp.oturum import oturumlari_sonlandir

SAYFA = 50
BIRIM_ARAMA_SINIRI = 30
_EPOSTA_EN_COK = 254


def kullanicilar_listesi(session: Session, ara: str, sonra: int | None) -> tuple[list, int | None]:
    """Users with their unit, by id; ``ara`` matches user name, name or unit code/name. Keyset by id."""
    sorgu = select(Kullanici, Birim).join(Birim, Birim.id == Kullanici.birim_id).order_by(Kullanici.id)
    if ara:
        sorgu = sorgu.where(or_(icerir(Kullanici.kullanici_adi, ara), icerir(Kullanici.ad_soyad, ara),
                                icerir(Birim.kod, ara), icerir(Birim.ad, ara)))
    if sonra:
        sorgu = sorgu.where(Kullanici.id > sonra)
    satirlar = session.execute(sorgu.limit(SAYFA + 1)).all()
    sonraki = satirlar[SAYFA - 1][0].id if len(satirlar) > SAYFA else None
    return satirlar[:SAYFA], sonraki


def birim_ara(session: Session, metin: str) -> list[Birim]:
    if not metin:
        return []
    return list(session.scalars(select(Birim).where(or_(icerir(Birim.kod, metin), icerir(Birim.ad, metin)))
                                .order_by(Birim.kod).limit(BIRIM_ARAMA_SINIRI)))


def kullanici_ekle(session: Session, form) -> Kullanici:
    """Create a user from the Yönetim form; raises GecersizVeri (Turkish) for anything wrong."""
    if form.get("parola", "") != form.get("parola_tekrar", ""):
        raise GecersizVeri("Parola ile tekrarı aynı değil.")
    eposta = (form.get("eposta") or "").strip()
    if eposta and ("@" not in eposta or len(eposta) > _EPOSTA_EN_COK or any(c.isspace() for c in eposta)):
        raise GecersizVeri("E-posta adresi geçersiz.")
    yetkiler = " ".join(y for y in form.getlist("yetkiler") if y in YETKILER)
    kullanici = kullanici_olustur(session, form.get("kullanici_adi", ""), form.get("parola", ""),
                                  (form.get("birim_kod") or "").strip().upper(), form.get("ad_soyad", ""), yetkiler)
    kullanici.eposta = eposta or None
    session.flush()
    return kullanici


@bp.get("/yonetim/kullanicilar")
@yonetici_gerekli
def kullanicilar():
    db = get_session()
    ara = (request.args.get("ara") or "").strip()[:100]
    satirlar, sonraki = kullanicilar_listesi(db, ara, tamsayi_oku(request.args.get("sonra")))
    birim_metni = (request.args.get("birim_ara") or "").strip()[:100]
    return render_template("kurum/yonetim.html", sekme="yonetim", satirlar=satirlar, sonraki=sonraki, ara=ara,
                           birim_metni=birim_metni, birimler=birim_ara(db, birim_metni), yetkiler=sorted(YETKILER),
                           sayilar=listeler.sekme_sayilari(db, aktif_birim()),
                           toplam=db.scalar(select(func.count()).select_from(Kullanici)))


@bp.post("/yonetim/kullanicilar")
@yonetici_gerekli
def kullanici_olustur_view():
    db = get_session()
    try:
        kullanici = kullanici_ekle(db, request.form)
    except GecersizVeri as hata:
        db.rollback()
        flash(hata.mesaj, "hata")
        return redirect(url_for("kurum.kullanicilar"), 303)
    db.commit()
    flash(f"“{kullanici.kullanici_adi}” kullanıcısı oluşturuldu.", "basari")
    return redirect(url_for("kurum.kullanicilar", ara=kullanici.kullanici_adi), 303)


def _uygula(kullanici: Kullanici, islem: str) -> None:
    """pasif, aktif or kilit-ac on the row. Deactivating also ends the user's sessions for good: reactivating
    the account later does not bring an old (perhaps copied) cookie back to life."""
    if islem == "kilit-ac":
        kullanici.basarisiz_giris, kullanici.kilitli_bitis = 0, None
        return
    kullanici.aktif = islem == "aktif"
    if islem == "pasif":
        oturumlari_sonlandir(kullanici)


@bp.post("/yonetim/kullanicilar/<int:kullanici_id>/<islem>")
@yonetici_gerekli
def kullanici_islem(kullanici_id: int, islem: str):
    """pasif (deactivate), aktif (reactivate), kilit-ac (clear the lock-out)."""
    db = get_session()
    kullanici = db.get(Kullanici, kullanici_id)
    if kullanici is None or islem not in ("pasif", "aktif", "kilit-ac"):
        abort(404)
    if islem == "pasif" and kullanici.id == current_user.kayit.id:
        flash("Kendi hesabınızı pasifleştiremezsiniz.", "hata")
        return redirect(url_for("kurum.kullanicilar"), 303)
    _uygula(kullanici, islem)
    db.commit()
    flash(f"“{kullanici.kullanici_adi}”: {'pasifleştirildi' if islem == 'pasif' else 'etkinleştirildi' if islem == 'aktif' else 'kilidi açıldı'}.",
          "basari")
    return redirect(url_for("kurum.kullanicilar", ara=request.form.get("ara") or None), 303)


# --- the same from the command line (set-up, no MİGM administrator yet): flask --app webapp kurum ... -------

bp.cli.short_help = "Kurum: kullanıcı hesapları (pasifleştir, etkinleştir, kilit aç), ek deposu temizliği."


def _cli_islem(kullanici_adi: str, islem: str) -> None:
    from webapp.db import get_database
    with get_database().unit_of_work() as s:
        kullanici = s.scalars(select(Kullanici).where(Kullanici.kullanici_adi == kullanici_adi)).first()
        if kullanici is None:
            raise click.ClickException(f"“{kullanici_adi}” kullanıcısı bulunamadı.")
        _uygula(kullanici, islem)
    click.echo(f"{kullanici_adi}: {islem} tamam.")


@bp.cli.command("pasiflestir")
@click.argument("kullanici_adi")
def cli_pasiflestir(kullanici_adi):
    """Kullanıcıyı pasifleştirir (oturumu da biter)."""
    _cli_islem(kullanici_adi, "pasif")


@bp.cli.command("etkinlestir")
@click.argument("kullanici_adi")
def cli_etkinlestir(kullanici_adi):
    """Pasif kullanıcıyı yeniden etkinleştirir."""
    _cli_islem(kullanici_adi, "aktif")


@bp.cli.command("kilit-ac")
@click.argument("kullanici_adi")
def cli_kilit_ac(kullanici_adi):
    """Hatalı girişler nedeniyle kilitlenen hesabın kilidini açar."""
    _cli_islem(kullanici_adi, "kilit-ac")


@bp.cli.command("ek-temizle")
@click.option("--saat", default=24, show_default=True, help="Bundan yeni dosyalara dokunulmaz.")
def cli_ek_temizle(saat):
    """Hiçbir ek kaydının göstermediği (ör. kaydedilemeyen formdan kalan) dosyaları depodan siler."""
    from engine.models import Ek
    from webapp.db import get_database
    from webapp.ekler import get_depo
    with get_database().session() as s:
        kullanilan = set(s.scalars(select(Ek.sha256).distinct()))
    silinen = get_depo().sahipsizleri_sil(kullanilan, saat * 3600)
    click.echo(f"{len(silinen)} sahipsiz dosya silindi.")
