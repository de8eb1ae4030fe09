"""Property-based fuzzing at the WSGI boundary.

Raw environs are built by hand (never through the test client, which
would clean them up) and sent straight to ``app(environ, start_response)``
of an app whose views touch every request accessor. The app runs as in
production: ``TESTING`` off and ``PROPAGATE_EXCEPTIONS`` off, so a crash
turns into a 500, and ``got_request_exception`` is recorded so a 500 is
seen even when it is swallowed.

Every test asserts that no exception escapes, nothing is reported through
``got_request_exception``, the status is below 500, the WSGI protocol is
kept (one ``start_response``, bytes chunks, no CR/LF in headers, contexts
popped) and the response carries the token of its own request. Most tests
also check the specific answer: the echoed value, or the status of their
class of bad input (400, 404, 405, 413, 415). Differential tests check
that an answer never depends on the requests served before it (URL,
session and other caches included): a warm app and a new app given the
requests in reverse order answer alike.

Examples per test: 200 by default, ``FLASK_FUZZ_EXAMPLES=5000`` for a long
run. Hypothesis keeps its example database in ``.pytest_cache``.

Raw non-UTF-8 bytes in ``QUERY_STRING`` (which Werkzeug alone decodes
strictly, a 500) are kept out of the generated inputs and tested on their
own at the end: the request reads them percent-escaped.
"""

from __future__ import annotations

import json
import string
import typing as t
import urllib.parse
import uuid
from pathlib import Path

import pytest
from hostile_helpers import call_wsgi
from hostile_helpers import CountingInput
from hostile_helpers import EXAMPLES
from hostile_helpers import FUZZ
from hostile_helpers import http_status
from hostile_helpers import live_server
from hostile_helpers import make_environ
from hostile_helpers import raw_http
from hostile_helpers import recorded_exceptions
from hostile_helpers import WSGIResult
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from flask import Flask
from flask import g
from flask import jsonify
from flask import request
from flask import Response
from flask import session
from flask import url_for

# A failing example can be a huge environ; don't let the size of its
# printout turn into the error reported instead of the failure.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)

MAX_BODY = 64 * 1024
TRUSTED_HOSTS = ["localhost", "127.0.0.1", ".example.org"]
SECRET_KEY = "fuzz secret"
STATIC_TEXT = b"static hello\n" * 50
JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/vnd.api+json",
    "application/problem+json; x=y",
]
NOT_JSON_TYPES = [
    None,
    "",
    "text/plain",
    "text/json",
    "application/jsonx",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "json",
    "application/json-seq",
]
FORM_TYPE = "application/x-www-form-urlencoded"
BOUNDARY = "hostile-BOUNDARY-7f3a9c"


# -- the app -------------------------------------------------------------------


def _text(value: t.Any) -> str | None:
    return None if value is None else str(value)


def remember_token() -> None:
    g.token = request.headers.get("X-Token")


def echo_token(response: Response) -> Response:
    token = g.get("token")
    if token is not None:
        response.headers["X-Token-Echo"] = token
    return response


def echo() -> Response:
    """Everything the request offers, as JSON."""
    r = request
    out = {
        "token": g.token,
        "method": r.method,
        "args": r.args.to_dict(flat=False),
        "form": r.form.to_dict(flat=False),
        "files": {
            k: [[f.filename, len(f.read())] for f in v] for k, v in r.files.lists()
        },
        "values": len(r.values),
        "json": r.get_json(silent=True),
        "data": len(r.get_data()),
        "cookies": r.cookies.to_dict(flat=False),
        "headers": [[k, v] for k, v in r.headers.items()],
        "session": dict(session),
        "url": r.url,
        "base_url": r.base_url,
        "url_root": r.url_root,
        "host_url": r.host_url,
        "full_path": r.full_path,
        "path": r.path,
        "script_root": r.script_root,
        "host": r.host,
        "scheme": r.scheme,
        "is_secure": r.is_secure,
        "remote_addr": r.remote_addr,
        "access_route": list(r.access_route),
        "content_type": r.content_type,
        "mimetype": r.mimetype,
        "mimetype_params": dict(r.mimetype_params),
        "content_length": r.content_length,
        "content_encoding": r.content_encoding,
        "authorization": _text(r.authorization),
        "range": _text(r.range),
        # Not str(r.if_range): an IfRange parsed from e.g. `0"` can't be
        # serialized again (Werkzeug raises ValueError: invalid etag).
        "if_range": [r.if_range.etag, _text(r.if_range.date)],
        "if_match": _text(r.if_match),
        "if_none_match": _text(r.if_none_match),
        "if_modified_since": _text(r.if_modified_since),
        "if_unmodified_since": _text(r.if_unmodified_since),
        "date": _text(r.date),
        "cache_control": _text(r.cache_control),
        "pragma": _text(r.pragma),
        "accept": _text(r.accept_mimetypes.best),
        "accept_language": _text(r.accept_languages.best),
        "accept_charset": _text(r.accept_charsets.best),
        "accept_encoding": _text(r.accept_encodings.best),
        "user_agent": r.user_agent.string,
        "referrer": r.referrer,
        "origin": r.origin,
        "endpoint": r.endpoint,
        "blueprint": r.blueprint,
    }
    return jsonify(out)


def form() -> Response:
    files = {
        k: [[f.filename, f.read().decode("latin-1"), f.mimetype] for f in v]
        for k, v in request.files.lists()
    }
    return jsonify(form=request.form.to_dict(flat=False), files=files)


