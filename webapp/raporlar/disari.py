"""XLSX and CSV exports with Turkish headers and dd.mm.yyyy dates.

CSV is streamed row by row (UTF-8 with BOM and ";" separators, so Excel in Turkish opens it as columns; decimal
comma). XLSX is written by openpyxl's write-only workbook (constant memory) into a spooled temporary file and
sent from there. Both stop at ``engine.raporlar.AZAMI_SATIR`` rows (100 000).
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, send_file, stream_with_context

from webapp.raporlar.tablolar import Gun

CSV_TURU = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_TURU = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_hucre(deger) -> str:
    if deger is None:
        return ""
    if isinstance(deger, datetime):
        return deger.strftime("%d.%m.%Y %H:%M")
    if isinstance(deger, date):
        return deger.strftime("%d.%m.%Y")
    if isinstance(deger, float):
        return f"{deger:.1f}".replace(".", ",")
    return str(deger)


def _csv_satirlari(sutunlar: list[str], satirlar: Iterable[list]) -> Iterator[str]:
    tampon = io.StringIO()
    yazici = csv.writer(tampon, delimiter=";", lineterminator="\r\n")

    def bosalt() -> str:
        metin = tampon.getvalue()
        tampon.seek(0)
        tampon.truncate()
        return metin

    yazici.writerow(sutunlar)
    yield "\ufeff" + bosalt()
    for i, satir in enumerate(satirlar, 1):
        yazici.writerow([csv_hucre(h) for h in satir])
        if i % 500 == 0:
            yield bosalt()
    yield bosalt()


def _basliklar(dosya_adi: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{dosya_adi}"', "Cache-Control": "no-store"}


def csv_yaniti(dosya_adi: str, sutunlar: list[str], satirlar: Iterable[list]) -> Response:
    """A streamed CSV download (the rows are produced while the response is sent)."""
    return Response(stream_with_context(_csv_satirlari(sutunlar, satirlar)), mimetype=CSV_TURU,
                    headers=_basliklar(dosya_adi))


def xlsx_yaniti(dosya_adi: str, sayfa_adi: str, sutunlar: list[str], satirlar: Iterable[list]) -> Response:
    """An XLSX download: bold header row, real dates (dd.mm.yyyy) and numbers (one decimal for days)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    kitap = Workbook(write_only=True)
    sayfa = kitap.create_sheet(re.sub(r"[:\\/?*\[\]]", " ", sayfa_adi).strip()[:31] or "Rapor")
    kalin = Font(bold=True)
    baslik = []
    for ad in sutunlar:
        hucre = WriteOnlyCell(sayfa, value=ad)
        hucre.font = kalin
        baslik.append(hucre)
    sayfa.append(baslik)
    for satir in satirlar:
        hucreler = []
        for deger in satir:
            hucre = WriteOnlyCell(sayfa, value=deger.replace(tzinfo=None) if isinstance(deger, datetime) else deger)
            if isinstance(deger, datetime):
                hucre.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(deger, date):
                hucre.number_format = "DD.MM.YYYY"
            elif isinstance(deger, Gun):
                hucre.number_format = "0.0"
            hucreler.append(hucre)
        sayfa.append(hucreler)
    dosya = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    kitap.save(dosya)
    dosya.seek(0)
    yanit = send_file(dosya, mimetype=XLSX_TURU, as_attachment=True, download_name=dosya_adi)
    yanit.headers["Cache-Control"] = "no-store"
    return yanit


def indir(bicim: str, dosya_adi: str, sayfa_adi: str, sutunlar: list[str], satirlar: Iterable[list]) -> Response:
    if bicim == "csv":
        return csv_yaniti(f"{dosya_adi}.csv", sutunlar, satirlar)
    return xlsx_yaniti(f"{dosya_adi}.xlsx", sayfa_adi, sutunlar, satirlar)
