"""The render path's shortcuts give what the general path gives: a plain
dict's keys read without the failed attribute lookup, template globals
read like Jinja's ChainMap, and the standard ``request`` left a proxy
while nothing has made the request object, which is the object as soon
as anything could observe the context."""

from __future__ import annotations

import typing as t
from collections import ChainMap

import jinja2
import pytest
from jinja2 import Template
from jinja2 import Undefined

import flask
from flask import Flask
from flask import render_template_string
from flask import request
from flask.templating import Environment


class _Obj:
    name = "attribute"

    def __getitem__(self, key: str) -> str:
        return f"item {key}"


class _Dict(dict[str, t.Any]):
    name = "attribute of a subclass"


class _NoItems:
    pass


@pytest.mark.parametrize(
    ("obj", "attribute"),
    [
        ({"name": "key"}, "name"),
        ({}, "name"),  # undefined
        ({"items": "key"}, "items"),  # a dict method wins, as in Jinja
        ({"get": "key"}, "get"),
        ({"__class__": "key"}, "__class__"),
        (_Dict(name="key"), "name"),  # a subclass: the attribute wins
        (_Dict(), "other"),
        (_Obj(), "name"),
        (_Obj(), "missing"),  # the item
        (_NoItems(), "missing"),  # undefined
        ([1, 2], "append"),
        ("text", "upper"),
    ],
)
def test_getattr_is_jinjas(app: Flask, obj: t.Any, attribute: str) -> None:
    ours = app.jinja_env.getattr(obj, attribute)
    theirs = jinja2.Environment().getattr(obj, attribute)
    if isinstance(theirs, Undefined):
        assert type(ours) is type(theirs)
        assert ours._undefined_name == theirs._undefined_name == attribute
        assert ours._undefined_obj is obj
    else:
        assert ours == theirs


def test_dict_keys_in_templates(app: Flask, app_ctx: t.Any) -> None:
    source = "{{ d.name }}|{{ d.missing }}|{{ d.items is callable }}|{{ d.get('x') }}"
    ours = render_template_string(source, d={"name": "n", "x": 1})
    theirs = jinja2.Environment().from_string(source).render(d={"name": "n", "x": 1})
    assert ours == theirs == "n||True|1"


def test_strict_undefined_still_raises_for_a_missing_key(app: Flask) -> None:
    app.jinja_options = {"undefined": jinja2.StrictUndefined}
    with app.app_context(), pytest.raises(jinja2.UndefinedError, match="'missing'"):
        render_template_string("{{ d.missing }}", d={})


def test_getattr_of_a_subclass_environment_wins(app: Flask, app_ctx: t.Any) -> None:
    class Upper(Environment):
        def getattr(self, obj: t.Any, attribute: str) -> t.Any:
            return str(super().getattr(obj, attribute)).upper()

    app.jinja_env = Upper(app)
    assert render_template_string("{{ d.name }}", d={"name": "n"}) == "N"


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


def test_g_is_not_made_for_a_template_and_reads_as_g(
    kind_app: Flask, made_globals: list[object]
) -> None:
    made = made_globals

    @kind_app.route("/set/<source>")
    def set_first(source: str) -> str:
        flask.g.x = "set"
        return render_template_string(source)

    client = kind_app.test_client()
    assert client.get("/{{ kind(g) }}").text == "LocalProxy"
    assert made == []
    assert client.get("/{{ g.get('x', 'none') }}").text == "none"
    assert len(made) == 1
    assert client.get("/set/{{ kind(g) }} {{ g.x }}").text == "Globals set"


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


# -- template globals --------------------------------------------------------------------


class _Layer(dict[str, t.Any]):
    """A dict subclass layer: read by subscription, as ChainMap does."""

    def __missing__(self, key: str) -> str:
        return f"missing {key}"


@pytest.mark.parametrize(
    "own",
    [None, {}, {"mine": 1, "shared": "mine"}, {"none": None}, _Layer(mine=2)],
)
def test_template_globals_read_as_a_chainmap(
    app: Flask, own: dict[str, t.Any] | None
) -> None:
    env = app.jinja_env
    env.globals.update(shared="env's", none="env's")
    ours = env.make_globals(own)
    theirs = ChainMap({} if own is None else own, env.globals)
    assert isinstance(ours, ChainMap)
    assert ours.maps == theirs.maps
    if own is not None:
        assert ours.maps[0] is own
    assert ours.maps[1] is env.globals
    assert dict(ours) == dict(theirs)
    for key in ("mine", "shared", "none", "url_for", "absent"):
        try:
            expected = theirs[key]
        except KeyError:
            with pytest.raises(KeyError):
                ours[key]
        else:
            assert ours[key] == expected


def test_template_globals_follow_the_environment(app: Flask, app_ctx: t.Any) -> None:
    template = app.jinja_env.from_string("{{ late }}")
    app.jinja_env.globals["late"] = "added later"
    assert template.render() == "added later"
    template.globals["late"] = "the template own"
    assert template.render() == "the template own"
    assert app.jinja_env.globals["late"] == "added later"
