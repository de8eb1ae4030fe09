"""Application and request contexts: pushing and popping, ``g``, the
context proxies, and the helpers that copy or extend a context."""

from __future__ import annotations

import threading
import typing as t

import pytest

import flask
from flask import Flask
from flask.ctx import AppContext
from flask.ctx import RequestContext
from flask.globals import app_ctx
from flask.globals import request_ctx

# -- application context ------------------------------------------------------------


def test_app_context_push_and_pop(app: Flask) -> None:
    ctx = app.app_context()
    assert isinstance(ctx, AppContext)
    assert not flask.has_app_context()
    ctx.push()
    try:
        assert flask.has_app_context()
        assert flask.current_app._get_current_object() is app  # type: ignore[attr-defined]
        assert app_ctx._get_current_object() is ctx  # type: ignore[attr-defined]
        assert not flask.has_request_context()
    finally:
        ctx.pop()
    assert not flask.has_app_context()


def test_app_context_as_a_context_manager(app: Flask) -> None:
    with app.app_context() as ctx:
        assert app_ctx._get_current_object() is ctx  # type: ignore[attr-defined]
    assert not flask.has_app_context()


def test_nested_app_contexts_of_two_apps(app: Flask) -> None:
    other = Flask("other")
    with app.app_context():
        with other.app_context():
            assert flask.current_app.name == "other"
        assert flask.current_app.name == "flask_test"


def test_teardown_appcontext_runs_on_pop_with_the_error(app: Flask) -> None:
    seen: list[BaseException | None] = []
    app.teardown_appcontext(seen.append)
    with app.app_context():
        pass
    error = ValueError("inside")
    with pytest.raises(ValueError), app.app_context():
        raise error
    assert seen == [None, error]


def test_explicit_pop_with_an_exception(app: Flask) -> None:
    seen: list[BaseException | None] = []
    app.teardown_appcontext(seen.append)
    error = KeyError("given")
    ctx = app.app_context()
    ctx.push()
    ctx.pop(error)
    assert seen == [error]


def test_same_app_context_pushed_twice_tears_down_once(app: Flask) -> None:
    seen: list[BaseException | None] = []
    app.teardown_appcontext(seen.append)
    ctx = app.app_context()
    with ctx:
        with ctx:
            pass
        assert seen == []
        assert flask.has_app_context()
    assert seen == [None]


def test_app_context_url_adapter_needs_server_name(app: Flask) -> None:
    with app.app_context() as ctx:
        assert ctx.url_adapter is None
    app.config["SERVER_NAME"] = "example.test"
    with app.app_context() as ctx:
        assert ctx.url_adapter is not None


def test_wrong_app_context_pop_order(app: Flask) -> None:
    first, second = app.app_context(), app.app_context()
    first.push()
    second.push()
    with pytest.raises(AssertionError, match="Popped wrong app context"):
        first.pop()


# -- request context -----------------------------------------------------------------


def test_request_context_pushes_an_app_context(app: Flask) -> None:
    ctx = app.test_request_context("/path")
    assert isinstance(ctx, RequestContext)
    with ctx:
        assert flask.has_request_context()
        assert flask.has_app_context()
        assert request_ctx._get_current_object() is ctx  # type: ignore[attr-defined]
        assert flask.request.path == "/path"
    assert not flask.has_request_context()
    assert not flask.has_app_context()


def test_request_context_reuses_the_current_app_context(app: Flask) -> None:
    with app.app_context() as outer:
        with app.test_request_context():
            assert app_ctx._get_current_object() is outer  # type: ignore[attr-defined]
        assert flask.has_app_context()
        assert app_ctx._get_current_object() is outer  # type: ignore[attr-defined]


def test_request_context_of_another_app_gets_its_own_app_context(app: Flask) -> None:
    other = Flask("other")
    with app.app_context():
        with other.test_request_context():
            assert flask.current_app.name == "other"
        assert flask.current_app.name == "flask_test"


def test_request_context_from_an_environ(app: Flask) -> None:
    environ = {
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": "/raw",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
    }
    with app.request_context(environ):
        assert flask.request.method == "PUT"
        assert flask.request.path == "/raw"


