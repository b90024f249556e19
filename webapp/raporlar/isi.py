"""The process diagram as an SVG heat map: each user task coloured by how long tasks wait there (median).

Drawn on the server from the BPMN diagram interchange (BPMNDI) of the current process version: pools and lanes,
tasks, events, gateways and flows; no script, no style attributes (the page's CSP forbids inline style), only SVG
presentation attributes. The figures come from ``engine.raporlar.darbogazlar`` (SQL).
"""
from __future__ import annotations

import textwrap
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from engine.errors import SurecHatasi
from engine.surecler import guncel_surum, guvenli_xml

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
#: pale yellow to deep red
ISI_RENKLERI = ("#fff7d6", "#fde3a7", "#fbc07a", "#f59a57", "#e8683f", "#c93a2f")
GUN = 86400.0


def _yerel(etiket: str) -> str:
    return etiket.rsplit("}", 1)[-1]


@lru_cache(maxsize=8)
def _diyagram(surum_id: int, metin: str) -> tuple:
    """(shapes, edges, width, height, min x, min y) of a BPMN text; shapes are (id, kind, name, x, y, w, h)."""
    kok = guvenli_xml(metin, "süreç")
    ogeler = {e.get("id"): e for e in kok.iter() if e.get("id")}
    sekiller, kenarlar = [], []
    for s in kok.iterfind(".//bpmndi:BPMNShape", NS):
        b = s.find("dc:Bounds", NS)
        oge = ogeler.get(s.get("bpmnElement"))
        if b is None or oge is None:
            continue
        sekiller.append((s.get("bpmnElement"), _yerel(oge.tag), oge.get("name") or "",
                         *(float(b.get(k)) for k in ("x", "y", "width", "height"))))
    for e in kok.iterfind(".//bpmndi:BPMNEdge", NS):
        noktalar = [(float(w.get("x")), float(w.get("y"))) for w in e.iterfind("di:waypoint", NS)]
        if len(noktalar) >= 2:
            kenarlar.append(tuple(noktalar))
    xs = [s[3] for s in sekiller] + [p[0] for k in kenarlar for p in k]
    ys = [s[4] for s in sekiller] + [p[1] for k in kenarlar for p in k]
    x2 = [s[3] + s[5] for s in sekiller]
    y2 = [s[4] + s[6] for s in sekiller]
    return tuple(sekiller), tuple(kenarlar), min(xs, default=0), min(ys, default=0), max(x2 + xs, default=0), \
        max(y2 + ys, default=0)


def _satirlar(metin: str, genislik: float) -> list[str]:
    return textwrap.wrap(metin, max(8, int(genislik / 6.2)))[:4]


def _metin(x: float, y: float, satirlar: list[str], boy: int = 11, kalin: bool = False) -> str:
    agirlik = ' font-weight="bold"' if kalin else ""
    parcalar = "".join(f'<tspan x="{x:.0f}" dy="{0 if i == 0 else boy + 2}">{escape(s)}</tspan>'
                       for i, s in enumerate(satirlar))
    return f'<text x="{x:.0f}" y="{y:.0f}" font-size="{boy}" text-anchor="middle"{agirlik}>{parcalar}</text>'


def _renk(medyan: float | None, en_cok: float) -> str:
    if medyan is None or en_cok <= 0:
        return "#ffffff"
    return ISI_RENKLERI[min(len(ISI_RENKLERI) - 1, int(medyan / en_cok * (len(ISI_RENKLERI) - 1) + 0.5))]


def _gun(sn: float | None) -> str:
    return "–" if sn is None else f"{float(sn) / GUN:.1f}".replace(".", ",")


