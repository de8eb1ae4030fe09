"""20.14 Template Inheritance: ``layout.html`` defines the blocks ``head``,
``title``, ``content`` and ``footer``; ``index.html`` extends it and calls
``{{ super() }}``.

Changes for today's Flask: none (the manual's layout sample repeats its
closing tags; they appear once here).
"""

from flask import Flask
from flask import render_template

app = Flask(__name__, template_folder="templates/template_inheritance")


@app.route("/")
def index():
    return render_template("index.html")
