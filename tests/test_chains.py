"""Per-endpoint chains: built once, rebuilt when any registry changes
(decorators, direct appends, nested error handler dicts), scoped to the
endpoint's blueprints, and calling a subclass's overrides."""

from __future__ import annotations

import gc
import typing as t
import weakref

import pytest
from werkzeug.exceptions import NotFound

import flask
from flask import Flask


@pytest.fixture
def primed(app: Flask) -> Flask:
    """An app that has served a request, so its chains are built."""

    @app.route("/")
    def index() -> str:
        return "index"

    assert app.test_client().get("/").data == b"index"
    return app


def test_chain_is_reused_between_requests(primed: Flask) -> None:
    client = primed.test_client()
    client.get("/")
    first = primed._chains.of("index")
    client.get("/")
    assert primed._chains.of("index") is first


def test_direct_append_after_first_request_is_honoured(primed: Flask) -> None:
    seen: list[str] = []
    primed.before_request_funcs.setdefault(None, []).append(
        lambda: seen.append("before")
    )
    primed.after_request_funcs[None].append(
        lambda response: seen.append("after") or response
    )
    primed.teardown_request_funcs.setdefault(None, []).append(
        lambda exc: seen.append("teardown")
    )
    primed.teardown_appcontext_funcs.append(lambda exc: seen.append("appcontext"))
    primed.test_client().get("/")
    assert seen == ["before", "after", "teardown", "appcontext"]


def test_replaced_registry_is_tracked_too(primed: Flask) -> None:
    seen: list[str] = []
    primed.before_request_funcs = {None: [lambda: seen.append("before")]}
    primed.test_client().get("/")
    primed.before_request_funcs[None].append(lambda: seen.append("again"))
    primed.test_client().get("/")
    assert seen == ["before", "before", "again"]


def test_decorator_after_first_request_is_honoured(primed: Flask) -> None:
    # The setup guard refuses late decorators; with it out of the way
    # (as ``app.run`` does when the server stops) the hook is used.
    primed._got_first_request = False

    @primed.before_request
    def late() -> str:
        return "late"

    assert primed.test_client().get("/").data == b"late"


def test_error_handler_set_in_nested_dict_is_honoured(primed: Flask) -> None:
    client = primed.test_client()
    assert client.get("/missing").status_code == 404
    primed.error_handler_spec[None][404][NotFound] = lambda e: ("gone", 404)
    assert client.get("/missing").data == b"gone"
    del primed.error_handler_spec[None][404][NotFound]
    assert client.get("/missing").data != b"gone"


def test_removing_a_hook_is_honoured(primed: Flask) -> None:
    hook = primed.before_request_funcs.setdefault(None, [])
    hook.append(lambda: "stopped")
    client = primed.test_client()
    assert client.get("/").data == b"stopped"
    hook.pop()
    assert client.get("/").data == b"index"


def test_blueprint_hooks_stay_with_their_endpoints(app: Flask) -> None:
    seen: list[str] = []
    shop = flask.Blueprint("shop", __name__)
    blog = flask.Blueprint("blog", __name__)

    @shop.before_request
    def shop_before() -> None:
        seen.append("shop before")

    @shop.after_request
    def shop_after(response: flask.Response) -> flask.Response:
        seen.append("shop after")
        return response

    @shop.teardown_request
    def shop_teardown(exc: BaseException | None) -> None:
        seen.append("shop teardown")

    @shop.context_processor
    def shop_names() -> dict[str, t.Any]:
        return {"where": "shop"}

    @shop.errorhandler(LookupError)
    def shop_error(e: LookupError) -> str:
        return "shop error"

    @shop.route("/")
    def shop_index() -> str:
        return flask.render_template_string("{{ where }}")

    @blog.route("/")
    def blog_index() -> str:
        return flask.render_template_string("[{{ where }}]")

    @blog.route("/fail")
    def blog_fail() -> str:
        raise LookupError()

    app.register_blueprint(shop, url_prefix="/shop")
    app.register_blueprint(blog, url_prefix="/blog")
    client = app.test_client()
    assert client.get("/blog/").data == b"[]"
    assert seen == []
    with pytest.raises(LookupError):  # the shop's handler is not the blog's
        client.get("/blog/fail")
    assert client.get("/shop/").data == b"shop"
    assert seen == ["shop before", "shop after", "shop teardown"]
    assert app._chains.of("blog.blog_index").before == ()


