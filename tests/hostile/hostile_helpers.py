"""Helpers shared by the hostile-input tests: the Hypothesis settings,
raw WSGI environs built by hand (so they can be invalid), a WSGI caller
that checks the protocol, a byte-counting ``wsgi.input``, a threaded live
server on 127.0.0.1 and a raw HTTP client.

Nothing here goes through the test client, which would normalise the very
inputs these tests are about.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import socket
import sys
import threading
import typing as t
from pathlib import Path

from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase
from werkzeug.serving import make_server

from flask import Flask
from flask.globals import _cv_app
from flask.globals import _cv_request
from flask.signals import got_request_exception

ROOT = Path(__file__).resolve().parents[2]

#: Examples per property test: 200, or ``FLASK_FUZZ_EXAMPLES`` for a long run.
EXAMPLES = int(os.environ.get("FLASK_FUZZ_EXAMPLES", "200"))
HYPOTHESIS_HOME = ROOT / ".pytest_cache" / "hypothesis"

# Hypothesis keeps caches (and by default its example database) in
# ./.hypothesis; keep them in the already ignored .pytest_cache instead.
set_hypothesis_home_dir(HYPOTHESIS_HOME)

settings.register_profile(
    "flask-hostile",
    max_examples=EXAMPLES,
    deadline=None,
    database=DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "examples"),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
#: The settings of the property tests, used as a decorator.
FUZZ = settings.get_profile("flask-hostile")

#: Environ keys that are not ``HTTP_*`` headers.
_CGI_HEADERS = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


def header_key(name: str) -> str:
    """The environ key of the HTTP header ``name``."""
    lower = name.lower()
    if lower in _CGI_HEADERS:
        return _CGI_HEADERS[lower]
    return "HTTP_" + name.upper().replace("-", "_")


def wsgi_str(value: str | bytes) -> str:
    """A PEP 3333 environ string: bytes decoded as latin-1."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def make_environ(
    method: str = "GET",
    path: str | bytes = "/",
    query: str | bytes = "",
    *,
    headers: t.Mapping[str, str | bytes] | t.Iterable[tuple[str, str | bytes]] = (),
    body: bytes = b"",
    content_length: str | int | None | bool = True,
    wsgi_input: t.Any = None,
    **extra: t.Any,
) -> dict[str, t.Any]:
    """A raw WSGI environ.

    ``path`` and ``query`` are taken as they would arrive from a server:
    bytes are decoded as latin-1, str is used as is. ``content_length`` is
    True to send ``len(body)``, False or None to send none, or a value to
    send verbatim. Header names are HTTP names (``Content-Type``,
    ``X-Token``); ``extra`` sets environ keys directly and wins.
    """
    environ: dict[str, t.Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": wsgi_str(path),
        "QUERY_STRING": wsgi_str(query),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body) if wsgi_input is None else wsgi_input,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_length is True:
        environ["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not False and content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    items = headers.items() if isinstance(headers, t.Mapping) else headers
    for name, value in items:
        key = header_key(name)
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = wsgi_str(value)
    environ.update(extra)
    return environ


@dataclasses.dataclass
class WSGIResult:
    """What a WSGI app answered."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_code(self) -> int:
        return int(self.status.split(None, 1)[0])

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_list(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def call_wsgi(app: t.Any, environ: dict[str, t.Any]) -> WSGIResult:
    """Call ``app`` like a server would and check the WSGI protocol:
    ``start_response`` is called once with native strings, every chunk is
    bytes, ``close()`` is called, and no context stays pushed."""
    calls: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], object]:
        assert exc_info is None, "start_response got exc_info"
        calls.append((status, headers))
        return lambda data: None

    app_iter = app(environ, start_response)
    try:
        chunks = []
        for chunk in app_iter:
            assert isinstance(chunk, bytes), f"body chunk is {type(chunk)}"
            chunks.append(chunk)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    assert len(calls) == 1, f"start_response called {len(calls)} times"
    status, headers = calls[0]
    check_headers(status, headers)
    assert _cv_request.get(None) is None, "request context left pushed"
    assert _cv_app.get(None) is None, "app context left pushed"
    return WSGIResult(status, list(headers), b"".join(chunks))


def check_headers(status: str, headers: list[tuple[str, str]]) -> None:
    """The status and headers are valid PEP 3333 values: native strings,
    latin-1 encodable, with no line breaks (no header injection)."""
    assert isinstance(status, str) and status[:3].isdigit(), status
    for name, value in [("status", status), *headers]:
        assert isinstance(name, str) and isinstance(value, str), (name, value)
        name.encode("latin-1")
        value.encode("latin-1")
        for text in (name, value):
            assert "\r" not in text and "\n" not in text, (name, value)


@contextlib.contextmanager
def recorded_exceptions(app: Flask) -> t.Iterator[list[BaseException]]:
    """Collect the exceptions ``got_request_exception`` reports for
    ``app``, so a 500 turned into a response is still seen."""
    seen: list[BaseException] = []

    def receiver(sender: t.Any, exception: BaseException, **kwargs: t.Any) -> None:
        seen.append(exception)

    with got_request_exception.connected_to(receiver, app):
        yield seen


class CountingInput:
    """A ``wsgi.input`` over ``data`` that counts the bytes read.

    ``fail_after``: raise AssertionError once more than this many bytes
    would have been read in total (the app read past a limit). ``eof_after``: return
    ``b""`` once this many bytes were read, like a socket whose peer went
    away. ``chunk``: return at most this many bytes per call, like a slow
    client. ``error``: raise this exception instead of returning ``b""`` at
    ``eof_after``.
    """

    def __init__(
        self,
        data: bytes,
        *,
        fail_after: int | None = None,
        eof_after: int | None = None,
        chunk: int | None = None,
        error: BaseException | None = None,
    ) -> None:
        self.data = data
        self.pos = 0
        self.calls = 0
        self.fail_after = fail_after
        self.eof_after = eof_after
        self.chunk = chunk
        self.error = error

    def read(self, size: int | None = -1) -> bytes:
        self.calls += 1
        end = len(self.data)
        if self.eof_after is not None:
            end = min(end, self.eof_after)
        if size is None or size < 0:
            size = end - self.pos
        if self.chunk is not None:
            size = min(size, self.chunk)
        if self.pos >= end and self.error is not None and size:
            raise self.error
        out = self.data[self.pos : min(end, self.pos + size)]
        if self.fail_after is not None and self.pos + len(out) > self.fail_after:
            raise AssertionError(
                f"read past the limit: {self.pos + len(out)} > {self.fail_after}"
            )
        self.pos += len(out)
        return out

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError(
            "readline() on wsgi.input; the body must be read in blocks"
        )

    def __iter__(self) -> t.Iterator[bytes]:
        raise AssertionError("iterating wsgi.input")


@contextlib.contextmanager
def live_server(app: t.Any, threaded: bool = True) -> t.Iterator[tuple[str, int]]:
    """Serve ``app`` with Werkzeug's threaded server on 127.0.0.1 and an
    ephemeral port, in a background thread; yield ``(host, port)``."""
    server = make_server("127.0.0.1", 0, app, threaded=threaded)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def raw_http(
    port: int,
    request: bytes,
    *,
    timeout: float = 10,
    half_close: bool = False,
) -> bytes:
    """Send raw bytes to 127.0.0.1:``port`` and read the answer until the
    server closes the connection. ``half_close`` shuts down the sending
    side after the request (the client sent everything it ever will)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def http_status(raw: bytes) -> int:
    """The status code of a raw HTTP response."""
    line = raw.split(b"\r\n", 1)[0]
    return int(line.split()[1])
