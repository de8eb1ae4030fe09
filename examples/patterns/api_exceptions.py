"""20.4 Implementing API Exceptions.

Changes for today's Flask: none. ``/bar`` adds a payload to the error.
"""

from flask import Flask
from flask import jsonify

app = Flask(__name__)


class InvalidUsage(Exception):
    status_code = 400

    def __init__(self, message, status_code=None, payload=None):
        Exception.__init__(self)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.payload = payload

    def to_dict(self):
        rv = dict(self.payload or ())
        rv["message"] = self.message
        return rv


@app.errorhandler(InvalidUsage)
def handle_invalid_usage(error):
    response = jsonify(error.to_dict())
    response.status_code = error.status_code
    return response


@app.route("/foo")
def get_foo():
    raise InvalidUsage("This view is gone", status_code=410)


@app.route("/bar")
def get_bar():
    raise InvalidUsage("Missing parameter", payload={"parameter": "name"})
