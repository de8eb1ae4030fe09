"""20.17 Custom Error Pages: error handlers for 404 and 500 that render
templates and set the status code themselves.

Changes for today's Flask: none (the manual's template reads
``{ { url_for('index') } }``, a typo for ``{{ ... }}``). The 500 handler and
``/broken`` show the manual's warning: in debug mode the handler is not
called, the exception propagates to the debugger instead.
"""

from flask import abort
from flask import Flask
from flask import render_template

app = Flask(__name__, template_folder="templates/error_pages")


@app.errorhandler(404)
def page_not_found(e):
    return render_template("404.html"), 404


@app.errorhandler(500)
def internal_server_error(e):
    return render_template("500.html"), 500


@app.route("/")
def index():
    return "Index"


@app.route("/gone")
def gone():
    abort(404)


@app.route("/broken")
def broken():
    raise RuntimeError("a programming error")
