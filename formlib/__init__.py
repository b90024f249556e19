"""Task forms as data: ``forms/<formKey>.json`` definitions, loaded and checked (``tanim``), submissions
read and validated on the server (``coz``), conditions in a tiny safe expression language (``ifade``).

No web framework here: the web layer renders a definition with one Jinja macro file and hands the request's
form and files to ``gonderimi_coz``. The engine never imports this package.
"""
from formlib.coz import DosyaHatasi, FormBaglami, FormSonucu, degerleri_oku, gonderimi_coz, metni_temizle
from formlib.ifade import IfadeHatasi
from formlib.tanim import Alan, FormTanimHatasi, FormTanimi, Kural, Secenek, form_yukle, formlari_dogrula

__all__ = ["Alan", "DosyaHatasi", "FormBaglami", "FormSonucu", "FormTanimHatasi", "FormTanimi", "IfadeHatasi",
           "Kural", "Secenek", "degerleri_oku", "form_yukle", "formlari_dogrula", "gonderimi_coz",
           "metni_temizle"]
