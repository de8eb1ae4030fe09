"""A thousand WebSocket connections through the ASGI app leave nothing
behind: each torn down exactly once, no task, thread, context or
connection object left, and the framework's memory flat from one batch
to the next. Connections end every way they can: the client closes, the
handler returns or closes, the client vanishes mid-receive or before an
echo is sent, the server cancels the connection's task."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import threading
import tracemalloc
import typing as t
from pathlib import Path

import pytest

import flask
from flask import Flask
from flask import g
from flask import request
from flask import websocket
from flask._asgi._websocket import AsgiChannel
from flask._websocket import WebSocket
from flask.ctx import RequestContext
from flask.globals import _cv_app
from flask.globals import _cv_request

Message = dict[str, t.Any]

POOL = 4
ECHOES = 3
#: How a connection ends (see :func:`connection`).
ENDS = ("client", "returns", "closes", "vanishes", "gone-on-send", "cancelled")
WARM_UP, BATCH = 100, 500
TOTAL = WARM_UP + 2 * BATCH
KINDS = [(path, end) for end in ENDS for path in ("/async", "/plain")]
FLASK_FILES = str(Path(flask.__file__).parent / "*")


@pytest.fixture
def torn(app: Flask) -> t.Iterator[dict[str, list[int]]]:
    """The app: an echo handler of each kind; the counts of its teardowns
    per connection (made up front, so that counting allocates nothing)."""
    app.config["ASGI_WORKER_THREADS"] = POOL
    counts = {"request": [0] * TOTAL, "appcontext": [0] * TOTAL}

    @app.before_websocket
    def remember() -> None:
        g.n = int(request.args["n"])

    @app.teardown_request
    def request_torn(exc: BaseException | None) -> None:
        counts["request"][int(request.args["n"])] += 1

    @app.teardown_appcontext
    def appcontext_torn(exc: BaseException | None) -> None:
        counts["appcontext"][g.n] += 1

    @app.websocket("/async")
    async def async_echo() -> None:
        while True:
            message = await websocket.receive()
            if message == "bye":
                return
            if message == "close":
                await websocket.close(4001, "done")
                return
            await websocket.send(message)

    @app.websocket("/plain")
    def plain_echo() -> None:
        while True:
            message = websocket.receive()
            if message == "bye":
                return
            if message == "close":
                websocket.close(4001, "done")
                return
            websocket.send(message)

    yield counts
    serving = app.__dict__.get("_asgi_serving")
    if serving is not None:
        serving.close()


class Client:
    """The server's side of one connection, as the app sees it."""

    def __init__(self) -> None:
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message] = asyncio.Queue()
        self.gone = False

    async def receive(self) -> Message:
        return await self.to_app.get()

    async def send(self, message: Message) -> None:
        if self.gone:
            raise OSError("the client has gone")
        self.from_app.put_nowait(message)
        if message["type"] == "websocket.close":
            code = message.get("code", 1000)
            self.to_app.put_nowait({"type": "websocket.disconnect", "code": code})

    def put(self, message: Message) -> None:
        self.to_app.put_nowait(message)

    async def next(self) -> Message:
        return await asyncio.wait_for(self.from_app.get(), 10)


def scope_of(path: str, n: int) -> Message:
    return {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": f"n={n}".encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": [],
    }


async def connection(app: Flask, n: int) -> None:
    """Handshake, a few echoes, and the n-th way of ending."""
    path, end = KINDS[n % len(KINDS)]
    client = Client()
    context = contextvars.copy_context()
    task = asyncio.get_running_loop().create_task(
        app(scope_of(path, n), client.receive, client.send),  # type: ignore[arg-type]
        context=context,
    )
    client.put({"type": "websocket.connect"})
    assert (await client.next())["type"] == "websocket.accept"
    for i in range(ECHOES):
        client.put({"type": "websocket.receive", "text": f"{n}.{i}"})
        assert await client.next() == {"type": "websocket.send", "text": f"{n}.{i}"}
    if end == "client":
        client.put({"type": "websocket.disconnect", "code": 1000})
    elif end in ("returns", "closes"):
        client.put(
            {
                "type": "websocket.receive",
                "text": "bye" if end == "returns" else "close",
            }
        )
        closed = await client.next()
        assert closed["type"] == "websocket.close"
        assert closed["code"] == (1000 if end == "returns" else 4001)
    elif end == "vanishes":  # while the handler waits in receive()
        client.gone = True
        client.put({"type": "websocket.disconnect", "code": 1006})
    elif end == "gone-on-send":  # before the echo goes out
        client.gone = True
        client.put({"type": "websocket.receive", "text": "unanswered"})
    else:  # the server gives up on the connection
        await asyncio.sleep(0)
        task.cancel()
    try:
        await asyncio.wait_for(asyncio.shield(task), 10)
    except asyncio.CancelledError:
        assert end == "cancelled"
    assert context.get(_cv_request, None) is None
    assert context.get(_cv_app, None) is None


def run_batch(
    app: Flask, loop: asyncio.AbstractEventLoop, start: int, count: int
) -> None:
    async def batch() -> None:
        await asyncio.gather(*(connection(app, n) for n in range(start, start + count)))

    loop.run_until_complete(batch())
    # Wait for every worker thread to take up a job after its last one,
    # which it then no longer holds.
    barrier = threading.Barrier(POOL + 1, timeout=10)
    workers = app.__dict__["_asgi_serving"].workers
    done = [workers.run(barrier.wait) for _ in range(POOL)]
    barrier.wait()
    loop.run_until_complete(asyncio.gather(*done))


def framework_memory() -> int:
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    traces = snapshot.filter_traces(
        [tracemalloc.Filter(True, FLASK_FILES, all_frames=True)]
    )
    return sum(stat.size for stat in traces.statistics("filename"))


def connection_objects() -> list[object]:
    """The connections' objects still alive."""
    gc.collect()
    kinds = (RequestContext, WebSocket, AsgiChannel)
    return [o for o in gc.get_objects() if isinstance(o, kinds)]


def test_a_thousand_connections_leave_nothing_behind(app, torn, loop):
    threads = threading.active_count()
    earlier = connection_objects()  # other tests' (kept, so no id is reused)
    run_batch(app, loop, 0, WARM_UP)  # caches, pool threads
    tracemalloc.start(8)
    try:
        first = framework_memory()
        run_batch(app, loop, WARM_UP, BATCH)
        second = framework_memory()
        run_batch(app, loop, WARM_UP + BATCH, BATCH)
        third = framework_memory()
    finally:
        tracemalloc.stop()
    # Flat from one batch of 500 to the next: a leak of even a few bytes
    # a connection would show (first -> second may still fill caches).
    assert third - second < 4 * 1024, (first, second, third)
    assert torn["request"] == torn["appcontext"] == [1] * TOTAL
    assert [t for t in asyncio.all_tasks(loop) if not t.done()] == []
    pool = [t for t in threading.enumerate() if t.name.startswith("flask-asgi")]
    assert len(pool) <= POOL
    assert threading.active_count() <= threads + POOL
    assert {id(o) for o in connection_objects()} == {id(o) for o in earlier}
