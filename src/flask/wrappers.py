"""Flask's request and response: Werkzeug's, bound to the current app.

What the app adds over Werkzeug's objects, in three groups:

- settings that come from the app's config unless set on the object
  (``MAX_CONTENT_LENGTH``, ``MAX_FORM_MEMORY_SIZE``, ``MAX_FORM_PARTS``,
  ``MAX_COOKIE_SIZE``), through one descriptor, :class:`_AppSetting`;
- the URL match (rule, arguments, endpoint, blueprints) the request context
  writes on the request;
- the answers to hostile input: a body over the limit is a 413 before it is
  buffered, even when sent chunked; nameless multipart parts are dropped;
  upload files are closed when parsing fails; a query string that isn't
  UTF-8 is percent-escaped instead of failing to decode.

The hot paths (URL-encoded forms, in :mod:`flask._request_body`, and
finishing a response) have fast versions that give the same result as
Werkzeug's general code.
"""

from __future__ import annotations

import inspect
import typing as t
from functools import cache

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from werkzeug.datastructures import EnvironHeaders
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import Headers
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import FormDataParser
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as RequestBase
from werkzeug.wrappers import Response as ResponseBase
from werkzeug.wsgi import LimitedStream

import flask.json as _flask_json

from ._request_body import _escape_invalid_utf8
from ._request_body import _FormDataParser
from ._request_body import _MaxLengthStream
from ._request_body import _parse_urlencoded_body
from ._request_body import _read_exactly
from ._responses import _builds_like_werkzeug
from ._responses import _STATUS
from ._responses import _text_response
from ._responses import AsyncChunks
from .globals import _cv_app
from .helpers import _blueprint_chain

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import Rule

_T = t.TypeVar("_T")


