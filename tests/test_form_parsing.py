"""The URL-encoded form parser gives what urllib's parse_qsl gives."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from hypothesis import given
from hypothesis import strategies as st

from flask import Flask
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
