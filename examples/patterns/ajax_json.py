"""20.16 AJAX with jQuery: a JSON view, and a page that knows where the
application is mounted (``$SCRIPT_ROOT``).

Changes for today's Flask: the manual's script tag reads
``src="{% url_for('static', filename='jquery.js') %}"``, a typo for
``{{ ... }}`` that Jinja rejects; its selectors ``$('#input[name="a"]')``
look for an element with the id "input" and are ``$('input[name="a"]')``
here. jQuery itself is not shipped: put ``jquery.js`` into
``patterns/static`` to try the page in a browser (the manual's CDN variant
needs the network).
"""

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request

app = Flask(__name__, template_folder="templates/ajax_json")


@app.route("/_add_numbers")
def add_numbers():
    a = request.args.get("a", 0, type=int)
    b = request.args.get("b", 0, type=int)
    return jsonify(result=a + b)


@app.route("/")
def index():
    return render_template("index.html")
