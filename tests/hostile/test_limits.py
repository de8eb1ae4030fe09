"""Request size limits and bodies that end early.

``MAX_CONTENT_LENGTH``, ``MAX_FORM_MEMORY_SIZE`` and ``MAX_FORM_PARTS``
answer 413 without buffering the body: the ``wsgi.input`` used here
counts what is read and fails the request if the app reads past the
point where the limit was known to be exceeded. ``MAX_COOKIE_SIZE`` warns
about a cookie browsers would drop. A body shorter than its
``Content-Length`` (the client went away, or timed out) is a 400, never a
500 and never a hang.
"""

from __future__ import annotations

import http.client
import json
import secrets
import typing as t

import pytest
from hostile_helpers import call_wsgi
from hostile_helpers import CountingInput
from hostile_helpers import http_status
from hostile_helpers import live_server
from hostile_helpers import make_environ
from hostile_helpers import raw_http
from hostile_helpers import recorded_exceptions
from hostile_helpers import WSGIResult

from flask import Flask
from flask import Request
from flask import request
from flask import Response
from flask import session

#: Werkzeug's multipart parser reads the body in blocks of this size.
READ_BLOCK = 64 * 1024
BOUNDARY = "limits-boundary-c0ffee"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
FORM = "application/x-www-form-urlencoded"


def multipart(*parts: tuple[str, bytes, str | None]) -> bytes:
    """A multipart body of ``(name, content, filename or None)`` parts."""
    out = []
    for name, content, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.append(
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def many_fields(n: int) -> bytes:
    return multipart(*[(f"f{i}", b"x", None) for i in range(n)])


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False, SECRET_KEY="limits")

    @app.route("/<kind>", methods=["POST", "PUT"])
    def read(kind: str) -> t.Any:
        if kind == "data":
            return {"n": len(request.data)}
        if kind == "get_data":
            return {"n": len(request.get_data())}
        if kind == "stream":
            return {"n": len(request.stream.read())}
        if kind == "form":
            return {"form": request.form.to_dict(flat=False)}
        if kind == "files":
            return {
                "files": {k: len(f.read()) for k, f in request.files.items()},
                "form": request.form.to_dict(flat=False),
            }
        if kind == "values":
            return {"n": len(request.values)}
        assert kind == "json"
        return {"json": request.get_json()}

    return app


def post(
    app: Flask,
    kind: str,
    body: bytes,
    content_type: str = "application/octet-stream",
    *,
    wsgi_input: t.Any = None,
    **kwargs: t.Any,
) -> WSGIResult:
    """POST ``body`` to ``/kind`` through a raw environ; fail on any
    exception the app reported."""
    environ = make_environ(
        "POST",
        f"/{kind}",
        headers={"Content-Type": content_type},
        body=body,
        wsgi_input=wsgi_input,
        **kwargs,
    )
    with recorded_exceptions(app) as errors:
        result = call_wsgi(app, environ)
    assert errors == [], errors
    assert result.status_code < 500, result
    return result


# -- MAX_CONTENT_LENGTH --------------------------------------------------------


ACCESSORS = [
    ("data", "application/octet-stream"),
    ("get_data", "application/octet-stream"),
    ("stream", "application/octet-stream"),
    ("form", FORM),
    ("form", MULTIPART),
    ("files", MULTIPART),
    ("values", FORM),
    ("json", "application/json"),
]


