"""Flask's Request and Response, over Werkzeug's."""

from __future__ import annotations

import inspect
import typing as t
from functools import cache
from urllib.parse import unquote
from urllib.parse import unquote_to_bytes

import werkzeug.urls  # noqa: F401  (registers the "werkzeug.url_quote" error handler)
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import Headers
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as RequestBase
from werkzeug.wrappers import Response as ResponseBase
from werkzeug.wsgi import LimitedStream

from . import json
from ._responses import _STATUS
from .globals import _cv_app
from .helpers import _split_blueprint_path

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import Rule


class _FormDataParser(FormDataParser):
    """Werkzeug's form parser with a faster URL-encoded path: fields
    without ``+`` or ``%`` are used as they are instead of being unquoted.
    The result is the same as :func:`urllib.parse.parse_qsl`'s with
    ``keep_blank_values=True``, as Werkzeug calls it."""

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> tuple[t.IO[bytes], MultiDict[str, t.Any], MultiDict[str, t.Any]]:
        items = _parse_urlencoded_fields(stream.read().decode())
        return stream, self.cls(items), self.cls()


def _unquote_field(value: str) -> str:
    if "+" in value:
        value = value.replace("+", " ")
    if "%" in value:
        if value.isascii():  # one run of ASCII: what unquote() does with it
            return unquote_to_bytes(value).decode(errors="werkzeug.url_quote")
        value = unquote(value, errors="werkzeug.url_quote")
    return value


def _parse_urlencoded_fields(body: str) -> list[tuple[str, str]]:
    """``a=1&b&c=%20`` -> ``[("a", "1"), ("b", ""), ("c", " ")]``."""
    items = []
    for field in body.split("&") if body else ():
        if field:
            name, _, value = field.partition("=")
            items.append((_unquote_field(name), _unquote_field(value)))
    return items


def _escape_invalid_utf8(raw: bytes) -> bytes:
    """Percent-escape the bytes of a query string that aren't UTF-8, so
    ``a=\\xff`` reads like ``a=%FF`` instead of failing to decode (a 500)."""
    try:
        raw.decode()
    except UnicodeDecodeError:
        return raw.decode(errors="werkzeug.url_quote").encode()
    return raw


class _MaxLengthStream(LimitedStream):
    """A body of unknown length (chunked) limited to ``MAX_CONTENT_LENGTH``:
    Werkzeug's stops quietly at the limit, handing the view a truncated
    body; this one raises 413 when more data follows."""

    _checked = False

    def __init__(self, stream: t.IO[bytes], limit: int) -> None:
        super().__init__(stream, limit, is_max=True)

    def readinto(self, b: bytearray) -> int | None:  # type: ignore[override]
        size = super().readinto(b)
        if self.is_exhausted and not self._checked:
            self._checked = True
            try:
                more = self._stream.read(1)
            except (OSError, ValueError):
                more = b""
            if more:
                raise RequestEntityTooLarge()
        return size


