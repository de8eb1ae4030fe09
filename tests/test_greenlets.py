"""Request contexts carried into greenlets: ``request_ctx.copy()`` and
``copy_current_request_context``."""

from __future__ import annotations

import asyncio
import typing as t

import pytest

import flask
from flask import Flask
from flask import request
from flask import session
from flask.globals import request_ctx

greenlet_module = pytest.importorskip("greenlet")
greenlet = greenlet_module.greenlet


def test_copied_context_pushed_in_a_greenlet(app: Flask, client: t.Any) -> None:
    started: list[t.Any] = []

    @app.route("/")
    def index() -> str:
        session["fizz"] = "buzz"
        copied = request_ctx.copy()

        def work() -> tuple[t.Any, ...]:
            outside = (bool(request), bool(flask.current_app))
            with copied:
                inside = (
                    request.path,
                    request.args["foo"],
                    session.get("fizz"),
                    flask.current_app._get_current_object() is app,
                    flask.g.get("from_view"),
                )
            after = bool(request)
            return outside, inside, after

        flask.g.from_view = "shared g"
        started.append(greenlet(work))
        return "scheduled"

    assert client.get("/?foo=bar").data == b"scheduled"
    # The request is over; the greenlet runs with its copy.
    outside, inside, after = started[0].switch()
    assert outside == (False, False)
    # The copy shares the request and session, and gets its own app
    # context (so its own g).
    assert inside == ("/", "bar", "buzz", True, None)
    assert after is False


def test_copy_current_request_context_decorator(app: Flask, client: t.Any) -> None:
    started: list[t.Any] = []

    @app.route("/<name>")
    def index(name: str) -> str:
        session["visits"] = 3

        @flask.copy_current_request_context
        def work(suffix: str) -> str:
            return f"{request.path} {name} {session['visits']}{suffix}"

        started.append(greenlet(work))
        return "scheduled"

    client.get("/ann")
    assert started[0].switch("!") == "/ann ann 3!"
    assert not flask.has_request_context()


def test_copy_current_request_context_needs_a_request(app: Flask) -> None:
    with pytest.raises(RuntimeError, match="request context"):
        flask.copy_current_request_context(lambda: None)


def test_greenlets_switching_keep_their_own_requests(app: Flask) -> None:
    """Two greenlets push copies of different requests and switch back
    and forth; each keeps seeing its own request."""
    seen: list[str] = []
    copies = {}
    for path in ("/one", "/two"):
        with app.test_request_context(path):
            copies[path] = request_ctx.copy()

    def run(path: str) -> None:
        with copies[path]:
            seen.append(f"{path} sees {request.path}")
            hub.switch()
            seen.append(f"{path} still sees {request.path}")
            hub.switch()

    hub = greenlet.getcurrent()
    first = greenlet(run)
    second = greenlet(run)
    first.switch("/one")
    second.switch("/two")
    assert not flask.has_request_context()
    first.switch()
    second.switch()
    first.switch()
    second.switch()
    assert first.dead and second.dead
    assert seen == [
        "/one sees /one",
        "/two sees /two",
        "/one still sees /one",
        "/two still sees /two",
    ]
    assert not flask.has_request_context()


def test_request_handled_inside_a_greenlet(app: Flask) -> None:
    @app.route("/")
    def index() -> str:
        return request.args.get("who", "nobody")

    def serve() -> bytes:
        return app.test_client().get("/?who=greenlet").data  # type: ignore[no-any-return]

    assert greenlet(serve).switch() == b"greenlet"


def test_async_function_in_a_copied_context(app: Flask, client: t.Any) -> None:
    started: list[t.Any] = []

    @app.route("/")
    def index() -> str:
        @flask.copy_current_request_context
        async def work() -> str:
            await asyncio.sleep(0)
            return f"async {request.path} {request.args['n']}"

        started.append(greenlet(work))
        return "scheduled"

    client.get("/?n=7")
    assert started[0].switch() == "async / 7"


def test_async_view_run_from_a_greenlet(app: Flask) -> None:
    @app.route("/")
    async def index() -> str:
        await asyncio.sleep(0)
        return f"async view at {request.path}"

    def serve() -> bytes:
        return app.test_client().get("/").data  # type: ignore[no-any-return]

    assert greenlet(serve).switch() == b"async view at /"
