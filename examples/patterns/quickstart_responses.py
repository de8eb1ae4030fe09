"""4.9 About Responses: how a view's return value becomes a response, and
``make_response`` to change it.

Changes for today's Flask: none. Besides the manual's 404 handler there is
one view per conversion rule of its list.
"""

from flask import Flask
from flask import make_response
from flask import render_template

app = Flask(__name__, template_folder="templates/quickstart_responses")


@app.errorhandler(404)
def not_found(error):
    resp = make_response(render_template("error.html"), 404)
    resp.headers["X-Something"] = "A value"
    return resp


# 1. A response object is returned directly.
@app.route("/response")
def response_object():
    return app.response_class("made by hand", mimetype="text/plain")


# 2. A string becomes the body of a 200 text/html response.
@app.route("/string")
def string():
    return "Just a string"


# 3. A tuple: (response, status, headers) or (response, headers).
@app.route("/tuple/status-headers")
def tuple_status_headers():
    return "Created", 201, {"X-Tuple": "three"}


@app.route("/tuple/headers")
def tuple_headers():
    return "With headers", [("X-Tuple", "two")]


# 4. Anything else is taken to be a WSGI application.
def wsgi_hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello from WSGI"]


@app.route("/wsgi")
def wsgi():
    return wsgi_hello
