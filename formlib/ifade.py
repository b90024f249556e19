"""A tiny, safe expression language for form conditions (``kosul``), rules and computed values.

Python syntax, but only: field names, string/number/boolean/None constants, lists and tuples of those,
``== != in not in < <= > >=``, ``and or not``, and ``len(x)``. Nothing else parses: no attribute access,
no calls but ``len``, no subscripts. An analyst's typo is reported when the form is loaded, not when a user
submits it.
"""
from __future__ import annotations

import ast
import operator
from functools import lru_cache

_KARSILASTIRMA = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
                  ast.Gt: operator.gt, ast.GtE: operator.ge,
                  ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}


class IfadeHatasi(ValueError):
    """The expression uses something the language does not allow (message in Turkish)."""


@lru_cache(maxsize=256)
def derle(metin: str) -> ast.Expression:
    """Parse and check an expression once; raises IfadeHatasi."""
    try:
        agac = ast.parse(metin, mode="eval")
    except SyntaxError as hata:
        raise IfadeHatasi(f"'{metin}': sözdizimi hatası ({hata.msg})") from hata
    for dugum in ast.walk(agac):
        _dugum_denetle(dugum, metin)
    return agac


def _dugum_denetle(dugum: ast.AST, metin: str) -> None:
    izinli = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Name,
              ast.Load, ast.Constant, ast.List, ast.Tuple, ast.Call, *_KARSILASTIRMA)
    if not isinstance(dugum, izinli):
        raise IfadeHatasi(f"'{metin}': {type(dugum).__name__} kullanılamaz")
    if isinstance(dugum, ast.Call) and not (isinstance(dugum.func, ast.Name) and dugum.func.id == "len"
                                            and len(dugum.args) == 1 and not dugum.keywords):
        raise IfadeHatasi(f"'{metin}': yalnız len(alan) çağrılabilir")
    if isinstance(dugum, ast.Name) and dugum.id.startswith("_"):
        raise IfadeHatasi(f"'{metin}': '{dugum.id}' adı kullanılamaz")


def adlar(metin: str) -> set[str]:
    """The field names an expression reads (``len`` excluded)."""
    agac = derle(metin)
    cagrilar = {id(d.func) for d in ast.walk(agac) if isinstance(d, ast.Call)}
    return {d.id for d in ast.walk(agac) if isinstance(d, ast.Name) and id(d) not in cagrilar}


def degerlendir(metin: str, degerler: dict):
    """The expression's value over the field values; a name with no value is None."""
    return _hesapla(derle(metin).body, degerler)


def _hesapla(d: ast.AST, v: dict):
    if isinstance(d, ast.Constant):
        return d.value
    if isinstance(d, ast.Name):
        return v.get(d.id)
    if isinstance(d, (ast.List, ast.Tuple)):
        return [_hesapla(e, v) for e in d.elts]
    if isinstance(d, ast.UnaryOp):
        return not _hesapla(d.operand, v)
    if isinstance(d, ast.BoolOp):
        return _mantik(d, v)
    if isinstance(d, ast.Call):
        deger = _hesapla(d.args[0], v)
        return len(deger) if deger is not None else 0
    return _karsilastir(d, v)


def _mantik(d: ast.BoolOp, v: dict):
    sonuc = None
    for e in d.values:
        sonuc = _hesapla(e, v)
        if isinstance(d.op, ast.And) and not sonuc:
            return sonuc
        if isinstance(d.op, ast.Or) and sonuc:
            return sonuc
    return sonuc


def _karsilastir(d: ast.Compare, v: dict) -> bool:
    sol = _hesapla(d.left, v)
    for op, sag_d in zip(d.ops, d.comparators):
        sag = _hesapla(sag_d, v)
        try:
            if not _KARSILASTIRMA[type(op)](sol, sag):
                return False
        except TypeError:  # e.g. None < 3, "a" in None: a missing value never satisfies a comparison
            return False
        sol = sag
    return True
