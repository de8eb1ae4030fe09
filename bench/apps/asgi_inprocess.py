"""Per-request cost of one ``bench/asgi.py`` app called in-process: no server,
no socket, just ``await app(scope, receive, send)`` on uvloop.

    python bench/apps/asgi_inprocess.py MODULE NAME=PATH... [--seconds 2]

``MODULE`` is one of the ``asgi_*`` apps beside this file, whose ``lifespan``
startup runs first. For each ``NAME=PATH``, 16 tasks send requests
concurrently (as a server's connections would), in batches of about 0.1 s
over ``--seconds``; the medians of wall-clock and CPU time per request
(``time.process_time``, all threads, so a worker pool counts) are printed as
JSON, with the first response (status, headers, body in base64) for the
driver to check. Run in a side's virtualenv, with this folder first on
``sys.path`` (as running the file puts it).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from collections.abc import MutableMapping
from typing import Any

import uvloop

Message = MutableMapping[str, Any]
App = Callable[..., Any]
TASKS = 16
BATCH_SECONDS = 0.1


def scope_for(path: str) -> dict[str, Any]:
    """The scope uvicorn would pass for ``GET path``."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench")],
        "state": {},
    }


async def request(app: App, path: str) -> list[Message]:
    """One request; the messages sent. ``receive`` gives the (empty) body,
    then, like uvicorn, waits until the response is complete and reports a
    disconnect."""
    sent: list[Message] = []
    done = asyncio.Event()
    first = True

    async def receive() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope_for(path), receive, send)
    done.set()
    return sent


async def batch(app: App, path: str, count: int) -> tuple[float, float]:
    """``count`` requests over ``TASKS`` concurrent tasks: (wall, CPU) seconds."""
    per_task = max(1, count // TASKS)

    async def worker() -> None:
        for _ in range(per_task):
            await request(app, path)

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(TASKS)))
    return time.perf_counter() - wall, time.process_time() - cpu


async def lifespan(app: App) -> Callable[[], Any]:
    """Run the lifespan startup; return the coroutine function that shuts down."""
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.ensure_future(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    reply = await outbox.get()
    if reply["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"lifespan startup: {reply}")

    async def shutdown() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task

    return shutdown


def first_response(sent: list[Message]) -> dict[str, Any]:
    """Status, headers and body of a response, JSON-friendly."""
    start = sent[0]
    body = b"".join(
        m.get("body", b"") for m in sent if m["type"] == "http.response.body"
    )
    return {
        "status": start.get("status"),
        "headers": {
            k.decode().lower(): v.decode() for k, v in start.get("headers", [])
        },
        "body": base64.b64encode(body).decode(),
    }


async def measure(app: App, paths: dict[str, str], seconds: float) -> dict[str, Any]:
    """Calibrate, warm up and time each path; see the module docstring."""
    shutdown = await lifespan(app)
    found: dict[str, Any] = {}
    for name, path in paths.items():
        response = first_response(await request(app, path))
        count = TASKS
        while (await batch(app, path, count))[0] < BATCH_SECONDS:
            count *= 2
        walls, cpus = [], []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline or len(walls) < 3:
            wall, cpu = await batch(app, path, count)
            walls.append(wall / count * 1e6)
            cpus.append(cpu / count * 1e6)
        found[name] = {
            "wall_us": statistics.median(walls),
            "cpu_us": statistics.median(cpus),
            "response": response,
        }
    await shutdown()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("module", help="the app module, e.g. asgi_ours")
    parser.add_argument("paths", nargs="+", metavar="NAME=PATH")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per path")
    args = parser.parse_args()
    app = importlib.import_module(args.module).app
    paths = dict(item.split("=", 1) for item in args.paths)
    found = uvloop.run(measure(app, paths, args.seconds))
    json.dump({"scenarios": found}, sys.stdout)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
