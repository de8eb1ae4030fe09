"""The default provider reuses encoders, yet follows changes to its options."""

from __future__ import annotations

import typing as t

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
    import json

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
