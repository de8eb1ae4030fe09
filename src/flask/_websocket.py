"""The WebSocket connection a handler sees as :data:`flask.websocket`.

The handshake's request (path, ``args``, headers, cookies, ``scheme``,
``host``, ``remote_addr``) is the request context's request object; the
connection adds ``accept``, ``receive``, ``send`` and ``close``. The
same methods serve both kinds of handler: called on the event loop (an
``async def`` handler) they return awaitables; called from a worker
thread (a plain handler) they block until done.

The transport is a :class:`Channel`, which the ASGI adapter provides.
"""

from __future__ import annotations

import typing as t
from _thread import get_ident
from concurrent.futures import CancelledError
from concurrent.futures import Future

if t.TYPE_CHECKING:  # pragma: no cover
    import asyncio

    from werkzeug.datastructures import Headers
    from werkzeug.datastructures import MultiDict

    from .ctx import RequestContext
    from .wrappers import Request


class WebSocketDisconnect(Exception):
    """The connection is closed: the peer left, or the server closed it
    (an oversize message, an idle timeout). ``code`` is the close code."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(
            f"WebSocket closed with code {code}" + (f": {reason}" if reason else "")
        )
        self.code = code
        self.reason = reason


class WebSocketClosed(RuntimeError):
    """Sending on, or accepting, a connection that is already closed."""


class Channel(t.Protocol):
    """What a server adapter gives a connection (all run on its loop)."""

    accepted: bool
    closed: bool

    async def accept(
        self, subprotocol: str | None, headers: t.Sequence[tuple[str, str]]
    ) -> None: ...
    async def receive(self) -> str | bytes: ...
    async def send(self, data: str | bytes) -> None: ...
    async def close(self, code: int, reason: str) -> None: ...
    def abandon(self) -> None:
        """The server gave up on the connection: closed (1006), at once."""


class WebSocket:
    """One WebSocket connection, for the handler of its route."""

    def __init__(
        self,
        ctx: RequestContext,
        channel: Channel,
        loop: asyncio.AbstractEventLoop,
        subprotocols: t.Sequence[str],
    ) -> None:
        self._ctx = ctx
        self._channel = channel
        self._loop = loop
        #: The loop's thread (the object is made on the loop): code there
        #: awaits the methods, other threads block on them.
        self._loop_thread = get_ident()
        #: The subprotocols the client asked for, in its order of preference.
        self.requested_subprotocols = list(subprotocols)
        #: Calls blocking worker threads, for :meth:`_abandon`.
        self._blocked: set[Future[t.Any]] = set()
        self._abandoned = False

    # -- the handshake's request ---------------------------------------------

    @property
    def request(self) -> Request:
        """The handshake as a request object."""
        return self._ctx.request

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def full_path(self) -> str:
        return self.request.full_path

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def args(self) -> MultiDict[str, str]:
        return self.request.args

    @property
    def headers(self) -> Headers:
        return self.request.headers

    @property
    def cookies(self) -> MultiDict[str, str]:
        return self.request.cookies

    @property
    def scheme(self) -> str:
        """``ws`` or ``wss``."""
        return self.request.scheme

    @property
    def host(self) -> str:
        return self.request.host

    @property
    def remote_addr(self) -> str | None:
        return self.request.remote_addr

    @property
    def accepted(self) -> bool:
        return self._channel.accepted

    @property
    def closed(self) -> bool:
        return self._channel.closed

    # -- the connection ------------------------------------------------------

    def accept(
        self,
        subprotocol: str | None = None,
        headers: t.Mapping[str, str] | t.Sequence[tuple[str, str]] | None = None,
    ) -> t.Any:
        """Accept the handshake, choosing ``subprotocol`` and adding
        ``headers`` to the answer. Implied by the first send or receive."""
        items = list(
            headers.items() if isinstance(headers, t.Mapping) else headers or ()
        )
        return self._run(self._channel.accept(subprotocol, items))

    def receive(self) -> t.Any:
        """The next message, ``str`` for text and ``bytes`` for binary;
        :exc:`WebSocketDisconnect` once the connection is closed."""
        if get_ident() == self._loop_thread:
            return self._channel.receive()  # _run's case on the loop, inline
        return self._run(self._channel.receive())

    def send(self, data: str | bytes) -> t.Any:
        """Send a text (``str``) or binary (``bytes``) message."""
        if type(data) is not str and type(data) is not bytes:
            data = _message_of(data)
        if get_ident() == self._loop_thread:
            return self._channel.send(data)  # _run's case on the loop, inline
        return self._run(self._channel.send(data))

    def receive_json(self) -> t.Any:
        """The next message, decoded as JSON with the app's JSON provider."""
        if self._on_loop():
            return self._receive_json()
        return self._ctx.app.json.loads(self.receive())

    async def _receive_json(self) -> t.Any:
        return self._ctx.app.json.loads(await self._channel.receive())

    def send_json(self, value: t.Any) -> t.Any:
        """Send ``value`` as a JSON text message."""
        return self.send(self._ctx.app.json.dumps(value))

    def close(self, code: int = 1000, reason: str = "") -> t.Any:
        """Close the connection (before accepting: refuse the handshake)."""
        return self._run(self._channel.close(code, reason))

    def _on_loop(self) -> bool:
        return get_ident() == self._loop_thread

    def _run(self, coro: t.Coroutine[t.Any, t.Any, t.Any]) -> t.Any:
        # On the loop the caller awaits the coroutine; from a worker thread
        # it runs on the loop while the thread waits.
        if self._on_loop():
            return coro
        import asyncio

        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        self._blocked.add(future)
        if self._abandoned:  # meanwhile, after _abandon looked at _blocked
            future.cancel()
        try:
            return future.result()
        except CancelledError:
            raise WebSocketDisconnect(1006, "the connection was abandoned") from None
        finally:
            self._blocked.discard(future)

    def _abandon(self) -> None:
        """The server gave up on the connection (cancelled its task): the
        calls worker threads block on, and later ones, raise
        :exc:`WebSocketDisconnect`. Called on the loop."""
        self._abandoned = True
        self._channel.abandon()
        for future in tuple(self._blocked):
            future.cancel()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path!r}>"


def _message_of(data: t.Any) -> str | bytes:
    """``data`` as a message to send: str (a subclass too) as it is, other
    buffers as bytes; anything else is a TypeError."""
    if isinstance(data, str):
        return data
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"A WebSocket message is str or bytes, not {type(data).__name__};"
            " use send_json for other values."
        )
    return bytes(data)
