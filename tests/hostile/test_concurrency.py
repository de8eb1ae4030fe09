"""Context isolation under concurrency, and teardown when a client leaves.

* A threaded Werkzeug server on 127.0.0.1 with 16 clients whose requests
  are forced to overlap (a barrier holds every view until all 16 are in
  flight): each response echoes only its own request's token -- from the
  query, form, header, ``g``, session and host -- and each client's session
  counts its own requests.
* The same isolation with greenlets that switch away in the middle of the
  view and of a streamed response.
* A streamed response closed by the client after its first chunk still
  runs ``teardown_request`` and leaves no context pushed in its thread.

Request counts and waits are bounded; nothing asserts on timing.
"""

from __future__ import annotations

import http.client
import json
import threading
import typing as t
import urllib.parse

import greenlet
import pytest
from hostile_helpers import call_wsgi
from hostile_helpers import live_server
from hostile_helpers import make_environ
from hostile_helpers import recorded_exceptions

from flask import Flask
from flask import g
from flask import jsonify
from flask import request
from flask import Response
from flask import session
from flask import stream_with_context
from flask import url_for
from flask.globals import _cv_app
from flask.globals import _cv_request

CLIENTS = 16
ROUNDS = 6
WAIT = 20  # seconds; only bounds a broken run


class Leaks:
    """Contexts still pushed in a server thread after its response closed."""

    def __init__(self) -> None:
        self.checked = 0
        self.found: list[tuple[t.Any, t.Any]] = []
        self.lock = threading.Lock()

    def wrap(self, wsgi_app: t.Any) -> t.Any:
        def checked_app(environ: t.Any, start_response: t.Any) -> t.Iterator[bytes]:
            app_iter = wsgi_app(environ, start_response)
            try:
                yield from app_iter
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
                # Runs in the thread that served the request.
                with self.lock:
                    self.checked += 1
                    request_ctx, app_ctx = _cv_request.get(None), _cv_app.get(None)
                    if request_ctx is not None or app_ctx is not None:
                        self.found.append((request_ctx, app_ctx))

        return checked_app


def create_app(barrier: threading.Barrier | None = None) -> Flask:
    app = Flask("concurrency")
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False, SECRET_KEY="c")
    app.torn_down = []  # type: ignore[attr-defined]

    @app.before_request
    def remember() -> None:
        g.token = request.headers.get("X-Token")
        g.thread = threading.get_ident()

    @app.teardown_request
    def record(exc: BaseException | None) -> None:
        token = request.headers.get("X-Token")
        app.torn_down.append((token, g.get("token"), exc))  # type: ignore[attr-defined]

    @app.route("/work", methods=["POST"])
    def work() -> Response:
        token = request.args["token"]
        if barrier is not None:
            # Hold until every client has a request in this view.
            barrier.wait()
        session["count"] = session.get("count", 0) + 1
        session.setdefault("owner", token)
        return jsonify(
            arg=request.args["token"],
            form=request.form["token"],
            json_like=request.form["blob"][:64],
            header=request.headers["X-Token"],
            g=g.token,
            same_thread=g.thread == threading.get_ident(),
            owner=session["owner"],
            count=session["count"],
            host=request.host,
            url=url_for("work", token=token, _external=True),
        )

    return app


def session_cookie(response: http.client.HTTPResponse) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def run_client(
    port: int, index: int, results: dict[int, list[t.Any]], errors: list[BaseException]
) -> None:
    cookie: str | None = None
    try:
        for round_ in range(ROUNDS):
            token = f"client{index}-round{round_}"
            # A new host per request: more hosts than any per-host cache holds.
            host = f"c{index}-r{round_}.test:{port}"
            body = urllib.parse.urlencode({"token": token, "blob": token * 50})
            headers = {
                "Host": host,
                "X-Token": token,
                "Content-Type": "application/x-www-form-urlencoded",
                "Connection": "close",
            }
            if cookie is not None:
                headers["Cookie"] = f"session={cookie}"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            try:
                conn.request("POST", f"/work?token={token}", body=body, headers=headers)
                response = conn.getresponse()
                data = json.loads(response.read())
                assert response.status == 200, data
                cookie = session_cookie(response) or cookie
            finally:
                conn.close()
            results[index].append((token, host, data))
    except BaseException as e:  # noqa: B036 - reported to the main thread
        errors.append(e)


