"""20.20 Adding a favicon: ``static/favicon.ico`` is linked from pages,
and also answered at ``/favicon.ico`` for old browsers, either by a redirect
rule (``app``) or by a view using ``send_from_directory`` (``view_app``).

Changes for today's Flask: the manual calls
``url_for('static', filename='favicon.ico')`` at import time, outside any
request; Flask 3 can only build URLs in an application context, and without
``SERVER_NAME`` only in a request context, so the redirect target is built
inside ``app.test_request_context()``. The manual's ``add_url_rule`` call
also gives neither an endpoint nor a view function, which Flask refuses
("expected view func if endpoint is not provided"), so the rule is named
``favicon``.
"""

import os

from flask import Flask
from flask import render_template_string
from flask import send_from_directory
from flask import url_for

PAGE = """<!doctype html>
<link rel="shortcut icon" href="{{ url_for('static', filename='favicon.ico') }}">
<title>favicon</title>"""

app = Flask(__name__)

with app.test_request_context():
    app.add_url_rule(
        "/favicon.ico", "favicon", redirect_to=url_for("static", filename="favicon.ico")
    )


@app.route("/")
def index():
    return render_template_string(PAGE)


view_app = Flask(__name__)


@view_app.route("/favicon.ico")
def favicon():
    return send_from_directory(
        os.path.join(view_app.root_path, "static"),
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
    )
