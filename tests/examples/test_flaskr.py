"""Flaskr, the tutorial's application (manual chapter 5), tested first with
the tutorial's own tests (chapter 7.2-7.5, as ``FlaskrTestCase``), then with
checks of what the tutorial's text promises beyond them."""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

import flaskr
import pytest

FLASKR_PROJECT = os.path.join(
    os.path.dirname(__file__), "..", "..", "examples", "flaskr"
)
SERVE_PY = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "serve.py")


# -- the tutorial's tests (chapter 7), as the manual writes them -------------


class FlaskrTestCase(unittest.TestCase):
    def setUp(self):
        self._saved_config = dict(flaskr.app.config)
        self.db_fd, flaskr.app.config["DATABASE"] = tempfile.mkstemp()
        flaskr.app.config["TESTING"] = True
        self.app = flaskr.app.test_client()
        with flaskr.app.app_context():
            flaskr.init_db()

    def tearDown(self):
        os.close(self.db_fd)
        os.unlink(flaskr.app.config["DATABASE"])
        flaskr.app.config.clear()
        flaskr.app.config.update(self._saved_config)

    def login(self, username, password):
        return self.app.post(
            "/login",
            data=dict(username=username, password=password),
            follow_redirects=True,
        )

    def logout(self):
        return self.app.get("/logout", follow_redirects=True)

    def test_empty_db(self):
        rv = self.app.get("/")
        assert b"No entries here so far" in rv.data

    def test_login_logout(self):
        rv = self.login("admin", "default")
        assert b"You were logged in" in rv.data
        rv = self.logout()
        assert b"You were logged out" in rv.data
        rv = self.login("adminx", "default")
        assert b"Invalid username" in rv.data
        rv = self.login("admin", "defaultx")
        assert b"Invalid password" in rv.data

    def test_messages(self):
        self.login("admin", "default")
        rv = self.app.post(
            "/add",
            data=dict(title="<Hello>", text="<strong>HTML</strong> allowed here"),
            follow_redirects=True,
        )
        assert b"No entries here so far" not in rv.data
        assert b"&lt;Hello&gt;" in rv.data
        assert b"<strong>HTML</strong> allowed here" in rv.data


# -- more of what the tutorial says, on fresh apps from create_app() ---------


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "flaskr.db")


@pytest.fixture
def app(db_path):
    app = flaskr.create_app({"DATABASE": db_path, "TESTING": True})
    with app.app_context():
        flaskr.init_db()
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username="admin", password="default"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        follow_redirects=True,
    )


def test_index_shows_log_in_link_and_stylesheet(client):
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.mimetype == "text/html"
    assert b'<a href="/login">log in</a>' in rv.data
    assert b'href="/static/style.css"' in rv.data
    assert b"class=add-entry" not in rv.data  # the form is for logged-in users
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert b".entries" in css.data
    css.close()


def test_login_page_renders_form(client):
    rv = client.get("/login")
    assert rv.status_code == 200
    assert b"<h2>Login</h2>" in rv.data
    assert b"type=password name=password" in rv.data
    assert b"Error:" not in rv.data


def test_login_redirects_and_flashes_once(client):
    rv = client.post("/login", data={"username": "admin", "password": "default"})
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/"
    rv = client.get("/")
    assert b"<div class=flash>You were logged in</div>" in rv.data
    assert b'<a href="/logout">log out</a>' in rv.data
    assert b"class=add-entry" in rv.data
    rv = client.get("/")  # a flashed message is shown on the next request only
    assert b"You were logged in" not in rv.data


def test_failed_login_stays_logged_out(client):
    rv = login(client, "admin", "wrong")
    assert rv.status_code == 200
    assert b"<p class=error><strong>Error:</strong> Invalid password" in rv.data
    assert client.post("/add", data={"title": "t", "text": "x"}).status_code == 401


