"""Drill: kill -9 a gunicorn worker while MİGM users complete tasks concurrently.

Two sync workers serve four MİGM sessions that route talepler to Ankara Valiliği and Çankaya Belediyesi as
fast as they can; a fifth thread SIGKILLs a busy worker several times. A request cut by the kill gets no
answer (the connection drops) and its client tries again: the retry either completes the task or is told
it was already completed (the cut request had committed before it died). Afterwards the operators'
``flask --app webapp tutarlilik`` must find 0 inconsistencies between each instance's state, its inbox rows,
its talep status and its hareket log, and every completion that got a success answer must be there.
PostgreSQL (database mbs_e2e) in the PostgreSQL pass; the same drill on a SQLite file in the SQLite pass.
"""
from __future__ import annotations

import queue
import random
import threading
import time

import pytest
import requests
from sqlalchemy import func, select

from engine.models import Hareket, HumanTask, Talep, Yonlendirme
from tests.canli import HttpIstemci, csrf, flask_komutu
from tests.faults.ortak import PAROLA, SAYILAR, acik_gorev, dunya_hazirla, sunucu_baslat, vt_adresi

pytestmark = pytest.mark.slow

TALEP_SAYISI = 40
ISTEMCI_SAYISI = 4
OLDURME_SAYISI = 4


def _yonlendirme(kayit) -> dict:
    v, b = kayit.birim["VALILIK-06"], kayit.birim["BELEDIYE-06-CANKAYA"]
    return {"karar": "yonlendir", "valilik_yonlendirmeleri": [str(v)], "belediye_yonlendirmeleri": [str(b)],
            f"valilik_yonlendirmeleri.{v}.oncelik": "normal", f"valilik_yonlendirmeleri.{v}.not": "tatbikat",
            f"belediye_yonlendirmeleri.{b}.oncelik": "acil", f"belediye_yonlendirmeleri.{b}.not": "tatbikat"}


@pytest.mark.parametrize("tur", ["sqlite", "postgresql"])
def test_isci_oldurulurken_gorevler_tutarli_kalir(tur, tmp_path):
    url = vt_adresi(tur, tmp_path)
    db, kayit, talepler = dunya_hazirla(url, TALEP_SAYISI)
    gorevler = {t: acik_gorev(db, t, kayit.birim["MIGM"]) for t in talepler}
    sunucu = sunucu_baslat(url, tmp_path, isci=2)
    try:
        istemciler = []
        for _ in range(ISTEMCI_SAYISI):
            c = HttpIstemci(sunucu.adres, zaman_asimi=30)
            c.kurum_giris("migm", PAROLA)
            istemciler.append((c, csrf(c.get("/kurum/hesap/parola").text)))
        is_kuyrugu: queue.Queue = queue.Queue()
        for t in talepler:
            is_kuyrugu.put(t)
        basarili, zaten, kesilen, hatalar = set(), set(), [], []
        kilit = threading.Lock()
        bitti = threading.Event()
        veri = _yonlendirme(kayit)

        def calis(c, token):
            while True:
                try:
                    talep_id = is_kuyrugu.get_nowait()
                except queue.Empty:
                    return
                for _deneme in range(10):
                    try:
                        yanit = c.post(f"/kurum/gorev/{gorevler[talep_id]}", data={"csrf_token": token, **veri})
                        if yanit.status_code != 303:
                            with kilit:
                                hatalar.append((talep_id, yanit.status_code, yanit.text[:300]))
                            break
                        # the flash travels in the session cookie: any worker shows it
                        sayfa = c.get(yanit.headers["Location"]).text
                    except requests.ConnectionError:
                        with kilit:
                            kesilen.append(talep_id)
                        time.sleep(0.2)
                        continue
                    with kilit:
                        if "Talep işlendi." in sayfa:
                            basarili.add(talep_id)
                        elif "zaten tamamlanmış" in sayfa:
                            zaten.add(talep_id)
                        else:
                            hatalar.append((talep_id, "yanıt", sayfa[:300]))
                    break

        def oldur():
            rastgele = random.Random(7)
            time.sleep(0.5)
            for _ in range(OLDURME_SAYISI):
                if bitti.is_set():
                    break
                isciler = sunucu.isciler()
                if isciler:
                    sunucu.isci_oldur(rastgele.choice(isciler))
                    SAYILAR["ariza"] += 1
                # wait for the master to replace it before the next kill
                son = time.monotonic() + 15
                while len(sunucu.isciler()) < 2 and time.monotonic() < son:
                    time.sleep(0.1)
                time.sleep(rastgele.uniform(0.3, 0.9))

        iplikler = [threading.Thread(target=calis, args=i) for i in istemciler]
        olduren = threading.Thread(target=oldur)
        for t in iplikler + [olduren]:
            t.start()
        for t in iplikler:
            t.join(240)
        bitti.set()
        olduren.join(30)
        SAYILAR["kesilen_istek"] += len(kesilen)
        assert not hatalar, hatalar[:5]
        assert basarili | zaten == set(talepler), sorted(set(talepler) - basarili - zaten)
        assert "Worker (pid" in sunucu.kayit() or "SIGKILL" in sunucu.kayit() or kesilen, "hiç işçi öldürülmedi"
        assert sunucu.hazir()
    finally:
        sunucu.durdur()

    # every completion that got a success answer is there, once; nothing else was routed twice
    with db.session() as s:
        for talep_id in basarili | zaten:
            assert s.get(Talep, talep_id).durum == "yonlendirilen", talep_id
            gorev = s.scalars(select(HumanTask).where(HumanTask.task_uuid == gorevler[talep_id])).one()
            assert gorev.durum == "tamamlandi"
            assert s.scalar(select(func.count()).select_from(Yonlendirme)
                            .where(Yonlendirme.talep_id == talep_id, Yonlendirme.ust_id.is_(None))) == 2
            assert s.scalar(select(func.count()).select_from(Hareket)
                            .where(Hareket.task_uuid == gorevler[talep_id])) == 1
    sonuc = flask_komutu(url, "tutarlilik")
    SAYILAR["tutarsizlik"] += 0 if sonuc.returncode == 0 else len(sonuc.stdout.splitlines()) - 1
    assert sonuc.returncode == 0, sonuc.stdout + sonuc.stderr
    assert f"{TALEP_SAYISI} süreç örneği, 0 tutarsızlık" in sonuc.stdout
    print(f"\n{tur}: {OLDURME_SAYISI} işçi öldürüldü, {len(kesilen)} istek yanıtsız kaldı, "
          f"{len(basarili)} başarılı, {len(zaten)} 'zaten tamamlanmış', tutarlılık: {sonuc.stdout.strip()}")
    db.dispose()