def test_nested_blueprint_chain_order(app: Flask) -> None:
    seen: list[str] = []
    outer = flask.Blueprint("outer", __name__)
    inner = flask.Blueprint("inner", __name__)
    for name, bp in (("outer", outer), ("inner", inner)):
        bp.before_request(lambda name=name: seen.append(f"before {name}"))  # type: ignore[misc]
        bp.after_request(lambda r, name=name: seen.append(f"after {name}") or r)  # type: ignore[misc]

    @inner.route("/")
    def view() -> str:
        return "ok"

    app.before_request(lambda: seen.append("before app"))  # type: ignore[arg-type,func-returns-value]
    app.after_request(lambda r: seen.append("after app") or r)  # type: ignore[func-returns-value]
    outer.register_blueprint(inner, url_prefix="/in")
    app.register_blueprint(outer, url_prefix="/out")
    assert app.test_client().get("/out/in/").data == b"ok"
    assert seen == [
        "before app",
        "before outer",
        "before inner",
        "after inner",
        "after outer",
        "after app",
    ]


def test_app_wide_hook_keeps_the_request_lazy(app: Flask) -> None:
    made: list[bool] = []

    @app.before_request
    def hook() -> None:
        made.append(flask.globals.request_ctx._request is not None)

    @app.route("/")
    def index() -> str:
        return "ok"

    assert app.test_client().get("/").data == b"ok"
    assert made == [False]


def test_subclass_overrides_are_called() -> None:
    calls: list[str] = []

    class Traced(Flask):
        def full_dispatch_request(self) -> flask.Response:
            calls.append("full_dispatch_request")
            return super().full_dispatch_request()

        def preprocess_request(self) -> t.Any:
            calls.append("preprocess_request")
            return super().preprocess_request()

        def dispatch_request(self) -> t.Any:
            calls.append("dispatch_request")
            return super().dispatch_request()

        def make_response(self, rv: t.Any) -> flask.Response:
            calls.append("make_response")
            return super().make_response(rv)

        def process_response(self, response: flask.Response) -> flask.Response:
            calls.append("process_response")
            return super().process_response(response)

        def finalize_request(
            self, rv: t.Any, from_error_handler: bool = False
        ) -> t.Any:
            calls.append("finalize_request")
            return super().finalize_request(rv, from_error_handler)

        def handle_user_exception(self, e: Exception) -> t.Any:
            calls.append("handle_user_exception")
            return super().handle_user_exception(e)

        def handle_http_exception(self, e: t.Any) -> t.Any:
            calls.append("handle_http_exception")
            return super().handle_http_exception(e)

        def do_teardown_request(self, exc: t.Any = None) -> None:
            calls.append("do_teardown_request")
            super().do_teardown_request(exc)

        def do_teardown_appcontext(self, exc: t.Any = None) -> None:
            calls.append("do_teardown_appcontext")
            super().do_teardown_appcontext(exc)

        def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            calls.append("ensure_sync")
            return super().ensure_sync(func)

    app = Traced(__name__)
    app.before_request(lambda: None)

    @app.route("/")
    def index() -> str:
        return "ok"

    client = app.test_client()
    assert client.get("/").data == b"ok"
    assert calls == [
        "full_dispatch_request",
        "preprocess_request",
        "ensure_sync",
        "dispatch_request",
        "ensure_sync",
        "finalize_request",
        "make_response",
        "process_response",
        "do_teardown_request",
        "do_teardown_appcontext",
    ]
    calls.clear()
    assert client.get("/missing").status_code == 404
    assert "handle_user_exception" in calls
    assert "handle_http_exception" in calls


def test_registries_copy_as_plain_containers(app: Flask) -> None:
    import copy

    app.before_request(lambda: None)
    copied = copy.deepcopy(app.before_request_funcs)
    assert type(copied) is dict
    assert type(copied[None]) is list
    assert copied[None] == app.before_request_funcs[None]


@pytest.mark.parametrize("made", [False, True])
def test_the_context_chain_is_the_matched_endpoints(app: Flask, made: bool) -> None:
    """Found inline from the match, or through the request object once made
    (code may have changed its rule), it is the endpoint's chain."""
    app.add_url_rule("/", "index", lambda: "index")
    app.add_url_rule("/other", "other", lambda: "other")
    app.before_request(lambda: None)  # not idle: the stages read chains
    assert app.test_client().get("/").text == "index"
    with app.test_request_context("/"):
        ctx = flask.globals._cv_request.get()
        ctx.match_request()
        if made:
            flask.request.url_rule = app.url_map._rules_by_endpoint["other"][0]
        expected = app._chains.of("other" if made else "index")
        assert app._chains.of_context(ctx) is expected
        assert ctx._chain is expected


def test_the_chains_are_a_plain_instance_attribute(app: Flask) -> None:
    """A class attribute of the same name would put every per-request read
    of them on the interpreter's slow path."""
    assert "_chains" in vars(app)
    assert all("_chains" not in vars(cls) for cls in type(app).__mro__)


def test_an_unused_app_is_freed_without_the_cycle_collector() -> None:
    app = Flask(__name__)
    app.before_request(lambda: None)
    app.add_url_rule("/", "index", lambda: "index")
    assert app._chains.of("index").before
    gone = weakref.ref(app)
    gc.disable()
    try:
        del app
        assert gone() is None
    finally:
        gc.enable()