def test_add_requires_login(client, db_path):
    rv = client.post("/add", data={"title": "t", "text": "x"})
    assert rv.status_code == 401
    with sqlite3.connect(db_path) as db:
        assert db.execute("select count(*) from entries").fetchone()[0] == 0
    db.close()


def test_add_without_field_is_bad_request(client):
    login(client)
    assert client.post("/add", data={"title": "only a title"}).status_code == 400


def test_add_get_not_allowed(client):
    assert client.get("/add").status_code == 405


def test_entries_newest_first_and_flash(client):
    login(client)
    client.post("/add", data={"title": "first", "text": "one"})
    rv = client.post(
        "/add", data={"title": "second", "text": "two"}, follow_redirects=True
    )
    assert b"New entry was successfully posted" in rv.data
    assert rv.data.index(b"<h2>second</h2>") < rv.data.index(b"<h2>first</h2>")


def test_logout_when_not_logged_in(client):
    rv = client.get("/logout", follow_redirects=True)
    assert b"You were logged out" in rv.data
    assert b'<a href="/login">log in</a>' in rv.data


def test_entries_persist_across_apps(db_path, client):
    login(client)
    client.post("/add", data={"title": "kept", "text": "body"})
    other = flaskr.create_app({"DATABASE": db_path}).test_client()
    assert b"<h2>kept</h2>" in other.get("/").data


def test_missing_table_is_an_error(tmp_path):
    """The tutorial's troubleshooting note: without initdb, no table."""
    app = flaskr.create_app({"DATABASE": str(tmp_path / "none.db"), "TESTING": True})
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        app.test_client().get("/")


def test_connection_closed_at_teardown(app):
    with app.app_context():
        db = flaskr.get_db()
        assert flaskr.get_db() is db
    with pytest.raises(sqlite3.ProgrammingError):
        db.execute("select 1")


@pytest.mark.parametrize("name", ["init-db", "initdb"])
def test_init_db_command(app, db_path, name):
    with sqlite3.connect(db_path) as db:
        db.execute("insert into entries (title, text) values ('a', 'b')")
    db.close()
    result = app.test_cli_runner().invoke(args=[name])
    assert result.exit_code == 0, result.output
    assert result.output == "Initialized the database.\n"
    with sqlite3.connect(db_path) as db:
        assert db.execute("select count(*) from entries").fetchone()[0] == 0
    db.close()


def test_ensure_db_creates_once_and_keeps_entries(tmp_path):
    path = tmp_path / "sub" / "dir" / "flaskr.db"
    app = flaskr.create_app({"DATABASE": str(path)})
    with app.app_context():
        assert flaskr.ensure_db() is True
        flaskr.get_db().execute("insert into entries (title, text) values ('a', 'b')")
        flaskr.get_db().commit()
    with app.app_context():
        assert flaskr.ensure_db() is False
        assert (
            flaskr.get_db().execute("select count(*) from entries").fetchone()[0] == 1
        )


def test_default_database_in_instance_folder():
    app = flaskr.create_app()
    assert app.config["DATABASE"] == os.path.join(app.instance_path, "flaskr.db")
    assert app.config["USERNAME"] == "admin"
    assert app.config["PASSWORD"] == "default"
    assert app.config["SECRET_KEY"] == "development key"


def test_flaskr_settings_env_var(tmp_path, monkeypatch):
    settings = tmp_path / "settings.cfg"
    db = tmp_path / "from-settings.db"
    settings.write_text(
        f"USERNAME = 'root'\nPASSWORD = 'hunter2'\nDATABASE = {str(db)!r}\n"
    )
    monkeypatch.setenv("FLASKR_SETTINGS", str(settings))
    app = flaskr.create_app({"TESTING": True})
    assert app.config["DATABASE"] == str(db)
    with app.app_context():
        flaskr.init_db()
    client = app.test_client()
    assert b"Invalid username" in login(client, "admin", "default").data
    assert b"You were logged in" in login(client, "root", "hunter2").data


def test_flaskr_database_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASKR_DATABASE", str(tmp_path / "env.db"))
    assert flaskr.create_app().config["DATABASE"] == str(tmp_path / "env.db")


