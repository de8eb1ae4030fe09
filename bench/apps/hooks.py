"""The hello application with app-wide hooks of the kinds extensions
register (issue 16's scenario (c)), served by gunicorn in ``bench/http.py``."""

from __future__ import annotations

import flask

app = flask.Flask(__name__)


@app.route("/")
def hello() -> str:
    """The smallest useful view."""
    return "Hello, World!"


app.before_request(lambda: None)  # e.g. Flask-WTF's CSRF check
app.after_request(lambda response: response)  # e.g. Flask-Login's
app.teardown_appcontext(lambda exc: None)  # e.g. Flask-SQLAlchemy's
app.context_processor(lambda: {"site_name": "bench"})
