"""The ``bench/asgi.py`` paths (see ``asgi_payload``) as a Starlette app.

Starlette runs plain-function endpoints, and plain iterators of a
``StreamingResponse``, in its thread pool (anyio's, 40 threads by default),
as ours runs plain views in its worker pool.
"""

from __future__ import annotations

from asgi_payload import async_chunks
from asgi_payload import HELLO
from asgi_payload import plain_chunks
from asgi_payload import slow_wait
from asgi_payload import user
from asgi_payload import WS_ECHO
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.responses import StreamingResponse
from starlette.routing import Route
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from starlette.websockets import WebSocketDisconnect


def hello_def(request: Request) -> PlainTextResponse:
    return PlainTextResponse(HELLO)


async def hello_async(request: Request) -> PlainTextResponse:
    return PlainTextResponse(HELLO)


def json_def(request: Request) -> JSONResponse:
    return JSONResponse(user(request.path_params["user_id"]))


async def json_async(request: Request) -> JSONResponse:
    return JSONResponse(user(request.path_params["user_id"]))


async def slow(request: Request) -> PlainTextResponse:
    await slow_wait()
    return PlainTextResponse(HELLO)


def stream_def(request: Request) -> StreamingResponse:
    return StreamingResponse(plain_chunks(), media_type="application/octet-stream")


async def stream_async(request: Request) -> StreamingResponse:
    return StreamingResponse(async_chunks(), media_type="application/octet-stream")


async def ws_echo(websocket: WebSocket) -> None:
    """The WebSocket echo of ``bench/websocket.py`` (text messages)."""
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


app = Starlette(
    routes=[
        Route("/hello-def", hello_def),
        Route("/hello-async", hello_async),
        Route("/json-def/{user_id:int}", json_def),
        Route("/json-async/{user_id:int}", json_async),
        Route("/slow", slow),
        Route("/stream-def", stream_def),
        Route("/stream-async", stream_async),
        WebSocketRoute(WS_ECHO, ws_echo),
    ]
)
