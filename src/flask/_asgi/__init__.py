"""The ASGI adapter: ``app.asgi_app(scope, receive, send)``.

A thin layer over the protocol-neutral pipeline of :mod:`flask._pipeline`:
it turns an HTTP scope into the environ the request object reads, runs the
pipeline on the loop or in a worker thread (:mod:`._http`), sends the
response (:mod:`._reply`), serves WebSocket routes (:mod:`._websocket`)
and answers ``lifespan`` (:mod:`._lifespan`).
Imported on the first ASGI call, so WSGI apps never import asyncio for it.
"""

from __future__ import annotations

import typing as t

from ._http import serve_http
from ._lifespan import serve_lifespan
from ._websocket import serve_websocket

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask
    from ._reply import Receive
    from ._reply import Send


def handle(
    app: Flask, scope: t.MutableMapping[str, t.Any], receive: Receive, send: Send
) -> t.Awaitable[None]:
    """The awaitable answering one ASGI connection scope. (A plain
    function: one coroutine frame less on every request.)"""
    kind = scope["type"]
    if kind == "http":
        return serve_http(app, scope, receive, send)
    if kind == "lifespan":
        return serve_lifespan(app, receive, send)
    if kind == "websocket":
        return serve_websocket(app, scope, receive, send)
    raise ValueError(f"unsupported ASGI scope type {kind!r}")
