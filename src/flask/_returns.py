"""What a view may return, and the response made of it (the first half of
stage 6 of :mod:`flask._pipeline`), bound as ``Flask.make_response``."""

from __future__ import annotations

import collections.abc as cabc
import sys
import typing as t

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from ._responses import _default_content_type
from ._responses import _text_response
from ._responses import AsyncChunks
from .globals import _cv_request
from .globals import request
from .globals import request_ctx

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .typing import ResponseReturnValue
    from .wrappers import Response

#: Bodies the response class takes as they are.
_BODIES = (str, bytes, bytearray, cabc.Iterator)
#: The second item of a pair that makes it ``(body, headers)``.
_HEADER_SHAPES = (Headers, dict, tuple, list)

_BAD_TUPLE = (
    "The view function did not return a valid response tuple. The tuple"
    " must have the form (body, status, headers), (body, status), or"
    " (body, headers)."
)
_BAD_TYPE = (
    "The view function did not return a valid response. The return type"
    " must be a string, dict, list, tuple with headers or status, Response"
    " instance, or WSGI callable, but it was a {kind}."
)


def make_response(app: Flask, rv: ResponseReturnValue) -> Response:
    """Convert a view's return value to ``app.response_class``.

    Accepts a response, str, bytes, a dict or list (JSON), an iterator
    (streamed), a WSGI callable, or a tuple ``(body, status)``,
    ``(body, headers)`` or ``(body, status, headers)``.
    """
    cls = app.response_class
    if type(rv) is str:  # the common case, first
        return _text_response(cls, rv)  # type: ignore[return-value]
    status: t.Any = None
    headers: t.Any = None
    body: t.Any = rv
    if isinstance(rv, tuple):
        body, status, headers = _unpack(rv)
    if body is None:
        raise TypeError(
            f"The view function for {request.endpoint!r} did not return a"
            " valid response. The function either returned None or ended"
            " without a return statement."
        )
    if isinstance(body, cls):
        response = body
    elif type(body) is dict or type(body) is list:  # spared the ABC checks below
        response = app.json.response(body)  # type: ignore[assignment]
    elif isinstance(body, cabc.AsyncIterable) and not isinstance(body, BaseResponse):
        body = AsyncChunks(body)
        response = cls(body, status=status, headers=headers)
        status = headers = None
    elif isinstance(body, _BODIES):
        if headers is None:
            # No header can name a type: spare Werkzeug the search.
            kind = _default_content_type(cls)
            return cls(body, status=status, content_type=kind)  # type: ignore[arg-type]
        return cls(body, status=status, headers=headers)  # type: ignore[arg-type]
    else:
        response = _coerce(app, body)
    if status is not None:
        if isinstance(status, (str, bytes, bytearray)):
            response.status = status  # type: ignore[assignment]
        else:
            response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def _unpack(rv: tuple[t.Any, ...]) -> tuple[t.Any, t.Any, t.Any]:
    """``(body, status, headers)`` of a returned tuple, None for a part
    left out."""
    if len(rv) == 3:
        return rv
    if len(rv) != 2:
        raise TypeError(_BAD_TUPLE)
    body, extra = rv
    if isinstance(extra, _HEADER_SHAPES):
        return body, None, extra
    return body, extra, None


def _coerce(app: Flask, body: t.Any) -> Response:
    """The response for a dict or list (JSON), an HTTP error, another
    response class or a WSGI callable; a TypeError naming the type for
    anything else."""
    if isinstance(body, (dict, list)):
        return app.json.response(body)  # type: ignore[return-value]
    ctx = _cv_request.get(None)
    # The proxy only to raise its error outside a request.
    environ = request_ctx._environ if ctx is None else ctx._environ
    cls = app.response_class
    if isinstance(body, HTTPException):
        # What it would answer as a WSGI app, without running it.
        body = cls._from_http_exception(body, environ)
    if not (isinstance(body, BaseResponse) or callable(body)):
        raise TypeError(_BAD_TYPE.format(kind=type(body).__name__))
    try:
        return cls.force_type(body, environ)  # type: ignore[return-value]
    except TypeError as e:
        message = f"{e}\n{_BAD_TYPE.format(kind=type(body).__name__)}"
        raise TypeError(message).with_traceback(sys.exc_info()[2]) from None
