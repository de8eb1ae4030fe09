"""The testing helpers: the test client and its cookies and preserved
contexts, session transactions, test request contexts, the environ
builder's defaults, JSON bodies, and the CLI runner."""

from __future__ import annotations

import typing as t

import click
import pytest
from werkzeug.test import EnvironBuilder as WerkzeugEnvironBuilder

import flask
from flask import Flask
from flask.testing import EnvironBuilder
from flask.testing import FlaskClient

# -- the client and cookies -----------------------------------------------------------


@pytest.fixture
def cookie_app(app: Flask) -> Flask:
    @app.route("/set/<value>")
    def set_value(value: str) -> flask.Response:
        response = flask.make_response("set")
        response.set_cookie("flavour", value)
        flask.session["stored"] = value
        return response

    @app.route("/get")
    def get_value() -> dict[str, t.Any]:
        return {
            "cookie": flask.request.cookies.get("flavour"),
            "session": flask.session.get("stored"),
        }

    return app


def test_client_is_a_flask_client(app: Flask, client: t.Any) -> None:
    assert isinstance(client, FlaskClient)
    assert client.application is app


def test_client_keeps_cookies(cookie_app: Flask) -> None:
    client = cookie_app.test_client()
    client.get("/set/mint")
    assert client.get("/get").json == {"cookie": "mint", "session": "mint"}
    assert client.get_cookie("flavour").value == "mint"


def test_client_without_cookies(cookie_app: Flask) -> None:
    client = cookie_app.test_client(use_cookies=False)
    client.get("/set/mint")
    assert client.get("/get").json == {"cookie": None, "session": None}


def test_separate_clients_have_separate_cookies(cookie_app: Flask) -> None:
    first, second = cookie_app.test_client(), cookie_app.test_client()
    first.get("/set/one")
    assert second.get("/get").json == {"cookie": None, "session": None}


def test_client_environ_base_defaults(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> dict[str, t.Any]:
        return {
            "addr": flask.request.remote_addr,
            "agent": flask.request.user_agent.string,
        }

    data = client.get("/").json
    assert data["addr"] == "127.0.0.1"
    assert data["agent"].startswith("Werkzeug/")
    client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    assert client.get("/").json["addr"] == "10.0.0.1"
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.9.9.9"}).json["addr"] == (
        "10.9.9.9"
    )


