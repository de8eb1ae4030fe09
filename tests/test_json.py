"""Tests for ``flask.json``: the module functions, JSON providers,
``jsonify``, and reading JSON request bodies."""

from __future__ import annotations

import dataclasses
import decimal
import io
import json as stdlib_json
import typing as t
import uuid
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest
from markupsafe import Markup

from flask import Flask
from flask import json
from flask import jsonify
from flask import request
from flask.json.provider import DefaultJSONProvider
from flask.json.provider import JSONProvider


@dataclasses.dataclass
class Point:
    x: int
    y: int


class HTMLThing:
    def __html__(self) -> str:
        return "<thing>"


# -- default serialization ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 2, 29), '"Thu, 29 Feb 2024 00:00:00 GMT"'),
        (datetime(2024, 2, 29, 13, 14, 15), '"Thu, 29 Feb 2024 13:14:15 GMT"'),
        (
            datetime(2024, 2, 29, 13, 14, 15, tzinfo=timezone(timedelta(hours=2))),
            '"Thu, 29 Feb 2024 11:14:15 GMT"',
        ),
        (decimal.Decimal("0.10"), '"0.10"'),
        (uuid.UUID(int=1), '"00000000-0000-0000-0000-000000000001"'),
        (Point(1, 2), '{"x": 1, "y": 2}'),
        (Markup("<b>"), '"<b>"'),
        (HTMLThing(), '"<thing>"'),
    ],
)
@pytest.mark.parametrize("in_app", [False, True])
def test_default_handles_extra_types(
    app: Flask, value: t.Any, expected: str, in_app: bool
) -> None:
    if in_app:
        with app.app_context():
            assert json.dumps(value) == expected
    else:
        assert json.dumps(value) == expected


@pytest.mark.parametrize("value", [object(), {1, 2}, b"bytes"])
def test_unknown_types_raise_type_error(
    app: Flask, app_ctx: t.Any, value: t.Any
) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json.dumps(value)
    with pytest.raises(TypeError):
        app.json.dumps(value)


