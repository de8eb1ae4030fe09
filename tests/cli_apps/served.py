"""Application served by the subprocess tests of ``flask run``."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return "served by flask run"


@app.route("/fail")
def fail() -> str:
    raise RuntimeError("deliberate failure for the debugger test")
