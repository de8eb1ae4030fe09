"""Tests for ``flask.json.tag``: the tagged JSON format the session
cookie uses, and registering custom tags."""

from __future__ import annotations

import typing as t
from collections import OrderedDict
from datetime import datetime
from datetime import timezone
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from flask.json.tag import JSONTag
from flask.json.tag import PassDict
from flask.json.tag import PassList
from flask.json.tag import TagBytes
from flask.json.tag import TagDateTime
from flask.json.tag import TagDict
from flask.json.tag import TaggedJSONSerializer
from flask.json.tag import TagMarkup
from flask.json.tag import TagTuple
from flask.json.tag import TagUUID

DT = datetime(2021, 7, 4, 12, 30, 45, tzinfo=timezone.utc)
U = UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")


@pytest.fixture
def s() -> TaggedJSONSerializer:
    return TaggedJSONSerializer()


# -- the wire format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        pytest.param({"a": 1}, '{"a":1}', id="dict"),
        pytest.param([1, "x", None, True, 1.5], '[1,"x",null,true,1.5]', id="list"),
        pytest.param((1, 2), '{" t":[1,2]}', id="tuple"),
        pytest.param((), '{" t":[]}', id="empty-tuple"),
        pytest.param(b"\x00\x01\xfe", '{" b":"AAH+"}', id="bytes"),
        pytest.param(Markup("<b>&amp;</b>"), '{" m":"<b>&amp;</b>"}', id="markup"),
        pytest.param(U, '{" u":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"}', id="uuid"),
        pytest.param(DT, '{" d":"Sun, 04 Jul 2021 12:30:45 GMT"}', id="datetime"),
        pytest.param({" t": [1]}, '{" di":{" t__":[1]}}', id="dict-with-tag-key"),
        pytest.param({" di": 1}, '{" di":{" di__":1}}', id="dict-with-di-key"),
        pytest.param({" x": 1}, '{" x":1}', id="dict-with-unknown-space-key"),
        pytest.param({" t": 1, "b": 2}, '{" t":1,"b":2}', id="two-keys-not-escaped"),
        pytest.param([(1,), [b"a"]], '[{" t":[1]},[{" b":"YQ=="}]]', id="nested-list"),
        pytest.param(
            ((1, (2,)),), '{" t":[{" t":[1,{" t":[2]}]}]}', id="nested-tuples"
        ),
        pytest.param(
            {"k": {" t": (1,)}},
            '{"k":{" di":{" t__":{" t":[1]}}}}',
            id="escaped-value-tagged",
        ),
    ],
)
def test_wire_format(s: TaggedJSONSerializer, value: t.Any, wire: str) -> None:
    assert s.dumps(value) == wire
    rv = s.loads(wire)
    assert rv == value
    assert type(rv) is type(value)


def test_output_is_compact(s: TaggedJSONSerializer) -> None:
    assert " " not in s.dumps({"a": [1, 2], "b": {"c": "d"}})


def test_markup_round_trips_as_markup(s: TaggedJSONSerializer) -> None:
    rv = s.loads(s.dumps({"m": Markup("<i>x</i>")}))
    assert isinstance(rv["m"], Markup)
    assert rv["m"] == "<i>x</i>"


def test_objects_with_html_load_back_as_markup(s: TaggedJSONSerializer) -> None:
    class Widget:
        def __html__(self) -> str:
            return "<widget>"

    wire = s.dumps(Widget())
    assert wire == '{" m":"<widget>"}'
    assert s.loads(wire) == Markup("<widget>")


def test_naive_datetime_is_read_back_as_utc(s: TaggedJSONSerializer) -> None:
    naive = datetime(2021, 7, 4, 12, 30, 45)
    rv = s.loads(s.dumps(naive))
    assert rv == naive.replace(tzinfo=timezone.utc)
    assert rv.tzinfo is not None


def test_datetime_keeps_second_precision(s: TaggedJSONSerializer) -> None:
    rv = s.loads(
        s.dumps(datetime(2021, 7, 4, 12, 30, 45, 999_999, tzinfo=timezone.utc))
    )
    assert rv == DT


def test_untag_leaves_unknown_dicts_alone(s: TaggedJSONSerializer) -> None:
    assert s.untag({" unknown": 1}) == {" unknown": 1}
    assert s.untag({" t": [1], "x": 2}) == {" t": [1], "x": 2}
    assert s.untag({" t": [1]}) == (1,)


def test_loads_accepts_spaced_json(s: TaggedJSONSerializer) -> None:
    assert s.loads('{ "a" : { " t" : [ 1 , 2 ] } }') == {"a": (1, 2)}


