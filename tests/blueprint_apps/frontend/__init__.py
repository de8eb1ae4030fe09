"""A blueprint with templates only; one of them shadows the admin's."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template


def make_frontend() -> Blueprint:
    bp = Blueprint("frontend", __name__, template_folder="templates")

    @bp.route("/page")
    def page() -> str:
        return render_template("frontend/page.html")

    @bp.route("/shared")
    def shared() -> str:
        return render_template("shared.html")

    return bp
