"""A clock-controlled deadline scenario, shared by the timer and report tests.

Six talepler filed at T0 (Monday 2 March 2026, 09:00 UTC), driven day by day with a clock the test owns; the
timer runner runs every half day. Routing on day 1 (MİGM):

====  =========  =====  ==========================================================  ==============================
talep tür        il     parts (priority → due day)                                  what happens
====  =========  =====  ==========================================================  ==============================
A     sikayet    06     Çankaya Bel. acil (4)                                       answered d2, closed d2.5
B     istek      06     Ankara Valiliği yüksek (8)                                  taken d2, answered d10 (late), closed d11
C     ihbar      35     Konak Bel. normal (16)                                      never answered: day-30 SMS
D     istek      06     Ankara Valiliği normal (16) → İl Sağlık (capped at 16)      sub-unit d5, Valilik d6, closed d7
E     sikayet    35     Çankaya Bel. acil (4) + İzmir Valiliği acil (4)             Bel. d2; Valilik d6 (late); closed d7
F     gorus      06     (closed without routing on day 1)
====  =========  =====  ==========================================================  ==============================

Reminders go one day before a due date, escalations at the due date, the progress SMS at day 30.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from engine.models import HumanTask, Ilce, Kullanici, Muhtar, Muhtarlik
from engine.runtime import Motor
from engine.zamanlayici import zamanlayicilari_isle
from tests.engine.conftest import kayit_olustur

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
ADIM = timedelta(hours=12)
SON_GUN = 31


def gun(n: float) -> datetime:
    return T0 + timedelta(days=n)


class Saat:
    """The scenario's clock: Motor(saat=Saat()) makes SQL timestamps and BPMN timers follow it."""

    def __init__(self, an: datetime = T0):
        self.an = an

    def __call__(self) -> datetime:
        return self.an


@dataclass
class Senaryo:
    db: object
    kayit: object
    saat: Saat
    motor: Motor
    talep: dict[str, int] = field(default_factory=dict)
    izmir_muhtar_id: int | None = None
    uyandirma: list[tuple[datetime, int]] = field(default_factory=list)

    # --- driving --------------------------------------------------------------------------------------------
    def _uuid(self, harf: str, bpmn_id: str, kod: str) -> str:
        with self.db.session() as s:
            return s.scalars(select(HumanTask.task_uuid).where(
                HumanTask.talep_id == self.talep[harf], HumanTask.bpmn_id == bpmn_id,
                HumanTask.birim_id == self.kayit.birim[kod], HumanTask.durum == "acik")).one()

    def tamamla(self, harf: str, bpmn_id: str, kod: str, veri: dict) -> None:
        uuid = self._uuid(harf, bpmn_id, kod)
        with self.db.unit_of_work() as s:
            self.motor.gorev_tamamla(s, uuid, self.kayit.actor(kod), veri)

    def yonlendir(self, harf, valilikler=(), belediyeler=()):
        b = self.kayit.birim
        self.tamamla(harf, "Task_Yonlendir", "MIGM", {
            "karar": "yonlendir", "nihai_cevap": None,
            "valilik_yonlendirmeleri": [{"birim_id": b[k], "oncelik": o, "not": f"{k} notu"} for k, o in valilikler],
            "belediye_yonlendirmeleri": [{"birim_id": b[k], "oncelik": o, "not": f"{k} notu"} for k, o in belediyeler]})

    def islem(self, harf, bpmn_id, kod, notu):
        self.tamamla(harf, bpmn_id, kod, {"islem_notu": notu, "muhtara_acik": True, "ekler": []})

    def kapat(self, harf, cevap):
        self.tamamla(harf, "Task_SureciTamamla", "MIGM", {"nihai_cevap": cevap})

    def calistir(self) -> int:
        sonuc = zamanlayicilari_isle(self.db, self.motor)
        self.uyandirma += [(self.saat.an, t) for t in sonuc.talepler]
        return sonuc.uyandirilan


