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


def _proxy(var: ContextVar[t.Any], attribute: str | None, unbound: str) -> t.Any:
    """A Werkzeug ``LocalProxy`` of ``var`` (or of one ``attribute`` of
    its value) whose attribute reads and writes, the proxied operations
    extensions use most, are one call each instead of Werkzeug's three;
    every other operation is Werkzeug's own."""

    def current() -> t.Any:
        try:
            found = var.get()
        except LookupError:
            raise RuntimeError(unbound) from None
        return found if attribute is None else getattr(found, attribute)

    def get(self: LocalProxy[t.Any], name: str) -> t.Any:
        return getattr(current(), name)

    def set(self: LocalProxy[t.Any], name: str, value: t.Any) -> None:
        setattr(current(), name, value)

    namespace = {"__slots__": (), "__getattr__": get, "__setattr__": set}
    # Named like its base: an unbound proxy's repr is "<LocalProxy unbound>".
    kind = type("LocalProxy", (LocalProxy,), namespace)
    return kind(var, attribute, unbound_message=unbound)


def _app_proxy(attribute: str | None = None) -> t.Any:
    return _proxy(_cv_app, attribute, _no_app_msg)


def _request_proxy(attribute: str | None = None) -> t.Any:
    return _proxy(_cv_request, attribute, _no_req_msg)


app_ctx: AppContext = _app_proxy()
current_app: Flask = _app_proxy("app")
g: _AppCtxGlobals = _app_proxy("g")

request_ctx: RequestContext = _request_proxy()
request: Request = _request_proxy("request")
session: SessionMixin = _request_proxy("session")
websocket: WebSocket = _request_proxy("websocket")
