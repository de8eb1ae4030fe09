"""Application and request contexts, ``g``, and the helpers that copy them.

A context is bound to the current thread, task or greenlet through the
context variables of :mod:`flask.globals`; each push keeps its token, so
pushes nest and pops undo them in order. Teardown runs on the pop that
undoes the first push, unless a stream still holds the context
(``_held``, see :func:`~flask.stream_with_context`).

The request context is built to be cheap for the common case: with the
stock request class and URL adapter it binds and matches the URL from the
environ alone, and makes the request object, the adapter and the session
only when something reads them.
"""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import cached_property
from functools import update_wrapper

from werkzeug.exceptions import HTTPException

from .globals import _cv_app
from .globals import _cv_request
from .signals import appcontext_popped
from .signals import appcontext_pushed

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter
    from werkzeug.routing import Rule

    from ._chains import Chain
    from .app import Flask
    from .routing import _Binding
    from .sessions import SessionInterface
    from .sessions import SessionMixin
    from .typing import AfterRequestCallable
    from .wrappers import Request

_UNSET: t.Any = object()
_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])
_Match = tuple["Rule", dict[str, t.Any]]


class _AppCtxGlobals:
    """The namespace behind :data:`flask.g`: plain attributes, plus
    ``in``, iteration, ``get``, ``pop`` and ``setdefault``."""

    if t.TYPE_CHECKING:
        # Any attribute may be set and read; at run time that is simply
        # the instance dict.
        def __getattr__(self, name: str) -> t.Any: ...
        def __setattr__(self, name: str, value: t.Any) -> None: ...

    def get(self, name: str, default: t.Any | None = None) -> t.Any:
        """The attribute ``name``, or ``default`` when it is unset."""
        return vars(self).get(name, default)

    def pop(self, name: str, default: t.Any = _UNSET) -> t.Any:
        """Remove and return ``name``; a KeyError unless a default is given."""
        attrs = vars(self)
        return attrs.pop(name) if default is _UNSET else attrs.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """The attribute ``name``, set to ``default`` first when unset."""
        return vars(self).setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in vars(self)

    def __iter__(self) -> t.Iterator[str]:
        return iter(vars(self))

    def __repr__(self) -> str:
        ctx = _cv_app.get(None)
        if ctx is None:
            return object.__repr__(self)
        return f"<flask.g of '{ctx.app.name}'>"


def _current_request_context(helper: str) -> RequestContext:
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            f"'{helper}' can only be used when a request context is active,"
            " such as in a view function."
        )
    return ctx


def after_this_request(f: AfterRequestCallable[t.Any]) -> AfterRequestCallable[t.Any]:
    """Run ``f`` on the response of the current request, before the
    app's ``after_request`` functions."""
    _current_request_context("after_this_request")._after_request_functions.append(f)
    return f


