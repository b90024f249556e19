"""Checks a set of process files before it may be deployed.

Beyond SpiffWorkflow's own parsing and BPMN schema validation: every user task is in a known role lane
and names that role, its form exists, its unit expression compiles; every service operation is registered;
every condition, timer and script compiles and uses no dunder names or imports. Problems are reported by
element id and name, in Turkish.
"""
from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

from engine.betik import IZINLI_ADLAR
from engine.errors import SurecHatasi
from engine.surecler import dosyalari_oku, guvenli_xml, parser_olustur

#: BPMN lane name -> role code (a unit's ``rol``)
LANE_ROLLERI = {"MİGM": "MIGM", "Valilik": "VALILIK", "Belediye": "BELEDIYE", "Alt Birim": "ALT_BIRIM"}
#: the expression properties a user task carries, and whether each is required
KULLANICI_GOREVI_OZELLIKLERI = {"rol": True, "formKey": True, "birim": True, "hareket": False,
                                "hareketNotu": False, "muhtarGorur": False}
IFADE_OZELLIKLERI = ("birim", "hareket", "hareketNotu", "muhtarGorur")


def _etiket(ts) -> str:
    return f"{ts.bpmn_id} ({ts.bpmn_name or 'adsız'})"


#: Python builtins an expression may not name: every builtin outside the allowed set (engine.betik.IZINLI_ADLAR).
#: Task-data variables cannot be known statically, so any other name is accepted here and fails at run time
#: if it is not in the task data.
YASAK_YERLESIKLER = frozenset(n for n in dir(builtins) if not n.startswith("_")) - set(IZINLI_ADLAR)
#: names of modules that must never appear (not even as task data): a call on them would be a system call
YASAK_MODULLER = frozenset({"os", "sys", "subprocess", "shutil", "socket", "importlib", "pathlib", "io", "ctypes",
                            "pickle", "marshal", "builtins", "inspect", "gc", "signal", "threading", "asyncio"})
#: attributes that reach code, frames or arbitrary attributes (str.format can read "{0.__class__}")
YASAK_OZNITELIKLER = frozenset({"format", "format_map", "mro", "gi_frame", "gi_code", "cr_frame", "cr_code",
                                "ag_frame", "ag_code", "f_globals", "f_locals", "f_builtins", "f_back", "f_code",
                                "tb_frame", "tb_next", "co_code", "func_globals", "func_code", "system", "popen"})


def kod_sorunlari(kod: str, mode: str = "eval") -> str | None:
    """Why this expression/script may not run, or None when it is acceptable.

    A guard against mistakes and the known escapes, not a sandbox (SPIFFWORKFLOW-NOTES.md): imports, dunder
    and private names, builtins outside the allowed set, module names, and attributes that reach frames,
    code or arbitrary attributes are refused."""
    try:
        tree = ast.parse(kod, mode=mode)
    except SyntaxError as err:
        return f"sözdizimi hatası: {err.msg}"
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return "import kullanılamaz"
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return f"'{node.attr}' özniteliği kullanılamaz"
        if isinstance(node, ast.Attribute) and node.attr in YASAK_OZNITELIKLER:
            return f"'.{node.attr}' kullanılamaz"
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            return f"'{node.id}' adı kullanılamaz"
        if isinstance(node, ast.Name) and node.id in YASAK_YERLESIKLER:
            return f"'{node.id}' kullanılamaz (izinli yerleşikler: {', '.join(IZINLI_ADLAR[:-3])})"
        if isinstance(node, ast.Name) and node.id in YASAK_MODULLER:
            return f"'{node.id}' adı kullanılamaz (modül adı)"
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return "global/nonlocal kullanılamaz"
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


#: a DMN input entry's "?" (the input's value), outside quotes; SpiffWorkflow replaces it the same way
_DMN_SORU = re.compile(r'(\?)(?=(?:[^\'"]|[\'"][^\'"]*[\'"])*$)')