class _AppSetting(t.Generic[_T]):
    """An attribute whose value is, in order: what was set on the object,
    else the current app's ``config[key]``, else (outside an app context)
    the default of the Werkzeug class below. Setting None returns to the
    config. The value set is kept in the instance's ``__dict__`` under the
    attribute's own name (this data descriptor shadows it)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.name = ""
        self.fallback: t.Any = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        inherited = (vars(k) for k in owner.__mro__[1:])
        self.fallback = next(d[name] for d in inherited if name in d)
        self.__doc__ = f"Set on the object, else ``{self.key}``."

    @t.overload
    def __get__(self, obj: None, owner: type | None = None) -> _AppSetting[_T]: ...

    @t.overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> t.Any:
        if obj is None:
            return self
        own = obj.__dict__.get(self.name)
        if own is not None:
            return own
        ctx = _cv_app.get(None)
        return self.fallback if ctx is None else ctx.app.config[self.key]

    def __set__(self, obj: object, value: _T) -> None:
        obj.__dict__[self.name] = value


def _in_debug_mode() -> bool:
    """Whether an app is active and in debug mode."""
    ctx = _cv_app.get(None)
    return ctx is not None and bool(ctx.app.debug)


class Request(RequestBase):
    """The request object: Werkzeug's, with the URL match written on it by
    the request context, the body limits of the app's config and Flask's
    handling of bad JSON."""

    #: Where :meth:`get_json` finds ``loads``: the request context puts the
    #: app's JSON provider here.
    json_module: t.Any = _flask_json
    form_data_parser_class: type[FormDataParser] = _FormDataParser

    #: The URL rule that matched (set when the request is matched).
    url_rule: Rule | None = None
    #: The arguments the rule matched, passed to the view.
    view_args: dict[str, t.Any] | None = None
    #: The routing error (404, 405, redirect) matching raised, if any.
    routing_exception: HTTPException | None = None

    max_content_length = _AppSetting[int | None]("MAX_CONTENT_LENGTH")
    max_form_memory_size = _AppSetting[int | None]("MAX_FORM_MEMORY_SIZE")
    max_form_parts = _AppSetting[int | None]("MAX_FORM_PARTS")  # type: ignore[assignment]

    #: Whether the constructor is this class's, so a request context may
    #: make the request on first use (views that never read ``request``
    #: don't pay for it); a subclass with its own constructor is made at
    #: once, as it could do something at creation.
    _lazy_init: bool = True

    #: Whether the class reads forms the way this one does, so a
    #: URL-encoded body may be parsed without building the form parser.
    _stock_form_loading: bool = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._lazy_init = cls.__init__ is Request.__init__
        cls._stock_form_loading = all(
            inspect.getattr_static(cls, name) is inspect.getattr_static(Request, name)
            for name in _FORM_LOADING
        )

    def __init__(
        self,
        environ: WSGIEnvironment,
        populate_request: bool = True,
        shallow: bool = False,
    ) -> None:
        super().__init__(environ, populate_request, shallow)
        if not self.query_string.isascii():
            self.query_string = _escape_invalid_utf8(self.query_string)

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The cookies sent, as Werkzeug parses them; the header is read
        from the environ's one key rather than by scanning all of them."""
        headers = self.headers
        if type(headers) is not EnvironHeaders or headers.environ is not self.environ:
            return RequestBase.cookies.fget(self)  # type: ignore[attr-defined,no-any-return]
        cookie = self.environ.get("HTTP_COOKIE")
        return parse_cookie(cookie, cls=self.dict_storage_class)  # type: ignore[return-value]

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule; None before or without a match."""
        rule = self.url_rule
        return None if rule is None else rule.endpoint

    @property
    def blueprint(self) -> str | None:
        """The registered name of the blueprint owning the endpoint (what
        precedes its last dot), or None for an app endpoint."""
        owner, dot, _ = (self.endpoint or "").rpartition(".")
        return owner if dot else None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint and the ones it is nested in, innermost first."""
        return list(_blueprint_chain(self.endpoint))

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body stream, limited to :attr:`max_content_length`; a body
        sent without a length that goes past it is a 413, not cut short."""
        environ = self.environ
        length = self._plain_length()
        if length is not None:
            # What Werkzeug's gives for this request, made directly.
            made = LimitedStream(environ["wsgi.input"], length)
            if self.__dict__.pop("_body_read", False):
                made._pos = length  # the form read it: as consumed as Werkzeug's
            return made  # type: ignore[return-value]
        # Werkzeug's first: it refuses a shallow request and a declared
        # Content-Length over the limit (413) before anything is read.
        stream: t.IO[bytes] = RequestBase.stream.fget(self)  # type: ignore[attr-defined]
        limit = self.max_content_length
        if limit is not None and "wsgi.input_terminated" in environ:
            return _MaxLengthStream(environ["wsgi.input"], limit)  # type: ignore[return-value]
        return stream

    def _plain_length(self) -> int | None:
        """The Content-Length when :attr:`stream` is Werkzeug's plain
        ``LimitedStream`` of it over ``wsgi.input`` (a length within the
        limit, sent as digits; not shallow; a server that doesn't terminate
        the input itself); else None."""
        environ = self.environ
        length = environ.get("CONTENT_LENGTH")
        if (
            type(length) is not str
            or not length.isdigit()
            or not length.isascii()
            or "HTTP_TRANSFER_ENCODING" in environ
            or "wsgi.input_terminated" in environ
            or self.shallow
        ):
            return None
        size = int(length)
        limit = self.max_content_length
        return size if limit is None or size <= limit else None

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Bad JSON is a 400. Werkzeug's error quotes the decoder's
        message: it is kept in debug mode, and outside it replaced by a
        plain 400 (chained to it) so responses don't echo parser details."""
        if _in_debug_mode():
            return super().on_json_loading_failed(e)
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as detailed:
            raise BadRequest() from detailed

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> t.IO[bytes]:
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        # Recorded so a file whose part failed to parse can be closed.
        self.__dict__.setdefault("_opened_files", []).append(stream)
        return stream

    def _load_form_data(self) -> None:
        if self._stock_form_loading and self._load_urlencoded():
            if _in_debug_mode():
                self._explain_missing_enctype()
            return
        try:
            super()._load_form_data()
        finally:
            self._close_unused_files()
        self._drop_nameless_fields()
        if self.mimetype != "multipart/form-data" and _in_debug_mode():
            self._explain_missing_enctype()

    def _load_urlencoded(self) -> bool:
        """Load a URL-encoded form as our parser does (a body that is not
        UTF-8 is a 400), without making the parser; False,
        having done nothing, when the request needs the general path."""
        loaded = self.__dict__
        if (
            self.environ.get("CONTENT_TYPE") != _URLENCODED
            or "form" in loaded
            or "stream" in loaded
            or "_cached_data" in loaded
            or self.form_data_parser_class is not _FormDataParser
        ):
            return False
        length = self._plain_length()
        if length is None:
            body = self.stream.read()
        else:
            # Read without making the stream: it is made, consumed, if asked for.
            body = _read_exactly(self.environ["wsgi.input"], length)
            loaded["_body_read"] = True
        storage = self.parameter_storage_class
        loaded["form"] = storage(_parse_urlencoded_body(body))
        loaded["files"] = storage()
        return True

    def _explain_missing_enctype(self) -> None:
        """In debug mode, a form posted without ``multipart/form-data``
        has no files: reading one then says why instead of a bare KeyError."""
        if not self.files:
            from .debughelpers import attach_enctype_error_multidict

            attach_enctype_error_multidict(self)

    def _close_unused_files(self) -> None:
        """Close the files of parts that didn't make it into ``files``
        (the body failed to parse, or hit a limit, mid-file)."""
        opened = self.__dict__.pop("_opened_files", None)
        if not opened:
            return
        files = self.__dict__.get("files")
        kept = {id(f.stream) for _, f in files.items(multi=True)} if files else set()
        for stream in opened:
            if id(stream) not in kept:
                stream.close()

    def _drop_nameless_fields(self) -> None:
        """Drop multipart parts sent without a name (which every part must
        have): Werkzeug keeps them under the key None, which breaks code
        expecting string keys."""
        for attr in ("form", "files"):
            data = self.__dict__.get(attr)
            if data is not None and None in data:
                for value in data.getlist(None):
                    if isinstance(value, FileStorage):
                        value.close()
                self.__dict__[attr] = type(data)(
                    (k, v) for k, v in data.items(multi=True) if k is not None
                )


