"""Registering routes and matching requests to them: endpoints, methods,
automatic HEAD/OPTIONS, converters, canonical URLs, hosts and subdomains,
and the guard against setup after the first request."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.routing import BaseConverter
from werkzeug.routing import BuildError
from werkzeug.routing import RequestRedirect
from werkzeug.routing import Rule

import flask
from flask import Flask
from flask.debughelpers import FormDataRoutingRedirect

# -- registration ----------------------------------------------------------------


def test_route_registers_and_returns_the_function(app: Flask, client: t.Any) -> None:
    def hello() -> str:
        return "hello"

    assert app.route("/hello")(hello) is hello
    assert app.view_functions["hello"] is hello
    assert client.get("/hello").data == b"hello"


def test_add_url_rule_is_the_same_as_route(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/a", view_func=lambda: "a", endpoint="a")
    assert client.get("/a").data == b"a"
    assert [r.rule for r in app.url_map.iter_rules("a")] == ["/a"]


def test_overriding_add_url_rule_customises_route() -> None:
    calls = []

    class Recording(Flask):
        def add_url_rule(self, rule: str, *args: t.Any, **kwargs: t.Any) -> None:
            calls.append(rule)
            super().add_url_rule(rule, *args, **kwargs)

    app = Recording(__name__, static_folder=None)
    app.route("/x")(lambda: "x")
    assert calls == ["/x"]


def test_endpoint_defaults_to_the_function_name(app: Flask) -> None:
    @app.route("/")
    def the_index() -> str:
        return ""

    assert app.url_map._rules_by_endpoint["the_index"][0].rule == "/"


def test_explicit_endpoint(app: Flask, client: t.Any) -> None:
    @app.route("/", endpoint="home")
    def index() -> str:
        return flask.request.endpoint or ""

    assert "index" not in app.view_functions
    assert client.get("/").data == b"home"


def test_add_url_rule_needs_an_endpoint_or_a_view(app: Flask) -> None:
    with pytest.raises(AssertionError, match="expected view func"):
        app.add_url_rule("/nothing")


def test_rule_without_view_then_endpoint_decorator(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/late", endpoint="late")

    @app.endpoint("late")
    def late_view() -> str:
        return "late"

    assert client.get("/late").data == b"late"


def test_endpoint_decorator_for_a_rule_added_to_the_map(
    app: Flask, client: t.Any
) -> None:
    app.url_map.add(Rule("/raw", endpoint="raw"))

    @app.endpoint("raw")
    def raw() -> str:
        return "raw"

    assert client.get("/raw").data == b"raw"


def test_several_rules_for_one_view(app: Flask, client: t.Any) -> None:
    @app.route("/")
    @app.route("/<name>/")
    def greet(name: str = "world") -> str:
        return f"hello {name}"

    assert client.get("/").data == b"hello world"
    assert client.get("/you/").data == b"hello you"


def test_rule_defaults_and_the_redirect_to_the_short_url(
    app: Flask, client: t.Any
) -> None:
    @app.route("/users/", defaults={"page": 1})
    @app.route("/users/page/<int:page>")
    def users(page: int) -> str:
        return f"page {page}"

    assert client.get("/users/").data == b"page 1"
    assert client.get("/users/page/2").data == b"page 2"
    # Asking for the default explicitly redirects to the canonical URL.
    response = client.get("/users/page/1")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/users/")


def test_rules_are_ordered_by_complexity_not_declaration(
    app: Flask, client: t.Any
) -> None:
    app.add_url_rule("/<page>", "page", lambda page: f"page {page}")
    app.add_url_rule("/about", "about", lambda: "about")
    assert client.get("/about").data == b"about"
    assert client.get("/other").data == b"page other"


def test_duplicate_endpoint_with_another_function(app: Flask) -> None:
    @app.route("/one")
    def view() -> str:
        return "one"

    def other() -> str:
        return "two"

    with pytest.raises(AssertionError, match="overwriting an existing endpoint"):
        app.add_url_rule("/two", "view", other)


def test_same_function_may_be_registered_twice(app: Flask, client: t.Any) -> None:
    def view() -> str:
        return "same"

    app.add_url_rule("/one", view_func=view)
    app.add_url_rule("/two", view_func=view)
    assert client.get("/two").data == b"same"


def test_request_knows_the_matched_rule(app: Flask, client: t.Any) -> None:
    @app.route("/item/<int:item_id>", methods=["GET", "POST"])
    def item(item_id: int) -> dict[str, t.Any]:
        rule = flask.request.url_rule
        assert rule is not None
        return {
            "rule": rule.rule,
            "methods": sorted(rule.methods or ()),
            "view_args": flask.request.view_args,
        }

    assert client.get("/item/7").json == {
        "rule": "/item/<int:item_id>",
        "methods": ["GET", "HEAD", "OPTIONS", "POST"],
        "view_args": {"item_id": 7},
    }


# -- methods ----------------------------------------------------------------------------


def test_default_methods(app: Flask) -> None:
    app.add_url_rule("/", "index", lambda: "")
    (rule,) = app.url_map.iter_rules("index")
    assert rule.methods == {"GET", "HEAD", "OPTIONS"}


def test_methods_are_uppercased(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "posted", methods=["post"])
    assert client.post("/").data == b"posted"
    assert client.get("/").status_code == 405


@pytest.mark.parametrize("methods", ["GET", "POST", "get"])
def test_methods_as_a_string_is_a_type_error(app: Flask, methods: str) -> None:
    with pytest.raises(TypeError, match="list of strings"):
        app.add_url_rule("/", "index", lambda: "", methods=methods)


def test_methods_attribute_of_the_view(app: Flask, client: t.Any) -> None:
    def view() -> str:
        return flask.request.method

    view.methods = ["PUT", "DELETE"]  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)
    assert client.put("/").data == b"PUT"
    assert client.delete("/").data == b"DELETE"
    assert client.get("/").status_code == 405


def test_explicit_methods_win_over_the_view_attribute(
    app: Flask, client: t.Any
) -> None:
    def view() -> str:
        return "ok"

    view.methods = ["PUT"]  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view, methods=["PATCH"])
    assert client.patch("/").status_code == 200
    assert client.put("/").status_code == 405


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_method_shortcuts(app: Flask, client: t.Any, method: str) -> None:
    @getattr(app, method)("/thing")
    def thing() -> str:
        return flask.request.method

    (rule,) = app.url_map.iter_rules("thing")
    expected = {method.upper(), "OPTIONS"} | ({"HEAD"} if method == "get" else set())
    assert rule.methods == expected
    assert getattr(client, method)("/thing").data == method.upper().encode()
    other = "put" if method != "put" else "post"
    assert getattr(client, other)("/thing").status_code == 405


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "patch"])
def test_method_shortcuts_refuse_methods(app: Flask, method: str) -> None:
    with pytest.raises(TypeError, match="Use the 'route' decorator"):
        getattr(app, method)("/thing", methods=["GET"])


def test_method_shortcut_keeps_other_options(app: Flask, client: t.Any) -> None:
    @app.get("/x", endpoint="named", defaults={"value": 3})
    def view(value: int) -> str:
        return str(value)

    assert "named" in app.view_functions
    assert client.get("/x").data == b"3"


def test_wrong_method_gives_405_with_allow(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "", methods=["GET", "POST"])
    response = client.delete("/")
    assert response.status_code == 405
    assert set(response.allow) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_405_allow_merges_methods_of_all_rules_for_the_url(
    app: Flask, client: t.Any
) -> None:
    app.add_url_rule("/", "read", lambda: "", methods=["GET"])
    app.add_url_rule("/", "write", lambda: "", methods=["PUT"])
    response = client.delete("/")
    assert response.status_code == 405
    assert set(response.allow) == {"GET", "HEAD", "PUT", "OPTIONS"}


def test_automatic_head(app: Flask, client: t.Any) -> None:
    calls = []

    @app.route("/")
    def index() -> t.Any:
        calls.append(flask.request.method)
        return "body", {"X-Custom": "yes"}

    head = client.head("/")
    get = client.get("/")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["X-Custom"] == "yes"
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == "4"
    assert calls == ["HEAD", "GET"]


def test_no_head_without_get(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "", methods=["POST"])
    assert client.head("/").status_code == 405


def test_automatic_options(app: Flask, client: t.Any) -> None:
    calls = []

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        calls.append(1)
        return "view"

    response = client.options("/")
    assert response.status_code == 200
    assert response.data == b""
    assert set(response.allow) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert calls == []


def _disable_by_argument(app: Flask, view: t.Callable[..., t.Any]) -> None:
    app.add_url_rule("/", view_func=view, provide_automatic_options=False)


def _disable_by_attribute(app: Flask, view: t.Callable[..., t.Any]) -> None:
    view.provide_automatic_options = False  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)


def _disable_by_config(app: Flask, view: t.Callable[..., t.Any]) -> None:
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.add_url_rule("/", view_func=view)


@pytest.mark.parametrize(
    "disable", [_disable_by_argument, _disable_by_attribute, _disable_by_config]
)
def test_automatic_options_can_be_disabled(
    app: Flask, client: t.Any, disable: t.Callable[..., None]
) -> None:
    def view() -> str:
        return "view"

    disable(app, view)
    assert client.get("/").data == b"view"
    response = client.options("/")
    assert response.status_code == 405
    assert "OPTIONS" not in response.allow


def test_view_handles_options_it_lists(app: Flask, client: t.Any) -> None:
    @app.route("/", methods=["GET", "options"])
    def index() -> str:
        return f"handled {flask.request.method}"

    assert client.options("/").data == b"handled OPTIONS"


def test_provide_automatic_options_true_keeps_options_with_the_view_methods(
    app: Flask, client: t.Any
) -> None:
    def view() -> str:
        return "view"

    view.provide_automatic_options = True  # type: ignore[attr-defined]
    view.methods = ["GET", "OPTIONS"]  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)
    response = client.options("/")
    assert response.data == b""
    assert "OPTIONS" in response.allow


def test_required_methods_are_always_added(app: Flask, client: t.Any) -> None:
    def view() -> str:
        return flask.request.method

    view.required_methods = ["POST"]  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view, methods=["GET"])
    assert client.post("/").data == b"POST"
    assert client.get("/").data == b"GET"


# -- converters ---------------------------------------------------------------------


class ListConverter(BaseConverter):
    def to_python(self, value: str) -> list[str]:
        return value.split(",")

    def to_url(self, value: t.Any) -> str:
        return ",".join(BaseConverter.to_url(self, item) for item in value)


def test_custom_converter(app: Flask, client: t.Any) -> None:
    app.url_map.converters["list"] = ListConverter

    @app.route("/tags/<list:tags>")
    def tags(tags: list[str]) -> dict[str, t.Any]:
        return {"tags": tags, "url": flask.url_for("tags", tags=tags)}

    assert client.get("/tags/a,b,c").json == {
        "tags": ["a", "b", "c"],
        "url": "/tags/a,b,c",
    }


def test_unknown_converter_is_an_error_at_registration(app: Flask) -> None:
    with pytest.raises(LookupError):
        app.add_url_rule("/<nope:x>", "x", lambda x: x)


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        ("/<int:value>", "/42", "/abc"),
        ("/<float:value>", "/1.5", "/1"),
        ("/<uuid:value>", "/12345678-1234-5678-1234-567812345678", "/xyz"),
        ("/<any(red, blue):value>", "/red", "/green"),
        ("/<value>", "/plain", "/with/slash"),
    ],
)
def test_converter_failure_is_404(
    app: Flask, client: t.Any, rule: str, good: str, bad: str
) -> None:
    app.add_url_rule(rule, "view", lambda value: str(value))
    assert client.get(good).status_code == 200
    assert client.get(bad).status_code == 404


def test_path_converter_accepts_slashes(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/files/<path:name>", "files", lambda name: name)
    assert client.get("/files/a/b/c.txt").data == b"a/b/c.txt"


# -- canonical URLs, redirects and build-only rules -----------------------------------


def test_trailing_slash_rule_redirects_permanently(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/folder/", "folder", lambda: "folder")
    response = client.get("/folder?page=2")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/folder/?page=2"
    assert client.get("/folder/").data == b"folder"


def test_trailing_slash_redirect_keeps_post_in_debug(app: Flask, client: t.Any) -> None:
    app.debug = True
    app.add_url_rule("/folder/", "folder", lambda: "posted", methods=["POST"])
    response = client.post("/folder", data={"a": "b"}, follow_redirects=True)
    assert response.data == b"posted"


@pytest.mark.parametrize(
    ("debug", "code", "method", "raises"),
    [
        (True, 301, "POST", True),
        (True, 302, "PUT", True),
        (True, 301, "GET", False),
        (True, 307, "POST", False),
        (False, 301, "POST", False),
    ],
)
def test_form_dropping_redirect_is_explained_in_debug(
    app: Flask,
    client: t.Any,
    monkeypatch: pytest.MonkeyPatch,
    debug: bool,
    code: int,
    method: str,
    raises: bool,
) -> None:
    app.debug = debug
    app.add_url_rule("/folder/", "folder", lambda: "", methods=["GET", "POST", "PUT"])
    monkeypatch.setattr(RequestRedirect, "code", code)
    if raises:
        with pytest.raises(FormDataRoutingRedirect) as exc_info:
            client.open("/folder", method=method, data={"a": "b"})
        message = str(exc_info.value)
        assert "canonical URL 'http://localhost/folder/'" in message
        assert "defined with a trailing slash" in message
        assert "307 or 308" in message
    else:
        assert client.open("/folder", method=method).status_code == code


def test_form_dropping_redirect_without_a_slash_problem(
    app: Flask, client: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.debug = True
    app.add_url_rule("/old", "old", redirect_to="/new", methods=["POST"])
    monkeypatch.setattr(RequestRedirect, "code", 301)
    with pytest.raises(FormDataRoutingRedirect) as exc_info:
        client.post("/old", data={"a": "b"})
    message = str(exc_info.value)
    assert "canonical URL 'http://localhost/new'" in message
    assert "trailing slash" not in message


def test_rule_without_trailing_slash_does_not_match_with_one(
    app: Flask, client: t.Any
) -> None:
    app.add_url_rule("/file", "file", lambda: "file")
    assert client.get("/file/").status_code == 404


@pytest.mark.parametrize("on", ["rule", "map"])
def test_strict_slashes_off(app: Flask, client: t.Any, on: str) -> None:
    if on == "map":
        app.url_map.strict_slashes = False
        app.add_url_rule("/folder/", "folder", lambda: "folder")
    else:
        app.add_url_rule("/folder/", "folder", lambda: "folder", strict_slashes=False)
    assert client.get("/folder").data == b"folder"
    assert client.get("/folder/").data == b"folder"


def test_redirect_to_a_string(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/user/<int:uid>", "old_user", redirect_to="/people/<uid>")
    response = client.get("/user/5")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/people/5"


def test_redirect_to_a_callable(app: Flask, client: t.Any) -> None:
    def target(adapter: t.Any, name: str) -> str:
        return f"/new/{name.upper()}"

    app.add_url_rule("/old/<name>", "old", redirect_to=target)
    response = client.get("/old/abc")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/new/ABC")


def test_build_only_rule(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/uploads/<name>", "uploads", build_only=True)
    with app.test_request_context():
        assert flask.url_for("uploads", name="a.png") == "/uploads/a.png"
    assert client.get("/uploads/a.png").status_code == 404


def test_unmatched_url_is_404(app: Flask, client: t.Any) -> None:
    assert client.get("/nowhere").status_code == 404


# -- subdomains and hosts ----------------------------------------------------------


@pytest.fixture
def subdomain_app() -> Flask:
    app = Flask(__name__, subdomain_matching=True, static_folder=None)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/")
    def root() -> str:
        return "root"

    @app.route("/", subdomain="api")
    def api() -> str:
        return "api"

    @app.route("/profile", subdomain="<user>")
    def profile(user: str) -> str:
        return f"profile of {user}"

    return app


def test_subdomain_rules(subdomain_app: Flask) -> None:
    client = subdomain_app.test_client()
    assert client.get("/").data == b"root"
    assert client.get("/", "http://example.test").data == b"root"
    assert client.get("/", "http://api.example.test").data == b"api"
    assert client.get("/profile", "http://ann.example.test").data == b"profile of ann"
    assert client.get("/profile", "http://example.test").status_code == 404
    assert client.get("/", subdomain="api").data == b"api"


def test_subdomain_matching_with_ports() -> None:
    app = Flask(__name__, subdomain_matching=True, static_folder=None)
    app.config["SERVER_NAME"] = "example.test:8080"
    app.add_url_rule("/", "sub", lambda sub: sub, subdomain="<sub>")
    client = app.test_client()
    assert client.get("/", "http://x.example.test:8080").data == b"x"


def test_subdomain_matching_refuses_other_hosts(subdomain_app: Flask) -> None:
    client = subdomain_app.test_client()
    with pytest.warns(UserWarning, match="doesn't match configured server name"):
        response = client.get("/", "http://other.test")
    assert response.status_code == 404


def test_without_subdomain_matching_server_name_does_not_restrict_hosts() -> None:
    app = Flask(__name__, static_folder=None)
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/", "root", lambda: "root")
    app.add_url_rule("/api", "api", lambda: "api", subdomain="api")
    client = app.test_client()
    assert client.get("/", "http://other.test").data == b"root"
    assert client.get("/", "http://www.example.test").data == b"root"
    # Rules with a subdomain never match without subdomain matching.
    assert client.get("/api", "http://api.example.test").status_code == 404


def test_subdomain_url_building(subdomain_app: Flask) -> None:
    with subdomain_app.app_context():
        assert flask.url_for("api") == "http://api.example.test/"
        assert flask.url_for("profile", user="bob") == "http://bob.example.test/profile"
    with subdomain_app.test_request_context("/", subdomain="api"):
        assert flask.url_for("api") == "/"
        assert flask.url_for("root") == "http://example.test/"


def test_host_matching() -> None:
    app = Flask(__name__, host_matching=True, static_host="static.test")
    app.add_url_rule("/", "a", lambda: "site a", host="a.test")
    app.add_url_rule("/", "user", lambda name: f"user {name}", host="<name>.users.test")
    client = app.test_client()
    assert client.get("/", "http://a.test").data == b"site a"
    assert client.get("/", "http://ann.users.test").data == b"user ann"
    assert client.get("/", "http://b.test").status_code == 404
    (static,) = app.url_map.iter_rules("static")
    assert static.host == "static.test"


def test_host_matching_ignores_server_name() -> None:
    app = Flask(__name__, host_matching=True, static_folder=None)
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/", "a", lambda: "site a", host="a.test")
    assert app.test_client().get("/", "http://a.test").data == b"site a"


# -- the setup guard ------------------------------------------------------------------


SETUP_CALLS: list[tuple[str, t.Callable[[Flask], t.Any]]] = [
    ("add_url_rule", lambda app: app.add_url_rule("/late", "late", lambda: "")),
    ("route", lambda app: app.route("/late")),
    ("get", lambda app: app.get("/late")),
    ("endpoint", lambda app: app.endpoint("late")),
    ("before_request", lambda app: app.before_request(lambda: None)),
    ("after_request", lambda app: app.after_request(lambda r: r)),
    ("teardown_request", lambda app: app.teardown_request(lambda e: None)),
    ("teardown_appcontext", lambda app: app.teardown_appcontext(lambda e: None)),
    ("errorhandler", lambda app: app.errorhandler(404)),
    ("register_error_handler", lambda app: app.register_error_handler(404, str)),
    ("url_defaults", lambda app: app.url_defaults(lambda e, v: None)),
    ("url_value_preprocessor", lambda app: app.url_value_preprocessor(lambda e, v: None)),
    ("context_processor", lambda app: app.context_processor(dict)),
    ("template_filter", lambda app: app.template_filter()),
    ("add_template_global", lambda app: app.add_template_global(len)),
    ("register_blueprint", lambda app: app.register_blueprint(flask.Blueprint("bp", __name__))),
    ("shell_context_processor", lambda app: app.shell_context_processor(dict)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call"), SETUP_CALLS, ids=[n for n, _ in SETUP_CALLS])
def test_setup_methods_refused_after_first_request(
    app: Flask, client: t.Any, name: str, call: t.Callable[[Flask], t.Any]
) -> None:
    app.add_url_rule("/", "index", lambda: "")
    client.get("/")
    with pytest.raises(AssertionError, match=f"'{name}' can no longer be called"):
        call(app)


@pytest.mark.parametrize(("name", "call"), SETUP_CALLS, ids=[n for n, _ in SETUP_CALLS])
def test_setup_methods_allowed_before_first_request(
    app: Flask, name: str, call: t.Callable[[Flask], t.Any]
) -> None:
    call(app)


def test_a_404_also_ends_setup(app: Flask, client: t.Any) -> None:
    assert client.get("/missing").status_code == 404
    with pytest.raises(AssertionError):
        app.add_url_rule("/late", "late", lambda: "")


def test_test_request_context_does_not_end_setup(app: Flask) -> None:
    with app.test_request_context():
        pass
    app.add_url_rule("/still", "still", lambda: "")


def test_build_error_for_unknown_endpoint(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(BuildError):
        flask.url_for("nowhere")
