"""Tagged JSON: a compact format keeping the types JSON lacks (tuples,
bytes, Markup, UUIDs, datetimes, dicts whose only key looks like a tag).

Each non-JSON value is written as ``{" <tag>": <json value>}``. The
session cookie uses it, so the format must stay stable across releases::

    from flask.json.tag import JSONTag, TaggedJSONSerializer

    class TagOrderedDict(JSONTag):
        __slots__ = ("serializer",)
        key = " od"

        def check(self, value):
            return isinstance(value, OrderedDict)

        def to_json(self, value):
            return [[k, self.serializer.tag(v)] for k, v in value.items()]

        def to_python(self, value):
            return OrderedDict(value)

    app.session_interface.serializer.register(TagOrderedDict, index=0)
"""

from __future__ import annotations

import typing as t
from base64 import b64decode
from base64 import b64encode
from datetime import datetime
from uuid import UUID

from markupsafe import Markup
from werkzeug.http import http_date
from werkzeug.http import parse_date

from ..json import dumps
from ..json import loads


class JSONTag:
    """The base class of a type tag for :class:`TaggedJSONSerializer`."""

    __slots__ = ("serializer",)

    #: The tag's key; empty for tags that only recurse into containers.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """Whether ``value`` should be tagged by this tag."""
        raise NotImplementedError

    def to_json(self, value: t.Any) -> t.Any:
        """Convert the Python value to a JSON-compatible value."""
        raise NotImplementedError

    def to_python(self, value: t.Any) -> t.Any:
        """Convert the JSON value back to the Python type."""
        raise NotImplementedError

    def tag(self, value: t.Any) -> dict[str, t.Any]:
        """``{key: to_json(value)}``."""
        return {self.key: self.to_json(value)}


class TagDict(JSONTag):
    """A one-key dict whose key is a registered tag: the key gets a
    ``__`` suffix so it isn't read back as a tag."""

    __slots__ = ()
    key = " di"

    def check(self, value: t.Any) -> bool:
        return (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in self.serializer.tags
        )

    def to_json(self, value: t.Any) -> t.Any:
        key = next(iter(value))
        return {f"{key}__": self.serializer.tag(value[key])}

    def to_python(self, value: t.Any) -> t.Any:
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(JSONTag):
    """Other dicts: their values are tagged."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: t.Any) -> t.Any:
        # JSON keys are strings already; only the values need tags.
        return {k: self.serializer.tag(v) for k, v in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    __slots__ = ()
    key = " t"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return tuple(value)


class PassList(JSONTag):
    """Lists: their items are tagged."""

    __slots__ = ()

    def check(self, value: t.Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    __slots__ = ()
    key = " b"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: t.Any) -> t.Any:
        return b64encode(value).decode("ascii")

    def to_python(self, value: t.Any) -> t.Any:
        return b64decode(value)


class TagMarkup(JSONTag):
    """Objects with ``__html__`` (``Markup``): read back as ``Markup``."""

    __slots__ = ()
    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> t.Any:
        return str(value.__html__())

    def to_python(self, value: t.Any) -> t.Any:
        return Markup(value)


class TagUUID(JSONTag):
    __slots__ = ()
    key = " u"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, UUID)

    def to_json(self, value: t.Any) -> t.Any:
        return value.hex

    def to_python(self, value: t.Any) -> t.Any:
        return UUID(value)


class TagDateTime(JSONTag):
    """Datetimes, as HTTP dates (second precision, UTC)."""

    __slots__ = ()
    key = " d"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: t.Any) -> t.Any:
        return http_date(value)

    def to_python(self, value: t.Any) -> t.Any:
        return parse_date(value)


_PLAIN_JSON = frozenset({str, int, float, bool, type(None)})


class TaggedJSONSerializer:
    """Serializes values with tags for the types JSON lacks.

    Tags are checked in :attr:`order`; :meth:`register` adds new ones.
    """

    __slots__ = ("tags", "order", "_defaults_only")

    #: Tag classes registered on every new serializer, in order.
    default_tags = [
        TagDict,
        PassDict,
        TagTuple,
        PassList,
        TagBytes,
        TagMarkup,
        TagUUID,
        TagDateTime,
    ]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        for cls in self.default_tags:
            self.register(cls)
        # No built-in tag claims a plain str, int, float, bool or None.
        self._defaults_only = self.default_tags is TaggedJSONSerializer.default_tags

    def register(
        self,
        tag_class: type[JSONTag],
        force: bool = False,
        index: int | None = None,
    ) -> None:
        """Add a tag; ``index`` places it in the check order (default:
        last). A duplicate key is a KeyError unless ``force``."""
        tag = tag_class(self)
        self._defaults_only = False
        key = tag.key
        if key:
            if not force and key in self.tags:
                raise KeyError(f"Tag '{key}' is already registered.")
            self.tags[key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: t.Any) -> t.Any:
        """Tag ``value`` with the first tag whose check accepts it."""
        if type(value) in _PLAIN_JSON and self._defaults_only:
            return value
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """Convert a one-key tagged dict back to its Python value."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        if key not in self.tags:
            return value
        return self.tags[key].to_python(value[key])

    def _untag_scan(self, value: t.Any) -> t.Any:
        if isinstance(value, dict):
            value = {k: self._untag_scan(v) for k, v in value.items()}
            value = self.untag(value)
        elif isinstance(value, list):
            value = [self._untag_scan(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """Tag ``value`` and dump it to compact JSON."""
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str) -> t.Any:
        """Load JSON and untag every tagged value."""
        return self._untag_scan(loads(value))
