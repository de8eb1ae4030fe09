"""One ASGI request through the pipeline: where code runs, the request
body read as the code asks, limits, errors, and the contexts."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from flask import abort
from flask import current_app
from flask import flash
from flask import Flask
from flask import g
from flask import get_flashed_messages
from flask import request
from flask import session
from flask import signals
from flask import url_for
from flask.globals import _cv_app
from flask.globals import _cv_request

FORM = [("Content-Type", "application/x-www-form-urlencoded")]


def _where() -> str:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return "thread:" + threading.current_thread().name
    return "loop"


def test_plain_view_runs_in_a_worker_thread(app, peer):
    @app.route("/")
    def index() -> str:
        return _where()

    assert peer.request("/").body.startswith(b"thread:flask-asgi")


def test_async_view_is_awaited_on_the_server_loop(app, peer, loop):
    seen = {}

    @app.route("/")
    async def index() -> str:
        seen["loop"] = asyncio.get_running_loop()
        seen["thread"] = threading.current_thread()
        await asyncio.sleep(0)
        return "ok"

    assert peer.request("/").body == b"ok"
    assert seen["loop"] is loop
    assert seen["thread"] is threading.main_thread()


def test_async_view_keeps_the_loop_with_plain_hooks(app, peer, loop):
    calls = []

    @app.before_request
    def before() -> None:
        calls.append(("before", _where()))

    @app.after_request
    def after(response):
        calls.append(("after", _where()))
        return response

    @app.route("/")
    async def index() -> str:
        return _where()

    assert peer.request("/").body == b"loop"
    assert calls == [("before", "loop"), ("after", "loop")]


def test_coroutine_hooks_are_awaited_on_the_server_loop(app, peer, loop):
    seen = []

    @app.before_request
    async def before() -> None:
        seen.append(asyncio.get_running_loop() is loop)
        g.user = "ada"

    @app.errorhandler(418)
    async def teapot(error):
        seen.append(asyncio.get_running_loop() is loop)
        return f"teapot for {g.user}", 418

    @app.route("/")
    def index() -> str:
        abort(418)

    exchange = peer.request("/")
    assert (exchange.status, exchange.body) == (418, b"teapot for ada")
    assert seen == [True, True]


@pytest.mark.parametrize("kind", ["def", "async"])
def test_globals_sessions_flashing_and_url_for(app, peer, kind):
    def body() -> str:
        session["n"] = session.get("n", 0) + 1
        g.seen = current_app.name
        if session["n"] == 1:
            flash("hello")
        return f"{session['n']} {g.seen} {url_for('index', _external=True)}"

    if kind == "def":
        app.add_url_rule("/", "index", body)
    else:

        async def index() -> str:
            return body()

        app.add_url_rule("/", "index", index)

    @app.route("/flashes")
    def flashes() -> str:
        return ",".join(get_flashed_messages())

    first = peer.request("/")
    assert first.body == b"1 flask_test http://localhost/"
    cookie = first.header("set-cookie").split(";")[0]
    second = peer.request("/", headers=[("Cookie", cookie)])
    assert second.body.startswith(b"2 ")
    assert peer.request("/flashes", headers=[("Cookie", cookie)]).body == b"hello"


def test_form_json_and_data(app, peer):
    @app.route("/form", methods=["POST"])
    def form() -> str:
        return request.form["a"] + request.form["b"]

    @app.route("/json", methods=["POST"])
    async def json_view() -> dict[str, object]:
        return {"got": request.get_json()}

    @app.route("/data", methods=["PUT"])
    def data() -> bytes:
        return request.get_data()[::-1]

    exchange = peer.request(
        "/form", "POST", body=b"a=1&b=2", headers=FORM + [("Content-Length", "7")]
    )
    assert exchange.body == b"12"
    exchange = peer.request(
        "/json",
        "POST",
        body=[b'{"x"', b": [1, 2]}"],
        headers=[("Content-Type", "application/json"), ("Content-Length", "12")],
    )
    assert exchange.status == 200
    assert exchange.body == b'{"got":{"x":[1,2]}}\n'
    exchange = peer.request(
        "/data",
        "PUT",
        body=[b"ab", b"cd", b""],
        headers=[("Transfer-Encoding", "chunked")],
    )
    assert exchange.body == b"dcba"


def test_file_upload(app, peer):
    @app.route("/up", methods=["POST"])
    def up() -> str:
        f = request.files["doc"]
        return f"{f.filename}:{f.read().decode()}:{request.form['note']}"

    boundary = "XyZ"
    payload = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="doc"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nfile body\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    exchange = peer.request(
        "/up",
        "POST",
        body=[payload[:40], payload[40:]],
        headers=[
            ("Content-Type", f"multipart/form-data; boundary={boundary}"),
            ("Content-Length", str(len(payload))),
        ],
    )
    assert exchange.body == b"a.txt:file body:hi"


def test_body_is_read_only_when_asked(app, peer):
    @app.route("/", methods=["POST"])
    def index() -> str:
        return "not read"

    exchange = peer.request(
        "/", "POST", body=[b"x"] * 5, headers=FORM + [("Content-Length", "5")]
    )
    assert exchange.body == b"not read"
    assert exchange.received == 0


def test_declared_oversize_body_is_refused_unread(app, peer):
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.get_data()

    exchange = peer.request(
        "/", "POST", body=[b"x" * 50] * 4, headers=[("Content-Length", "200")]
    )
    assert exchange.status == 413
    assert exchange.received == 0


def test_streamed_oversize_body_stops_at_the_limit(app, peer):
    app.config["MAX_CONTENT_LENGTH"] = 100

    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.get_data()

    exchange = peer.request(
        "/", "POST", body=[b"x" * 60] * 10, headers=[("Transfer-Encoding", "chunked")]
    )
    assert exchange.status == 413
    assert exchange.received < 10


def test_stream_reading(app, peer):
    @app.route("/", methods=["POST"])
    def index() -> str:
        sizes = []
        while chunk := request.stream.read(3):
            sizes.append(len(chunk))
        return str(sizes)

    exchange = peer.request(
        "/", "POST", body=[b"abcd", b"efg"], headers=[("Content-Length", "7")]
    )
    assert exchange.body == b"[3, 3, 1]"


def test_client_leaving_during_the_body_is_a_400_with_teardown(app, peer):
    torn = []
    app.teardown_request(lambda exc: torn.append(True))

    @app.route("/", methods=["POST"])
    def index() -> bytes:
        return request.get_data()

    exchange = peer.request(
        "/",
        "POST",
        body=[b"abc"],
        leave_after_body=True,
        headers=[("Transfer-Encoding", "chunked")],
    )
    # The last message said more_body, then the client went away.
    assert exchange.messages == [] or exchange.status == 400
    assert torn == [True]


def test_unhandled_error_is_a_500(app, peer, monkeypatch):
    app.config["TESTING"] = False
    monkeypatch.setattr(app.logger, "disabled", True)

    @app.route("/")
    async def index() -> str:
        raise ValueError("boom")

    assert peer.request("/").status == 500


def test_propagated_error_reaches_the_server(app, peer):
    @app.route("/")
    def index() -> str:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        peer.request("/")


def test_http_errors_and_routing(app, peer):
    @app.route("/only-post", methods=["POST"])
    def only_post() -> str:
        return "x"

    @app.route("/async-only-post", methods=["POST"])
    async def async_only_post() -> str:
        return "x"

    assert peer.request("/missing").status == 404
    assert peer.request("/only-post").status == 405
    assert peer.request("/async-only-post").status == 405
    options = peer.request("/async-only-post", "OPTIONS")
    assert options.status == 200
    assert "POST" in options.header("allow")


def test_signals(app, peer):
    sent = []

    def record(sender, **extra):
        sent.append(sorted(extra))

    @app.route("/")
    async def index() -> str:
        return "ok"

    with signals.request_started.connected_to(record, app):
        with signals.request_finished.connected_to(record, app):
            assert peer.request("/").status == 200
    assert sent == [[], ["response"]]


@pytest.mark.parametrize("kind", ["def", "async"])
def test_no_state_carries_over_between_requests(app, peer, kind):
    @app.route("/")
    def index() -> str:
        previous = g.get("mark", "none")
        g.mark = "set"
        return previous

    async def async_index() -> str:
        return index()

    if kind == "async":
        app.view_functions["index"] = async_index

    async def twice():
        # Both requests in one task, as a server may run a keep-alive
        # connection's requests.
        from asgi_helpers import make_scope

        first = await peer.exchange(make_scope("/"))
        second = await peer.exchange(make_scope("/"))
        return first, second, _cv_request.get(None), _cv_app.get(None)

    first, second, req_ctx, app_ctx = peer.loop.run_until_complete(twice())
    assert first.body == second.body == b"none"
    assert req_ctx is None and app_ctx is None


def test_worker_pool_size_from_config(app, peer):
    app.config["ASGI_WORKER_THREADS"] = 2
    names = set()

    @app.route("/")
    def index() -> str:
        names.add(threading.current_thread().name)
        return "x"

    async def many():
        from asgi_helpers import make_scope

        await asyncio.gather(*(peer.exchange(make_scope("/")) for _ in range(20)))

    peer.loop.run_until_complete(many())
    assert 1 <= len(names) <= 2


def test_request_entity_too_large_is_the_werkzeug_error(app, peer):
    app.config["MAX_CONTENT_LENGTH"] = 1
    caught = []

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(e):
        caught.append(type(e))
        return "too large", 413

    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.form.get("a", "")

    exchange = peer.request(
        "/", "POST", body=b"a=123", headers=FORM + [("Content-Length", "5")]
    )
    assert (exchange.status, exchange.body) == (413, b"too large")
    assert caught == [RequestEntityTooLarge]


def test_app_served_on_a_second_loop(app: Flask):
    @app.route("/")
    async def index() -> str:
        return "ok"

    from asgi_helpers import Peer

    for _ in range(2):
        loop = asyncio.new_event_loop()
        try:
            assert Peer(app, loop).request("/").body == b"ok"
        finally:
            loop.close()
    app.__dict__["_asgi_serving"].close()


def test_wsgi_middleware_applies_under_asgi(app, peer):
    from werkzeug.middleware.proxy_fix import ProxyFix

    @app.route("/")
    async def index() -> dict[str, object]:
        return {"addr": request.remote_addr, "scheme": request.scheme}

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    exchange = peer.request(
        "/", headers=[("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https")]
    )
    assert exchange.body == b'{"addr":"1.2.3.4","scheme":"https"}\n'


def test_subclass_wsgi_app_is_honoured(loop):
    from asgi_helpers import Peer

    class Wrapped(Flask):
        def wsgi_app(self, environ, start_response):
            environ["HTTP_X_SEEN"] = "yes"
            return super().wsgi_app(environ, start_response)

    app = Wrapped("wrapped")
    app.add_url_rule("/", "index", lambda: request.headers["X-Seen"])
    assert Peer(app, loop).request("/").body == b"yes"
    app.__dict__["_asgi_serving"].close()


USER_VAR: contextvars.ContextVar[str] = contextvars.ContextVar(
    "user_var", default="unset"
)


@pytest.mark.parametrize("kind", ["def", "async"])
def test_context_variables_a_view_sets_stay_with_its_request(app, peer, kind):
    def body() -> str:
        previous = USER_VAR.get()
        USER_VAR.set("set by a request")
        return previous

    async def async_body() -> str:
        await asyncio.sleep(0)
        return body()

    app.add_url_rule("/", "index", body if kind == "def" else async_body)

    async def twice():
        from asgi_helpers import make_scope

        # One task for both, as uvicorn runs pipelined requests.
        first = await peer.exchange(make_scope("/"))
        second = await peer.exchange(make_scope("/"))
        return first.body, second.body, USER_VAR.get()

    assert peer.loop.run_until_complete(twice()) == (b"unset", b"unset", "unset")
