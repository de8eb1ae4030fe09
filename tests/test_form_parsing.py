"""The URL-encoded form parser gives what urllib's parse_qsl gives, and a
request reads a URL-encoded form as Werkzeug's general path does."""

from __future__ import annotations

import io
import typing as t
from urllib.parse import parse_qsl

import pytest
import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import ClientDisconnected
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request as RequestBase
from werkzeug.wsgi import LimitedStream

from flask import Flask
from flask import Request
from flask import request
from flask._request_body import _parse_simple_body
from flask._request_body import _parse_urlencoded_fields


def _reference(body: str) -> list[tuple[str, str]]:
    return parse_qsl(body, keep_blank_values=True, errors="werkzeug.url_quote")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "a",
        "a=",
        "=b",
        "a=1&b=2",
        "a=1&&b",
        "a+b=c+d",
        "a=b=c",
        "%2B=+",
        "a%20b=%zz%e2%82%ac",
        "x=%ff%fe",
        "&&",
        "k=v&k=w",
    ],
)
def test_known_bodies(body: str) -> None:
    assert _parse_urlencoded_fields(body) == _reference(body)


@given(st.text(alphabet="ab=&+%2fz0é", max_size=30))
def test_same_as_parse_qsl(body: str) -> None:
    assert _parse_urlencoded_fields(body) == _reference(body)


def test_request_form_uses_it(app: Flask) -> None:
    @app.post("/")
    def echo() -> dict[str, list[str]]:
        return request.form.to_dict(flat=False)

    rv = app.test_client().post(
        "/",
        data=b"a=1&a=2&b+c=%E2%82%AC&d",
        content_type="application/x-www-form-urlencoded",
    )
    assert rv.json == {"a": ["1", "2"], "b c": ["€"], "d": [""]}


@pytest.mark.parametrize("charset", ["", "; charset=utf-8"])
def test_a_body_that_is_not_utf8_is_a_400(app: Flask, charset: str) -> None:
    """Werkzeug's silent parser gives an empty form, losing what was sent."""

    @app.post("/")
    def echo() -> dict[str, str]:
        return request.form.to_dict()

    rv = app.test_client().post(
        "/", data=b"a=\xff", content_type=f"application/x-www-form-urlencoded{charset}"
    )
    assert rv.status_code == 400
    assert "not valid UTF-8" in rv.text


def test_a_parser_that_is_not_silent_raises_werkzeugs_error(app: Flask) -> None:
    class Loud(Request):
        def make_form_data_parser(self) -> t.Any:
            parser = super().make_form_data_parser()
            parser.silent = False
            return parser

    with app.app_context(), pytest.raises(UnicodeDecodeError):
        _ = Loud(_environ(b"a=\xff", URLENCODED + "; charset=utf-8")).form


@given(
    st.lists(
        st.one_of(
            st.binary(min_size=1, max_size=4).map(
                lambda b: "".join(f"%{x:02X}" if x % 2 else f"%{x:02x}" for x in b)
            ),
            st.text(alphabet="aZ09+=&%é-", max_size=4),
        ),
        max_size=12,
    ).map("".join)
)
def test_percent_escapes_of_any_bytes_same_as_parse_qsl(body: str) -> None:
    assert _parse_urlencoded_fields(body) == _reference(body)


# -- the request's URL-encoded path, against Werkzeug's general one -------------------

URLENCODED = "application/x-www-form-urlencoded"


class _WerkzeugLoading(Request):
    """Reads forms through Werkzeug's general path only."""

    def make_form_data_parser(self) -> t.Any:
        return super().make_form_data_parser()


def _environ(body: bytes, content_type: str = URLENCODED, **kw: t.Any) -> t.Any:
    return EnvironBuilder(
        method="POST", data=body, content_type=content_type, **kw
    ).get_environ()


def _loaded(cls: type[Request], environ: t.Any, before: str = "") -> t.Any:
    try:
        return _loaded_or_raise(cls, environ, before)
    except BadRequest as error:
        return (error.code, error.description)


def _loaded_or_raise(cls: type[Request], environ: t.Any, before: str) -> t.Any:
    req = cls(environ)
    if before == "stream":
        req.stream.read(3)
    elif before == "get_data":
        req.get_data()
    return req.form, req.files, req.stream.read()


