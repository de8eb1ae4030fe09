"""Flask's Request and Response: limits read from config, the matched
endpoint and blueprints, JSON errors, default mimetype, cookie size."""

from __future__ import annotations

import io
import typing as t

import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as RequestBase

import flask
from flask import Flask
from flask import Request
from flask import Response
from flask.debughelpers import DebugFilesKeyError

# -- body and form limits -------------------------------------------------------------


def _read_form() -> str:
    return str(len(flask.request.form))


def _read_data() -> str:
    return str(len(flask.request.get_data()))


@pytest.mark.parametrize("reader", [_read_form, _read_data])
def test_max_content_length_from_config(
    app: Flask, client: t.Any, reader: t.Callable[[], str]
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    app.add_url_rule("/", "index", reader, methods=["POST"])
    assert client.post("/", data={"a": "123"}).status_code == 200
    assert client.post("/", data={"a": "x" * 100}).status_code == 413


def test_max_content_length_set_on_the_request(app: Flask, client: t.Any) -> None:
    @app.before_request
    def limit() -> None:
        if flask.request.path == "/small":
            flask.request.max_content_length = 5

    app.add_url_rule("/small", "small", _read_data, methods=["POST"])
    app.add_url_rule("/large", "large", _read_data, methods=["POST"])
    assert client.post("/small", data=b"x" * 6).status_code == 413
    assert client.post("/large", data=b"x" * 6).data == b"6"


def test_request_limit_overrides_config(app: Flask, client: t.Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 5

    @app.before_request
    def raise_limit() -> None:
        flask.request.max_content_length = 100

    app.add_url_rule("/", "index", _read_data, methods=["POST"])
    assert client.post("/", data=b"x" * 50).data == b"50"


def test_max_form_memory_size(app: Flask, client: t.Any) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    app.add_url_rule("/", "index", _read_form, methods=["POST"])
    multipart = "multipart/form-data"
    small = client.post("/", data={"a": "x" * 100}, content_type=multipart)
    assert small.status_code == 200
    large = client.post("/", data={"a": "x" * 5000}, content_type=multipart)
    assert large.status_code == 413


def test_max_form_memory_size_set_on_the_request(app: Flask, client: t.Any) -> None:
    @app.before_request
    def limit() -> None:
        flask.request.max_form_memory_size = 5

    app.add_url_rule("/", "index", _read_form, methods=["POST"])
    response = client.post(
        "/", data={"a": "123456"}, content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_max_form_parts(app: Flask, client: t.Any) -> None:
    app.config["MAX_FORM_PARTS"] = 3
    app.add_url_rule("/", "index", _read_form, methods=["POST"])
    few = {"a": "1", "b": "2"}
    many = {f"field{i}": str(i) for i in range(10)}
    assert client.post("/", data=few, content_type="multipart/form-data").data == b"2"
    response = client.post("/", data=many, content_type="multipart/form-data")
    assert response.status_code == 413


def test_max_form_parts_set_on_the_request(app: Flask, client: t.Any) -> None:
    @app.before_request
    def limit() -> None:
        flask.request.max_form_parts = 1

    app.add_url_rule("/", "index", _read_form, methods=["POST"])
    data = {"a": "1", "b": "2"}
    response = client.post("/", data=data, content_type="multipart/form-data")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("key", "attribute", "value"),
    [
        ("MAX_CONTENT_LENGTH", "max_content_length", 123),
        ("MAX_FORM_MEMORY_SIZE", "max_form_memory_size", 456),
        ("MAX_FORM_PARTS", "max_form_parts", 789),
    ],
)
def test_limits_read_from_config(
    app: Flask, key: str, attribute: str, value: int
) -> None:
    app.config[key] = value
    with app.test_request_context():
        assert getattr(flask.request, attribute) == value


@pytest.mark.parametrize(
    ("attribute", "werkzeug_default"),
    [
        ("max_content_length", None),
        ("max_form_memory_size", 500_000),
        ("max_form_parts", 1_000),
    ],
)
def test_limits_outside_an_app_context(
    attribute: str, werkzeug_default: int | None
) -> None:
    request = Request(EnvironBuilder().get_environ())
    assert getattr(request, attribute) == werkzeug_default


def test_default_limits(req_ctx: t.Any) -> None:
    assert flask.request.max_content_length is None
    assert flask.request.max_form_memory_size == 500_000
    assert flask.request.max_form_parts == 1_000


# -- endpoint and blueprints -------------------------------------------------------------


def test_endpoint_of_a_matched_request(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> dict[str, t.Any]:
        request = flask.request
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
        }

    assert client.get("/").json == {
        "endpoint": "index",
        "blueprint": None,
        "blueprints": [],
    }


def test_endpoint_is_none_when_nothing_matched(app: Flask, client: t.Any) -> None:
    @app.errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        request = flask.request
        assert request.url_rule is None
        assert request.view_args is None
        return repr((request.endpoint, request.blueprint, request.blueprints)), 404

    assert client.get("/nowhere").data == b"(None, None, [])"


def test_endpoint_and_blueprints_of_nested_blueprints(
    app: Flask, client: t.Any
) -> None:
    parent = flask.Blueprint("parent", __name__, url_prefix="/parent")
    child = flask.Blueprint("child", __name__, url_prefix="/child")

    @child.route("/view")
    def view() -> dict[str, t.Any]:
        request = flask.request
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": request.blueprints,
        }

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/parent/child/view").json == {
        "endpoint": "parent.child.view",
        "blueprint": "parent.child",
        "blueprints": ["parent.child", "parent"],
    }


