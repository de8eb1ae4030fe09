"""The manual's chapter 20 patterns, run: each test is named after the
section whose example it runs (``examples/patterns/<module>.py``) and checks
that it behaves as the manual says."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import sqlite3
import sys

import pytest
from werkzeug.test import Client

from flask import Flask
from flask import render_template_string
from flask import url_for
from flask.cli import ScriptInfo


def load(name):
    return importlib.import_module("patterns." + name)


# 20.1 Larger Applications


def test_20_1_larger_applications():
    package = load("larger_app")
    assert "patterns.larger_app.views" in sys.modules  # imported by __init__
    assert package.app.import_name == "patterns.larger_app"
    assert package.app.test_client().get("/").data == b"Hello World!"


def test_20_1_larger_applications_found_by_flask_app():
    app = ScriptInfo(app_import_path="patterns.larger_app").load_app()
    assert app is load("larger_app").app


# 20.2 Application Factories


def test_20_2_application_factories(tmp_path):
    factories = load("app_factories")
    one = tmp_path / "one.cfg"
    one.write_text("SITE_NAME = 'One'\nINDEX_TEMPLATE = 'admin_index.html'\n")
    two = tmp_path / "two.cfg"
    two.write_text("SITE_NAME = 'Two'\nINDEX_TEMPLATE = 'admin_index_alt.html'\n")

    app_one = factories.create_app(str(one))
    app_two = factories.create_app(str(two))
    assert app_one is not app_two

    # The blueprints read each app's own configuration through current_app.
    assert app_one.test_client().get("/admin/").data == b"<h1>Admin of One</h1>"
    assert (
        app_two.test_client().get("/admin/").data
        == b"<h1>Alternative admin of Two</h1>"
    )

    # One unbound extension object serves both applications.
    assert app_one.extensions["sqlite"] is app_two.extensions["sqlite"] is factories.db
    assert app_one.test_client().get("/").data == b"One frontend (database says 1)"
    assert app_two.test_client().get("/").data == b"Two frontend (database says 1)"


def test_20_2_4_factory_improvements():
    factories = load("app_factories")
    seen = []

    def middleware(wsgi_app):
        def wrapped(environ, start_response):
            seen.append(environ["PATH_INFO"])
            return wsgi_app(environ, start_response)

        return wrapped

    app = factories.create_app(
        config={"SITE_NAME": "Test", "INDEX_TEMPLATE": "admin_index.html"},
        middleware=[middleware],
    )
    assert app.test_client().get("/admin/").data == b"<h1>Admin of Test</h1>"
    assert seen == ["/admin/"]


def test_20_2_3_using_applications():
    """``export FLASK_APP=exampleapp``: the flask command finds the app that
    exampleapp.py made with the factory, and can call the factory itself."""
    app = ScriptInfo(app_import_path="patterns.exampleapp").load_app()
    assert app.config["SITE_NAME"] == "Example"
    assert app.test_client().get("/admin/").data == b"<h1>Admin of Example</h1>"

    app = ScriptInfo(
        app_import_path="patterns.app_factories:create_app('app_factories.cfg')"
    ).load_app()
    assert app.test_client().get("/").data == b"Example frontend (database says 1)"


# 20.3 Application Dispatching


def test_20_3_2_combining_applications():
    client = Client(load("app_dispatching").application)
    assert client.get("/").text == "frontend: index, about is at /about"
    assert client.get("/backend/").text == "backend: index, about is at /backend/about"
    assert (
        client.get("/backend/about").text
        == "backend: script_root='/backend' path='/about'"
    )
    assert client.get("/about").text == "frontend: script_root='' path='/about'"


def test_20_3_3_dispatch_by_subdomain():
    dispatching = load("app_dispatching")
    dispatcher = dispatching.SubdomainDispatcher(
        "example.com", dispatching.make_subdomain_app
    )
    client = Client(dispatcher)
    rv = client.get("/", base_url="http://alice.example.com/")
    assert rv.text == "Alice: index, about is at /about"
    assert client.get("/", base_url="http://bob.example.com:8080/").text.startswith(
        "Bob:"
    )
    rv = client.get("/", base_url="http://nobody.example.com/")
    assert rv.status_code == 404
    # Each subdomain's app is created once and remembered.
    alice = dispatcher.instances["alice"]
    client.get("/about", base_url="http://alice.example.com/")
    assert dispatcher.instances["alice"] is alice
    assert isinstance(alice, Flask) and alice.config["OWNER"] == "Alice"
    assert sorted(dispatcher.instances) == ["alice", "bob", "nobody"]


def test_20_3_4_dispatch_by_path():
    dispatching = load("app_dispatching")
    dispatcher = dispatching.PathDispatcher(
        dispatching.default_app, dispatching.make_path_app
    )
    client = Client(dispatcher)
    assert client.get("/alice/").text == "Alice: index, about is at /alice/about"
    assert (
        client.get("/alice/about").text == "Alice: script_root='/alice' path='/about'"
    )
    assert client.get("/").text == "default: index, about is at /about"
    assert client.get("/about").text == "default: script_root='' path='/about'"
    # No user "nobody": the default app answers (and has no such page).
    assert client.get("/nobody/").status_code == 404
    assert sorted(dispatcher.instances) == ["alice"]


def test_20_3_4_path_info_helpers():
    dispatching = load("app_dispatching")
    environ = {"SCRIPT_NAME": "/app", "PATH_INFO": "/alice/about/me"}
    assert dispatching.peek_path_info(environ) == "alice"
    assert dispatching.pop_path_info(environ) == "alice"
    assert environ == {"SCRIPT_NAME": "/app/alice", "PATH_INFO": "/about/me"}
    environ = {"SCRIPT_NAME": "", "PATH_INFO": "/alice"}
    assert dispatching.pop_path_info(environ) == "alice"
    assert environ == {"SCRIPT_NAME": "/alice", "PATH_INFO": ""}


# 20.4 Implementing API Exceptions


def test_20_4_implementing_api_exceptions():
    api = load("api_exceptions")
    client = api.app.test_client()
    rv = client.get("/foo")
    assert rv.status_code == 410
    assert rv.mimetype == "application/json"
    assert rv.get_json() == {"message": "This view is gone"}
    rv = client.get("/bar")
    assert rv.status_code == 400
    assert rv.get_json() == {"message": "Missing parameter", "parameter": "name"}

    error = api.InvalidUsage("x", payload={"message": "overridden", "a": 1})
    assert error.status_code == 400
    assert error.to_dict() == {"message": "x", "a": 1}


# 20.5 Using URL Processors


def test_20_5_1_internationalized_application_urls():
    app = load("url_processors").app
    client = app.test_client()
    assert client.get("/de/").text == "index in de, about: /de/about"
    assert client.get("/fr/about").text == "about in fr, index: /fr/"
    assert client.get("/").text == "root, german index: /de/"


def test_20_5_2_internationalized_blueprint_urls():
    app = load("url_processors_blueprint").app
    client = app.test_client()
    assert client.get("/de/").text == "index in de, about: /de/about"
    assert client.get("/en/about").text == "about in en, index: /en/"
    assert client.get("/").status_code == 404


def test_20_5_2_prefix_without_slash_is_rejected():
    """The manual's ``url_prefix='<lang_code>'`` has no leading slash, which
    today's Werkzeug refuses."""
    from flask import Blueprint

    bp = Blueprint("frontend", __name__, url_prefix="<lang_code>")
    bp.add_url_rule("/", "index", lambda: "")
    app = Flask(__name__)
    with pytest.raises(ValueError, match="must start with a slash"):
        app.register_blueprint(bp)


