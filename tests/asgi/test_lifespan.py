"""The ``lifespan`` protocol: ``before_serving`` and ``after_serving``
functions, plain or async, run in an app context at startup and
shutdown; a failure is reported to the server."""

from __future__ import annotations

import asyncio

import pytest

from flask import current_app
from flask import Flask


def _run_lifespan(app: Flask, loop: asyncio.AbstractEventLoop) -> list[dict]:
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    loop.run_until_complete(asyncio.wait_for(app(scope, receive, send), 10))
    return sent


def test_startup_and_shutdown_run_in_order(app, loop):
    calls = []

    @app.before_serving
    def plain_start() -> None:
        calls.append(("start", current_app.name))

    @app.before_serving
    async def async_start() -> None:
        await asyncio.sleep(0)
        calls.append(("async start", current_app.name))

    @app.after_serving
    async def stop() -> None:
        calls.append(("stop", current_app.name))

    sent = _run_lifespan(app, loop)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert calls == [
        ("start", "flask_test"),
        ("async start", "flask_test"),
        ("stop", "flask_test"),
    ]


def test_failed_startup_is_reported(app, loop):
    @app.before_serving
    def broken() -> None:
        raise RuntimeError("no database")

    sent = _run_lifespan(app, loop)
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    assert "no database" in sent[0]["message"]


def test_serving_functions_are_setup_methods(app, peer):
    app.add_url_rule("/", "index", lambda: "x")
    peer.request("/")
    with pytest.raises(AssertionError, match="before_serving"):
        app.before_serving(lambda: None)


def test_blueprint_free_app_without_hooks(app, loop):
    assert [m["type"] for m in _run_lifespan(app, loop)] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
