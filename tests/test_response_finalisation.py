"""Turning a response into the WSGI triple: the fast path must give
exactly what Werkzeug's finalisation gives."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response as WerkzeugResponse

from flask import Flask
from flask import Response


def _wsgi(
    response: WerkzeugResponse, method: str = "GET"
) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = EnvironBuilder(method=method).get_environ()
    app_iter, status, headers = response.get_wsgi_response(environ)
    body = b"".join(app_iter)
    if hasattr(app_iter, "close"):
        app_iter.close()
    return status, headers, body


def _without_content_type(triple: tuple[str, list[tuple[str, str]], bytes]) -> t.Any:
    status, headers, body = triple
    return status, [h for h in headers if h[0] != "Content-Type"], body


def _both(
    make: t.Callable[[type[WerkzeugResponse]], WerkzeugResponse], method: str = "GET"
) -> None:
    ours = _wsgi(make(Response), method)
    theirs = _wsgi(make(WerkzeugResponse), method)
    # Werkzeug's default mimetype is text/plain, ours text/html.
    assert _without_content_type(ours) == _without_content_type(theirs)


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
@pytest.mark.parametrize(
    "make",
    [
        lambda cls: cls("hello"),
        lambda cls: cls(b"bytes body", status=201),
        lambda cls: cls(["a", "b"]),
        lambda cls: cls(iter([b"x", b"y"])),
        lambda cls: cls("moved", status=302, headers={"Location": "/é"}),
        lambda cls: cls("", status=204),
        lambda cls: cls("not modified", status=304),
        lambda cls: cls("where", headers={"Content-Location": "/ü"}),
    ],
    ids=[
        "text",
        "bytes-201",
        "list",
        "iterator",
        "location",
        "204",
        "304",
        "content-location",
    ],
)
def test_same_triple_as_werkzeug(make: t.Any, method: str) -> None:
    _both(make, method)


def test_body_without_content_length_gets_one() -> None:
    response = Response("abc")
    del response.headers["Content-Length"]
    status, headers, body = _wsgi(response)
    assert ("Content-Length", "3") in headers
    assert body == b"abc"


def test_call_on_close_still_runs() -> None:
    closed = []
    response = Response("x")
    response.call_on_close(lambda: closed.append(True))
    _wsgi(response)
    assert closed == [True]


def test_subclass_overriding_close_is_closed() -> None:
    closed = []

    class Closing(Response):
        def close(self) -> None:
            closed.append(True)
            super().close()

    _wsgi(Closing("x"))
    assert closed == [True]


def test_head_through_the_app_has_no_body(app: Flask) -> None:
    app.add_url_rule("/", view_func=lambda: "hello", endpoint="index")
    rv = app.test_client().head("/")
    assert rv.data == b""
    assert rv.headers["Content-Length"] == "5"
