"""JSON providers: the interface an app uses for JSON, and the default."""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t
import uuid
import weakref
from datetime import date

from werkzeug.http import http_date

from .._responses import _content_type
from .._responses import _text_response

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.sansio.response import Response

    from ..sansio.app import App


class JSONProvider:
    """How an app dumps and loads JSON and makes JSON responses.

    Subclass it, implement :meth:`dumps` and :meth:`loads`, and set
    ``app.json_provider_class`` (or assign ``app.json``) to use another
    library.
    """

    def __init__(self, app: App) -> None:
        self._app: App = weakref.proxy(app)

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` to a JSON string."""
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        """Serialize ``obj`` into a text file."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize a JSON string or bytes."""
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        """Deserialize JSON read from a file."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(
        self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
    ) -> t.Any:
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response of one argument, several (a list) or keyword
        arguments (a dict)."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """:func:`json.loads`, with input nested too deeply for the decoder
    reported as a ValueError (malformed input, a 400 for a request body)
    rather than a RecursionError (a server error)."""
    try:
        return json.loads(s, **kwargs)
    except RecursionError as e:
        raise ValueError("The JSON document is nested too deeply.") from e


def _default(o: t.Any) -> t.Any:
    """Serialize dates as HTTP dates, decimals and UUIDs as strings,
    dataclasses as dicts and ``__html__`` objects as their markup."""
    if isinstance(o, date):
        return http_date(o)
    if isinstance(o, (decimal.Decimal, uuid.UUID)):
        return str(o)
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if hasattr(o, "__html__"):
        return str(o.__html__())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class DefaultJSONProvider(JSONProvider):
    """JSON with the standard library :mod:`json`.

    Responses are compact unless :attr:`compact` is False, or None in
    debug mode (then indented).
    """

    #: Called for objects ``json`` can't serialize.
    default: t.Callable[[t.Any], t.Any] = staticmethod(_default)
    #: Escape non-ASCII characters.
    ensure_ascii = True
    #: Sort the keys of every dict.
    sort_keys = True
    #: Compact responses (True), indented (False), or by debug mode (None).
    compact: bool | None = None
    #: The mimetype of responses.
    mimetype = "application/json"

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize with this provider's ``default``, ``ensure_ascii``
        and ``sort_keys`` unless given."""
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        encoder = self._encoder(kwargs)
        if encoder is None:
            return json.dumps(obj, **kwargs)
        return encoder.encode(obj)

    def _encoder(self, options: dict[str, t.Any]) -> json.JSONEncoder | None:
        """An encoder for these ``json.dumps`` options, made once and reused
        (``json.dumps`` builds one per call); None for options it can't
        cache (a ``cls``, unhashable values)."""
        if "cls" in options:
            return None
        encoders: dict[tuple[t.Any, ...], json.JSONEncoder] | None
        encoders = self.__dict__.get("_encoders")
        if encoders is None:
            encoders = self.__dict__["_encoders"] = {}
        key = tuple(options.items())
        try:
            encoder = encoders.get(key)
        except TypeError:  # an unhashable option value
            return None
        if encoder is None:
            if len(encoders) >= 32:
                encoders.clear()
            encoder = encoders[key] = json.JSONEncoder(**options)
        return encoder

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Deserialize with :func:`json.loads`; a document nested too
        deeply raises ValueError like any other malformed input."""
        return _loads(s, **kwargs)

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        """A JSON response ending with a newline, indented in debug mode."""
        obj = self._prepare_response_obj(args, kwargs)
        dump_args: dict[str, t.Any] = {}
        if (self.compact is None and self._app.debug) or self.compact is False:
            dump_args["indent"] = 2
        else:
            dump_args["separators"] = (",", ":")
        return _text_response(
            self._app.response_class,  # type: ignore[arg-type]
            f"{self.dumps(obj, **dump_args)}\n",
            _content_type(self.mimetype),
        )