@pytest.mark.parametrize(
    "body", [b"", b"a=1&b=%26+x&a=2", b"x=%ff", b"\xff=1", b"a" * 300]
)
@pytest.mark.parametrize(
    "content_type",
    [URLENCODED, URLENCODED + "; charset=utf-8", "text/plain", "multipart/form-data"],
)
@pytest.mark.parametrize("before", ["", "stream", "get_data"])
def test_form_loading_same_as_werkzeugs(
    app: Flask, body: bytes, content_type: str, before: str
) -> None:
    assert Request._stock_form_loading
    assert not _WerkzeugLoading._stock_form_loading
    with app.app_context():
        ours = _loaded(Request, _environ(body, content_type), before)
        general = _loaded(_WerkzeugLoading, _environ(body, content_type), before)
    assert [type(x) for x in ours] == [type(x) for x in general]
    if type(ours[0]) is int:
        assert ours == general
        return
    assert [list(d.items(multi=True)) for d in ours[:2]] == [
        list(d.items(multi=True)) for d in general[:2]
    ]
    assert ours[2] == general[2]


def test_form_uses_the_parameter_storage_class(app: Flask) -> None:
    class Storing(Request):
        parameter_storage_class = MultiDict  # type: ignore[assignment]

    assert Storing._stock_form_loading
    with app.app_context():
        req = Storing(_environ(b"a=1"))
        assert type(req.form) is MultiDict
        assert type(req.files) is MultiDict


def test_form_with_another_parser_class_takes_it(app: Flask) -> None:
    class Parser(FormDataParser):
        def _parse_urlencoded(self, *args: t.Any) -> t.Any:
            stream = args[0]
            return stream, self.cls({"parsed": "by me"}), self.cls()

    with app.app_context():
        req = Request(_environ(b"a=1"))
        req.form_data_parser_class = Parser
        assert req.form.to_dict() == {"parsed": "by me"}


def test_form_over_the_length_limit_is_a_413(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    with app.app_context(), pytest.raises(RequestEntityTooLarge):
        Request(_environ(b"a=" + b"x" * 20)).form  # noqa: B018


# -- the one-step unquoting of simple bodies -------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "a=1",
        "=",
        "a=&=b",
        "field=value+1+%26+more&x=%3D%25",
        "a=%e2%82%ac&b=%E2%82",
        "a=%ff%00",  # %00: the one-step count is wrong, the general path decodes it
        "a=\r\n\t_&b= x ",
    ],
)
def test_simple_bodies_same_as_parse_qsl(body: str) -> None:
    assert _parse_simple_body(body) in (None, _reference(body))
    assert _parse_urlencoded_fields(body) == _reference(body)


def test_simple_body_is_unquoted_in_one_step() -> None:
    assert _parse_simple_body("a=%26+b&c=%3D") == [("a", "& b"), ("c", "=")]


@pytest.mark.parametrize(
    "body",
    [
        "",  # no field
        "a",  # a field without "="
        "a=1&b",
        "a=b=c",  # a field with two
        "a=1&&b=2",  # an empty field
        "&a=1",
        "a=1&",
        "a=%zz",  # a "%" that starts no escape
        "a=%4",
        "a=%",
        "a=\x00",  # a NUL in the body
        "a=%00",  # a NUL made by an escape
        "é=1",  # not ASCII
    ],
)
def test_other_bodies_take_the_general_path(body: str) -> None:
    assert _parse_simple_body(body) is None
    assert _parse_urlencoded_fields(body) == _reference(body)


_ESCAPE = st.binary(min_size=1, max_size=3).map(
    lambda b: "".join(f"%{x:02X}" for x in b)
)


@given(
    st.lists(
        st.tuples(
            st.lists(st.one_of(_ESCAPE, st.text("aZ0+%_ \t\r\n\x00é", max_size=3))),
            st.lists(st.one_of(_ESCAPE, st.text("aZ0+%=_ \t\r\n\x00é", max_size=3))),
        ).map(lambda nv: "".join(nv[0]) + "=" + "".join(nv[1])),
        min_size=1,
        max_size=6,
    ).map("&".join)
)
def test_name_value_bodies_same_as_parse_qsl(body: str) -> None:
    assert _parse_urlencoded_fields(body) == _reference(body)


# -- reading the body without making the stream ----------------------------------------


def _werkzeug_stream(environ: t.Any) -> t.Any:
    return RequestBase(environ).stream


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"CONTENT_LENGTH": "0012"},
        {"CONTENT_LENGTH": " 12"},
        {"CONTENT_LENGTH": "+12"},
        {"CONTENT_LENGTH": "-1"},
        {"CONTENT_LENGTH": "x"},
        {"CONTENT_LENGTH": "١٢"},  # noqa: RUF001  (digits, not ASCII ones)
        {"HTTP_TRANSFER_ENCODING": "chunked"},
        {"HTTP_TRANSFER_ENCODING": "gzip"},
        {"wsgi.input_terminated": True},
    ],
)
def test_stream_is_werkzeugs(headers: dict[str, t.Any]) -> None:
    environ = _environ(b"a=1&b=%26+x")
    environ.update(headers)
    ours, theirs = Request(dict(environ)).stream, _werkzeug_stream(dict(environ))
    assert type(ours) is type(theirs)
    assert getattr(ours, "limit", None) == getattr(theirs, "limit", None)


