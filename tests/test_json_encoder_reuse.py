"""The default provider reuses encoders, yet follows changes to its options."""

from __future__ import annotations

import json
import typing as t

import pytest

from flask import Flask


def test_option_changes_after_first_use_apply(app: Flask) -> None:
    data = {"b": "é", "a": 1}
    assert app.json.dumps(data) == '{"a": 1, "b": "\\u00e9"}'
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    assert app.json.dumps(data) == '{"b": "é", "a": 1}'


def test_default_function_swapped_after_first_use_applies(app: Flask) -> None:
    class Thing:
        pass

    app.json.default = lambda o: "first"  # type: ignore[attr-defined]
    assert app.json.dumps(Thing()) == '"first"'
    app.json.default = lambda o: "second"  # type: ignore[attr-defined]
    assert app.json.dumps(Thing()) == '"second"'


def test_unhashable_and_cls_options_still_work(app: Flask) -> None:
    class Upper(json.JSONEncoder):
        def encode(self, o: t.Any) -> str:
            return super().encode(o).upper()

    assert app.json.dumps("x", cls=Upper) == '"X"'
    assert app.json.dumps([1, 2], separators=[",", ":"]) == "[1,2]"


def test_response_follows_compact_setting(app: Flask) -> None:
    with app.app_context():
        assert app.json.response({"a": 1}).data == b'{"a":1}\n'
        app.json.compact = False  # type: ignore[attr-defined]
        assert app.json.response({"a": 1}).data == b'{\n  "a": 1\n}\n'


def test_tag_registered_for_plain_strings_is_used() -> None:
    from flask.json.tag import JSONTag
    from flask.json.tag import TaggedJSONSerializer

    class TagShout(JSONTag):
        __slots__ = ()
        key = " shout"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, str) and value.isupper()

        def to_json(self, value: t.Any) -> t.Any:
            return value.lower()

        def to_python(self, value: t.Any) -> t.Any:
            return value.upper()

    serializer = TaggedJSONSerializer()
    assert serializer.dumps({"a": "HEY"}) == '{"a":"HEY"}'
    serializer.register(TagShout, index=0)
    assert serializer.dumps({"a": "HEY"}) == '{"a":{" shout":"hey"}}'
    assert serializer.loads('{"a":{" shout":"hey"}}') == {"a": "HEY"}


def _circular() -> list[t.Any]:
    value: list[t.Any] = [1]
    value.append({"again": value})
    return value


def _deep(depth: int) -> list[t.Any]:
    value: list[t.Any] = []
    for _ in range(depth):
        value = [value]
    return value


class _Unknown:
    pass


VALUES = [
    "text",
    "é < & \u2028",
    {"b": [1, 2.5, None, True, False], "a": {"z": "y"}},
    [float("nan"), float("inf"), -0.0, 10**30],
    {1: "int key", 2.5: "float key", None: "null key", False: "bool key"},
    {1: 2, "x": 1.0},  # unsortable keys: a TypeError
    {(1, 2): "tuple key"},  # a TypeError unless skipkeys
    _Unknown(),  # given to default
    [_Unknown(), {"k": _Unknown()}],
    _circular(),  # a ValueError
    _deep(50),
    (1, 2, 3),
]
OPTIONS = [
    {},
    {"sort_keys": False, "ensure_ascii": False},
    {"separators": (",", ":")},
    {"indent": 2},
    {"allow_nan": False},
    {"skipkeys": True},
]


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_dumps_is_json_dumps_with_the_provider_defaults(
    app: Flask, value: t.Any, options: dict[str, t.Any]
) -> None:
    def default(o: t.Any) -> t.Any:
        if isinstance(o, _Unknown):
            return "unknown"
        raise TypeError(type(o).__name__)

    app.json.default = default  # type: ignore[attr-defined]
    expected_options = {"default": default, "sort_keys": True, **options}
    try:
        expected: t.Any = json.dumps(value, **expected_options)
    except (TypeError, ValueError) as e:
        expected = type(e)
    for _ in range(2):  # the first call makes the encoder, the second reuses it
        try:
            got: t.Any = app.json.dumps(value, **options)
        except (TypeError, ValueError) as e:
            got = type(e)
        assert got == expected


def test_nesting_too_deep_for_the_recursion_limit_is_a_recursion_error(
    app: Flask,
) -> None:
    with pytest.raises(RecursionError):
        json.dumps(_deep(100_000))
    with pytest.raises(RecursionError):
        app.json.dumps(_deep(100_000))


def test_responses_follow_option_changes_after_first_use(app: Flask) -> None:
    with app.app_context():
        assert app.json.response({"b": "é", "a": 1}).data == b'{"a":1,"b":"\\u00e9"}\n'
        app.json.sort_keys = False  # type: ignore[attr-defined]
        app.json.ensure_ascii = False  # type: ignore[attr-defined]
        data = app.json.response({"b": "é", "a": 1}).data
        assert data == '{"b":"é","a":1}\n'.encode()
        app.json.default = lambda o: "default"  # type: ignore[attr-defined]
        assert app.json.response([object()]).data == b'["default"]\n'
        app.debug = True
        assert app.json.response({"a": 1}).data == b'{\n  "a": 1\n}\n'


def test_a_provider_overriding_dumps_makes_the_responses(app: Flask) -> None:
    from flask.json.provider import DefaultJSONProvider

    class Shouting(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    app.json = Shouting(app)
    with app.app_context():
        assert app.json.response({"a": "b"}).data == b'{"A":"B"}\n'


def test_an_unhashable_default_still_serves_responses(app: Flask) -> None:
    class Default:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self, o: t.Any) -> str:
            return "made"

    app.json.default = Default()  # type: ignore[attr-defined]
    with app.app_context():
        assert app.json.response([object()]).data == b'["made"]\n'