def test_follow_redirects(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/old", "old", lambda: flask.redirect(flask.url_for("new")))
    app.add_url_rule("/new", "new", lambda: "arrived")
    response = client.get("/old", follow_redirects=True)
    assert response.data == b"arrived"
    assert [r.status_code for r in response.history] == [302]
    assert response.request.path == "/new"


def test_exceptions_reach_the_test_when_testing(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> str:
        raise LookupError("visible to the test")

    with pytest.raises(LookupError, match="visible to the test"):
        client.get("/")


@pytest.mark.parametrize("kind", ["builder", "environ", "request"])
def test_open_with_a_prepared_request(app: Flask, client: t.Any, kind: str) -> None:
    app.add_url_rule(
        "/echo", "echo", lambda: flask.request.args["q"], methods=["GET", "PUT"]
    )
    builder = EnvironBuilder(app, "/echo?q=built", method="PUT")
    try:
        if kind == "builder":
            response = client.open(builder)
        elif kind == "environ":
            response = client.open(builder.get_environ())
        else:
            response = client.open(builder.get_request())
    finally:
        builder.close()
    assert response.data == b"built"


def test_response_json_uses_the_app_provider(app: Flask, client: t.Any) -> None:
    class Provider(flask.json.provider.DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return "custom loads"

    app.json = Provider(app)
    app.add_url_rule("/", "index", lambda: {"a": 1})
    assert client.get("/").json == "custom loads"


# -- `with client:` ------------------------------------------------------------------


def test_with_client_keeps_the_last_request_context(app: Flask, client: t.Any) -> None:
    @app.route("/<name>")
    def index(name: str) -> str:
        flask.g.name = name
        flask.session["name"] = name
        return ""

    with client:
        client.get("/first?x=1")
        client.get("/second?x=2")
        assert flask.request.path == "/second"
        assert flask.request.args["x"] == "2"
        assert flask.g.name == "second"
        assert flask.session["name"] == "second"
    assert not flask.has_request_context()
    assert not flask.has_app_context()


def test_with_client_runs_teardown_by_the_end_of_the_block(
    app: Flask, client: t.Any
) -> None:
    torn_down: list[str] = []
    app.add_url_rule("/<name>", "index", lambda name: "")
    app.teardown_request(lambda exc: torn_down.append(flask.request.path))

    with client:
        client.get("/one")
        client.get("/two")
        assert flask.request.path == "/two"
    # Whether teardown also ran when each response was made is left open:
    # the manual says it is deferred, Flask 3.1 runs it at both points.
    assert set(torn_down) == {"/one", "/two"}
    assert not flask.has_request_context()


def test_without_with_the_context_is_gone(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "")
    client.get("/")
    assert not flask.has_request_context()


def test_with_client_preserves_context_after_an_error(app: Flask) -> None:
    app.testing = False

    @app.route("/")
    def fail() -> str:
        flask.g.before_failure = True
        raise ValueError()

    client = app.test_client()
    with client:
        assert client.get("/").status_code == 500
        assert flask.g.before_failure is True


def test_client_cannot_be_nested(client: t.Any) -> None:
    with client:
        with pytest.raises(RuntimeError, match="Cannot nest client invocations"):
            with client:
                pass


# -- session_transaction ----------------------------------------------------------------


def test_session_transaction_sets_values_for_the_next_request(
    cookie_app: Flask,
) -> None:
    client = cookie_app.test_client()
    with client.session_transaction() as sess:
        sess["stored"] = "prepared"
    assert client.get("/get").json["session"] == "prepared"


def test_session_transaction_reads_values_set_by_a_request(cookie_app: Flask) -> None:
    client = cookie_app.test_client()
    client.get("/set/vanilla")
    with client.session_transaction() as sess:
        assert sess["stored"] == "vanilla"
        sess["stored"] = "changed"
    assert client.get("/get").json["session"] == "changed"


def test_session_transaction_does_not_push_a_context(client: t.Any) -> None:
    with client.session_transaction():
        assert not flask.has_request_context()


def test_session_transaction_passes_request_arguments(app: Flask) -> None:
    app.config["SESSION_COOKIE_PATH"] = "/area"
    app.add_url_rule("/area/read", "read", lambda: flask.session.get("k", "none"))
    app.add_url_rule("/other", "other", lambda: flask.session.get("k", "none"))
    client = app.test_client()
    with client.session_transaction("/area/") as sess:
        sess["k"] = "scoped"
    assert client.get("/area/read").data == b"scoped"
    assert client.get("/other").data == b"none"


def test_session_transaction_without_cookies(app: Flask) -> None:
    client = app.test_client(use_cookies=False)
    with pytest.raises(TypeError, match="Cookies are disabled"):
        with client.session_transaction():
            pass


def test_session_transaction_without_a_secret_key(app: Flask, client: t.Any) -> None:
    app.secret_key = None
    with pytest.raises(RuntimeError, match="Session backend did not open a session"):
        with client.session_transaction():
            pass


def test_session_transaction_with_a_custom_backend(app: Flask, client: t.Any) -> None:
    store: dict[str, t.Any] = {}

    class MemorySession(dict, flask.sessions.SessionMixin):  # type: ignore[type-arg]
        pass

    class MemoryInterface(flask.sessions.SessionInterface):
        def open_session(self, app: Flask, request: t.Any) -> MemorySession:
            return MemorySession(store)

        def save_session(self, app: Flask, session: t.Any, response: t.Any) -> None:
            store.clear()
            store.update(session)

    app.session_interface = MemoryInterface()
    with client.session_transaction() as sess:
        sess["where"] = "memory"
    assert store == {"where": "memory"}


# -- test_request_context ----------------------------------------------------------------


def test_test_request_context_arguments(app: Flask) -> None:
    with app.test_request_context(
        "/search?q=flask",
        method="POST",
        data={"field": "value"},
        headers={"X-Token": "abc"},
    ):
        request = flask.request
        assert request.path == "/search"
        assert request.args["q"] == "flask"
        assert request.method == "POST"
        assert request.form["field"] == "value"
        assert request.headers["X-Token"] == "abc"


def test_test_request_context_json(app: Flask) -> None:
    with app.test_request_context(json={"a": [1, 2]}, method="PUT"):
        assert flask.request.is_json
        assert flask.request.get_json() == {"a": [1, 2]}


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({}, "http://localhost/"),
        ({"base_url": "https://site.test/root"}, "https://site.test/root/"),
        ({"subdomain": "api"}, "http://api.localhost/"),
        ({"url_scheme": "https"}, "https://localhost/"),
        ({"subdomain": "api", "url_scheme": "https"}, "https://api.localhost/"),
    ],
)
def test_test_request_context_base_url_options(
    app: Flask, kwargs: dict[str, str], url: str
) -> None:
    with app.test_request_context(**kwargs):
        assert flask.request.url == url


@pytest.mark.parametrize("other", [{"subdomain": "api"}, {"url_scheme": "https"}])
def test_base_url_excludes_subdomain_and_scheme(
    app: Flask, other: dict[str, str]
) -> None:
    with pytest.raises(AssertionError, match='Cannot pass "subdomain" or "url_scheme"'):
        app.test_request_context(base_url="http://x.test", **other)


def test_test_request_context_opens_the_session(app: Flask) -> None:
    with app.test_request_context():
        flask.session["k"] = "v"
        assert flask.session.modified


# -- EnvironBuilder defaults ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, ("http", "localhost", "", "http://localhost/page")),
        ({"SERVER_NAME": "example.test:8080"},
         ("http", "example.test:8080", "", "http://example.test:8080/page")),
        ({"APPLICATION_ROOT": "/app"},
         ("http", "localhost", "/app", "http://localhost/app/page")),
        ({"APPLICATION_ROOT": "/app/"},
         ("http", "localhost", "/app", "http://localhost/app/page")),
        ({"PREFERRED_URL_SCHEME": "https"},
         ("https", "localhost", "", "https://localhost/page")),
        ({"SERVER_NAME": "example.test", "APPLICATION_ROOT": "/app",
          "PREFERRED_URL_SCHEME": "https"},
         ("https", "example.test", "/app", "https://example.test/app/page")),
    ],
)  # fmt: skip
def test_environ_builder_defaults_from_config(
    app: Flask, config: dict[str, str], expected: tuple[str, str, str, str]
) -> None:
    app.config.update(config)
    builder = EnvironBuilder(app, "/page")
    try:
        request = builder.get_request()
    finally:
        builder.close()
    assert (request.scheme, request.host, request.script_root, request.url) == expected