#: (rule, methods, view) of the app, besides /echo and /form.
SIMPLE_VIEWS: list[tuple[str, list[str], t.Callable[..., t.Any]]] = [
    ("/", ["GET"], lambda: "index"),
    (
        "/raw",
        ["POST", "PUT"],
        lambda: Response(request.stream.read(), mimetype="application/octet-stream"),
    ),
    (
        "/data",
        ["POST", "PUT"],
        lambda: Response(request.get_data(), mimetype="application/octet-stream"),
    ),
    ("/json", ["POST", "PUT", "PATCH"], lambda: jsonify(value=request.get_json())),
    ("/session", ["GET"], lambda: jsonify(session=dict(session))),
    ("/get-only", ["GET"], lambda: "get"),
    ("/int/<int:v>", ["GET"], lambda v: jsonify(v=str(v))),
    ("/float/<float:v>", ["GET"], lambda v: jsonify(v=v)),
    ("/uuid/<uuid:v>", ["GET"], lambda v: jsonify(v=str(v))),
    ("/path/<path:v>", ["GET"], lambda v: jsonify(v=v)),
    ("/str/<v>", ["GET"], lambda v: jsonify(v=v)),
]


def create_app(static_folder: Path) -> Flask:
    """An app whose views read every accessor of the request."""
    app = Flask(
        "hostile_fuzz",
        root_path=str(static_folder.parent),
        static_folder=str(static_folder),
    )
    app.config.update(
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
        SECRET_KEY=SECRET_KEY,
        MAX_CONTENT_LENGTH=MAX_BODY,
        TRUSTED_HOSTS=TRUSTED_HOSTS,
    )
    app.before_request(remember_token)
    app.after_request(echo_token)
    app.add_url_rule(
        "/echo", view_func=echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
    )
    app.add_url_rule("/form", view_func=form, methods=["POST", "PUT"])
    for rule, methods, view in SIMPLE_VIEWS:
        app.add_url_rule(rule, endpoint=rule, view_func=view, methods=methods)
    return app


@pytest.fixture(scope="module")
def static_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "static"
    folder.mkdir()
    (folder / "hello.txt").write_bytes(STATIC_TEXT)
    return folder


@pytest.fixture(scope="module")
def app(static_folder: Path) -> Flask:
    return create_app(static_folder)


_token_counter = iter(range(1 << 62))


def new_token() -> str:
    return f"tok-{next(_token_counter):x}"


def send(app: Flask, environ: dict[str, t.Any]) -> WSGIResult:
    """Send ``environ`` with a fresh ``X-Token``; check the invariants
    every response must hold and return it."""
    token = new_token()
    environ["HTTP_X_TOKEN"] = token
    with recorded_exceptions(app) as errors:
        result = call_wsgi(app, environ)
    assert errors == [], f"the app raised {errors!r} (answered {result.status})"
    assert result.status_code < 500, result
    assert result.header("X-Token-Echo") == token, "response of another request"
    length = result.header("Content-Length")
    if (
        length is not None
        and environ["REQUEST_METHOD"].upper() != "HEAD"
        and result.status_code not in (204, 304)
    ):
        assert int(length) == len(result.body)
    return result


def body_json(result: WSGIResult) -> t.Any:
    return json.loads(result.body)


# -- strategies ----------------------------------------------------------------

#: Any text a server could put in an environ string (bytes as latin-1).
latin1 = st.text(st.characters(min_codepoint=0, max_codepoint=255), max_size=60)
#: Text that can be UTF-8 encoded (no lone surrogates).
unicode_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
token_chars = string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"

standard_methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
methods = st.one_of(
    st.sampled_from([*standard_methods, "TRACE", "CONNECT", "get", "Post"]),
    st.text(st.sampled_from(token_chars), min_size=1, max_size=12),
    latin1,
)