class Request(RequestBase):
    """The request object: Werkzeug's, plus the URL match, the app's
    limits from config and Flask's JSON error handling."""

    json_module: t.Any = json
    form_data_parser_class = _FormDataParser

    #: The rule that matched, set by ``RequestContext.match_request``.
    url_rule: Rule | None = None
    #: The view arguments that matched.
    view_args: dict[str, t.Any] | None = None
    #: The routing error raised at dispatch, if matching failed.
    routing_exception: HTTPException | None = None

    def __init__(
        self,
        environ: WSGIEnvironment,
        populate_request: bool = True,
        shallow: bool = False,
    ) -> None:
        super().__init__(environ, populate_request, shallow)
        if not self.query_string.isascii():
            self.query_string = _escape_invalid_utf8(self.query_string)

    #: Whether the constructor is Flask's, so a request context may make
    #: the request on first use (views that never read ``request`` don't pay
    #: for it); a subclass with its own constructor is made at once, as it
    #: could do something at creation.
    _lazy_init = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._lazy_init = cls.__init__ is Request.__init__

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    @property
    def max_content_length(self) -> int | None:
        """Set on the request, else ``MAX_CONTENT_LENGTH``, else unlimited."""
        if self._max_content_length is not None:
            return self._max_content_length
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().max_content_length
        return ctx.app.config["MAX_CONTENT_LENGTH"]  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """Set on the request, else ``MAX_FORM_MEMORY_SIZE``."""
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().max_form_memory_size
        return ctx.app.config["MAX_FORM_MEMORY_SIZE"]  # type: ignore[no-any-return]

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property  # type: ignore[override]
    def max_form_parts(self) -> int | None:
        """Set on the request, else ``MAX_FORM_PARTS``."""
        if self._max_form_parts is not None:
            return self._max_form_parts
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().max_form_parts
        return ctx.app.config["MAX_FORM_PARTS"]  # type: ignore[no-any-return]

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    @cached_property
    def stream(self) -> t.IO[bytes]:
        """The body stream, limited to :attr:`max_content_length`; a body
        sent without a length that goes past it is a 413, not cut short."""
        # Werkzeug's first: it refuses a shallow request and a declared
        # Content-Length over the limit (413) before anything is read.
        stream: t.IO[bytes] = RequestBase.stream.fget(self)  # type: ignore[attr-defined]
        limit = self.max_content_length
        if limit is not None and "wsgi.input_terminated" in self.environ:
            return _MaxLengthStream(self.environ["wsgi.input"], limit)  # type: ignore[return-value]
        return stream

    @property
    def endpoint(self) -> str | None:
        """The endpoint that matched the request, or None."""
        if self.url_rule is not None:
            return self.url_rule.endpoint  # type: ignore[no-any-return]
        return None

    @property
    def blueprint(self) -> str | None:
        """The registered name of the blueprint that handled the request."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        return _split_blueprint_path(name)

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
        try:
            super()._load_form_data()
        finally:
            self._close_unused_files()
        self._drop_nameless_fields()
        # In debug mode, explain a file field read through ``form`` when the
        # form was not sent as multipart.
        ctx = _cv_app.get(None)
        if (
            ctx is not None
            and ctx.app.debug
            and self.mimetype != "multipart/form-data"
            and not self.files
        ):
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

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Raise a 400 for malformed JSON; with the parse error in debug."""
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as ebr:
            ctx = _cv_app.get(None)
            if ctx is not None and ctx.app.debug:
                raise
            raise BadRequest() from ebr


class Response(ResponseBase):
    """The response object: Werkzeug's with ``text/html`` as the default
    mimetype and the cookie size limit from ``MAX_COOKIE_SIZE``."""

    default_mimetype: str | None = "text/html"
    json_module = json
    autocorrect_location_header = False

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """``MAX_COOKIE_SIZE`` of the current app, else Werkzeug's default."""
        ctx = _cv_app.get(None)
        if ctx is not None:
            return ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]
        return super().max_cookie_size

    @classmethod
    def _from_http_exception(
        cls, e: HTTPException, environ: WSGIEnvironment
    ) -> ResponseBase:
        """The response ``e`` produces as a WSGI app. For stock exceptions
        with their class's description the body is built once per class."""
        if e.response is None and _renders_like_base(e):
            key = (type(e), e.code, e.description)
            body = _error_bodies.get(key)
            if body is None:
                if len(_error_bodies) >= 256:
                    _error_bodies.clear()
                body = _error_bodies[key] = e.get_body(environ)
            return cls(body, e.code, content_type=_ERROR_CONTENT_TYPE)
        return e.get_response(environ)

    #: Whether status, headers, body iteration and closing are Werkzeug's
    #: (subclasses that change them always take Werkzeug's path).
    _stock_wsgi = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._stock_wsgi = (
            cls.get_app_iter is Response.get_app_iter
            and cls.iter_encoded is Response.iter_encoded
            and cls.close is Response.close
            and inspect.getattr_static(cls, "status") is _STATUS
            and inspect.getattr_static(cls, "status_code") is _STATUS_CODE
        )

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
