"""Turning a view's return value into a response object: every accepted
type, the tuple forms, and the errors for everything else."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response as WerkzeugResponse

import flask
from flask import Flask


def _wsgi_app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
    start_response("201 CREATED", [("X-Wsgi", "yes"), ("Content-Type", "text/plain")])
    return [b"from ", b"wsgi"]


def _generator() -> t.Iterator[str]:
    yield "gen"
    yield "erated"


# (factory of the return value, status code, mimetype, body); factories
# because iterators are consumed and foreign responses converted in place.
BODIES: list[tuple[t.Callable[[], t.Any], int, str, bytes]] = [
    (lambda: "Hällo", 200, "text/html", "Hällo".encode()),
    (lambda: b"raw bytes", 200, "text/html", b"raw bytes"),
    (lambda: bytearray(b"array"), 200, "text/html", b"array"),
    (lambda: {"a": 1}, 200, "application/json", b'{"a":1}\n'),
    (lambda: [1, "two"], 200, "application/json", b'[1,"two"]\n'),
    (lambda: [], 200, "application/json", b"[]\n"),
    (lambda: {}, 200, "application/json", b"{}\n"),
    (lambda: iter([b"it", b"er"]), 200, "text/html", b"iter"),
    (lambda: _generator(), 200, "text/html", b"generated"),
    (lambda: _wsgi_app, 201, "text/plain", b"from wsgi"),
    (lambda: WerkzeugResponse("werkzeug", 202), 202, "text/plain", b"werkzeug"),
    (lambda: flask.Response("flask", 203, mimetype="text/csv"), 203, "text/csv",
     b"flask"),
]  # fmt: skip
BODY_IDS = ["str", "bytes", "bytearray", "dict", "list", "empty-list", "empty-dict",
            "iterator", "generator", "wsgi", "werkzeug-response", "flask-response"]  # fmt: skip


@pytest.mark.parametrize(("make", "status", "mimetype", "body"), BODIES, ids=BODY_IDS)
def test_view_return_types(
    app: Flask,
    client: t.Any,
    make: t.Callable[[], t.Any],
    status: int,
    mimetype: str,
    body: bytes,
) -> None:
    app.add_url_rule("/", "index", lambda: make())
    response = client.get("/")
    assert response.status_code == status
    assert response.mimetype == mimetype
    assert response.data == body


@pytest.mark.parametrize(("make", "status", "mimetype", "body"), BODIES, ids=BODY_IDS)
def test_make_response_returns_the_app_response_class(
    app: Flask,
    req_ctx: t.Any,
    make: t.Callable[[], t.Any],
    status: int,
    mimetype: str,
    body: bytes,
) -> None:
    response = app.make_response(make())
    assert type(response) is app.response_class
    assert response.status_code == status
    assert response.mimetype == mimetype
    assert response.get_data() == body


def test_response_instance_is_returned_as_is(app: Flask, req_ctx: t.Any) -> None:
    original = flask.Response("same")
    assert app.make_response(original) is original


def test_generator_is_streamed(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: _generator())
    with app.test_request_context():
        assert app.make_response(_generator()).is_streamed
    assert client.get("/").data == b"generated"


def test_text_is_encoded_as_utf8(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "snow ☃")
    response = client.get("/")
    assert response.content_type == "text/html; charset=utf-8"
    assert response.data == "snow ☃".encode()


# -- tuples -------------------------------------------------------------------


TUPLES: list[tuple[t.Callable[[], t.Any], int, str, dict[str, str]]] = [
    (lambda: ("created", 201), 201, "201 CREATED", {}),
    (lambda: ("created", "201 CREATED"), 201, "201 CREATED", {}),
    (lambda: ("custom", "299 Very Fine"), 299, "299 Very Fine", {}),
    (lambda: ("custom", 299), 299, "299 UNKNOWN", {}),
    (lambda: ("h", {"X-A": "1"}), 200, "200 OK", {"X-A": "1"}),
    (lambda: ("h", [("X-A", "1"), ("X-B", "2")]), 200, "200 OK",
     {"X-A": "1", "X-B": "2"}),
    (lambda: ("h", (("X-A", "1"),)), 200, "200 OK", {"X-A": "1"}),
    (lambda: ("h", Headers({"X-A": "1"})), 200, "200 OK", {"X-A": "1"}),
    (lambda: ("both", 404, {"X-A": "1"}), 404, "404 NOT FOUND", {"X-A": "1"}),
    (lambda: ("both", "404 NOT FOUND", [("X-A", "1")]), 404, "404 NOT FOUND",
     {"X-A": "1"}),
    (lambda: ("typed", 200, {"Content-Type": "text/plain"}), 200, "200 OK",
     {"Content-Type": "text/plain"}),
    (lambda: ({"json": True}, 400), 400, "400 BAD REQUEST",
     {"Content-Type": "application/json"}),
    (lambda: ({"json": True}, 201, {"X-A": "1"}), 201, "201 CREATED", {"X-A": "1"}),
    (lambda: (flask.Response("resp", 200), 418), 418, "418 I'M A TEAPOT", {}),
    (lambda: (flask.Response("resp", headers={"X-A": "old"}), {"X-A": "new"}), 200,
     "200 OK", {"X-A": "new"}),
    (lambda: (iter([b"streamed"]), 202, {"X-A": "1"}), 202, "202 ACCEPTED",
     {"X-A": "1"}),
    (lambda: (_wsgi_app, 200), 200, "200 OK", {"X-Wsgi": "yes"}),
]  # fmt: skip


@pytest.mark.parametrize(("make", "code", "status", "headers"), TUPLES)
def test_tuple_forms(
    app: Flask,
    client: t.Any,
    make: t.Callable[[], tuple[t.Any, ...]],
    code: int,
    status: str,
    headers: dict[str, str],
) -> None:
    app.add_url_rule("/", "index", lambda: make())
    response = client.get("/")
    assert response.status_code == code
    assert response.status == status
    for key, value in headers.items():
        assert response.headers[key] == value


def test_tuple_body_keeps_its_content(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: ("body", 201, {"X-A": "1"}))
    assert client.get("/").data == b"body"


def test_jsonify_with_status(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: (flask.jsonify(error="bad"), 400))
    response = client.get("/")
    assert response.status_code == 400
    assert response.json == {"error": "bad"}


# -- errors ------------------------------------------------------------------------


def test_none_is_an_error_naming_the_view(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def forgot_to_return() -> None:
        pass

    with pytest.raises(TypeError) as exc_info:
        client.get("/")
    message = str(exc_info.value)
    assert "'forgot_to_return'" in message
    assert "returned None" in message


def test_none_body_in_a_tuple_is_an_error(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def tuple_of_none() -> t.Any:
        return None, 200

    with pytest.raises(TypeError, match="'tuple_of_none' did not return"):
        client.get("/")


@pytest.mark.parametrize(
    ("rv", "type_name"),
    [
        (True, "bool"),
        (False, "bool"),
        (42, "int"),
        (1.5, "float"),
        (object(), "object"),
    ],
)
def test_unsupported_types_are_errors_naming_the_type(
    app: Flask, client: t.Any, rv: t.Any, type_name: str
) -> None:
    app.add_url_rule("/", "index", lambda: rv)
    with pytest.raises(TypeError, match=f"but it was a {type_name}"):
        client.get("/")


@pytest.mark.parametrize(
    "rv", [(), ("only body",), ("body", 200, {}, "extra"), ("a", 1, 2, 3, 4)]
)
def test_bad_tuple_length(app: Flask, client: t.Any, rv: tuple[t.Any, ...]) -> None:
    app.add_url_rule("/", "index", lambda: rv)
    with pytest.raises(TypeError, match="tuple must have the form"):
        client.get("/")


def test_callable_that_is_not_a_wsgi_app(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: lambda: None)
    with pytest.raises(TypeError, match="valid response"):
        client.get("/")


def test_errors_become_500_without_propagation(app: Flask, client: t.Any) -> None:
    app.testing = False

    @app.route("/")
    def forgot() -> None:
        pass

    assert client.get("/").status_code == 500


# -- flask.make_response ---------------------------------------------------------


def test_make_response_without_arguments(app: Flask, req_ctx: t.Any) -> None:
    response = flask.make_response()
    assert type(response) is app.response_class
    assert response.status_code == 200
    assert response.data == b""
    assert response.mimetype == "text/html"


def test_make_response_with_one_argument(req_ctx: t.Any) -> None:
    response = flask.make_response("body")
    assert response.data == b"body"
    response = flask.make_response(("teapot", 418))
    assert response.status_code == 418


def test_make_response_with_several_arguments(req_ctx: t.Any) -> None:
    response = flask.make_response("missing", 404, {"X-A": "1"})
    assert (response.data, response.status_code) == (b"missing", 404)
    assert response.headers["X-A"] == "1"


def test_make_response_in_a_view_to_add_a_cookie(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> flask.Response:
        response = flask.make_response({"ok": True}, 202)
        response.set_cookie("seen", "yes")
        return response

    response = client.get("/")
    assert response.status_code == 202
    assert response.json == {"ok": True}
    assert client.get_cookie("seen").value == "yes"


def test_make_response_needs_an_app_context() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        flask.make_response("x")
