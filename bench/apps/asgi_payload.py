"""What every app of ``bench/asgi.py`` serves, and what the driver checks.

Each app (``asgi_bare``, ``asgi_starlette``, ``asgi_quart``, ``asgi_ours``)
answers the same paths with the same bodies; the ``-def`` paths come from
plain functions (a worker thread where the framework has a pool), the
``-async`` ones from coroutines on the server's loop:

* ``/hello-def``, ``/hello-async``: ``Hello, World!`` as text;
* ``/json-def/42``, ``/json-async/42``: :func:`user` as JSON;
* ``/slow``: ``Hello, World!`` after ``await asyncio.sleep(SLOW_SECONDS)``;
* ``/stream-def``, ``/stream-async``: ``CHUNKS`` chunks of ``CHUNK`` from a
  plain and from an async generator;
* ``WS_ECHO`` (``/ws-echo``, a WebSocket, for ``bench/websocket.py``):
  every message sent back as it came, by an ``async def`` handler.

The bare callable has no pool: it answers a ``-def`` path as the ``-async``
one. Standard library only, so that every virtualenv can import it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Any

HELLO = "Hello, World!"
USER_ID = 42
SLOW_SECONDS = 0.05
CHUNK = bytes(range(256)) * 4  # 1 KiB
CHUNKS = 1000
STREAM_BODY_SIZE = len(CHUNK) * CHUNKS
WS_ECHO = "/ws-echo"


def user(user_id: int) -> dict[str, Any]:
    """The JSON scenario's small dict."""
    return {"id": user_id, "name": f"user{user_id}", "active": True}


def plain_chunks() -> Iterator[bytes]:
    """The streamed body from a plain generator."""
    for _ in range(CHUNKS):
        yield CHUNK


async def async_chunks() -> AsyncIterator[bytes]:
    """The streamed body from an async generator (which never waits)."""
    for _ in range(CHUNKS):
        yield CHUNK


async def slow_wait() -> None:
    """The slow scenario's wait, standing for an awaited database or API."""
    await asyncio.sleep(SLOW_SECONDS)