# 20.6 Deploying with Setuptools: Flaskr is packaged that way, see
# test_flaskr.py::test_5_5_sdist_contains_package_data.


# 20.8 Using SQLite 3 with Flask


@pytest.fixture
def sqlite3_app(tmp_path, monkeypatch):
    module = load("sqlite3_db")
    monkeypatch.setitem(module.app.config, "DATABASE", str(tmp_path / "users.db"))
    module.init_db()
    with sqlite3.connect(tmp_path / "users.db") as db:
        db.executemany("insert into users (username) values (?)", [("ann",), ("bob",)])
    db.close()
    return module


def test_20_8_using_sqlite3_with_flask(sqlite3_app):
    client = sqlite3_app.app.test_client()
    assert client.get("/").text == "ann has the id 1\nbob has the id 2"
    assert client.get("/user/bob").text == "bob has the id 2"
    rv = client.get("/user/nobody")
    assert (rv.status_code, rv.text) == (404, "No such user")
    # SQL injection stays a plain parameter.
    assert client.get("/user/x' or '1'='1").status_code == 404


def test_20_8_1_connect_on_demand(sqlite3_app):
    with sqlite3_app.app.app_context():
        db = sqlite3_app.get_db()
        assert sqlite3_app.get_db() is db
        assert sqlite3_app.query_db(
            "select * from users where username = ?", ["ann"], one=True
        ) == {
            "user_id": 1,
            "username": "ann",
        }
        assert sqlite3_app.query_db("select 1 where 0", one=True) is None
    with pytest.raises(sqlite3.ProgrammingError):  # closed at teardown
        db.execute("select 1")


