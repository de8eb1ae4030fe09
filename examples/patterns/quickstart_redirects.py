"""4.8 Redirects and Errors.

Changes for today's Flask: none (``page_not_found.html`` is written here;
the manual leaves it to the reader).
"""

from flask import abort
from flask import Flask
from flask import redirect
from flask import render_template
from flask import url_for

app = Flask(__name__, template_folder="templates/quickstart_redirects")


def this_is_never_executed():
    raise AssertionError("abort() did not stop the view")


@app.route("/")
def index():
    return redirect(url_for("login"))


@app.route("/login")
def login():
    abort(401)
    this_is_never_executed()


@app.errorhandler(404)
def page_not_found(error):
    return render_template("page_not_found.html"), 404
