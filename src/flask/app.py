"""The WSGI application: :class:`Flask`, a thin adapter from WSGI to the
protocol-neutral pipeline of :mod:`flask._pipeline`.

The class gathers its methods from the modules that own each concern:
the stages (:mod:`flask._pipeline`), the error branch
(:mod:`flask._errors`), return values (:mod:`flask._returns`), URLs
(:mod:`flask._urls`), files, templates and the shell
(:mod:`flask._resources`) and the development server
(:mod:`flask._devserver`). Each is a plain function taking the app first,
bound here under its documented name, so subclasses override it as
usual and the pipeline calls the override.
"""

from __future__ import annotations

import collections.abc as cabc
import inspect
import sys
import typing as t
import weakref
from datetime import timedelta
from functools import cached_property
from functools import partial
from inspect import CO_COROUTINE
from inspect import iscoroutinefunction
from types import FunctionType
from types import TracebackType

from werkzeug.datastructures import ImmutableDict

import flask._devserver as _devserver
import flask._errors as _errors
import flask._pipeline as _pipeline
import flask._resources as _resources
import flask._returns as _returns
import flask._urls as _urls

from ._chains import Chains
from ._chains import clock_of
from ._chains import RegistryAttribute
from ._chains import track_error_handlers
from ._chains import track_hooks
from ._chains import track_list
from .cli import AppGroup
from .ctx import _AppCtxGlobals
from .ctx import AppContext
from .ctx import RequestContext
from .globals import request
from .routing import _AdapterCache
from .routing import _BuildCache
from .routing import _MatchCache
from .sansio.app import App
from .sessions import SecureCookieSessionInterface
from .sessions import SessionInterface
from .templating import _default_template_ctx_processor
from .templating import Environment
from .wrappers import Request
from .wrappers import Response

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.routing import MapAdapter

    from .testing import FlaskClient
    from .testing import FlaskCliRunner