def long_string(unit: st.SearchStrategy[str], low: int, high: int) -> t.Any:
    """A long string made by repeating a short one (cheap to generate)."""
    return st.builds(
        lambda u, n: (u or "a") * (n // max(1, len(u or "a"))),
        unit,
        st.integers(low, high),
    )


def utf8_as_wsgi(text: str) -> str:
    return text.encode().decode("latin-1")


route_paths = st.sampled_from(
    [
        "/",
        "/echo",
        "/raw",
        "/data",
        "/json",
        "/form",
        "/session",
        "/get-only",
        "/static/hello.txt",
        "/static/missing.txt",
        "/int/42",
        "/float/1.5",
        f"/uuid/{uuid.UUID(int=7)}",
        "/path/a/b/c",
        "/str/x",
        "/echo/",
        "//echo",
        "/int/-1",
        "*",
        "",
    ]
)
paths = st.one_of(
    route_paths,
    route_paths.flatmap(lambda p: st.builds(lambda s: p + s, latin1)),
    st.builds(lambda s: "/" + s, latin1),
    st.builds(lambda s: "/str/" + utf8_as_wsgi(s), unicode_text),
    st.builds(
        lambda b: "/path/" + urllib.parse.quote_from_bytes(b, safe="/"), st.binary()
    ),
    long_string(
        st.sampled_from(["a", "%2e%2e/", "../", "é", "\xff"]), 1000, 100_000
    ).map(lambda s: "/path/" + s),
)

#: Query strings; raw non-UTF-8 bytes have a test of their own below.
query_strings = st.one_of(
    st.just(""),
    st.builds(utf8_as_wsgi, unicode_text),
    st.builds(lambda b: urllib.parse.quote_from_bytes(b, safe="=&;+%"), st.binary()),
    st.builds(
        lambda pairs: urllib.parse.urlencode(pairs),
        st.lists(st.tuples(unicode_text, unicode_text), max_size=5),
    ),
    st.sampled_from(["=", "&&&", "a", "a=1&a=2&a", "%", "%zz", "%%%", "a=%ff%fe"]),
    long_string(st.sampled_from(["a=b&", "x", "%41", "é"]), 1000, 200_000).map(
        utf8_as_wsgi
    ),
)

header_names = st.sampled_from(
    [
        "Content-Type",
        "Content-Length",
        "Transfer-Encoding",
        "Host",
        "Cookie",
        "Authorization",
        "Range",
        "If-Range",
        "If-Match",
        "If-None-Match",
        "If-Modified-Since",
        "If-Unmodified-Since",
        "Date",
        "Accept",
        "Accept-Language",
        "Accept-Charset",
        "Accept-Encoding",
        "Cache-Control",
        "Pragma",
        "Content-Encoding",
        "X-Forwarded-For",
        "X-Forwarded-Host",
        "X-Forwarded-Proto",
        "Forwarded",
        "Origin",
        "Referer",
        "User-Agent",
        "Upgrade",
        "Connection",
        "X-Requested-With",
    ]
) | st.text(st.sampled_from(string.ascii_letters + "-_"), min_size=1, max_size=20)

header_values = st.one_of(
    latin1,
    st.sampled_from(
        [
            "",
            " ",
            ",",
            ";",
            "=",
            '"',
            "bytes=0-5",
            "bytes=5-0",
            "bytes=-0",
            "bytes=0-1,2-3,4-5",
            "bytes=99999999999999999999-",
            "Basic Og==",
            "Basic !!!",
            "Bearer",
            "Digest username=",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 99999 08:49:37 GMT",
            "0",
            "-1",
            "chunked",
            "gzip, chunked",
            "websocket",
            "Upgrade",
            "*/*;q=abc",
            "text/html;q=0.5, */*;q=",
            'W/"x", "y", *',
            'max-age=-1, no-cache="',
            "for=unknown;by=\x00",
        ]
    ),
    # A header repeated by the client, joined by the server.
    st.lists(latin1, min_size=2, max_size=4).map(", ".join),
)


def multipart_body(
    fields: list[tuple[str, str]],
    files: list[tuple[str, str, bytes, str]],
    boundary: str = BOUNDARY,
) -> bytes:
    """A well-formed multipart/form-data body."""
    out = []
    for name, value in fields:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content, mimetype in files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}";'
            f' filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


#: Names and file names as browsers send them: no quote, backslash,
#: percent (browsers escape ``"`` as ``%22``) or line break.
part_names = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters='"\\%\r\n\x00'),
    max_size=20,
)
field_values = unicode_text.filter(lambda v: BOUNDARY not in v)
file_contents = st.binary(max_size=300).filter(lambda b: BOUNDARY.encode() not in b)
file_mimetypes = st.sampled_from(
    ["text/plain", "application/octet-stream", "image/png", "text/html"]
)
form_fields = st.lists(st.tuples(part_names, field_values), max_size=6)
form_files = st.lists(
    st.tuples(part_names, part_names.filter(bool), file_contents, file_mimetypes),
    max_size=4,
)
multipart_bodies = st.builds(multipart_body, form_fields, form_files)


def mutate(data: bytes, draw: t.Callable[[t.Any], t.Any]) -> bytes:
    """Truncate, cut, duplicate or flip bytes of ``data``."""
    if not data:
        return draw(st.binary(max_size=20))
    kind = draw(st.sampled_from(["truncate", "cut", "flip", "insert", "double"]))
    i = draw(st.integers(0, len(data) - 1))
    if kind == "truncate":
        return data[:i]
    if kind == "cut":
        j = draw(st.integers(i, len(data)))
        return data[:i] + data[j:]
    if kind == "flip":
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
    if kind == "insert":
        return data[:i] + draw(st.binary(min_size=1, max_size=10)) + data[i:]
    return data + data


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


@st.composite
def json_documents(draw: t.Callable[[t.Any], t.Any]) -> tuple[t.Any, bytes]:
    """A JSON value and its encoding in one of the ways clients send it."""
    value = draw(json_values)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-ascii", "utf-16", "utf-32"]))
    indent = draw(st.sampled_from([None, 0, 2]))
    if encoding == "utf-8":
        text = json.dumps(value, ensure_ascii=False, indent=indent)
        return value, text.encode("utf-8", "surrogatepass")
    text = json.dumps(value, indent=indent)
    if encoding == "utf-8-ascii":
        return value, text.encode("ascii")
    return value, text.encode(encoding)


def json_error(data: bytes) -> type[BaseException] | None:
    """The error ``json.loads`` raises for ``data`` (RecursionError when
    nested too deeply), or None."""
    try:
        json.loads(data)
    except ValueError:
        return ValueError
    except RecursionError:
        return RecursionError
    return None


