"""One ASGI WebSocket connection through the app: the handshake becomes a
request context (session, ``g``, ``current_app``, ``url_for`` as for a
request), the route's handler runs with :data:`flask.websocket` bound,
around it the ``before_websocket``/``after_websocket`` functions of the
app and the route's blueprints, the error handlers, and the teardown of
the context's pop.

An ``async def`` handler is awaited on the server's loop; a plain one
runs in a worker thread, where the connection's methods block. Before
the handshake is accepted, a response (a hook's or handler's return
value, an ``abort(403)``) refuses it with that HTTP status, through the
server's ``websocket.http.response`` extension where it has one, else by
closing (which servers answer with a 403).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sys
import typing as t
from functools import partial
from inspect import isawaitable
from inspect import iscoroutinefunction

from .._async import server_loop
from .._pipeline import pop_context
from .._websocket import WebSocket
from .._websocket import WebSocketClosed
from .._websocket import WebSocketDisconnect
from ..helpers import _blueprint_chain
from ._environ import build_environ
from ._environ import NO_BODY
from ._serving import serving_of

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask
    from ..ctx import RequestContext
    from ..wrappers import Response
    from ._reply import Receive
    from ._reply import Send
    from ._serving import Serving

#: Incoming messages larger than this close the connection with 1009,
#: unless ``WEBSOCKET_MAX_MESSAGE_SIZE`` says otherwise (None: no limit).
DEFAULT_MAX_MESSAGE = 1 << 20


class AsgiChannel:
    """The transport of one connection over ASGI messages.

    ``receive`` and ``send`` test one flag per message (open: accepted and
    not closed); the limits and the way of waiting for a message are fixed
    when the connection starts."""

    def __init__(
        self,
        receive: Receive,
        send: Send,
        scope: t.Mapping[str, t.Any],
        max_message: int | None,
        idle_timeout: float | None,
    ) -> None:
        self._receive = receive
        self._send = send
        self._http_response = "websocket.http.response" in scope.get("extensions", ())
        self._max_message = sys.maxsize if max_message is None else max_message
        self._idle_timeout = idle_timeout
        #: What ``receive`` awaits for the next message.
        self._next: t.Callable[[], t.Awaitable[t.MutableMapping[str, t.Any]]] = (
            receive if idle_timeout is None else self._next_in_time
        )
        self._connected = False
        self._open = False
        self.accepted = False
        self.closed = False
        self.close_code: int | None = None

    async def _connect(self) -> None:
        if not self._connected:
            message = await self._receive()
            self._connected = True
            if message["type"] == "websocket.disconnect":
                self._gone(message.get("code", 1006))

    def _closing(self, code: int | None) -> None:
        self._open = False
        self.closed = True
        self.close_code = code

    def _gone(self, code: int, reason: str = "") -> t.NoReturn:
        self._closing(code)
        raise WebSocketDisconnect(code, reason)

    def abandon(self) -> None:
        if not self.closed:
            self._closing(1006)

    async def accept(
        self, subprotocol: str | None, headers: t.Sequence[tuple[str, str]]
    ) -> None:
        if self.closed:
            raise WebSocketClosed("the WebSocket is closed: it cannot be accepted")
        if self.accepted:
            return
        await self._connect()
        message: dict[str, t.Any] = {"type": "websocket.accept"}
        if subprotocol is not None:
            message["subprotocol"] = subprotocol
        if headers:
            message["headers"] = [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers
            ]
        await self._send(message)
        self.accepted = self._open = True

    async def receive(self) -> str | bytes:
        if not self._open:
            if self.closed:
                raise WebSocketDisconnect(self.close_code or 1006)
            await self.accept(None, ())
        message = await self._next()
        data = message.get("text")  # only a websocket.receive has it
        if data is None:
            if message["type"] == "websocket.disconnect":
                self._gone(message.get("code", 1005), message.get("reason") or "")
            data = message.get("bytes") or b""
        if len(data) > self._max_message:
            await self.close(1009, "message too big")
            raise WebSocketDisconnect(1009, "message too big")
        return data

    async def _next_in_time(self) -> t.MutableMapping[str, t.Any]:
        try:
            return await asyncio.wait_for(self._receive(), self._idle_timeout)
        except asyncio.TimeoutError:
            await self.close(1001, "idle timeout")
            raise WebSocketDisconnect(1001, "idle timeout") from None

    async def send(self, data: str | bytes) -> None:
        if not self._open:
            if self.closed:
                raise WebSocketClosed("the WebSocket is closed: nothing can be sent")
            await self.accept(None, ())
        try:
            await self._send(
                {"type": "websocket.send", "text": data}
                if isinstance(data, str)
                else {"type": "websocket.send", "bytes": data}
            )
        except OSError:
            self._gone(1006, "the client has gone")

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        await self._connect()
        self._closing(code)
        try:
            await self._send(
                {"type": "websocket.close", "code": code, "reason": reason}
            )
        except OSError:
            pass

    async def refuse(self, response: Response) -> None:
        """Answer the handshake with ``response`` (an HTTP status)."""
        await self._connect()
        if not self._http_response:
            self._closing(1008)
            await self._send({"type": "websocket.close", "code": 1008})
            return
        self._closing(None)
        body = response.get_data()
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in response.headers.items()
        ]
        await self._send(
            {
                "type": "websocket.http.response.start",
                "status": response.status_code,
                "headers": headers,
            }
        )
        await self._send({"type": "websocket.http.response.body", "body": body})


async def serve_websocket(
    app: Flask,
    scope: t.MutableMapping[str, t.Any],
    receive: Receive,
    send: Send,
) -> None:
    """Answer one ``websocket`` scope: the hooks and the handler in the
    request context, then the refusal, the error's answer or the close.
    (One coroutine: each message's wake-up passes through every frame.)"""
    serving = serving_of(app)
    ctx, channel = _connection(app, serving, scope, receive, send)
    ws: WebSocket = ctx.websocket
    failure: BaseException | None = None
    ctx.push()
    try:
        try:
            request = ctx.request
            names = _blueprint_chain(request.endpoint)
            try:
                rv = await _before(app, serving, ws, names)
                if rv is None:
                    if request.routing_exception is not None:
                        app.raise_routing_exception(request)
                    handler = app.view_functions[request.url_rule.endpoint]  # type: ignore[union-attr]
                    rv = await _call(serving, ws, handler, (), request.view_args)
            except WebSocketDisconnect:
                rv = None  # the peer left: nothing more to say
            except Exception as e:
                rv = app.handle_user_exception(e)
            response = await _after(app, serving, ws, names, rv)
        except Exception as e:
            failure = e
            response = app.handle_exception(e)
        except BaseException as e:
            failure = e
            raise
        await _finish(channel, response)
    finally:
        pop_context(app, ctx, failure)


def _connection(
    app: Flask,
    serving: Serving,
    scope: t.MutableMapping[str, t.Any],
    receive: Receive,
    send: Send,
) -> tuple[RequestContext, AsgiChannel]:
    """The request context of the handshake, with its ``websocket``, and
    the connection's channel."""
    config = app.config
    channel = AsgiChannel(
        receive,
        send,
        scope,
        config.get("WEBSOCKET_MAX_MESSAGE_SIZE", DEFAULT_MAX_MESSAGE),
        config.get("WEBSOCKET_IDLE_TIMEOUT"),
    )
    ctx = app.request_context(build_environ(scope, NO_BODY))
    ctx.websocket = WebSocket(
        ctx, channel, serving.loop, scope.get("subprotocols") or ()
    )
    return ctx, channel


async def _before(
    app: Flask, serving: Serving, ws: WebSocket, names: tuple[str, ...]
) -> t.Any:
    """The ``before_websocket`` functions, up to the first returning a
    value (which refuses the handshake, or answers it): that value."""
    for func in _hooks(app.before_websocket_funcs, (None, *reversed(names))):
        rv = await _call(serving, ws, func, ())
        if rv is not None:
            return rv
    return None


async def _after(
    app: Flask, serving: Serving, ws: WebSocket, names: tuple[str, ...], rv: t.Any
) -> Response | None:
    """The response made of ``rv`` (None: none), through the
    ``after_websocket`` functions."""
    response = None if rv is None else app.make_response(rv)
    for func in _hooks(app.after_websocket_funcs, (*names, None), reverse=True):
        result = await _call(serving, ws, func, (response,))
        if result is not None:
            response = result
    return response


def _hooks(
    registry: t.Mapping[str | None, list[t.Callable[..., t.Any]]],
    names: tuple[str | None, ...],
    reverse: bool = False,
) -> t.Iterator[t.Callable[..., t.Any]]:
    for name in names:
        funcs = registry.get(name, ())
        yield from (reversed(funcs) if reverse else funcs)


def _call(
    serving: Serving,
    ws: WebSocket,
    func: t.Callable[..., t.Any],
    args: tuple[t.Any, ...],
    kwargs: t.Mapping[str, t.Any] | None = None,
) -> t.Awaitable[t.Any]:
    """What to await for ``func(*args, **kwargs)``: a coroutine function's
    own coroutine (no frame in between, which every message would pass
    through); for a plain one, its run in a worker thread."""
    if iscoroutinefunction(func):
        return func(*args, **(kwargs or {}))  # type: ignore[no-any-return]
    return _in_worker(serving, ws, func, args, kwargs or {})


async def _in_worker(
    serving: Serving,
    ws: WebSocket,
    func: t.Callable[..., t.Any],
    args: tuple[t.Any, ...],
    kwargs: t.Mapping[str, t.Any],
) -> t.Any:
    """Run ``func`` in a worker thread (where coroutines it calls come back
    to the loop). If the connection's task is cancelled meanwhile, the
    thread's calls on the connection fail, and the thread is waited for
    (so teardown runs after it, and it is free again for other work)."""
    context = contextvars.copy_context()
    future = serving.workers.run(
        context.run, partial(_in_thread, serving.loop, func, args, kwargs)
    )
    try:
        result = await asyncio.shield(future)
    except asyncio.CancelledError:
        ws._abandon()
        with contextlib.suppress(BaseException):
            await future
        raise
    return await result if isawaitable(result) else result


def _in_thread(
    loop: asyncio.AbstractEventLoop,
    func: t.Callable[..., t.Any],
    args: tuple[t.Any, ...],
    kwargs: t.Mapping[str, t.Any],
) -> t.Any:
    server_loop.set(loop)
    return func(*args, **kwargs)


async def _finish(channel: AsgiChannel, response: Response | None) -> None:
    """Refuse a handshake not accepted yet (with ``response``, else 403);
    close an open connection (1011 after a server error)."""
    if channel.closed:
        return
    if not channel.accepted:
        if response is None:
            from werkzeug.wrappers import Response as Plain

            response = Plain("Forbidden", status=403)  # type: ignore[assignment]
        await channel.refuse(response)  # type: ignore[arg-type]
        return
    code = 1011 if response is not None and response.status_code >= 500 else 1000
    await channel.close(code, "")
