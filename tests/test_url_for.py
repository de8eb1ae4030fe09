"""Building URLs: relative and external URLs, the special arguments,
blueprint-relative endpoints, URL defaults and preprocessors, build
error handlers, and building outside a request."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.routing import BuildError

import flask
from flask import Flask


@pytest.fixture
def url_app(app: Flask) -> Flask:
    app.add_url_rule("/", "index", lambda: "")
    app.add_url_rule("/user/<name>", "user", lambda name: name)
    app.add_url_rule("/page/<int:num>", "page", lambda num: str(num))

    def thing() -> str:
        return ""

    app.add_url_rule("/read", "thing", thing, methods=["GET"])
    app.add_url_rule("/write", "thing", thing, methods=["POST"])
    return app


# -- in a request --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "values", "expected"),
    [
        ("index", {}, "/"),
        ("user", {"name": "ann"}, "/user/ann"),
        ("user", {"name": "John Doe"}, "/user/John%20Doe"),
        ("user", {"name": "Zoë"}, "/user/Zo%C3%AB"),
        ("page", {"num": 3}, "/page/3"),
        ("index", {"q": "x y", "n": 2}, "/?q=x+y&n=2"),
        ("index", {"skip": None}, "/"),
        ("index", {"many": [1, 2]}, "/?many=1&many=2"),
        ("static", {"filename": "css/site.css"}, "/static/css/site.css"),
    ],
)
def test_relative_urls_in_a_request(
    url_app: Flask, endpoint: str, values: dict[str, t.Any], expected: str
) -> None:
    with url_app.test_request_context():
        assert flask.url_for(endpoint, **values) == expected


def test_external_urls_in_a_request(url_app: Flask) -> None:
    with url_app.test_request_context(base_url="https://site.test:8443"):
        assert flask.url_for("user", name="ann", _external=True) == (
            "https://site.test:8443/user/ann"
        )
        assert flask.url_for("index", _external=False) == "/"


def test_scheme_implies_external_in_a_request(url_app: Flask) -> None:
    with url_app.test_request_context():
        assert flask.url_for("index", _scheme="https") == "https://localhost/"
        assert flask.url_for("index", _scheme="https", _external=True) == (
            "https://localhost/"
        )


def test_scheme_without_external_is_a_value_error(url_app: Flask) -> None:
    with url_app.test_request_context():
        with pytest.raises(ValueError, match="'_external' must be True"):
            flask.url_for("index", _scheme="https", _external=False)


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("top", "/#top"),
        ("two words", "/#two%20words"),
        ("ünï", "/#%C3%BCn%C3%AF"),
        ("a/b?c=d&e", "/#a/b?c=d&e"),
        ("x#y", "/#x#y"),
        ("<tag>", "/#%3Ctag%3E"),
        ("%41", "/#%41"),
    ],
)
def test_anchor_is_quoted(url_app: Flask, anchor: str, expected: str) -> None:
    with url_app.test_request_context():
        assert flask.url_for("index", _anchor=anchor) == expected


def test_anchor_after_the_query(url_app: Flask) -> None:
    with url_app.test_request_context():
        assert flask.url_for("index", q="1", _anchor="end") == "/?q=1#end"


@pytest.mark.parametrize(
    ("method", "expected"), [(None, "/read"), ("GET", "/read"), ("POST", "/write")]
)
def test_method_picks_the_rule(
    url_app: Flask, method: str | None, expected: str
) -> None:
    with url_app.test_request_context():
        assert flask.url_for("thing", _method=method) == expected


def test_method_with_no_rule_is_a_build_error(url_app: Flask) -> None:
    with url_app.test_request_context(), pytest.raises(BuildError):
        flask.url_for("thing", _method="DELETE")


def test_app_url_for_is_the_same(url_app: Flask) -> None:
    with url_app.test_request_context():
        assert url_app.url_for("user", name="x") == flask.url_for("user", name="x")


def test_missing_value_is_a_build_error(url_app: Flask) -> None:
    with url_app.test_request_context(), pytest.raises(BuildError):
        flask.url_for("user")


# -- blueprint-relative endpoints ------------------------------------------------------


@pytest.fixture
def bp_app(app: Flask) -> Flask:
    bp = flask.Blueprint("shop", __name__, url_prefix="/shop")
    bp.add_url_rule("/", "index", lambda: flask.url_for(".index"))
    bp.add_url_rule("/cart", "cart", lambda: flask.url_for(".cart"))
    bp.add_url_rule("/home", "to_home", lambda: flask.url_for("index"))
    app.add_url_rule("/", "index", lambda: flask.url_for(".index"))
    app.register_blueprint(bp)
    return app


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/shop/", "/shop/"),
        ("/shop/cart", "/shop/cart"),
        ("/shop/home", "/"),
    ],
)
def test_dot_endpoints_are_relative_to_the_blueprint(
    bp_app: Flask, path: str, expected: str
) -> None:
    assert bp_app.test_client().get(path).data == expected.encode()


def test_full_blueprint_endpoint_from_the_app(bp_app: Flask) -> None:
    with bp_app.test_request_context():
        assert flask.url_for("shop.cart") == "/shop/cart"


# -- url_defaults and url_value_preprocessor --------------------------------------------


@pytest.fixture
def lang_app(app: Flask) -> Flask:
    @app.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        if "lang" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = flask.g.get("lang", "en")

    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None:
            flask.g.lang = values.pop("lang", None)

    @app.route("/<lang>/about")
    def about() -> str:
        return flask.url_for("about")

    @app.route("/<lang>/link")
    def link() -> str:
        return flask.url_for("about", lang="de")

    @app.route("/plain")
    def plain() -> str:
        return flask.url_for("plain")

    return app


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/fr/about", b"/fr/about"), ("/fr/link", b"/de/about"), ("/plain", b"/plain")],
)
def test_url_defaults_with_value_preprocessor(
    lang_app: Flask, path: str, expected: bytes
) -> None:
    assert lang_app.test_client().get(path).data == expected


def test_url_defaults_outside_a_request(lang_app: Flask) -> None:
    with lang_app.test_request_context("/plain"):
        assert flask.url_for("about") == "/en/about"


def test_url_defaults_receive_endpoint_and_values(app: Flask) -> None:
    seen = []
    app.add_url_rule("/x", "x", lambda: "")
    app.url_defaults(lambda endpoint, values: seen.append((endpoint, dict(values))))
    with app.test_request_context():
        flask.url_for("x", a=1)
    assert seen == [("x", {"a": 1})]


# -- build error handlers ----------------------------------------------------------------


def test_build_error_handler_returns_a_url(app: Flask) -> None:
    calls = []

    def external(error: BuildError, endpoint: str, values: dict[str, t.Any]) -> str:
        calls.append((endpoint, values))
        return f"https://elsewhere.test/{endpoint}"

    app.url_build_error_handlers.append(external)
    with app.test_request_context():
        assert flask.url_for("remote", page=2) == "https://elsewhere.test/remote"
    ((endpoint, values),) = calls
    assert endpoint == "remote"
    assert values["page"] == 2
    assert {"_anchor", "_method", "_scheme", "_external"} <= set(values)


def test_build_error_handlers_are_tried_in_order(app: Flask) -> None:
    tried = []

    def declines(error: BuildError, endpoint: str, values: t.Any) -> None:
        tried.append("declines")
        return None

    def reraises(error: BuildError, endpoint: str, values: t.Any) -> str:
        tried.append("reraises")
        raise error

    def answers(error: BuildError, endpoint: str, values: t.Any) -> str:
        tried.append("answers")
        return "/answer"

    app.url_build_error_handlers.extend([declines, reraises, answers])
    with app.test_request_context():
        assert flask.url_for("missing") == "/answer"
    assert tried == ["declines", "reraises", "answers"]


def test_build_error_raised_when_no_handler_answers(app: Flask) -> None:
    app.url_build_error_handlers.append(lambda error, endpoint, values: None)
    with app.test_request_context(), pytest.raises(BuildError) as exc_info:
        flask.url_for("missing")
    assert exc_info.value.endpoint == "missing"


def test_handle_url_build_error_can_be_overridden() -> None:
    class Lenient(Flask):
        def handle_url_build_error(
            self, error: BuildError, endpoint: str, values: dict[str, t.Any]
        ) -> str:
            return f"/unknown/{endpoint}"

    app = Lenient(__name__)
    with app.test_request_context():
        assert flask.url_for("nope") == "/unknown/nope"


# -- outside a request -------------------------------------------------------------------


def test_no_server_name_outside_a_request(url_app: Flask) -> None:
    with url_app.app_context():
        with pytest.raises(RuntimeError, match="without 'SERVER_NAME' configured"):
            flask.url_for("index")


@pytest.mark.parametrize(
    ("config", "kwargs", "expected"),
    [
        ({}, {}, "http://example.test/user/ann"),
        ({}, {"_external": False}, "/user/ann"),
        ({"PREFERRED_URL_SCHEME": "https"}, {}, "https://example.test/user/ann"),
        ({}, {"_scheme": "https"}, "https://example.test/user/ann"),
        ({"APPLICATION_ROOT": "/app"}, {}, "http://example.test/app/user/ann"),
        ({"APPLICATION_ROOT": "/app"}, {"_external": False}, "/app/user/ann"),
        ({"SERVER_NAME": "example.test:8080"}, {}, "http://example.test:8080/user/ann"),
    ],
)
def test_with_server_name_outside_a_request(
    url_app: Flask, config: dict[str, str], kwargs: dict[str, t.Any], expected: str
) -> None:
    url_app.config["SERVER_NAME"] = "example.test"
    url_app.config.update(config)
    with url_app.app_context():
        assert flask.url_for("user", name="ann", **kwargs) == expected


def test_app_url_for_without_any_context(url_app: Flask) -> None:
    url_app.config["SERVER_NAME"] = "example.test"
    assert url_app.url_for("index") == "http://example.test/"
    url_app.config["SERVER_NAME"] = None
    with pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_app.url_for("index")


def test_dot_endpoint_outside_a_request_is_not_resolved(url_app: Flask) -> None:
    url_app.config["SERVER_NAME"] = "example.test"
    with url_app.app_context(), pytest.raises(BuildError):
        flask.url_for(".index")


# -- APPLICATION_ROOT in a request ------------------------------------------------------


def test_application_root_in_a_request(url_app: Flask) -> None:
    url_app.config["APPLICATION_ROOT"] = "/mounted"

    @url_app.route("/where")
    def where() -> dict[str, str]:
        return {
            "relative": flask.url_for("user", name="x"),
            "external": flask.url_for("user", name="x", _external=True),
            "script_root": flask.request.script_root,
        }

    response = url_app.test_client().get("/where")
    assert response.json == {
        "relative": "/mounted/user/x",
        "external": "http://localhost/mounted/user/x",
        "script_root": "/mounted",
    }


def test_script_root_from_the_environ(url_app: Flask) -> None:
    with url_app.test_request_context("/", base_url="http://site.test/prefix"):
        assert flask.url_for("user", name="x") == "/prefix/user/x"
        assert flask.url_for("index", _external=True) == "http://site.test/prefix/"


# -- remembered builds -------------------------------------------------------------


def _twice(app: Flask, endpoint: str, **values: t.Any) -> str:
    """Build once to be remembered, then again from memory."""
    first = flask.url_for(endpoint, **values)
    assert flask.url_for(endpoint, **values) == first
    return first


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": "ada", "a": "1", "b": "2"}, "/user/ada?a=1&b=2"),
        ({"b": "2", "a": "1", "name": "ada"}, "/user/ada?b=2&a=1"),
        ({"name": 1}, "/user/1"),
        ({"name": True}, "/user/True"),
        ({"name": 1.5}, "/user/1.5"),
        ({"name": "a b/é"}, "/user/a%20b/%C3%A9"),
        ({"name": "x", "tags": ["a", "b"]}, "/user/x?tags=a&tags=b"),
    ],
)
def test_remembered_builds_match_what_werkzeug_builds(
    url_app: Flask, values: dict[str, t.Any], expected: str
) -> None:
    with url_app.test_request_context():
        for other in ({"name": 1}, {"name": True}, {"name": 1.0}):
            flask.url_for("user", **other)  # neighbours that hash alike
        assert _twice(url_app, "user", **values) == expected


def test_each_host_gets_its_own_external_urls(url_app: Flask) -> None:
    for host in ("one.test", "two.test", "one.test"):
        with url_app.test_request_context(base_url=f"http://{host}/"):
            assert _twice(url_app, "index", _external=True) == f"http://{host}/"


def test_a_rule_added_later_changes_the_urls(url_app: Flask) -> None:
    with url_app.test_request_context():
        assert _twice(url_app, "index", page=2) == "/?page=2"
    url_app.add_url_rule("/p/<int:page>", "index", url_app.view_functions["index"])
    with url_app.test_request_context():
        assert _twice(url_app, "index", page=2) == "/p/2"


def test_url_defaults_apply_on_every_build(url_app: Flask) -> None:
    @url_app.url_defaults
    def lang(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", flask.g.lang)

    for lang_code in ("en", "fr", "en"):
        with url_app.test_request_context():
            flask.g.lang = lang_code
            assert _twice(url_app, "index") == f"/?lang={lang_code}"


def test_a_custom_converter_runs_on_every_build(app: Flask) -> None:
    from werkzeug.routing import BaseConverter

    calls: list[t.Any] = []

    class Recording(BaseConverter):
        def to_url(self, value: t.Any) -> str:
            calls.append(value)
            return str(value)

    app.url_map.converters["rec"] = Recording
    app.add_url_rule("/r/<rec:item>", "item", lambda item: "")
    with app.test_request_context():
        assert _twice(app, "item", item="x") == "/r/x"
    assert calls == ["x", "x"]


def test_build_errors_are_not_remembered(url_app: Flask) -> None:
    with url_app.test_request_context():
        for _ in range(2):
            with pytest.raises(BuildError):
                flask.url_for("user")
