"""Responses for a string, assembled directly.

A view returning a string, and a JSON response, are made the way
``response_class(text, content_type=...)`` makes them; Werkzeug's
constructor validates and sets each header through several calls, so for
a class that keeps Werkzeug's construction the result is assembled
directly, after checking once per class that both ways give equal objects.
"""

from __future__ import annotations

import collections.abc as cabc
import inspect
import typing as t
from functools import cache
from functools import lru_cache

from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type
from werkzeug.wrappers import Response as ResponseBase

_TextMaker = t.Callable[[str], ResponseBase]
_DEFAULT: t.Any = object()
_text_makers: dict[tuple[t.Any, ...], _TextMaker] = {}


def _text_response(
    cls: type[ResponseBase],
    text: str,
    content_type: str | None = _DEFAULT,
    status: int | None = None,
) -> ResponseBase:
    """``cls(text, status, content_type=content_type)``, the class's
    default content type if none is given: what a view returning a string
    gets, or an HTTP error's page. Made directly when the class builds it
    Werkzeug's way."""
    key = (
        cls,
        content_type,
        status,
        cls.default_mimetype,
        cls.default_status,
        cls.automatically_set_content_length,
    )
    maker = _text_makers.get(key)
    if maker is None:
        if len(_text_makers) >= 64:
            _text_makers.clear()
        if content_type is _DEFAULT:
            content_type = _default_content_type(cls)
        maker = _text_makers[key] = _text_maker(cls, content_type, status)
    return maker(text)


_content_types: dict[tuple[type[ResponseBase], str | None], str | None] = {}


def _default_content_type(cls: type[ResponseBase]) -> str | None:
    """The Content-Type a response class gives a body by default."""
    key = (cls, cls.default_mimetype)
    try:
        return _content_types[key]
    except KeyError:
        mimetype = cls.default_mimetype
        value = get_content_type(mimetype, "utf-8") if mimetype else None
        _content_types[key] = value
        return value


def _text_maker(
    cls: type[ResponseBase], content_type: str | None, status: int | None = None
) -> _TextMaker:
    """A function making ``cls``'s response with ``content_type`` and
    ``status`` (the class's default if None) for a string.

    Werkzeug's constructor validates and sets each header through several
    calls; for a class that keeps Werkzeug's constructor, status and body
    handling, the result is assembled directly. The shortcut is used only
    if it gives an object equal, attribute by attribute, to the one the
    constructor gives, so a Werkzeug that builds responses differently
    falls back to its constructor.
    """

    def construct(text: str) -> ResponseBase:
        return cls(text, status, content_type=content_type)

    if content_type is None or not _builds_like_werkzeug(cls):  # type: ignore[arg-type]
        return construct

    probe = construct("probe")
    status_line, status_code = probe._status, probe._status_code

    typed = ("Content-Type", content_type)  # shared: header pairs are tuples

    def assemble(text: str) -> ResponseBase:
        data = text.encode()
        size = len(data)
        headers = Headers.__new__(Headers)
        headers._list = [typed, ("Content-Length", _SIZES.get(size) or _size(size))]
        rv = cls.__new__(cls)
        rv.headers = headers
        rv._status = status_line
        rv._status_code = status_code
        rv.direct_passthrough = False
        rv._on_close = []
        rv.response = [data]
        return rv

    if _same_state(assemble("probe"), probe):
        return assemble
    return construct


#: Body size -> its Content-Length value, for the sizes met (bounded).
_SIZES: dict[int, str] = {}


def _size(size: int) -> str:
    text = str(size)
    if len(_SIZES) < 4096:
        _SIZES[size] = text
    return text


@cache
def _builds_like_werkzeug(cls: type[ResponseBase]) -> bool:
    """Whether ``cls`` keeps the construction, status and body handling of
    Werkzeug's response (so an instance is Werkzeug's with its class set);
    checked once per class."""
    return (
        cls.__init__ is ResponseBase.__init__
        and cls.__new__ is object.__new__
        and cls.set_data is ResponseBase.set_data
        and cls._clean_status is ResponseBase._clean_status
        and cls.automatically_set_content_length is True
        and inspect.getattr_static(cls, "status") is _STATUS
        and inspect.getattr_static(cls, "headers", None) is None
    )


def _same_state(a: object, b: object) -> bool:
    """Whether two objects have the same attributes with equal values."""
    vars_a, vars_b = vars(a), vars(b)
    return vars_a.keys() == vars_b.keys() and all(
        type(vars_a[k]) is type(vars_b[k]) and vars_a[k] == vars_b[k] for k in vars_a
    )


_STATUS = inspect.getattr_static(ResponseBase, "status")


@lru_cache(maxsize=64)
def _content_type(mimetype: str) -> str:
    """The Content-Type header Werkzeug sends for ``mimetype``."""
    return get_content_type(mimetype, "utf-8")


class AsyncChunks:
    """A body from an async iterable (an ``async def`` generator): read on
    the loop by the ASGI adapter, and step by step through the app's
    ``async_to_sync`` by a WSGI server."""

    __slots__ = ("chunks",)

    def __init__(self, chunks: cabc.AsyncIterable[t.Any]) -> None:
        self.chunks = chunks

    def __aiter__(self) -> cabc.AsyncIterator[t.Any]:
        return self.chunks.__aiter__()

    def __iter__(self) -> cabc.Iterator[t.Any]:
        # Imported here: asyncio is costly to import for sync apps.
        from ._async import iterate_sync

        return iterate_sync(self.chunks)
