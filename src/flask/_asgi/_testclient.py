"""WebSockets for the test client: ``client.websocket(path)`` opens a
connection to the app in-process, with no server. The app runs on an
event loop of its own in a background thread, through its ASGI entry,
so handlers, hooks, sessions and error handlers run as they do under a
server.

The methods block, for plain tests; called from a running event loop
(an async test) they return awaitables instead, and ``async with``
works too."""

from __future__ import annotations

import asyncio
import queue
import threading
import typing as t

from .._websocket import WebSocketClosed
from .._websocket import WebSocketDisconnect
from ._serving import forget_serving

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask

Message = dict[str, t.Any]


class WebSocketRejected(Exception):
    """The app refused the handshake with an HTTP response."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        super().__init__(f"WebSocket handshake refused with {status}")
        self.status_code = status
        self.headers = headers
        self.body = body


class WebSocketSession:
    """A connection from the test client to one WebSocket route."""

    def __init__(self, app: Flask, scope: Message, timeout: float = 10.0) -> None:
        self._app = app
        self._scope = scope
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._to_app: asyncio.Queue[Message] | None = None
        self._from_app: queue.Queue[Message | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.accepted = False
        self.closed = False
        self.close_code: int | None = None
        #: The subprotocol and headers the app accepted the handshake with.
        self.subprotocol: str | None = None
        self.headers: list[tuple[str, str]] = []

    # -- opening and closing ---------------------------------------------------

    def __enter__(self) -> WebSocketSession:
        self.connect()
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        self.disconnect()

    async def __aenter__(self) -> WebSocketSession:
        await asyncio.to_thread(self.connect)
        return self

    async def __aexit__(self, *exc_info: t.Any) -> None:
        await asyncio.to_thread(self.disconnect)

    def connect(self) -> None:
        """Start the app and wait for its answer to the handshake:
        :exc:`WebSocketRejected` if it refuses."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run_app, args=(ready,), name="flask-ws-test", daemon=True
        )
        self._thread.start()
        ready.wait(self.timeout)
        self._put({"type": "websocket.connect"})
        message = self._next()
        if message["type"] == "websocket.accept":
            self.accepted = True
            self.subprotocol = message.get("subprotocol")
            self.headers = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in message.get("headers", ())
            ]
            return
        self.closed = True
        self.disconnect()
        if message["type"] == "websocket.http.response.start":
            body = b""
            while (part := self._next())["type"] == "websocket.http.response.body":
                body += part.get("body", b"")
                if not part.get("more_body"):
                    break
            headers = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in message["headers"]
            ]
            raise WebSocketRejected(message["status"], headers, body)
        raise WebSocketRejected(403, [], b"")

    def disconnect(self, code: int = 1000) -> None:
        """Close from the client's side (if still open), wait for the app
        to finish, and raise what it raised, as the HTTP client does."""
        if not self.closed:
            self.closed = True
            self.close_code = code
            self._put({"type": "websocket.disconnect", "code": code})
        if self._thread is not None:
            self._thread.join(self.timeout)
            if self._thread.is_alive():
                raise TimeoutError("the WebSocket handler did not finish")
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self, code: int = 1000) -> t.Any:
        """Close the connection; awaitable in an async test."""
        return self._maybe_async(self.disconnect, code)

    # -- messages ---------------------------------------------------------------

    def send(self, data: str | bytes) -> t.Any:
        """Send a text or binary message to the app."""
        return self._maybe_async(self._send, data)

    def send_json(self, value: t.Any) -> t.Any:
        return self.send(self._app.json.dumps(value))

    def receive(self) -> t.Any:
        """The app's next message (``str`` or ``bytes``);
        :exc:`WebSocketDisconnect` when it closed the connection."""
        return self._maybe_async(self._receive)

    def receive_json(self) -> t.Any:
        if _in_async_code():
            return self._receive_json_async()
        return self._app.json.loads(self._receive())

    async def _receive_json_async(self) -> t.Any:
        return self._app.json.loads(await asyncio.to_thread(self._receive))

    def _send(self, data: str | bytes) -> None:
        if self.closed:
            raise WebSocketClosed("the WebSocket is closed: nothing can be sent")
        key = "text" if isinstance(data, str) else "bytes"
        self._put({"type": "websocket.receive", key: data})

    def _receive(self) -> str | bytes:
        if self.closed and self._from_app.empty():
            raise WebSocketDisconnect(self.close_code or 1000)
        message = self._next()
        if message["type"] == "websocket.close":
            self.closed = True
            self.close_code = message.get("code", 1000)
            raise WebSocketDisconnect(self.close_code, message.get("reason") or "")
        text = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    # -- the app's side ---------------------------------------------------------

    def _run_app(self, ready: threading.Event) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        self._to_app = asyncio.Queue()
        ready.set()
        try:
            loop.run_until_complete(
                self._app.asgi_app(self._scope, self._to_app.get, self._from_app_put)
            )
        except BaseException as e:  # handed to the test thread
            self._error = e
        finally:
            self._from_app.put(None)
            forget_serving(self._app, loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _from_app_put(self, message: t.MutableMapping[str, t.Any]) -> None:
        self._from_app.put(dict(message))
        if message["type"] == "websocket.close" and self._to_app is not None:
            # As a server does: a receive the app is waiting on (or makes
            # later) learns that the connection is closed.
            code = message.get("code", 1000)
            self._to_app.put_nowait({"type": "websocket.disconnect", "code": code})

    def _put(self, message: Message) -> None:
        if self._to_app is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._to_app.put_nowait, message)

    def _next(self) -> Message:
        try:
            message = self._from_app.get(timeout=self.timeout)
        except queue.Empty:
            raise TimeoutError("no message from the app in time") from None
        if message is None:
            self._from_app.put(None)  # keep saying so
            self.closed = True
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            return {"type": "websocket.close", "code": self.close_code or 1000}
        return message

    def _maybe_async(self, func: t.Callable[..., t.Any], *args: t.Any) -> t.Any:
        if _in_async_code():
            return asyncio.to_thread(func, *args)
        return func(*args)


def _in_async_code() -> bool:
    return asyncio._get_running_loop() is not None


def headers_of(environ: t.Mapping[str, t.Any]) -> list[tuple[str, str]]:
    """The request headers of a WSGI environ, as lower-case names."""
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").lower(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers.append((key.replace("_", "-").lower(), value))
    return headers


def websocket_scope(
    environ: dict[str, t.Any], subprotocols: t.Sequence[str]
) -> Message:
    """The ASGI scope of a WebSocket handshake described by a WSGI
    environ (as the test client builds them)."""
    headers = [
        (k.encode("latin-1"), v.encode("latin-1")) for k, v in headers_of(environ)
    ]
    headers += [(b"connection", b"Upgrade"), (b"upgrade", b"websocket")]
    path_bytes = environ["PATH_INFO"].encode("latin-1")
    secure = environ.get("wsgi.url_scheme") == "https"
    return {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "wss" if secure else "ws",
        "path": path_bytes.decode("utf-8", "replace"),
        "raw_path": path_bytes,
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "root_path": environ.get("SCRIPT_NAME", ""),
        "headers": headers,
        "client": (environ.get("REMOTE_ADDR", "127.0.0.1"), 0),
        "server": (
            environ.get("SERVER_NAME", "localhost"),
            int(environ.get("SERVER_PORT") or 80),
        ),
        "subprotocols": list(subprotocols),
        "extensions": {"websocket.http.response": {}},
    }
