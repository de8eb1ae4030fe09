"""Responses sent over ASGI: the status, headers and body a WSGI server
would send, taken from the response while the contexts are still pushed,
then sent once they are popped (the order a WSGI server keeps).

A body known in full (a string, bytes, JSON) goes in one message. A file
from ``send_file`` goes as ``http.response.pathsend`` where the server
offers it. Any other iterable is a stream: an async iterable is read on
the loop; a plain one is read in a worker thread and handed to the loop
in batches, with the server's backpressure holding the thread back. A
client that leaves ends the stream: the iterable is closed, which runs
what a ``stream_with_context`` stream still had to tear down."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import threading
import typing as t
from collections import deque

from werkzeug.datastructures import Headers

from .._responses import AsyncChunks
from ..globals import _cv_request

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment

    from ..wrappers import Response
    from ._workers import Workers

Message = t.MutableMapping[str, t.Any]
Send = t.Callable[[Message], t.Awaitable[None]]
Receive = t.Callable[[], t.Awaitable[Message]]
_Headers = list[tuple[bytes, bytes]]
#: A reply known in full: its start and body messages.
Whole = tuple[Message, Message]

#: Chunks a streaming thread may get ahead of the client.
_BACKLOG = 32


class FileBody:
    """``wsgi.file_wrapper`` under ASGI: iterates the file in blocks, and
    knows its path so the server can send it itself (pathsend)."""

    def __init__(self, file: t.IO[bytes], block_size: int = 8192) -> None:
        self.file = file
        self.block_size = block_size

    # An iterator itself, so that wrappers calling iter() on it (Werkzeug's
    # range wrapper) still reach close().
    def __iter__(self) -> FileBody:
        return self

    def __next__(self) -> bytes:
        block = self.file.read(self.block_size)
        if block:
            return block
        raise StopIteration

    def close(self) -> None:
        self.file.close()

    def whole_file_path(self, length: bytes | None) -> str | None:
        """The file's absolute path when the body is all of it, unread."""
        file = self.file
        name = getattr(file, "name", None)
        if not isinstance(name, str) or length is None:
            return None
        try:
            if file.tell() != 0 or os.fstat(file.fileno()).st_size != int(length):
                return None
        except (OSError, ValueError, AttributeError):
            return None
        return os.path.abspath(name)


class Reply:
    """What goes to the client: status, headers and the body, an iterable
    (``whole`` when it is known in full) or an async iterable; ``closing``
    is closed when it is sent or abandoned."""

    __slots__ = ("status", "headers", "body", "whole", "closing")

    def __init__(
        self,
        status: int,
        headers: _Headers,
        body: t.Iterable[bytes] | t.AsyncIterable[t.Any],
        whole: bool,
        closing: object,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.whole = whole
        self.closing = closing


#: What goes to the client, either way.
Outgoing = Reply | Whole


def reply_of(response: Response) -> Outgoing:
    """The reply for ``response`` to the current request (whose context is
    still pushed), the way a WSGI server would get it."""
    environ = _cv_request.get()._environ
    if getattr(response, "_stock_reply", False):
        direct = _direct_reply(environ, response)
        if direct is not None:
            return direct
    wsgi_response = getattr(response, "get_wsgi_response", None)
    if wsgi_response is not None:
        body, status_line, headers = wsgi_response(environ)
    else:  # any other WSGI application returned as a response
        body, status_line, headers = _run_wsgi(response, environ)
    status = int(status_line[:3])
    names = _NAMES
    encoded = []
    for name, value in headers:
        key = names.get(name)
        if key is None:
            key = _encoded_name(name)
        encoded.append((key, value.encode("latin-1")))
    if type(body) is list:  # whole, with nothing to close
        return _whole(status, encoded, b"".join(body))
    chunks = getattr(response, "response", None)
    if hasattr(chunks, "__aiter__") and _may_have_body(environ, status):
        if not isinstance(chunks, AsyncChunks):  # Response(async_generator)
            chunks = AsyncChunks(chunks)  # type: ignore[arg-type]
        return Reply(status, encoded, chunks, False, body)
    whole = getattr(response, "is_sequence", False) and not getattr(
        response, "direct_passthrough", False
    )
    return Reply(status, encoded, body, whole, body)


def _direct_reply(environ: WSGIEnvironment, response: Response) -> Whole | None:
    """The reply of a stock response whose whole body is a list of bytes,
    read from it directly: what its ``get_wsgi_response`` would give when
    there is nothing to finalise (a Content-Length set; no Location to
    rewrite; no 1xx/204/304 status or HEAD request to strip the body of;
    nothing to close). None when any of that does not hold."""
    status = response._status_code
    body = response.response
    headers = response.headers
    if (
        status < 200
        or status == 204
        or status == 304
        or type(body) is not list
        or type(headers) is not Headers
        or response._on_close
        or response.direct_passthrough
        or environ["REQUEST_METHOD"] == "HEAD"
    ):
        return None
    for chunk in body:
        if type(chunk) is not bytes:
            return None
    encoded = []
    sized = False
    pairs = _PAIRS
    try:
        for pair in headers._list:
            known = pairs.get(pair)
            if known is None:
                known = _encoded_pair(pair)
                if known is None:
                    return None
            if known[0] == b"content-length":
                sized = True
            encoded.append(known)
    except TypeError:  # a pair that is not a tuple: not the stock list
        return None
    return _whole(status, encoded, b"".join(body)) if sized else None


#: (name, value) header pair -> its encoded pair, for the direct reply
#: (bounded: values such as cookies differ per response).
_PAIRS: dict[tuple[str, str], tuple[bytes, bytes]] = {}
#: What finalising the headers may rewrite: not on the direct path.
_REWRITTEN = frozenset({b"location", b"content-location"})


def _encoded_pair(pair: tuple[str, str]) -> tuple[bytes, bytes] | None:
    name, value = pair
    key = _NAMES.get(name) or _encoded_name(name)
    if key in _REWRITTEN:
        return None
    encoded = (key, value.encode("latin-1"))
    if len(_PAIRS) >= 1024:
        _PAIRS.clear()
    _PAIRS[pair] = encoded
    return encoded


def _whole(status: int, headers: _Headers, data: bytes) -> Whole:
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": data},
    )