# -- files sent without multipart, in debug ------------------------------------------


def _read_file() -> str:
    return flask.request.files["upload"].filename or ""


@pytest.mark.parametrize(
    ("form", "submitted"),
    [
        ({"upload": "report.txt"}, "This was submitted: 'report.txt'"),
        ({"upload": ["a.txt", "b.txt"]}, "This was submitted: 'a.txt', 'b.txt'"),
    ],
)
def test_file_sent_as_a_form_field_is_explained_in_debug(
    app: Flask, client: t.Any, form: dict[str, t.Any], submitted: str
) -> None:
    app.debug = True
    app.add_url_rule("/", "index", _read_file, methods=["POST"])
    with pytest.raises(DebugFilesKeyError) as exc_info:
        client.post("/", data=form)
    message = str(exc_info.value)
    assert "no file contents were transmitted" in message
    assert "'application/x-www-form-urlencoded'" in message
    assert submitted in message
    assert isinstance(exc_info.value, KeyError)


def test_file_sent_as_a_form_field_is_a_400_in_production(
    app: Flask, client: t.Any
) -> None:
    app.add_url_rule("/", "index", _read_file, methods=["POST"])
    assert client.post("/", data={"upload": "report.txt"}).status_code == 400


def test_missing_file_in_debug_without_a_matching_field(
    app: Flask, client: t.Any
) -> None:
    app.debug = True
    app.add_url_rule("/", "index", _read_file, methods=["POST"])
    with pytest.raises(KeyError) as exc_info:
        client.post("/", data={"other": "x"})
    assert not isinstance(exc_info.value, DebugFilesKeyError)


def test_real_upload_in_debug(app: Flask, client: t.Any) -> None:
    app.debug = True
    app.add_url_rule("/", "index", _read_file, methods=["POST"])
    data = {"upload": (io.BytesIO(b"content"), "real.txt")}
    assert client.post("/", data=data).data == b"real.txt"


# -- JSON -----------------------------------------------------------------------------


def test_get_json(app: Flask, client: t.Any) -> None:
    app.add_url_rule(
        "/", "index", lambda: {"got": flask.request.get_json()}, methods=["POST"]
    )
    assert client.post("/", json={"a": [1, 2]}).json == {"got": {"a": [1, 2]}}