@st.composite
def malformed_json(draw: t.Callable[[t.Any], t.Any]) -> bytes:
    """Bytes that are not a JSON document."""
    kind = draw(st.sampled_from(["mutated", "random", "fixed", "deep"]))
    if kind == "mutated":
        data = mutate(draw(json_documents())[1], draw)
    elif kind == "random":
        data = draw(st.binary(max_size=60))
    elif kind == "deep":
        # Past the recursion limit of the decoder.
        depth = draw(st.integers(2000, MAX_BODY // 8))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
        data = opener * depth + b"1" + closer * depth
        data = data[:MAX_BODY] if draw(st.booleans()) else data
    else:
        data = draw(
            st.sampled_from(
                [
                    b"",
                    b" ",
                    b"{",
                    b"}",
                    b"[1,]",
                    b"{'a': 1}",
                    b'{"a" 1}',
                    b"\xff\xfe\xfd",
                    b'"\xff"',
                    b"1" * 5000,
                    b"01",
                    b"tru",
                    b'{"a":1}{"b":2}',
                    b"\xef\xbb\xbf",
                    b"\x00\x00\x00",
                ]
            )
        )
    assume(json_error(data) is not None)
    return data


# -- everything at once ----------------------------------------------------------


@st.composite
def hostile_bodies(draw: t.Callable[[t.Any], t.Any]) -> tuple[bytes, str | None]:
    """A body and its content type, well-formed or not."""
    kind = draw(
        st.sampled_from(["none", "bytes", "json", "badjson", "form", "multipart"])
    )
    body = b""
    content_type: str | None = None
    if kind == "bytes":
        body = draw(st.binary(max_size=300))
        content_type = draw(st.one_of(st.none(), latin1))
    elif kind == "json":
        body = draw(json_documents())[1]
        content_type = draw(st.sampled_from(JSON_TYPES))
    elif kind == "badjson":
        body = draw(malformed_json())
        content_type = draw(st.sampled_from(JSON_TYPES))
    elif kind == "form":
        pairs = draw(st.lists(st.tuples(unicode_text, unicode_text), max_size=5))
        body = urllib.parse.urlencode(pairs).encode()
        content_type = FORM_TYPE + draw(
            st.sampled_from(["", "; charset=latin-1", ";;"])
        )
    elif kind == "multipart":
        body = draw(multipart_bodies)
        boundary = draw(
            st.sampled_from([BOUNDARY, f'"{BOUNDARY}"', "", "other", "\xff"])
        )
        content_type = f"multipart/form-data; boundary={boundary}"
    if draw(st.booleans()):
        body = mutate(body, draw)
    return body, content_type


def content_lengths(body: bytes) -> st.SearchStrategy[t.Any]:
    """Content-Length values for ``body``: True (exact), None (absent), an
    int that is short, long or over the limit, or a malformed string."""
    return st.one_of(
        st.just(True),
        st.none(),
        st.integers(0, len(body)),
        st.integers(len(body) + 1, len(body) + 1000),
        st.sampled_from([MAX_BODY + 1, 10**12, 10**40]),
        st.sampled_from(
            ["", "abc", "-1", "-0", "1e3", "0x10", "+5", " 7 ", "1_0", "٣"]
        ),
        latin1,
    )


@st.composite
def environ_extras(draw: t.Callable[[t.Any], t.Any]) -> dict[str, t.Any]:
    """Odd values for the environ keys a server sets."""
    choices = {
        "wsgi.url_scheme": ["https", "ws", "ftp", ""],
        "SCRIPT_NAME": ["/app", "/\xff", "/a/", "/é"],
        "SERVER_PORT": ["", "abc", "443", "-1", "99999"],
        "SERVER_PROTOCOL": ["HTTP/1.0", "HTTP/2", "", "\xff"],
    }
    extra = {}
    for key, values in choices.items():
        if draw(st.integers(0, 4)) == 0:
            extra[key] = draw(st.sampled_from(values))
    return extra


transfer_encodings = st.sampled_from(
    ["chunked", "gzip, chunked", "identity", "chunked, chunked", "\xff"]
)


@st.composite
def hostile_environs(draw: t.Callable[[t.Any], t.Any]) -> dict[str, t.Any]:
    """An environ where any part may be invalid."""
    body, content_type = draw(hostile_bodies())
    headers: list[tuple[str, str]] = []
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    extra = draw(environ_extras())
    if draw(st.booleans()):
        headers.append(("Transfer-Encoding", draw(transfer_encodings)))
        # A server that de-chunks sets wsgi.input_terminated.
        if draw(st.booleans()):
            extra["wsgi.input_terminated"] = True
    for _ in range(draw(st.integers(0, 6))):
        headers.append((draw(header_names), draw(header_values)))
    if draw(st.booleans()):
        headers.append(("Cookie", draw(cookie_headers())))
    if draw(st.integers(0, 3)) == 0:
        headers.append(("Host", draw(hosts)))
    return make_environ(
        draw(methods),
        draw(paths),
        draw(query_strings),
        headers=headers,
        body=body,
        content_length=draw(content_lengths(body)),
        **extra,
    )


good_hosts = st.sampled_from(
    [
        "localhost",
        "localhost:8080",
        "127.0.0.1",
        "127.0.0.1:5000",
        "example.org",
        "a.example.org",
        "deep.sub.example.org:443",
    ]
)
bad_hosts = st.one_of(
    st.sampled_from(
        [
            "evil.test",
            "localhost.evil.test",
            "example.org.evil.test",
            "notexample.org",
            "[::1]",
            "local host",
            "localhost\x00",
            "localhost\r\nX-Injected: 1",
            "localhost, evil.test",
            "localhost,localhost",
            "localhost@evil.test",
            "localhost/x",
            "localhost\\x",
            "évil.test",
            "\xff\xfe",
            "",
            " ",
            ":80",
        ]
    ),
    st.builds(lambda s: s + ".evil.test", latin1),
)
hosts = st.one_of(good_hosts, bad_hosts, latin1)


@st.composite
def cookie_headers(draw: t.Callable[[t.Any], t.Any]) -> str:
    """Cookie header values: garbage, malformed pairs, oversize values."""
    kind = draw(st.sampled_from(["garbage", "pairs", "huge", "session"]))
    if kind == "garbage":
        return t.cast(str, draw(latin1))
    if kind == "pairs":
        pairs = draw(st.lists(st.tuples(latin1, latin1), max_size=6))
        sep = draw(st.sampled_from(["; ", ";", ", ", ";;", " ; "]))
        return sep.join(f"{k}={v}" for k, v in pairs)
    if kind == "huge":
        unit = draw(st.sampled_from(["a", "session=x;", "\xff", '"', "=;"]))
        return unit * draw(st.integers(4000, 100_000))
    return "session=" + draw(latin1)


@FUZZ
@given(environ=hostile_environs())
def test_any_environ_is_answered_without_a_server_error(
    app: Flask, environ: dict[str, t.Any]
) -> None:
    send(app, environ)


# -- routing ---------------------------------------------------------------------


@FUZZ
@given(n=st.integers(0, 10**40))
def test_int_converter_accepts_digits(app: Flask, n: int) -> None:
    result = send(app, make_environ(path=f"/int/{n}"))
    assert result.status_code == 200
    assert body_json(result) == {"v": str(n)}


@FUZZ
@given(
    whole=st.integers(0, 10**12),
    frac=st.text(st.sampled_from(string.digits), min_size=1, max_size=10),
)
def test_float_converter_accepts_decimals(app: Flask, whole: int, frac: str) -> None:
    text = f"{whole}.{frac}"
    result = send(app, make_environ(path=f"/float/{text}"))
    assert result.status_code == 200
    assert body_json(result) == {"v": float(text)}


@FUZZ
@given(u=st.uuids(), upper=st.booleans())
def test_uuid_converter_accepts_uuids(app: Flask, u: uuid.UUID, upper: bool) -> None:
    text = str(u).upper() if upper else str(u)
    result = send(app, make_environ(path=f"/uuid/{text}"))
    assert result.status_code == 200
    assert body_json(result) == {"v": str(u)}


@FUZZ
@given(
    converter=st.sampled_from(["int", "float", "uuid"]),
    value=latin1.filter(lambda s: "/" not in s),
)
def test_converters_reject_other_values_with_404(
    app: Flask, converter: str, value: str
) -> None:
    checks = {
        "int": lambda s: s.isascii() and s.isdigit(),
        "float": lambda s: (
            s.count(".") == 1 and all(p.isascii() and p.isdigit() for p in s.split("."))
        ),
        "uuid": lambda s: _is_uuid(s),
    }
    assume(not checks[converter](value.strip()))
    assume(value.strip() == value)
    result = send(app, make_environ(path=f"/{converter}/{value}"))
    assert result.status_code == 404


def _is_uuid(s: str) -> bool:
    try:
        uuid.UUID(s)
    except ValueError:
        return False
    return len(s) == 36


#: Path segments; Werkzeug's ``path`` rule is ``[^/].*?`` without DOTALL, so
#: a line feed in a path segment is a 404, not a match.
path_segments = unicode_text.filter(lambda s: s and "/" not in s and "\n" not in s)


@FUZZ
@given(segments=st.lists(path_segments, min_size=1, max_size=8))
def test_path_converter_echoes_any_segments(app: Flask, segments: list[str]) -> None:
    value = "/".join(segments)
    result = send(app, make_environ(path=utf8_as_wsgi("/path/" + value)))
    assert result.status_code == 200
    assert body_json(result) == {"v": value}


@FUZZ
@given(raw=st.binary(min_size=1, max_size=80).filter(lambda b: b"/" not in b))
def test_non_utf8_path_is_decoded_with_replacement(app: Flask, raw: bytes) -> None:
    # PEP 3333: PATH_INFO holds the URL-decoded bytes as latin-1 text.
    result = send(app, make_environ(path=b"/str/" + raw))
    assert result.status_code == 200
    assert body_json(result) == {"v": raw.decode("utf-8", "replace")}


@FUZZ
@given(suffix=latin1)
def test_unknown_url_is_404(app: Flask, suffix: str) -> None:
    result = send(app, make_environ(path="/zz-unknown" + suffix))
    assert result.status_code == 404


@FUZZ
@given(
    method=st.one_of(
        st.sampled_from(["POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT"]),
        st.text(st.sampled_from(token_chars), min_size=1, max_size=12),
    )
)
def test_wrong_method_is_405_with_allow(app: Flask, method: str) -> None:
    assume(method.upper() not in {"GET", "HEAD", "OPTIONS"})
    result = send(app, make_environ(method, "/get-only"))
    assert result.status_code == 405
    allowed = {m.strip() for m in (result.header("Allow") or "").split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}


# -- query strings ---------------------------------------------------------------


@FUZZ
@given(pairs=st.lists(st.tuples(unicode_text, unicode_text), max_size=8))
def test_query_arguments_round_trip(app: Flask, pairs: list[tuple[str, str]]) -> None:
    query = urllib.parse.urlencode(pairs)
    result = send(app, make_environ(path="/echo", query=query))
    assert result.status_code == 200
    expected: dict[str, list[str]] = {}
    for key, value in pairs:
        expected.setdefault(key, []).append(value)
    assert body_json(result)["args"] == expected


@FUZZ
@given(query=query_strings)
def test_any_query_string_is_served(app: Flask, query: str) -> None:
    result = send(app, make_environ(path="/echo", query=query))
    assert result.status_code == 200


def test_raw_non_utf8_query_string_over_the_dev_server(app: Flask) -> None:
    # The dev server re-encodes the request line, so this one is served.
    with live_server(app) as (_, port):
        raw = raw_http(
            port,
            b"GET /echo?a=\xff HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
    assert http_status(raw) == 200


# -- hosts -----------------------------------------------------------------------


@FUZZ
@given(host=good_hosts, path=st.sampled_from(["/echo", "/", "/zz-unknown"]))
def test_trusted_host_is_served(app: Flask, host: str, path: str) -> None:
    result = send(app, make_environ(path=path, headers={"Host": host}))
    assert result.status_code in (200, 404)
    if path == "/echo":
        assert body_json(result)["host"] == host.removesuffix(":80")


@FUZZ
@given(
    host=bad_hosts,
    path=st.sampled_from(["/echo", "/", "/zz-unknown", "/static/hello.txt"]),
)
def test_untrusted_or_invalid_host_is_400(app: Flask, host: str, path: str) -> None:
    result = send(app, make_environ(path=path, headers={"Host": host}))
    assert result.status_code == 400


# -- JSON ------------------------------------------------------------------------


@FUZZ
@given(doc=json_documents(), content_type=st.sampled_from(JSON_TYPES))
def test_json_round_trips(
    app: Flask, doc: tuple[t.Any, bytes], content_type: str
) -> None:
    value, data = doc
    result = send(
        app,
        make_environ(
            "POST", "/json", headers={"Content-Type": content_type}, body=data
        ),
    )
    assert result.status_code == 200
    assert body_json(result) == {"value": value}


@FUZZ
@given(data=malformed_json(), content_type=st.sampled_from(JSON_TYPES))
def test_malformed_json_is_400(app: Flask, data: bytes, content_type: str) -> None:
    result = send(
        app,
        make_environ(
            "POST", "/json", headers={"Content-Type": content_type}, body=data
        ),
    )
    assert result.status_code == 400


@FUZZ
@given(
    data=st.one_of(json_documents().map(lambda d: d[1]), st.binary(max_size=50)),
    content_type=st.sampled_from(NOT_JSON_TYPES),
)
def test_json_with_another_content_type_is_415(
    app: Flask, data: bytes, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    # The body is never read: the content type decides first.
    wsgi_input = CountingInput(data, fail_after=0)
    result = send(
        app,
        make_environ(
            "POST", "/json", headers=headers, body=data, wsgi_input=wsgi_input
        ),
    )
    assert result.status_code == 415


@pytest.mark.parametrize("path", ["/json", "/echo"])
def test_deeply_nested_json_is_400(app: Flask, path: str) -> None:
    """Nesting past the decoder's recursion limit is malformed input: a
    400 from get_json(), None from get_json(silent=True)."""
    depth = MAX_BODY // 2
    environ = make_environ(
        "POST",
        path,
        headers={"Content-Type": "application/json"},
        body=b"[" * depth + b"]" * depth,
    )
    result = send(app, environ)
    if path == "/json":
        assert result.status_code == 400
    else:
        assert result.status_code == 200
        assert body_json(result)["json"] is None


# -- forms -----------------------------------------------------------------------


@FUZZ
@given(fields=form_fields, files=form_files)
def test_multipart_round_trips(
    app: Flask,
    fields: list[tuple[str, str]],
    files: list[tuple[str, str, bytes, str]],
) -> None:
    body = multipart_body(fields, files)
    result = send(
        app,
        make_environ(
            "POST",
            "/form",
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            body=body,
        ),
    )
    assert result.status_code == 200
    expected_form: dict[str, list[str]] = {}
    for name, value in fields:
        expected_form.setdefault(name, []).append(value)
    expected_files: dict[str, list[list[str]]] = {}
    for name, filename, content, mimetype in files:
        expected_files.setdefault(name, []).append(
            [filename, content.decode("latin-1"), mimetype]
        )
    assert body_json(result) == {"form": expected_form, "files": expected_files}


@FUZZ
@given(pairs=st.lists(st.tuples(unicode_text, unicode_text), max_size=8))
def test_urlencoded_form_round_trips(app: Flask, pairs: list[tuple[str, str]]) -> None:
    body = urllib.parse.urlencode(pairs).encode()
    result = send(
        app,
        make_environ("POST", "/form", headers={"Content-Type": FORM_TYPE}, body=body),
    )
    assert result.status_code == 200
    expected: dict[str, list[str]] = {}
    for key, value in pairs:
        expected.setdefault(key, []).append(value)
    assert body_json(result) == {"form": expected, "files": {}}


@st.composite
def broken_multipart(draw: t.Callable[[t.Any], t.Any]) -> tuple[str, bytes]:
    body = draw(multipart_bodies)
    body = mutate(body, draw)
    content_type = draw(
        st.sampled_from(
            [
                f"multipart/form-data; boundary={BOUNDARY}",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                'multipart/form-data; boundary="unterminated',
                "multipart/form-data; boundary=" + "x" * 2000,
                f"multipart/form-data; boundary={BOUNDARY}; charset=nope",
                f"multipart/mixed; boundary={BOUNDARY}",
            ]
        )
    )
    return content_type, body


@FUZZ
@given(case=broken_multipart(), path=st.sampled_from(["/form", "/echo"]))
def test_malformed_or_truncated_multipart_is_not_a_server_error(
    app: Flask, case: tuple[str, bytes], path: str
) -> None:
    content_type, body = case
    result = send(
        app,
        make_environ("POST", path, headers={"Content-Type": content_type}, body=body),
    )
    assert result.status_code in (200, 400, 413)


# -- body length -----------------------------------------------------------------


class LengthCase(t.NamedTuple):
    body: bytes
    content_length: t.Any
    extra: dict[str, t.Any]
    status: int
    #: The body the view must see (None: not checked).
    expected: bytes | None
    #: How many bytes of wsgi.input may be read.
    readable: int


@st.composite
def length_cases(draw: t.Callable[[t.Any], t.Any]) -> LengthCase:
    body = draw(st.binary(max_size=2000))
    kind = draw(
        st.sampled_from(
            [
                "exact",
                "short",
                "long",
                "none",
                "chunked",
                "terminated",
                "terminated-at-limit",
                "terminated-over-limit",
                "garbage",
                "huge",
            ]
        )
    )
    if kind == "exact":
        return LengthCase(body, len(body), {}, 200, body, len(body))
    if kind == "short":
        n = draw(st.integers(0, len(body)))
        return LengthCase(body, n, {}, 200, body[:n], n)
    if kind == "long":
        # The client went away before sending all it announced.
        n = len(body) + draw(st.integers(1, 5000))
        return LengthCase(body, n, {}, 400, None, len(body))
    if kind == "none":
        # No length and no terminated input: the body is not read at all.
        return LengthCase(body, None, {}, 200, b"", 0)
    if kind == "chunked":
        extra = {"HTTP_TRANSFER_ENCODING": "chunked"}
        n = draw(st.sampled_from([None, len(body), 3]))
        return LengthCase(body, n, extra, 200, b"", 0)
    if kind == "terminated":
        # The server de-chunked the body and ends the stream itself.
        extra = {"wsgi.input_terminated": True}
        if draw(st.booleans()):
            extra["HTTP_TRANSFER_ENCODING"] = "chunked"
        return LengthCase(body, None, extra, 200, body, len(body))
    if kind == "terminated-at-limit":
        body = (body or b"x") * (MAX_BODY // len(body or b"x") + 1)
        body = body[:MAX_BODY]
        extra = {"wsgi.input_terminated": True}
        return LengthCase(body, None, extra, 200, body, MAX_BODY)
    if kind == "terminated-over-limit":
        # Past the limit with no length announced: refused, not cut short,
        # reading at most one byte past the limit.
        over = draw(st.integers(1, 5000))
        body = (body or b"x") * ((MAX_BODY + over) // len(body or b"x") + 1)
        body = body[: MAX_BODY + over]
        extra = {"wsgi.input_terminated": True}
        return LengthCase(body, None, extra, 413, None, MAX_BODY + 1)
    if kind == "garbage":
        # Not an integer, or negative: taken as 0.
        value = draw(st.sampled_from(["abc", "-1", "-500", "1e3", "0x10", "", "1_0"]))
        return LengthCase(body, value, {}, 200, b"", 0)
    n = draw(st.sampled_from([MAX_BODY + 1, 10**9, 10**30]))
    return LengthCase(body, n, {}, 413, None, 0)


@FUZZ
@given(case=length_cases(), path=st.sampled_from(["/raw", "/data"]))
def test_content_length_and_streaming_bodies(
    app: Flask, case: LengthCase, path: str
) -> None:
    wsgi_input = CountingInput(case.body, fail_after=case.readable)
    environ = make_environ(
        "POST",
        path,
        headers={"Content-Type": "application/octet-stream"},
        body=case.body,
        content_length=case.content_length,
        wsgi_input=wsgi_input,
        **case.extra,
    )
    result = send(app, environ)
    assert result.status_code == case.status
    if case.expected is not None:
        assert result.body == case.expected


# -- cookies and the session -------------------------------------------------------


@FUZZ
@given(cookie=cookie_headers(), path=st.sampled_from(["/echo", "/session"]))
def test_garbage_cookies_give_an_empty_session(
    app: Flask, cookie: str, path: str
) -> None:
    result = send(app, make_environ(path=path, headers={"Cookie": cookie}))
    assert result.status_code == 200
    assert body_json(result)["session"] == {}


@FUZZ
@given(n=st.integers(), data=st.data())
def test_mutated_session_cookie_is_rejected_or_unchanged(
    app: Flask, n: int, data: st.DataObject
) -> None:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie = serializer.dumps({"n": n})
    mutated = mutate(cookie.encode("latin-1"), data.draw).decode("latin-1")
    result = send(
        app, make_environ(path="/session", headers={"Cookie": f"session={mutated}"})
    )
    assert result.status_code == 200
    # Either rejected, or still verifying as the original (whitespace
    # around the value, or characters outside the base64 alphabet, are
    # ignored when decoding): never any other content.
    assert body_json(result)["session"] in ({}, {"n": n})


# -- no state shared between requests ------------------------------------------------


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(environs=st.lists(hostile_environs(), min_size=1, max_size=5))
def test_answer_does_not_depend_on_earlier_requests(
    app: Flask, static_folder: Path, environs: list[dict[str, t.Any]]
) -> None:
    """Each answer is the same from the warm module app (after every other
    request of this module, its caches filled) and from a new app given
    the same requests in reverse order: no request sees state left by
    another one."""
    tokens = [new_token() for _ in environs]
    bodies = [environ["wsgi.input"].getvalue() for environ in environs]

    def answer(target: Flask, i: int) -> WSGIResult:
        environ = dict(environs[i], **{"wsgi.input": CountingInput(bodies[i])})
        environ["HTTP_X_TOKEN"] = tokens[i]
        with recorded_exceptions(target) as errors:
            result = call_wsgi(target, environ)
        assert errors == []
        return result

    warm = [answer(app, i) for i in range(len(environs))]
    cold_app = create_app(static_folder)
    cold = [answer(cold_app, i) for i in reversed(range(len(environs)))][::-1]
    for a, b in zip(warm, cold, strict=True):
        assert a.status == b.status
        assert _comparable(a.headers) == _comparable(b.headers)
        assert a.body == b.body


def _comparable(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # Session cookies carry a timestamp; their presence still must match.
    return [(k, "<cookie>" if k == "Set-Cookie" else v) for k, v in headers]


def create_host_matching_app() -> Flask:
    app = Flask("host_matching", host_matching=True, static_host="static.example.org")
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/", host="<user>.example.org")
    def user_home(user: str) -> Response:
        return jsonify(user=user, host=request.host)

    @app.route("/", host="example.org")
    def home() -> Response:
        return jsonify(home=request.host)

    @app.route("/item/<int:n>", host="api.example.org", methods=["GET", "POST"])
    def api_item(n: int) -> Response:
        return jsonify(n=n, url=url_for("api_item", n=n + 1, _external=True))

    return app


@settings(FUZZ, max_examples=max(1, EXAMPLES // 4))
@given(
    requests=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "example.org",
                    "api.example.org",
                    "alice.example.org",
                    "bob.example.org:8080",
                    "static.example.org",
                    "evil.test",
                    "a b.example.org",
                    "",
                ]
            )
            | latin1,
            st.sampled_from(["/", "/item/1", "/item/22", "/item/x", "/static/x", "//"])
            | paths,
            st.sampled_from(["GET", "POST", "HEAD", "PUT"]),
            st.sampled_from(["http", "https"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_host_matching_answers_do_not_depend_on_earlier_requests(
    requests: list[tuple[str, str, str, str]],
) -> None:
    def answer(target: Flask, host: str, path: str, method: str, scheme: str) -> t.Any:
        environ = make_environ(
            method, path, headers={"Host": host}, **{"wsgi.url_scheme": scheme}
        )
        with recorded_exceptions(target) as errors:
            result = call_wsgi(target, environ)
        assert errors == []
        assert result.status_code < 500
        return result.status, result.headers, result.body

    warm = [answer(HOST_MATCHING_APP, *r) for r in requests]
    cold_app = create_host_matching_app()
    cold = [answer(cold_app, *r) for r in reversed(requests)][::-1]
    assert warm == cold


HOST_MATCHING_APP = create_host_matching_app()


def test_changes_to_view_args_do_not_reach_the_next_request() -> None:
    """URL processors and hooks may change ``request.view_args``; the next
    request for the same URL matches afresh."""
    app = Flask("view_args")
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.url_value_preprocessor
    def pull(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None and "lang" in values:
            g.lang = values.pop("lang")
            values["extra"] = f"added-{g.lang}"

    @app.before_request
    def tamper() -> None:
        if request.view_args is not None:
            request.view_args["n"] = -1

    @app.route("/<lang>/item/<int:n>")
    def item(n: int, extra: str) -> Response:
        return jsonify(lang=g.lang, n=n, extra=extra, rule=request.url_rule.rule)  # type: ignore[union-attr]

    for _ in range(3):
        for lang in ("en", "de"):
            with recorded_exceptions(app) as errors:
                result = call_wsgi(app, make_environ(path=f"/{lang}/item/7"))
            assert errors == []
            assert body_json(result) == {
                "lang": lang,
                "n": -1,
                "extra": f"added-{lang}",
                "rule": "/<lang>/item/<int:n>",
            }
    # The hooks saw a fresh match every time.
    with app.test_request_context("/en/item/7"):
        assert request.view_args == {"lang": "en", "n": 7}


# -- known failures ------------------------------------------------------------------


@pytest.mark.parametrize("query", ["a=\xff", "\xe9=1", "a=%ff&b=\xc3"])
def test_raw_non_utf8_query_string_is_not_a_server_error(
    app: Flask, query: str
) -> None:
    send(app, make_environ(path="/echo", query=query))


@pytest.mark.parametrize("filename", [None, "a.txt"])
def test_nameless_multipart_part_is_not_stored_under_none(
    app: Flask, filename: str | None
) -> None:
    disposition = "form-data" + (f'; filename="{filename}"' if filename else "")
    body = (
        f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\nv\r\n"
        f"--{BOUNDARY}--\r\n"
    ).encode()
    environ = make_environ(
        "POST",
        "/echo",
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        body=body,
    )
    with app.request_context(environ):
        assert None not in request.form
        assert None not in request.files