def wsgi_reply(wsgi_app: t.Any, environ: WSGIEnvironment) -> Reply:
    """The reply of a WSGI application called with ``environ``."""
    body, status_line, headers = _run_wsgi(wsgi_app, environ)
    encoded = [
        (_encoded_name(name), value.encode("latin-1")) for name, value in headers
    ]
    return Reply(int(status_line[:3]), encoded, body, isinstance(body, list), body)


#: Header name -> its lower-case bytes, filled as names are met (bounded).
_NAMES: dict[str, bytes] = {}


def _encoded_name(name: str) -> bytes:
    key = name.lower().encode("latin-1")
    if len(_NAMES) < 512:
        _NAMES[name] = key
    return key


def _run_wsgi(
    app: t.Any, environ: WSGIEnvironment
) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
    started: list[t.Any] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], object]:
        started[:] = (status, headers)
        return _no_write

    body = app(environ, start_response)
    return body, started[0], started[1]


def _no_write(data: bytes) -> object:
    raise RuntimeError("the ASGI adapter has no WSGI write() callable")


def _may_have_body(environ: WSGIEnvironment, status: int) -> bool:
    return (
        environ["REQUEST_METHOD"] != "HEAD"
        and status >= 200
        and status
        not in (
            204,
            304,
        )
    )


class _ClientGone(Exception):
    """The client left while its stream was being produced."""


