"""4.10 Sessions.

Changes for today's Flask: ``escape`` is imported from MarkupSafe;
``flask.escape`` was removed in Flask 3.0.
"""

from markupsafe import escape

from flask import Flask
from flask import redirect
from flask import request
from flask import session
from flask import url_for

app = Flask(__name__)


@app.route("/")
def index():
    if "username" in session:
        return "Logged in as {}".format(escape(session["username"]))
    return "You are not logged in"


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["username"] = request.form["username"]
        return redirect(url_for("index"))
    return """
        <form method="post">
            <p><input type="text" name="username">
            <p><input type="submit" value="Login">
        </form>
    """


@app.route("/logout")
def logout():
    # remove the username from the session if it's there
    session.pop("username", None)
    return redirect(url_for("index"))


# set the secret key.  keep this really secret:
app.secret_key = "A0Zr98j/3yX R~XHH!jmN]LWX/,?RT"
