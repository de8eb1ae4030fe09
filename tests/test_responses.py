"""Responses for a string (a view's return value, a JSON body) assembled
without Werkzeug's constructor, and equal to what it would make."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import ImATeapot
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import NotFound
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response as WerkzeugResponse

import flask
import flask._responses
from flask import Flask
from flask import Response
from flask._responses import _default_content_type
from flask._responses import _text_maker
from flask._responses import _text_response


def _assert_same(made: t.Any, expected: t.Any) -> None:
    assert type(made) is type(expected)
    assert vars(made).keys() == vars(expected).keys()
    for name, value in vars(expected).items():
        assert vars(made)[name] == value, name
    assert made.headers.to_wsgi_list() == expected.headers.to_wsgi_list()


class _PlainText(Response):
    default_mimetype = "text/plain"


class _Created(Response):
    default_status = 201


class _NoLength(Response):
    automatically_set_content_length = False


class _OwnInit(Response):
    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers["X-Own"] = "1"


class _OwnSetData(Response):
    def set_data(self, value: t.Any) -> None:
        super().set_data(value.upper() if isinstance(value, str) else value)


class _NoMimetype(Response):
    default_mimetype = None


@pytest.mark.parametrize(
    "cls",
    [
        Response,
        WerkzeugResponse,
        _PlainText,
        _Created,
        _NoLength,
        _OwnInit,
        _OwnSetData,
        _NoMimetype,
    ],
)
@pytest.mark.parametrize("text", ["", "Hällo", "x" * 10_000, "\u2603 snow"])
def test_text_response_equals_the_constructors(cls: type[t.Any], text: str) -> None:
    made = _text_response(cls, text)
    _assert_same(made, cls(text, content_type=_default_content_type(cls)))
    made.headers["X-Later"] = "1"  # the headers are a working Headers object
    assert made.headers.get_all("x-later") == ["1"]


@pytest.mark.parametrize(
    ("cls", "assembled"),
    [
        (Response, True),
        (_PlainText, True),
        (_Created, True),
        (_NoLength, False),
        (_OwnInit, False),
        (_OwnSetData, False),
        (_NoMimetype, False),
    ],
)
def test_text_response_assembles_only_stock_classes(
    cls: type[t.Any], assembled: bool
) -> None:
    assert (
        _text_maker(cls, _default_content_type(cls)).__name__ == "assemble"
    ) is assembled


def test_text_response_falls_back_when_the_shortcut_would_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(flask._responses, "_same_state", lambda a, b: False)
    assert _text_maker(Response, "text/html").__name__ == "construct"


def test_text_response_follows_a_changed_default_mimetype(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _text_response(_PlainText, "a").mimetype == "text/plain"
    monkeypatch.setattr(_PlainText, "default_mimetype", "text/csv")
    assert _text_response(_PlainText, "a").mimetype == "text/csv"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("mimetype", ["application/json", "text/x-json"])
@pytest.mark.parametrize("obj", [{"a": [1, "é"]}, [], "text"])
def test_json_response_equals_the_constructors(
    debug: bool, mimetype: str, obj: t.Any
) -> None:
    app = Flask(__name__)
    app.debug = debug
    app.json.mimetype = mimetype  # type: ignore[attr-defined]
    with app.app_context():
        made = app.json.response(obj)
        body = flask.json.dumps(obj, indent=2 if debug else None)
        if not debug:
            body = flask.json.dumps(obj, separators=(",", ":"))
        _assert_same(made, app.response_class(f"{body}\n", mimetype=mimetype))


def test_an_explicit_content_type_is_kept() -> None:
    made = _text_response(Response, "x", "text/csv; charset=utf-8")
    _assert_same(made, Response("x", content_type="text/csv; charset=utf-8"))


@pytest.mark.parametrize("cls", [Response, _Created, _OwnInit, _NoLength])
@pytest.mark.parametrize("status", [None, 200, 404, 405, 500, 599])
def test_text_response_with_a_status_equals_the_constructors(
    cls: type[t.Any], status: int | None
) -> None:
    made = _text_response(cls, "page", "text/html; charset=utf-8", status)
    _assert_same(made, cls("page", status, content_type="text/html; charset=utf-8"))


@pytest.mark.parametrize("cls", [Response, _PlainText, _Created, _OwnInit])
@pytest.mark.parametrize(
    "error", [NotFound(), Forbidden(), InternalServerError(), ImATeapot()]
)
def test_error_page_equals_werkzeugs(cls: type[t.Any], error: HTTPException) -> None:
    # What Flask makes of an error: Werkzeug's response, its class set.
    environ = EnvironBuilder(path="/x").get_environ()
    expected = cls.force_type(error, environ)  # run as a WSGI app
    for _ in range(2):  # built, then from the kept body
        made = cls.force_type(cls._from_http_exception(error, environ), environ)
        assert type(made) is cls
        assert made.status == expected.status
        assert made.get_data() == expected.get_data()
        assert made.headers.to_wsgi_list() == expected.headers.to_wsgi_list()


def test_error_page_for_unknown_and_custom_descriptions(app: Flask) -> None:
    @app.get("/a")
    def a() -> t.Any:
        raise NotFound("custom <b>text</b>")

    client = app.test_client()
    assert b"custom &lt;b&gt;text&lt;/b&gt;" in client.get("/a").data
    missing = client.get("/missing")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "text/html; charset=utf-8"
    assert missing.headers["Content-Length"] == str(len(missing.data))
    assert b"<title>404 Not Found</title>" in missing.data


def test_a_404_handler_registered_later_is_used(app: Flask) -> None:
    client = app.test_client()
    assert b"Not Found" in client.get("/missing").data
    app._got_first_request = False  # registering again, as in a new setup phase
    app.register_error_handler(404, lambda e: ("gone", 404))
    assert client.get("/missing").text == "gone"