@pytest.mark.parametrize("debug", [False, True])
def test_malformed_json_is_a_400(app: Flask, client: t.Any, debug: bool) -> None:
    app.config.update(DEBUG=debug, TRAP_BAD_REQUEST_ERRORS=False)
    app.add_url_rule("/", "index", lambda: str(flask.request.json), methods=["POST"])
    response = client.post("/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert (b"Failed to decode JSON object" in response.data) is debug


def test_malformed_json_silent(app: Flask) -> None:
    with app.test_request_context(
        method="POST", data="{not json", content_type="application/json"
    ):
        assert flask.request.get_json(silent=True) is None


def test_json_with_another_content_type_is_a_415(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: str(flask.request.json), methods=["POST"])
    response = client.post("/", data='{"a": 1}', content_type="text/plain")
    assert response.status_code == 415


def test_on_json_loading_failed_can_be_overridden(app: Flask, client: t.Any) -> None:
    class LenientRequest(Request):
        def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
            return {"invalid": True}

    app.request_class = LenientRequest
    app.add_url_rule("/", "index", lambda: flask.request.get_json(), methods=["POST"])
    response = client.post("/", data="{", content_type="application/json")
    assert response.json == {"invalid": True}


def test_request_json_uses_the_app_provider(app: Flask, client: t.Any) -> None:
    class Provider(flask.json.provider.DefaultJSONProvider):
        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            return {"loaded_by": "provider"}

    app.json = Provider(app)
    app.add_url_rule("/", "index", lambda: flask.request.get_json(), methods=["POST"])
    assert client.post("/", json={"a": 1}).json == {"loaded_by": "provider"}


# -- Response ------------------------------------------------------------------------------


def test_response_default_mimetype() -> None:
    response = Response("body")
    assert response.mimetype == "text/html"
    assert response.content_type == "text/html; charset=utf-8"
    assert Response.default_mimetype == "text/html"


def test_response_explicit_mimetype() -> None:
    assert Response("{}", mimetype="application/json").mimetype == "application/json"


def test_response_location_is_not_made_absolute(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: flask.redirect("/elsewhere"))
    assert client.get("/").headers["Location"] == "/elsewhere"


def test_response_max_cookie_size_from_config(app: Flask) -> None:
    app.config["MAX_COOKIE_SIZE"] = 100
    with app.app_context():
        response = Response()
        assert response.max_cookie_size == 100
        with pytest.warns(UserWarning, match="cookie is too large"):
            response.set_cookie("big", "x" * 200)
        response.set_cookie("small", "x" * 10)


def test_response_max_cookie_size_zero_disables_the_check(app: Flask) -> None:
    app.config["MAX_COOKIE_SIZE"] = 0
    with app.app_context():
        Response().set_cookie("huge", "x" * 10_000)


def test_response_max_cookie_size_outside_an_app() -> None:
    assert Response().max_cookie_size == 4093


def test_response_json(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: {"a": 1})
    assert client.get("/").json == {"a": 1}


def test_limits_outside_an_app_context_are_werkzeugs() -> None:
    from werkzeug.wrappers import Request as WerkzeugRequest
    from werkzeug.wrappers import Response as WerkzeugResponse

    request = Request(EnvironBuilder().get_environ())
    for name in ("max_content_length", "max_form_memory_size", "max_form_parts"):
        assert getattr(request, name) == getattr(WerkzeugRequest, name)
    request.max_form_parts = 3
    assert request.max_form_parts == 3
    assert Response().max_cookie_size == WerkzeugResponse.max_cookie_size


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        (None, []),
        ("", []),
        ("a=1", [("a", "1")]),
        ('a=1; b="x y"; a=2', [("a", "1"), ("a", "2"), ("b", "x y")]),
        ("bad;;c=3", [("bad", ""), ("c", "3")]),
    ],
)
def test_cookies_as_werkzeug_parses_them(
    cookie: str | None, expected: list[tuple[str, str]]
) -> None:
    headers = {} if cookie is None else {"Cookie": cookie}
    environ = EnvironBuilder(headers=headers).get_environ()
    reference = RequestBase(environ).cookies
    cookies = Request(environ).cookies
    assert sorted(cookies.items(multi=True)) == expected
    assert type(cookies) is type(reference)
    assert list(cookies.items(multi=True)) == list(reference.items(multi=True))


def test_cookies_follow_replaced_headers() -> None:
    req = Request(EnvironBuilder(headers={"Cookie": "a=1"}).get_environ())
    req.headers = Headers([("Cookie", "z=9")])  # type: ignore[assignment]
    assert req.cookies.to_dict() == {"z": "9"}
