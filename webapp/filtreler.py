"""Jinja filters for Turkish display."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask

TURKIYE = ZoneInfo("Europe/Istanbul")


def tarih(deger: datetime | date | None, saatli: bool = True) -> str:
    """"28.11.2026 14:05" in Türkiye time; a naive datetime is taken as UTC (how the database stores it);
    a date gives "28.11.2026"; None gives ""."""
    if deger is None:
        return ""
    if not isinstance(deger, datetime):
        return deger.strftime("%d.%m.%Y")
    if deger.tzinfo is None:
        # SQLite returns naive values for DateTime(timezone=True) columns; they were written in UTC.
        deger = deger.replace(tzinfo=timezone.utc)
    yerel = deger.astimezone(TURKIYE)
    return yerel.strftime("%d.%m.%Y %H:%M" if saatli else "%d.%m.%Y")


def init_app(app: Flask) -> None:
    app.add_template_filter(tarih, "tarih")
