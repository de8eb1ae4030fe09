"""The request a view sees under ASGI is the one it sees under WSGI: the
environ is built from the scope the PEP 3333 way."""

from __future__ import annotations

import json

import pytest

from flask import Flask
from flask import request


@pytest.fixture
def echo(app: Flask) -> Flask:
    @app.route("/", defaults={"rest": ""})
    @app.route("/<path:rest>")
    def show(rest: str) -> dict[str, object]:
        return {
            "rest": rest,
            "path": request.path,
            "script_root": request.script_root,
            "url": request.url,
            "host": request.host,
            "scheme": request.scheme,
            "remote_addr": request.remote_addr,
            "args": request.args.to_dict(flat=False),
            "cookies": request.cookies.to_dict(),
            "headers": {k: v for k, v in request.headers.items()},
            "protocol": request.environ["SERVER_PROTOCOL"],
            "has_scope": "asgi.scope" in request.environ,
        }

    return app


def _seen(peer, *args, **kwargs):
    exchange = peer.request(*args, **kwargs)
    assert exchange.status == 200, exchange.body
    return json.loads(exchange.body)


def test_basic_request_fields(echo, peer):
    seen = _seen(
        peer,
        "/a/b",
        query=b"x=1&x=2&y=%C3%A9",
        headers=[("X-Custom", "v")],
        host="example.com:8080",
        client=("10.1.2.3", 5555),
    )
    assert seen["rest"] == "a/b"
    assert seen["path"] == "/a/b"
    assert seen["url"] == "http://example.com:8080/a/b?x=1&x=2&y=é"
    assert seen["host"] == "example.com:8080"
    assert seen["remote_addr"] == "10.1.2.3"
    assert seen["args"] == {"x": ["1", "2"], "y": ["é"]}
    assert seen["headers"]["X-Custom"] == "v"
    assert seen["protocol"] == "HTTP/1.1"
    assert seen["has_scope"] is True


def test_scheme_and_missing_client(echo, peer):
    seen = _seen(peer, "/", scheme="https", client=None, host="secure.test")
    assert seen["scheme"] == "https"
    assert seen["url"] == "https://secure.test/"
    assert seen["remote_addr"] is None


def test_host_falls_back_to_server(echo, peer):
    seen = _seen(peer, "/", host=None, server=("10.0.0.1", 9000))
    assert seen["host"] == "10.0.0.1:9000"


@pytest.mark.parametrize(
    ("path", "root_path"),
    [("/prefix/a", "/prefix"), ("/a", "/prefix")],
    ids=["path-includes-root", "path-excludes-root"],
)
def test_root_path_is_script_name(echo, peer, path, root_path):
    seen = _seen(peer, path, root_path=root_path)
    assert seen["rest"] == "a"
    assert seen["script_root"] == "/prefix"
    assert seen["url"] == "http://localhost/prefix/a"


def test_percent_escapes_decoded_from_raw_path(echo, peer):
    # The scope's path holds the decoded text; raw_path keeps the bytes.
    seen = _seen(peer, "/caf\u00e9 x", raw_path=b"/caf%C3%A9%20x")
    assert seen["rest"] == "café x"


def test_non_utf8_escape_survives_as_under_wsgi(app, peer):
    @app.route("/<name>")
    def raw(name: str) -> str:
        return request.environ["PATH_INFO"].encode("latin-1").hex()

    exchange = peer.request("/\ufffd", raw_path=b"/%FF")
    # PATH_INFO "/\xff", as a WSGI server gives it for "GET /%FF".
    assert exchange.body == b"2fff"


def test_repeated_headers_are_joined(echo, peer):
    seen = _seen(
        peer,
        "/",
        headers=[
            ("Accept", "text/html"),
            ("Accept", "application/json"),
            ("Cookie", "a=1"),
            ("Cookie", "b=2"),
        ],
    )
    assert seen["headers"]["Accept"] == "text/html,application/json"
    assert seen["cookies"] == {"a": "1", "b": "2"}


def test_header_names_with_underscores_are_dropped(echo, peer):
    # Else "X_Forwarded_For" would pass for "X-Forwarded-For".
    seen = _seen(peer, "/", headers=[("X_Forwarded_For", "6.6.6.6"), ("X-Ok", "1")])
    assert "X-Forwarded-For" not in seen["headers"]
    assert seen["headers"]["X-Ok"] == "1"


def test_http2_scope(echo, peer):
    seen = _seen(peer, "/", http_version="2")
    assert seen["protocol"] == "HTTP/2"


def test_server_given_as_a_list(echo, peer):
    seen = _seen(peer, "/", host=None, server=["10.0.0.2", 9001])
    assert seen["host"] == "10.0.0.2:9001"


def test_listeners_do_not_mix(echo, peer):
    """What requests of one server, scheme and HTTP version share is kept
    apart from another's, whatever the order."""
    for scheme, version in [("https", "2"), ("http", "1.1"), ("https", "2")]:
        seen = _seen(peer, "/", scheme=scheme, http_version=version, host=None)
        assert seen["scheme"] == scheme
        assert seen["protocol"] == f"HTTP/{version}"


def test_a_request_changing_its_environ_leaves_the_next_alone(app, peer):
    @app.route("/")
    def index() -> str:
        seen = request.environ.get("SERVER_NAME")
        request.environ["SERVER_NAME"] = "changed.test"
        request.environ["x.mark"] = True
        return f"{seen} {request.environ.get('x.mark') and 'marked'}"

    first = peer.request("/").body
    assert peer.request("/").body == first
    assert b"changed.test" not in first
