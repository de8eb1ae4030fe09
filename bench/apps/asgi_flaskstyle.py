"""The ``bench/asgi.py`` paths (see ``asgi_payload``) for the frameworks with
Flask's API: this package (``asgi_ours``) and Quart (``asgi_quart``).

Both run plain views, and plain generators they stream, in worker threads
(ours in its pool, Quart in the loop's default executor), ``async def``
views and async generators on the server's loop. Public API only.
"""

from __future__ import annotations

from typing import Any

from asgi_payload import async_chunks
from asgi_payload import HELLO
from asgi_payload import plain_chunks
from asgi_payload import slow_wait
from asgi_payload import user
from asgi_payload import WS_ECHO

STREAM_HEADERS = {"Content-Type": "application/octet-stream"}


def register(app: Any, websocket: Any) -> Any:
    """Add the benchmark's views to ``app`` (a ``Flask`` or a ``Quart``,
    with its ``websocket`` context-local for the WebSocket echo); return
    ``app``.

    The streaming views return their generator (with headers), which both
    frameworks stream; ours streams an async generator only so, not wrapped
    in a ``Response`` (which Werkzeug iterates as a plain iterable).
    """

    @app.route("/hello-def")
    def hello_def() -> str:
        return HELLO

    @app.route("/hello-async")
    async def hello_async() -> str:
        return HELLO

    @app.route("/json-def/<int:user_id>")
    def json_def(user_id: int) -> dict[str, Any]:
        return user(user_id)

    @app.route("/json-async/<int:user_id>")
    async def json_async(user_id: int) -> dict[str, Any]:
        return user(user_id)

    @app.route("/slow")
    async def slow() -> str:
        await slow_wait()
        return HELLO

    @app.route("/stream-def")
    def stream_def() -> Any:
        return plain_chunks(), STREAM_HEADERS

    @app.route("/stream-async")
    async def stream_async() -> Any:
        return async_chunks(), STREAM_HEADERS

    @app.websocket(WS_ECHO)
    async def ws_echo() -> None:
        # Both frameworks end the handler when the peer disconnects.
        while True:
            await websocket.send(await websocket.receive())

    return app
