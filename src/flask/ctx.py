"""Application and request contexts, ``g``, and the helpers that copy them."""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import cached_property
from functools import update_wrapper
from types import TracebackType

from werkzeug.exceptions import HTTPException

from . import typing as ft
from .globals import _cv_app
from .globals import _cv_request
from .signals import appcontext_popped
from .signals import appcontext_pushed

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter
    from werkzeug.routing import Rule

    from .app import Flask
    from .routing import _Binding
    from .sessions import SessionInterface
    from .sessions import SessionMixin
    from .wrappers import Request

_sentinel = object()


class _AppCtxGlobals:
    """A plain namespace for storing data during an application context.

    Available as :data:`flask.g`; supports ``in``, iteration, ``get``,
    ``pop`` and ``setdefault``.
    """

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: t.Any) -> None:
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: t.Any | None = None) -> t.Any:
        """Return the attribute ``name``, or ``default`` when it is unset."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove and return ``name``; raise KeyError unless a default is given."""
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """Return ``name``, setting it to ``default`` first when unset."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _cv_app.get(None)
        if ctx is not None:
            return f"<flask.g of '{ctx.app.name}'>"
        return object.__repr__(self)


def after_this_request(
    f: ft.AfterRequestCallable[t.Any],
) -> ft.AfterRequestCallable[t.Any]:
    """Run ``f`` on the response of the current request, before the
    app's ``after_request`` functions."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request"
            " context is active, such as in a view function."
        )
    ctx._after_request_functions.append(f)
    return f


