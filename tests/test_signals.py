"""Signals: the blinker signals Flask sends, with the app as sender and
the documented keyword arguments."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import typing as t
from contextlib import contextmanager

import blinker
import pytest

import flask
from flask import Flask
from flask import g
from flask import request
from flask import signals

HERE = os.path.dirname(__file__)
TEMPLATES_APP_ROOT = os.path.join(HERE, "blueprint_apps")

CORE_SIGNALS = {
    "template_rendered": "template-rendered",
    "before_render_template": "before-render-template",
    "request_started": "request-started",
    "request_finished": "request-finished",
    "request_tearing_down": "request-tearing-down",
    "got_request_exception": "got-request-exception",
    "appcontext_tearing_down": "appcontext-tearing-down",
    "appcontext_pushed": "appcontext-pushed",
    "appcontext_popped": "appcontext-popped",
    "message_flashed": "message-flashed",
}


class Recorder:
    """A receiver remembering the sender and keyword arguments of each call."""

    def __init__(self, during: t.Callable[[], t.Any] | None = None) -> None:
        self.calls: list[tuple[t.Any, dict[str, t.Any]]] = []
        self.during = during
        self.observed: list[t.Any] = []

    def __call__(self, sender: t.Any, **kwargs: t.Any) -> None:
        self.calls.append((sender, kwargs))
        if self.during is not None:
            self.observed.append(self.during())

    @property
    def kwargs(self) -> list[dict[str, t.Any]]:
        return [kwargs for _, kwargs in self.calls]


@pytest.fixture
def template_app() -> Flask:
    app = Flask("template_app", root_path=TEMPLATES_APP_ROOT)
    app.template_folder = "app_templates"
    app.testing = True
    return app


# -- the signals themselves --------------------------------------------------


def test_namespace_is_blinkers() -> None:
    assert signals.Namespace is blinker.Namespace


@pytest.mark.parametrize(("attribute", "name"), CORE_SIGNALS.items())
def test_core_signals(attribute: str, name: str) -> None:
    signal = getattr(signals, attribute)
    assert isinstance(signal, blinker.NamedSignal)
    assert signal.name == name
    assert getattr(flask, attribute) is signal


def test_flask_connects_no_receivers_itself() -> None:
    """Flask only sends; it never listens, so with no receivers of the
    user's the signals stay empty through a whole request. Checked in a
    fresh interpreter, as other tests may leave disconnected receivers
    alive."""
    script = textwrap.dedent(
        """
        import flask
        from flask import signals

        app = flask.Flask("fresh")
        app.secret_key = "k"

        @app.route("/")
        def index():
            flask.flash("hi")
            return flask.render_template_string("{{ 1 }}")

        assert app.test_client().get("/").data == b"1"
        names = NAMES
        busy = [n for n in names if getattr(signals, n).receivers]
        assert not busy, busy
        """
    ).replace("NAMES", repr(list(CORE_SIGNALS)))
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_custom_signal_in_own_namespace(app: Flask) -> None:
    my_signals = signals.Namespace()
    model_saved = my_signals.signal("model-saved")
    assert my_signals.signal("model-saved") is model_saved
    saved: list[tuple[t.Any, t.Any]] = []

    @model_saved.connect_via(app)
    def on_saved(sender: t.Any, model: t.Any, **extra: t.Any) -> None:
        saved.append((sender, model))

    try:
        with app.app_context():
            model_saved.send(flask.current_app._get_current_object(), model="m")
        model_saved.send(Flask("other"), model="ignored")
    finally:
        model_saved.disconnect(on_saved, app)
    assert saved == [(app, "m")]


# -- request signals ---------------------------------------------------------


def test_request_started(app: Flask, client: t.Any) -> None:
    order: list[str] = []
    recorder = Recorder(during=lambda: (request.path, order.copy()))

    @app.before_request
    def before() -> None:
        order.append("before_request")

    app.add_url_rule("/hello", "hello", lambda: "hi")
    with signals.request_started.connected_to(recorder, app):
        client.get("/hello")
    assert recorder.calls == [(app, {})]
    # Sent with the request context bound, before before_request handlers.
    assert recorder.observed == [("/hello", [])]


def test_request_finished(app: Flask, client: t.Any) -> None:
    @app.after_request
    def touch(response: flask.Response) -> flask.Response:
        response.headers["X-After"] = "yes"
        return response

    app.add_url_rule("/", "index", lambda: "body")
    recorder = Recorder()
    with signals.request_finished.connected_to(recorder, app):
        rv = client.get("/")
    [(sender, kwargs)] = recorder.calls
    assert sender is app
    assert list(kwargs) == ["response"]
    response = kwargs["response"]
    assert isinstance(response, flask.Response)
    # Sent after the after_request functions ran.
    assert response.headers["X-After"] == "yes"
    assert rv.data == b"body"


def test_request_signal_order(app: Flask, client: t.Any) -> None:
    calls: list[str] = []

    def log(name: str) -> t.Callable[..., None]:
        return lambda sender, **kwargs: calls.append(name)

    @app.before_request
    def before() -> None:
        calls.append("before_request")

    @app.after_request
    def after(response: flask.Response) -> flask.Response:
        calls.append("after_request")
        return response

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        calls.append("teardown_request")

    @app.teardown_appcontext
    def teardown_app(exc: BaseException | None) -> None:
        calls.append("teardown_appcontext")

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return ""

    receivers = {name: log(name) for name in CORE_SIGNALS}
    with _all_connected(app, receivers):
        client.get("/")
    assert calls == [
        "appcontext_pushed",
        "request_started",
        "before_request",
        "view",
        "after_request",
        "request_finished",
        "teardown_request",
        "request_tearing_down",
        "teardown_appcontext",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]


@contextmanager
def _all_connected(
    app: Flask, receivers: dict[str, t.Callable[..., t.Any]]
) -> t.Iterator[None]:
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, app)
    try:
        yield
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver, app)


@pytest.mark.parametrize("propagate", [True, False])
def test_got_request_exception(app: Flask, client: t.Any, propagate: bool) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = propagate
    error = ZeroDivisionError("boom")

    @app.route("/")
    def index() -> str:
        raise error

    recorder = Recorder(during=lambda: request.path)
    with signals.got_request_exception.connected_to(recorder, app):
        if propagate:
            with pytest.raises(ZeroDivisionError):
                client.get("/")
        else:
            assert client.get("/").status_code == 500
    # Sent before the exception is handled, propagated or not.
    assert recorder.calls == [(app, {"exception": error})]
    assert recorder.observed == ["/"]


def test_handled_errors_send_no_exception_signal(app: Flask, client: t.Any) -> None:
    app.register_error_handler(KeyError, lambda e: ("handled", 400))
    app.add_url_rule("/key", "key", lambda: {}["missing"])
    app.add_url_rule("/abort", "abort", lambda: flask.abort(403))
    recorder = Recorder()
    with signals.got_request_exception.connected_to(recorder, app):
        assert client.get("/key").data == b"handled"
        assert client.get("/abort").status_code == 403
        assert client.get("/nowhere").status_code == 404
    assert recorder.calls == []


@pytest.mark.parametrize("fail", [False, True])
def test_request_tearing_down(app: Flask, client: t.Any, fail: bool) -> None:
    app.testing = False
    error = RuntimeError("failed")
    seen_by_teardown: list[t.Any] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen_by_teardown.append(exc)

    @app.route("/")
    def index() -> str:
        if fail:
            raise error
        return "ok"

    recorder = Recorder(during=lambda: (request.path, list(seen_by_teardown)))
    with signals.request_tearing_down.connected_to(recorder, app):
        rv = client.get("/")
    assert rv.status_code == (500 if fail else 200)
    expected = error if fail else None
    assert recorder.calls == [(app, {"exc": expected})]
    # Sent after the teardown functions, with the request still bound.
    assert recorder.observed == [("/", [expected])]


@pytest.mark.parametrize("fail", [False, True])
def test_appcontext_tearing_down(app: Flask, client: t.Any, fail: bool) -> None:
    app.testing = False
    error = ZeroDivisionError()

    @app.route("/")
    def index() -> str:
        if fail:
            raise error
        return "ok"

    recorder = Recorder(during=lambda: flask.current_app.name)
    with signals.appcontext_tearing_down.connected_to(recorder, app):
        client.get("/")
    assert recorder.calls == [(app, {"exc": error if fail else None})]
    assert recorder.observed == [app.name]


def test_appcontext_tearing_down_outside_requests(app: Flask) -> None:
    recorder = Recorder()
    with signals.appcontext_tearing_down.connected_to(recorder, app):
        with app.app_context():
            pass
    assert recorder.calls == [(app, {"exc": None})]


# -- app context signals -----------------------------------------------------


def test_appcontext_pushed_and_popped(app: Flask) -> None:
    def bound_app() -> t.Any:
        return flask.current_app._get_current_object() if flask.current_app else None

    pushed = Recorder(during=bound_app)
    popped = Recorder(during=bound_app)
    with signals.appcontext_pushed.connected_to(pushed, app):
        with signals.appcontext_popped.connected_to(popped, app):
            with app.app_context():
                assert len(pushed.calls) == 1
                assert popped.calls == []
    assert pushed.calls == [(app, {})]
    assert popped.calls == [(app, {})]
    # Pushed is sent once the context is bound, popped once it is gone.
    assert pushed.observed == [app]
    assert popped.observed == [None]


def test_appcontext_signals_per_request(app: Flask, client: t.Any) -> None:
    calls: list[str] = []
    app.add_url_rule("/", "index", lambda: "hello")

    def pushed(sender: Flask, **kwargs: t.Any) -> None:
        calls.append("push")

    def popped(sender: Flask, **kwargs: t.Any) -> None:
        calls.append("pop")

    with signals.appcontext_pushed.connected_to(pushed, app):
        with signals.appcontext_popped.connected_to(popped, app):
            assert client.get("/").data == b"hello"
            assert client.get("/").data == b"hello"
    assert calls == ["push", "pop", "push", "pop"]


def test_fake_current_user_with_appcontext_pushed(app: Flask, client: t.Any) -> None:
    @contextmanager
    def user_set(app: Flask, user: str) -> t.Iterator[None]:
        def handler(sender: Flask, **kwargs: t.Any) -> None:
            g.user = user

        with signals.appcontext_pushed.connected_to(handler, app):
            yield

    @app.route("/users/me")
    def me() -> str:
        return f"user: {g.user}"

    with user_set(app, "john"):
        assert client.get("/users/me").data == b"user: john"


# -- flashing and templates --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("saved",), {"message": "saved", "category": "message"}),
        (("careful", "warning"), {"message": "careful", "category": "warning"}),
    ],
)
def test_message_flashed(
    app: Flask, client: t.Any, args: tuple[str, ...], expected: dict[str, str]
) -> None:
    @app.route("/")
    def index() -> str:
        flask.flash(*args)
        return "flashed"

    recorder = Recorder()
    with signals.message_flashed.connected_to(recorder, app):
        client.get("/")
    assert recorder.calls == [(app, expected)]


def test_template_rendered(template_app: Flask) -> None:
    @template_app.context_processor
    def inject() -> dict[str, str]:
        return {"injected": "yes"}

    @template_app.route("/")
    def index() -> str:
        return flask.render_template("shared.html", whiskey=42)

    recorder = Recorder()
    with signals.template_rendered.connected_to(recorder, template_app):
        rv = template_app.test_client().get("/")
    assert rv.data == b"shared from the app"
    [(sender, kwargs)] = recorder.calls
    assert sender is template_app
    assert set(kwargs) == {"template", "context"}
    assert kwargs["template"].name == "shared.html"
    context = kwargs["context"]
    assert context["whiskey"] == 42
    # The context is the one rendered: processors' values included.
    assert context["injected"] == "yes"
    assert context["request"].path == "/"


def test_before_render_template_can_change_the_context(app: Flask) -> None:
    def change(sender: Flask, template: t.Any, context: dict[str, t.Any]) -> None:
        context["whiskey"] = 43

    recorder = Recorder()
    with signals.before_render_template.connected_to(change, app):
        with signals.before_render_template.connected_to(recorder, app):
            with app.test_request_context():
                out = flask.render_template_string("<h1>{{ whiskey }}</h1>", whiskey=42)
    assert out == "<h1>43</h1>"
    [(sender, kwargs)] = recorder.calls
    assert sender is app
    assert set(kwargs) == {"template", "context"}


def test_template_signals_order(app: Flask) -> None:
    calls: list[str] = []

    def before(sender: Flask, template: t.Any, context: t.Any) -> None:
        calls.append("before")

    def rendered(sender: Flask, template: t.Any, context: t.Any) -> None:
        calls.append("rendered")

    def mark() -> str:
        calls.append("rendering")
        return ""

    with signals.before_render_template.connected_to(before, app):
        with signals.template_rendered.connected_to(rendered, app):
            with app.app_context():
                flask.render_template_string("{{ mark() }}", mark=mark)
    assert calls == ["before", "rendering", "rendered"]


def test_stream_template_signals(app: Flask) -> None:
    calls: list[str] = []

    def before(sender: Flask, **kwargs: t.Any) -> None:
        calls.append("before")

    def rendered(sender: Flask, **kwargs: t.Any) -> None:
        calls.append("rendered")

    with signals.before_render_template.connected_to(before, app):
        with signals.template_rendered.connected_to(rendered, app):
            with app.app_context():
                stream = flask.stream_template_string(
                    "{% for i in n %}{{ i }}{% endfor %}", n=[1, 2]
                )
                assert calls == ["before"]
                assert "".join(stream) == "12"
    assert calls == ["before", "rendered"]


# -- senders and receivers ---------------------------------------------------


def test_receivers_only_hear_their_app(app: Flask) -> None:
    other = Flask("other")
    mine, theirs, anyone = Recorder(), Recorder(), Recorder()
    with signals.appcontext_pushed.connected_to(mine, app):
        with signals.appcontext_pushed.connected_to(theirs, other):
            with signals.appcontext_pushed.connected_to(anyone):
                with app.app_context():
                    pass
    assert [sender for sender, _ in mine.calls] == [app]
    assert theirs.calls == []
    assert [sender for sender, _ in anyone.calls] == [app]


def test_receiver_return_values_are_ignored(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "from the view")

    def meddle(sender: Flask, **kwargs: t.Any) -> str:
        return "from the receiver"

    with signals.request_started.connected_to(meddle, app):
        assert client.get("/").data == b"from the view"


def test_async_receiver(app: Flask, client: t.Any) -> None:
    flashed: list[tuple[str, str]] = []

    async def on_flash(sender: Flask, message: str, category: str) -> None:
        flashed.append((message, category))

    @app.route("/")
    def index() -> str:
        flask.flash("async hello", "info")
        return ""

    with signals.message_flashed.connected_to(on_flash, app):
        client.get("/")
    assert flashed == [("async hello", "info")]


def test_connect_and_disconnect(app: Flask, client: t.Any) -> None:
    recorder = Recorder()
    app.add_url_rule("/", "index", lambda: "")
    signals.request_started.connect(recorder, app)
    try:
        client.get("/")
    finally:
        signals.request_started.disconnect(recorder, app)
    client.get("/")
    assert len(recorder.calls) == 1


# -- cost when nobody listens -------------------------------------------------


def test_send_without_receivers_does_nothing() -> None:
    def wrapper(func: t.Any) -> t.Any:
        raise AssertionError("no receiver to wrap")

    for attribute in CORE_SIGNALS:
        signal = getattr(signals, attribute)
        assert signal.send(object(), _async_wrapper=wrapper, extra=1) == []


def test_request_without_receivers_wraps_only_hooks(
    template_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nobody listening, a request that renders, flashes, fails and
    tears down calls ``ensure_sync`` only on functions the app registered:
    no signal does work on the way."""
    app = template_app
    app.secret_key = "secret"
    app.testing = False
    registered: set[t.Any] = set()

    def register(f: t.Any) -> t.Any:
        registered.add(f)
        return f

    register(app.before_request(lambda: None))
    register(app.after_request(lambda response: response))
    register(app.teardown_request(lambda exc: None))
    register(app.teardown_appcontext(lambda exc: None))

    @register
    @app.route("/")
    def index() -> str:
        flask.flash("hi")
        return flask.render_template("shared.html")

    @register
    @app.route("/fail")
    def fail() -> str:
        raise RuntimeError()

    wrapped: list[t.Any] = []
    original = Flask.ensure_sync

    def spy(self: Flask, func: t.Any) -> t.Any:
        wrapped.append(func)
        return original(self, func)

    # The app's own context processor (request, session, g) counts too.
    registered.update(app.template_context_processors[None])
    monkeypatch.setattr(Flask, "ensure_sync", spy)
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/fail").status_code == 500
    assert wrapped
    assert set(wrapped) <= registered


