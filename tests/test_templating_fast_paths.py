"""The render path's shortcuts give what the general path gives: the
standard ``request`` is left a proxy while nothing has made the request
object, and is the object as soon as anything could observe the context."""

from __future__ import annotations

import typing as t

import pytest
from jinja2 import Template

import flask
from flask import Flask
from flask import render_template_string
from flask import request

# -- the standard request ----------------------------------------------------------------


def _kind(value: t.Any) -> str:
    return type(value).__name__


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[flask.Request]:
    """The request objects made while the test runs."""
    requests: list[flask.Request] = []
    init = flask.Request.__init__

    def counting(self: flask.Request, *args: t.Any, **kwargs: t.Any) -> None:
        requests.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(flask.Request, "__init__", counting)
    return requests


@pytest.fixture
def kind_app(app: Flask) -> Flask:
    app.jinja_env.globals["kind"] = _kind

    @app.route("/<source>")
    def render(source: str) -> str:
        return render_template_string(source)

    @app.route("/read/<source>")
    def read_first(source: str) -> str:
        request.args.get("x")
        return render_template_string(source)

    return app


def test_a_template_not_reading_request_does_not_make_it(
    kind_app: Flask, made: list[flask.Request]
) -> None:
    assert kind_app.test_client().get("/{{ kind(request) }}").text == "LocalProxy"
    assert made == []


def test_a_template_reading_request_reads_the_request(
    kind_app: Flask, made: list[flask.Request]
) -> None:
    rv = kind_app.test_client().get("/{{ request.path }} {{ request.method }}")
    assert rv.text == "/{{ request.path }} {{ request.method }} GET"
    assert len(made) == 1


def test_a_made_request_is_the_object(
    kind_app: Flask, made: list[flask.Request]
) -> None:
    assert kind_app.test_client().get("/read/{{ kind(request) }}").text == "Request"
    assert len(made) == 1


@pytest.mark.parametrize(
    "signal", [flask.template_rendered, flask.before_render_template]
)
def test_with_a_signal_receiver_the_context_holds_the_object(
    kind_app: Flask, signal: t.Any
) -> None:
    contexts: list[dict[str, t.Any]] = []

    def record(sender: Flask, template: Template, context: dict[str, t.Any]) -> None:
        contexts.append(context)

    with signal.connected_to(record):
        rv = kind_app.test_client().get("/{{ kind(request) }}")
    assert rv.text == "Request"
    [context] = contexts
    # Kept past the request, it still answers.
    assert context["request"].path == "/{{ kind(request) }}"


def test_update_template_context_called_directly_gives_the_object(
    kind_app: Flask,
) -> None:
    with kind_app.test_request_context("/x"):
        context: dict[str, t.Any] = {}
        kind_app.update_template_context(context)
        assert type(context["request"]) is flask.Request


def test_an_overriding_update_template_context_is_called() -> None:
    calls: list[dict[str, t.Any]] = []

    class App(Flask):
        def update_template_context(self, context: dict[str, t.Any]) -> None:
            super().update_template_context(context)
            context["extra"] = "yes"
            calls.append(context)

    app = App(__name__)
    app.jinja_env.globals["kind"] = _kind

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ kind(request) }} {{ extra }}")

    assert app.test_client().get("/").text == "Request yes"
    assert len(calls) == 1


def test_processors_see_the_standard_values_with_a_wrapping_ensure_sync() -> None:
    class App(Flask):
        def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            return super().ensure_sync(func)

    app = App(__name__)
    app.context_processor(lambda: {"added": "later"})
    app.jinja_env.globals["kind"] = _kind

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ kind(request) }} {{ added }} {{ kind(g) }}")

    assert app.test_client().get("/").text == "Request later _AppCtxGlobals"
