"""Class-based views: ``View`` with ``dispatch_request`` and ``MethodView``
with one method per HTTP verb."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.http import parse_set_header

import flask
from flask import Blueprint
from flask import Flask
from flask import request
from flask import session
from flask.views import MethodView
from flask.views import View


def allowed(client: t.Any, path: str = "/") -> list[str]:
    rv = client.open(path, method="OPTIONS")
    return sorted(parse_set_header(rv.headers["Allow"]))


# -- View --------------------------------------------------------------------


def test_dispatch_request_gets_url_values(app: Flask, client: t.Any) -> None:
    class Greet(View):
        def dispatch_request(self, name: str, times: int) -> str:  # type: ignore[override]
            return " ".join([f"hi {name}"] * times)

    app.add_url_rule("/greet/<name>/<int:times>", view_func=Greet.as_view("greet"))
    assert client.get("/greet/ann/2").data == b"hi ann hi ann"


def test_default_methods(app: Flask, client: t.Any) -> None:
    class Plain(View):
        def dispatch_request(self) -> str:
            return request.method

    app.add_url_rule("/", view_func=Plain.as_view("plain"))
    assert client.get("/").data == b"GET"
    assert client.head("/").data == b""
    assert client.post("/").status_code == 405
    assert allowed(client) == ["GET", "HEAD", "OPTIONS"]


def test_methods_attribute(app: Flask, client: t.Any) -> None:
    class Form(View):
        methods = ["GET", "POST"]

        def dispatch_request(self) -> str:
            return request.method

    app.add_url_rule("/", view_func=Form.as_view("form"))
    assert client.get("/").data == b"GET"
    assert client.post("/").data == b"POST"
    assert client.put("/").status_code == 405
    assert allowed(client) == ["GET", "HEAD", "OPTIONS", "POST"]


def test_as_view_passes_arguments_to_the_constructor(app: Flask) -> None:
    class RenderTemplateView(View):
        def __init__(self, template: str, *, suffix: str = "") -> None:
            self.template = template
            self.suffix = suffix

        def dispatch_request(self) -> str:
            return flask.render_template_string(self.template, who="you") + self.suffix

    app.add_url_rule("/a", view_func=RenderTemplateView.as_view("a", "hello {{ who }}"))
    app.add_url_rule(
        "/b", view_func=RenderTemplateView.as_view("b", "bye {{ who }}", suffix="!")
    )
    client = app.test_client()
    assert client.get("/a").data == b"hello you"
    assert client.get("/b").data == b"bye you!"


@pytest.mark.parametrize(("init_every_request", "instances"), [(True, 3), (False, 1)])
def test_init_every_request(
    app: Flask, client: t.Any, init_every_request: bool, instances: int
) -> None:
    created: list[object] = []

    class Counting(View):
        def __init__(self, label: str) -> None:
            self.label = label
            created.append(self)

        def dispatch_request(self) -> str:
            return f"{self.label} {len(created)}"

    Counting.init_every_request = init_every_request
    view = Counting.as_view("counting", "n")
    # With one instance for all requests, it exists before any request.
    assert len(created) == (0 if init_every_request else 1)
    app.add_url_rule("/", view_func=view)
    for expected in range(1, 4):
        body = client.get("/").data
        assert body == f"n {expected if init_every_request else 1}".encode()
    assert len(created) == instances


def test_view_function_attributes() -> None:
    class Documented(View):
        """The docstring of the class."""

        methods = ["GET", "PUT"]
        provide_automatic_options = False

        def dispatch_request(self) -> str:
            return ""

    view = Documented.as_view("documented_view")
    assert view.__name__ == "documented_view"
    assert view.__doc__ == "The docstring of the class."
    assert view.__module__ == __name__
    assert view.view_class is Documented  # type: ignore[attr-defined]
    assert view.methods == ["GET", "PUT"]  # type: ignore[attr-defined]
    assert view.provide_automatic_options is False  # type: ignore[attr-defined]


def test_name_becomes_the_endpoint(app: Flask) -> None:
    class Index(View):
        def dispatch_request(self) -> str:
            return request.endpoint or ""

    app.add_url_rule("/", view_func=Index.as_view("front_page"))
    assert app.test_client().get("/").data == b"front_page"
    with app.test_request_context():
        assert flask.url_for("front_page") == "/"


def test_decorators_apply_first_innermost(app: Flask, client: t.Any) -> None:
    seen: list[str] = []

    def tag(label: str) -> t.Callable[[t.Any], t.Any]:
        def decorator(f: t.Any) -> t.Any:
            def wrapped(**kwargs: t.Any) -> t.Any:
                seen.append(f"{label} sees {f.__name__}")
                rv = flask.make_response(f(**kwargs))
                rv.headers.add("X-Tag", label)
                return rv

            wrapped.__name__ = f"{label}_wrapper"
            return wrapped

        return decorator

    class Decorated(View):
        decorators = [tag("inner"), tag("outer")]

        def dispatch_request(self) -> str:
            return "body"

    view = Decorated.as_view("decorated")
    # The attributes are set on the outermost function.
    assert view.__name__ == "decorated"
    assert view.view_class is Decorated  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)
    rv = client.get("/")
    assert rv.data == b"body"
    assert rv.headers.getlist("X-Tag") == ["inner", "outer"]
    assert seen == ["outer sees inner_wrapper", "inner sees decorated"]


def test_decorator_can_short_circuit(app: Flask, client: t.Any) -> None:
    def require_token(f: t.Any) -> t.Any:
        def wrapped(**kwargs: t.Any) -> t.Any:
            if request.args.get("token") != "secret":
                flask.abort(401)
            return f(**kwargs)

        return wrapped

    class Secret(View):
        decorators = [require_token]

        def dispatch_request(self) -> str:
            return "treasure"

    app.add_url_rule("/", view_func=Secret.as_view("secret"))
    assert client.get("/").status_code == 401
    assert client.get("/?token=secret").data == b"treasure"


def test_missing_dispatch_request(app: Flask, client: t.Any) -> None:
    class Empty(View):
        pass

    app.add_url_rule("/", view_func=Empty.as_view("empty"))
    with pytest.raises(NotImplementedError):
        client.get("/")


@pytest.mark.parametrize(
    ("provide", "methods", "status", "allow"),
    [
        (None, None, 200, ["GET", "HEAD", "OPTIONS"]),
        (False, None, 405, None),
        (True, ["OPTIONS"], 200, ["OPTIONS"]),
        # OPTIONS among the methods: the view answers it.
        (None, ["GET", "OPTIONS"], 200, None),
    ],
)
def test_provide_automatic_options(
    provide: bool | None,
    methods: list[str] | None,
    status: int,
    allow: list[str] | None,
) -> None:
    class Options(View):
        def dispatch_request(self) -> str:
            return "view answered"

    Options.provide_automatic_options = provide
    Options.methods = methods
    app = Flask("options")
    app.add_url_rule("/", view_func=Options.as_view("options"))
    rv = app.test_client().open("/", method="OPTIONS")
    assert rv.status_code == status
    if allow is not None:
        assert rv.data == b""
        assert sorted(rv.allow) == allow
    elif status == 200:
        assert rv.data == b"view answered"


def test_view_without_automatic_options_answers_options_itself(
    app: Flask, client: t.Any
) -> None:
    class Manual(View):
        methods = ["GET", "OPTIONS"]
        provide_automatic_options = False

        def dispatch_request(self) -> str:
            return f"manual {request.method}"

    app.add_url_rule("/", view_func=Manual.as_view("manual"))
    assert client.open("/", method="OPTIONS").data == b"manual OPTIONS"


def test_replacing_view_class(app: Flask, client: t.Any) -> None:
    class Broken(View):
        def dispatch_request(self) -> str:
            raise AssertionError("should not be used")

    class Working(View):
        def dispatch_request(self) -> str:
            return "working"

    view = Broken.as_view("index")
    view.view_class = Working  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)
    assert client.get("/").data == b"working"


def test_view_in_blueprint(app: Flask, client: t.Any) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")

    class Status(View):
        def dispatch_request(self) -> str:
            return f"{request.endpoint} {flask.url_for('.status')}"

    bp.add_url_rule("/status", view_func=Status.as_view("status"))
    app.register_blueprint(bp)
    assert client.get("/api/status").data == b"api.status /api/status"


def test_same_endpoint_different_view_is_an_error(app: Flask) -> None:
    class Index(View):
        def dispatch_request(self) -> str:
            return ""

    app.add_url_rule("/", view_func=Index.as_view("index"))
    with pytest.raises(AssertionError, match="overwriting"):
        app.add_url_rule("/other", view_func=Index.as_view("index"))


# -- MethodView --------------------------------------------------------------


class Resource(MethodView):
    def get(self) -> str:
        return "read"

    def post(self) -> str:
        return "created"

    def put(self) -> str:
        return "replaced"

    def patch(self) -> str:
        return "patched"

    def delete(self) -> str:
        return "deleted"


def test_method_view_collects_methods() -> None:
    assert Resource.methods == {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert MethodView.methods is None


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("GET", b"read"),
        ("POST", b"created"),
        ("PUT", b"replaced"),
        ("PATCH", b"patched"),
        ("DELETE", b"deleted"),
    ],
)
def test_method_view_dispatches_by_verb(
    app: Flask, client: t.Any, method: str, body: bytes
) -> None:
    app.add_url_rule("/", view_func=Resource.as_view("resource"))
    assert client.open("/", method=method).data == body


def test_method_view_allow_header(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", view_func=Resource.as_view("resource"))
    expected = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    assert allowed(client) == expected


def test_unimplemented_method_is_405(app: Flask, client: t.Any) -> None:
    class ReadOnly(MethodView):
        def get(self) -> str:
            return "read"

    app.add_url_rule("/", view_func=ReadOnly.as_view("read_only"))
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        rv = client.open("/", method=method)
        assert rv.status_code == 405
        assert sorted(rv.allow) == ["GET", "HEAD", "OPTIONS"]


def test_head_falls_back_to_get(app: Flask, client: t.Any) -> None:
    class OnlyGet(MethodView):
        def get(self) -> flask.Response:
            return flask.Response("payload", headers={"X-Method": request.method})

    app.add_url_rule("/", view_func=OnlyGet.as_view("only_get"))
    rv = client.head("/")
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.headers["X-Method"] == "HEAD"
    assert rv.content_length == len(b"payload")
    assert client.get("/").headers["X-Method"] == "GET"


def test_explicit_head_is_used(app: Flask, client: t.Any) -> None:
    class WithHead(MethodView):
        def get(self) -> str:
            raise AssertionError("HEAD must not call get")

        def head(self) -> flask.Response:
            return flask.Response(headers={"X-Head": "own"})

    app.add_url_rule("/", view_func=WithHead.as_view("with_head"))
    assert client.head("/").headers["X-Head"] == "own"
    assert WithHead.methods == {"GET", "HEAD"}


def test_methods_inherited_and_extended(app: Flask, client: t.Any) -> None:
    class Base(MethodView):
        def get(self) -> str:
            return "base get"

    class Child(Base):
        def delete(self) -> str:
            return "child delete"

    app.add_url_rule("/", view_func=Child.as_view("child"))
    assert Child.methods == {"GET", "DELETE"}
    assert Base.methods == {"GET"}
    assert client.get("/").data == b"base get"
    assert client.delete("/").data == b"child delete"


def test_methods_from_several_bases(app: Flask, client: t.Any) -> None:
    class Reader(MethodView):
        def get(self) -> str:
            return "get"

    class Writer(MethodView):
        def post(self) -> str:
            return "post"

    class Both(Reader, Writer):
        pass

    app.add_url_rule("/", view_func=Both.as_view("both"))
    assert Both.methods == {"GET", "POST"}
    assert client.get("/").data == b"get"
    assert client.post("/").data == b"post"


def test_methods_from_a_plain_mixin(app: Flask, client: t.Any) -> None:
    class DeleteMixin:
        def delete(self) -> str:
            return "mixin delete"

    class Thing(DeleteMixin, MethodView):
        def get(self) -> str:
            return "get"

    app.add_url_rule("/", view_func=Thing.as_view("thing"))
    assert Thing.methods == {"GET", "DELETE"}
    assert client.delete("/").data == b"mixin delete"


def test_explicit_methods_restrict_inherited_ones(app: Flask, client: t.Any) -> None:
    class Full(MethodView):
        def get(self) -> str:
            return "get"

        def post(self) -> str:
            return "post"

    class GetOnly(Full):
        methods = ["GET"]

    app.add_url_rule("/", view_func=GetOnly.as_view("get_only"))
    assert client.get("/").data == b"get"
    assert client.post("/").status_code == 405


def test_custom_verb_declared_on_a_base(app: Flask, client: t.Any) -> None:
    class WebDAV(MethodView):
        methods = ["GET", "PROPFIND"]

    class Folder(WebDAV):
        def get(self) -> str:
            return "listing"

        def propfind(self) -> str:
            return "properties"

    app.add_url_rule("/", view_func=Folder.as_view("folder"))
    assert Folder.methods == {"GET", "PROPFIND"}
    assert client.open("/", method="PROPFIND").data == b"properties"


def test_method_view_receives_url_values(app: Flask, client: t.Any) -> None:
    class Item(MethodView):
        def get(self, item_id: int) -> str:
            return f"item {item_id}"

    app.add_url_rule("/items/<int:item_id>", view_func=Item.as_view("item"))
    assert client.get("/items/12").data == b"item 12"


def test_method_view_with_decorators(app: Flask, client: t.Any) -> None:
    def json_header(f: t.Any) -> t.Any:
        def wrapped(**kwargs: t.Any) -> t.Any:
            rv = flask.make_response(f(**kwargs))
            rv.headers["X-Decorated"] = request.method
            return rv

        return wrapped

    class Decorated(MethodView):
        decorators = [json_header]

        def get(self) -> str:
            return "get"

        def post(self) -> str:
            return "post"

    app.add_url_rule("/", view_func=Decorated.as_view("decorated"))
    assert client.get("/").headers["X-Decorated"] == "GET"
    assert client.post("/").headers["X-Decorated"] == "POST"


def test_rest_api_wiring(app: Flask, client: t.Any) -> None:
    users = {1: "ann", 2: "bob"}

    class UserAPI(MethodView):
        def get(self, user_id: int | None) -> t.Any:
            if user_id is None:
                return sorted(users.values())
            return {"name": users[user_id]}

        def post(self) -> t.Any:
            new_id = max(users) + 1
            users[new_id] = request.get_json()["name"]
            return {"id": new_id}, 201

        def put(self, user_id: int) -> t.Any:
            users[user_id] = request.get_json()["name"]
            return {"name": users[user_id]}

        def delete(self, user_id: int) -> t.Any:
            del users[user_id]
            return "", 204

    def register_api(
        view: type[MethodView], endpoint: str, url: str, pk: str = "id"
    ) -> None:
        view_func = view.as_view(endpoint)
        app.add_url_rule(url, defaults={pk: None}, view_func=view_func, methods=["GET"])
        app.add_url_rule(url, view_func=view_func, methods=["POST"])
        app.add_url_rule(
            f"{url}<int:{pk}>", view_func=view_func, methods=["GET", "PUT", "DELETE"]
        )

    register_api(UserAPI, "user_api", "/users/", pk="user_id")
    assert client.get("/users/").json == ["ann", "bob"]
    assert client.get("/users/2").json == {"name": "bob"}
    rv = client.post("/users/", json={"name": "cy"})
    assert (rv.status_code, rv.json) == (201, {"id": 3})
    assert client.put("/users/3", json={"name": "cyd"}).json == {"name": "cyd"}
    assert client.delete("/users/1").status_code == 204
    assert client.get("/users/").json == ["bob", "cyd"]
    assert client.delete("/users/").status_code == 405


def test_method_view_state_in_session(app: Flask, client: t.Any) -> None:
    class CounterAPI(MethodView):
        def get(self) -> str:
            return str(session.get("counter", 0))

        def post(self) -> str:
            session["counter"] = session.get("counter", 0) + 1
            return "ok"

    app.add_url_rule("/counter", view_func=CounterAPI.as_view("counter"))
    for _ in range(3):
        client.post("/counter")
    assert client.get("/counter").data == b"3"


def test_method_view_instance_per_request(app: Flask, client: t.Any) -> None:
    class Stateful(MethodView):
        def __init__(self) -> None:
            self.hits = 0

        def get(self) -> str:
            self.hits += 1
            return str(self.hits)

    app.add_url_rule("/", view_func=Stateful.as_view("stateful"))
    assert [client.get("/").data for _ in range(3)] == [b"1", b"1", b"1"]
