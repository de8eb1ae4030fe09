"""The WebSocket echo load of ``bench/websocket.py``: an asyncio client of
the ``websockets`` package, on uvloop.

    python bench/apps/ws_client.py URL --connections 50 --seconds 5 [--warmup 1]
    python bench/apps/ws_client.py URL --connections 1000 --hold 5

Every connection sends a text message, awaits its echo, checks that it is
the same text, and repeats. The client talks with its driver by lines: it
prints one JSON object per phase on stdout and then waits for a line on
stdin before going on, so that the driver can read the server's CPU time or
RSS at that point:

* echo mode: ``{"phase": "start"}`` once every connection is open and has
  echoed for ``--warmup`` seconds; after the driver's line the timed window
  runs for ``--seconds``, then ``{"phase": "end", "messages", "seconds",
  "errors"}``; after the next line the connections are closed and
  ``{"phase": "closed", "errors"}`` ends the run;
* hold mode: the connections are opened (at most ``OPENING`` handshakes at
  a time), each echoes ``--hold`` messages, then ``{"phase": "open",
  "connections", "messages", "errors"}``; after the driver's line all are
  closed and ``{"phase": "closed", "errors"}`` ends the run.

``errors`` lists what went wrong (a failed handshake, a wrong echo, an
exception), at most ``MAX_ERRORS`` of them, and ``error_count`` counts all.
Run in a virtualenv with ``websockets`` and ``uvloop`` (``.bench/asgi``),
from this folder (``bench/`` holds an ``http.py`` that would shadow the
standard package).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import uvloop
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect

OPENING = 50
MAX_ERRORS = 10


class Run:
    """The state shared by the connections: errors, and when to stop."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.error_count = 0
        self.messages = 0
        self.counting = False
        self.stop = False

    def error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(text)

    def report(self, phase: str, **extra: Any) -> dict[str, Any]:
        return {
            "phase": phase,
            "errors": self.errors,
            "error_count": self.error_count,
            **extra,
        }


async def say(message: dict[str, Any]) -> None:
    """Print one phase line, then wait for the driver's line."""
    print(json.dumps(message), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


async def echo(ws: ClientConnection, run: Run, text: str) -> bool:
    """One round trip; False (and an error recorded) if the echo differs."""
    await ws.send(text)
    got = await ws.recv()
    if got != text:
        run.error(f"sent {text!r}, got {got!r:.200}")
        return False
    return True


async def open_connection(url: str, run: Run, gate: asyncio.Semaphore) -> Any:
    """A connection, or None (an error recorded) when the handshake failed."""
    async with gate:
        try:
            # No compression: the frameworks are measured, not zlib.
            return await connect(url, compression=None, open_timeout=30, max_queue=4)
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            run.error(f"connect: {exc!r}")
            return None


async def echo_loop(ws: ClientConnection, run: Run, index: int) -> None:
    """Echo until ``run.stop``, counting round trips while ``run.counting``."""
    sequence = 0
    try:
        while not run.stop:
            sequence += 1
            if not await echo(ws, run, f"message {index}:{sequence}"):
                return
            if run.counting:
                run.messages += 1
    except Exception as exc:  # noqa: BLE001
        run.error(f"connection {index}: {exc!r}")


async def close_all(connections: list[Any], run: Run) -> None:
    async def close(ws: ClientConnection) -> None:
        try:
            await ws.close()
        except Exception as exc:  # noqa: BLE001
            run.error(f"close: {exc!r}")

    await asyncio.gather(*(close(ws) for ws in connections if ws is not None))


async def echo_mode(url: str, count: int, seconds: float, warmup: float) -> None:
    run = Run()
    gate = asyncio.Semaphore(OPENING)
    connections = await asyncio.gather(
        *(open_connection(url, run, gate) for _ in range(count))
    )
    loops = [
        asyncio.ensure_future(echo_loop(ws, run, i))
        for i, ws in enumerate(connections)
        if ws is not None
    ]
    await asyncio.sleep(warmup)
    await say(run.report("start"))
    run.counting = True
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    run.counting = False
    elapsed = time.perf_counter() - started
    messages = run.messages
    run.stop = True
    await asyncio.gather(*loops)
    await say(run.report("end", messages=messages, seconds=elapsed))
    await close_all(connections, run)
    await say(run.report("closed"))


async def hold_mode(url: str, count: int, each: int) -> None:
    run = Run()
    gate = asyncio.Semaphore(OPENING)

    async def one(index: int) -> Any:
        ws = await open_connection(url, run, gate)
        if ws is None:
            return None
        try:
            for sequence in range(each):
                if not await echo(ws, run, f"hold {index}:{sequence}"):
                    break
                run.messages += 1
        except Exception as exc:  # noqa: BLE001
            run.error(f"connection {index}: {exc!r}")
        return ws

    connections = await asyncio.gather(*(one(i) for i in range(count)))
    opened = sum(ws is not None for ws in connections)
    await say(run.report("open", connections=opened, messages=run.messages))
    await close_all(connections, run)
    await say(run.report("closed"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--hold", type=int, default=0, help="hold mode: messages per connection"
    )
    args = parser.parse_args()
    if args.hold:
        uvloop.run(hold_mode(args.url, args.connections, args.hold))
    else:
        uvloop.run(echo_mode(args.url, args.connections, args.seconds, args.warmup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