def _dmn_girdi_sorunu(metin: str) -> str | None:
    """An input entry is an expression ("ihbar"), a comparison's right side (> 5) or uses ? for the value."""
    metin = _DMN_SORU.sub("dmninputexpr", metin)
    if "dmninputexpr" in metin or kod_sorunlari(metin) is None:
        return kod_sorunlari(metin)
    return kod_sorunlari(f"dmninputexpr {metin}")


def _karar_tablosu(ts) -> list[str]:
    """The decision table of a business rule task: every input, entry and output an acceptable expression."""
    tablo = ts.dmnEngine.decision_table
    out = []
    etiket = f"{_etiket(ts)}: karar tablosu '{tablo.name or tablo.id}'"
    for girdi in tablo.inputs:
        if girdi.expression and (sorun := kod_sorunlari(girdi.expression)):
            out.append(f"{etiket}, girdi '{girdi.label or girdi.id}' ifadesi geçersiz: {sorun}.")
    for kural in tablo.rules:
        for giris in kural.inputEntries:
            for metin in giris.lhs:
                if metin and (sorun := _dmn_girdi_sorunu(metin)):
                    out.append(f"{etiket}, {kural.row_number}. kural ({kural.id}) girdisi '{metin}' geçersiz: {sorun}.")
        for cikis in kural.outputEntries:
            if cikis.text and (sorun := kod_sorunlari(cikis.text)):
                out.append(f"{etiket}, {kural.row_number}. kural ({kural.id}) çıktısı '{cikis.text}' geçersiz: "
                           f"{sorun}.")
    return out


def gorev_sorunlari(ts, form_keys: set[str], servis_adlari: set[str]) -> list[str]:
    if getattr(ts, "bpmn_id", None) is None:
        return []  # internal specs (Start, End, BoundaryEventSplit...) carry nothing to check
    out = _ifadeler(ts)
    if getattr(ts, "manual", False):
        out += _kullanici_gorevi(ts, form_keys)
    if hasattr(ts, "operation_name"):
        out += _servis_gorevi(ts, servis_adlari)
    if hasattr(ts, "dmnEngine"):
        out += _karar_tablosu(ts)
    return out


SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def karar_sorunlari(files: dict[str, str]) -> list[str]:
    """Every decision a business rule task calls exists in a DMN file of the set, once.

    Read from the XML (safely) before SpiffWorkflow parses, so a missing table is reported by the task's id
    and name rather than as the parser's first exception."""
    kararlar: dict[str, str] = {}
    out = []
    cagrilar = []
    for ad, metin in sorted(files.items()):
        root = guvenli_xml(metin, ad)
        if ad.endswith(".dmn"):
            for karar in root.iter("{*}decision"):
                kimlik = karar.get("id")
                if kimlik in kararlar:
                    out.append(f"{ad}: '{kimlik}' kararı {kararlar[kimlik]} dosyasında da tanımlı.")
                kararlar.setdefault(kimlik, ad)
        else:
            for gorev in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
                ref = gorev.find(f".//{{{SPIFF_NS}}}calledDecisionId")
                cagrilar.append((gorev.get("id"), gorev.get("name"), (ref.text or "").strip() if ref is not None else ""))
    for kimlik, ad, ref in cagrilar:
        if not ref:
            out.append(f"{kimlik} ({ad or 'adsız'}): iş kuralı görevi bir karar (spiffworkflow:calledDecisionId) "
                       "belirtmiyor.")
        elif ref not in kararlar:
            out.append(f"{kimlik} ({ad or 'adsız'}): '{ref}' kararı hiçbir DMN dosyasında yok (mevcut kararlar: "
                       f"{', '.join(sorted(kararlar)) or 'yok'}).")
    return out


def dosyalari_dogrula(files: dict[str, str], form_keys: set[str], servis_adlari: set[str]) -> list[str]:
    """Every problem of these files; an empty list means they may be deployed."""
    if not any(name.endswith(".bpmn") for name in files):
        return ["Hiç BPMN dosyası yok."]
    try:
        if sorunlar := karar_sorunlari(files):
            return sorted(set(sorunlar))
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
