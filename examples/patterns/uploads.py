"""20.10 Uploading Files.

``app`` is the manual's application: an upload form, extension check,
``secure_filename``, and ``send_from_directory`` to serve the files;
``MAX_CONTENT_LENGTH`` limits the size (20.10.2). ``create_shared_app()`` makes
the alternative with a ``build_only`` rule and ``SharedDataMiddleware``.

Changes for today's Flask and Werkzeug: ``flash`` needs a session, so the
app has a ``secret_key`` (the manual's code omits it and would fail with
"The session is unavailable because no secret key was set");
``SharedDataMiddleware`` is imported from ``werkzeug.middleware.
shared_data`` (``from werkzeug import SharedDataMiddleware`` was removed in
Werkzeug 1.0); ``UPLOAD_FOLDER`` is a temporary folder instead of
``/path/to/the/uploads``.
"""

import os
import tempfile

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.utils import secure_filename

from flask import flash
from flask import Flask
from flask import redirect
from flask import render_template_string
from flask import request
from flask import send_from_directory
from flask import url_for

UPLOAD_FOLDER = os.path.join(tempfile.gettempdir(), "flask-patterns-uploads")
ALLOWED_EXTENSIONS = set(["txt", "pdf", "png", "jpg", "jpeg", "gif"])

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = UPLOAD_FOLDER
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
app.secret_key = "upload pattern key"

FORM = """
<!doctype html>
<title>Upload new File</title>
<h1>Upload new File</h1>
{% for message in get_flashed_messages() %}<p class=flash>{{ message }}{% endfor %}
<form method=post enctype=multipart/form-data>
  <p><input type=file name=file>
     <input type=submit value=Upload>
</form>
"""


def allowed_file(filename):
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


@app.route("/", methods=["GET", "POST"])
def upload_file():
    if request.method == "POST":
        # check if the post request has the file part
        if "file" not in request.files:
            flash("No file part")
            return redirect(request.url)
        file = request.files["file"]
        # if user does not select file, browser also
        # submit a empty part without filename
        if file.filename == "":
            flash("No selected file")
            return redirect(request.url)
        if file and allowed_file(file.filename):
            filename = secure_filename(file.filename)
            os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
            file.save(os.path.join(app.config["UPLOAD_FOLDER"], filename))
            return redirect(url_for("uploaded_file", filename=filename))
    return render_template_string(FORM)


@app.route("/uploads/<filename>")
def uploaded_file(filename):
    return send_from_directory(app.config["UPLOAD_FOLDER"], filename)


# The alternative: a build-only rule, and the files served by middleware.


def create_shared_app(upload_folder=UPLOAD_FOLDER):
    shared_app = Flask(__name__)
    shared_app.config["UPLOAD_FOLDER"] = upload_folder
    shared_app.add_url_rule("/uploads/<filename>", "uploaded_file", build_only=True)
    shared_app.wsgi_app = SharedDataMiddleware(
        shared_app.wsgi_app, {"/uploads": shared_app.config["UPLOAD_FOLDER"]}
    )

    @shared_app.route("/link/<filename>")
    def link(filename):
        return url_for("uploaded_file", filename=filename)

    return shared_app


shared_app = create_shared_app()