class _Outbox:
    """Chunks from a producing thread to the loop, at most ``_BACKLOG``
    ahead. The loop is woken only when it waits, so a fast producer's
    chunks travel in batches."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._chunks: deque[bytes] = deque()
        self._lock = threading.Condition()
        self._waiter: asyncio.Future[None] | None = None
        self._finished = False
        self.gone = False

    # The producing thread's side.

    def put(self, chunk: bytes) -> None:
        with self._lock:
            while len(self._chunks) >= _BACKLOG and not self.gone:
                self._lock.wait()
            if self.gone:
                raise _ClientGone
            self._chunks.append(chunk)
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    def finish(self) -> None:
        with self._lock:
            self._finished = True
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            self._loop.call_soon_threadsafe(_wake, waiter)

    # The loop's side.

    async def take(self) -> bytes | None:
        """The chunks ready so far, joined; None at the end."""
        while True:
            with self._lock:
                if self._chunks:
                    batch = b"".join(self._chunks)
                    self._chunks.clear()
                    self._lock.notify_all()
                    return batch
                if self._finished:
                    return None
                waiter = self._waiter = self._loop.create_future()
            await waiter

    def leave(self) -> None:
        with self._lock:
            self.gone = True
            self._lock.notify_all()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _pump(body: t.Iterable[bytes], outbox: _Outbox) -> None:
    """Read ``body`` into ``outbox`` (in a worker thread), then close it."""
    try:
        for chunk in body:
            if chunk:
                outbox.put(chunk)
    except _ClientGone:
        pass
    finally:
        try:
            _close(body)
        finally:
            outbox.finish()


def _close(body: object) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


async def _never() -> t.MutableMapping[str, t.Any]:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")  # pragma: no cover


async def _watch_disconnect(receive: Receive, gone: t.Callable[[], None]) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone()


def send_reply(
    reply: Outgoing,
    send: Send,
    receive: Receive,
    scope: t.Mapping[str, t.Any],
    workers: Workers,
    watch: bool = True,
) -> t.Awaitable[None]:
    """Send ``reply``; its body is closed when sent or abandoned. With
    ``watch``, a stream listens for the client leaving (not when the
    stream itself may still read the request body). A client the server
    lost (``send`` raising OSError) ends the reply quietly. (A plain
    function: a whole body, the common case, costs one coroutine.)"""
    if isinstance(reply, tuple):
        return _send_whole(reply, send)
    if reply.whole:
        return _send_whole(_joined(reply), send)
    return _send_stream(reply, send, receive if watch else _never, scope, workers)


def _joined(reply: Reply) -> Whole:
    """The messages of a reply whose body is known in full, the body
    closed once read."""
    try:
        data = b"".join(reply.body)  # type: ignore[arg-type]
    finally:
        if reply.closing is not None:
            _close(reply.closing)
    return _whole(reply.status, reply.headers, data)


async def _send_whole(messages: Whole, send: Send) -> None:
    start, body = messages
    try:
        await send(start)
        await send(body)
    except OSError:
        pass


async def _send_stream(
    reply: Reply,
    send: Send,
    receive: Receive,
    scope: t.Mapping[str, t.Any],
    workers: Workers,
) -> None:
    try:
        await _stream_reply(reply, send, receive, scope, workers)
    except OSError:
        pass


async def _stream_reply(
    reply: Reply,
    send: Send,
    receive: Receive,
    scope: t.Mapping[str, t.Any],
    workers: Workers,
) -> None:
    body = reply.body
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": reply.headers,
        }
    )
    if isinstance(body, FileBody) and "http.response.pathsend" in scope.get(
        "extensions", ()
    ):
        path = body.whole_file_path(dict(reply.headers).get(b"content-length"))
        if path is not None:
            _close(body)
            await send({"type": "http.response.pathsend", "path": path})
            return
    if isinstance(body, AsyncChunks):
        try:
            await _stream_async(body, send, receive)
        finally:
            await workers.run(_close, reply.closing)
    else:
        await _stream_from_thread(
            t.cast(t.Iterable[bytes], body), send, receive, workers
        )


async def _stream_from_thread(
    body: t.Iterable[bytes], send: Send, receive: Receive, workers: Workers
) -> None:
    loop = asyncio.get_running_loop()
    outbox = _Outbox(loop)
    watcher = loop.create_task(_watch_disconnect(receive, outbox.leave))
    context = contextvars.copy_context()
    producer = workers.run(context.run, _pump, body, outbox)
    try:
        while (batch := await outbox.take()) is not None:
            await send({"type": "http.response.body", "body": batch, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    except OSError:
        pass  # the server lost the client: the thread ends at its next chunk
    finally:
        outbox.leave()
        watcher.cancel()
        await producer


async def _stream_async(body: AsyncChunks, send: Send, receive: Receive) -> None:
    gone = asyncio.Event()
    loop = asyncio.get_running_loop()
    watcher = loop.create_task(_watch_disconnect(receive, gone.set))
    iterator = body.__aiter__()
    try:
        async for chunk in iterator:
            if gone.is_set():
                break
            if isinstance(chunk, str):
                chunk = chunk.encode()
            if chunk:
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": True}
                )
        else:
            await send({"type": "http.response.body", "body": b""})
    finally:
        watcher.cancel()
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
