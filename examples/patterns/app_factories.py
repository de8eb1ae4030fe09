"""20.2 Application Factories.

``create_app(config_filename)`` loads its configuration with
``from_pyfile``, binds an extension created without an app (``db``, the
manual's ``yourapplication.model.db``) with ``init_app``, and registers the
``admin`` and ``frontend`` blueprints, which read the configuration through
``current_app``. ``patterns/exampleapp.py`` is the manual's
``exampleapp.py`` for ``flask --app patterns.exampleapp run``.

Changes for today's Flask: the manual's extension is Flask-SQLAlchemy; here
a small SQLite extension written the same way stands in for it, so nothing
beyond the standard library is needed. Two of the manual's "factory
improvements" are included: configuration values passed in for tests, and
WSGI middleware added while the application is created.
"""

import sqlite3

from flask import Blueprint
from flask import current_app
from flask import Flask
from flask import g
from flask import render_template


class SQLite:
    """An extension in the manual's style: create it unbound, bind it to any
    number of applications later with ``init_app``."""

    def __init__(self, app=None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        app.config.setdefault("SQLITE_DATABASE", ":memory:")
        app.extensions["sqlite"] = self
        app.teardown_appcontext(self.teardown)

    @property
    def connection(self):
        if "sqlite_connection" not in g:
            g.sqlite_connection = sqlite3.connect(current_app.config["SQLITE_DATABASE"])
        return g.sqlite_connection

    def teardown(self, exception):
        connection = g.pop("sqlite_connection", None)
        if connection is not None:
            connection.close()


db = SQLite()  # "model.py": no application-specific state on the extension

admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.route("/")
def index():
    return render_template(current_app.config["INDEX_TEMPLATE"])


frontend = Blueprint("frontend", __name__)


@frontend.route("/")
def home():
    (one,) = db.connection.execute("select 1").fetchone()
    return f"{current_app.config['SITE_NAME']} frontend (database says {one:d})"


def create_app(config_filename=None, config=None, middleware=()):
    app = Flask(__name__, template_folder="templates/app_factories")
    if config_filename is not None:
        app.config.from_pyfile(config_filename)
    if config is not None:  # improvement 1: configuration passed in for tests
        app.config.update(config)

    db.init_app(app)

    app.register_blueprint(admin)
    app.register_blueprint(frontend)

    for wrap in middleware:  # improvement 3: WSGI middlewares
        app.wsgi_app = wrap(app.wsgi_app)
    return app
