"""The registries an application and its blueprints have in common.

A :class:`Scaffold` only records: view functions by endpoint, request
hooks and error handlers by *scope*, and where its static files and
templates live. A scope is ``None`` for the object's own registrations;
when an app registers a blueprint it copies the blueprint's registries
into its own under the blueprint's dotted name, so the request pipeline
finds everything on the app. Extensions read and append to these
registries directly, so their names and shapes are part of the API.
"""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict
from functools import wraps

import click
from jinja2 import BaseLoader
from jinja2 import FileSystemLoader
from werkzeug.exceptions import default_exceptions
from werkzeug.exceptions import HTTPException
from werkzeug.utils import cached_property

from ..helpers import get_root_path
from ._packages import find_package as find_package

if t.TYPE_CHECKING:  # pragma: no cover
    from ..typing import AfterRequestCallable
    from ..typing import AppOrBlueprintKey
    from ..typing import BeforeRequestCallable
    from ..typing import ErrorHandlerCallable
    from ..typing import RouteCallable
    from ..typing import TeardownCallable
    from ..typing import TemplateContextProcessorCallable
    from ..typing import TemplateFilterCallable
    from ..typing import TemplateGlobalCallable
    from ..typing import TemplateTestCallable
    from ..typing import URLDefaultCallable
    from ..typing import URLValuePreprocessorCallable

    #: A folder argument: a path, or None for no folder.
    FolderArg: t.TypeAlias = str | os.PathLike[str] | None
    #: ``{status code or None: {exception class: handler}}``.
    _ErrorHandlers: t.TypeAlias = dict[
        int | None, dict[type[Exception], ErrorHandlerCallable]
    ]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
AfterT = t.TypeVar("AfterT", bound="AfterRequestCallable[t.Any]")
BeforeT = t.TypeVar("BeforeT", bound="BeforeRequestCallable")
ErrorHandlerT = t.TypeVar("ErrorHandlerT", bound="ErrorHandlerCallable")
TeardownT = t.TypeVar("TeardownT", bound="TeardownCallable")
ContextProcessorT = t.TypeVar(
    "ContextProcessorT", bound="TemplateContextProcessorCallable"
)
URLDefaultsT = t.TypeVar("URLDefaultsT", bound="URLDefaultCallable")
URLValueT = t.TypeVar("URLValueT", bound="URLValuePreprocessorCallable")
RouteT = t.TypeVar("RouteT", bound="RouteCallable")
FilterT = t.TypeVar("FilterT", bound="TemplateFilterCallable")
GlobalT = t.TypeVar("GlobalT", bound="TemplateGlobalCallable")
TestT = t.TypeVar("TestT", bound="TemplateTestCallable")

#: What a registering decorator is: it hands back the function it got.
Decorator = t.Callable[[F], F]

#: Marks an argument that was not passed, where None is a meaningful value.
_sentinel = object()

#: The registries shaped ``{scope: [function, ...]}``, in the order a
#: request meets them. Blueprint registration merges exactly these.
_SCOPED_FUNCTION_LISTS = (
    "url_value_preprocessors",
    "before_request_funcs",
    "url_default_functions",
    "template_context_processors",
    "after_request_funcs",
    "teardown_request_funcs",
    "before_websocket_funcs",
    "after_websocket_funcs",
)


def _handlers_by_code() -> defaultdict[int | None, dict[type[Exception], t.Any]]:
    return defaultdict(dict)


