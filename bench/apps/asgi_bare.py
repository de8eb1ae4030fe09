"""A bare ASGI 3 callable for ``bench/asgi.py``, the floor: the same answers
as the frameworks (see ``asgi_payload``), with nothing but a dict lookup of
the path between uvicorn and the bytes."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import MutableMapping
from typing import Any

from asgi_payload import CHUNK
from asgi_payload import CHUNKS
from asgi_payload import HELLO
from asgi_payload import slow_wait
from asgi_payload import user
from asgi_payload import USER_ID

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HELLO_BODY = HELLO.encode()
TEXT = [(b"content-type", b"text/plain; charset=utf-8")]
JSON = [(b"content-type", b"application/json")]
OCTETS = [(b"content-type", b"application/octet-stream")]


async def _whole(send: Send, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def hello(send: Send) -> None:
    await _whole(send, TEXT, HELLO_BODY)


async def json_user(send: Send) -> None:
    await _whole(send, JSON, json.dumps(user(USER_ID)).encode())


async def slow(send: Send) -> None:
    await slow_wait()
    await _whole(send, TEXT, HELLO_BODY)


async def stream(send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": OCTETS})
    for _ in range(CHUNKS):
        await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def echo(receive: Receive, send: Send) -> None:
    """The WebSocket echo of ``bench/websocket.py`` (on any path): accept,
    then send every message back as it came, until the peer disconnects."""
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif kind == "websocket.receive":
            await send(
                {
                    "type": "websocket.send",
                    "text": message.get("text"),
                    "bytes": message.get("bytes"),
                }
            )
        else:  # websocket.disconnect
            return


ROUTES = {
    "/hello-def": hello,
    "/hello-async": hello,
    f"/json-def/{USER_ID}": json_user,
    f"/json-async/{USER_ID}": json_user,
    "/slow": slow,
    "/stream-def": stream,
    "/stream-async": stream,
}


async def app(scope: Message, receive: Receive, send: Send) -> None:
    """Answer the benchmark's paths (404 otherwise) and the lifespan protocol."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].rpartition(".")[2]  # startup or shutdown
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    if scope["type"] == "websocket":
        await echo(receive, send)
        return
    route = ROUTES.get(scope["path"])
    if route is None:
        await send({"type": "http.response.start", "status": 404, "headers": TEXT})
        await send({"type": "http.response.body", "body": b"Not Found"})
        return
    await route(send)
