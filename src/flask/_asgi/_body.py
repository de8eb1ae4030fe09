"""The request body of an ASGI request, read by synchronous code.

In a worker thread, ``wsgi.input`` is a :class:`ReceiveStream`: each read
that finds the buffer empty waits there for the next ``http.request``
message from the server's loop. Nothing is read before the code asks, so
a body over ``MAX_CONTENT_LENGTH`` is refused (by Werkzeug's limited
stream) as soon as the limit is passed, without receiving the rest.

Code running on the loop (a coroutine view, hook or handler) reads the
body synchronously too, and the loop cannot wait for itself: for such
requests the body is received first (:func:`receive_whole`), up to the
limit, and a read past what was received is a 413, never a short body."""

from __future__ import annotations

import asyncio
import io
import tempfile
import typing as t

from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge

#: Bytes of a received body kept in memory before it spills to a file.
_IN_MEMORY = 1 << 20

Receive = t.Callable[[], t.Awaitable[t.MutableMapping[str, t.Any]]]


class ReceiveStream(io.RawIOBase):
    """A readable stream over the ``http.request`` messages of ``receive``,
    for a thread other than ``loop``'s. A client that leaves before the
    end of the body is a :exc:`~werkzeug.exceptions.ClientDisconnected`
    (400) for the code reading it."""

    def __init__(self, receive: Receive, loop: asyncio.AbstractEventLoop) -> None:
        self._receive = receive
        self._loop = loop
        self._pending = memoryview(b"")
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        """Up to ``len(buffer)`` bytes, waiting only when none are buffered."""
        while not self._pending and not self._ended:
            self._pending = memoryview(self._next_chunk())
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def read(self, size: int | None = -1) -> bytes:
        """``size`` bytes, fewer only at the end (as WSGI servers read)."""
        if size is None or size < 0:
            return self.readall()
        out = bytearray()
        while len(out) < size and (self._pending or not self._ended):
            if not self._pending:
                self._pending = memoryview(self._next_chunk())
            count = min(size - len(out), len(self._pending))
            out += self._pending[:count]
            self._pending = self._pending[count:]
        return bytes(out)

    def _next_chunk(self) -> bytes:
        if asyncio._get_running_loop() is self._loop:
            raise RuntimeError(
                "The request body cannot be read synchronously on the event"
                " loop before it is received: read it in the view, or in a"
                " plain (non-async) hook."
            )
        future = asyncio.run_coroutine_threadsafe(self._message(), self._loop)
        message = future.result()
        if message["type"] == "http.disconnect":
            self._ended = True
            raise ClientDisconnected()
        if not message.get("more_body", False):
            self._ended = True
        return bytes(message.get("body", b""))

    async def _message(self) -> t.MutableMapping[str, t.Any]:
        return await self._receive()

    @property
    def ended(self) -> bool:
        """Whether the last ``http.request`` message was received."""
        return self._ended


class ReceivedBody(io.RawIOBase):
    """A body received before the code runs. ``cut`` means the limit
    stopped the receiving: reading past the received bytes is a 413."""

    def __init__(self, file: t.IO[bytes], cut: bool) -> None:
        self._file = file
        self._cut = cut

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        count = self._file.readinto(buffer)  # type: ignore[attr-defined]
        if not count and self._cut and len(buffer):
            raise RequestEntityTooLarge()
        return int(count)

    def close(self) -> None:
        self._file.close()
        super().close()


async def receive_whole(
    receive: Receive, declared: int | None, limit: int | None
) -> ReceivedBody | None:
    """Receive the body up to ``limit`` bytes (all of it without one);
    None if the client left first. A declared length over the limit is
    not received at all (Werkzeug refuses it on the first read)."""
    file = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)
    cut = False
    if limit is not None and declared is not None and declared > limit:
        cut = True
    size = 0
    while not cut:
        message = await receive()
        if message["type"] == "http.disconnect":
            file.close()
            return None
        chunk = message.get("body", b"")
        file.write(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
        cut = limit is not None and size > limit
    file.seek(0)
    return ReceivedBody(t.cast(t.IO[bytes], file), cut)