class Flask(App):
    """The WSGI application object.

    :param import_name: the name of the application package or module,
        usually ``__name__``; locates resources, templates and the
        instance folder.
    :param static_url_path: URL prefix of the static route (default: the
        static folder's name).
    :param static_folder: folder served at ``static_url_path``; None
        disables the static route.
    :param static_host: host of the static route, with ``host_matching``.
    :param host_matching: match rules by their ``host``.
    :param subdomain_matching: match rules' ``subdomain`` against
        ``SERVER_NAME``.
    :param template_folder: folder of templates, relative to the root path.
    :param instance_path: absolute path of the instance folder.
    :param instance_relative_config: resolve config file names against the
        instance folder.
    :param root_path: overrides the path found from ``import_name``.
    """

    #: The configuration a new app starts with (see :doc:`/config`).
    default_config = ImmutableDict(
        [
            ("DEBUG", None),
            ("TESTING", False),
            ("PROPAGATE_EXCEPTIONS", None),
            ("TRAP_BAD_REQUEST_ERRORS", None),
            ("TRAP_HTTP_EXCEPTIONS", False),
            ("EXPLAIN_TEMPLATE_LOADING", False),
            ("TEMPLATES_AUTO_RELOAD", None),
            ("SECRET_KEY", None),
            ("SECRET_KEY_FALLBACKS", None),
            ("PERMANENT_SESSION_LIFETIME", timedelta(days=31)),
            ("SESSION_REFRESH_EACH_REQUEST", True),
            ("SESSION_COOKIE_NAME", "session"),
            ("SESSION_COOKIE_DOMAIN", None),
            ("SESSION_COOKIE_PATH", None),
            ("SESSION_COOKIE_HTTPONLY", True),
            ("SESSION_COOKIE_SECURE", False),
            ("SESSION_COOKIE_PARTITIONED", False),
            ("SESSION_COOKIE_SAMESITE", None),
            ("USE_X_SENDFILE", False),
            ("SEND_FILE_MAX_AGE_DEFAULT", None),
            ("SERVER_NAME", None),
            ("APPLICATION_ROOT", "/"),
            ("PREFERRED_URL_SCHEME", "http"),
            ("TRUSTED_HOSTS", None),
            ("PROVIDE_AUTOMATIC_OPTIONS", True),
            ("MAX_CONTENT_LENGTH", None),
            ("MAX_FORM_MEMORY_SIZE", 500_000),
            ("MAX_FORM_PARTS", 1_000),
            ("MAX_COOKIE_SIZE", 4093),
        ]
    )

    #: The class of request objects.
    request_class: type[Request] = Request
    #: The class of response objects made by :meth:`make_response`.
    response_class: type[Response] = Response
    #: Opens and saves sessions; signed cookies by default.
    session_interface: SessionInterface = SecureCookieSessionInterface()
    #: The class of :attr:`jinja_env`.
    jinja_environment = Environment
    #: The class of :data:`flask.g`.
    app_ctx_globals_class = _AppCtxGlobals
    #: The class of :attr:`cli`.
    _cli_group_class = AppGroup

    #: Whether URL adapters are made the stock way, so a request context
    #: may bind without the request object (see ``Request._lazy_init``).
    _stock_url_adapter = True
    #: Whether ``ensure_sync`` and ``async_to_sync`` are Flask's, so hooks
    #: may be resolved once per chain instead of at every call.
    _stock_ensure_sync = True
    #: Whether ``wsgi_app`` is Flask's: else the ASGI adapter serves
    #: requests through the subclass's.
    _stock_wsgi_app = True
    #: Whether ``asgi_app`` is Flask's: ``__call__`` then skips it.
    _stock_asgi_app = True

    if not t.TYPE_CHECKING:
        before_request_funcs = RegistryAttribute(track_hooks)
        after_request_funcs = RegistryAttribute(track_hooks)
        teardown_request_funcs = RegistryAttribute(track_hooks)
        template_context_processors = RegistryAttribute(track_hooks)
        url_value_preprocessors = RegistryAttribute(track_hooks)
        url_default_functions = RegistryAttribute(track_hooks)
        error_handler_spec = RegistryAttribute(track_error_handlers)
        teardown_appcontext_funcs = RegistryAttribute(track_list)

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._stock_url_adapter = cls.create_url_adapter is Flask.create_url_adapter
        cls._stock_wsgi_app = cls.wsgi_app is Flask.wsgi_app
        cls._stock_asgi_app = cls.asgi_app is Flask.asgi_app
        cls._stock_ensure_sync = (
            cls.ensure_sync is Flask.ensure_sync
            and cls.async_to_sync is Flask.async_to_sync
        )

    #: Made by ``_finish_init`` as a plain instance attribute: a name the
    #: class also defines (a cached_property) would make every read of it
    #: take the interpreter's slow path, and it is read per request.
    _chains: Chains

    def _finish_init(self, static_host: str | None, host_matching: bool) -> None:
        # The serving layer's share of construction: the hook chains, the
        # default template context and the static route, which needs
        # send_static_file.
        self._chains = Chains(self, clock_of(self))
        self.template_context_processors[None].insert(
            0, _default_template_ctx_processor
        )
        if self.has_static_folder:
            self._add_static_route(static_host, host_matching)

    def _add_static_route(self, static_host: str | None, host_matching: bool) -> None:
        assert bool(static_host) == host_matching, (
            "Invalid static_host/host_matching combination"
        )
        # The rule holds the app weakly, so it does not keep it alive.
        app = weakref.ref(self)

        def static_view(**kwargs: t.Any) -> Response:
            return app().send_static_file(**kwargs)  # type: ignore[union-attr]

        self.add_url_rule(
            f"{self.static_url_path}/<path:filename>",
            endpoint="static",
            host=static_host,
            view_func=static_view,
        )

    # The WSGI adapter: environ and start_response in, the pipeline between.

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """The WSGI application: run the request through the pipeline and
        answer with the response, before the contexts are popped."""

        def deliver(response: Response) -> cabc.Iterable[bytes]:
            return response(environ, start_response)

        return _pipeline.serve(
            self,
            self.request_context(environ),
            deliver,
            environ.get("werkzeug.debug.preserve_context"),
        )

    # The ASGI adapter (flask._asgi, imported on first use): scope,
    # receive and send in, the same pipeline between.

    async def asgi_app(
        self,
        scope: t.MutableMapping[str, t.Any],
        receive: t.Callable[[], t.Awaitable[t.MutableMapping[str, t.Any]]],
        send: t.Callable[[t.MutableMapping[str, t.Any]], t.Awaitable[None]],
    ) -> None:
        """The ASGI 3 application: HTTP requests through the pipeline (see
        :mod:`flask._asgi`) and the ``lifespan`` protocol."""
        await (_asgi_handle or _load_asgi())(self, scope, receive, send)

    def __call__(
        self, environ: t.Any, start_response: t.Any = None, send: t.Any = None
    ) -> t.Any:
        """WSGI: call :meth:`wsgi_app`, which middleware can wrap. ASGI 3
        (``scope, receive, send``): what :meth:`asgi_app` awaits; ASGI 2
        (``scope`` alone): the callable awaiting ``receive, send``. So an
        ASGI server serves the app object itself."""
        if send is not None:
            if self._stock_asgi_app and "asgi_app" not in self.__dict__:
                # What asgi_app would await, without its coroutine.
                return (_asgi_handle or _load_asgi())(
                    self, environ, start_response, send
                )
            return self.asgi_app(environ, start_response, send)
        if start_response is None:
            return partial(self.asgi_app, environ)
        return self.wsgi_app(environ, start_response)

    # The stages, in the order a request meets them.
    full_dispatch_request = _pipeline.full_dispatch_request
    preprocess_request = _pipeline.preprocess_request
    dispatch_request = _pipeline.dispatch_request
    make_default_options_response = _pipeline.make_default_options_response
    raise_routing_exception = _errors.raise_routing_exception
    make_response = _returns.make_response
    finalize_request = _pipeline.finalize_request
    process_response = _pipeline.process_response
    handle_user_exception = _errors.handle_user_exception
    handle_http_exception = _errors.handle_http_exception
    handle_exception = _errors.handle_exception
    do_teardown_request = _pipeline.do_teardown_request
    do_teardown_appcontext = _pipeline.do_teardown_appcontext

    def log_exception(
        self,
        exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None],
    ) -> None:
        """Log an unhandled exception, with the request's path and method.
        (Written here, so log records name the ``app`` module.)"""
        self.logger.error(
            f"Exception on {request.path} [{request.method}]", exc_info=exc_info
        )

    # URLs.
    create_url_adapter = _urls.create_url_adapter
    url_for = _urls.url_for

    def _bind_to_environ(self, environ: WSGIEnvironment) -> MapAdapter:
        """Bind the URL map to an environ, the uncached way. With host
        matching the actual host is matched, not ``SERVER_NAME``; without
        subdomain matching every host is the default subdomain. (Written
        here: Werkzeug's server name warning names this module.)"""
        url_map = self.url_map
        if url_map.host_matching:
            return url_map.bind_to_environ(environ, server_name=None, subdomain=None)
        subdomain = None
        if not self.subdomain_matching:
            subdomain = url_map.default_subdomain or ""
        return url_map.bind_to_environ(
            environ, server_name=self.config["SERVER_NAME"], subdomain=subdomain
        )

    # Files, templates and the shell.
    get_send_file_max_age = _resources.get_send_file_max_age
    send_static_file = _resources.send_static_file
    open_resource = _resources.open_resource
    open_instance_resource = _resources.open_instance_resource
    create_jinja_environment = _resources.create_jinja_environment
    update_template_context = _resources.update_template_context
    make_shell_context = _resources.make_shell_context

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with Werkzeug's development server (see
        :func:`flask._devserver.run`); not for production."""
        _devserver.run(self, host, port, debug, load_dotenv, options)

    # Caches made on first use; functools' cached_property, so reading one
    # later is a plain attribute lookup.

    @cached_property
    def _url_adapters(self) -> _AdapterCache:
        return _AdapterCache(self, self._bind_to_environ)

    @cached_property
    def _url_matches(self) -> _MatchCache:
        return _MatchCache(self.url_map)

    @cached_property
    def _url_builds(self) -> _BuildCache:
        return _BuildCache(self.url_map)

    # Contexts and test helpers.

    def app_context(self) -> AppContext:
        """A new application context: ``with app.app_context(): ...``."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """A new request context for a WSGI environ."""
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for an environ built from the arguments of
        :class:`~flask.testing.EnvironBuilder`."""
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        return self.request_context(environ)

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> FlaskClient:
        """A client that sends requests to the app without a server."""
        from .testing import FlaskClient

        make = self.test_client_class or FlaskClient
        return make(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> FlaskCliRunner:
        """A runner invoking the app's CLI commands in tests."""
        from .testing import FlaskCliRunner

        runner_class = self.test_cli_runner_class or FlaskCliRunner
        return runner_class(self, **kwargs)

    # Async support: the one place user code is adapted to a sync caller.

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """``func`` itself, or a synchronous wrapper when it is a
        coroutine function."""
        # A plain function answers by its code flags; anything else
        # (partials, methods, marked callables) asks inspect.
        if type(func) is FunctionType and not (
            func.__code__.co_flags & CO_COROUTINE
            or "_is_coroutine_marker" in func.__dict__
        ):
            return func
        return self.async_to_sync(func) if iscoroutinefunction(func) else func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function to run to completion on this
        thread's event loop, with the current context variables."""
        # Imported on first use: asyncio is costly to import for sync apps.
        from ._async import run_coroutine_sync

        return run_coroutine_sync(func)


def _mark_as_asgi(call: t.Callable[..., t.Any]) -> None:
    """Mark ``Flask.__call__`` the way ASGI servers tell an ASGI 3 app:
    asyncio's coroutine-function marker (when asyncio is loaded, as it is
    by every ASGI server before it imports the app; importing it here would
    cost every WSGI app) and inspect's (Python 3.12+). Without either, a
    server takes the app for ASGI 2, which ``__call__`` answers too."""
    coroutines = sys.modules.get("asyncio.coroutines")
    if coroutines is not None:
        call._is_coroutine = coroutines._is_coroutine  # type: ignore[attr-defined]
    mark = getattr(inspect, "_is_coroutine_mark", None)
    if mark is not None:
        call._is_coroutine_marker = mark  # type: ignore[attr-defined]


_mark_as_asgi(Flask.__call__)

#: flask._asgi.handle, once an ASGI call imported it.
_asgi_handle: t.Callable[..., t.Awaitable[None]] | None = None


def _load_asgi() -> t.Callable[..., t.Awaitable[None]]:
    global _asgi_handle
    from ._asgi import handle

    _asgi_handle = handle
    return handle