# 20.10 Uploading Files


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    module = load("uploads")
    monkeypatch.setitem(module.app.config, "UPLOAD_FOLDER", str(tmp_path))
    return module


def test_20_10_1_a_gentle_introduction(uploads, tmp_path):
    client = uploads.app.test_client()
    assert b"<input type=file name=file>" in client.get("/").data
    rv = client.post(
        "/",
        data={"file": (io.BytesIO(b"hello upload"), "../../notes file.txt")},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/uploads/notes_file.txt"
    assert (tmp_path / "notes_file.txt").read_bytes() == b"hello upload"
    rv = client.get("/uploads/notes_file.txt")
    assert rv.data == b"hello upload"
    rv.close()


def test_20_10_1_rejected_uploads(uploads, tmp_path):
    client = uploads.app.test_client()
    rv = client.post(
        "/", data={}, content_type="multipart/form-data", follow_redirects=True
    )
    assert b"No file part" in rv.data
    rv = client.post(
        "/",
        data={"file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert b"No selected file" in rv.data
    rv = client.post(
        "/",
        data={"file": (io.BytesIO(b"<script>"), "page.html")},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 200 and b"Upload new File" in rv.data
    assert list(tmp_path.iterdir()) == []


def test_20_10_1_secure_filename():
    from werkzeug.utils import secure_filename

    assert (
        secure_filename("../../../../home/username/.bashrc") == "home_username_.bashrc"
    )


def test_20_10_1_shared_data_middleware(tmp_path):
    (tmp_path / "a.txt").write_text("served by middleware")
    app = load("uploads").create_shared_app(str(tmp_path))
    client = app.test_client()
    assert client.get("/link/a.txt").text == "/uploads/a.txt"
    rv = client.get("/uploads/a.txt")
    assert rv.text == "served by middleware"
    rv.close()


def test_20_10_2_improving_uploads(uploads, monkeypatch):
    monkeypatch.setitem(uploads.app.config, "MAX_CONTENT_LENGTH", 1024)
    rv = uploads.app.test_client().post(
        "/",
        data={"file": (io.BytesIO(b"x" * 4096), "big.txt")},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 413  # RequestEntityTooLarge


# 20.11 Caching


def test_20_11_caching():
    caching = load("caching")
    caching.cache.clear()
    caching.calculations.clear()
    client = caching.app.test_client()
    assert client.get("/").text == "value #1"
    assert client.get("/").text == "value #1"
    assert len(caching.calculations) == 1


def test_20_11_2_cache_timeout():
    now = [1000.0]
    cache = load("caching").SimpleCache(clock=lambda: now[0])
    assert cache.get("my-item") is None
    cache.set("my-item", "v", timeout=5 * 60)
    now[0] += 299
    assert cache.get("my-item") == "v"
    now[0] += 2
    assert cache.get("my-item") is None


# 20.12 View Decorators


def test_20_12_1_login_required_decorator():
    client = load("view_decorators").app.test_client()
    rv = client.get("/secret_page")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/login?next=http://localhost/secret_page"
    # The login form passes ``next`` on in a hidden input.
    rv = client.get(rv.headers["Location"])
    assert b'type="hidden" name="next" value="http://localhost/secret_page"' in rv.data
    rv = client.post(
        "/login", data={"username": "ann", "next": "http://localhost/secret_page"}
    )
    assert rv.headers["Location"] == "http://localhost/secret_page"
    assert client.get("/secret_page").text == "secret for ann"


def test_20_12_1_wraps_keeps_the_view_name():
    app = load("view_decorators").app
    assert app.view_functions["secret_page"].__name__ == "secret_page"


def test_20_12_2_caching_decorator():
    decorators = load("view_decorators")
    decorators.cache.clear()
    decorators.expensive_calls.clear()
    client = decorators.app.test_client()
    assert client.get("/expensive/4").text == "sum of squares below 4: 14"
    assert client.get("/expensive/4").text == "sum of squares below 4: 14"
    assert client.get("/expensive/5").text == "sum of squares below 5: 30"
    assert decorators.expensive_calls == [4, 5]  # keyed on request.path


def test_20_12_3_templating_decorator():
    client = load("view_decorators").app.test_client()
    # The three equivalent views.
    assert client.get("/").text == "<p>value=42"
    assert client.get("/named").text == "<p>value=42"
    assert client.get("/auto").text == "<p>value=42"
    # Endpoint "reports.summary": dots become slashes.
    assert client.get("/reports/summary").text == "<p>report: summary"
    # None renders with an empty context; anything else is passed through.
    assert client.get("/empty").text == "<p>value="
    rv = client.get("/passthrough")
    assert rv.status_code == 302 and rv.headers["Location"] == "/"


def test_20_12_4_endpoint_decorator():
    app = load("view_decorators").endpoint_app
    assert app.test_client().get("/").text == "Hello world"
    assert app.view_functions["index"].__name__ == "my_index"


# 20.14 Template Inheritance


def test_20_14_template_inheritance():
    rv = load("template_inheritance").app.test_client().get("/")
    html = rv.text
    assert "<title>Index - My Webpage</title>" in html
    # super() kept the parent's stylesheet link in the head block.
    assert '<link rel="stylesheet" href="/static/style.css">' in html
    assert ".important { color: #336699; }" in html
    assert html.index("/static/style.css") < html.index(".important")
    assert '<div id="content">' in html and "<h1>Index</h1>" in html
    assert "&copy; Copyright 2010" in html  # the footer block's default


# 20.15 Message Flashing


def test_20_15_1_simple_flashing():
    client = load("flashing").app.test_client()
    assert b"<ul class=flashes>" not in client.get("/").data
    rv = client.post("/login", data={"username": "admin", "password": "nope"})
    assert b"<strong>Error:</strong> Invalid credentials" in rv.data
    assert b'value="admin"' in rv.data  # request.form.username in the template
    rv = client.post(
        "/login",
        data={"username": "admin", "password": "secret"},
        follow_redirects=True,
    )
    assert b"<li>You were successfully logged in</li>" in rv.data
    assert b"You were successfully logged in" not in client.get("/").data


def test_20_15_2_flashing_with_categories():
    client = load("flashing").app.test_client()
    rv = client.get("/categories", follow_redirects=True)
    assert b'<li class="error">Invalid password provided</li>' in rv.data
    assert b'<li class="message">Your settings were saved</li>' in rv.data


def test_20_15_3_filtering_flash_messages():
    client = load("flashing").app.test_client()
    rv = client.get("/errors", follow_redirects=True)
    assert b"<li>Invalid password provided</li>" in rv.data
    assert b"Your settings were saved" not in rv.data


# 20.16 AJAX with jQuery


def test_20_16_3_json_view_functions():
    client = load("ajax_json").app.test_client()
    rv = client.get("/_add_numbers?a=2&b=40")
    assert rv.mimetype == "application/json"
    assert rv.get_json() == {"result": 42}
    # get() never fails: missing or non-integer values count as 0
    assert client.get("/_add_numbers?a=x&b=3").get_json() == {"result": 3}
    assert client.get("/_add_numbers").get_json() == {"result": 0}


def test_20_16_2_where_is_my_site():
    app = load("ajax_json").app
    client = app.test_client()
    assert b'$SCRIPT_ROOT = "";' in client.get("/").data
    rv = client.get("/", base_url="http://localhost/myapp")
    assert b'$SCRIPT_ROOT = "/myapp";' in rv.data
    assert b'src="/myapp/static/jquery.js"' in rv.data
    # tojson never lets "</script>" end the script block.
    with app.app_context():
        rendered = render_template_string('{{ "</script>"|tojson }}')
    assert "</script>" not in rendered
    assert json.loads(rendered) == "</script>"


# 20.17 Custom Error Pages


def test_20_17_2_error_handlers():
    client = load("error_pages").app.test_client()
    for url in ("/nowhere", "/gone"):
        rv = client.get(url)
        assert rv.status_code == 404
        assert "<title>Page Not Found - Error pages</title>" in rv.text
        assert '<a href="/">go somewhere nice</a>' in rv.text


def test_20_17_2_500_handler_not_called_in_debug_mode(monkeypatch):
    app = load("error_pages").app
    rv = app.test_client().get("/broken")
    assert rv.status_code == 500
    assert "<h1>Something broke</h1>" in rv.text
    monkeypatch.setitem(app.config, "DEBUG", True)
    with pytest.raises(RuntimeError, match="a programming error"):
        app.test_client().get("/broken")


# 20.18 Lazily Loading Views


def test_20_18_1_converting_to_centralized_url_map():
    app = load("lazyapp").create_central_app()
    client = app.test_client()
    assert client.get("/").text == "index"
    assert client.get("/user/ann").text == "user ann"


def test_20_18_2_loading_late(monkeypatch):
    lazyapp = load("lazyapp")
    monkeypatch.delitem(sys.modules, "patterns.lazyapp.views", raising=False)
    monkeypatch.delattr(lazyapp, "views", raising=False)
    app = lazyapp.create_app()
    # The endpoints are named from LazyView.__name__.
    assert sorted(app.view_functions) == ["index", "static", "user"]
    assert "patterns.lazyapp.views" not in sys.modules
    client = app.test_client()
    assert client.get("/").text == "index"
    assert "patterns.lazyapp.views" in sys.modules  # imported on first use
    assert client.get("/user/").text == "all users"
    assert client.get("/user/ann").text == "user ann"
    with app.test_request_context():
        assert url_for("user", username="bob") == "/user/bob"


# 20.20 Adding a favicon


def test_20_20_adding_a_favicon():
    favicon = load("favicon")
    client = favicon.app.test_client()
    assert (
        b'<link rel="shortcut icon" href="/static/favicon.ico">' in client.get("/").data
    )
    rv = client.get("/favicon.ico")
    assert rv.status_code in (301, 308)
    assert rv.headers["Location"].endswith("/static/favicon.ico")
    rv = client.get("/favicon.ico", follow_redirects=True)
    assert rv.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    rv.close()

    rv = favicon.view_app.test_client().get("/favicon.ico")
    assert rv.status_code == 200
    assert rv.mimetype == "image/vnd.microsoft.icon"
    assert rv.data[:4] == b"\x00\x00\x01\x00"
    rv.close()


def test_20_20_url_for_at_import_time_needs_a_context():
    """Why favicon.py builds the redirect target inside a request context."""
    app = Flask(__name__)
    with pytest.raises(RuntimeError):
        url_for("static", filename="favicon.ico")
    with app.app_context(), pytest.raises(RuntimeError):
        url_for("static", filename="favicon.ico")


# 20.21 Streaming Contents


def test_20_21_1_basic_usage():
    streaming = load("streaming")
    rv = streaming.app.test_client().get("/large.csv")
    assert rv.mimetype == "text/csv"
    assert rv.is_streamed
    chunks = list(rv.response)
    assert len(chunks) == streaming.ROW_COUNT  # one chunk per yield
    assert chunks[0] == b"0,row 0,0\n"
    rv.close()


@pytest.mark.parametrize("url", ["/my-large-page.html", "/my-large-page-builtin.html"])
def test_20_21_2_streaming_from_templates(url):
    streaming = load("streaming")
    rv = streaming.app.test_client().get(url)
    assert rv.is_streamed
    chunks = list(rv.response)
    assert len(chunks) > 1
    body = b"".join(chunks).decode()
    assert body.count("<li>") == streaming.ROW_COUNT
    assert "<li>11, row 11, 121</li>" in body
    rv.close()


def test_20_21_3_streaming_with_context():
    client = load("streaming").app.test_client()
    rv = client.get("/stream?name=Peter")
    assert rv.data == b"Hello Peter!"
    rv = client.get("/stream-without-context?name=Peter")
    with pytest.raises(RuntimeError, match="outside of request context"):
        rv.get_data()
    rv.close()


# 20.22 Deferred Request Callbacks


@pytest.mark.parametrize("app_name", ["app", "builtin_app"])
def test_20_22_deferred_request_callbacks(app_name):
    app = getattr(load("deferred_callbacks"), app_name)
    client = app.test_client()
    rv = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert rv.text == "language: de"
    assert rv.headers["Set-Cookie"].startswith("user_lang=de;")
    # Next time the cookie is there: nothing is deferred, no cookie set.
    rv = client.get("/", headers={"Accept-Language": "fr"})
    assert rv.text == "language: de"
    assert "Set-Cookie" not in rv.headers


# 20.23 Adding HTTP Method Overrides


def test_20_23_adding_http_method_overrides():
    client = load("method_overrides").app.test_client()
    rv = client.post(
        "/resource", data=b"body", headers={"X-HTTP-Method-Override": "PATCH"}
    )
    assert rv.text == "PATCH with 4 bytes"
    rv = client.post(
        "/resource", data=b"body", headers={"X-HTTP-Method-Override": "put"}
    )
    assert rv.text == "PUT with 4 bytes"
    # DELETE is body-less: the middleware sets CONTENT_LENGTH to 0.
    rv = client.post(
        "/resource", data=b"body", headers={"X-HTTP-Method-Override": "DELETE"}
    )
    assert rv.text == "DELETE with 0 bytes"
    # Unknown methods are ignored.
    rv = client.post(
        "/resource", data=b"body", headers={"X-HTTP-Method-Override": "BREW"}
    )
    assert rv.text == "POST with 4 bytes"
    assert client.post("/resource", data=b"xy").text == "POST with 2 bytes"


# 20.24 Request Content Checksums


def test_20_24_request_content_checksums_form():
    client = load("request_checksums").app.test_client()
    body = b"name=value&other=%C3%A9t%C3%A9"
    rv = client.post(
        "/special-api", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert rv.text == f"Hash was: {hashlib.sha1(body).hexdigest()}"


def test_20_24_request_content_checksums_multipart():
    client = load("request_checksums").app.test_client()
    boundary = "XyZ"
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        + bytes(range(256))
        * 64
        + b"\r\n"
        b"--XyZ--\r\n"
    )
    rv = client.post(
        "/special-api",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert rv.text == f"Hash was: {hashlib.sha1(body).hexdigest()}"


# 20.26 Subclassing Flask


@pytest.mark.filterwarnings(
    "ignore:'OrderedMultiDict' is deprecated:DeprecationWarning"
)
@pytest.mark.filterwarnings(
    "ignore:'ImmutableOrderedMultiDict' is deprecated:DeprecationWarning"
)
def test_20_26_subclassing_flask():
    subclassing = load("subclassing")
    app = subclassing.app
    assert isinstance(app, Flask) and type(app).__name__ == "MyFlask"
    assert app.request_class is subclassing.MyRequest
    rv = app.test_client().get("/?b=1&a=2&b=3")
    kind, items = rv.text.split(": ")
    assert kind == subclassing.ImmutableOrderedMultiDict.__name__
    assert items == "b=1,a=2,b=3"
    with app.test_request_context("/?z=1&y=2"):
        from flask import request

        assert type(request._get_current_object()) is subclassing.MyRequest
        assert list(request.args) == ["z", "y"]