def test_signals_carry_only_documented_arguments(
    template_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every send uses the app as sender and exactly the documented
    keyword arguments; nothing is computed for the signals' sake."""
    documented = {
        "template_rendered": {"template", "context"},
        "before_render_template": {"template", "context"},
        "request_started": set(),
        "request_finished": {"response"},
        "request_tearing_down": {"exc"},
        "got_request_exception": {"exception"},
        "appcontext_tearing_down": {"exc"},
        "appcontext_pushed": set(),
        "appcontext_popped": set(),
        "message_flashed": {"message", "category"},
    }
    app = template_app
    app.secret_key = "secret"
    app.testing = False
    sent: dict[str, list[tuple[t.Any, set[str]]]] = {name: [] for name in documented}

    def listen(sender: t.Any, **kwargs: t.Any) -> None:
        pass

    for name in documented:
        signal = getattr(signals, name)
        original_send = signal.send

        def send(
            sender: t.Any,
            /,
            *,
            _name: str = name,
            _send: t.Any = original_send,
            **kwargs: t.Any,
        ) -> t.Any:
            keys = set(kwargs) - {"_async_wrapper"}
            sent[_name].append((sender, keys))
            return _send(sender, **kwargs)

        monkeypatch.setattr(signal, "send", send)

    @app.route("/")
    def index() -> str:
        flask.flash("hi", "info")
        return flask.render_template("shared.html")

    @app.route("/fail")
    def fail() -> str:
        raise RuntimeError()

    receivers = dict.fromkeys(documented, listen)
    with _all_connected(app, receivers):
        client = app.test_client()
        client.get("/")
        client.get("/fail")
    for name, calls in sent.items():
        assert calls, f"{name} was not sent"
        for sender, keys in calls:
            assert sender is app
            assert keys == documented[name], name
