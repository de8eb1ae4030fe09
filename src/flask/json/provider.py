"""JSON providers: the interface an app goes through for JSON, and the
standard library implementation it gets by default.

``json.dumps`` builds a new encoder on every call, and the encoder builds
the standard library's C encoder on every ``encode``. The default
provider keeps one encoding function per combination of options instead,
made on first use: the options are part of the key, so changing
``sort_keys`` or ``default`` on a provider after it has served requests
takes effect at once. For compact output the function calls a C encoder
made once, without the table of objects being encoded that detects
circular references (so it holds no state between calls or threads): a
circular value exhausts the recursion limit instead, and is then encoded
again the standard way, which raises the usual ``ValueError``.
"""

from __future__ import annotations

import dataclasses
import json
import json.encoder
import typing as t
import weakref
from datetime import date
from decimal import Decimal
from functools import cached_property
from uuid import UUID

from werkzeug.http import http_date

from .._responses import _content_type
from .._responses import _text_response

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.sansio.response import Response

    from ..sansio.app import App

#: Distinct option sets an encoder is kept for; beyond it they are dropped.
_ENCODER_LIMIT = 32
#: The layouts of JSON responses: indented, or without whitespace.
_INDENTED: t.Mapping[str, t.Any] = {"indent": 2}
_COMPACT: t.Mapping[str, t.Any] = {"separators": (",", ":")}


class JSONProvider:
    """What an app uses for JSON: dumping, loading and JSON responses.

    To use another JSON library, subclass this, implement :meth:`dumps`
    and :meth:`loads`, and set ``app.json_provider_class`` (or assign an
    instance to ``app.json``). The other methods are built on those two.
    """

    def __init__(self, app: App) -> None:
        # A proxy: the app owns its provider, not the other way round.
        self._app: App = weakref.proxy(app)

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """``obj`` as a JSON string; ``kwargs`` go to the library."""
        raise NotImplementedError

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """The value a JSON document (text or bytes) holds."""
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Write ``obj`` as JSON to the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """The value of the JSON document read from ``fp``."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> t.Any:
        """What a response serializes: the one positional argument, the
        positional arguments as an array, the keyword arguments as an
        object, or null when there are none."""
        if not args:
            return kwargs or None
        if kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        return args if len(args) > 1 else args[0]

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response of the arguments (see :func:`flask.jsonify`)."""
        body = self.dumps(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body, mimetype="application/json")


def _loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """:func:`json.loads`, except that a document nested deeper than the
    decoder can follow is a ValueError like any other malformed input (a
    400 for a request body), not a RecursionError (a 500)."""
    try:
        return json.loads(s, **kwargs)
    except RecursionError as e:
        raise ValueError("The JSON document is nested too deeply.") from e


def _default(o: t.Any) -> t.Any:
    """The JSON form of values the standard library does not know: dates
    as HTTP dates, decimals and UUIDs as strings, dataclass instances as
    objects, and anything with ``__html__`` as its markup."""
    if isinstance(o, date):
        return http_date(o)
    if isinstance(o, (Decimal, UUID)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    markup = getattr(o, "__html__", None)
    if markup is None:
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
    return str(markup())


class DefaultJSONProvider(JSONProvider):
    """JSON through the standard library's :mod:`json`, with the types
    :func:`_default` adds. The class attributes below may be changed on
    the class or on an app's instance (``app.json.sort_keys = False``).
    """

    #: Called with each object ``json`` cannot serialize.
    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)
    #: Write non-ASCII characters as ``\u`` escapes.
    ensure_ascii = True
    #: Write the keys of every object in sorted order.
    sort_keys = True
    #: Responses without whitespace (True), indented (False), or indented
    #: only in debug mode (None).
    compact: bool | None = None
    #: The mimetype of responses.
    mimetype = "application/json"

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """``obj`` as JSON; the provider's ``default``, ``ensure_ascii``
        and ``sort_keys`` apply unless ``kwargs`` give them."""
        options = {
            "default": self.default,
            "ensure_ascii": self.ensure_ascii,
            "sort_keys": self.sort_keys,
            **kwargs,
        }
        encode = self._reusable_encoder(options)
        if encode is None:
            return json.dumps(obj, **options)
        return encode(obj)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """The value of a JSON document; one nested too deeply to decode
        is a ValueError."""
        return _loads(s, **kwargs)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response of the arguments with a final newline, compact
        or indented as :attr:`compact` and debug mode say."""
        compact = self.compact
        indented = compact is False or (compact is None and self._app.debug)
        obj = self._prepare_response_obj(args, kwargs)
        encode = None
        if type(self).dumps is DefaultJSONProvider.dumps:
            encode = self._response_encoder(indented)
        if encode is not None:
            text = encode(obj)  # what dumps(obj, **layout) does
        else:
            text = self.dumps(obj, **(_INDENTED if indented else _COMPACT))
        return _text_response(
            self._app.response_class,  # type: ignore[arg-type]
            text + "\n",
            _content_type(self.mimetype),
        )

    @cached_property
    def _encoders(self) -> dict[tuple[t.Any, ...], _Encode]:
        return {}

    @cached_property
    def _response_encoders(self) -> dict[tuple[t.Any, ...], _Encode]:
        return {}

    def _response_encoder(self, indented: bool) -> _Encode | None:
        """The encoding function of responses, found by the provider's
        ``default``, ``ensure_ascii`` and ``sort_keys`` and the layout;
        None when one of them can't be a key (``dumps`` copes)."""
        key = (self.default, self.ensure_ascii, self.sort_keys, indented)
        encoders = self._response_encoders
        try:
            found = encoders.get(key)
        except TypeError:
            return None
        if found is None:
            found = self._reusable_encoder(
                {
                    "default": self.default,
                    "ensure_ascii": self.ensure_ascii,
                    "sort_keys": self.sort_keys,
                    **(_INDENTED if indented else _COMPACT),
                }
            )
            if found is None:  # pragma: no cover - hashable options, no cls
                return None
            if len(encoders) >= _ENCODER_LIMIT:
                encoders.clear()
            encoders[key] = found
        return found

    def _reusable_encoder(self, options: dict[str, t.Any]) -> _Encode | None:
        """The kept encoding function for these options, made if missing;
        None when they can't be a key (an unhashable value) or name a
        ``cls``."""
        if "cls" in options:
            return None
        key = tuple(options.items())
        encoders = self._encoders
        try:
            found = encoders.get(key)
        except TypeError:
            return None
        if found is None:
            if len(encoders) >= _ENCODER_LIMIT:
                encoders.clear()
            found = encoders[key] = _one_shot(json.JSONEncoder(**options))
        return found


_Encode = t.Callable[[t.Any], str]


def _one_shot(encoder: json.JSONEncoder) -> _Encode:
    """``encoder.encode``, through a C encoder made once when the standard
    library has one and the output is compact (see the module)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None or encoder.indent is not None:
        return encoder.encode
    text = (
        json.encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json.encoder.encode_basestring
    )
    chunks = make(
        None,
        encoder.default,
        text,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def encode(obj: t.Any) -> str:
        if isinstance(obj, str):
            return text(obj)
        try:
            return "".join(chunks(obj, 0))
        except RecursionError:
            return encoder.encode(obj)  # a circular value: the usual error

    return encode
