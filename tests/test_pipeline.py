"""The order in which a request meets the hooks: signals and context
push, URL value preprocessors, before_request, the view,
after_this_request, after_request, session save, teardown and pop."""

from __future__ import annotations

import typing as t

import pytest

import flask
from flask import Flask
from flask import signals


@pytest.fixture
def events() -> list[str]:
    return []


@pytest.fixture
def traced_app(app: Flask, events: list[str]) -> Flask:
    """An app recording every stage a request to ``/<name>`` goes through."""

    @app.url_value_preprocessor
    def preprocess(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        events.append(f"url_value_preprocessor {endpoint} {values}")

    @app.before_request
    def before_one() -> None:
        events.append("before_request 1")

    @app.before_request
    def before_two() -> None:
        events.append("before_request 2")

    @app.route("/<name>")
    def view(name: str) -> str:
        events.append("view")

        @flask.after_this_request
        def this_one(response: flask.Response) -> flask.Response:
            events.append("after_this_request")
            return response

        return f"hello {name}"

    @app.after_request
    def after_one(response: flask.Response) -> flask.Response:
        events.append("after_request 1")
        return response

    @app.after_request
    def after_two(response: flask.Response) -> flask.Response:
        events.append("after_request 2")
        return response

    @app.teardown_request
    def teardown_one(exc: BaseException | None) -> None:
        events.append(f"teardown_request 1 {exc!r}")

    @app.teardown_request
    def teardown_two(exc: BaseException | None) -> None:
        events.append(f"teardown_request 2 {exc!r}")

    @app.teardown_appcontext
    def teardown_app_one(exc: BaseException | None) -> None:
        events.append(f"teardown_appcontext 1 {exc!r}")

    @app.teardown_appcontext
    def teardown_app_two(exc: BaseException | None) -> None:
        events.append(f"teardown_appcontext 2 {exc!r}")

    return app


def test_full_order_of_a_request(traced_app: Flask, events: list[str]) -> None:
    response = traced_app.test_client().get("/world")
    assert response.data == b"hello world"
    assert events == [
        "url_value_preprocessor view {'name': 'world'}",
        "before_request 1",
        "before_request 2",
        "view",
        "after_this_request",
        "after_request 2",
        "after_request 1",
        "teardown_request 2 None",
        "teardown_request 1 None",
        "teardown_appcontext 2 None",
        "teardown_appcontext 1 None",
    ]


def test_signals_around_the_pipeline(traced_app: Flask, events: list[str]) -> None:
    def recorder(name: str) -> t.Callable[..., None]:
        def receive(sender: t.Any, **kwargs: t.Any) -> None:
            assert sender is traced_app
            if name == "request_finished":
                assert kwargs["response"].data == b"hello you"
            events.append(name)

        return receive

    names = [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    receivers = {name: recorder(name) for name in names}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, traced_app)
    try:
        traced_app.test_client().get("/you")
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver, traced_app)

    stages = [e.split(" ")[0] for e in events]
    assert stages == [
        "appcontext_pushed",
        "request_started",
        "url_value_preprocessor",
        "before_request",
        "before_request",
        "view",
        "after_this_request",
        "after_request",
        "after_request",
        "request_finished",
        "teardown_request",
        "teardown_request",
        "request_tearing_down",
        "teardown_appcontext",
        "teardown_appcontext",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]


def test_signal_receivers_for_another_app_are_not_called(app: Flask) -> None:
    other = Flask("other")
    calls = []

    def receive(sender: t.Any, **kwargs: t.Any) -> None:
        calls.append(sender)

    app.add_url_rule("/", "index", lambda: "")
    with signals.request_started.connected_to(receive, other):
        app.test_client().get("/")
    assert calls == []


# -- before_request ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("returned", "status", "body"),
    [
        ("stopped early", 200, b"stopped early"),
        (("denied", 403), 403, b"denied"),
        ({"error": "nope"}, 200, b'{"error":"nope"}\n'),
        (flask.Response("resp", status=202), 202, b"resp"),
    ],
)
def test_before_request_return_value_is_the_response(
    traced_app: Flask, events: list[str], returned: t.Any, status: int, body: bytes
) -> None:
    @traced_app.before_request
    def stop() -> t.Any:
        events.append("stop")
        return returned

    @traced_app.before_request
    def never() -> None:
        events.append("never")

    response = traced_app.test_client().get("/x")
    assert response.status_code == status
    assert response.data == body
    assert "view" not in events
    assert "never" not in events
    # after_request and teardown still run on the early response.
    assert events[3:] == [
        "stop",
        "after_request 2",
        "after_request 1",
        "teardown_request 2 None",
        "teardown_request 1 None",
        "teardown_appcontext 2 None",
        "teardown_appcontext 1 None",
    ]


