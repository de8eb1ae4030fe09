"""The application's setup-time side: config, URL map, extension-point
classes, blueprint registry and handler lookup. Nothing here touches WSGI
or the context globals; :class:`flask.Flask` adds the request pipeline."""

from __future__ import annotations

import logging
import os
import sys
import typing as t
from datetime import timedelta
from itertools import chain

from werkzeug.exceptions import Aborter
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.routing import BuildError
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.sansio.response import Response
from werkzeug.utils import cached_property
from werkzeug.utils import redirect as _wz_redirect

from .. import typing as ft
from ..config import Config
from ..config import ConfigAttribute
from ..helpers import _split_blueprint_path
from ..helpers import get_debug_flag
from ..json.provider import DefaultJSONProvider
from ..json.provider import JSONProvider
from ..logging import create_logger
from .scaffold import _endpoint_from_view_func
from .scaffold import find_package
from .scaffold import Scaffold
from .scaffold import setupmethod

if t.TYPE_CHECKING:  # pragma: no cover
    from jinja2 import Environment as BaseEnvironment
    from werkzeug.wrappers import Response as BaseResponse

    from ..testing import FlaskClient
    from ..testing import FlaskCliRunner
    from .blueprints import Blueprint

T_shell_context_processor = t.TypeVar(
    "T_shell_context_processor", bound=ft.ShellContextProcessorCallable
)
T_teardown = t.TypeVar("T_teardown", bound=ft.TeardownCallable)
T_template_filter = t.TypeVar("T_template_filter", bound=ft.TemplateFilterCallable)
T_template_global = t.TypeVar("T_template_global", bound=ft.TemplateGlobalCallable)
T_template_test = t.TypeVar("T_template_test", bound=ft.TemplateTestCallable)


def _make_timedelta(value: timedelta | int) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


