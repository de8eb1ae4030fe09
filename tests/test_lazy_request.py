"""The request object made on first use: a view that never reads
``request`` doesn't pay for it, and code that does read it, at any stage,
sees the same object and the same URL match as if it had been made when
the context was pushed."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import Rule
from werkzeug.test import EnvironBuilder

import flask
from flask import Flask
from flask import request
from flask.ctx import _UNSET as _UNMADE
from flask.ctx import RequestContext
from flask.globals import request_ctx


def _made(ctx: RequestContext) -> bool:
    return ctx._request is not None


def test_a_view_that_never_reads_the_request_never_makes_it(app: Flask) -> None:
    seen: list[RequestContext] = []

    @app.route("/")
    def index() -> str:
        seen.append(request_ctx._get_current_object())  # type: ignore[attr-defined]
        return "hi"

    environ = EnvironBuilder("/").get_environ()
    body = app(environ, lambda status, headers: None)
    assert b"".join(body) == b"hi"
    assert not _made(seen[0])
    assert "werkzeug.request" not in environ


@pytest.mark.parametrize("stage", ["before", "view", "after", "teardown"])
def test_the_request_made_at_any_stage_has_the_match(app: Flask, stage: str) -> None:
    seen: dict[str, t.Any] = {}

    def record() -> None:
        seen["endpoint"] = request.endpoint
        seen["view_args"] = request.view_args
        seen["rule"] = request.url_rule
        seen["path"] = request.path

    @app.route("/item/<int:n>")
    def item(n: int) -> str:
        if stage == "view":
            record()
        return str(n)

    if stage == "before":
        app.before_request(record)
    elif stage == "after":
        app.after_request(lambda r: (record(), r)[1])
    else:
        app.teardown_request(lambda exc: record())

    assert app.test_client().get("/item/7").data == b"7"
    assert seen["endpoint"] == "item"
    assert seen["view_args"] == {"n": 7}
    assert isinstance(seen["rule"], Rule)
    assert seen["path"] == "/item/7"


def test_the_request_object_is_made_once(req_ctx: RequestContext) -> None:
    first = req_ctx.request
    assert req_ctx.request is first
    assert request._get_current_object() is first  # type: ignore[attr-defined]
    assert req_ctx.request.environ["werkzeug.request"] is first


def test_a_routing_error_reaches_the_lazily_made_request(app: Flask) -> None:
    with app.test_request_context("/missing") as ctx:
        assert not _made(ctx)
        assert isinstance(request.routing_exception, NotFound)


def test_a_before_request_changing_view_args_is_obeyed(app: Flask) -> None:
    @app.route("/<name>")
    def hello(name: str) -> str:
        return f"hello {name}"

    @app.before_request
    def rename() -> None:
        request.view_args = {"name": "changed"}

    assert app.test_client().get("/x").data == b"hello changed"


def test_a_before_request_replacing_the_rule_is_obeyed(app: Flask) -> None:
    app.add_url_rule("/a", "a", lambda: "a")
    app.add_url_rule("/b", "b", lambda: "b")

    @app.before_request
    def reroute() -> None:
        request.url_rule = app.url_map._rules_by_endpoint["b"][0]

    assert app.test_client().get("/a").data == b"b"


def test_automatic_options_without_reading_the_request(app: Flask) -> None:
    app.add_url_rule("/", "index", lambda: "x", methods=["GET", "POST"])
    rv = app.test_client().options("/")
    assert rv.status_code == 200
    assert set(rv.allow) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_trusted_hosts_apply_to_the_lazily_made_request(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = ["good.test"]

    @app.route("/")
    def index() -> str:
        return request.host

    client = app.test_client()
    assert client.get("/", base_url="http://good.test").data == b"good.test"
    assert client.get("/", base_url="http://evil.test").status_code == 400
    with app.test_request_context(base_url="http://good.test"):
        assert request.trusted_hosts == ["good.test"]


def test_a_request_class_with_its_own_constructor_is_made_at_once(app: Flask) -> None:
    made: list[str] = []

    class Eager(flask.Request):
        def __init__(self, environ: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
            made.append(environ["PATH_INFO"])
            super().__init__(environ, *args, **kwargs)

    app.request_class = Eager
    app.add_url_rule("/", "index", lambda: "x")
    with app.test_request_context("/") as ctx:
        assert made == ["/"]
        assert _made(ctx)
        assert ctx.request.url_rule is not None
    assert app.test_client().get("/").data == b"x"
    assert made == ["/", "/"]


def test_an_overridden_create_url_adapter_gets_the_request() -> None:
    seen: list[t.Any] = []

    class App(Flask):
        def create_url_adapter(self, request: t.Any) -> t.Any:
            seen.append(request)
            return super().create_url_adapter(request)

    app = App(__name__)
    app.add_url_rule("/", "index", lambda: "x")
    assert app.test_client().get("/").data == b"x"
    assert isinstance(seen[0], flask.Request)


def test_a_request_given_to_the_context_is_used(app: Flask) -> None:
    with app.test_request_context("/given") as outer:
        given = outer.request
    ctx = RequestContext(app, {}, request=given)
    assert ctx.request is given


def test_the_request_can_be_replaced(req_ctx: RequestContext) -> None:
    other = flask.Request.from_values("/other")
    req_ctx.request = other
    assert request.path == "/other"


def test_missing_attributes_still_raise(req_ctx: RequestContext) -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        req_ctx.nope  # type: ignore[attr-defined]  # noqa: B018


# -- the URL adapter, made on first use too ---------------------------------------------


def test_a_remembered_match_needs_no_url_adapter(app: Flask) -> None:
    seen: list[RequestContext] = []

    @app.route("/")
    def index() -> str:
        seen.append(request_ctx._get_current_object())  # type: ignore[attr-defined]
        return "hi"

    client = app.test_client()
    client.get("/")  # matched with an adapter, and remembered
    client.get("/")
    assert seen[1]._url_adapter is _UNMADE


@pytest.mark.parametrize(
    ("path", "query"), [("/p/q", "a=1"), ("/p/%C3%A9", ""), ("/", "x=%FF")]
)
def test_the_lazily_made_url_adapter_is_the_bound_one(
    app: Flask, path: str, query: str
) -> None:
    with app.test_request_context(
        path, query_string=query, method="POST", base_url="http://h.test:8080/root"
    ) as ctx:
        made = ctx.url_adapter
        expected = app.url_map.bind_to_environ(ctx._environ, subdomain="")
        for attr in (
            "server_name",
            "script_name",
            "subdomain",
            "url_scheme",
            "path_info",
            "default_method",
            "query_args",
        ):
            assert getattr(made, attr) == getattr(expected, attr), attr
        assert ctx.url_adapter is made


def test_url_for_and_options_use_the_lazily_made_adapter(app: Flask) -> None:
    @app.route("/a/<int:n>", methods=["GET", "PUT"])
    def a(n: int) -> str:
        return flask.url_for("a", n=n + 1, _external=True)

    client = app.test_client()
    assert client.get("/a/1").data == b"http://localhost/a/2"
    assert client.get("/a/1").data == b"http://localhost/a/2"
    assert set(client.options("/a/1").allow) == {"GET", "HEAD", "PUT", "OPTIONS"}


def test_a_refused_host_leaves_no_url_adapter(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = ["good.test"]
    with app.test_request_context(base_url="http://evil.test") as ctx:
        assert ctx.url_adapter is None
        assert request.routing_exception is not None
        assert request.routing_exception.code == 400


def _teardown_sees_request_made(app: Flask) -> list[bool]:
    made: list[bool] = []
    app.teardown_request(
        lambda exc: made.append(_made(request_ctx._get_current_object()))
    )  # type: ignore[attr-defined]
    return made


def test_a_404_nobody_reads_the_request_for_never_makes_it(app: Flask) -> None:
    made = _teardown_sees_request_made(app)
    environ = EnvironBuilder("/no/such/page").get_environ()
    statuses: list[str] = []
    body = app(environ, lambda status, headers: statuses.append(status))
    assert b"Not Found" in b"".join(body)
    assert statuses == ["404 NOT FOUND"]
    assert made == [False]


def test_a_404_handler_reading_the_request_sees_the_error(app: Flask) -> None:
    @app.errorhandler(404)
    def missing(e: NotFound) -> tuple[str, int]:
        assert request.routing_exception is e
        return f"no {request.path}", 404

    response = app.test_client().get("/nothing")
    assert response.status_code == 404
    assert response.text == "no /nothing"


def test_an_overridden_raise_routing_exception_is_called() -> None:
    class Custom(Flask):
        def raise_routing_exception(self, request: flask.Request) -> t.NoReturn:
            raise NotFound(f"custom for {request.path}")

    app = Custom(__name__)
    response = app.test_client().get("/nothing")
    assert response.status_code == 404
    assert b"custom for /nothing" in response.data