def test_request_context_matches_the_url(app: Flask) -> None:
    app.add_url_rule("/item/<int:num>", "item", lambda num: "")
    with app.test_request_context("/item/3"):
        assert flask.request.endpoint == "item"
        assert flask.request.view_args == {"num": 3}
        assert flask.request.routing_exception is None
    with app.test_request_context("/nowhere"):
        assert flask.request.url_rule is None
        assert flask.request.routing_exception is not None
        assert flask.request.routing_exception.code == 404


def test_same_request_context_pushed_twice_tears_down_once(app: Flask) -> None:
    seen: list[BaseException | None] = []
    app.teardown_request(seen.append)
    ctx = app.test_request_context()
    with ctx:
        with ctx:
            pass
        assert seen == []
        assert flask.has_request_context()
    assert seen == [None]


def test_request_teardown_receives_the_exception(app: Flask) -> None:
    seen: list[tuple[str, BaseException | None]] = []
    app.teardown_request(lambda e: seen.append(("request", e)))
    app.teardown_appcontext(lambda e: seen.append(("app", e)))
    error = RuntimeError("in the block")
    with pytest.raises(RuntimeError), app.test_request_context():
        raise error
    assert seen == [("request", error), ("app", error)]


def test_wrong_request_context_pop_order(app: Flask) -> None:
    first = app.test_request_context("/first")
    second = app.test_request_context("/second")
    first.push()
    second.push()
    with pytest.raises(AssertionError, match="Popped wrong request context"):
        first.pop()


def test_request_context_repr(app: Flask) -> None:
    ctx = app.test_request_context("/here?x=1", method="POST")
    assert (
        repr(ctx) == "<RequestContext 'http://localhost/here?x=1' [POST] of flask_test>"
    )


def test_copy_shares_the_request_and_session(app: Flask) -> None:
    with app.test_request_context() as ctx:
        flask.session["who"] = "me"
        copied = ctx.copy()
    assert copied.request is ctx.request
    with copied:
        assert flask.request._get_current_object() is ctx.request  # type: ignore[attr-defined]
        assert flask.session["who"] == "me"


