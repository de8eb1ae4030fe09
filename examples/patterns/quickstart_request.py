"""4.7 Accessing Request Data: the request object, file uploads, cookies.

Changes for today's Flask: the manual saves uploads to ``/var/www/uploads/``;
here the folder is the ``UPLOAD_FOLDER`` config value. Its ``valid_login``
and ``log_the_user_in`` are left undefined there; here they check a fixed
password. The two "index" views for reading and storing cookies are at
``/cookies/read`` and ``/cookies/store``.
"""

import os
import tempfile

from werkzeug.utils import secure_filename

from flask import Flask
from flask import make_response
from flask import render_template_string
from flask import request

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = os.path.join(
    tempfile.gettempdir(), "flask-quickstart-uploads"
)

LOGIN_TEMPLATE = """{% if error %}<p class=error>{{ error }}{% endif %}
<form method=post><input name=username><input type=password name=password></form>"""


def valid_login(username, password):
    return password == "secret"


def log_the_user_in(username):
    return f"Welcome {username}"


@app.route("/login", methods=["POST", "GET"])
def login():
    error = None
    if request.method == "POST":
        if valid_login(request.form["username"], request.form["password"]):
            return log_the_user_in(request.form["username"])
        else:
            error = "Invalid username/password"
    # the code below is executed if the request method
    # was GET or the credentials were invalid
    return render_template_string(LOGIN_TEMPLATE, error=error)


@app.route("/search")
def search():
    searchword = request.args.get("key", "")
    return f"Searching for {searchword!r}"


@app.route("/upload", methods=["GET", "POST"])
def upload_file():
    if request.method == "POST":
        f = request.files["the_file"]
        os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
        f.save(os.path.join(app.config["UPLOAD_FOLDER"], secure_filename(f.filename)))
        return f"Saved {secure_filename(f.filename)}"
    return "<form method=post enctype=multipart/form-data><input type=file name=the_file></form>"


@app.route("/cookies/read")
def read_cookie():
    username = request.cookies.get("username")
    # use cookies.get(key) instead of cookies[key] to not get a
    # KeyError if the cookie is missing.
    return f"username cookie: {username}"


@app.route("/cookies/store")
def store_cookie():
    resp = make_response(render_template_string("<p>stored"))
    resp.set_cookie("username", "the username")
    return resp
