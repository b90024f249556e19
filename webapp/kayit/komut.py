"""``flask --app webapp muhtar ice-aktar DOSYA``: the CSV bulk import from the command line (set-up, or files
too large for the web form). Same checks and the same rule as the web page: nothing is written while the file
has an error, unless ``--yalniz-hatasiz``. Exit code 1 when nothing was written because of errors."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app

from webapp.kayit import bp

bp.cli.short_help = "Muhtar kaydı (CSV ile toplu içe aktarım)."
#: errors printed; the rest go to --hata-raporu
YAZILAN_HATA = 30


@bp.cli.command("ice-aktar")
@click.argument("dosya", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--il", "il_kod", default=None, help="Yalnızca bu ilin satırları (plaka kodu, ör. 06); "
                                                  "başka ilin satırı hata sayılır.")
@click.option("--yalniz-hatasiz", is_flag=True, help="Hatalı satır varsa yalnızca hatasız satırları yaz.")
@click.option("--hata-raporu", type=click.Path(dir_okay=False, path_type=Path),
              help="Hata raporunu bu CSV dosyasına yaz.")
def ice_aktar_komutu(dosya: Path, il_kod: str | None, yalniz_hatasiz: bool, hata_raporu: Path | None):
    """CSV dosyasındaki muhtarları denetler; dosya hatasızsa (ya da --yalniz-hatasiz ile) yazar."""
    from engine.models import Il, utcnow
    from engine.muhtar_ice_aktarim import HATA_TURLERI, ice_aktar
    from engine.muhtar_kayit import Kapsam
    database = current_app.extensions["mbs_db"]
    baslangic = time.perf_counter()
    with database.unit_of_work() as session:
        if il_kod is not None:
            il_kod = il_kod.strip().zfill(2)
            if session.get(Il, il_kod) is None:
                raise click.ClickException(f"“{il_kod}” plaka kodlu il yok.")
        sonuc = ice_aktar(session, dosya.read_bytes(), kapsam=Kapsam(None, il_kod), dosya_adi=dosya.name,
                          yalniz_hatasiz=yalniz_hatasiz, simdi=utcnow())
        kayit, hatalar = sonuc.kayit, sonuc.denetim.hatalar
    click.echo(f"İçe aktarım #{kayit.id}: {kayit.satir_sayisi} satır, {kayit.yazilan} yeni dönem yazıldı, "
               f"{kayit.degismeyen} zaten kayıtlı, {kayit.hatali} hatalı satır "
               f"({time.perf_counter() - baslangic:.1f} sn).")
    for hata in hatalar[:YAZILAN_HATA]:
        click.echo(f"  satır {hata.satir}: {HATA_TURLERI.get(hata.tur, hata.tur)}: {hata.mesaj}", err=True)
    if len(hatalar) > YAZILAN_HATA:
        click.echo(f"  ... ve {len(hatalar) - YAZILAN_HATA} hata daha.", err=True)
    if hata_raporu is not None and kayit.hata_raporu:
        hata_raporu.write_text("\ufeff" + kayit.hata_raporu, encoding="utf-8")
        click.echo(f"Hata raporu: {hata_raporu}")
    if kayit.durum == "yazilmadi" and hatalar:
        click.echo("Dosyada hata olduğu için hiçbir kayıt yazılmadı (yalnızca hatasız satırlar için "
                   "--yalniz-hatasiz).", err=True)
        raise click.exceptions.Exit(1)
