"""The muhtar registry for Valilik and MİGM users (issue 9): search, a muhtar's page with its change log,
phone/e-mail changes, new terms, early ends, and the CSV bulk import with its error report.

Routes (prefix /kurum/muhtarlar), all for kurum users whose scope ``engine.muhtar_kayit.kapsam_bul`` finds
(403 otherwise; a record outside the user's il is 404):
    GET  /                                  search (il, ilçe, mahalle, ad soyad; görevdekiler / muhtarı
                                            olmayan mahalleler / tüm dönemler), 50 a page; ``tc=1``: the TC search
                                            kept in the session
    POST /                                  a search by TC Kimlik No: the number never goes into a URL (303 to
                                            ``?tc=1``)
    GET  /<muhtar_id>                       a muhtar: term, masked TC and phone, change log, contact form
    POST /<muhtar_id>/iletisim              change phone / e-mail
    GET  /<muhtar_id>/bitir, POST           end the term early (confirmation page, box to tick)
    GET  /mahalle/<muhtarlik_id>            a mahalle's terms and the new-term form
    POST /mahalle/<muhtarlik_id>/yeni-donem start a new term
    GET  /ice-aktar, POST                   upload a CSV (size limit, CSV only); recent imports
    GET  /ice-aktar/<id>                    the import's result; /ice-aktar/<id>/hatalar.csv its error report
    GET  /ice-aktar/ornek.csv               an example file

Views are thin: find the scope, call the engine (``engine.muhtar_kayit``, ``engine.muhtar_arama``,
``engine.muhtar_ice_aktarim``), commit once, redirect.

Command line (this blueprint's CLI group is "muhtar", see ``komut``):
    flask --app webapp muhtar ice-aktar DOSYA [--il 06] [--yalniz-hatasiz] [--hata-raporu RAPOR.csv]
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("kayit", __name__, url_prefix="/kurum/muhtarlar", cli_group="muhtar")

from webapp.kayit import ice_aktarim, komut, rotalar  # noqa: E402,F401  (routes and commands register on bp)