F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def copy_current_request_context(f: F) -> F:
    """Decorate ``f`` so it runs inside a copy of the current request
    context, for use in greenlets or threads started by a view."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a"
            " request context is active, such as in a view function."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    """True when a request context is pushed."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """True when an application context is pushed."""
    return _cv_app.get(None) is not None


class AppContext:
    """Makes ``current_app`` and ``g`` available; pushed for every
    request and by CLI commands and ``app.app_context()``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.g: _AppCtxGlobals = app.app_ctx_globals_class()
        self._cv_tokens: list[contextvars.Token[AppContext]] = []
        #: Streams still to run in this context: teardown waits for them.
        self._held = 0

    @cached_property
    def url_adapter(self) -> MapAdapter | None:
        """The URL adapter for building URLs outside a request (needs
        ``SERVER_NAME``); made on first use."""
        return self.app.create_url_adapter(None)

    def push(self) -> None:
        """Bind this context to the current context (thread, task, greenlet)."""
        self._cv_tokens.append(_cv_app.set(self))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Unbind this context, running teardown functions on the last pop."""
        try:
            if len(self._cv_tokens) == 1 and not self._held:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            ctx = _cv_app.get()
            _cv_app.reset(self._cv_tokens.pop())
        if ctx is not self:
            raise AssertionError(
                f"Popped wrong app context. ({ctx!r} instead of {self!r})"
            )
        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)


def _opens_lazily(interface: SessionInterface) -> bool:
    """Whether the session may be opened on first use instead of on push
    (see ``SecureCookieSessionInterface._open_lazily``)."""
    return getattr(interface, "_open_lazily", False) is True


class RequestContext:
    """Holds everything about one request: the request object, the URL
    adapter and match, the session and flashed messages.

    Pushed by :meth:`Flask.wsgi_app` and ``app.test_request_context()``;
    pushing it also pushes an application context when needed.
    """

    #: The request object; when the context may make it lazily (see
    #: ``Request._lazy_init``), it is made on first access.
    request: Request
    #: The URL map bound to the request; None when the host is refused.
    #: Made on first use too, when the request object is.
    url_adapter: MapAdapter | None

    def __init__(
        self,
        app: Flask,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        #: The URL match, kept here until the request object is made.
        self._match: tuple[Rule, dict[str, t.Any]] | None = None
        self._routing_exception: HTTPException | None = None
        #: Where the URL map is bound, while the adapter is not made yet.
        self._binding: _Binding | None = None
        if request is not None:
            self.request = request
            self._environ = request.environ
            self._bind_url_adapter()
        elif app._stock_url_adapter and getattr(app.request_class, "_lazy_init", False):
            self._environ = environ
            try:
                self._binding = app._url_adapters.binding(
                    environ, app.config["TRUSTED_HOSTS"]
                )
            except HTTPException as e:
                self._routing_exception = e
                self.url_adapter = None
        else:
            self._environ = environ
            self._make_request()
            self._bind_url_adapter()
        self.flashes: list[tuple[str, str]] | None = None
        self._opened_session: SessionMixin | None = session
        self._after_request_functions: list[ft.AfterRequestCallable[t.Any]] = []
        #: Streams still to run in this context: teardown waits for them.
        self._held = 0
        self._cv_tokens: list[
            tuple[contextvars.Token[RequestContext], AppContext | None]
        ] = []

    def _make_request(self) -> Request:
        app = self.app
        request = app.request_class(self._environ)
        request.json_module = app.json
        self.request = request
        return request

    def _bind_url_adapter(self) -> None:
        self.url_adapter = None
        try:
            self.url_adapter = self.app.create_url_adapter(self.request)
        except HTTPException as e:
            self.request.routing_exception = e

    def _make_url_adapter(self) -> MapAdapter:
        adapter = self.app._url_adapters.adapter(self._binding, self._environ)  # type: ignore[arg-type]
        self.url_adapter = adapter
        return adapter

    if not t.TYPE_CHECKING:

        def __getattr__(self, name: str) -> t.Any:
            # Only reached while ``request`` or ``url_adapter`` is not made.
            if name == "request":
                return self._make_lazy_request()
            if name == "url_adapter" and self._binding is not None:
                return self._make_url_adapter()
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}"
            )

    def _make_lazy_request(self) -> Request:
        """Make the request object on first access, with what the context
        learnt without it: trusted hosts and the URL match."""
        request = self._make_request()
        trusted_hosts = self.app.config["TRUSTED_HOSTS"]
        if trusted_hosts is not None:
            request.trusted_hosts = trusted_hosts
        if self._match is not None:
            request.url_rule, request.view_args = self._match
        if self._routing_exception is not None:
            request.routing_exception = self._routing_exception
        return request

    def _match_without_request(self) -> tuple[Rule, dict[str, t.Any], str] | None:
        """The matched rule, view arguments and method while no request
        object exists (so nothing can have changed them there); None once it
        exists, or if matching failed."""
        if self._match is None or "request" in self.__dict__:
            return None
        # The method as Werkzeug's request reads it.
        method = self._environ.get("REQUEST_METHOD", "GET").upper()
        return self._match[0], self._match[1], method

    def _route(self) -> tuple[str | None, dict[str, t.Any] | None]:
        """The matched endpoint and view arguments (None and None when
        nothing matched), read without making the request object."""
        request = self.__dict__.get("request")
        if request is not None:
            return request.endpoint, request.view_args
        match = self._match
        if match is None:
            return None, None
        return match[0].endpoint, match[1]

    @property
    def session(self) -> SessionMixin:
        """The session, opened from the session interface on first access."""
        if self._opened_session is None:
            self._opened_session = self._open_session()
        return self._opened_session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._opened_session = value

    # Flask 3.1 keeps the session in ``_session``; tests and tools read it.
    _session = session

    def _open_session(self) -> SessionMixin:
        interface = self.app.session_interface
        session = interface.open_session(self.app, self.request)
        if session is None:
            session = interface.make_null_session(self.app)
        return session

    def copy(self) -> RequestContext:
        """A new context for the same request, environ and session, to be
        pushed in another greenlet or thread."""
        return self.__class__(
            self.app,
            environ=self.request.environ,
            request=self.request,
            session=self.session,
        )

    def match_request(self) -> None:
        """Match the URL, storing the rule and view args, or the routing
        exception to raise at dispatch."""
        request: Request | None = self.__dict__.get("request")
        try:
            if self._binding is not None and "url_adapter" not in self.__dict__:
                result = self.app._url_matches.match_environ(
                    self._binding, self._environ, self._make_url_adapter
                )
            else:
                result = self.app._url_matches.match(self.url_adapter)  # type: ignore[arg-type]
        except HTTPException as e:
            if request is None:
                self._routing_exception = e
            else:
                request.routing_exception = e
        else:
            if request is None:
                self._match = result
            else:
                request.url_rule, request.view_args = result

    def push(self) -> None:
        """Push the app context if needed, then this context, then open
        the session (unless it can open lazily) and match the URL."""
        app_ctx = _cv_app.get(None)
        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
        else:
            app_ctx = None
        self._cv_tokens.append((_cv_request.set(self), app_ctx))
        if self._opened_session is None and not _opens_lazily(
            self.app.session_interface
        ):
            self._opened_session = self._open_session()
        if self._binding is not None or self.url_adapter is not None:
            self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Pop this context; on the last pop run teardown functions, close
        the request and pop the app context pushed with it."""
        clear_request = len(self._cv_tokens) == 1 and not self._held
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                request = self.__dict__.get("request")
                request_close = getattr(request, "close", None)
                if request_close is not None:
                    request_close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            if clear_request and "request" in ctx.__dict__:
                ctx.request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(
                    f"Popped wrong request context. ({ctx!r} instead of {self!r})"
                )

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.request.url!r}"
            f" [{self.request.method}] of {self.app.name}>"
        )