def setupmethod(f: F) -> F:
    """Mark ``f`` as a registration method: once the object's setup is
    finished (an app has handled a request, a blueprint has been
    registered) calling it raises, since the change would only be seen
    by part of the running application."""
    name = f.__name__

    @wraps(f)
    def guarded(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(name)
        return f(self, *args, **kwargs)

    return t.cast(F, guarded)


def _endpoint_from_view_func(view_func: RouteCallable | None) -> str:
    """The endpoint a view gets when none is given: its ``__name__``."""
    assert view_func is not None, "expected view func if endpoint is not provided."
    return view_func.__name__


def _named_decorator(add: t.Callable[..., None], name: str | None) -> Decorator[F]:
    """A decorator passing the function it decorates to ``add(f, name=name)``;
    the front door of the ``add_template_*`` style registrations."""

    def register(f: F) -> F:
        add(f, name=name)
        return f

    return register


def _handler_key(key: type[Exception] | int) -> tuple[type[Exception], int | None]:
    """Check an :meth:`Scaffold.errorhandler` key and return the exception
    class it stands for with that class's HTTP status code (None for a
    class that is not an HTTP error)."""
    if isinstance(key, int):
        if key not in default_exceptions:
            raise ValueError(
                f"'{key}' is not a recognized HTTP error code. Use a subclass of"
                " HTTPException with that code instead."
            )
        return default_exceptions[key], key
    if isinstance(key, Exception):
        raise TypeError(
            f"{key!r} is an instance, not a class. Handlers can only be"
            " registered for Exception classes or HTTP error codes."
        )
    if not issubclass(key, Exception):
        raise ValueError(
            f"'{key.__name__}' is not a subclass of Exception. Handlers can only"
            " be registered for Exception classes or HTTP error codes."
        )
    return key, key.code if issubclass(key, HTTPException) else None


class Scaffold:
    """What :class:`~flask.Flask` and :class:`~flask.Blueprint` share.

    :param import_name: the import name of the package or module; it
        locates :attr:`root_path`.
    :param static_folder: folder of static files, relative to the root.
    :param static_url_path: URL prefix of the static route.
    :param template_folder: folder of templates, relative to the root.
    :param root_path: the folder resources are relative to, when it
        cannot be derived from ``import_name``.
    """

    #: The class of :attr:`cli`. The WSGI classes use
    #: :class:`flask.cli.AppGroup`; this layer must not import the CLI.
    _cli_group_class: type[click.Group] = click.Group

    _static_dir: str | None = None
    _static_prefix: str | None = None

    name: str
    #: Click group of the commands registered on this object.
    cli: click.Group
    #: ``{endpoint: view function}``.
    view_functions: dict[str, RouteCallable]
    #: ``{scope: {status code or None: {exception class: handler}}}``;
    #: handlers registered by class alone sit under the code None.
    error_handler_spec: dict[AppOrBlueprintKey, _ErrorHandlers]
    #: The registries below are ``{scope: [function, ...]}``, each list in
    #: registration order (see ``_SCOPED_FUNCTION_LISTS``).
    url_value_preprocessors: dict[AppOrBlueprintKey, list[URLValuePreprocessorCallable]]
    before_request_funcs: dict[AppOrBlueprintKey, list[BeforeRequestCallable]]
    url_default_functions: dict[AppOrBlueprintKey, list[URLDefaultCallable]]
    template_context_processors: dict[
        AppOrBlueprintKey, list[TemplateContextProcessorCallable]
    ]
    after_request_funcs: dict[AppOrBlueprintKey, list[AfterRequestCallable[t.Any]]]
    teardown_request_funcs: dict[AppOrBlueprintKey, list[TeardownCallable]]
    #: Called before and after each WebSocket handler, by scope.
    before_websocket_funcs: dict[AppOrBlueprintKey, list[t.Callable[..., t.Any]]]
    after_websocket_funcs: dict[AppOrBlueprintKey, list[t.Callable[..., t.Any]]]

    def __init__(
        self,
        import_name: str,
        static_folder: FolderArg = None,
        static_url_path: str | None = None,
        template_folder: FolderArg = None,
        root_path: str | None = None,
    ):
        self.import_name = import_name
        self.root_path = get_root_path(import_name) if root_path is None else root_path
        self.template_folder = template_folder
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.cli = self._cli_group_class()
        self.view_functions = {}
        self.error_handler_spec = defaultdict(_handlers_by_code)
        for registry in _SCOPED_FUNCTION_LISTS:
            setattr(self, registry, defaultdict(list))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _check_setup_finished(self, f_name: str) -> None:
        """Raise when ``f_name`` may no longer be called; see subclasses."""
        raise NotImplementedError

    # -- files ---------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """Absolute path of the static folder, or None for no static route."""
        folder = self._static_dir
        return None if folder is None else os.path.join(self.root_path, folder)

    @static_folder.setter
    def static_folder(self, value: FolderArg) -> None:
        self._static_dir = None if value is None else os.fspath(value).rstrip("\\/")

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is set."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """URL prefix of the static route: the value set, else ``/`` and the
        static folder's name."""
        if self._static_prefix is not None:
            return self._static_prefix
        folder = self.static_folder
        if folder is None:
            return None
        return f"/{os.path.basename(folder)}".rstrip("/")

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        self._static_prefix = None if value is None else value.rstrip("/")

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """A loader for :attr:`template_folder`; None when there is none."""
        if self.template_folder is None:
            return None
        return FileSystemLoader(os.path.join(self.root_path, self.template_folder))

    # -- routes ---------------------------------------------------------------

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> Decorator[RouteT]:
        """Decorate a view function to serve ``rule``. ``endpoint`` and the
        other options are those of :meth:`add_url_rule`."""

        def register(view: RouteT) -> RouteT:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, view, **options)
            return view

        return register

    def _verb_route(
        self, verb: str, rule: str, options: dict[str, t.Any]
    ) -> Decorator[RouteT]:
        self._check_setup_finished(verb.lower())
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[verb], **options)

    def get(self, rule: str, **options: t.Any) -> Decorator[RouteT]:
        """:meth:`route` for ``GET`` only."""
        return self._verb_route("GET", rule, options)

    def post(self, rule: str, **options: t.Any) -> Decorator[RouteT]:
        """:meth:`route` for ``POST`` only."""
        return self._verb_route("POST", rule, options)

    def put(self, rule: str, **options: t.Any) -> Decorator[RouteT]:
        """:meth:`route` for ``PUT`` only."""
        return self._verb_route("PUT", rule, options)

    def delete(self, rule: str, **options: t.Any) -> Decorator[RouteT]:
        """:meth:`route` for ``DELETE`` only."""
        return self._verb_route("DELETE", rule, options)

    def patch(self, rule: str, **options: t.Any) -> Decorator[RouteT]:
        """:meth:`route` for ``PATCH`` only."""
        return self._verb_route("PATCH", rule, options)

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Connect ``rule`` to ``endpoint`` (and ``endpoint`` to
        ``view_func``); see :meth:`flask.sansio.app.App.add_url_rule`."""
        raise NotImplementedError

    @setupmethod
    def websocket(self, rule: str, **options: t.Any) -> Decorator[F]:
        """Decorate a WebSocket handler to serve ``rule`` (served over
        ASGI; see :func:`flask.websocket`). Options as for :meth:`route`."""

        def register(view: F) -> F:
            endpoint = options.pop("endpoint", None)
            self.add_websocket(rule, endpoint, view, **options)
            return view

        return register

    @setupmethod
    def add_websocket(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """:meth:`add_url_rule` for a WebSocket rule: it matches WebSocket
        handshakes only (a plain HTTP request to it is a 400), in the same
        URL map, and ``url_for`` builds ``ws://``/``wss://`` URLs for it."""
        if "methods" in options:
            raise TypeError("A WebSocket rule takes no 'methods'.")
        self.add_url_rule(
            rule,
            endpoint,
            view_func,
            provide_automatic_options=False,
            methods=["GET"],
            websocket=True,
            **options,
        )

    @setupmethod
    def endpoint(self, endpoint: str) -> Decorator[F]:
        """Decorate the view function of an endpoint whose rule is added
        separately (without a view)."""

        def register(view: F) -> F:
            self.view_functions[endpoint] = view
            return view

        return register

    # -- request hooks ----------------------------------------------------------

    def _own(self, registry: dict[t.Any, list[t.Any]], f: F) -> F:
        """Append ``f`` to this object's own scope of ``registry``."""
        registry.setdefault(None, []).append(f)
        return f

    @setupmethod
    def before_request(self, f: BeforeT) -> BeforeT:
        """Call ``f()`` before the view; a return value other than None is
        the response, and the view is not called."""
        return self._own(self.before_request_funcs, f)

    @setupmethod
    def after_request(self, f: AfterT) -> AfterT:
        """Call ``f(response)`` after the view; it returns the response to
        send. Hooks run in the reverse order of registration."""
        return self._own(self.after_request_funcs, f)

    @setupmethod
    def teardown_request(self, f: TeardownT) -> TeardownT:
        """Call ``f(error)`` when the request context is popped, whether the
        request failed or not; the return value is ignored."""
        return self._own(self.teardown_request_funcs, f)

    @setupmethod
    def before_websocket(self, f: F) -> F:
        """Call ``f()`` before each WebSocket handler of this scope; a value
        it returns refuses the handshake with that response."""
        return self._own(self.before_websocket_funcs, f)

    @setupmethod
    def after_websocket(self, f: F) -> F:
        """Call ``f(response)`` when a WebSocket handler of this scope has
        returned; ``response`` is None unless it refused the handshake."""
        return self._own(self.after_websocket_funcs, f)

    @setupmethod
    def context_processor(self, f: ContextProcessorT) -> ContextProcessorT:
        """Call ``f()`` when a template is rendered; its dict is added to
        the template context."""
        return self._own(self.template_context_processors, f)

    @setupmethod
    def url_value_preprocessor(self, f: URLValueT) -> URLValueT:
        """Call ``f(endpoint, view_args)`` after the URL matched and before
        the ``before_request`` hooks; it may change ``view_args``."""
        return self._own(self.url_value_preprocessors, f)

    @setupmethod
    def url_defaults(self, f: URLDefaultsT) -> URLDefaultsT:
        """Call ``f(endpoint, values)`` when a URL is built; it may fill in
        ``values``."""
        return self._own(self.url_default_functions, f)

    # -- error handlers ----------------------------------------------------------

    @setupmethod
    def errorhandler(
        self, code_or_exception: type[Exception] | int
    ) -> Decorator[ErrorHandlerT]:
        """Decorate the handler of an HTTP status code or of an exception
        class (and its subclasses)."""

        def register(handler: ErrorHandlerT) -> ErrorHandlerT:
            self.register_error_handler(code_or_exception, handler)
            return handler

        return register

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[Exception] | int, f: ErrorHandlerCallable
    ) -> None:
        """:meth:`errorhandler` without the decorator."""
        exc_class, code = _handler_key(code_or_exception)
        own = self.error_handler_spec[None]
        own[code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[Exception] | int,
    ) -> tuple[type[Exception], int | None]:
        """The exception class and status code an error handler key means."""
        return _handler_key(exc_class_or_code)
