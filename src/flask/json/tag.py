"""Tagged JSON: JSON that keeps the Python types it has no notation for.

A value JSON can't represent is written as an object with one key, the
tag, mapping to a JSON form of the value: ``{" t": [1, 2]}`` is the tuple
``(1, 2)``. The built-in tags are ``" t"`` (tuple), ``" b"`` (bytes, in
base64), ``" m"`` (``Markup`` and other ``__html__`` objects), ``" u"``
(UUID, as hex), ``" d"`` (datetime, as an HTTP date) and ``" di"`` (a
one-key dict whose key is itself a tag, stored with a ``__`` suffix).

The session cookie is written in this format, so it must not change: a
cookie made by one release must be read by the next. New types are added
by registering a :class:`JSONTag` subclass::

    class TagFraction(JSONTag):
        __slots__ = ()
        key = " fr"

        def check(self, value):
            return isinstance(value, Fraction)

        def to_json(self, value):
            return [value.numerator, value.denominator]

        def to_python(self, value):
            return Fraction(*value)

    app.session_interface.serializer.register(TagFraction)
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

#: Types whose values no built-in tag claims: written as they are.
_UNTAGGED_SCALARS = frozenset({str, int, float, bool, type(None)})


class JSONTag:
    """A type tag of a :class:`TaggedJSONSerializer`.

    A subclass sets :attr:`key` and implements :meth:`check`,
    :meth:`to_json` and :meth:`to_python`. A tag with an empty key never
    appears in the output: it only transforms the value (the containers
    use that to tag what they hold).
    """

    __slots__ = ("serializer",)

    #: The tag written as the one key of the tagged object.
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: t.Any) -> bool:
        """True if this tag is the one for ``value``."""
        raise NotImplementedError(self._missing("check"))

    def to_json(self, value: t.Any) -> t.Any:
        """The JSON form of ``value`` (tagging what it contains)."""
        raise NotImplementedError(self._missing("to_json"))

    def to_python(self, value: t.Any) -> t.Any:
        """The Python value back from its JSON form."""
        raise NotImplementedError(self._missing("to_python"))

    def _missing(self, method: str) -> str:
        return f"{type(self).__name__} does not implement {method}()"

    def tag(self, value: t.Any) -> t.Any:
        """``value`` in its tagged form: ``{key: to_json(value)}``."""
        return {self.key: self.to_json(value)}


class _InstanceTag(JSONTag):
    """A tag for the instances of :attr:`python_type`."""

    __slots__ = ()

    python_type: t.ClassVar[type]

    def check(self, value: t.Any) -> bool:
        return isinstance(value, self.python_type)


class TagDict(JSONTag):
    """A dict of one item whose key is a registered tag: written with a
    ``__`` suffix on that key, so it is not read back as tagged."""

    __slots__ = ()
    key = " di"

    def check(self, value: t.Any) -> bool:
        if not isinstance(value, dict) or len(value) != 1:
            return False
        return next(iter(value)) in self.serializer.tags

    def to_json(self, value: dict[str, t.Any]) -> dict[str, t.Any]:
        name = next(iter(value))
        return {name + "__": self.serializer.tag(value[name])}

    def to_python(self, value: dict[str, t.Any]) -> dict[str, t.Any]:
        name = next(iter(value))
        return {name[:-2]: value[name]}


class PassDict(_InstanceTag):
    """Any other dict: written as an object of its tagged values (JSON
    keys are strings already)."""

    __slots__ = ()
    python_type = dict

    def to_json(self, value: dict[str, t.Any]) -> dict[str, t.Any]:
        tag = self.serializer.tag
        return {name: tag(item) for name, item in value.items()}

    tag = to_json


class TagTuple(_InstanceTag):
    """A tuple: an array of its tagged items under ``" t"``."""

    __slots__ = ()
    key = " t"
    python_type = tuple

    def to_json(self, value: tuple[t.Any, ...]) -> list[t.Any]:
        return list(map(self.serializer.tag, value))

    def to_python(self, value: list[t.Any]) -> tuple[t.Any, ...]:
        return tuple(value)


class PassList(_InstanceTag):
    """A list: an array of its tagged items."""

    __slots__ = ()
    python_type = list

    def to_json(self, value: list[t.Any]) -> list[t.Any]:
        return list(map(self.serializer.tag, value))

    tag = to_json


class TagBytes(_InstanceTag):
    """Bytes: base64 text under ``" b"``."""

    __slots__ = ()
    key = " b"
    python_type = bytes

    def to_json(self, value: bytes) -> str:
        return b64encode(value).decode("ascii")

    def to_python(self, value: str) -> bytes:
        return b64decode(value)


class TagMarkup(JSONTag):
    """Anything with an ``__html__`` method: its markup under ``" m"``,
    read back as :class:`~markupsafe.Markup`."""

    __slots__ = ()
    key = " m"

    def check(self, value: t.Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: t.Any) -> str:
        return str(value.__html__())

    def to_python(self, value: str) -> Markup:
        return Markup(value)


class TagUUID(_InstanceTag):
    """A UUID: its 32 hex digits under ``" u"``."""

    __slots__ = ()
    key = " u"
    python_type = UUID

    def to_json(self, value: UUID) -> str:
        return value.hex

    def to_python(self, value: str) -> UUID:
        return UUID(value)


class TagDateTime(_InstanceTag):
    """A datetime: an HTTP date under ``" d"`` (so whole seconds, UTC)."""

    __slots__ = ()
    key = " d"
    python_type = datetime

    def to_json(self, value: datetime) -> str:
        return http_date(value)

    def to_python(self, value: str) -> datetime | None:
        return parse_date(value)


#: The built-in tags, none of which claims a plain string, number,
#: boolean or null: with only these registered, such values skip the tags.
_CONTAINER_TAGS = (TagDict, PassDict, TagTuple, PassList)
_VALUE_TAGS = (TagBytes, TagMarkup, TagUUID, TagDateTime)
_BUILT_IN = _CONTAINER_TAGS + _VALUE_TAGS


class TaggedJSONSerializer:
    """Dumps values to tagged JSON and loads them back.

    The first tag in :attr:`order` whose ``check`` accepts a value is the
    one used; :attr:`tags` maps each key to its tag for loading.
    """

    __slots__ = ("tags", "order", "_scalars_untagged")

    #: The tag classes a new serializer registers, in this order.
    default_tags = list(_BUILT_IN)

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        self._scalars_untagged = True
        for position, tag_class in enumerate(self.default_tags):
            self.register(tag_class, index=position)

    def register(
        self,
        tag_class: type[JSONTag],
        force: bool = False,
        index: int | None = None,
    ) -> None:
        """Add an instance of ``tag_class``, last in :attr:`order` or at
        ``index``. Its key must be new unless ``force`` is true, which
        replaces the tag registered under it (a KeyError otherwise)."""
        tag = tag_class(self)
        if tag.key:
            if tag.key in self.tags and not force:
                raise KeyError(f"Tag '{tag.key}' is already registered.")
            self.tags[tag.key] = tag
        self.order.insert(len(self.order) if index is None else index, tag)
        self._scalars_untagged = all(type(known) in _BUILT_IN for known in self.order)

    def tag(self, value: t.Any) -> t.Any:
        """``value`` converted by the first tag that accepts it (itself
        when none does)."""
        if self._scalars_untagged and type(value) in _UNTAGGED_SCALARS:
            return value
        for candidate in self.order:
            if candidate.check(value):
                return candidate.tag(value)
        return value

    def untag(self, value: dict[str, t.Any]) -> t.Any:
        """The Python value of a tagged object; anything else (not one
        key, or not a registered tag) as it is."""
        if len(value) == 1:
            ((key, payload),) = value.items()
            found = self.tags.get(key)
            if found is not None:
                return found.to_python(payload)
        return value

    def _untag_tree(self, value: t.Any) -> t.Any:
        """Untag a loaded document from the leaves up."""
        if isinstance(value, dict):
            return self.untag({k: self._untag_tree(v) for k, v in value.items()})
        if isinstance(value, list):
            return [self._untag_tree(item) for item in value]
        return value

    def dumps(self, value: t.Any) -> str:
        """``value`` as compact tagged JSON."""
        return dumps(self.tag(value), separators=(",", ":"))

    def loads(self, value: str) -> t.Any:
        """The value of tagged JSON, every tag converted back."""
        return self._untag_tree(loads(value))