def test_dumps_without_an_app_uses_stdlib_defaults() -> None:
    assert json.dumps({"b": 1, "a": "é"}) == '{"b": 1, "a": "\\u00e9"}'
    assert json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert json.loads('{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert json.loads(b'{"a": 1}') == {"a": 1}


def test_file_functions_without_an_app() -> None:
    out = io.StringIO()
    json.dump({"when": date(2020, 1, 2)}, out)
    assert out.getvalue() == '{"when": "Thu, 02 Jan 2020 00:00:00 GMT"}'
    assert json.load(io.StringIO('{"a": 1}')) == {"a": 1}
    assert json.load(io.BytesIO(b'{"a": 1}')) == {"a": 1}


def test_app_functions_sort_keys_and_dump_to_files(app: Flask, app_ctx: t.Any) -> None:
    assert json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    out = io.StringIO()
    json.dump({"b": 1, "a": 2}, out)
    assert out.getvalue() == '{"a": 2, "b": 1}'
    assert json.load(io.StringIO(out.getvalue())) == {"a": 2, "b": 1}


class RecordingProvider(JSONProvider):
    """A provider that records calls and tags its output."""

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self.calls: list[str] = []

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        self.calls.append("dumps")
        return "recorded:" + stdlib_json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        self.calls.append("loads")
        return {"recorded": stdlib_json.loads(s, **kwargs)}


@pytest.fixture
def recording_app() -> Flask:
    class RecordingFlask(Flask):
        json_provider_class = RecordingProvider

    app = RecordingFlask("flask_test")
    app.testing = True
    return app


def test_module_functions_delegate_to_the_app_provider(recording_app: Flask) -> None:
    provider = recording_app.json
    assert isinstance(provider, RecordingProvider)
    with recording_app.app_context():
        assert json.dumps([1]) == "recorded:[1]"
        assert json.loads("[1]") == {"recorded": [1]}
        out = io.StringIO()
        json.dump([2], out)  # the base class writes dumps() to the file
        assert out.getvalue() == "recorded:[2]"
        assert json.load(io.StringIO("[3]")) == {"recorded": [3]}
    assert provider.calls == ["dumps", "loads", "dumps", "loads"]
    # Outside the app context the standard library is used again.
    assert json.dumps([1]) == "[1]"


def test_request_json_uses_the_app_provider(recording_app: Flask) -> None:
    @recording_app.post("/")
    def echo() -> str:
        return repr(request.get_json())

    rv = recording_app.test_client().post(
        "/", data="[1, 2]", content_type="application/json"
    )
    assert rv.text == repr({"recorded": [1, 2]})


def test_app_json_can_be_replaced_per_instance(app: Flask) -> None:
    class Upper(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    app.json = Upper(app)

    @app.route("/")
    def index() -> t.Any:
        return jsonify(word="quiet")

    assert app.test_client().get("/").text == '{"WORD":"QUIET"}\n'


def test_json_provider_base_class() -> None:
    app = Flask("flask_test")
    provider = JSONProvider(app)
    with pytest.raises(NotImplementedError):
        provider.dumps({})
    with pytest.raises(NotImplementedError):
        provider.loads("{}")


def test_json_provider_base_response(recording_app: Flask) -> None:
    with recording_app.app_context():
        rv: t.Any = recording_app.json.response(1, 2)
    assert rv.mimetype == "application/json"
    assert rv.get_data(as_text=True) == "recorded:[1, 2]"


def test_default_provider_is_the_default(app: Flask) -> None:
    assert Flask.json_provider_class is DefaultJSONProvider
    assert isinstance(app.json, DefaultJSONProvider)
    assert app.json.sort_keys is True
    assert app.json.ensure_ascii is True
    assert app.json.compact is None
    assert app.json.mimetype == "application/json"


def test_provider_does_not_keep_the_app_alive() -> None:
    import gc
    import weakref

    app = Flask("flask_test")
    ref = weakref.ref(app)
    provider = app.json
    del app
    gc.collect()
    assert ref() is None
    assert provider is not None


# -- DefaultJSONProvider options ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sort_keys", "expected"),
    [(True, '{"a":1,"b":{"c":3,"d":2}}'), (False, '{"b":{"d":2,"c":3},"a":1}')],
)
def test_sort_keys(app: Flask, client: t.Any, sort_keys: bool, expected: str) -> None:
    app.json.sort_keys = sort_keys  # type: ignore[attr-defined]

    @app.route("/")
    def index() -> t.Any:
        return {"b": {"d": 2, "c": 3}, "a": 1}

    assert client.get("/").text == expected + "\n"


@pytest.mark.parametrize(
    ("ensure_ascii", "expected"),
    [(True, '"\\u00e9\\u2603"'), (False, '"é☃"')],
)
def test_ensure_ascii(
    app: Flask, app_ctx: t.Any, ensure_ascii: bool, expected: str
) -> None:
    app.json.ensure_ascii = ensure_ascii  # type: ignore[attr-defined]
    assert json.dumps("é☃") == expected


def test_non_ascii_response_is_utf8(app: Flask, client: t.Any) -> None:
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    @app.route("/")
    def index() -> t.Any:
        return jsonify("é☃")

    rv = client.get("/")
    assert rv.data == '"é☃"\n'.encode()
    assert rv.json == "é☃"


def test_call_arguments_override_provider_settings(app: Flask, app_ctx: t.Any) -> None:
    assert json.dumps({"b": 1, "a": 2}, sort_keys=False) == '{"b": 1, "a": 2}'
    assert json.dumps("é", ensure_ascii=False) == '"é"'
    assert json.dumps(object(), default=lambda o: "custom") == '"custom"'


def test_provider_default_is_overridable(app: Flask, client: t.Any) -> None:
    class SetProvider(DefaultJSONProvider):
        @staticmethod
        def default(o: t.Any) -> t.Any:
            if isinstance(o, set):
                return sorted(o)
            return DefaultJSONProvider.default(o)

    app.json = SetProvider(app)

    @app.route("/")
    def index() -> t.Any:
        return jsonify(tags={"b", "a"}, day=date(2020, 1, 1))

    assert client.get("/").json == {
        "tags": ["a", "b"],
        "day": "Wed, 01 Jan 2020 00:00:00 GMT",
    }


@pytest.mark.parametrize(
    ("compact", "debug", "expected"),
    [
        (None, False, '{"a":[1,2],"b":"x"}\n'),
        (None, True, '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}\n'),
        (True, True, '{"a":[1,2],"b":"x"}\n'),
        (False, False, '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}\n'),
    ],
)
def test_compact_and_pretty_output(
    app: Flask, client: t.Any, compact: bool | None, debug: bool, expected: str
) -> None:
    app.json.compact = compact  # type: ignore[attr-defined]
    app.debug = debug

    @app.route("/")
    def index() -> t.Any:
        return jsonify(b="x", a=[1, 2])

    assert client.get("/").text == expected


def test_custom_mimetype(app: Flask, client: t.Any) -> None:
    app.json.mimetype = "application/vnd.api+json"  # type: ignore[attr-defined]

    @app.route("/")
    def index() -> t.Any:
        return jsonify(ok=True)

    rv = client.get("/")
    assert rv.mimetype == "application/vnd.api+json"
    assert rv.is_json
    assert rv.json == {"ok": True}


# -- jsonify ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((), {}, None),
        ((1,), {}, 1),
        (("text",), {}, "text"),
        ((None,), {}, None),
        (([1, 2],), {}, [1, 2]),
        (({"a": 1},), {}, {"a": 1}),
        ((1, "two", [3]), {}, [1, "two", [3]]),
        ((), {"a": 1, "b": [2]}, {"a": 1, "b": [2]}),
    ],
)
def test_jsonify_arguments(
    app: Flask,
    req_ctx: t.Any,
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    expected: t.Any,
) -> None:
    rv = jsonify(*args, **kwargs)
    assert rv.status_code == 200
    assert rv.mimetype == "application/json"
    assert rv.get_data(as_text=True).endswith("\n")
    assert stdlib_json.loads(rv.get_data(as_text=True)) == expected


