"""20.8 Using SQLite 3 with Flask: connect on first use, keep the connection
on ``g`` for the application context, close it at teardown; a
``query_db`` helper and ``init_db`` from ``schema.sql``.

Changes for today's Flask: the manual's module constant
``DATABASE = '/path/to/database.db'`` is the config value ``DATABASE``
here, so tests can point it elsewhere; ``print`` statements became views.
"""

import os
import sqlite3
import tempfile

from flask import current_app
from flask import Flask
from flask import g

app = Flask(__name__)
app.config["DATABASE"] = os.path.join(
    tempfile.gettempdir(), "flask-patterns-sqlite3.db"
)


def make_dicts(cursor, row):
    return dict((cursor.description[idx][0], value) for idx, value in enumerate(row))


def get_db():
    db = getattr(g, "_database", None)
    if db is None:
        db = g._database = sqlite3.connect(current_app.config["DATABASE"])
        db.row_factory = make_dicts
    return db


@app.teardown_appcontext
def close_connection(exception):
    db = getattr(g, "_database", None)
    if db is not None:
        db.close()


def query_db(query, args=(), one=False):
    cur = get_db().execute(query, args)
    rv = cur.fetchall()
    cur.close()
    return (rv[0] if rv else None) if one else rv


def init_db():
    with app.app_context():
        db = get_db()
        with app.open_resource("schema.sql", mode="r") as f:
            db.cursor().executescript(f.read())
        db.commit()


@app.route("/")
def index():
    lines = []
    for user in query_db("select * from users"):
        lines.append("{} has the id {}".format(user["username"], user["user_id"]))
    return "\n".join(lines)


@app.route("/user/<the_username>")
def user(the_username):
    user = query_db("select * from users where username = ?", [the_username], one=True)
    if user is None:
        return "No such user", 404
    return "{} has the id {}".format(the_username, user["user_id"])