# -- property: everything round-trips -----------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
    | st.uuids()
    | st.builds(Markup, st.text())
    | st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(9999, 12, 31),
        timezones=st.just(timezone.utc),
    ).map(lambda d: d.replace(microsecond=0))
)
dict_keys = st.text() | st.sampled_from([" t", " b", " m", " u", " d", " di", " t__"])
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(dict_keys, children, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_round_trip_property(value: t.Any) -> None:
    s = TaggedJSONSerializer()
    assert s.loads(s.dumps(value)) == value


# -- tags and registration ---------------------------------------------------------------


def test_default_tag_order() -> None:
    assert TaggedJSONSerializer.default_tags == [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]
    s = TaggedJSONSerializer()
    assert [type(tag) for tag in s.order] == TaggedJSONSerializer.default_tags
    assert set(s.tags) == {" di", " t", " b", " m", " u", " d"}


def test_json_tag_base_class(s: TaggedJSONSerializer) -> None:
    tag = JSONTag(s)
    assert tag.serializer is s
    assert tag.key == ""
    with pytest.raises(NotImplementedError):
        tag.check(1)
    with pytest.raises(NotImplementedError):
        tag.to_json(1)
    with pytest.raises(NotImplementedError):
        tag.to_python(1)


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other.cents == self.cents

    def __hash__(self) -> int:
        return hash(self.cents)


class TagMoney(JSONTag):
    __slots__ = ()
    key = " $"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, Money)

    def to_json(self, value: t.Any) -> t.Any:
        return value.cents

    def to_python(self, value: t.Any) -> t.Any:
        return Money(value)


def test_register_custom_tag(s: TaggedJSONSerializer) -> None:
    s.register(TagMoney)
    assert isinstance(s.order[-1], TagMoney)
    assert s.dumps({"price": Money(250)}) == '{"price":{" $":250}}'
    assert s.loads('{"price":{" $":250}}') == {"price": Money(250)}
    # A dict whose only key is the new tag is now escaped.
    assert s.dumps({" $": 1}) == '{" di":{" $__":1}}'
    assert s.loads(s.dumps({" $": 1})) == {" $": 1}


def test_register_duplicate_key_is_a_key_error(s: TaggedJSONSerializer) -> None:
    s.register(TagMoney)
    with pytest.raises(KeyError):
        s.register(TagMoney)

    class OtherTuple(TagTuple):
        __slots__ = ()

    with pytest.raises(KeyError):
        s.register(OtherTuple)


def test_register_force_replaces_the_tag(s: TaggedJSONSerializer) -> None:
    class ListTuple(JSONTag):
        """Reads `` t`` back as a list instead of a tuple."""

        __slots__ = ()
        key = " t"

        def check(self, value: t.Any) -> bool:
            return False

        def to_json(self, value: t.Any) -> t.Any:
            return list(value)

        def to_python(self, value: t.Any) -> t.Any:
            return list(value)

    s.register(ListTuple, force=True)
    assert isinstance(s.tags[" t"], ListTuple)
    assert s.loads('{" t":[1,2]}') == [1, 2]


class OrderedDictTag(JSONTag):
    __slots__ = ()
    key = " od"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, OrderedDict)

    def to_json(self, value: t.Any) -> t.Any:
        return [[k, self.serializer.tag(v)] for k, v in value.items()]

    def to_python(self, value: t.Any) -> t.Any:
        return OrderedDict(value)


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, '{" od":[["b",1],["a",{" t":[2]}]]}'),
        (None, '{"b":1,"a":{" t":[2]}}'),
    ],
)
def test_register_index_controls_check_order(
    s: TaggedJSONSerializer, index: int | None, expected: str
) -> None:
    # PassDict would otherwise claim the OrderedDict (a dict subclass).
    s.register(OrderedDictTag, index=index)
    value = OrderedDict([("b", 1), ("a", (2,))])
    assert s.dumps(value) == expected
    if index == 0:
        assert isinstance(s.order[0], OrderedDictTag)
        rv = s.loads(expected)
        assert type(rv) is OrderedDict
        assert list(rv.items()) == [("b", 1), ("a", (2,))]


def test_register_at_a_middle_index(s: TaggedJSONSerializer) -> None:
    class TupleAsList(JSONTag):
        __slots__ = ()
        key = " tl"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, tuple)

        def to_json(self, value: t.Any) -> t.Any:
            return list(value)

        def to_python(self, value: t.Any) -> t.Any:
            return list(value)

    position = s.order.index(s.tags[" t"])
    s.register(TupleAsList, index=position)
    assert s.dumps((1,)) == '{" tl":[1]}'


def test_serializers_do_not_share_registrations() -> None:
    a = TaggedJSONSerializer()
    b = TaggedJSONSerializer()
    a.register(TagMoney)
    assert " $" in a.tags
    assert " $" not in b.tags
    with pytest.raises(TypeError):
        b.dumps(Money(1))


def test_unknown_types_fail_to_dump(s: TaggedJSONSerializer) -> None:
    with pytest.raises(TypeError):
        s.dumps({"x": {1, 2}})
