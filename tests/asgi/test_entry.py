"""The app object is both a WSGI and an ASGI application: WSGI servers
call it with ``environ, start_response``; ASGI servers recognise it as
ASGI 3 and call it with ``scope, receive, send`` (or as ASGI 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from asgi_helpers import make_scope

from flask import Flask


@pytest.fixture
def hello(app: Flask) -> Flask:
    app.add_url_rule("/", "index", lambda: "hi")
    return app


def test_wsgi_call_unchanged(hello, client):
    assert client.get("/").data == b"hi"


def test_asgi2_style_call(hello, loop):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    instance = hello(make_scope("/"))
    loop.run_until_complete(instance(receive, send))
    assert sent[-1]["body"] == b"hi"
    hello.__dict__["_asgi_serving"].close()


def test_asgi_app_is_what_middleware_wraps(hello, loop):
    from asgi_helpers import Peer

    calls = []
    inner = hello.asgi_app

    async def middleware(scope, receive, send):
        calls.append(scope["path"])
        await inner(scope, receive, send)

    hello.asgi_app = middleware
    assert Peer(hello, loop).request("/").body == b"hi"
    assert calls == ["/"]
    hello.__dict__["_asgi_serving"].close()


def test_a_subclass_asgi_app_is_what_the_server_calls(loop):
    from asgi_helpers import Peer

    calls = []

    class Traced(Flask):
        async def asgi_app(self, scope, receive, send):
            calls.append(scope["path"])
            await super().asgi_app(scope, receive, send)

    traced = Traced(__name__)
    traced.add_url_rule("/", "index", lambda: "hi")
    assert Peer(traced, loop).request("/").body == b"hi"
    assert calls == ["/"]
    traced.__dict__["_asgi_serving"].close()


@pytest.mark.parametrize(
    "check",
    [
        "import asyncio, flask; ok = asyncio.iscoroutinefunction(flask.Flask('a').__call__)",
        # What uvicorn runs to choose between ASGI 3 and ASGI 2.
        "import uvicorn.config, flask; from uvicorn._compat import iscoroutinefunction;"
        " ok = iscoroutinefunction(flask.Flask('a').__call__)",
    ],
)
def test_servers_recognise_asgi3(check):
    out = subprocess.run(
        [sys.executable, "-c", check + "; print(ok)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_wsgi_only_import_does_not_load_asyncio():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, flask; print('asyncio' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"
