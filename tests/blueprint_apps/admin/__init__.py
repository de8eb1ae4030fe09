"""A blueprint with its own static files, templates and resources."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template


def make_admin(**kwargs: object) -> Blueprint:
    options: dict[str, object] = {
        "static_folder": "static",
        "template_folder": "templates",
        "url_prefix": "/admin",
    }
    options.update(kwargs)
    bp = Blueprint("admin", __name__, **options)  # type: ignore[arg-type]

    @bp.route("/")
    def index() -> str:
        return render_template("admin/index.html", title="Dashboard")

    @bp.route("/shared")
    def shared() -> str:
        return render_template("shared.html")

    return bp
