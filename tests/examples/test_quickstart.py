"""The manual's quickstart (chapter 4), run: each test is named after the
section whose examples it runs (``examples/patterns/quickstart_*.py``)."""

from __future__ import annotations

import importlib
import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from markupsafe import Markup

from flask import Flask
from flask import request
from flask import url_for

EXAMPLES = os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "examples")
)
PATTERNS = os.path.join(EXAMPLES, "patterns")


def load(name):
    return importlib.import_module("patterns." + name)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_and_get(args, env_extra, port, path="/"):
    """Start ``flask run`` (as the manual does), GET one page, stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK")}
    env.update(env_extra)
    proc = subprocess.Popen(
        args,
        cwd=PATTERNS,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the reloader starts a child process
    )
    body = None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{path}", timeout=5
                ) as rv:
                    body = rv.read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=15)
    return body, output


def test_4_1_a_minimal_application():
    app = load("quickstart_minimal").app
    rv = app.test_client().get("/")
    assert rv.data == b"Hello, World!"
    assert rv.status_code == 200
    assert rv.mimetype == "text/html"


def test_4_1_flask_run_with_flask_app_file():
    """``export FLASK_APP=hello.py; python -m flask run`` serves the app on
    127.0.0.1 (the port is a free one here, not 5000)."""
    port = _free_port()
    body, output = _serve_and_get(
        [sys.executable, "-m", "flask", "run", "--port", str(port)],
        {"FLASK_APP": "quickstart_minimal.py"},
        port,
    )
    assert body == b"Hello, World!", output
    assert f"Running on http://127.0.0.1:{port}" in output


def test_4_3_debug_mode():
    """``export FLASK_DEBUG=1; flask run``: debugger and reloader on."""
    port = _free_port()
    body, output = _serve_and_get(
        [sys.executable, "-m", "flask", "run", "--port", str(port)],
        {"FLASK_APP": "quickstart_minimal.py", "FLASK_DEBUG": "1"},
        port,
    )
    assert body == b"Hello, World!", output
    assert "Debug mode: on" in output
    assert "Debugger is active!" in output
    assert "Restarting with" in output  # the reloader


def test_4_4_routing():
    client = load("quickstart_routing").app.test_client()
    assert client.get("/").data == b"Index Page"
    assert client.get("/hello").data == b"Hello, World"


def test_4_4_1_variable_rules():
    client = load("quickstart_routing").app.test_client()
    assert client.get("/user/John").data == b"User John"
    assert client.get("/post/42").data == b"Post 42"
    assert client.get("/post/abc").status_code == 404  # int converter


def test_4_4_1_converters():
    app = Flask(__name__)

    @app.route("/<string:a>/<int:b>/<float:c>/<path:d>")
    def all_kinds(a, b, c, d):
        return repr((a, b, c, d))

    @app.route("/pick/<any(red, green):colour>")
    def pick(colour):
        return colour

    @app.route("/id/<uuid:ident>")
    def ident(ident):
        return type(ident).__name__

    client = app.test_client()
    assert client.get("/x/3/1.5/p/q").data == b"('x', 3, 1.5, 'p/q')"
    assert client.get("/pick/green").data == b"green"
    assert client.get("/pick/blue").status_code == 404
    assert client.get("/id/12345678-1234-5678-1234-567812345678").data == b"UUID"


def test_4_4_1_unique_urls_redirection_behavior():
    client = load("quickstart_routing").app.test_client()
    rv = client.get("/projects")
    assert rv.status_code in (301, 308)
    assert rv.headers["Location"].endswith("/projects/")
    assert client.get("/projects", follow_redirects=True).data == b"The project page"
    assert client.get("/about").data == b"The about page"
    assert client.get("/about/").status_code == 404


def test_4_4_2_url_building():
    app = Flask(__name__)

    @app.route("/")
    def index():
        pass

    @app.route("/login")
    def login():
        pass

    @app.route("/user/<username>")
    def profile(username):
        pass

    with app.test_request_context():
        assert url_for("index") == "/"
        assert url_for("login") == "/login"
        assert url_for("login", next="/") == "/login?next=/"
        assert url_for("profile", username="John Doe") == "/user/John%20Doe"

    # The three reasons: ... escaping and the application's mount point.
    with app.test_request_context("/", base_url="http://localhost/myapplication"):
        assert (
            url_for("profile", username="J\u00fcrgen")
            == "/myapplication/user/J%C3%BCrgen"
        )


def test_4_4_3_http_methods():
    client = load("quickstart_routing").app.test_client()
    assert b"<form" in client.get("/login").data
    assert client.post("/login", data={"username": "ann"}).data == b"Logging in ann"
    head = client.head("/login")
    assert head.status_code == 200 and head.data == b""
    options = client.options("/login")
    assert set(options.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    }
    assert client.put("/login").status_code == 405


def test_4_5_static_files():
    app = load("quickstart_routing").app
    with app.test_request_context():
        assert url_for("static", filename="style.css") == "/static/style.css"
    rv = app.test_client().get("/static/style.css")
    assert rv.status_code == 200
    assert rv.mimetype == "text/css"
    rv.close()


def test_4_6_rendering_templates():
    client = load("quickstart_templates").app.test_client()
    assert b"<h1>Hello, World!</h1>" in client.get("/hello/").data
    assert b"<h1>Hello Peter!</h1>" in client.get("/hello/Peter").data
    # Automatic escaping is enabled.
    assert b"<h1>Hello &lt;b&gt;!</h1>" in client.get("/hello/<b>").data


def test_4_6_markup():
    assert Markup("<strong>Hello %s!</strong>") % "<blink>hacker</blink>" == Markup(
        "<strong>Hello &lt;blink&gt;hacker&lt;/blink&gt;!</strong>"
    )
    assert Markup.escape("<blink>hacker</blink>") == Markup(
        "&lt;blink&gt;hacker&lt;/blink&gt;"
    )
    assert (
        Markup("<em>Marked up</em> &raquo; HTML").striptags() == "Marked up \xbb HTML"
    )


def test_4_7_1_context_locals():
    app = load("quickstart_request").app
    with app.test_request_context("/hello", method="POST"):
        # now you can do something with the request until the
        # end of the with block, such as basic assertions:
        assert request.path == "/hello"
        assert request.method == "POST"

    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(method="POST").get_environ()
    with app.request_context(environ):
        assert request.method == "POST"


def test_4_7_2_the_request_object():
    client = load("quickstart_request").app.test_client()
    rv = client.post("/login", data={"username": "ann", "password": "secret"})
    assert rv.data == b"Welcome ann"
    rv = client.post("/login", data={"username": "ann", "password": "wrong"})
    assert b"Invalid username/password" in rv.data
    assert b"<form" in client.get("/login").data
    # A missing form key is a special KeyError: 400 Bad Request.
    assert client.post("/login", data={"username": "ann"}).status_code == 400
    assert client.get("/search?key=flask").data == b"Searching for 'flask'"
    assert client.get("/search").data == b"Searching for ''"


def test_4_7_3_file_uploads(tmp_path, monkeypatch):
    app = load("quickstart_request").app
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    client = app.test_client()
    rv = client.post(
        "/upload",
        data={"the_file": (io.BytesIO(b"file body"), "../../evil name.txt")},
        content_type="multipart/form-data",
    )
    assert rv.data == b"Saved evil_name.txt"
    assert (tmp_path / "evil_name.txt").read_bytes() == b"file body"
    assert os.listdir(tmp_path) == ["evil_name.txt"]


def test_4_7_4_cookies():
    client = load("quickstart_request").app.test_client()
    assert client.get("/cookies/read").data == b"username cookie: None"
    rv = client.get("/cookies/store")
    assert "username=" in rv.headers["Set-Cookie"]
    assert client.get("/cookies/read").data == b"username cookie: the username"


def test_4_8_redirects_and_errors():
    client = load("quickstart_redirects").app.test_client()
    rv = client.get("/")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/login"
    assert client.get("/", follow_redirects=True).status_code == 401
    rv = client.get("/nowhere")
    assert rv.status_code == 404
    assert b"The page /nowhere is not here." in rv.data


def test_4_9_about_responses():
    client = load("quickstart_responses").app.test_client()
    rv = client.get("/missing")
    assert rv.status_code == 404
    assert rv.headers["X-Something"] == "A value"
    assert b"<h1>Not here</h1>" in rv.data

    rv = client.get("/response")
    assert (rv.data, rv.mimetype) == (b"made by hand", "text/plain")
    rv = client.get("/string")
    assert (rv.data, rv.status_code, rv.mimetype) == (
        b"Just a string",
        200,
        "text/html",
    )
    rv = client.get("/tuple/status-headers")
    assert (rv.data, rv.status_code, rv.headers["X-Tuple"]) == (
        b"Created",
        201,
        "three",
    )
    rv = client.get("/tuple/headers")
    assert (rv.data, rv.status_code, rv.headers["X-Tuple"]) == (
        b"With headers",
        200,
        "two",
    )
    rv = client.get("/wsgi")
    assert (rv.data, rv.mimetype) == (b"Hello from WSGI", "text/plain")


def test_4_10_sessions():
    client = load("quickstart_sessions").app.test_client()
    assert client.get("/").data == b"You are not logged in"
    assert b'<input type="text" name="username">' in client.get("/login").data
    rv = client.post("/login", data={"username": "<admin>"})
    assert rv.status_code == 302 and rv.headers["Location"] == "/"
    # escape() protects the page, the cookie is signed
    assert client.get("/").data == b"Logged in as &lt;admin&gt;"
    client.get("/logout")
    assert client.get("/").data == b"You are not logged in"


def test_4_10_session_cookie_cannot_be_modified():
    app = load("quickstart_sessions").app
    client = app.test_client()
    client.post("/login", data={"username": "ann"})
    cookie = client.get_cookie("session")
    value = cookie.value
    client.set_cookie("session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/").data == b"You are not logged in"


def test_4_12_logging(caplog):
    app = load("quickstart_logging").app
    with caplog.at_level(logging.DEBUG, logger=app.logger.name):
        assert app.test_client().get("/").data == b"logged"
    assert isinstance(app.logger, logging.Logger)
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages == [
        ("DEBUG", "A value for debugging"),
        ("WARNING", "A warning occurred (42 apples)"),
        ("ERROR", "An error occurred"),
    ]


def test_4_13_hooking_in_wsgi_middlewares():
    client = load("quickstart_middleware").app.test_client()
    rv = client.get(
        "/",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert rv.data == b"203.0.113.9 https"
