"""20.15 Message Flashing: simple flashing (20.15.1), with categories
(20.15.2) and filtered by category (20.15.3).

Changes for today's Flask: none. ``/categories`` and ``/errors`` flash an
error and a plain message, then redirect to the pages that show them with
``with_categories=true`` and ``category_filter=["error"]``.
"""

from flask import flash
from flask import Flask
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

app = Flask(__name__, template_folder="templates/flashing")
app.secret_key = "some_secret"


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        if request.form["username"] != "admin" or request.form["password"] != "secret":
            error = "Invalid credentials"
        else:
            flash("You were successfully logged in")
            return redirect(url_for("index"))
    return render_template("login.html", error=error)


def flash_two():
    flash("Invalid password provided", "error")
    flash("Your settings were saved")


@app.route("/categories")
def categories():
    flash_two()
    return redirect(url_for("show_categories"))


@app.route("/categories/show")
def show_categories():
    return render_template("categories.html")


@app.route("/errors")
def errors():
    flash_two()
    return redirect(url_for("show_errors"))


@app.route("/errors/show")
def show_errors():
    return render_template("errors_only.html")
