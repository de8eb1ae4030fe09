"""Flaskr: the microblog of the Flask 0.11/0.12 tutorial, for Python 3 and
today's ``flask`` command.

One user, whose name and password come from the configuration, logs in and
posts entries made of a plain-text title and an HTML body; the index page
lists every entry, newest first. Served over ASGI (``make run`` uses
uvicorn), a logged-in user's open index pages show new entries as they are
posted, over a WebSocket (see :mod:`flaskr.live`); under a WSGI server the
pages simply don't update by themselves.

Run it from ``examples/flaskr``::

    flask --app flaskr init-db        # the tutorial's name works too: initdb
    flask --app flaskr run --debug

Configuration, each source overriding the ones before it:

1. the tutorial's defaults: ``DATABASE`` (``flaskr.db`` in the instance
   folder, as the tutorial recommends for real applications),
   ``SECRET_KEY='development key'``, ``USERNAME='admin'``,
   ``PASSWORD='default'``;
2. the Python config file named by the ``FLASKR_SETTINGS`` environment
   variable, if it is set;
3. the ``FLASKR_DATABASE`` environment variable: the path of the SQLite file;
4. the mapping passed to :func:`create_app`.

The module builds one application at import time, ``app``, which is what
``flask --app flaskr`` and the tutorial's tests use; :func:`create_app`
builds independent ones (for tests, or ``gunicorn 'flaskr:create_app()'``).
"""

from __future__ import annotations

import os
import sqlite3
import typing as t

import click

from flask import abort
from flask import current_app
from flask import flash
from flask import Flask
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.cli import with_appcontext

from . import live


def create_app(config: t.Mapping[str, t.Any] | None = None) -> Flask:
    """Create a Flaskr application (see the module docstring for its
    configuration)."""
    app = Flask(__name__)  # the package directory holds templates/ and static/

    # Load default config and override config from an environment variable.
    app.config.update(
        DATABASE=os.path.join(app.instance_path, "flaskr.db"),
        SECRET_KEY="development key",
        USERNAME="admin",
        PASSWORD="default",
    )
    app.config.from_envvar("FLASKR_SETTINGS", silent=True)
    if os.environ.get("FLASKR_DATABASE"):
        app.config["DATABASE"] = os.environ["FLASKR_DATABASE"]
    if config is not None:
        app.config.update(config)

    app.teardown_appcontext(close_db)
    app.add_url_rule("/", view_func=show_entries)
    app.add_url_rule("/add", view_func=add_entry, methods=["POST"])
    app.add_url_rule("/login", view_func=login, methods=["GET", "POST"])
    app.add_url_rule("/logout", view_func=logout)
    live.init_app(app)
    app.cli.add_command(init_db_command)
    app.cli.add_command(initdb_command)
    return app


# -- database ----------------------------------------------------------------


def connect_db() -> sqlite3.Connection:
    """Connects to the specific database."""
    rv = sqlite3.connect(current_app.config["DATABASE"])
    rv.row_factory = sqlite3.Row
    return rv


def get_db() -> sqlite3.Connection:
    """Opens a new database connection if there is none yet for the
    current application context.
    """
    if not hasattr(g, "sqlite_db"):
        g.sqlite_db = connect_db()
    return g.sqlite_db  # type: ignore[no-any-return]


def close_db(error: BaseException | None) -> None:
    """Closes the database again at the end of the request."""
    db = g.pop("sqlite_db", None)
    if db is not None:
        db.close()


def init_db() -> None:
    """Create the tables from ``schema.sql``, dropping any existing entries.
    Needs an application context."""
    directory = os.path.dirname(os.path.abspath(current_app.config["DATABASE"]))
    os.makedirs(directory, exist_ok=True)
    db = get_db()
    with current_app.open_resource("schema.sql", mode="r") as f:
        db.cursor().executescript(f.read())
    db.commit()


def ensure_db() -> bool:
    """Create the tables unless the database already has them; return True
    if it created them. Needs an application context. Unlike
    :func:`init_db` this never drops entries, so a server can call it on
    every start."""
    path = current_app.config["DATABASE"]
    if os.path.exists(path):
        row = (
            get_db()
            .execute(
                "select 1 from sqlite_master where type='table' and name='entries'"
            )
            .fetchone()
        )
        if row is not None:
            return False
    init_db()
    return True


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Initializes the database (drops all entries)."""
    init_db()
    click.echo("Initialized the database.")


initdb_command = click.Command(
    "initdb",
    callback=init_db_command.callback,
    help="Initializes the database (the tutorial's name for init-db).",
)


# -- views -------------------------------------------------------------------


def show_entries() -> str:
    db = get_db()
    cur = db.execute("select id, title, text from entries order by id desc")
    entries = cur.fetchall()
    return render_template("show_entries.html", entries=entries)


def add_entry() -> t.Any:
    if not session.get("logged_in"):
        abort(401)
    db = get_db()
    title, text = request.form["title"], request.form["text"]
    cur = db.execute("insert into entries (title, text) values (?, ?)", [title, text])
    db.commit()
    live.hub().publish(
        live.message({"id": cur.lastrowid, "title": title, "text": text})
    )
    flash("New entry was successfully posted")
    return redirect(url_for("show_entries"))


def login() -> t.Any:
    error = None
    if request.method == "POST":
        if request.form["username"] != current_app.config["USERNAME"]:
            error = "Invalid username"
        elif request.form["password"] != current_app.config["PASSWORD"]:
            error = "Invalid password"
        else:
            session["logged_in"] = True
            flash("You were logged in")
            return redirect(url_for("show_entries"))
    return render_template("login.html", error=error)


def logout() -> t.Any:
    session.pop("logged_in", None)
    flash("You were logged out")
    return redirect(url_for("show_entries"))


app = create_app()  # create the application instance :)
