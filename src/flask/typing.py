"""Names for the shapes of views, hooks and what they return.

The names are API (extensions annotate with them), the definitions are
ours. Every hook may be a coroutine function, so each callable type returns
``_Eventually[X]``: an ``X`` or an awaitable of one. Werkzeug's classes are
imported for real, so the aliases are plain runtime objects too.
"""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from werkzeug.datastructures import Headers
from werkzeug.sansio.response import Response

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIApplication

_T = t.TypeVar("_T")
_Eventually = t.Union[_T, t.Awaitable[_T]]
_Context = dict[str, t.Any]

# -- what a view returns -----------------------------------------------------

#: A response body, or a response: text, bytes, JSON-able data, a stream.
ResponseValue = (
    Response
    | str
    | bytes
    | list[t.Any]
    | t.Mapping[str, t.Any]
    | t.Iterator[str]
    | t.Iterator[bytes]
    | cabc.AsyncIterable[str]
    | cabc.AsyncIterable[bytes]
)
#: One header's value: a string, or several.
HeaderValue = t.Union[str, list[str], tuple[str, ...]]
#: Headers in any form ``Headers`` accepts.
HeadersValue = (
    Headers | t.Mapping[str, HeaderValue] | t.Sequence[tuple[str, HeaderValue]]
)
#: A body with an optional status and headers, or a whole WSGI application.
ResponseReturnValue = t.Union[
    ResponseValue,
    tuple[ResponseValue, int],
    tuple[ResponseValue, HeadersValue],
    tuple[ResponseValue, int, HeadersValue],
    "WSGIApplication",
]
#: The app's response class, as after-request functions see it.
ResponseClass = t.TypeVar("ResponseClass", bound=Response)

# -- views and hooks ---------------------------------------------------------

#: A view function, given the URL's variables.
RouteCallable = t.Callable[..., _Eventually[ResponseReturnValue]]
#: ``None`` to go on to the view, or a value that replaces its response.
BeforeRequestCallable = t.Callable[[], _Eventually[t.Optional[ResponseReturnValue]]]
BeforeFirstRequestCallable = t.Callable[[], _Eventually[None]]
#: Receives the response and returns it, or a replacement.
AfterRequestCallable = t.Callable[[ResponseClass], _Eventually[ResponseClass]]
#: Receives the unhandled exception, if any.
TeardownCallable = t.Callable[[t.Optional[BaseException]], _Eventually[None]]
#: Receives the exception it was registered for. Its type depends on the
#: registration key, which a type checker cannot follow: hence ``Any``.
ErrorHandlerCallable = t.Callable[[t.Any], _Eventually[ResponseReturnValue]]
#: ``(endpoint, values)``: fill in default URL values, in place.
URLDefaultCallable = t.Callable[[str, _Context], None]
#: ``(endpoint, values)`` after matching: pop or convert values, in place.
URLValuePreprocessorCallable = t.Callable[[t.Optional[str], t.Optional[_Context]], None]
#: ``None`` for the app itself, or a blueprint's name, keying per-scope hooks.
AppOrBlueprintKey = t.Optional[str]

# -- templates and the shell -------------------------------------------------

TemplateContextProcessorCallable = t.Callable[[], _Eventually[_Context]]
TemplateFilterCallable = t.Callable[..., t.Any]
TemplateGlobalCallable = t.Callable[..., t.Any]
TemplateTestCallable = t.Callable[..., bool]
ShellContextProcessorCallable = t.Callable[[], _Context]