def kur(database) -> Senaryo:
    """Registry (with a second il's muhtarlık), e-mail addresses for every unit's user, six talepler at T0."""
    kayit = kayit_olustur(database)
    with database.unit_of_work() as s:
        for k in s.scalars(select(Kullanici)):
            k.eposta = f"{k.kullanici_adi}@ornek.gov.tr"
        ilce = Ilce(il_kod="35", ad="Konak")
        s.add(ilce)
        s.flush()
        mahalle = Muhtarlik(ilce_id=ilce.id, ad="Alsancak Mah")
        s.add(mahalle)
        s.flush()
        izmir = Muhtar(muhtarlik_id=mahalle.id, tc_kimlik_no="10000000078", ad_soyad="Hasan Öztürk",
                       telefon="+905365678956", gorev_baslangic=date(2024, 4, 1))
        s.add(izmir)
        s.flush()
        izmir_id = izmir.id
    saat = Saat()
    sen = Senaryo(database, kayit, saat, Motor(saat=saat), izmir_muhtar_id=izmir_id)
    for i, (harf, tur, izmirli) in enumerate((("A", "sikayet", False), ("B", "istek", False), ("C", "ihbar", True),
                                              ("D", "istek", False), ("E", "sikayet", True),
                                              ("F", "gorus_oneri", False))):
        with database.unit_of_work() as s:
            sen.talep[harf] = sen.motor.talep_baslat(
                s, muhtar_id=izmir_id if izmirli else kayit.muhtar_id, tur=tur,
                aciklama=f"Talep {harf}: mahallemizde çözülmesi gereken bir sorun var.").id
    return sen


#: the scenario's actions, by day
def _gun1(s: Senaryo):
    s.yonlendir("A", belediyeler=[("BELEDIYE-06-CANKAYA", "acil")])
    s.yonlendir("B", valilikler=[("VALILIK-06", "yuksek")])
    s.yonlendir("C", belediyeler=[("BELEDIYE-35-KONAK", "normal")])
    s.yonlendir("D", valilikler=[("VALILIK-06", "normal")])
    s.yonlendir("E", valilikler=[("VALILIK-35", "acil")], belediyeler=[("BELEDIYE-06-CANKAYA", "acil")])
    s.tamamla("F", "Task_Yonlendir", "MIGM", {"karar": "kapat", "nihai_cevap": "Görüşünüz için teşekkür ederiz.",
                                             "valilik_yonlendirmeleri": [], "belediye_yonlendirmeleri": []})


def _gun2(s: Senaryo):
    s.islem("A", "Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA", "A: kaldırım onarıldı")
    s.tamamla("B", "Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": []})
    s.tamamla("D", "Task_UzerineAl", "VALILIK-06", {"alt_yonlendirmeler": [
        {"birim_id": s.kayit.birim["SAGLIK-06"], "oncelik": "normal", "not": "sağlık bakmalı"}]})
    s.islem("E", "Task_BelediyeTamamla", "BELEDIYE-06-CANKAYA", "E: belediye kısmı yapıldı")
    s.tamamla("E", "Task_UzerineAl", "VALILIK-35", {"alt_yonlendirmeler": []})


EYLEMLER = {
    1: _gun1,
    2: _gun2,
    2.5: lambda s: s.kapat("A", "A: kaldırım onarıldı."),
    5: lambda s: s.islem("D", "Task_AltBirimTamamla", "SAGLIK-06", "D: sağlık ekibi inceledi"),
    6: lambda s: (s.islem("D", "Task_ValilikTamamla", "VALILIK-06", "D: valilik kısmı tamam"),
                  s.islem("E", "Task_ValilikTamamla", "VALILIK-35", "E: valilik geç de olsa tamamladı")),
    7: lambda s: (s.kapat("D", "D: sağlık ekibi gereğini yaptı."), s.kapat("E", "E: iki birim de tamamladı.")),
    10: lambda s: s.islem("B", "Task_ValilikTamamla", "VALILIK-06", "B: valilik süre geçtikten sonra tamamladı"),
    11: lambda s: s.kapat("B", "B: talebiniz karşılandı."),
}


def oynat(s: Senaryo, son_gun: float = SON_GUN, her_adimda=None) -> None:
    """Run the timeline: every half day the timer runner runs, then that moment's actions happen."""
    an = T0
    while an <= gun(son_gun):
        s.saat.an = an
        s.calistir()
        gun_no = (an - T0) / timedelta(days=1)
        if gun_no in EYLEMLER:
            EYLEMLER[gun_no](s)
        if her_adimda is not None:
            her_adimda(s, gun_no)
        an += ADIM