def copy_current_request_context(f: _F) -> _F:
    """Decorate ``f`` so it runs inside a copy of the current request
    context, for use in greenlets or threads started by a view."""
    copied = _current_request_context("copy_current_request_context").copy()

    def run_in_copy(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with copied:
            return copied.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(run_in_copy, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    """True when a request context is pushed."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """True when an application context is pushed."""
    return _cv_app.get(None) is not None


def _popped_wrong(expected: object, found: object, kind: str) -> t.NoReturn:
    raise AssertionError(
        f"Popped wrong {kind} context. ({found!r} instead of {expected!r})"
    )


class _MadeOnFirstRead:
    """An instance attribute made by ``make(instance)`` when first read
    (then kept in the instance, which later reads find first): most
    requests never touch ``g``. Unlike ``cached_property``, no lock."""

    def __init__(self, make: t.Callable[[t.Any], t.Any]) -> None:
        self._make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type | None = None) -> t.Any:
        if instance is None:
            return self
        made = self._make(instance)
        setattr(instance, self._name, made)
        return made


class AppContext:
    """Makes ``current_app`` and ``g`` available; pushed for every
    request and by CLI commands and ``app.app_context()``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._cv_tokens: list[contextvars.Token[AppContext]] = []
        #: Streams still to run in this context: teardown waits for them.
        self._held = 0

    if t.TYPE_CHECKING:
        g: _AppCtxGlobals
    else:
        g = _MadeOnFirstRead(lambda ctx: ctx.app.app_ctx_globals_class())

    @cached_property
    def url_adapter(self) -> MapAdapter | None:
        """The URL adapter for building URLs outside a request (needs
        ``SERVER_NAME``); made on first use."""
        return self.app.create_url_adapter(None)

    def push(self) -> None:
        """Bind this context to the current thread, task or greenlet."""
        self._cv_tokens.append(_cv_app.set(self))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _UNSET) -> None:
        """Unbind this context; the last pop first runs the app's
        ``teardown_appcontext`` functions."""
        final = len(self._cv_tokens) == 1 and not self._held
        try:
            if final:
                self.app.do_teardown_appcontext(
                    sys.exc_info()[1] if exc is _UNSET else exc
                )
        finally:
            active = _cv_app.get()
            _cv_app.reset(self._cv_tokens.pop())
        if active is not self:
            _popped_wrong(self, active, "app")
        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        # Teardown sees the exception that ended the block, if any.
        self.pop(exc_info[1])


def _opens_lazily(interface: SessionInterface) -> bool:
    """Whether the session may be opened on first use instead of on push
    (see ``SecureCookieSessionInterface._open_lazily``)."""
    return getattr(interface, "_open_lazily", False) is True


class _OnlyInWebSocket:
    """``ctx.websocket`` of a context that is not a WebSocket connection's
    (whose handler code sets the instance attribute): a clear error."""

    def __get__(self, ctx: object, owner: type | None = None) -> t.Any:
        if ctx is None:
            return self
        raise RuntimeError(
            "'websocket' is only available in a WebSocket handler (a"
            " route of app.websocket) and its hooks, served over ASGI."
        )


class RequestContext:
    """Everything about one request: the request object, the URL adapter
    and match, the session and flashed messages.

    Pushed by the pipeline and by ``app.test_request_context()``; pushing
    it also pushes an application context when none is active for the app.

    Until the request object exists, the context keeps what it learnt
    without it (the binding, the match or the routing error) and hands
    it over when the object is made.
    """

    def __init__(
        self,
        app: Flask,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        self._environ = environ if request is None else request.environ
        #: The request object, or None until it is made (on first access
        #: when the context may make it lazily, see ``Request._lazy_init``).
        self._request: Request | None = request
        #: The URL adapter (None when the host is refused), or _UNSET until
        #: made from ``_binding`` on first use.
        self._url_adapter: MapAdapter | None = _UNSET
        self._match: _Match | None = None
        self._routing_exception: HTTPException | None = None
        #: Where the URL map is bound, while the adapter is not made yet.
        self._binding: _Binding | None = None
        #: Whether the URL was matched before the push (a server adapter
        #: choosing where to run the request by its endpoint).
        self._matched = False
        self.flashes: list[tuple[str, str]] | None = None
        self._opened_session: SessionMixin | None = session
        self._after_request_functions: list[AfterRequestCallable[t.Any]] = []
        #: The endpoint's hook chain, once a stage looked it up.
        self._chain: Chain | None = None
        #: Streams still to run in this context: teardown waits for them.
        self._held = 0
        self._cv_tokens: list[
            tuple[contextvars.Token[RequestContext], AppContext | None]
        ] = []
        if request is not None:
            self._adapt_now()
        elif app._stock_url_adapter and getattr(app.request_class, "_lazy_init", False):
            try:
                self._binding = app._url_adapters.binding(
                    environ, app.config["TRUSTED_HOSTS"]
                )
            except HTTPException as refused:
                self._routing_exception = refused
                self._url_adapter = None
        else:
            self._new_request()
            self._adapt_now()

    # -- made on demand ------------------------------------------------------
    # Properties, not ``__getattr__``: a class with ``__getattr__`` makes
    # every attribute read of its instances take the interpreter's slow path.

    @property
    def request(self) -> Request:
        """The request object, made on first access."""
        made = self._request
        return self._late_request() if made is None else made

    @request.setter
    def request(self, value: Request) -> None:
        self._request = value

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound to the request; None when the host is refused.
        Made on first use too, when the request object is."""
        adapter = self._url_adapter
        return self._late_adapter() if adapter is _UNSET else adapter

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    websocket = _OnlyInWebSocket()

    def _adapt_now(self) -> None:
        adapter: MapAdapter | None = None
        try:
            adapter = self.app.create_url_adapter(self.request)
        except HTTPException as refused:
            self.request.routing_exception = refused
        self._url_adapter = adapter

    def _new_request(self) -> Request:
        made = self.app.request_class(self._environ)
        made.json_module = self.app.json
        self._request = made
        return made

    def _late_adapter(self) -> MapAdapter:
        adapter = self.app._url_adapters.adapter(self._binding, self._environ)  # type: ignore[arg-type]
        self._url_adapter = adapter
        return adapter

    def _late_request(self) -> Request:
        """The request object, given what the context learnt without it:
        trusted hosts and the URL match or routing error."""
        made = self._new_request()
        trusted = self.app.config["TRUSTED_HOSTS"]
        if trusted is not None:
            made.trusted_hosts = trusted
        if self._match is not None:
            made.url_rule, made.view_args = self._match
        if self._routing_exception is not None:
            made.routing_exception = self._routing_exception
        return made

    def _route(self) -> tuple[str | None, dict[str, t.Any] | None]:
        """The matched endpoint and view arguments (None and None when
        nothing matched), read without making the request object."""
        made = self._request
        if made is not None:
            return made.endpoint, made.view_args
        if self._match is None:
            return None, None
        rule, view_args = self._match
        return rule.endpoint, view_args

    def _match_without_request(self) -> tuple[Rule, dict[str, t.Any], str] | None:
        """The matched rule, view arguments and method while no request
        object exists (so nothing can have changed them there); None once
        it exists, or if matching failed."""
        if self._match is None or self._request is not None:
            return None
        # The method as Werkzeug's request reads it.
        method = self._environ.get("REQUEST_METHOD", "GET").upper()
        return (*self._match, method)

    @property
    def session(self) -> SessionMixin:
        """The session, opened from the session interface on first access."""
        opened = self._opened_session
        if opened is None:
            opened = self._opened_session = self._open_session()
        return opened

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._opened_session = value

    # Flask 3.1 keeps the session in ``_session``; tests and tools read it.
    _session = session

    def _open_session(self) -> SessionMixin:
        interface = self.app.session_interface
        opened = interface.open_session(self.app, self.request)
        return interface.make_null_session(self.app) if opened is None else opened

    def copy(self) -> RequestContext:
        """A new context for the same request, environ and session, to be
        pushed in another greenlet or thread."""
        return type(self)(
            self.app,
            environ=self.request.environ,
            request=self.request,
            session=self.session,
        )

    def match_request(self) -> None:
        """Match the URL, keeping the rule and view arguments, or the
        routing error to raise at dispatch."""
        made = self._request
        matches = self.app._url_matches
        self._matched = True
        try:
            if self._binding is None or self._url_adapter is not _UNSET:
                found = matches.match(self.url_adapter)  # type: ignore[arg-type]
            else:
                found = matches.match_environ(
                    self._binding, self._environ, self._late_adapter
                )
        except HTTPException as failure:
            if made is None:
                self._routing_exception = failure
            else:
                made.routing_exception = failure
            return
        if made is None:
            self._match = found
        else:
            made.url_rule, made.view_args = found

    def _match_once(self) -> None:
        """Match the URL unless that was done, or the host was refused."""
        if not self._matched and (
            self._binding is not None or self._url_adapter is not None
        ):
            self.match_request()

    # -- binding -----------------------------------------------------------

    def push(self) -> None:
        """Push an app context if none is active for the app, then this
        context; open the session unless it can open lazily, then match
        the URL."""
        pushed_app_ctx: AppContext | None = None
        active = _cv_app.get(None)
        if active is None or active.app is not self.app:
            pushed_app_ctx = self.app.app_context()
            pushed_app_ctx.push()
        self._cv_tokens.append((_cv_request.set(self), pushed_app_ctx))
        if self._opened_session is None and not _opens_lazily(
            self.app.session_interface
        ):
            self._opened_session = self._open_session()
        # _match_once, inline: this runs for every request.
        if not self._matched and (
            self._binding is not None or self._url_adapter is not None
        ):
            self.match_request()

    def pop(self, exc: BaseException | None = _UNSET) -> None:
        """Undo one push. The last pop runs the teardown functions and
        closes the request first, and pops the app context pushed with it."""
        final = len(self._cv_tokens) == 1 and not self._held
        if exc is _UNSET and final:
            exc = sys.exc_info()[1]
        try:
            if final:
                self.app.do_teardown_request(exc)
                close = getattr(self._request, "close", None)
                if close is not None:
                    close()
        finally:
            active = _cv_request.get()
            token, pushed_app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            if final and active._request is not None:
                active._request.environ["werkzeug.request"] = None
            if pushed_app_ctx is not None:
                pushed_app_ctx.pop(exc)
            if active is not self:
                _popped_wrong(self, active, "request")

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, *exc_info: t.Any) -> None:
        # Teardown sees the exception that ended the block, if any.
        self.pop(exc_info[1])

    def __repr__(self) -> str:
        req = self.request
        return f"<{type(self).__name__} {req.url!r} [{req.method}] of {self.app.name}>"
