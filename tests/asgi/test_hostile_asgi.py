"""The hostile-input corpus of ``tests/hostile/`` replayed through the ASGI
adapter: every generated environ becomes the scope and body messages an
ASGI server would send, and the same invariants hold (no exception
escaping to the server, nothing reported through
``got_request_exception``, no 5xx, the answer carries its own request's
token, Content-Length agrees with the body, no context left pushed).

Then faults a WSGI server never shows an app: bodies that stop early,
clients that leave while a view or a stream runs, oversize bodies; after
a thousand of them no task, thread or context is left and memory is
flat."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import tracemalloc
import typing as t
import urllib.parse
from pathlib import Path

import pytest
from asgi_helpers import Exchange
from asgi_helpers import make_scope
from asgi_helpers import Peer
from hypothesis import given

from flask import Flask
from flask import request
from flask import stream_with_context
from flask._asgi._testclient import headers_of
from flask.globals import _cv_app
from flask.globals import _cv_request

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
import test_wsgi_fuzz as corpus  # noqa: E402
from hostile_helpers import FUZZ  # noqa: E402
from hostile_helpers import recorded_exceptions  # noqa: E402

sys.path.pop(0)

_SAFE_PATH = "/;:@&=+$,-_.!~*'()"


def scope_of(environ: dict[str, t.Any]) -> tuple[dict[str, t.Any], list[bytes]]:
    """The scope and body messages a server would send for ``environ``."""
    path_bytes = environ["PATH_INFO"].encode("latin-1")
    headers = []
    for name, value in headers_of(environ):
        try:
            headers.append((name, value.encode("latin-1")))
        except UnicodeEncodeError:  # what a client sending UTF-8 sends
            headers.append((name, value.encode("utf-8")))
    port = environ.get("SERVER_PORT", "80")
    protocol = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    scope = make_scope(
        path_bytes.decode("utf-8", "replace"),
        environ["REQUEST_METHOD"],
        raw_path=urllib.parse.quote_from_bytes(path_bytes, _SAFE_PATH).encode(),
        query=environ.get("QUERY_STRING", "").encode("latin-1"),
        headers=headers,
        host=None,
        scheme=environ.get("wsgi.url_scheme", "http"),
        root_path=environ.get("SCRIPT_NAME", "")
        .encode("latin-1")
        .decode("utf-8", "replace"),
        server=(environ["SERVER_NAME"], int(port) if port.isdigit() else None),
        http_version=protocol[5:] if protocol.startswith("HTTP/") else "1.1",
    )
    data = environ["wsgi.input"].read()
    return scope, [data[i : i + 700] for i in range(0, len(data), 700)] or [b""]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[tuple[Flask, Peer]]:
    static = tmp_path_factory.mktemp("static")
    (static / "hello.txt").write_bytes(corpus.STATIC_TEXT)
    app = corpus.create_app(static)
    loop = asyncio.new_event_loop()
    yield app, Peer(app, loop)
    app.__dict__["_asgi_serving"].close()
    loop.close()


def replay(app: Flask, peer: Peer, environ: dict[str, t.Any]) -> Exchange:
    token = corpus.new_token()
    environ["HTTP_X_TOKEN"] = token
    scope, body = scope_of(environ)
    with recorded_exceptions(app) as errors:
        exchange = peer.loop.run_until_complete(
            asyncio.wait_for(peer.exchange(scope, body), 30)
        )
    assert errors == [], f"the app raised {errors!r}"
    assert exchange.status < 500, exchange.body
    assert exchange.header("x-token-echo") == token
    length = exchange.header("content-length")
    if length is not None and scope["method"].upper() != "HEAD":
        if exchange.status not in (204, 304):
            assert int(length) == len(exchange.body)
    assert _cv_request.get(None) is None and _cv_app.get(None) is None
    return exchange


@FUZZ
@given(environ=corpus.hostile_environs())
def test_any_request_is_answered_without_a_server_error(served, environ) -> None:
    replay(*served, environ)


@FUZZ
@given(cookie=corpus.cookie_headers())
def test_any_cookie_header_is_answered(served, cookie) -> None:
    from hostile_helpers import make_environ

    replay(*served, make_environ("GET", "/echo", headers=[("Cookie", cookie)]))


# -- faults only ASGI shows an app -----------------------------------------------


@pytest.fixture
def faulty(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    app.config.update(TESTING=False, MAX_CONTENT_LENGTH=1000, ASGI_WORKER_THREADS=4)
    monkeypatch.setattr(app.logger, "disabled", True)

    @app.route("/read", methods=["POST"])
    def read() -> bytes:
        return request.get_data()[:10]

    @app.route("/aread", methods=["POST"])
    async def aread() -> bytes:
        return request.get_data()[:10]

    @app.route("/slow")
    async def slow() -> str:
        await asyncio.sleep(0.002)
        return "late"

    @app.route("/stream")
    def stream():
        def chunks():
            for _ in range(1000):
                yield b"x" * 100

        return stream_with_context(chunks())

    @app.route("/astream")
    async def astream():
        async def chunks():
            for _ in range(1000):
                await asyncio.sleep(0)
                yield b"y" * 100

        return chunks()

    return app


def _fault(i: int) -> dict[str, t.Any]:
    """The i-th of a rotation of faulty requests."""
    chunked = [("Transfer-Encoding", "chunked")]
    kinds = [
        # body stopping early: the client leaves after part of it
        dict(
            path="/read",
            method="POST",
            body=[b"a" * 100],
            leave_after_body=True,
            cut_short=True,
            headers=[("Content-Length", "500")],
        ),
        dict(
            path="/aread",
            method="POST",
            body=[b"a" * 100],
            leave_after_body=True,
            cut_short=True,
            headers=chunked,
        ),
        # oversize bodies, declared and streamed
        dict(
            path="/read",
            method="POST",
            body=[b"b" * 600] * 3,
            headers=[("Content-Length", "1800")],
        ),
        dict(path="/aread", method="POST", body=[b"b" * 600] * 3, headers=chunked),
        # the client leaves while the view runs, and mid-stream
        dict(path="/slow", leave_after_body=True),
        dict(path="/stream", leave_after=2),
        dict(path="/astream", leave_after=2),
    ]
    return kinds[i % len(kinds)]


def _run_faults(peer: Peer, count: int) -> list[Exchange]:
    out = []
    for i in range(count):
        args = _fault(i)
        out.append(peer.request(args.pop("path"), **args))
    return out


def test_faults_end_in_a_4xx_or_clean_teardown(faulty, peer):
    torn = []
    faulty.teardown_request(lambda exc: torn.append(exc))
    exchanges = _run_faults(peer, 7)
    statuses = [e.status if e.messages else None for e in exchanges]
    assert all(s is None or s < 500 for s in statuses), statuses
    assert statuses[2] == statuses[3] == 413
    # Every request that ran was torn down exactly once; a client that left
    # before its body was received (the async view's) never ran.
    assert len(torn) == 6


def test_a_thousand_faults_leave_nothing_behind(faulty, peer, loop):
    threads = threading.active_count()
    _run_faults(peer, 70)  # warm up: caches, pool threads
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        _run_faults(peer, 1000)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert growth < 512 * 1024, f"memory grew by {growth} bytes"
    # Only the pool's own threads (4 configured), idle, stay.
    assert threading.active_count() <= threads + 4
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    assert pending == []
    assert _cv_request.get(None) is None and _cv_app.get(None) is None
