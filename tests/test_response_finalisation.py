"""Turning a response into the WSGI triple: the fast path must give
exactly what Werkzeug's finalisation gives."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.datastructures import Headers
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


def test_headers_list_is_a_copy() -> None:
    response = Response("x")
    _, _, headers = response.get_wsgi_response(EnvironBuilder().get_environ())
    headers.append(("X-Server", "added"))
    assert "X-Server" not in response.headers


def test_a_headers_subclass_is_finalised_like_werkzeug_does() -> None:
    class Upper(Headers):
        def to_wsgi_list(self) -> list[tuple[str, str]]:
            return [(k.upper(), v) for k, v in self]

    _both(lambda cls: cls("x", headers=Upper([("X-A", "1")])))


def test_a_subclass_with_its_own_status_takes_werkzeugs_path() -> None:
    class Teapot(Response):
        @property  # type: ignore[override]
        def status(self) -> str:
            return "418 I'M A TEAPOT"

        @status.setter
        def status(self, value: t.Any) -> None:
            Response.status.fset(self, value)

    assert not Teapot._stock_wsgi
    assert Response._stock_wsgi
    assert _wsgi(Teapot("x"))[0] == "418 I'M A TEAPOT"


def test_a_subclass_finalising_its_own_headers_is_called() -> None:
    class Stamped(Response):
        def get_wsgi_headers(self, environ: t.Any) -> Headers:
            headers = super().get_wsgi_headers(environ)
            headers["X-Stamped"] = "1"
            return headers

    status, headers, body = _wsgi(Stamped("x"))
    assert ("X-Stamped", "1") in headers
    assert body == b"x"
