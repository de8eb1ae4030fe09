"""20.5 Using URL Processors: a language code in every URL, kept on ``g``
and filled into ``url_for`` automatically.

This is the application version (20.5.1); ``url_processors_blueprint`` is
the blueprint version (20.5.2).

Changes for today's Flask: none. The manual's second sample misspells
``is_endpoint_expecting`` as ``is_endpoint_expectng``; the first spelling is
the right one. The view bodies (``...`` in the manual) show the values.
"""

from flask import Flask
from flask import g
from flask import url_for

# 20.5.1 Internationalized Application URLs

app = Flask(__name__)


@app.url_defaults
def add_language_code(endpoint, values):
    if "lang_code" in values or not g.lang_code:
        return
    if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
        values["lang_code"] = g.lang_code


@app.url_value_preprocessor
def pull_lang_code(endpoint, values):
    g.lang_code = values.pop("lang_code", None)


@app.route("/<lang_code>/")
def index():
    return "index in {}, about: {}".format(g.lang_code, url_for("about"))


@app.route("/<lang_code>/about")
def about():
    return "about in {}, index: {}".format(g.lang_code, url_for("index"))


@app.route("/")
def root():
    # No lang_code in this URL: the preprocessor sets g.lang_code to None
    # and url_defaults then leaves url_for alone.
    return "root, german index: {}".format(url_for("index", lang_code="de"))