def test_jsonify_rejects_args_and_kwargs(app: Flask, req_ctx: t.Any) -> None:
    with pytest.raises(TypeError):
        jsonify(1, a=2)


def test_jsonify_needs_an_app_context() -> None:
    with pytest.raises(RuntimeError):
        jsonify(a=1)


def test_jsonify_extra_types(app: Flask, client: t.Any) -> None:
    u = uuid.uuid4()

    @app.route("/")
    def index() -> t.Any:
        return jsonify(
            when=datetime(2020, 1, 2, 3, 4, 5),
            price=decimal.Decimal("9.99"),
            id=u,
            point=Point(3, 4),
            html=Markup("<i>x</i>"),
        )

    assert client.get("/").json == {
        "when": "Thu, 02 Jan 2020 03:04:05 GMT",
        "price": "9.99",
        "id": str(u),
        "point": {"x": 3, "y": 4},
        "html": "<i>x</i>",
    }


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2, 3]])
def test_views_returning_dicts_and_lists_become_json(
    app: Flask, client: t.Any, value: t.Any
) -> None:
    @app.route("/")
    def index() -> t.Any:
        return value

    rv = client.get("/")
    assert rv.mimetype == "application/json"
    assert rv.json == value
    assert rv.text.endswith("\n")


def test_jsonify_status_and_headers(app: Flask, client: t.Any) -> None:
    @app.route("/")
    def index() -> t.Any:
        return jsonify(error="nope"), 404, {"X-Extra": "1"}

    rv = client.get("/")
    assert rv.status_code == 404
    assert rv.headers["X-Extra"] == "1"
    assert rv.json == {"error": "nope"}


# -- reading JSON requests ---------------------------------------------------------------


@pytest.fixture
def echo_app(app: Flask) -> Flask:
    @app.post("/echo")
    def echo() -> t.Any:
        return {"data": request.get_json(), "is_json": request.is_json}

    @app.post("/property")
    def prop() -> t.Any:
        return {"data": request.json}

    @app.post("/options")
    def options() -> t.Any:
        force = "force" in request.args
        silent = "silent" in request.args
        return {"data": request.get_json(force=force, silent=silent)}

    return app


@pytest.mark.parametrize(
    ("content_type", "is_json"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/vnd.api+json", True),
        ("application/problem+json", True),
        ("text/json", False),
        ("text/plain", False),
        ("application/jsonx", False),
        ("application/x-www-form-urlencoded", False),
    ],
)
def test_is_json(app: Flask, content_type: str, is_json: bool) -> None:
    with app.test_request_context(method="POST", data="{}", content_type=content_type):
        assert request.is_json is is_json