def test_package_exports_tutorial_names():
    assert flaskr.app is flaskr.flaskr.app
    assert flaskr.app.name == "flaskr.flaskr"
    assert os.path.isdir(os.path.join(flaskr.app.root_path, "templates"))
    assert flaskr.app.has_static_folder


# -- running it the way the tutorial does ------------------------------------


def _run(args, cwd, env_extra, timeout=60):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("FLASK", "PYTHONPATH"))
    }
    env.update(env_extra)
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("name", ["init-db", "initdb"])
def test_flask_command_line(tmp_path, name):
    """``flask --app flaskr init-db`` / ``FLASK_APP=flaskr flask initdb``
    from the project folder, as in the tutorial (step 5)."""
    db = tmp_path / "cli.db"
    result = _run(
        [sys.executable, "-m", "flask", "--app", "flaskr", name],
        FLASKR_PROJECT,
        {"FLASKR_DATABASE": str(db)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Initialized the database.\n"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from entries").fetchone()[0] == 0
    conn.close()

    result = _run(
        [sys.executable, "-m", "flask", "routes"],
        FLASKR_PROJECT,
        {"FLASK_APP": "flaskr", "FLASKR_DATABASE": str(db)},
    )
    assert result.returncode == 0, result.stderr
    for endpoint in ("show_entries", "add_entry", "login", "logout"):
        assert endpoint in result.stdout


def test_5_5_sdist_contains_package_data(tmp_path):
    """Step 3: flaskr is an installable package that ships its templates,
    stylesheet and schema (built offline with the setuptools in .venv)."""
    project = tmp_path / "flaskr"
    shutil.copytree(
        FLASKR_PROJECT,
        project,
        ignore=shutil.ignore_patterns("instance", "__pycache__"),
    )
    result = _run(
        [
            sys.executable,
            "-c",
            "import setuptools.build_meta as b; print(b.build_sdist('dist'))",
        ],
        project,
        {},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sdist = project / "dist" / result.stdout.split()[-1]
    with tarfile.open(sdist) as tf:
        names = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    for name in (
        "pyproject.toml",
        "flaskr/__init__.py",
        "flaskr/flaskr.py",
        "flaskr/live.py",
        "flaskr/schema.sql",
        "flaskr/static/live.js",
        "flaskr/static/style.css",
        "flaskr/templates/layout.html",
        "flaskr/templates/login.html",
        "flaskr/templates/show_entries.html",
    ):
        assert name in names


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post_and_receive_live(server):
    """Log in, open the live socket with the session cookie, post an entry
    and receive it on the socket."""
    from websockets.sync.client import connect

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"username": "admin", "password": "default"})
    opener.open(f"http://{server}/login", form.encode(), timeout=10).close()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    with connect(
        f"ws://{server}/live", additional_headers={"Cookie": cookie}, open_timeout=10
    ) as ws:
        entry = urllib.parse.urlencode({"title": "served", "text": "<em>live</em>"})
        opener.open(f"http://{server}/add", entry.encode(), timeout=10).close()
        assert json.loads(ws.recv(timeout=10)) == {
            "id": 1,
            "title": "served",
            "text": "live",
        }


def test_serve_py_creates_database_and_serves(tmp_path):
    """``make run``: examples/serve.py creates the database on first start and
    serves Flaskr on 127.0.0.1:$PORT over ASGI, live index included."""
    port = _free_port()
    db = tmp_path / "served.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK")}
    env.update(PORT=str(port), FLASKR_DATABASE=str(db))
    proc = subprocess.Popen(
        [sys.executable, SERVE_PY],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/", timeout=5
                ) as rv:
                    body = rv.read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert body is not None, "serve.py did not answer"
        assert b"No entries here so far" in body
        assert db.exists()
        _post_and_receive_live(f"127.0.0.1:{port}")
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert "Created the Flaskr database" in output
    assert f"http://127.0.0.1:{port}" in output