class App(Scaffold):
    """The central registry of an application: see :class:`flask.Flask`
    for the parameters."""

    #: The class of ``self.aborter``, used by :func:`flask.abort`.
    aborter_class = Aborter
    #: The class of ``self.config``.
    config_class = Config
    #: Mirrors ``TESTING``: exceptions propagate to the test client.
    testing = ConfigAttribute[bool]("TESTING")
    #: Mirrors ``SECRET_KEY``, used to sign session cookies.
    secret_key = ConfigAttribute[t.Union[str, bytes, None]]("SECRET_KEY")  # noqa: UP007
    #: Mirrors ``PERMANENT_SESSION_LIFETIME`` as a timedelta.
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME", get_converter=_make_timedelta
    )
    #: The class of ``self.json``.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    #: Options passed to the Jinja environment when it is created.
    jinja_options: dict[str, t.Any] = {}
    #: The rule and map classes of the URL map.
    url_rule_class = Rule
    url_map_class = Map
    #: The classes returned by :meth:`test_client` and :meth:`test_cli_runner`.
    test_client_class: type[FlaskClient] | None = None
    test_cli_runner_class: type[FlaskCliRunner] | None = None

    default_config: dict[str, t.Any]
    response_class: type[Response]

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
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )
        #: Folder for files that are not under version control.
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.make_aborter()
        #: The JSON provider: ``flask.json`` functions delegate to it.
        self.json: JSONProvider = self.json_provider_class(self)
        #: Called with ``(error, endpoint, values)`` when ``url_for`` fails.
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        self.teardown_appcontext_funcs: list[ft.TeardownCallable] = []
        self.shell_context_processors: list[ft.ShellContextProcessorCallable] = []
        #: Registered blueprints by registered name.
        self.blueprints: dict[str, Blueprint] = {}
        #: Extension state, by extension name.
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self._got_first_request = False

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called"
                " on the application. It has already handled its first"
                " request, any changes will not be applied"
                " consistently.\n"
                "Make sure all imports, decorators, functions, etc."
                " needed to set up the application are done before"
                " running it."
            )

    @cached_property
    def name(self) -> str:
        """The app's name: the import name, or the script's name for
        ``__main__``."""
        if self.import_name == "__main__":
            fn: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if fn is None:
                return "__main__"
            return os.path.splitext(os.path.basename(fn))[0]
        return self.import_name

    @cached_property
    def logger(self) -> logging.Logger:
        """The ``logging`` logger named after the app."""
        return create_logger(self)

    @cached_property
    def jinja_env(self) -> BaseEnvironment:
        """The Jinja environment, created on first use."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> BaseEnvironment:
        raise NotImplementedError()

    def make_config(self, instance_relative: bool = False) -> Config:
        """Create ``self.config`` from ``default_config`` and ``FLASK_DEBUG``."""
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> Aborter:
        """Create ``self.aborter``."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """``instance`` beside the package, or ``$PREFIX/var/<name>-instance``
        when the package is installed."""
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape string templates and HTML/XML/SVG files."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    @property
    def debug(self) -> bool:
        """Mirrors ``DEBUG``; also sets template auto-reload when that is
        left to follow debug."""
        return self.config["DEBUG"]  # type: ignore[no-any-return]

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if (
            self.config["TEMPLATES_AUTO_RELOAD"] is None
            and "jinja_env" in self.__dict__
        ):
            self.jinja_env.auto_reload = value

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a blueprint; options override the blueprint's own
        (``url_prefix``, ``subdomain``, ``url_defaults``, ``name``...)."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
        return self.blueprints.values()

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Add a URL rule for ``endpoint`` (default: the view's name).

        ``methods`` defaults to the view's ``methods`` attribute or GET;
        HEAD is added by the map and OPTIONS answered automatically
        unless the view or ``provide_automatic_options`` says otherwise.
        Other options go to :class:`~werkzeug.routing.Rule`.
        """
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)  # type: ignore[arg-type]
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for"
                ' example: @app.route(..., methods=["POST"])'
            )
        methods = {item.upper() for item in methods}
        required_methods: set[str] = set(getattr(view_func, "required_methods", ()))

        if provide_automatic_options is None:
            provide_automatic_options = getattr(
                view_func, "provide_automatic_options", None
            )
        if provide_automatic_options is None:
            provide_automatic_options = (
                "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]
            )
            if provide_automatic_options:
                required_methods.add("OPTIONS")
        methods |= required_methods

        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore[attr-defined]
        self.url_map.add(rule_obj)
        if view_func is not None:
            old_func = self.view_functions.get(endpoint)
            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing"
                    f" endpoint function: {endpoint}"
                )
            self.view_functions[endpoint] = view_func

    # -- template registries -------------------------------------------------

    @setupmethod
    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]:
        """Register the decorated function as a Jinja filter."""

        def decorator(f: T_template_filter) -> T_template_filter:
            self.add_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register a Jinja filter, named after the function by default."""
        self.jinja_env.filters[name or f.__name__] = f

    @setupmethod
    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]:
        """Register the decorated function as a Jinja test."""

        def decorator(f: T_template_test) -> T_template_test:
            self.add_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_test(
        self, f: ft.TemplateTestCallable, name: str | None = None
    ) -> None:
        """Register a Jinja test, named after the function by default."""
        self.jinja_env.tests[name or f.__name__] = f

    @setupmethod
    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]:
        """Register the decorated function as a Jinja global."""

        def decorator(f: T_template_global) -> T_template_global:
            self.add_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register a Jinja global, named after the function by default."""
        self.jinja_env.globals[name or f.__name__] = f

    @setupmethod
    def teardown_appcontext(self, f: T_teardown) -> T_teardown:
        """Run ``f(exc)`` when the application context is popped."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(
        self, f: T_shell_context_processor
    ) -> T_shell_context_processor:
        """Register a function returning names for ``flask shell``."""
        self.shell_context_processors.append(f)
        return f

    # -- lookups used while handling a request ---------------------------------

    def _find_error_handler(
        self, e: Exception, blueprints: list[str]
    ) -> ft.ErrorHandlerCallable | None:
        """The handler for ``e``: by status code, then by class, each in
        the blueprints (innermost first) then the app, along the MRO."""
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        spec = self.error_handler_spec
        for c in (code, None) if code is not None else (None,):
            for name in names:
                by_code = spec.get(name)
                handler_map = by_code.get(c) if by_code is not None else None
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return handler
        return None

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTP exception should propagate instead of becoming
        an error response (``TRAP_HTTP_EXCEPTIONS``,
        ``TRAP_BAD_REQUEST_ERRORS``, or a missing form key in debug)."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if (
            trap_bad_request is None
            and self.debug
            and isinstance(e, BadRequestKeyError)
        ):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequest)
        return False

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions should see ``error`` as None."""
        return False

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """A redirect response, used by :func:`flask.redirect`."""
        return _wz_redirect(
            location,
            code=code,
            Response=self.response_class,  # type: ignore[arg-type]
        )

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let the app's and the endpoint's blueprints' ``url_defaults``
        functions fill ``values``."""
        names: t.Iterable[str | None] = (None,)
        if "." in endpoint:
            names = chain(
                names, reversed(_split_blueprint_path(endpoint.rpartition(".")[0]))
            )
        for name in names:
            if name in self.url_default_functions:
                for func in self.url_default_functions[name]:
                    func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Try each of ``url_build_error_handlers``; re-raise when none
        returns a URL."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise
        raise error
