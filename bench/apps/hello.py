"""The hello application served by gunicorn in ``bench/http.py``."""

from __future__ import annotations

import flask

app = flask.Flask(__name__)


@app.route("/")
def hello() -> str:
    """The smallest useful view."""
    return "Hello, World!"
