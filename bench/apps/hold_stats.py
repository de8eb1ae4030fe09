"""The app of ``bench/websocket.py``'s hold test: a side's benchmark app
(``HOLD_APP``, e.g. ``asgi_ours``) behind an ASGI wrapper that answers
``GET /hold-stats`` itself, for ``uvicorn --factory hold_stats:make``.

The stats say where the server's memory is after a hold: the Python
objects alive (``sys.getallocatedblocks()`` after a full collection),
the RSS, and the RSS once glibc's ``malloc_trim`` has returned the free
heap it keeps to the system; with ``teardowns``, how many request-context
teardowns the app ran (this package's app only: one per connection).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import json
import os
import sys
import threading
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Message, Receive, Send], Awaitable[None]]

STATS_PATH = "/hold-stats"


class _Teardowns:
    """A thread-safe count of the teardowns an app ran."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, exc: BaseException | None) -> None:
        with self._lock:
            self.count += 1


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _trim() -> bool:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True


def stats(teardowns: _Teardowns | None) -> dict[str, Any]:
    """Where the process's memory is now (see the module)."""
    gc.collect()
    found: dict[str, Any] = {
        "blocks": sys.getallocatedblocks(),
        "rss_kib": _rss_kib(),
        "teardowns": None if teardowns is None else teardowns.count,
    }
    found["trimmed_rss_kib"] = _rss_kib() if _trim() else None
    return found


def wrap(app: App, teardowns: _Teardowns | None = None) -> App:
    """``app``, with ``GET /hold-stats`` answered by the wrapper."""

    async def with_stats(scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != STATS_PATH:
            await app(scope, receive, send)
            return
        body = json.dumps(stats(teardowns)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return with_stats


def make() -> App:
    """The wrapped ``HOLD_APP`` (uvicorn's ``--factory``)."""
    module = importlib.import_module(os.environ["HOLD_APP"])
    app = module.app
    teardowns = None
    if type(app).__module__.split(".")[0] == "flask":
        teardowns = _Teardowns()
        app.teardown_request(teardowns)
    return wrap(app, teardowns)
