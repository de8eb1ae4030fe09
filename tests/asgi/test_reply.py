"""Responses over ASGI: whole bodies in one message, streams as they are
produced (plain iterables from a thread, async ones on the loop), files
through pathsend, and a client leaving mid-stream."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from flask import Flask
from flask import redirect
from flask import request
from flask import Response
from flask import send_file
from flask import stream_with_context


def test_whole_body_in_one_message(app, peer):
    app.add_url_rule("/", "index", lambda: "Hello")
    exchange = peer.request("/")
    assert exchange.chunks == [b"Hello"]
    assert exchange.header("content-length") == "5"
    assert exchange.header("content-type") == "text/html; charset=utf-8"


def test_head_sends_no_body(app, peer):
    app.add_url_rule("/", "index", lambda: "Hello")
    exchange = peer.request("/", "HEAD")
    assert exchange.status == 200
    assert exchange.body == b""
    assert exchange.header("content-length") == "5"


@pytest.mark.parametrize("kind", ["def", "async"])
def test_generator_streams_with_context_and_one_teardown(app, peer, kind):
    torn = []
    app.teardown_request(lambda exc: torn.append(exc))

    def chunks():
        for i in range(3):
            yield f"{request.args['p']}{i};"

    if kind == "def":

        @app.route("/")
        def index():
            return stream_with_context(chunks())
    else:

        @app.route("/")
        async def index():
            return stream_with_context(chunks())

    exchange = peer.request("/", query=b"p=x")
    assert exchange.body == b"x0;x1;x2;"
    assert exchange.messages[-1] == {"type": "http.response.body", "body": b""}
    assert torn == [None]


def test_async_generator_streams_on_the_loop(app, peer, loop):
    seen = []

    @app.route("/")
    async def index():
        async def chunks():
            for i in range(3):
                seen.append(asyncio.get_running_loop() is loop)
                await asyncio.sleep(0)
                yield f"{i},"

        return chunks(), {"X-Streamed": "yes"}

    exchange = peer.request("/")
    assert exchange.chunks == [b"0,", b"1,", b"2,", b""]
    assert exchange.header("x-streamed") == "yes"
    assert seen == [True, True, True]


def test_async_generator_under_wsgi(app, client):
    @app.route("/")
    async def index():
        async def chunks():
            yield "a"
            yield b"b"

        return chunks()

    assert client.get("/").data == b"ab"


def test_stream_backpressure_holds_the_thread(app, peer):
    produced = []

    @app.route("/")
    def index():
        def chunks():
            for i in range(200):
                produced.append(i)
                yield b"x" * 10

        return chunks()

    exchange = peer.request("/")
    assert exchange.body == b"x" * 2000
    assert len(produced) == 200


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_leaving_mid_stream_closes_the_generator(app, peer, kind):
    events = []
    app.teardown_request(lambda exc: events.append("teardown"))

    def sync_chunks():
        try:
            for _ in range(10_000):
                time.sleep(0.001)
                yield b"chunk"
        finally:
            events.append("closed")

    async def async_chunks():
        try:
            for _ in range(10_000):
                await asyncio.sleep(0.001)
                yield b"chunk"
        finally:
            events.append("closed")

    @app.route("/")
    def index():
        if kind == "sync":
            return stream_with_context(sync_chunks())
        return async_chunks()

    exchange = peer.request("/", leave_after=3)
    assert 3 <= len(exchange.chunks) < 10_000
    assert "closed" in events and events.count("teardown") == 1


def test_send_file_uses_pathsend_when_offered(app, peer, tmp_path: Path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"0123456789")
    app.add_url_rule("/", "index", lambda: send_file(target))

    offered = peer.request("/", extensions={"http.response.pathsend": {}})
    assert offered.messages[-1] == {
        "type": "http.response.pathsend",
        "path": str(target),
    }
    assert offered.header("content-length") == "10"

    plain = peer.request("/")
    assert plain.body == b"0123456789"


def test_range_request_is_streamed_not_pathsent(app, peer, tmp_path: Path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"0123456789")
    app.add_url_rule("/", "index", lambda: send_file(target))
    exchange = peer.request(
        "/", headers=[("Range", "bytes=2-4")], extensions={"http.response.pathsend": {}}
    )
    assert exchange.status == 206
    assert exchange.body == b"234"


def test_no_thread_left_after_many_abandoned_streams(app: Flask, peer):
    app.config["ASGI_WORKER_THREADS"] = 4

    @app.route("/")
    def index():
        def chunks():
            while True:
                yield b"x"

        return chunks()

    @app.route("/ok")
    def ok():
        return "ok"

    for _ in range(50):
        peer.request("/", leave_after=2)
    # Every abandoned stream gave its thread back: with 4 threads, 50
    # endless streams would otherwise leave none for the next requests.
    for _ in range(8):
        assert peer.request("/ok", timeout=5).body == b"ok"


def test_response_of_an_async_generator(app, peer, client):
    from flask import Response

    @app.route("/")
    async def index():
        async def chunks():
            yield "a"
            yield b"b"

        return Response(chunks(), mimetype="text/plain")

    assert peer.request("/").body == b"ab"
    assert client.get("/").data == b"ab"


class _ExtraHeaderResponse(Response):
    def get_wsgi_headers(self, environ):  # type: ignore[no-untyped-def]
        headers = super().get_wsgi_headers(environ)
        headers["X-Finalised"] = "yes"
        return headers


class _OwnWsgiResponse(Response):
    def get_wsgi_response(self, environ):  # type: ignore[no-untyped-def]
        body, status, headers = super().get_wsgi_response(environ)
        return body, status, [*headers, ("X-Own", "yes")]


def _without_length() -> Response:
    response = Response("sized later")
    del response.headers["Content-Length"]
    return response


def _closing(closed: list[bool]) -> Response:
    response = Response("closes")
    response.call_on_close(lambda: closed.append(True))
    return response


_CASES = {
    "text": lambda closed: "Hello",
    "bytes and a header": lambda closed: (b"\x00raw", {"X-A": "b"}),
    "cookie": lambda closed: _with_cookie(),
    "json": lambda closed: {"a": [1, 2]},
    "redirect": lambda closed: redirect("/elsewhere"),
    "no content": lambda closed: ("", 204),
    "not modified": lambda closed: ("", 304),
    "informational": lambda closed: Response("", 103),
    "no length": lambda closed: _without_length(),
    "headers finalised by a subclass": lambda closed: _ExtraHeaderResponse("x"),
    "a subclass's own WSGI response": lambda closed: _OwnWsgiResponse("x"),
    "closing callback": _closing,
    "several chunks": lambda closed: Response([b"a", b"b", b"c"]),
}


def _with_cookie() -> Response:
    response = Response("c")
    response.set_cookie("k", "v", httponly=True)
    return response


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("case", sorted(_CASES))
def test_whole_reply_is_what_a_wsgi_server_sends(app, peer, client, case, method):
    """Whole bodies are read straight from a stock response when nothing
    needs finalising; either way the reply is the WSGI path's."""
    closed: list[bool] = []
    app.add_url_rule("/", "index", lambda: _CASES[case](closed))
    wsgi = client.open("/", method=method)
    wsgi_body = wsgi.data
    wsgi.close()
    wsgi_closed = list(closed)
    closed.clear()
    exchange = peer.request("/", method)
    assert exchange.status == wsgi.status_code
    sent = [(k.decode(), v.decode()) for k, v in exchange.start["headers"]]
    assert sent == [(k.lower(), v) for k, v in wsgi.headers.to_wsgi_list()]
    assert exchange.body == wsgi_body
    assert closed == wsgi_closed