@pytest.mark.parametrize(("kind", "content_type"), ACCESSORS)
def test_content_length_over_max_is_413_before_reading(
    app: Flask, kind: str, content_type: str
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = b"x" * 5000
    # Nothing may be read: the announced length is already too large.
    result = post(
        app, kind, body, content_type, wsgi_input=CountingInput(body, fail_after=0)
    )
    assert result.status_code == 413


@pytest.mark.parametrize(
    ("kind", "content_type", "body"),
    [
        ("data", "application/octet-stream", b"x" * 1000),
        ("form", FORM, b"a=" + b"x" * 998),
        ("json", "application/json", json.dumps("x" * 998).encode()),
        ("files", MULTIPART, multipart(("f", b"x" * 800, "f.txt"))),
    ],
)
def test_body_at_max_content_length_is_read_whole(
    app: Flask, kind: str, content_type: str, body: bytes
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = len(body)
    wsgi_input = CountingInput(body, fail_after=len(body))
    result = post(app, kind, body, content_type, wsgi_input=wsgi_input)
    assert result.status_code == 200
    assert wsgi_input.pos == len(body)


def test_per_request_max_content_length_does_not_leak(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000

    @app.before_request
    def tighten() -> None:
        if request.args.get("small"):
            request.max_content_length = 10

    body = b"y" * 100
    small = post(app, "data", body, query="small=1")
    assert small.status_code == 413
    # The next request is back to the app's limit.
    assert post(app, "data", body).status_code == 200


def test_limit_applies_with_a_live_server_before_the_body_arrives(
    app: Flask,
) -> None:
    """Over a socket: the 413 comes back although only a fraction of the
    announced 10 MB was sent (the server never waits for the rest)."""
    app.config["MAX_CONTENT_LENGTH"] = 1024
    with live_server(app) as (_, port):
        raw = raw_http(
            port,
            b"POST /data HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/octet-stream\r\n"
            b"Content-Length: 10000000\r\n\r\n" + b"z" * 2000,
        )
    assert http_status(raw) == 413


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("data", "application/octet-stream"),
        ("stream", "application/octet-stream"),
        ("form", FORM),
        ("json", "application/json"),
    ],
)
def test_streamed_body_over_max_content_length_is_413(
    app: Flask, kind: str, content_type: str
) -> None:
    """A body without a length (de-chunked by the server) that goes past
    the limit is refused, not handed to the view cut at the limit."""
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = json.dumps("x" * 4000).encode() if kind == "json" else b"a=" + b"x" * 4000
    wsgi_input = CountingInput(body)
    result = post(
        app,
        kind,
        body,
        content_type,
        wsgi_input=wsgi_input,
        content_length=None,
        **{"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert result.status_code == 413
    # Read up to the limit, plus one byte to see that more follows.
    assert wsgi_input.pos <= 1001


@pytest.mark.parametrize("kind", ["data", "stream"])
def test_streamed_body_at_max_content_length_is_read_whole(
    app: Flask, kind: str
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = b"s" * 1000
    result = post(
        app,
        kind,
        body,
        content_length=None,
        **{"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert result.status_code == 200
    assert json.loads(result.body) == {"n": 1000}


def test_chunked_body_over_max_content_length_is_413_over_a_socket(
    app: Flask,
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    chunk = b"q" * 3000
    with live_server(app) as (_, port):
        raw = raw_http(
            port,
            b"POST /data HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/octet-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            + f"{len(chunk):x}\r\n".encode()
            + chunk
            + b"\r\n0\r\n\r\n",
        )
    assert http_status(raw) == 413, raw[-200:]


# -- MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS -------------------------------------------


def test_large_multipart_field_is_413_without_reading_the_body(app: Flask) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 100_000
    body = multipart(("big", b"v" * 4_000_000, None))
    wsgi_input = CountingInput(body)
    result = post(app, "form", body, MULTIPART, wsgi_input=wsgi_input)
    assert result.status_code == 413
    # Stopped within a block or two of the limit, not at 4 MB.
    assert wsgi_input.pos <= 100_000 + 2 * READ_BLOCK


def test_field_under_max_form_memory_size_is_accepted(app: Flask) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 100_000
    body = multipart(("ok", b"v" * 20_000, None))
    result = post(app, "form", body, MULTIPART)
    assert result.status_code == 200
    assert json.loads(result.body) == {"form": {"ok": ["v" * 20_000]}}


def test_files_are_not_limited_by_max_form_memory_size(app: Flask) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 100_000
    body = multipart(("upload", b"\x00\xff" * 500_000, "big.bin"))
    result = post(app, "files", body, MULTIPART)
    assert result.status_code == 200
    assert json.loads(result.body) == {"files": {"upload": 1_000_000}, "form": {}}


def test_default_max_form_parts_is_1000(app: Flask) -> None:
    assert post(app, "form", many_fields(1000), MULTIPART).status_code == 200
    assert post(app, "form", many_fields(1001), MULTIPART).status_code == 413


def test_too_many_parts_is_413_without_reading_the_body(app: Flask) -> None:
    app.config["MAX_FORM_PARTS"] = 10
    body = many_fields(100_000)
    wsgi_input = CountingInput(body)
    result = post(app, "form", body, MULTIPART, wsgi_input=wsgi_input)
    assert result.status_code == 413
    assert wsgi_input.pos <= 2 * READ_BLOCK < len(body)
    assert post(app, "form", many_fields(10), MULTIPART).status_code == 200


def test_urlencoded_form_is_bounded_by_max_content_length(app: Flask) -> None:
    # MAX_FORM_MEMORY_SIZE covers multipart fields; a urlencoded body is
    # parsed at once and bounded by MAX_CONTENT_LENGTH.
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    body = b"a=" + b"x" * 20_000
    result = post(app, "form", body, FORM, wsgi_input=CountingInput(body, fail_after=0))
    assert result.status_code == 413


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (multipart(("f", b"data", "a.txt")).rsplit(b"\r\n--", 1)[0], 400),
        (
            multipart(
                ("f", b"data", "a.txt"), *[(f"g{i}", b"x", None) for i in range(5)]
            ),
            413,
        ),
    ],
    ids=["truncated", "too-many-parts"],
)
def test_upload_streams_are_closed_when_parsing_fails(
    app: Flask, body: bytes, status: int
) -> None:
    """The file being parsed when a multipart body turns out truncated
    (a 400) or over a limit (413) is closed with the
    request, not left for the garbage collector."""
    opened: list[t.IO[bytes]] = []

    class Recording(Request):
        def _get_file_stream(self, *args: t.Any, **kwargs: t.Any) -> t.IO[bytes]:
            stream = super()._get_file_stream(*args, **kwargs)
            opened.append(stream)
            return stream

    app.request_class = Recording
    app.config["MAX_FORM_PARTS"] = 3
    try:
        result = post(app, "files", body, MULTIPART)
        assert result.status_code == status
        assert opened, "no upload stream was created"
        assert all(stream.closed for stream in opened)
    finally:
        for stream in opened:
            stream.close()


@pytest.mark.parametrize("name", ["f", ""])
def test_several_files_under_one_name_all_stay_readable(app: Flask, name: str) -> None:
    @app.post("/all-files")
    def all_files() -> dict[str, t.Any]:
        return {
            "files": [
                [key, f.filename, f.read().decode()]
                for key, f in request.files.items(multi=True)
            ]
        }

    body = multipart(
        (name, b"one", "1.txt"), (name, b"two", "2.txt"), ("other", b"3", "3.txt")
    )
    result = post(app, "all-files", body, MULTIPART)
    assert result.status_code == 200
    assert json.loads(result.body) == {
        "files": [
            [name, "1.txt", "one"],
            [name, "2.txt", "two"],
            ["other", "3.txt", "3"],
        ]
    }


# -- MAX_COOKIE_SIZE ---------------------------------------------------------------


@pytest.fixture
def cookie_app(app: Flask) -> Flask:
    @app.route("/cookie/<int:size>")
    def cookie(size: int) -> Response:
        response = Response("ok")
        response.set_cookie("big", "c" * size)
        return response

    @app.route("/session/<int:size>")
    def big_session(size: int) -> str:
        # Random, so the compressed cookie stays large.
        session["blob"] = secrets.token_urlsafe(size)
        return "ok"

    return app


def get(app: Flask, path: str) -> WSGIResult:
    with recorded_exceptions(app) as errors:
        result = call_wsgi(app, make_environ(path=path))
    assert errors == []
    return result


def test_cookie_over_max_cookie_size_warns(cookie_app: Flask) -> None:
    with pytest.warns(UserWarning, match="cookie is too large"):
        result = get(cookie_app, "/cookie/5000")
    # The cookie is still sent: the warning is for the developer.
    assert result.status_code == 200
    assert result.header("Set-Cookie").startswith("big=")  # type: ignore[union-attr]


def test_session_over_max_cookie_size_warns(cookie_app: Flask) -> None:
    with pytest.warns(UserWarning, match="cookie is too large"):
        get(cookie_app, "/session/5000")


def test_max_cookie_size_is_configurable(cookie_app: Flask) -> None:
    get(cookie_app, "/cookie/3000")  # under the default 4093: no warning
    cookie_app.config["MAX_COOKIE_SIZE"] = 1000
    with pytest.warns(UserWarning, match="cookie is too large"):
        get(cookie_app, "/cookie/3000")
    cookie_app.config["MAX_COOKIE_SIZE"] = 0  # disables the check
    get(cookie_app, "/cookie/10000")


# -- bodies that end early ---------------------------------------------------------


TRUNCATABLE = [
    ("data", "application/octet-stream", b"x" * 1000),
    ("stream", "application/octet-stream", b"x" * 1000),
    ("form", FORM, b"a=" + b"x" * 998),
    ("files", MULTIPART, multipart(("f", b"x" * 900, "f.txt"))),
    ("json", "application/json", json.dumps("x" * 998).encode()),
]


@pytest.mark.parametrize(("kind", "content_type", "body"), TRUNCATABLE)
@pytest.mark.parametrize("sent", [0, 1, 10, 500])
def test_body_shorter_than_content_length_is_400(
    app: Flask, kind: str, content_type: str, body: bytes, sent: int
) -> None:
    # The peer closed the connection after ``sent`` bytes: reads give b"".
    wsgi_input = CountingInput(body, eof_after=sent)
    result = post(app, kind, body, content_type, wsgi_input=wsgi_input)
    assert result.status_code == 400


@pytest.mark.parametrize(("kind", "content_type", "body"), TRUNCATABLE)
@pytest.mark.parametrize("error", [TimeoutError("timed out"), ConnectionResetError()])
def test_read_error_on_the_body_is_400(
    app: Flask, kind: str, content_type: str, body: bytes, error: OSError
) -> None:
    # The server's socket read timed out or was reset half way.
    wsgi_input = CountingInput(body, eof_after=len(body) // 2, error=error)
    result = post(app, kind, body, content_type, wsgi_input=wsgi_input)
    assert result.status_code == 400


@pytest.mark.parametrize(("kind", "content_type", "body"), TRUNCATABLE)
def test_slow_body_arriving_byte_by_byte_is_read_whole(
    app: Flask, kind: str, content_type: str, body: bytes
) -> None:
    wsgi_input = CountingInput(body, chunk=1)
    result = post(app, kind, body, content_type, wsgi_input=wsgi_input)
    assert result.status_code == 200
    assert wsgi_input.pos == len(body)


def test_client_that_stops_sending_gets_400_from_a_live_server(app: Flask) -> None:
    """The client announces 1000 bytes, sends 10 and closes its side: the
    server answers 400 instead of waiting forever (the socket timeout
    only bounds the test)."""
    with live_server(app) as (_, port):
        raw = raw_http(
            port,
            b"POST /data HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/octet-stream\r\n"
            b"Content-Length: 1000\r\n\r\n0123456789",
            half_close=True,
        )
    assert http_status(raw) == 400


def test_live_server_still_serves_after_truncated_bodies(app: Flask) -> None:
    with live_server(app) as (host, port):
        for _ in range(3):
            raw_http(
                port,
                b"POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 500\r\n\r\na=1",
                half_close=True,
            )
        conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request(
                "POST", "/form", body=b"a=1&b=2", headers={"Content-Type": FORM}
            )
            response = conn.getresponse()
            assert response.status == 200
            assert json.loads(response.read()) == {"form": {"a": ["1"], "b": ["2"]}}
        finally:
            conn.close()
