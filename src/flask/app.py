"""The WSGI application: the request pipeline, the error branch, contexts,
test helpers and the development server.

A request goes through, in order:

1. :meth:`Flask.wsgi_app` creates a :class:`~flask.ctx.RequestContext`
   and pushes it (app context, URL match; the session opens on first use);
2. :meth:`Flask.full_dispatch_request` sends ``request_started``, runs
   :meth:`Flask.preprocess_request` (URL value preprocessors, then
   ``before_request`` functions; a non-None return is the response);
3. :meth:`Flask.dispatch_request` calls the view (or answers OPTIONS);
4. :meth:`Flask.make_response` turns the return value into a response;
5. :meth:`Flask.process_response` runs ``after_this_request`` and
   ``after_request`` functions and saves the session;
6. an exception on the way goes to :meth:`Flask.handle_user_exception`
   (HTTP errors and registered handlers) or :meth:`Flask.handle_exception`
   (a 500);
7. the context is popped: ``teardown_request`` then
   ``teardown_appcontext`` functions run.
"""

from __future__ import annotations

import collections.abc as cabc
import os
import sys
import typing as t
import weakref
from datetime import timedelta
from functools import cached_property as _cached_attribute
from inspect import CO_COROUTINE
from inspect import iscoroutinefunction
from itertools import chain
from types import FunctionType
from types import TracebackType
from urllib.parse import quote as _url_quote

import click
from werkzeug.datastructures import Headers
from werkzeug.datastructures import ImmutableDict
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.routing import BuildError
from werkzeug.routing import MapAdapter
from werkzeug.routing import RequestRedirect
from werkzeug.routing import RoutingException
from werkzeug.routing import Rule
from werkzeug.serving import is_running_from_reloader
from werkzeug.wrappers import Response as BaseResponse

from . import cli
from . import typing as ft
from ._responses import _default_content_type
from ._responses import _text_response
from .ctx import _AppCtxGlobals
from .ctx import _opens_lazily
from .ctx import AppContext
from .ctx import RequestContext
from .globals import _cv_app
from .globals import _cv_request
from .globals import g
from .globals import request
from .globals import request_ctx
from .globals import session
from .helpers import _max_age_seconds
from .helpers import _open_resource
from .helpers import _send_static_file
from .helpers import get_debug_flag
from .helpers import get_flashed_messages
from .helpers import get_load_dotenv
from .routing import _AdapterCache
from .routing import _MatchCache
from .sansio.app import App
from .sansio.scaffold import _sentinel
from .sessions import SecureCookieSessionInterface
from .sessions import SessionInterface
from .signals import appcontext_tearing_down
from .signals import got_request_exception
from .signals import request_finished
from .signals import request_started
from .signals import request_tearing_down
from .templating import _default_template_ctx_processor
from .templating import Environment
from .wrappers import Request
from .wrappers import Response

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

    from .testing import FlaskClient
    from .testing import FlaskCliRunner