def test_environ_builder_is_a_werkzeug_builder(app: Flask) -> None:
    builder = EnvironBuilder(app)
    try:
        assert isinstance(builder, WerkzeugEnvironBuilder)
        assert builder.app is app
    finally:
        builder.close()


def test_environ_builder_with_a_full_url(app: Flask) -> None:
    builder = EnvironBuilder(app, "https://other.test:444/path?x=1")
    try:
        request = builder.get_request()
    finally:
        builder.close()
    assert request.url == "https://other.test:444/path?x=1"
    assert request.args["x"] == "1"


def test_client_defaults_follow_config(app: Flask, client: t.Any) -> None:
    app.config.update(SERVER_NAME="example.test", APPLICATION_ROOT="/mounted")
    app.add_url_rule("/", "index", lambda: flask.request.url)
    assert client.get("/").data == b"http://example.test/mounted/"


# -- JSON bodies ------------------------------------------------------------------------------


def test_client_json_body(app: Flask, client: t.Any) -> None:
    @app.post("/echo")
    def echo() -> dict[str, t.Any]:
        return {
            "content_type": flask.request.content_type,
            "json": flask.request.get_json(),
        }

    response = client.post("/echo", json={"a": 1, "b": [True, None]})
    assert response.json == {
        "content_type": "application/json",
        "json": {"a": 1, "b": [True, None]},
    }


def test_json_body_is_dumped_with_the_app_provider(app: Flask, client: t.Any) -> None:
    class Provider(flask.json.provider.DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return '{"dumped_by": "provider"}'

    app.json = Provider(app)
    app.add_url_rule(
        "/", "index", lambda: flask.request.get_data(as_text=True), methods=["POST"]
    )
    assert client.post("/", json={"ignored": True}).data == b'{"dumped_by": "provider"}'


def test_json_and_data_conflict(client: t.Any) -> None:
    with pytest.raises(TypeError):
        client.post("/", json={"a": 1}, data="raw")


# -- the CLI runner -----------------------------------------------------------------------------


def test_cli_runner_invokes_an_app_command(app: Flask) -> None:
    @app.cli.command("greet")
    @click.option("--name", default="world")
    def greet(name: str) -> None:
        click.echo(f"hello {name} from {flask.current_app.name}")

    runner = app.test_cli_runner()
    result = runner.invoke(args=["greet", "--name", "tester"])
    assert result.exit_code == 0
    assert result.output == "hello tester from flask_test\n"
    assert runner.invoke(args=["greet"]).output == "hello world from flask_test\n"


def test_cli_runner_invokes_a_command_object(app: Flask) -> None:
    @click.command()
    def standalone() -> None:
        click.echo("standalone ran")

    result = app.test_cli_runner().invoke(standalone)
    assert result.output == "standalone ran\n"


def test_cli_runner_reports_errors(app: Flask) -> None:
    @app.cli.command("fail")
    def fail() -> None:
        raise click.ClickException("went wrong")

    result = app.test_cli_runner().invoke(args=["fail"])
    assert result.exit_code == 1
    assert "went wrong" in result.output


def test_cli_runner_with_blueprint_commands(app: Flask) -> None:
    bp = flask.Blueprint("tools", __name__)

    @bp.cli.command("check")
    def check() -> None:
        click.echo("checked")

    app.register_blueprint(bp)
    result = app.test_cli_runner().invoke(args=["tools", "check"])
    assert result.output == "checked\n"
