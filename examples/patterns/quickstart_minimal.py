"""4.1 A Minimal Application (and 4.3 Debug Mode).

Run it as the manual does, from ``examples/patterns``::

    export FLASK_APP=quickstart_minimal.py
    flask run                  # or: python -m flask run
    FLASK_DEBUG=1 flask run    # 4.3: debugger and reloader on
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello_world():
    return "Hello, World!"
