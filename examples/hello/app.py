"""A small guestbook: the example served by `make run` until Flaskr lands.

Entries are kept in an SQLite database in the instance folder.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask
from flask import flash
from flask import g
from flask import redirect
from flask import render_template_string
from flask import request
from flask import url_for

app = Flask(__name__, instance_relative_config=True)
app.config.update(
    SECRET_KEY=os.environ.get("GUESTBOOK_SECRET_KEY", "dev"),
    DATABASE=os.path.join(app.instance_path, "guestbook.sqlite"),
)

PAGE = """<!doctype html>
<title>Guestbook</title>
<h1>Guestbook</h1>
{% for message in get_flashed_messages() %}<p class=flash>{{ message }}</p>{% endfor %}
<form method=post action="{{ url_for('sign') }}">
  <input name=name placeholder=Name required>
  <input name=message placeholder=Message required>
  <button>Sign</button>
</form>
<ul>
{% for entry in entries %}<li><b>{{ entry.name }}</b>: {{ entry.message }}</li>
{% else %}<li><em>No entries yet.</em></li>{% endfor %}
</ul>
"""


def get_db() -> sqlite3.Connection:
    """The request's database connection, creating the table if needed."""
    if "db" not in g:
        os.makedirs(app.instance_path, exist_ok=True)
        g.db = sqlite3.connect(app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
        g.db.execute(
            "CREATE TABLE IF NOT EXISTS entries"
            " (id INTEGER PRIMARY KEY, name TEXT NOT NULL, message TEXT NOT NULL)"
        )
    return g.db  # type: ignore[no-any-return]


@app.teardown_appcontext
def close_db(exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.get("/")
def index() -> str:
    entries = get_db().execute("SELECT name, message FROM entries ORDER BY id DESC")
    return render_template_string(PAGE, entries=entries.fetchall())


@app.post("/sign")
def sign() -> object:
    db = get_db()
    db.execute(
        "INSERT INTO entries (name, message) VALUES (?, ?)",
        (request.form["name"], request.form["message"]),
    )
    db.commit()
    flash("Thanks for signing!")
    return redirect(url_for("index"))
