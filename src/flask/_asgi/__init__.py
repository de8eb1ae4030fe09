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
from ._serving import serving_of
from ._websocket import serve_websocket

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask
    from ._reply import Receive
    from ._reply import Send


async def handle(
    app: Flask, scope: t.MutableMapping[str, t.Any], receive: Receive, send: Send
) -> None:
    """Answer one ASGI connection scope."""
    kind = scope["type"]
    serving = serving_of(app)
    if kind == "http":
        await serve_http(app, serving, scope, receive, send)
    elif kind == "lifespan":
        await serve_lifespan(app, serving, receive, send)
    elif kind == "websocket":
        await serve_websocket(app, serving, scope, receive, send)
    else:
        raise ValueError(f"unsupported ASGI scope type {kind!r}")