T_shell_context_processor = t.TypeVar(
    "T_shell_context_processor", bound=ft.ShellContextProcessorCallable
)


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

    default_config = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": None,
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
        }
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
    _cli_group_class = cli.AppGroup

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ):
        super().__init__(
            import_name=import_name,
            static_url_path=static_url_path,
            static_folder=static_folder,
            static_host=static_host,
            host_matching=host_matching,
            subdomain_matching=subdomain_matching,
            template_folder=template_folder,
            instance_path=instance_path,
            instance_relative_config=instance_relative_config,
            root_path=root_path,
        )
        self.cli.name = self.name
        self.template_context_processors[None].insert(
            0, _default_template_ctx_processor
        )

        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "Invalid static_host/host_matching combination"
            )
            # A weak reference: the rule must not keep the app alive.
            self_ref = weakref.ref(self)
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self_ref().send_static_file(**kw),  # type: ignore[union-attr]
            )

    # -- files and resources ---------------------------------------------------

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The ``max_age`` for :func:`send_file`: ``SEND_FILE_MAX_AGE_DEFAULT``
        in seconds, or None (conditional requests, no cache lifetime)."""
        return _max_age_seconds(self.config["SEND_FILE_MAX_AGE_DEFAULT"])

    def send_static_file(self, filename: str) -> Response:
        """The view of the static route: a file of ``static_folder``."""
        return _send_static_file(self, filename)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to :attr:`root_path`, for reading only."""
        return _open_resource(self.root_path, resource, mode, encoding)

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to :attr:`instance_path`; writing allowed."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # -- templates and shell -------------------------------------------------------

    def create_jinja_environment(self) -> Environment:
        """Create :attr:`jinja_env` from :attr:`jinja_options`, with the
        standard globals (``url_for``, ``config``, ``request``...)."""
        options = dict(self.jinja_options)
        if "autoescape" not in options:
            options["autoescape"] = self.select_jinja_autoescape
        if "auto_reload" not in options:
            auto_reload = self.config["TEMPLATES_AUTO_RELOAD"]
            if auto_reload is None:
                auto_reload = self.debug
            options["auto_reload"] = auto_reload
        rv = self.jinja_environment(self, **options)
        rv.globals.update(
            url_for=self.url_for,
            get_flashed_messages=get_flashed_messages,
            config=self.config,
            request=request,
            session=session,
            g=g,
        )
        # Late-bound, so a provider assigned to app.json later is used.
        rv.policies["json.dumps_function"] = lambda obj, **kw: self.json.dumps(
            obj, **kw
        )
        return rv

    def create_global_jinja_loader(self) -> t.Any:
        """The loader searching the app's then each blueprint's templates."""
        from .templating import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add the context processors' values to ``context``; values the
        caller passed win."""
        names: t.Iterable[str | None] = (None,)
        ctx = _cv_request.get(None)
        if ctx is not None:
            names = chain(names, reversed(ctx.request.blueprints))
        orig_ctx = context.copy()
        for name in names:
            if name in self.template_context_processors:
                for func in self.template_context_processors[name]:
                    context.update(self.ensure_sync(func)())
        context.update(orig_ctx)

    def make_shell_context(self) -> dict[str, t.Any]:
        """Names for ``flask shell``: ``app``, ``g`` and the shell context
        processors' values."""
        rv = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            rv.update(processor())
        return rv

    # -- the development server and test helpers ------------------------------------

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with Werkzeug's development server; not for
        production. Host and port default to ``SERVER_NAME``'s, then
        127.0.0.1:5000; debug mode turns on the reloader and debugger."""
        if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
            if not is_running_from_reloader():
                click.secho(
                    " * Ignoring a call to 'app.run()' that would block"
                    " the current 'flask' CLI command.\n"
                    "   Only call 'app.run()' in an 'if __name__ =="
                    ' "__main__"\' guard.',
                    fg="red",
                )
            return

        if get_load_dotenv(load_dotenv):
            cli.load_dotenv()
            if "FLASK_DEBUG" in os.environ:
                self.debug = get_debug_flag()
        if debug is not None:
            self.debug = bool(debug)

        server_name = self.config.get("SERVER_NAME")
        sn_host = sn_port = None
        if server_name:
            sn_host, _, sn_port = server_name.partition(":")
        if not host:
            host = sn_host or "127.0.0.1"
        if port or port == 0:
            port = int(port)
        elif sn_port:
            port = int(sn_port)
        else:
            port = 5000

        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        cli.show_server_banner(self.debug, self.name)

        from werkzeug.serving import run_simple

        try:
            run_simple(host, port, self, **options)
        finally:
            # Allow setup again after the server stops, e.g. in a shell.
            self._got_first_request = False

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> FlaskClient:
        """A client that sends requests to the app without a server."""
        from .testing import FlaskClient

        cls = self.test_client_class or FlaskClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> FlaskCliRunner:
        """A runner invoking the app's CLI commands in tests."""
        from .testing import FlaskCliRunner

        cls = self.test_cli_runner_class or FlaskCliRunner
        return cls(self, **kwargs)

    # -- URL matching and building -------------------------------------------------

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind the URL map to a request, or, outside a request, to
        ``SERVER_NAME`` (None when it is not set)."""
        if request is not None:
            trusted_hosts = self.config["TRUSTED_HOSTS"]
            if trusted_hosts is not None:
                request.trusted_hosts = trusted_hosts
            return self._url_adapters.bind(request.environ, trusted_hosts)
        if self.config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                self.config["SERVER_NAME"],
                script_name=self.config["APPLICATION_ROOT"],
                url_scheme=self.config["PREFERRED_URL_SCHEME"],
            )
        return None

    #: Whether URL adapters are made the stock way, so a request context
    #: may bind without the request object (see ``Request._lazy_init``).
    _stock_url_adapter = True

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._stock_url_adapter = cls.create_url_adapter is Flask.create_url_adapter

    # functools' (not Werkzeug's) cached_property: once set, reading it is
    # a plain attribute lookup. Both are read on every request.
    @_cached_attribute
    def _url_adapters(self) -> _AdapterCache:
        return _AdapterCache(self, self._bind_to_environ)

    @_cached_attribute
    def _url_matches(self) -> _MatchCache:
        return _MatchCache(self.url_map)

    def _bind_to_environ(self, environ: WSGIEnvironment) -> MapAdapter:
        """Bind the URL map to an environ, the uncached way."""
        subdomain = None
        server_name = self.config["SERVER_NAME"]
        if self.url_map.host_matching:
            # SERVER_NAME would replace the actual host being matched.
            server_name = None
        elif not self.subdomain_matching:
            # Match every host as the default subdomain.
            subdomain = self.url_map.default_subdomain or ""
        return self.url_map.bind_to_environ(
            environ, server_name=server_name, subdomain=subdomain
        )

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the routing error; in debug mode, explain a redirect that
        would make the browser drop form data."""
        exc = request.routing_exception
        if (
            not self.debug
            or not isinstance(exc, RequestRedirect)
            or exc.code in {307, 308}
            or request.method in {"GET", "HEAD", "OPTIONS"}
        ):
            raise exc  # type: ignore[misc]

        from .debughelpers import FormDataRoutingRedirect

        raise FormDataRoutingRedirect(request)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build the URL of ``endpoint`` with ``values`` as arguments
        (unknown ones become the query string).

        ``.name`` is relative to the current blueprint. URLs are relative
        in a request and absolute outside one (which needs ``SERVER_NAME``);
        ``_external`` forces either, ``_scheme`` implies external,
        ``_anchor`` appends a fragment and ``_method`` picks the rule.
        """
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            blueprint_name = req_ctx.request.blueprint
            if endpoint[:1] == ".":
                if blueprint_name is not None:
                    endpoint = f"{blueprint_name}{endpoint}"
                else:
                    endpoint = endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)
            if app_ctx is not None:
                url_adapter = app_ctx.url_adapter
            else:
                url_adapter = self.create_url_adapter(None)
            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request"
                    " without 'SERVER_NAME' configured. Also configure"
                    " 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as"
                    " needed."
                )
            if _external is None:
                _external = True

        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")

        self.inject_url_defaults(endpoint, values)
        try:
            rv = url_adapter.build(  # type: ignore[union-attr]
                endpoint,
                values,
                method=_method,
                url_scheme=_scheme,
                force_external=_external,
            )
        except BuildError as error:
            values.update(
                _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external
            )
            return self.handle_url_build_error(error, endpoint, values)

        if _anchor is not None:
            _anchor = _url_quote(_anchor, safe="%!#$&'()*+,/:;=?@")
            rv = f"{rv}#{_anchor}"
        return rv

    # -- the request pipeline -----------------------------------------------------

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """The WSGI application: push the request context, dispatch,
        turn errors into responses, pop the context."""
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:  # noqa: E722
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            if "werkzeug.debug.preserve_context" in environ:
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> cabc.Iterable[bytes]:
        """Call :meth:`wsgi_app`, which middleware can wrap."""
        return self.wsgi_app(environ, start_response)

    def full_dispatch_request(self) -> Response:
        """Preprocess, dispatch and finalize the request, handling errors
        raised along the way."""
        self._got_first_request = True
        try:
            if request_started.receivers:
                request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def preprocess_request(self) -> ft.ResponseReturnValue | None:
        """Run URL value preprocessors, then ``before_request`` functions
        (app first, then blueprints outward-in); stop at the first that
        returns a value."""
        if not (self.url_value_preprocessors or self.before_request_funcs):
            return None
        req = _cv_request.get().request
        names = (None, *reversed(req.blueprints))
        for name in names:
            if name in self.url_value_preprocessors:
                for url_func in self.url_value_preprocessors[name]:
                    url_func(req.endpoint, req.view_args)
        for name in names:
            if name in self.before_request_funcs:
                for before_func in self.before_request_funcs[name]:
                    rv = self.ensure_sync(before_func)()
                    if rv is not None:
                        return rv  # type: ignore[no-any-return]
        return None

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Call the matched view with the URL's values; answer OPTIONS
        automatically; raise the routing error if matching failed."""
        ctx = _cv_request.get()
        target = ctx._match_without_request()
        if target is None:
            req = ctx.request
            if req.routing_exception is not None:
                self.raise_routing_exception(req)
            rule: Rule = req.url_rule  # type: ignore[assignment]
            view_args: dict[str, t.Any] = req.view_args  # type: ignore[assignment]
            method = req.method
        else:
            rule, view_args, method = target
        if getattr(rule, "provide_automatic_options", False) and method == "OPTIONS":
            return self.make_default_options_response()
        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]

    def make_default_options_response(self) -> Response:
        """An empty response whose ``Allow`` lists the URL's methods."""
        adapter = request_ctx.url_adapter
        methods = adapter.allowed_methods()  # type: ignore[union-attr]
        rv = self.response_class()
        rv.allow.update(methods)
        return rv

    def finalize_request(
        self,
        rv: ft.ResponseReturnValue | HTTPException,
        from_error_handler: bool = False,
    ) -> Response:
        """Make the response and process it; errors while doing so for an
        error response are logged instead of raised."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if request_finished.receivers:
                request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception(
                "Request finalizing failed with an error while handling an error"
            )
        return response

    def make_response(self, rv: ft.ResponseReturnValue) -> Response:
        """Convert a view's return value to :attr:`response_class`.

        Accepts a response, str, bytes, a dict or list (JSON), an iterator
        (streamed), a WSGI callable, or a tuple ``(body, status)``,
        ``(body, headers)`` or ``(body, status, headers)``.
        """
        if type(rv) is str:  # the common case, first
            return _text_response(self.response_class, rv)  # type: ignore[return-value]
        status: int | str | None = None
        headers: ft.HeadersValue | None = None

        if isinstance(rv, tuple):
            len_rv = len(rv)
            if len_rv == 3:
                rv, status, headers = rv  # type: ignore[misc]
            elif len_rv == 2:
                if isinstance(rv[1], (Headers, dict, tuple, list)):
                    rv, headers = rv
                else:
                    rv, status = rv  # type: ignore[assignment,misc]
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple."
                    " The tuple must have the form (body, status, headers),"
                    " (body, status), or (body, headers)."
                )

        if rv is None:
            raise TypeError(
                f"The view function for {request.endpoint!r} did not"
                " return a valid response. The function either returned"
                " None or ended without a return statement."
            )

        if not isinstance(rv, self.response_class):
            if isinstance(rv, (str, bytes, bytearray, cabc.Iterator)):
                if headers is None:
                    # Werkzeug would look for a Content-Type first; there's none.
                    rv = self.response_class(
                        rv,
                        status=status,
                        content_type=_default_content_type(self.response_class),
                    )
                else:
                    rv = self.response_class(rv, status=status, headers=headers)  # type: ignore[arg-type]
                status = headers = None
            else:
                rv = self._coerce_response(rv)

        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                rv.status = status
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv

    def _coerce_response(self, rv: t.Any) -> Response:
        """A response for a dict or list (JSON), another response class or
        a WSGI callable; a TypeError naming the type for anything else."""
        if isinstance(rv, (dict, list)):
            return self.json.response(rv)  # type: ignore[return-value]
        if isinstance(rv, HTTPException):
            # The response it would produce as a WSGI app, without running it.
            rv = self.response_class._from_http_exception(rv, request.environ)
        if isinstance(rv, BaseResponse) or callable(rv):
            try:
                return self.response_class.force_type(rv, request.environ)  # type: ignore[return-value]
            except TypeError as e:
                raise TypeError(
                    f"{e}\nThe view function did not return a valid"
                    " response. The return type must be a string,"
                    " dict, list, tuple with headers or status,"
                    " Response instance, or WSGI callable, but it"
                    f" was a {type(rv).__name__}."
                ).with_traceback(sys.exc_info()[2]) from None
        raise TypeError(
            "The view function did not return a valid"
            " response. The return type must be a string,"
            " dict, list, tuple with headers or status,"
            " Response instance, or WSGI callable, but it was a"
            f" {type(rv).__name__}."
        )

    def process_response(self, response: Response) -> Response:
        """Run ``after_this_request`` functions, then ``after_request``
        functions (blueprints inward-out, then the app, each in reverse
        registration order), then save the session."""
        ctx = _cv_request.get()
        for func in ctx._after_request_functions:
            response = self.ensure_sync(func)(response)
        if self.after_request_funcs:
            for name in chain(ctx.request.blueprints, (None,)):
                if name in self.after_request_funcs:
                    for func in reversed(self.after_request_funcs[name]):
                        response = self.ensure_sync(func)(response)
        self._save_session(ctx, response)
        return response

    def _save_session(self, ctx: RequestContext, response: Response) -> None:
        """Save the session. With the stock cookie interface, a session
        that stayed empty and untouched is skipped (saving it would do
        nothing), and one never opened is opened only if a cookie came."""
        interface = self.session_interface
        sess = ctx._opened_session
        lazy = _opens_lazily(interface)
        if sess is None:
            if lazy and (
                "HTTP_COOKIE" not in ctx._environ
                or interface.get_cookie_name(self) not in ctx.request.cookies
            ):
                return
            sess = ctx.session
        if lazy and not sess and not sess.modified and not sess.accessed:
            return
        if not interface.is_null_session(sess):
            interface.save_session(self, sess, response)

    # -- the error branch ------------------------------------------------------

    def handle_http_exception(
        self, e: HTTPException
    ) -> HTTPException | ft.ResponseReturnValue:
        """The registered handler's response for an HTTP error, or the
        exception itself (which is a response)."""
        if e.code is None:
            return e
        # Routing redirects are responses, not errors to handle.
        if isinstance(e, RoutingException):
            return e
        handler = self._find_error_handler(e, request.blueprints)
        if handler is None:
            return e
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_user_exception(
        self, e: Exception
    ) -> HTTPException | ft.ResponseReturnValue:
        """Handle an exception raised while dispatching: HTTP errors
        unless trapped, else a registered handler, else re-raise."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        handler = self._find_error_handler(e, request.blueprints)
        if handler is None:
            raise
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception) -> Response:
        """Handle an unhandled exception: propagate it in debug and
        testing mode, else log it and answer 500 (through a registered
        500 handler, given an ``InternalServerError`` wrapping ``e``)."""
        exc_info = sys.exc_info()
        got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                raise
            raise e

        self.log_exception(exc_info)
        server_error: InternalServerError | ft.ResponseReturnValue
        server_error = InternalServerError(original_exception=e)
        handler = self._find_error_handler(server_error, request.blueprints)
        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(
        self,
        exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None],
    ) -> None:
        """Log an unhandled exception at error level."""
        self.logger.error(
            f"Exception on {request.path} [{request.method}]", exc_info=exc_info
        )

    # -- teardown and contexts -----------------------------------------------------

    def do_teardown_request(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Run ``teardown_request`` functions (blueprints, then the app,
        each in reverse order) and send ``request_tearing_down``."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_request_funcs:
            blueprints = _cv_request.get().request.blueprints
            for name in chain(blueprints, (None,)):
                if name in self.teardown_request_funcs:
                    for func in reversed(self.teardown_request_funcs[name]):
                        self.ensure_sync(func)(exc)
        if request_tearing_down.receivers:
            request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = _sentinel) -> None:  # type: ignore[assignment]
        """Run ``teardown_appcontext`` functions in reverse order and send
        ``appcontext_tearing_down``."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        for func in reversed(self.teardown_appcontext_funcs):
            self.ensure_sync(func)(exc)
        if appcontext_tearing_down.receivers:
            appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

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
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    # -- async support -----------------------------------------------------------

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """``func`` itself, or a synchronous wrapper when it is a
        coroutine function."""
        # Plain functions are checked by their code flags; the rest (partials,
        # methods, marked callables) by inspect.
        if (
            type(func) is FunctionType
            and not func.__code__.co_flags & CO_COROUTINE
            and "_is_coroutine_marker" not in func.__dict__
        ):
            return func
        if iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function to run to completion on this
        thread's event loop, with the current context variables."""
        # Imported on first use: asyncio is costly to import for sync apps.
        from ._async import run_coroutine_sync

        return run_coroutine_sync(func)
