"""4.6 Rendering Templates.

Changes for today's Flask: ``Markup`` is imported from MarkupSafe;
``from flask import Markup`` was removed in Flask 3.0.
"""

from flask import Flask
from flask import render_template

app = Flask(__name__, template_folder="templates/quickstart_templates")


@app.route("/hello/")
@app.route("/hello/<name>")
def hello(name=None):
    return render_template("hello.html", name=name)