@pytest.mark.parametrize("falsy", ["", 0, [], {}])
def test_only_none_lets_the_request_continue(
    app: Flask, client: t.Any, falsy: t.Any
) -> None:
    app.before_request(lambda: falsy)
    app.add_url_rule("/", "index", lambda: "view")
    if falsy == 0:
        with pytest.raises(TypeError, match="int"):
            client.get("/")
    else:
        assert client.get("/").data != b"view"


def test_test_request_context_runs_no_request_hooks(
    traced_app: Flask, events: list[str]
) -> None:
    with traced_app.test_request_context("/manual"):
        assert events == []
        assert traced_app.preprocess_request() is None
        response = traced_app.process_response(flask.Response("r"))
        assert response.data == b"r"
    assert events == [
        "url_value_preprocessor view {'name': 'manual'}",
        "before_request 1",
        "before_request 2",
        "after_request 2",
        "after_request 1",
        "teardown_request 2 None",
        "teardown_request 1 None",
        "teardown_appcontext 2 None",
        "teardown_appcontext 1 None",
    ]


# -- url_value_preprocessor -----------------------------------------------------------


def test_url_value_preprocessor_can_take_values_before_the_view(
    app: Flask, client: t.Any
) -> None:
    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        assert values is not None
        flask.g.lang = values.pop("lang", None)

    @app.before_request
    def check() -> None:
        assert flask.g.lang == "fr"

    @app.route("/<lang>/page")
    def page() -> str:
        return f"page in {flask.g.lang}"

    assert client.get("/fr/page").data == b"page in fr"


def test_url_value_preprocessor_sees_no_values_on_404(
    app: Flask, client: t.Any
) -> None:
    seen = []
    app.url_value_preprocessor(lambda endpoint, values: seen.append((endpoint, values)))
    assert client.get("/missing").status_code == 404
    assert seen == [(None, None)]


# -- after_request and after_this_request --------------------------------------------


def test_after_request_can_replace_the_response(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "original")

    @app.after_request
    def replace(response: flask.Response) -> flask.Response:
        return flask.Response("replaced", status=201)

    response = client.get("/")
    assert response.status_code == 201
    assert response.data == b"replaced"


def test_after_this_request_runs_before_after_request(
    app: Flask, client: t.Any
) -> None:
    @app.route("/")
    def index() -> str:
        @flask.after_this_request
        def first(response: flask.Response) -> flask.Response:
            response.headers["X-Order"] = "this"
            return response

        @flask.after_this_request
        def second(response: flask.Response) -> flask.Response:
            response.headers["X-Order"] += ",this again"
            return response

        return ""

    @app.after_request
    def later(response: flask.Response) -> flask.Response:
        response.headers["X-Order"] += ",app"
        return response

    assert client.get("/").headers["X-Order"] == "this,this again,app"


def test_after_this_request_is_per_request(app: Flask, client: t.Any) -> None:
    @app.route("/<flag>")
    def index(flag: str) -> str:
        if flag == "yes":
            flask.after_this_request(_mark)
        return ""

    assert client.get("/yes").headers.get("X-Marked") == "1"
    assert "X-Marked" not in client.get("/no").headers


def _mark(response: flask.Response) -> flask.Response:
    response.headers["X-Marked"] = "1"
    return response


