"""A bare WSGI function answering like the hello app, for ``bench/http.py
--bare``: what gunicorn alone costs per request, with no framework."""

from __future__ import annotations

import typing as t

BODY = b"Hello, World!"
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(BODY))),
]


def app(
    environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
) -> list[bytes]:
    """The same status, headers and body as ``hello.py``'s view."""
    start_response("200 OK", list(HEADERS))
    return [BODY]
