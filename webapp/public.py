"""Public pages: the home page with the two big buttons, and the health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.db import get_session

bp = Blueprint("public", __name__)


@bp.get("/")
def anasayfa():
    return render_template("public/anasayfa.html")


@bp.get("/saglik")
def saglik():
    """For load balancers and monitoring: 200 {"durum": "ok"} once the database answers, else 503."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(durum="hata", neden="veritabanı yanıt vermiyor"), 503
    return jsonify(durum="ok")