@pytest.mark.parametrize(
    "body", [b"a=1&b=%26+x", b"", b"a" * 300, b"big=" + b"x" * 100_000]
)
def test_stream_after_the_form_is_werkzeugs_consumed_one(
    app: Flask, body: bytes
) -> None:
    with app.app_context():
        ours, general = Request(_environ(body)), _WerkzeugLoading(_environ(body))
        assert ours.form == general.form
        assert "stream" not in ours.__dict__  # the form was read without it
        assert type(ours.stream) is type(general.stream) is LimitedStream
        assert ours.stream.limit == general.stream.limit == len(body)
        assert ours.stream.tell() == general.stream.tell() == len(body)
        assert ours.stream.read() == general.stream.read() == b""
        assert ours.get_data() == general.get_data() == b""


class _Trickle(io.RawIOBase):
    """A body that comes a byte at a time, then fails or ends."""

    def __init__(self, data: bytes, fail: bool = False) -> None:
        self.data, self.fail = data, fail

    def readable(self) -> bool:
        return True

    def readinto(self, b: t.Any) -> int:
        if not self.data:
            if self.fail:
                raise OSError("connection reset")
            return 0
        b[0], self.data = self.data[0], self.data[1:]
        return 1


@pytest.mark.parametrize("cls", [Request, _WerkzeugLoading])
def test_body_read_in_short_reads_is_whole(app: Flask, cls: type[Request]) -> None:
    environ = _environ(b"a=1&b=%26+x")
    environ["wsgi.input"] = _Trickle(b"a=1&b=%26+x")
    with app.app_context():
        assert cls(environ).form.to_dict() == {"a": "1", "b": "& x"}


@pytest.mark.parametrize("cls", [Request, _WerkzeugLoading])
@pytest.mark.parametrize("fail", [False, True])
def test_body_shorter_than_its_length_is_a_disconnect(
    app: Flask, cls: type[Request], fail: bool
) -> None:
    environ = _environ(b"a=1&b=2")
    environ["wsgi.input"] = _Trickle(b"a=1", fail)
    with app.app_context(), pytest.raises(ClientDisconnected):
        cls(environ).form  # noqa: B018


@pytest.mark.parametrize("limit", [None, 100])
def test_form_within_the_length_limit_is_read_without_the_stream(
    app: Flask, limit: int | None
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = limit
    with app.app_context():
        req = Request(_environ(b"a=1"))
        assert req.form.to_dict() == {"a": "1"}
        assert "stream" not in req.__dict__


def test_shallow_request_refuses_the_form_as_werkzeug_does(app: Flask) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="shallow"):
        Request(_environ(b"a=1"), shallow=True).form  # noqa: B018


# -- multipart bodies Werkzeug's silent parser would read as an empty form ----------

_PARTS = (
    b'--X\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue a\r\n'
    b'--X\r\nContent-Disposition: form-data; name="b"\r\n\r\nvalue b\r\n'
)


@pytest.mark.parametrize(
    ("body", "boundary", "answer"),
    [
        (_PARTS + b"--X--\r\n", "; boundary=X", {"a": "value a", "b": "value b"}),
        (b"", "; boundary=X", {}),
        (b"--X--\r\n", "; boundary=X", {}),
        (_PARTS, "; boundary=X", "ends before its closing boundary"),
        (_PARTS + b"--X", "; boundary=X", "ends before its closing boundary"),
        (_PARTS[:-5], "; boundary=X", "ends before its closing boundary"),
        (
            b"--X\r\nContent-Type: text/plain\r\n\r\nx\r\n--X--\r\n",
            "; boundary=X",
            "without a Content-Disposition header",
        ),
        (_PARTS + b"--X--\r\n", "", "has no boundary"),
    ],
    ids=[
        "whole",
        "empty",
        "no-parts",
        "no-end",
        "cut-end",
        "cut-part",
        "no-cd",
        "no-b",
    ],
)
def test_a_malformed_multipart_body_is_a_400(
    app: Flask, body: bytes, boundary: str, answer: t.Any
) -> None:
    @app.post("/")
    def echo() -> dict[str, str]:
        return request.form.to_dict()

    rv = app.test_client().post(
        "/", data=body, content_type=f"multipart/form-data{boundary}"
    )
    if isinstance(answer, dict):
        assert (rv.status_code, rv.json) == (200, answer)
    else:
        assert rv.status_code == 400
        assert answer in rv.text