def isi_haritasi(session: Session, darbogazlar: list | None) -> Markup:
    """The current process diagram with user tasks coloured by median wait; empty when there is none."""
    try:
        surum = guncel_surum(session)
    except SurecHatasi:
        return Markup("")
    metin = next((t for ad, t in sorted(surum.files.items()) if ad.endswith(".bpmn")), None)
    if metin is None:
        return Markup("")
    sekiller, kenarlar, x0, y0, x1, y1 = _diyagram(surum.id, metin)
    veriler = {d.bpmn_id: d for d in (darbogazlar or [])}
    en_cok = max((float(d.medyan) for d in veriler.values() if d.medyan is not None), default=0.0)
    pay = 20
    parcalar = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="isi-haritasi" role="img" '
        f'aria-labelledby="isi-baslik" viewBox="{x0 - pay:.0f} {y0 - pay:.0f} {x1 - x0 + 2 * pay:.0f} '
        f'{y1 - y0 + 2 * pay:.0f}" width="{x1 - x0 + 2 * pay:.0f}" height="{y1 - y0 + 2 * pay:.0f}" '
        f'font-family="sans-serif">',
        '<title id="isi-baslik">Süreç diyagramı: kullanıcı görevlerinde medyan bekleme süresi</title>',
        '<defs><marker id="ok" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    # containers first (pools, lanes, sub-processes), then flows, then the nodes on top
    for id_, tur, ad, x, y, w, h in sekiller:
        if tur == "participant":
            parcalar.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#fafafa" '
                            f'stroke="#333" stroke-width="1.5"/>')
            parcalar.append(f'<text x="{x + 15:.0f}" y="{y + h / 2:.0f}" font-size="13" font-weight="bold" '
                            f'text-anchor="middle" transform="rotate(-90 {x + 15:.0f} {y + h / 2:.0f})">'
                            f'{escape(ad)}</text>')
        elif tur == "lane":
            parcalar.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" fill="none" '
                            f'stroke="#999"/>')
            parcalar.append(f'<text x="{x + 14:.0f}" y="{y + h / 2:.0f}" font-size="12" text-anchor="middle" '
                            f'transform="rotate(-90 {x + 14:.0f} {y + h / 2:.0f})">{escape(ad)}</text>')
        elif tur == "subProcess":
            parcalar.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="10" '
                            f'fill="#ffffff" stroke="#555"/>')
            parcalar.append(f'<text x="{x + 8:.0f}" y="{y + 16:.0f}" font-size="11">{escape(ad)}</text>')
    for noktalar in kenarlar:
        yol = " ".join(f"{px:.0f},{py:.0f}" for px, py in noktalar)
        parcalar.append(f'<polyline points="{yol}" fill="none" stroke="#555" marker-end="url(#ok)"/>')
    for id_, tur, ad, x, y, w, h in sekiller:
        cx, cy = x + w / 2, y + h / 2
        if tur in ("userTask", "serviceTask", "businessRuleTask", "scriptTask", "task", "callActivity"):
            d = veriler.get(id_)
            medyan = float(d.medyan) if d is not None and d.medyan is not None else None
            dolgu = _renk(medyan, en_cok) if tur == "userTask" else "#ffffff"
            kalinlik = "3" if tur == "callActivity" else "1.2"
            parcalar.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="8" '
                            f'fill="{dolgu}" stroke="#333" stroke-width="{kalinlik}"><title>'
                            f'{escape(_ipucu(ad, d))}</title></rect>')
            satirlar = _satirlar(ad, w)
            if d is not None and d.adet:
                # boundary timers may cover 18 px at the top and bottom edges: keep the text in the middle
                parcalar.append(_metin(cx, y + 28, satirlar[:2], 10))
                parcalar.append(_metin(cx, y + h - 22, [f"{_gun(d.medyan)} / {_gun(d.p90)} gün"], 10, kalin=True))
            else:
                parcalar.append(_metin(cx, cy - 6 * (len(satirlar) - 1), satirlar, 10))
        elif tur in ("startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent"):
            cizgi = {"endEvent": "3", "startEvent": "1.5"}.get(tur, "1.5")
            parcalar.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{w / 2:.0f}" fill="#ffffff" stroke="#333" '
                            f'stroke-width="{cizgi}"><title>{escape(ad)}</title></circle>')
            if tur == "boundaryEvent":  # a timer: the clock face
                parcalar.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{w / 2 - 4:.0f}" fill="none" '
                                f'stroke="#333" stroke-dasharray="3 2"/>')
                parcalar.append(f'<path d="M {cx:.0f} {cy - 8:.0f} L {cx:.0f} {cy:.0f} L {cx + 6:.0f} {cy:.0f}" '
                                f'fill="none" stroke="#333"/>')
        elif tur.endswith("Gateway"):
            nokta = f"{cx:.0f},{y:.0f} {x + w:.0f},{cy:.0f} {cx:.0f},{y + h:.0f} {x:.0f},{cy:.0f}"
            parcalar.append(f'<polygon points="{nokta}" fill="#ffffff" stroke="#333"><title>{escape(ad)}</title>'
                            f'</polygon>')
            parcalar.append(f'<text x="{cx:.0f}" y="{cy + 5:.0f}" font-size="14" text-anchor="middle">'
                            f'{"○" if tur == "inclusiveGateway" else "×"}</text>')
    parcalar.append("</svg>")
    return Markup("".join(parcalar))


def _ipucu(ad: str, d) -> str:
    if d is None or not d.adet:
        return ad
    return (f"{ad}: {d.adet} tamamlanan görev, medyan {_gun(d.medyan)} gün, %90 {_gun(d.p90)} gün; "
            f"şu an bekleyen {d.acik}")
