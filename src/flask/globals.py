"""The context variables and the proxies that read them, nothing else.

``_cv_app`` holds the active :class:`~flask.ctx.AppContext` and
``_cv_request`` the active :class:`~flask.ctx.RequestContext`; each proxy
reads one of them, or one attribute of it, on every access.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from werkzeug.local import LocalProxy

if t.TYPE_CHECKING:  # pragma: no cover
    from ._websocket import WebSocket
    from .app import Flask
    from .ctx import _AppCtxGlobals
    from .ctx import AppContext
    from .ctx import RequestContext
    from .sessions import SessionMixin
    from .wrappers import Request

_cv_app: ContextVar[AppContext] = ContextVar("flask.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("flask.request_ctx")

_outside = (
    "Working outside of {what}.\n\n"
    "This typically means that you attempted to use functionality that needed\n"
    "{need}. {advice}"
)
_no_app_msg = _outside.format(
    what="application context",
    need="the current application",
    advice="To solve this, set up an application context\n"
    "with app.app_context(). See the documentation for more information.",
)
_no_req_msg = _outside.format(
    what="request context",
    need="an active HTTP request",
    advice="Consult the documentation on testing for\n"
    "information about how to avoid this problem.",
)


class _ContextProxy(LocalProxy):  # type: ignore[type-arg]
    """Werkzeug's ``LocalProxy`` with attribute reads and writes, the
    proxied operations extensions use most, going straight to the current
    object; every other operation is Werkzeug's own.

    A public name is read from the current object at once: through
    ``__getattr__`` alone, Python would first look the name up on the
    proxy and build the AttributeError it then discards. Names with an
    underscore are the proxy's own first (its machinery, the dunders
    Werkzeug proxies), then the current object's. A missing public name
    is looked up twice (Python retries through ``__getattr__``)."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> t.Any:
        if name[:1] == "_":
            return object.__getattribute__(self, name)
        return getattr(_current_of(self)(), name)

    def __getattr__(self, name: str) -> t.Any:
        return getattr(_current_of(self)(), name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(_current_of(self)(), name, value)


#: The proxy's function returning its current object (a slot of Werkzeug's
#: ``LocalProxy``), read without going through ``__getattribute__``.
_current_of: t.Callable[[LocalProxy], t.Callable[[], t.Any]] = LocalProxy.__dict__[  # type: ignore[type-arg]
    "_get_current_object"
].__get__

# Named like its base: an unbound proxy's repr is "<LocalProxy unbound>".
_ContextProxy.__name__ = _ContextProxy.__qualname__ = "LocalProxy"


def _app_proxy(attribute: str | None = None) -> t.Any:
    return _ContextProxy(_cv_app, attribute, unbound_message=_no_app_msg)


def _request_proxy(attribute: str | None = None) -> t.Any:
    return _ContextProxy(_cv_request, attribute, unbound_message=_no_req_msg)


app_ctx: AppContext = _app_proxy()
current_app: Flask = _app_proxy("app")
g: _AppCtxGlobals = _app_proxy("g")

request_ctx: RequestContext = _request_proxy()
request: Request = _request_proxy("request")
session: SessionMixin = _request_proxy("session")
websocket: WebSocket = _request_proxy("websocket")