_URLENCODED = "application/x-www-form-urlencoded"
#: What a subclass may override that changes how a form is read.
_FORM_LOADING = (
    "_load_form_data",
    "make_form_data_parser",
    "_get_stream_for_parsing",
    "want_form_data_parsed",
    "stream",
    "mimetype",
    "mimetype_params",
    "content_length",
)


class Response(ResponseBase):
    """The response object: Werkzeug's, ``text/html`` unless told
    otherwise, with the cookie size limit of the app's config."""

    default_mimetype: str | None = "text/html"
    #: Where :meth:`get_json` finds ``loads`` (the test client puts the
    #: app's JSON provider here).
    json_module: t.Any = _flask_json
    #: Location headers are sent as given, relative URLs included.
    autocorrect_location_header: bool = False
    max_cookie_size = _AppSetting[int]("MAX_COOKIE_SIZE")

    @classmethod
    def _from_http_exception(
        cls, e: HTTPException, environ: WSGIEnvironment
    ) -> ResponseBase:
        """The response ``e`` produces as a WSGI app. For stock exceptions
        with their class's description the body is built once per class, and
        for a class built like Werkzeug's the response is assembled."""
        stock = _builds_like_werkzeug(cls)  # type: ignore[arg-type]
        if e.response is None and stock and _renders_like_base(e):
            key = (type(e), e.code, e.description)
            body = _error_bodies.get(key)
            if body is None:
                if len(_error_bodies) >= 256:
                    _error_bodies.clear()
                body = _error_bodies[key] = e.get_body(environ)
            return _text_response(cls, body, _ERROR_CONTENT_TYPE, e.code)
        return e.get_response(environ)

    #: Whether status, headers, body iteration and closing are Werkzeug's
    #: (subclasses that change them always take Werkzeug's path).
    _stock_wsgi = True
    #: Whether, besides, ``get_wsgi_response`` is this class's: a server
    #: adapter may then read status, headers and a whole body directly.
    _stock_reply = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._stock_wsgi = (
            cls.get_app_iter is Response.get_app_iter
            and cls.iter_encoded is Response.iter_encoded
            and cls.close is Response.close
            and cls.get_wsgi_headers is ResponseBase.get_wsgi_headers
            and inspect.getattr_static(cls, "status") is _STATUS
            and inspect.getattr_static(cls, "status_code") is _STATUS_CODE
        )
        cls._stock_reply = (
            cls._stock_wsgi and cls.get_wsgi_response is Response.get_wsgi_response
        )

    def iter_encoded(self) -> t.Iterator[bytes]:
        """Werkzeug's, for an async iterable body too (``Response(agen())``),
        read step by step through ``async_to_sync``."""
        body = self.response
        if hasattr(body, "__aiter__") and not isinstance(body, AsyncChunks):
            self.response = AsyncChunks(body)  # type: ignore[arg-type]
        return super().iter_encoded()

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[t.Iterable[bytes], str, list[tuple[str, str]]]:
        """Werkzeug's, without copying the headers when finalising them
        would change nothing (no 1xx/204/304 status, no Location or
        Content-Location to rewrite, no Content-Length to compute), and
        without wrapping a body of bytes that needs no closing."""
        if not self._stock_wsgi:
            return super().get_wsgi_response(environ)
        status = self._status_code
        if status < 200 or status == 204 or status == 304:
            return super().get_wsgi_response(environ)
        headers = self.headers
        if type(headers) is not Headers or not _HEADERS_IN_LIST:
            return super().get_wsgi_response(environ)
        wsgi_headers = list(headers._list)
        has_length = False
        for key, _ in wsgi_headers:
            key = key.lower()
            if key == "content-length":
                has_length = True
            elif key == "location" or key == "content-location":
                return super().get_wsgi_response(environ)
        if (
            not has_length
            and self.automatically_set_content_length
            and self.is_sequence
        ):
            return super().get_wsgi_response(environ)
        body = self.response
        if (
            type(body) is list
            and not self._on_close
            and not self.direct_passthrough
            and environ["REQUEST_METHOD"] != "HEAD"
            and ((len(body) == 1 and type(body[0]) is bytes) or _all_bytes(body))
        ):
            # Closing it would do nothing: no close() on a list, no callbacks.
            return body, self._status, wsgi_headers
        return self.get_app_iter(environ), self._status, wsgi_headers


