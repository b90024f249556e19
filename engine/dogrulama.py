"""Checks a set of process files before it may be deployed.

Beyond SpiffWorkflow's own parsing and BPMN schema validation: every user task is in a known role lane
and names that role, its form exists, its unit expression compiles; every service operation is registered;
every condition, timer and script compiles and uses no dunder names or imports. Problems are reported by
element id and name, in Turkish.
"""
from __future__ import annotations

import ast
from pathlib import Path

from engine.errors import SurecHatasi
from engine.surecler import dosyalari_oku, parser_olustur

#: BPMN lane name -> role code (a unit's ``rol``)
LANE_ROLLERI = {"MİGM": "MIGM", "Valilik": "VALILIK", "Belediye": "BELEDIYE", "Alt Birim": "ALT_BIRIM"}
#: the expression properties a user task carries, and whether each is required
KULLANICI_GOREVI_OZELLIKLERI = {"rol": True, "formKey": True, "birim": True, "hareket": False,
                                "hareketNotu": False, "muhtarGorur": False}
IFADE_OZELLIKLERI = ("birim", "hareket", "hareketNotu", "muhtarGorur")


def _etiket(ts) -> str:
    return f"{ts.bpmn_id} ({ts.bpmn_name or 'adsız'})"


def kod_sorunlari(kod: str, mode: str = "eval") -> str | None:
    """Why this expression/script may not run, or None when it is acceptable."""
    try:
        tree = ast.parse(kod, mode=mode)
    except SyntaxError as err:
        return f"sözdizimi hatası: {err.msg}"
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return "import kullanılamaz"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"'{node.attr}' özniteliği kullanılamaz"
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            return f"'{node.id}' adı kullanılamaz"
        if isinstance(node, ast.Name) and node.id in ("eval", "exec", "open", "compile", "getattr", "globals",
                                                      "locals", "vars", "setattr", "delattr", "input"):
            return f"'{node.id}' kullanılamaz"
    return None


def _kullanici_gorevi(ts, form_keys: set[str]) -> list[str]:
    props = (getattr(ts, "extensions", None) or {}).get("properties", {})
    out = []
    rol = LANE_ROLLERI.get(ts.lane or "")
    if rol is None:
        out.append(f"{_etiket(ts)}: kullanıcı görevi bilinen bir kulvarda değil (kulvar: {ts.lane!r}; "
                   f"geçerli kulvarlar: {', '.join(LANE_ROLLERI)}).")
    for ad, zorunlu in KULLANICI_GOREVI_OZELLIKLERI.items():
        if zorunlu and not props.get(ad):
            out.append(f"{_etiket(ts)}: '{ad}' özelliği eksik.")
    if props.get("rol") and rol and props["rol"] != rol:
        out.append(f"{_etiket(ts)}: rol '{props['rol']}' bulunduğu '{ts.lane}' kulvarıyla uyuşmuyor.")
    if props.get("formKey") and props["formKey"] not in form_keys:
        out.append(f"{_etiket(ts)}: '{props['formKey']}' formu forms/ içinde yok.")
    for ad in IFADE_OZELLIKLERI:
        if props.get(ad) and (sorun := kod_sorunlari(props[ad])):
            out.append(f"{_etiket(ts)}: '{ad}' ifadesi geçersiz: {sorun}.")
    return out


def _servis_gorevi(ts, servis_adlari: set[str]) -> list[str]:
    out = []
    if ts.operation_name not in servis_adlari:
        out.append(f"{_etiket(ts)}: '{ts.operation_name}' kayıtlı bir servis işlemi değil "
                   f"(kayıtlı olanlar: {', '.join(sorted(servis_adlari))}).")
    for ad, param in (ts.operation_params or {}).items():
        if sorun := kod_sorunlari(str(param.get("value", ""))):
            out.append(f"{_etiket(ts)}: '{ad}' parametresi geçersiz: {sorun}.")
    return out


def _ifadeler(ts) -> list[str]:
    """Conditions, timers and scripts of any task spec."""
    out = []
    for cond, _target in getattr(ts, "cond_task_specs", None) or []:
        cond = cond.args[0] if cond is not None and getattr(cond, "args", None) else cond
        if isinstance(cond, str) and (sorun := kod_sorunlari(cond)):
            out.append(f"{_etiket(ts)}: koşul '{cond}' geçersiz: {sorun}.")
    event = getattr(ts, "event_definition", None)
    expr = getattr(event, "expression", None)
    if isinstance(expr, str) and (sorun := kod_sorunlari(expr)):
        out.append(f"{_etiket(ts)}: zamanlayıcı/koşul ifadesi '{expr}' geçersiz: {sorun}.")
    for attr in ("script", "prescript", "postscript"):
        script = getattr(ts, attr, None)
        if isinstance(script, str) and script and (sorun := kod_sorunlari(script, "exec")):
            out.append(f"{_etiket(ts)}: betik geçersiz: {sorun}.")
    return out


def gorev_sorunlari(ts, form_keys: set[str], servis_adlari: set[str]) -> list[str]:
    if getattr(ts, "bpmn_id", None) is None:
        return []  # internal specs (Start, End, BoundaryEventSplit...) carry nothing to check
    out = _ifadeler(ts)
    if getattr(ts, "manual", False):
        out += _kullanici_gorevi(ts, form_keys)
    if hasattr(ts, "operation_name"):
        out += _servis_gorevi(ts, servis_adlari)
    return out


def dosyalari_dogrula(files: dict[str, str], form_keys: set[str], servis_adlari: set[str]) -> list[str]:
    """Every problem of these files; an empty list means they may be deployed."""
    if not any(name.endswith(".bpmn") for name in files):
        return ["Hiç BPMN dosyası yok."]
    try:
        parser = parser_olustur(files)
        specs = parser.find_all_specs()
    except SurecHatasi as err:
        return [err.mesaj]
    except Exception as err:  # noqa: BLE001 - the parser raises many kinds; all mean "refused"
        return [f"Süreç dosyası işlenemedi: {err}"]
    out = []
    for spec in specs.values():
        for ts in spec.task_specs.values():
            out += gorev_sorunlari(ts, form_keys, servis_adlari)
    return sorted(set(out))


def form_anahtarlari(forms_dir: str | Path) -> set[str]:
    return {p.stem for p in Path(forms_dir).glob("*.json")}


def surecleri_dogrula(klasor: str | Path, forms_dir: str | Path, servis_adlari: set[str] | None = None) -> list[str]:
    """Check the process folder as deployed by ``surecleri_yukle``."""
    if servis_adlari is None:
        from engine.servisler import VARSAYILAN_SERVISLER
        servis_adlari = set(VARSAYILAN_SERVISLER)
    return dosyalari_dogrula(dosyalari_oku(klasor), form_anahtarlari(forms_dir), servis_adlari)
