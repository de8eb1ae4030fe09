"""The application's registries, independent of any server protocol.

:class:`App` adds to the :class:`~flask.sansio.scaffold.Scaffold`
registries what only an application has: its configuration, URL map,
registered blueprints, the Jinja registries and the extension-point
classes. It also answers the lookups the request pipeline makes (which
error handler, which URL defaults), kept cheap because they run per
request. :class:`flask.Flask` builds the WSGI pipeline on top of it;
other frameworks (Quart) build theirs.
"""

from __future__ import annotations

import logging
import os
import sys
import typing as t
from datetime import timedelta
from functools import lru_cache

from werkzeug.exceptions import Aborter
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import BadRequestKeyError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError
from werkzeug.routing import Map
from werkzeug.routing import Rule
from werkzeug.utils import cached_property
from werkzeug.utils import redirect as _werkzeug_redirect

from ..config import Config
from ..config import ConfigAttribute
from ..helpers import _blueprint_chain
from ..helpers import get_debug_flag
from ..json.provider import DefaultJSONProvider
from ..json.provider import JSONProvider
from ..logging import create_logger
from ..templating import DispatchingJinjaLoader
from .scaffold import _endpoint_from_view_func
from .scaffold import _named_decorator
from .scaffold import F
from .scaffold import FilterT
from .scaffold import find_package
from .scaffold import GlobalT
from .scaffold import Scaffold
from .scaffold import setupmethod
from .scaffold import TestT

if t.TYPE_CHECKING:  # pragma: no cover
    from jinja2 import Environment as BaseEnvironment
    from werkzeug.sansio.response import Response
    from werkzeug.wrappers import Response as BaseResponse

    from ..testing import FlaskClient
    from ..testing import FlaskCliRunner
    from ..typing import ErrorHandlerCallable
    from ..typing import RouteCallable
    from ..typing import ShellContextProcessorCallable
    from ..typing import TeardownCallable
    from ..typing import TemplateFilterCallable
    from ..typing import TemplateGlobalCallable
    from ..typing import TemplateTestCallable
    from .blueprints import Blueprint
    from .scaffold import Decorator
    from .scaffold import FolderArg

ShellProcessorT = t.TypeVar("ShellProcessorT", bound="ShellContextProcessorCallable")
TeardownT = t.TypeVar("TeardownT", bound="TeardownCallable")
_ServingT = t.TypeVar("_ServingT", bound=t.Callable[[], t.Any])

_TEMPLATE_SUFFIXES_TO_ESCAPE = (".html", ".htm", ".xml", ".xhtml", ".svg")


def _as_timedelta(value: timedelta | int) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


@lru_cache(maxsize=2048)
def _default_scopes(endpoint: str) -> tuple[str | None, ...]:
    """The scopes whose ``url_defaults`` apply to ``endpoint``, app first
    then each enclosing blueprint outward in: ``"a.b.view"`` gives
    ``(None, "a", "a.b")``. Cached: ``url_for`` asks for the same few
    endpoints over and over."""
    return (None, *reversed(_blueprint_chain(endpoint)))


def _rule_methods(
    view_func: RouteCallable | None,
    methods: t.Iterable[str] | None,
    automatic_options: bool | None,
    config: t.Mapping[str, t.Any],
) -> tuple[set[str], t.Any]:
    """The methods of a new rule and whether OPTIONS is answered for it.

    Explicit arguments win over the view's attributes (``methods``,
    ``provide_automatic_options``), which win over the defaults (GET;
    ``PROVIDE_AUTOMATIC_OPTIONS`` unless OPTIONS is among the methods).
    """
    if methods is None:
        methods = getattr(view_func, "methods", None) or ("GET",)
    if isinstance(methods, str):
        example = '@app.route(..., methods=["POST"])'
        raise TypeError(
            f"Allowed methods must be a list of strings, for example: {example}"
        )
    allowed = {method.upper() for method in methods}
    if automatic_options is None:
        automatic_options = getattr(view_func, "provide_automatic_options", None)
    if automatic_options is None:
        automatic_options = (
            "OPTIONS" not in allowed and config["PROVIDE_AUTOMATIC_OPTIONS"]
        )
        if automatic_options:
            allowed.add("OPTIONS")
    allowed.update(getattr(view_func, "required_methods", ()))
    return allowed, automatic_options