def _all_bytes(chunks: list[t.Any]) -> bool:
    for chunk in chunks:
        if type(chunk) is not bytes:
            return False
    return True


_STATUS_CODE = inspect.getattr_static(ResponseBase, "status_code")
#: Whether Werkzeug keeps headers in a plain list (copied directly rather
#: than through ``to_wsgi_list``'s iterator).
_HEADERS_IN_LIST = type(getattr(Headers([("a", "b")]), "_list", None)) is list

_ERROR_CONTENT_TYPE = "text/html; charset=utf-8"
_error_bodies: dict[tuple[type[HTTPException], int | None, str | None], str] = {}


def _renders_like_base(e: HTTPException) -> bool:
    """Whether ``e``'s page depends only on its class, code and
    description: not given to the instance, and the class keeps Werkzeug's
    stock rendering."""
    return "description" not in e.__dict__ and _stock_page_class(type(e))  # type: ignore[arg-type]


@cache
def _stock_page_class(cls: type[HTTPException]) -> bool:
    """Whether the class renders Werkzeug's stock page with a plain class
    description (a property, like ``BadRequestKeyError``'s, may differ per
    instance)."""
    return (
        isinstance(inspect.getattr_static(cls, "description", None), (str, type(None)))
        and cls.get_response is HTTPException.get_response
        and cls.__call__ is HTTPException.__call__
        and cls.get_body is HTTPException.get_body
        and cls.get_headers is HTTPException.get_headers
        and cls.get_description is HTTPException.get_description
    )