def test_get_json(echo_app: Flask) -> None:
    rv = echo_app.test_client().post("/echo", json={"a": [1, "é"]})
    assert rv.status_code == 200
    assert rv.json == {"data": {"a": [1, "é"]}, "is_json": True}


def test_json_property(echo_app: Flask) -> None:
    rv = echo_app.test_client().post(
        "/property", data="[1]", content_type="application/json"
    )
    assert rv.json == {"data": [1]}


@pytest.mark.parametrize("path", ["/echo", "/property", "/options"])
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", None]
)
def test_wrong_content_type_is_415(
    echo_app: Flask, path: str, content_type: str | None
) -> None:
    rv = echo_app.test_client().post(path, data='{"a": 1}', content_type=content_type)
    assert rv.status_code == 415
    assert "application/json" in rv.text


MALFORMED = [
    pytest.param(b"{not json", id="syntax"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"a": 1', id="truncated"),
    pytest.param(b"\xff\xfe\x00", id="not-utf8"),
    pytest.param(b"[" * 100_000, id="too-deep"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="too-deep-complete"),
    pytest.param(b'{"a": 1} trailing', id="trailing-data"),
]


@pytest.mark.parametrize("body", MALFORMED)
@pytest.mark.parametrize("path", ["/echo", "/property"])
def test_malformed_json_is_400(echo_app: Flask, body: bytes, path: str) -> None:
    rv = echo_app.test_client().post(path, data=body, content_type="application/json")
    assert rv.status_code == 400
    assert "Bad Request" in rv.text
    # Outside debug mode the parser's message is not shown.
    assert "Failed to decode JSON" not in rv.text


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_json_message_in_debug(echo_app: Flask, body: bytes) -> None:
    echo_app.debug = True
    rv = echo_app.test_client().post(
        "/echo", data=body, content_type="application/json"
    )
    assert rv.status_code == 400
    assert "Failed to decode JSON object" in rv.text


@pytest.mark.parametrize(
    ("query", "content_type", "body", "expected"),
    [
        ("?silent", "text/plain", b'{"a":1}', None),
        ("?silent", "application/json", b"{bad", None),
        ("?force", "text/plain", b'{"a":1}', {"a": 1}),
        ("?force", None, b"[1]", [1]),
        ("?force&silent", "text/plain", b"{bad", None),
        ("", "application/json", b"null", None),
    ],
)
def test_get_json_force_and_silent(
    echo_app: Flask, query: str, content_type: str | None, body: bytes, expected: t.Any
) -> None:
    rv = echo_app.test_client().post(
        "/options" + query, data=body, content_type=content_type
    )
    assert rv.status_code == 200
    assert rv.json == {"data": expected}


def test_force_with_malformed_json_is_400(echo_app: Flask) -> None:
    rv = echo_app.test_client().post(
        "/options?force", data=b"{bad", content_type="text/plain"
    )
    assert rv.status_code == 400


def test_get_json_cache(app: Flask) -> None:
    with app.test_request_context(method="POST", json={"a": [1]}):
        first = request.get_json()
        assert request.get_json() is first
        assert request.json is first
        uncached = request.get_json(cache=False)
        assert uncached == first and uncached is not first


def test_get_json_silent_cache_is_separate(app: Flask) -> None:
    with app.test_request_context(
        method="POST", data="{bad", content_type="application/json"
    ):
        assert request.get_json(silent=True) is None
        assert request.get_json(silent=True) is None
        with pytest.raises(ValueError):
            json.loads(request.get_data())


def test_json_response_round_trip(app: Flask, client: t.Any) -> None:
    @app.post("/double")
    def double() -> t.Any:
        data = request.get_json()
        return jsonify([n * 2 for n in data["numbers"]])

    rv = client.post("/double", json={"numbers": [1, 2, 3]})
    assert rv.json == [2, 4, 6]


# -- loads robustness ---------------------------------------------------------------------


@pytest.mark.parametrize("in_app", [False, True])
def test_loads_reports_too_deep_input_as_value_error(app: Flask, in_app: bool) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    if in_app:
        with app.app_context(), pytest.raises(ValueError, match="nested too deeply"):
            json.loads(deep)
    else:
        with pytest.raises(ValueError, match="nested too deeply"):
            json.loads(deep)
    with pytest.raises(ValueError):
        app.json.loads(deep)
    with pytest.raises(ValueError):
        json.load(io.StringIO(deep))
