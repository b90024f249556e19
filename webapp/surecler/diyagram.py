"""What the talep page shows of the process: the diagram of the talep's version with its completed and active
tasks and the units on them, and the routing suggestion on MİGM's Yönlendir form.

Both are template helpers (the talep page calls them), so the kurum views need no change. The diagram's data:
completed tasks from the instance's state (service tasks and gateways too) and from ``human_task``; active
tasks and their units from the open ``human_task`` rows. A unit's name is shown only where the viewing unit may
see that unit's part (``webapp.kurum.erisim``); otherwise "başka birim".
"""
from __future__ import annotations

from flask import request, url_for
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.durum import durum_coz
from engine.models import Birim, HumanTask, ProcessInstance, Talep
from engine.oneri import ALANLAR, gorev_onerisi, on_degerler
from engine.surecler import surum_spec_kimlikle
from webapp.db import get_session
from webapp.surecler import bp
from webapp.surecler.yetki import analist_mi

BASKA_BIRIM = "başka birim"


def _tamamlanan_ogeler(instance: ProcessInstance) -> set[str]:
    """bpmn ids of every completed task of the instance, its subprocesses included."""
    spec, subs = surum_spec_kimlikle(get_session(), instance.version_id)
    wf = durum_coz(instance.state, spec, subs)
    out = set()
    for w in [wf, *wf.subprocesses.values()]:
        for task in w.tasks.values():
            kimlik = getattr(task.task_spec, "bpmn_id", None)
            if kimlik and task.state == TaskState.COMPLETED:
                out.add(kimlik)
    return out


def _gorunur_birimler(birim: Birim, talep_id: int) -> set[int] | None:
    """Ids of the units whose names this unit may read on the diagram (None: all, MİGM)."""
    from webapp.kurum import erisim
    if birim.rol == erisim.MIGM:
        return None
    gorunum = erisim.parcalar(get_session(), birim, talep_id)
    return gorunum.tam_birimler | gorunum.ozet_birimler | {birim.id}


@bp.app_template_global("surec_diyagrami")
def surec_diyagrami(talep: Talep) -> dict | None:
    """JSON for the talep page's viewer: the diagram's URL and the marked elements."""
    from webapp.kurum.ortak import aktif_birim
    db = get_session()
    instance = db.get(ProcessInstance, talep.instance_id) if talep.instance_id else None
    if instance is None:
        return None
    birim = aktif_birim()
    gorunur = _gorunur_birimler(birim, talep.id)
    satirlar = db.execute(select(HumanTask.bpmn_id, HumanTask.durum, Birim.id, Birim.ad)
                          .join(Birim, Birim.id == HumanTask.birim_id)
                          .where(HumanTask.talep_id == talep.id, HumanTask.durum != "iptal")
                          .order_by(HumanTask.id)).all()
    ogeler: dict[str, dict] = {}
    for kimlik in sorted(_tamamlanan_ogeler(instance)):
        ogeler[kimlik] = {"id": kimlik, "durum": "tamamlandi", "birimler": []}
    for kimlik, durum, birim_id, ad in satirlar:
        oge = ogeler.setdefault(kimlik, {"id": kimlik, "durum": "tamamlandi", "birimler": []})
        if durum == "acik":
            if oge["durum"] != "aktif":
                oge["durum"], oge["birimler"] = "aktif", []
        elif oge["durum"] == "aktif":
            continue  # a part still open wins over a finished one on the same task (multi-instance)
        adi = ad if gorunur is None or birim_id in gorunur else BASKA_BIRIM
        if adi not in oge["birimler"]:
            oge["birimler"].append(adi)
    return {"xml": url_for("surecler.diyagram_xml", surum_id=instance.version_id), "surum": instance.version_id,
            "tamamlandi": instance.status == "tamamlandi", "ogeler": list(ogeler.values())}


@bp.app_template_global("gorev_onerisi")
def gorev_onerisi_sablon(gorev: HumanTask | None, tanim=None) -> dict | None:
    """The routing suggestion of an open task whose form routes to Valilik/Belediye (MİGM's Yönlendir)."""
    if gorev is None or gorev.durum != "acik" or tanim is None:
        return None
    if not any(a.tur == "birim_listesi" and a.birim_rolu in ALANLAR for a in tanim.alanlar):
        return None
    return gorev_onerisi(get_session(), gorev)


@bp.app_template_global("oneriyle_doldur")
def oneriyle_doldur(talep: Talep, tanim, degerler: dict, secicileri: dict, oneri: dict | None):
    """The form's first values with the suggested units pre-selected at the suggested priority.

    Only when the form is first shown (GET) and its unit lists are still empty: a re-shown form keeps what
    the user entered."""
    if not oneri or tanim is None or request.method != "GET":
        return degerler, secicileri
    from webapp.kurum import gorevler
    from webapp.kurum.ortak import aktif_birim
    alanlar = {a.birim_rolu: a.ad for a in tanim.alanlar if a.tur == "birim_listesi" and a.birim_rolu in ALANLAR
               and not degerler.get(a.ad)}
    ek = on_degerler(get_session(), talep, oneri, alanlar)
    if not ek:
        return degerler, secicileri
    degerler = {**degerler, **ek}
    return degerler, gorevler.form_secicileri(get_session(), aktif_birim(), talep, tanim, degerler, None)


@bp.app_context_processor
def _sablon_yardimcilari() -> dict:
    return {"kurum_analist_mi": analist_mi}