def test_threaded_server_keeps_every_request_to_itself() -> None:
    barrier = threading.Barrier(CLIENTS, timeout=WAIT)
    app = create_app(barrier)
    leaks = Leaks()
    app.wsgi_app = leaks.wrap(app.wsgi_app)  # type: ignore[method-assign]
    results: dict[int, list[t.Any]] = {i: [] for i in range(CLIENTS)}
    errors: list[BaseException] = []

    with recorded_exceptions(app) as app_errors, live_server(app) as (_, port):
        threads = [
            threading.Thread(target=run_client, args=(port, i, results, errors))
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * ROUNDS)
        assert not any(thread.is_alive() for thread in threads), "a client hung"

    assert errors == []
    assert app_errors == []
    for index, answers in results.items():
        assert len(answers) == ROUNDS
        for round_, (token, host, data) in enumerate(answers):
            assert data == {
                "arg": token,
                "form": token,
                "json_like": (token * 50)[:64],
                "header": token,
                "g": token,
                "same_thread": True,
                # The session is this client's: its first token, its count.
                "owner": f"client{index}-round0",
                "count": round_ + 1,
                "host": host,
                "url": f"http://{host}/work?token={token}",
            }
    torn_down = app.torn_down  # type: ignore[attr-defined]
    assert len(torn_down) == CLIENTS * ROUNDS
    assert all(header == token and exc is None for header, token, exc in torn_down)
    assert leaks.checked == CLIENTS * ROUNDS
    assert leaks.found == []


# -- greenlets ----------------------------------------------------------------------


def switch_out() -> None:
    """Give control back to the scheduler loop in the main greenlet."""
    parent = greenlet.getcurrent().parent
    assert parent is not None
    parent.switch()


def create_greenlet_app() -> Flask:
    app = Flask("greenlets")
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False, SECRET_KEY="gr")
    app.torn_down = []  # type: ignore[attr-defined]

    @app.before_request
    def remember() -> None:
        g.token = request.args["t"]
        switch_out()

    @app.teardown_request
    def record(exc: BaseException | None) -> None:
        app.torn_down.append((request.args["t"], g.get("token")))  # type: ignore[attr-defined]

    @app.route("/view", methods=["POST"])
    def view() -> Response:
        switch_out()
        form_token = request.form["t"]
        session["t"] = g.token
        switch_out()
        return jsonify(
            arg=request.args["t"], form=form_token, g=g.token, session=session["t"]
        )

    @app.route("/stream")
    def stream() -> Response:
        def generate() -> t.Iterator[str]:
            for i in range(3):
                switch_out()
                yield f"{request.args['t']}|{g.token}|{i};"

        return Response(stream_with_context(generate()))

    return app


def test_greenlets_switching_mid_request_keep_their_own_context() -> None:
    app = create_greenlet_app()
    count = 40
    results: dict[int, t.Any] = {}

    def client(i: int) -> None:
        token = f"green{i}"
        if i % 2:
            environ = make_environ(
                "POST",
                "/view",
                f"t={token}",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                body=f"t={token}".encode(),
            )
        else:
            environ = make_environ("GET", "/stream", f"t={token}")
        results[i] = call_wsgi(app, environ)

    with recorded_exceptions(app) as errors:
        greenlets = [greenlet.greenlet(client) for _ in range(count)]
        args = list(range(count))
        started = [False] * count
        for _ in range(100):
            pending = [i for i, gr in enumerate(greenlets) if not gr.dead]
            if not pending:
                break
            for i in pending:
                if started[i]:
                    greenlets[i].switch()
                else:
                    started[i] = True
                    greenlets[i].switch(args[i])
                # Between switches, the scheduler sees no request at all.
                assert _cv_request.get(None) is None
                assert _cv_app.get(None) is None
        assert all(gr.dead for gr in greenlets), "a greenlet never finished"
    assert errors == []

    for i, result in results.items():
        token = f"green{i}"
        assert result.status_code == 200
        if i % 2:
            assert json.loads(result.body) == {
                "arg": token,
                "form": token,
                "g": token,
                "session": token,
            }
        else:
            assert result.body.decode() == "".join(
                f"{token}|{token}|{n};" for n in range(3)
            )
    # Every request was torn down, each seeing its own request and g
    # (that a stream is torn down exactly once is checked below).
    torn_down = app.torn_down  # type: ignore[attr-defined]
    assert set(torn_down) == {(f"green{i}", f"green{i}") for i in range(count)}


# -- client disconnects mid-stream ---------------------------------------------------------


def create_stream_app() -> tuple[Flask, threading.Event]:
    app = Flask("streaming")
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    app.torn_down = []  # type: ignore[attr-defined]
    torn_down = threading.Event()

    @app.teardown_request
    def record(exc: BaseException | None) -> None:
        app.torn_down.append((request.args.get("t"), threading.get_ident()))  # type: ignore[attr-defined]
        torn_down.set()

    @app.route("/stream")
    def stream() -> Response:
        g.token = request.args["t"]

        def generate() -> t.Iterator[bytes]:
            yield f"first:{g.token};".encode()
            # Bounded: at most 64 MB, far beyond any socket buffer.
            for _ in range(1000):
                yield b"x" * 65536

        return Response(stream_with_context(generate()))

    return app, torn_down


