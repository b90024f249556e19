"""``flask --app webapp raporlar hazirla [--dongu]``: precompute the dashboard's default view (engine.rapor_ozeti)."""
from __future__ import annotations

import time

import click
from flask import current_app

from engine import rapor_ozeti
from engine.raporlar import TURKIYE
from webapp.motor import get_motor
from webapp.raporlar import bp


def _bir_tur() -> tuple[int, float]:
    simdi = get_motor().saat()
    bas = time.perf_counter()
    sayi = rapor_ozeti.hazirla(current_app.extensions["mbs_db"], simdi, simdi.astimezone(TURKIYE).date())
    return sayi, time.perf_counter() - bas


@bp.cli.command("hazirla")
@click.option("--dongu", is_flag=True, help="Durmadan çalış (ayrı bir süreç/servis olarak), Ctrl+C ile durur.")
@click.option("--aralik", default=600.0, show_default=True, type=click.FloatRange(min=1),
              help="İki tur arasında bekleme (saniye); RAPOR_OZET_SN'den kısa olmalı.")
def hazirla(dongu, aralik):
    """Rapor panosunun varsayılan görünümünü (son 365 gün) MİGM ve her Valilik için önceden hesaplar.

    Pano, RAPOR_OZET_SN saniyeden (varsayılan 1200) yeni bir sonuç varsa onu gösterir, yoksa canlı hesaplar."""
    while True:
        sayi, sure = _bir_tur()
        click.echo(f"{sayi} kapsamın rapor özeti hazırlandı ({sure:.1f} sn).")
        if not dongu:
            return
        try:
            time.sleep(aralik)
        except KeyboardInterrupt:
            click.echo("Durduruldu.")
            return
