"""20.5.2 Internationalized Blueprint URLs: the blueprint prefixes every URL
with the language code, and its own URL processors handle it.

Changes for today's Flask: the manual's ``url_prefix='<lang_code>'`` lacks
the leading slash every URL rule needs (Werkzeug raises ``ValueError``:
"URL rule '<lang_code>/' must start with a slash"), so it is
``'/<lang_code>'`` here.
"""

from flask import Blueprint
from flask import Flask
from flask import g
from flask import url_for

bp = Blueprint("frontend", __name__, url_prefix="/<lang_code>")


@bp.url_defaults
def add_language_code(endpoint, values):
    values.setdefault("lang_code", g.lang_code)


@bp.url_value_preprocessor
def pull_lang_code(endpoint, values):
    g.lang_code = values.pop("lang_code")


@bp.route("/")
def index():
    return "index in {}, about: {}".format(g.lang_code, url_for(".about"))


@bp.route("/about")
def about():
    return "about in {}, index: {}".format(g.lang_code, url_for(".index"))


app = Flask(__name__)
app.register_blueprint(bp)