def test_closing_a_stream_after_the_first_chunk_tears_down() -> None:
    app, torn_down = create_stream_app()
    seen: dict[str, t.Any] = {}

    def worker() -> None:
        calls: list[str] = []
        app_iter = app(
            make_environ(path="/stream", query="t=abc"),
            lambda status, headers, exc_info=None: calls.append(status),
        )
        iterator = iter(app_iter)
        seen["first"] = next(iterator)
        before_close = len(app.torn_down)  # type: ignore[attr-defined]
        app_iter.close()  # type: ignore[attr-defined]
        seen["torn_down_on_close"] = len(app.torn_down) > before_close  # type: ignore[attr-defined]
        seen["contexts"] = (_cv_request.get(None), _cv_app.get(None))
        seen["status"] = calls

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert seen["status"] == ["200 OK"]
    assert seen["first"] == b"first:abc;"
    # Closing the stream tore the request down, in the thread that streamed.
    assert seen["torn_down_on_close"] is True
    assert {token for token, _ in app.torn_down} == {"abc"}  # type: ignore[attr-defined]
    assert {ident for _, ident in app.torn_down} == {thread.ident}  # type: ignore[attr-defined]
    assert seen["contexts"] == (None, None)


def test_client_leaving_a_live_stream_tears_down_in_the_server_thread() -> None:
    app, torn_down = create_stream_app()
    leaks = Leaks()
    app.wsgi_app = leaks.wrap(app.wsgi_app)  # type: ignore[method-assign]
    with live_server(app) as (_, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        try:
            conn.request("GET", "/stream?t=gone")
            response = conn.getresponse()
            assert response.status == 200
            assert response.read(len(b"first:gone;")) == b"first:gone;"
            response.close()
        finally:
            conn.close()  # the client leaves mid-stream
        # Writing to the closed connection fails, the server closes the
        # response in its thread; wait (bounded) for that.
        closed = threading.Event()
        for _ in range(WAIT * 20):
            with leaks.lock:
                if leaks.checked:
                    closed.set()
                    break
            closed.wait(0.05)
        assert closed.is_set(), "the server never closed the response"
    assert torn_down.is_set()
    assert {token for token, _ in app.torn_down} == {"gone"}  # type: ignore[attr-defined]
    assert leaks.checked == 1
    assert leaks.found == []


@pytest.mark.parametrize("rounds", [3])
def test_many_short_lived_streams_leave_no_context(rounds: int) -> None:
    """Streams closed at every point (before start, after some chunks,
    after the end) all tear down exactly once."""
    app, _ = create_stream_app()
    expected = []
    for round_ in range(rounds):
        for stop in (0, 1, 2, 5):
            token = f"r{round_}s{stop}"
            app_iter = app(
                make_environ(path="/stream", query=f"t={token}"),
                lambda status, headers, exc_info=None: None,
            )
            iterator = iter(app_iter)
            for _ in range(stop):
                next(iterator)
            app_iter.close()  # type: ignore[attr-defined]
            expected.append(token)
            assert _cv_request.get(None) is None
            assert _cv_app.get(None) is None
    assert {token for token, _ in app.torn_down} == set(expected)  # type: ignore[attr-defined]


@pytest.mark.parametrize("read", ["all", "first", "none"])
def test_streamed_response_is_torn_down_once_after_the_stream(read: str) -> None:
    app = Flask("teardown_once")
    calls: list[str] = []

    @app.teardown_request
    def teardown_request(exc: BaseException | None) -> None:
        calls.append("teardown_request")

    @app.teardown_appcontext
    def teardown_appcontext(exc: BaseException | None) -> None:
        calls.append("teardown_appcontext")

    @app.route("/")
    def index() -> Response:
        def generate() -> t.Iterator[str]:
            calls.append("streaming")
            yield "a"
            yield "b"

        return Response(stream_with_context(generate()))

    app_iter = app(make_environ(), lambda status, headers, exc_info=None: None)
    try:
        if read == "all":
            assert b"".join(app_iter) == b"ab"
        elif read == "first":
            assert next(iter(app_iter)) == b"a"
        open_calls = list(calls)
    finally:
        app_iter.close()  # type: ignore[attr-defined]
    if read != "all":
        # Nothing is torn down while the stream is unfinished and open.
        assert "teardown_request" not in open_calls
    expected = ["streaming"] if read != "none" else []
    assert calls == [*expected, "teardown_request", "teardown_appcontext"]