def test_url_adapter_is_none_for_a_bad_host(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = ["good.test"]
    with app.test_request_context(base_url="http://evil.test") as ctx:
        assert ctx.url_adapter is None
        assert flask.request.routing_exception is not None
        assert flask.request.routing_exception.code == 400


# -- g ---------------------------------------------------------------------------------


def test_g_attribute_access(app_ctx: AppContext) -> None:
    flask.g.user = "ann"
    assert flask.g.user == "ann"
    del flask.g.user
    with pytest.raises(AttributeError, match="user"):
        flask.g.user  # noqa: B018
    with pytest.raises(AttributeError):
        del flask.g.user


def test_g_get(app_ctx: AppContext) -> None:
    flask.g.present = 1
    assert flask.g.get("present") == 1
    assert flask.g.get("absent") is None
    assert flask.g.get("absent", "fallback") == "fallback"


def test_g_pop(app_ctx: AppContext) -> None:
    flask.g.value = 1
    assert flask.g.pop("value") == 1
    assert "value" not in flask.g
    assert flask.g.pop("value", "default") == "default"
    with pytest.raises(KeyError):
        flask.g.pop("value")
    assert flask.g.pop("value", None) is None


def test_g_setdefault(app_ctx: AppContext) -> None:
    assert flask.g.setdefault("items", []) == []
    flask.g.items.append(1)
    assert flask.g.setdefault("items", ["ignored"]) == [1]
    assert flask.g.setdefault("nothing") is None
    assert "nothing" in flask.g


def test_g_contains_and_iteration(app_ctx: AppContext) -> None:
    assert list(flask.g) == []
    flask.g.a = 1
    flask.g.b = 2
    assert "a" in flask.g
    assert "c" not in flask.g
    assert sorted(flask.g) == ["a", "b"]


def test_g_repr_names_the_app(app_ctx: AppContext) -> None:
    assert repr(flask.g) == "<flask.g of 'flask_test'>"


def test_g_belongs_to_the_app_context(app: Flask) -> None:
    with app.app_context():
        flask.g.value = "first"
        with app.test_request_context():
            assert flask.g.value == "first"
    with app.app_context():
        assert "value" not in flask.g


def test_g_is_fresh_for_each_request(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> str:
        count = flask.g.get("count", 0) + 1
        flask.g.count = count
        return str(count)

    assert client.get("/").data == b"1"
    assert client.get("/").data == b"1"


# -- proxies ---------------------------------------------------------------------------


APP_MESSAGE = "Working outside of application context."
REQUEST_MESSAGE = "Working outside of request context."


@pytest.mark.parametrize(
    ("use", "message"),
    [
        (lambda: flask.current_app.name, APP_MESSAGE),
        (lambda: flask.g.anything, APP_MESSAGE),
        (lambda: app_ctx.app, APP_MESSAGE),
        (lambda: flask.request.args, REQUEST_MESSAGE),
        (lambda: flask.session.get("x"), REQUEST_MESSAGE),
        (lambda: request_ctx.request, REQUEST_MESSAGE),
        (lambda: flask.url_for("index"), APP_MESSAGE),
    ],
    ids=["current_app", "g", "app_ctx", "request", "session", "request_ctx", "url_for"],
)
def test_proxies_outside_their_context(
    use: t.Callable[[], t.Any], message: str
) -> None:
    with pytest.raises(RuntimeError, match=message):
        use()


@pytest.mark.parametrize(
    ("use", "message"),
    [
        (lambda: flask.request.args, REQUEST_MESSAGE),
        (lambda: flask.session.get("x"), REQUEST_MESSAGE),
    ],
)
def test_request_proxies_in_a_bare_app_context(
    app_ctx: AppContext, use: t.Callable[[], t.Any], message: str
) -> None:
    with pytest.raises(RuntimeError, match=message):
        use()


def test_proxies_are_falsy_outside_a_context() -> None:
    assert not flask.request
    assert not flask.current_app
    assert not flask.g


def test_proxies_are_not_the_objects(app: Flask, req_ctx: RequestContext) -> None:
    assert flask.current_app == app
    assert flask.current_app is not app
    assert flask.current_app._get_current_object() is app  # type: ignore[attr-defined]
    assert flask.request._get_current_object() is req_ctx.request  # type: ignore[attr-defined]


# -- after_this_request and copy_current_request_context --------------------------------


def test_after_this_request_outside_a_request(app_ctx: AppContext) -> None:
    with pytest.raises(RuntimeError, match="'after_this_request' can only be used"):
        flask.after_this_request(lambda response: response)


def test_after_this_request_returns_the_function(req_ctx: RequestContext) -> None:
    def hook(response: flask.Response) -> flask.Response:
        return response

    assert flask.after_this_request(hook) is hook


def test_copy_current_request_context_in_a_thread(app: Flask, client: t.Any) -> None:
    results: dict[str, t.Any] = {}

    @app.route("/work")
    def work() -> str:
        flask.session["user"] = "ann"

        @flask.copy_current_request_context
        def in_thread() -> str:
            results["path"] = flask.request.path
            results["args"] = flask.request.args.to_dict()
            results["user"] = flask.session["user"]
            results["app"] = flask.current_app.name
            return "returned"

        thread = threading.Thread(target=lambda: results.update(rv=in_thread()))
        thread.start()
        thread.join()
        return "done"

    assert client.get("/work?x=1").data == b"done"
    assert results == {
        "path": "/work",
        "args": {"x": "1"},
        "user": "ann",
        "app": "flask_test",
        "rv": "returned",
    }


def test_copy_current_request_context_keeps_the_function_name(
    req_ctx: RequestContext,
) -> None:
    def named() -> None:
        pass

    assert flask.copy_current_request_context(named).__name__ == "named"


def test_copy_current_request_context_outside_a_request(app_ctx: AppContext) -> None:
    with pytest.raises(RuntimeError, match="'copy_current_request_context' can only"):
        flask.copy_current_request_context(lambda: None)


def test_thread_without_a_copied_context_has_none(req_ctx: RequestContext) -> None:
    seen = []
    thread = threading.Thread(target=lambda: seen.append(flask.has_request_context()))
    thread.start()
    thread.join()
    assert seen == [False]


def test_g_is_made_on_first_use_and_kept(
    app: Flask, made_globals: list[object]
) -> None:
    with app.app_context() as ctx:
        assert made_globals == []
        flask.g.x = 1
        assert ctx.g is made_globals[0] and flask.g.x == 1
    assert len(made_globals) == 1
    with app.app_context() as ctx:
        ctx.g = replaced = app.app_ctx_globals_class()
        assert flask.g._get_current_object() is replaced