def _appended(registry: list[t.Any], f: F) -> F:
    registry.append(f)
    return f


def _ask_build_handler(
    handler: t.Callable[[Exception, str, dict[str, t.Any]], str | None],
    error: BuildError,
    endpoint: str,
    values: dict[str, t.Any],
) -> tuple[str | None, BuildError]:
    """One handler's answer to a failed URL build: a URL or None, and the
    error for the next handler (the one it raised, if it raised one)."""
    try:
        return handler(error, endpoint, values), error
    except BuildError as raised:
        return None, raised


class App(Scaffold):
    """An application's setup-time state; :class:`flask.Flask` documents
    the parameters."""

    # Extension points: the classes of the objects the app makes.
    #: :attr:`config`.
    config_class: type[Config] = Config
    #: :attr:`url_map` and the rules added to it.
    url_map_class = Map
    url_rule_class = Rule
    #: :attr:`json`, which the ``flask.json`` functions use.
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    #: :attr:`aborter`, which :func:`flask.abort` raises through.
    aborter_class: type[Aborter] = Aborter
    #: What ``test_client()`` and ``test_cli_runner()`` return; None stands
    #: for the classes of :mod:`flask.testing`.
    test_cli_runner_class: type[FlaskCliRunner] | None = None
    test_client_class: type[FlaskClient] | None = None
    #: Keyword arguments for the Jinja environment.
    jinja_options: dict[str, t.Any] = {}
    #: Defined by the concrete application class.
    response_class: type[Response]
    default_config: dict[str, t.Any]

    # Views of config keys, readable and writable on the app.
    secret_key: ConfigAttribute[str | bytes | None] = ConfigAttribute("SECRET_KEY")
    testing: ConfigAttribute[bool] = ConfigAttribute("TESTING")
    permanent_session_lifetime: ConfigAttribute[timedelta] = ConfigAttribute(
        "PERMANENT_SESSION_LIFETIME", get_converter=_as_timedelta
    )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: FolderArg = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: FolderArg = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        if instance_path is not None and not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )
        super().__init__(
            import_name, static_folder, static_url_path, template_folder, root_path
        )
        #: Folder for local files kept out of version control.
        self.instance_path = instance_path or self.auto_find_instance_path()
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.make_aborter()
        self.json: JSONProvider = self.json_provider_class(self)
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        #: ``{registered name: blueprint}``, dotted names for nested ones.
        self.blueprints: dict[str, Blueprint] = {}
        #: Per-extension state, by extension name.
        self.extensions: dict[str, t.Any] = {}
        #: Functions tried in turn by :meth:`handle_url_build_error`.
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        #: Called with the error when the app context is popped.
        self.teardown_appcontext_funcs: list[TeardownCallable] = []
        #: Each returns a dict of names for ``flask shell``.
        self.shell_context_processors: list[ShellContextProcessorCallable] = []
        #: Called (or awaited) when an ASGI server starts and stops serving.
        self.before_serving_funcs: list[t.Callable[[], t.Any]] = []
        self.after_serving_funcs: list[t.Callable[[], t.Any]] = []
        self._got_first_request = False
        self.cli.name = self.name
        self._finish_init(static_host, host_matching)

    def _finish_init(self, static_host: str | None, host_matching: bool) -> None:
        """Called last by ``__init__`` with the arguments only a serving
        layer uses, so that it extends construction without restating the
        constructor; the WSGI :class:`~flask.Flask` adds its static route
        and default template context here. Does nothing on this class."""

    def _check_setup_finished(self, f_name: str) -> None:
        if not self._got_first_request:
            return
        raise AssertionError(
            f"The setup method '{f_name}' can no longer be called on the"
            " application. It has already handled its first request, so the"
            " change would reach only part of it.\nFinish setting the"
            " application up (imports, decorators, registrations) before it"
            " serves requests."
        )

    # -- identity, configuration and the objects made from them -------------

    @cached_property
    def name(self) -> str:
        """The import name; for ``__main__``, the name of the script run."""
        if self.import_name != "__main__":
            return self.import_name
        script: str | None = getattr(sys.modules["__main__"], "__file__", None)
        if script is None:
            return "__main__"
        return os.path.splitext(os.path.basename(script))[0]

    @cached_property
    def logger(self) -> logging.Logger:
        """The standard-library logger named like the app."""
        return create_logger(self)

    def make_config(self, instance_relative: bool = False) -> Config:
        """Build :attr:`config` from :attr:`default_config`, with ``DEBUG``
        from the ``FLASK_DEBUG`` environment variable; relative file names
        resolve against the instance or the root folder."""
        return self.config_class(
            self.instance_path if instance_relative else self.root_path,
            {**self.default_config, "DEBUG": get_debug_flag()},
        )

    def make_aborter(self) -> Aborter:
        """Build :attr:`aborter`."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """The instance folder when none is given: ``instance`` beside the
        code, or ``<prefix>/var/<name>-instance`` for installed code."""
        prefix, folder = find_package(self.import_name)
        if prefix is not None:
            return os.path.join(prefix, "var", f"{self.name}-instance")
        return os.path.join(folder, "instance")

    @property
    def debug(self) -> bool:
        """The ``DEBUG`` config value. Setting it also switches template
        auto-reloading, unless ``TEMPLATES_AUTO_RELOAD`` decides that."""
        return self.config["DEBUG"]  # type: ignore[no-any-return]

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        env = self.__dict__.get("jinja_env")
        if env is not None and self.config["TEMPLATES_AUTO_RELOAD"] is None:
            env.auto_reload = value

    # -- templates ---------------------------------------------------------------

    @cached_property
    def jinja_env(self) -> BaseEnvironment:
        """The Jinja environment, made by :meth:`create_jinja_environment`
        when first used."""
        return self.create_jinja_environment()

    def create_jinja_environment(self) -> BaseEnvironment:
        """Build :attr:`jinja_env`; the concrete application defines it."""
        raise NotImplementedError()

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The environment's loader: the app's templates first, then each
        blueprint's in registration order."""
        return DispatchingJinjaLoader(t.cast(t.Any, self))

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether a template is autoescaped: templates from strings and
        HTML, XML and SVG files are."""
        return filename is None or filename.endswith(_TEMPLATE_SUFFIXES_TO_ESCAPE)

    def _add_to_jinja(
        self, namespace: str, f: t.Callable[..., t.Any], name: str | None
    ) -> None:
        table: dict[str, t.Any] = getattr(self.jinja_env, namespace)
        table[name or f.__name__] = f

    @setupmethod
    def template_filter(self, name: str | None = None) -> Decorator[FilterT]:
        """Decorate a Jinja filter, named ``name`` or after the function."""
        return _named_decorator(self.add_template_filter, name)

    @setupmethod
    def add_template_filter(
        self, f: TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register a Jinja filter, named ``name`` or after the function."""
        self._add_to_jinja("filters", f, name)

    @setupmethod
    def template_test(self, name: str | None = None) -> Decorator[TestT]:
        """Decorate a Jinja test, named ``name`` or after the function."""
        return _named_decorator(self.add_template_test, name)

    @setupmethod
    def add_template_test(
        self, f: TemplateTestCallable, name: str | None = None
    ) -> None:
        """Register a Jinja test, named ``name`` or after the function."""
        self._add_to_jinja("tests", f, name)

    @setupmethod
    def template_global(self, name: str | None = None) -> Decorator[GlobalT]:
        """Decorate a Jinja global, named ``name`` or after the function."""
        return _named_decorator(self.add_template_global, name)

    @setupmethod
    def add_template_global(
        self, f: TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register a Jinja global, named ``name`` or after the function."""
        self._add_to_jinja("globals", f, name)

    # -- routes, blueprints and app-wide hooks -------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Add ``rule`` to :attr:`url_map` for ``endpoint`` (by default the
        view's name) and map the endpoint to ``view_func``.

        ``methods`` defaults to the view's ``methods`` attribute, else GET;
        the view's ``required_methods`` are always added. OPTIONS is answered
        automatically unless ``provide_automatic_options`` (or the view's
        attribute of that name, or ``PROVIDE_AUTOMATIC_OPTIONS``) says no or
        the view handles OPTIONS itself. Other options go to the rule.
        """
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        methods, automatic = _rule_methods(
            view_func,
            options.pop("methods", None),
            provide_automatic_options,
            self.config,
        )
        url_rule = self.url_rule_class(
            rule, methods=methods, endpoint=endpoint, **options
        )
        url_rule.provide_automatic_options = automatic  # type: ignore[attr-defined]
        self.url_map.add(url_rule)
        if view_func is None:
            return
        if self.view_functions.get(endpoint, view_func) != view_func:
            raise AssertionError(
                f"A rule for {endpoint!r} with another view function: it would be"
                " overwriting an existing endpoint function."
            )
        self.view_functions[endpoint] = view_func

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Apply ``blueprint``'s registrations to this app. The options
        (``url_prefix``, ``subdomain``, ``url_defaults``, ``name``,
        ``cli_group``) override the blueprint's own for this registration."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
        return self.blueprints.values()

    @setupmethod
    def teardown_appcontext(self, f: TeardownT) -> TeardownT:
        """Call ``f(error)`` when the application context is popped."""
        return _appended(self.teardown_appcontext_funcs, f)

    @setupmethod
    def shell_context_processor(self, f: ShellProcessorT) -> ShellProcessorT:
        """Add the dict ``f()`` returns to the names of ``flask shell``."""
        return _appended(self.shell_context_processors, f)

    @setupmethod
    def before_serving(self, f: _ServingT) -> _ServingT:
        """Call (or await) ``f()`` in an app context when an ASGI server
        starts serving the app (the ``lifespan`` startup). Not called by
        WSGI servers, which have no such event."""
        return _appended(self.before_serving_funcs, f)

    @setupmethod
    def after_serving(self, f: _ServingT) -> _ServingT:
        """Call (or await) ``f()`` in an app context when an ASGI server
        stops serving the app (the ``lifespan`` shutdown)."""
        return _appended(self.after_serving_funcs, f)

    # -- lookups made while handling requests ----------------------------------------

    def _find_error_handler(
        self, e: Exception, blueprints: list[str]
    ) -> ErrorHandlerCallable | None:
        """The handler registered for ``e``, or None.

        Handlers for the error's status code win over handlers by class
        alone; within each, the innermost blueprint of ``blueprints`` wins
        over its parents and the app, and a handler for a closer class in
        the MRO wins over one for a base class.
        """
        error_class = type(e)
        code = error_class.code if issubclass(error_class, HTTPException) else None
        classes = error_class.__mro__
        spec = self.error_handler_spec
        scopes = (*blueprints, None)
        for key in (None,) if code is None else (code, None):
            for scope in scopes:
                by_code = spec.get(scope)
                handlers = by_code.get(key) if by_code else None
                if handlers:
                    for cls in classes:
                        if (handler := handlers.get(cls)) is not None:
                            return handler
        return None

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether the HTTP error ``e`` propagates like any other exception
        instead of becoming its error response: always with
        ``TRAP_HTTP_EXCEPTIONS``, for bad requests with
        ``TRAP_BAD_REQUEST_ERRORS``, and, when that is unset, for a missing
        form key in debug mode (where a traceback helps most)."""
        config = self.config
        if config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_requests = config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_requests is None:
            return isinstance(e, BadRequestKeyError) and self.debug
        return bool(trap_bad_requests) and isinstance(e, BadRequest)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions get None instead of ``error``; never,
        unless a subclass decides otherwise."""
        return False

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """A redirect response of :attr:`response_class`; what
        :func:`flask.redirect` returns."""
        response_class: t.Any = self.response_class
        return _werkzeug_redirect(location, code, response_class)

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let the ``url_defaults`` functions of the app, then of each
        blueprint enclosing ``endpoint`` (outermost first), fill ``values``."""
        registry = self.url_default_functions
        if not registry:
            return
        if "." not in endpoint:  # no blueprint: the app's functions alone
            if None in registry:
                for fill in registry[None]:
                    fill(endpoint, values)
            return
        for scope in _default_scopes(endpoint):
            if scope in registry:
                for fill in registry[scope]:
                    fill(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Ask each of :attr:`url_build_error_handlers` for a URL: the first
        value other than None is returned, and a handler raising
        :exc:`BuildError` replaces the error for the next ones. When none
        answers, the last error is raised."""
        for handler in self.url_build_error_handlers:
            url, error = _ask_build_handler(handler, error, endpoint, values)
            if url is not None:
                return url
        if error is sys.exc_info()[1]:
            raise  # the caller's exception, traceback untouched
        raise error
