"""The URL-encoded form parser gives what urllib's parse_qsl gives, and a
request reads a URL-encoded form as Werkzeug's general path does."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl

import pytest
import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.test import EnvironBuilder

from flask import Flask
from flask import Request
from flask import request
from flask.wrappers import _parse_urlencoded_fields


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


def test_invalid_utf8_body_gives_empty_form(app: Flask) -> None:
    @app.post("/")
    def echo() -> dict[str, str]:
        return request.form.to_dict()

    rv = app.test_client().post(
        "/", data=b"a=\xff", content_type="application/x-www-form-urlencoded"
    )
    assert rv.status_code == 200
    assert rv.json == {}


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
