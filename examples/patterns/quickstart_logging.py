"""4.12 Logging: ``app.logger`` is a standard ``logging.Logger``.

Changes for today's Flask: none. The manual's three calls are made by a view.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    app.logger.debug("A value for debugging")
    app.logger.warning("A warning occurred (%d apples)", 42)
    app.logger.error("An error occurred")
    return "logged"