def test_session_is_saved_after_after_request(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/set", "set", lambda: "")
    app.add_url_rule("/get", "get", lambda: flask.session.get("who", "nobody"))

    @app.after_request
    def store(response: flask.Response) -> flask.Response:
        if flask.request.endpoint == "set":
            flask.session["who"] = "after_request"
        return response

    assert "Set-Cookie" in client.get("/set").headers
    assert client.get("/get").data == b"after_request"


# -- the error branch and teardown ----------------------------------------------------


def test_unhandled_error_becomes_a_500_that_goes_through_after_request(
    traced_app: Flask, events: list[str]
) -> None:
    traced_app.testing = False
    error = ZeroDivisionError("boom")

    @traced_app.before_request
    def fail() -> None:
        raise error

    response = traced_app.test_client().get("/x")
    assert response.status_code == 500
    # The 500 response is finalized like any other; teardown sees the error.
    assert events[1:] == [
        "before_request 1",
        "before_request 2",
        "after_request 2",
        "after_request 1",
        f"teardown_request 2 {error!r}",
        f"teardown_request 1 {error!r}",
        f"teardown_appcontext 2 {error!r}",
        f"teardown_appcontext 1 {error!r}",
    ]


def test_propagated_error_skips_after_request_but_reaches_teardown(
    traced_app: Flask, events: list[str]
) -> None:
    @traced_app.route("/fail/now")
    def fail() -> str:
        raise KeyError("propagated")

    with pytest.raises(KeyError, match="propagated"):
        traced_app.test_client().get("/fail/now")
    assert not any(e.startswith("after_request") for e in events)
    assert events[-1] == "teardown_appcontext 1 KeyError('propagated')"
    assert events[-4] == "teardown_request 2 KeyError('propagated')"


def test_handled_error_runs_after_request_and_teardown_sees_none(
    traced_app: Flask, events: list[str]
) -> None:
    @traced_app.route("/fail/now")
    def fail() -> str:
        raise ValueError("handled")

    @traced_app.errorhandler(ValueError)
    def handle(e: ValueError) -> tuple[str, int]:
        events.append(f"errorhandler {e}")
        return "handled", 418

    response = traced_app.test_client().get("/fail/now")
    assert response.status_code == 418
    assert events[3:] == [
        "errorhandler handled",
        "after_request 2",
        "after_request 1",
        "teardown_request 2 None",
        "teardown_request 1 None",
        "teardown_appcontext 2 None",
        "teardown_appcontext 1 None",
    ]


def test_http_error_response_goes_through_after_request(
    traced_app: Flask, events: list[str]
) -> None:
    response = traced_app.test_client().get("/too/deep")
    assert response.status_code == 404
    assert events == [
        "url_value_preprocessor None None",
        "before_request 1",
        "before_request 2",
        "after_request 2",
        "after_request 1",
        "teardown_request 2 None",
        "teardown_request 1 None",
        "teardown_appcontext 2 None",
        "teardown_appcontext 1 None",
    ]


def test_teardown_return_values_are_ignored(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: "fine")
    app.teardown_request(lambda exc: "ignored")
    app.teardown_appcontext(lambda exc: "ignored")
    assert client.get("/").data == b"fine"


def test_should_ignore_error_hides_the_error_from_teardown(app: Flask) -> None:
    class Quiet(Flask):
        def should_ignore_error(self, error: BaseException | None) -> bool:
            return True

    quiet = Quiet(__name__)
    quiet.testing = False
    seen = []
    quiet.teardown_request(seen.append)

    @quiet.route("/")
    def fail() -> str:
        raise RuntimeError("ignored")

    assert quiet.test_client().get("/").status_code == 500
    assert seen == [None]


# -- overridable stages ---------------------------------------------------------------


def test_wsgi_app_can_be_wrapped_by_middleware(app: Flask, client: t.Any) -> None:
    app.add_url_rule("/", "index", lambda: flask.request.environ["X_MIDDLEWARE"])
    inner = app.wsgi_app

    def middleware(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        environ["X_MIDDLEWARE"] = "wrapped"
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    assert client.get("/").data == b"wrapped"


def test_dispatch_request_can_be_overridden() -> None:
    class Upper(Flask):
        def dispatch_request(self) -> t.Any:
            return str(super().dispatch_request()).upper()

    app = Upper(__name__)
    app.add_url_rule("/", "index", lambda: "shout")
    assert app.test_client().get("/").data == b"SHOUT"


def test_process_response_can_be_overridden() -> None:
    class Stamped(Flask):
        def process_response(self, response: flask.Response) -> flask.Response:
            response = super().process_response(response)
            response.headers["X-Stamp"] = "1"
            return response

    app = Stamped(__name__)
    app.add_url_rule("/", "index", lambda: "")
    assert app.test_client().get("/").headers["X-Stamp"] == "1"


def test_full_dispatch_request_marks_the_first_request(app: Flask) -> None:
    app.add_url_rule("/", "index", lambda: "")
    assert app._got_first_request is False
    with app.test_request_context():
        app.full_dispatch_request()
    assert app._got_first_request is True
