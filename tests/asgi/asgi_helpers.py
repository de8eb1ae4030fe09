"""An in-process ASGI peer for the adapter's tests: builds HTTP scopes by
hand (so they can be odd), feeds the body in the messages asked for,
records what the app sends, and can play a client that leaves early."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import typing as t

Message = dict[str, t.Any]


@dataclasses.dataclass
class Exchange:
    """What the app sent for one request, and how much body it asked for."""

    messages: list[Message]
    received: int

    @property
    def start(self) -> Message:
        starts = [m for m in self.messages if m["type"] == "http.response.start"]
        assert len(starts) == 1, self.messages
        return starts[0]

    @property
    def status(self) -> int:
        return int(self.start["status"])

    def header(self, name: str) -> str | None:
        values = [
            v.decode("latin-1")
            for k, v in self.start["headers"]
            if k.decode("latin-1").lower() == name.lower()
        ]
        return ",".join(values) if values else None

    @property
    def body(self) -> bytes:
        return b"".join(
            m.get("body", b"")
            for m in self.messages
            if m["type"] == "http.response.body"
        )

    @property
    def chunks(self) -> list[bytes]:
        return [
            m.get("body", b"")
            for m in self.messages
            if m["type"] == "http.response.body"
        ]


def make_scope(
    path: str = "/",
    method: str = "GET",
    *,
    query: bytes = b"",
    headers: t.Sequence[tuple[str, str | bytes]] = (),
    scheme: str = "http",
    root_path: str = "",
    raw_path: bytes | None = None,
    client: tuple[str, int] | None = ("127.0.0.1", 40000),
    server: tuple[str, int | None] | None = ("127.0.0.1", 8000),
    http_version: str = "1.1",
    extensions: dict[str, t.Any] | None = None,
    host: str | None = "localhost",
) -> Message:
    """An ASGI HTTP scope; ``host`` becomes the first header unless None."""
    all_headers = [] if host is None else [(b"host", host.encode("latin-1"))]
    all_headers += [
        (k.encode("latin-1"), v if isinstance(v, bytes) else v.encode("latin-1"))
        for k, v in headers
    ]
    scope: Message = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": http_version,
        "method": method,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode("utf-8") if raw_path is None else raw_path,
        "query_string": query,
        "root_path": root_path,
        "headers": all_headers,
        "client": client,
        "server": server,
    }
    if extensions is not None:
        scope["extensions"] = extensions
    return scope


class Peer:
    """Runs requests against an ASGI app on one event loop."""

    def __init__(self, app: t.Any, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop

    def request(
        self,
        path: str = "/",
        method: str = "GET",
        *,
        body: bytes | t.Sequence[bytes] = b"",
        leave_after_body: bool = False,
        leave_after: int | None = None,
        cut_short: bool = False,
        timeout: float = 30.0,
        **scope_args: t.Any,
    ) -> Exchange:
        """One request. ``body`` is one message's body or a list, one per
        message. ``leave_after_body``: the client goes away once the body
        is sent (``receive`` then says ``http.disconnect``) instead of
        waiting for the response; ``leave_after``: it goes away after that
        many response body messages. ``cut_short``: the last body message
        still says more is coming (a body stopping early)."""
        scope = make_scope(path, method, **scope_args)
        return self.loop.run_until_complete(
            asyncio.wait_for(
                self.exchange(scope, body, leave_after_body, leave_after, cut_short),
                timeout,
            )
        )

    async def exchange(
        self,
        scope: Message,
        body: bytes | t.Sequence[bytes] = b"",
        leave_after_body: bool = False,
        leave_after: int | None = None,
        cut_short: bool = False,
    ) -> Exchange:
        parts = [body] if isinstance(body, bytes) else list(body)
        pending: list[Message] = [
            {
                "type": "http.request",
                "body": part,
                "more_body": cut_short or i < len(parts) - 1,
            }
            for i, part in enumerate(parts)
        ]
        messages: list[Message] = []
        gone = asyncio.Event()
        received = 0

        async def receive() -> Message:
            nonlocal received
            if pending:
                received += 1
                message = pending.pop(0)
                if not pending and leave_after_body:
                    gone.set()
                return message
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if gone.is_set() and message["type"].startswith("http.response"):
                raise OSError("the client has gone")
            messages.append(message)
            sent = sum(m["type"] == "http.response.body" for m in messages)
            if leave_after is not None and sent >= leave_after:
                gone.set()
            await asyncio.sleep(0)

        await self.app(scope, receive, send)
        return Exchange(messages, received)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(
    args: t.Sequence[str], cwd: t.Any, probe: str, timeout: float = 60.0
) -> t.Iterator[None]:
    """Run ``python args...`` in ``cwd`` (without FLASK_* variables) until
    ``probe`` answers over HTTP; stop it (and reap it) at the end."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK")}
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(probe, timeout=5).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
