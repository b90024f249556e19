"""The bench generator still builds a database the consistency check accepts (no timings asserted here)."""
from __future__ import annotations

from sqlalchemy import func, select

from bench.uret import SEKILLER, denetle, uret
from engine.db import Database
from engine.models import HumanTask, Talep


def test_uretici_tutarli_veri_uretir(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    sonuc = uret(url, 200, yazdir=lambda *a: None, turler=("sikayet", "ihbar"))
    # 200 copies plus one engine-made template talep per shape and type
    assert sonuc["sayim"]["talep"] == 200 + 2 * len(SEKILLER)
    sayi, sorunlar = denetle(url, ornek=300)
    assert sayi >= 200 and sorunlar == []
    db = Database(url)
    with db.session() as s:
        durumlar = set(s.scalars(select(Talep.durum).distinct()))
        assert durumlar == {"bekleyen", "yonlendirilen", "sonuclanan"}
        assert s.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.durum == "acik")) > 0
    db.dispose()
