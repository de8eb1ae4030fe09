"""Flaskr with probe views, for the ASGI deployment tests. Flaskr itself is
unchanged; the factory adds views under ``/_probe/`` that report what the
application sees:

* ``/_probe/protocol``: whether the request came through the ASGI adapter.
* ``/_probe/state/<kind>?i=N``: what of an earlier request is visible in
  ``g``, ``session``, ``request`` and a module-level ``ContextVar``, then
  leaves a mark in each for the next request to find (or not). ``kind`` is
  ``plain`` (a ``def`` view), ``async`` (an ``async def`` view) or
  ``wrapped`` (a coroutine behind a plain decorator calling
  ``ensure_sync``, as Flask-Login's ``login_required`` does).
* ``/_probe/stream/<kind>?tag=T&n=N``: a slow stream of ``N`` chunks from a
  ``plain`` generator, one kept in the request's context (``context``) or
  an ``async`` generator; ``/_probe/teardowns?tag=T`` reports how many
  chunks it produced, whether it was closed or ran to its end, and how many
  times the teardown of a request with that tag ran.

Served by ``uvicorn --factory asgi_flaskr:create_app`` (or the other
servers' factory forms) from examples/flaskr with tests/deploy on the
path. The counters are per process: serve it with one worker."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
import typing as t
from collections import Counter

import flaskr

from flask import current_app
from flask import Flask
from flask import g
from flask import request
from flask import session
from flask import stream_with_context

#: User code's own context variable, set by every state probe.
user_mark: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "user_mark", default=None
)

_lock = threading.Lock()
_teardowns: Counter[str] = Counter()
_streams: dict[str, dict[str, t.Any]] = {}
#: Seconds between two chunks of a probe stream.
CHUNK_PAUSE = 0.02


def _seen_then_mark(kind: str) -> dict[str, t.Any]:
    """What this request sees of earlier ones, then its own marks."""
    i = request.args.get("i", type=int)
    seen = {
        "g": sorted(g),
        "session": dict(session),
        "user_var": user_mark.get(),
        "request_marked": "probe.mark" in request.environ
        or hasattr(request, "probe_mark"),
        "args": request.args.to_dict(),
        "header": request.headers.get("X-Probe"),
    }
    g.probe_mark = i
    session["probe_mark"] = i
    user_mark.set(i)
    request.environ["probe.mark"] = i
    request.probe_mark = i  # type: ignore[attr-defined]
    return {
        "kind": kind,
        "i": i,
        "seen": seen,
        "client_port": request.environ.get("REMOTE_PORT"),
        "thread": threading.current_thread().name,
        "on_loop": _on_a_running_loop(),
    }


def _on_a_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _through_ensure_sync(
    func: t.Callable[..., t.Awaitable[t.Any]],
) -> t.Callable[..., t.Any]:
    """A plain decorator in the style of Flask-Login's ``login_required``."""

    @functools.wraps(func)
    def view(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return current_app.ensure_sync(func)(*args, **kwargs)

    return view


def _chunks(tag: str, n: int, kind: str) -> t.Iterator[str]:
    record = _streams[tag]
    try:
        for i in range(n):
            if i:
                time.sleep(CHUNK_PAUSE)
            # The context-kept stream can still read the request.
            who = request.args["tag"] if kind == "context" else tag
            record["chunks"] += 1
            yield f"chunk-{i} of {who}\n"
        record["finished"] = True
    finally:
        record["closed"] = True


async def _async_chunks(tag: str, n: int) -> t.AsyncIterator[str]:
    record = _streams[tag]
    try:
        for i in range(n):
            if i:
                await asyncio.sleep(CHUNK_PAUSE)
            record["chunks"] += 1
            yield f"chunk-{i} of {tag}\n"
        record["finished"] = True
    finally:
        record["closed"] = True


def create_app() -> Flask:
    """Flaskr's app (``flaskr.create_app()``) with the probe views."""
    app = flaskr.create_app()

    @app.get("/_probe/protocol")
    def protocol() -> dict[str, t.Any]:
        scope = request.environ.get("asgi.scope")
        return {
            "asgi": scope is not None,
            "asgi_version": scope["asgi"].get("version") if scope else None,
            "http_version": scope.get("http_version") if scope else None,
        }

    @app.get("/_probe/state/plain")
    def state_plain() -> dict[str, t.Any]:
        return _seen_then_mark("plain")

    @app.get("/_probe/state/async")
    async def state_async() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        return _seen_then_mark("async")

    @app.get("/_probe/state/wrapped")
    @_through_ensure_sync
    async def state_wrapped() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        return _seen_then_mark("wrapped")

    @app.get("/_probe/stream/<kind>")
    def stream(kind: str) -> t.Any:
        tag = request.args["tag"]
        n = request.args.get("n", 10, type=int)
        with _lock:
            _streams[tag] = {"chunks": 0, "closed": False, "finished": False}
        if kind == "plain":
            return app.response_class(_chunks(tag, n, kind), mimetype="text/plain")
        if kind == "context":
            return app.response_class(
                stream_with_context(_chunks(tag, n, kind)), mimetype="text/plain"
            )
        if kind == "async":
            # Returned as it is: the framework wraps an async iterable.
            return _async_chunks(tag, n), {"Content-Type": "text/plain"}
        return ("no such stream", 404)

    @app.get("/_probe/teardowns")
    def teardowns() -> dict[str, t.Any]:
        tag = request.args["tag"]
        with _lock:
            return {"teardowns": _teardowns[tag], **_streams.get(tag, {})}

    @app.teardown_request
    def count_teardown(exc: BaseException | None) -> None:
        tag = request.args.get("tag")
        if tag is not None and request.endpoint != "teardowns":
            with _lock:
                _teardowns[tag] += 1

    return app
