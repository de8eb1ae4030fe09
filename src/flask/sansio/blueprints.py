"""Blueprints: registrations recorded now and applied to an app later.

A blueprint may be registered on several apps, or several times on one
app under different names, URL prefixes or subdomains. Each
registration is described by a :class:`BlueprintSetupState`; what the
blueprint recorded is replayed against it (see ``_registration``).
"""

from __future__ import annotations

import typing as t
from functools import wraps

from ._registration import attach_commands
from ._registration import copy_registries
from ._registration import dotted
from ._registration import nested_options
from ._registration import refuse_taken_name
from .scaffold import _endpoint_from_view_func
from .scaffold import _named_decorator
from .scaffold import _sentinel
from .scaffold import AfterT
from .scaffold import BeforeT
from .scaffold import ContextProcessorT
from .scaffold import ErrorHandlerT
from .scaffold import F
from .scaffold import FilterT
from .scaffold import GlobalT
from .scaffold import Scaffold
from .scaffold import setupmethod
from .scaffold import TeardownT
from .scaffold import TestT
from .scaffold import URLDefaultsT
from .scaffold import URLValueT

if t.TYPE_CHECKING:  # pragma: no cover
    from ..typing import RouteCallable
    from ..typing import TemplateFilterCallable
    from ..typing import TemplateGlobalCallable
    from ..typing import TemplateTestCallable
    from .app import App
    from .scaffold import Decorator
    from .scaffold import FolderArg

DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]


class BlueprintSetupState:
    """One registration of a blueprint on an app: the registration options
    resolved against the blueprint's own settings. Every function the
    blueprint recorded is called with it."""

    def __init__(
        self, blueprint: Blueprint, app: App, options: t.Any, first_registration: bool
    ) -> None:
        self.blueprint = blueprint
        #: The registered name, and the dotted name of the enclosing blueprints.
        self.name = options.get("name", blueprint.name)
        self.name_prefix = options.get("name_prefix", "")
        self.app = app
        #: Whether the blueprint is registered on this app for the first time.
        self.first_registration = first_registration
        self.options = options
        subdomain, url_prefix = options.get("subdomain"), options.get("url_prefix")
        self.subdomain = blueprint.subdomain if subdomain is None else subdomain
        self.url_prefix = blueprint.url_prefix if url_prefix is None else url_prefix
        self.url_defaults = {
            **blueprint.url_values_defaults,
            **dict(options.get("url_defaults", ())),
        }

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        **options: t.Any,
    ) -> None:
        """Add a blueprint rule to the app: behind this registration's URL
        prefix, on its subdomain, with its URL defaults, its endpoint
        inside the registered name."""
        prefix = self.url_prefix
        if prefix is not None:
            rule = f"{prefix.rstrip('/')}/{rule.lstrip('/')}" if rule else prefix
        options.setdefault("subdomain", self.subdomain)
        options["defaults"] = {**self.url_defaults, **options.get("defaults", {})}
        local = _endpoint_from_view_func(view_func) if endpoint is None else endpoint
        scope = dotted(self.name_prefix, self.name)
        self.app.add_url_rule(rule, dotted(scope, local), view_func, **options)


class Blueprint(Scaffold):
    """A group of routes, hooks and handlers to register on applications.

    :param name: the name its endpoints are prefixed with; no dots.
    :param import_name: usually ``__name__``; locates :attr:`root_path`.
    :param static_folder: folder of static files served by a route of the
        blueprint; :param static_url_path: that route's prefix.
    :param template_folder: folder added to the app's template search path.
    :param url_prefix: prefix of every route of the blueprint.
    :param subdomain: subdomain every route matches by default.
    :param url_defaults: default view arguments of every route.
    :param root_path: the folder resources are relative to.
    :param cli_group: name of the group its CLI commands go in (default:
        the registered name); None puts them in the app's own group.
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: FolderArg = None,
        static_url_path: str | None = None,
        template_folder: FolderArg = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        if not name or "." in name:
            problem = "contain a dot '.' character" if name else "be empty"
            raise ValueError(f"'name' may not {problem}.")
        super().__init__(
            import_name, static_folder, static_url_path, template_folder, root_path
        )
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.url_values_defaults = {} if url_defaults is None else url_defaults
        self.cli_group = cli_group
        # Named after the blueprint until a registration renames it.
        self.cli.name = name
        #: Functions called with the setup state of each registration.
        self.deferred_functions: list[DeferredSetupFunction] = []
        #: Nested blueprints with their registration options.
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    #: Set by the first registration; later registrations may not change it.
    _got_registered_once = False

    def _check_setup_finished(self, f_name: str) -> None:
        if not self._got_registered_once:
            return
        raise AssertionError(
            f"The setup method '{f_name}' can no longer be called on the"
            f" blueprint '{self.name}'. It has already been registered at"
            " least once, so the change would reach only some registrations.\n"
            "Finish setting the blueprint up (imports, decorators,"
            " registrations) before registering it."
        )

    # -- recording ---------------------------------------------------------------

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Call ``func(state)`` on every registration of the blueprint."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Call ``func(state)`` on the first registration on each app."""

        @wraps(func)
        def on_first_registration(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(on_first_registration)

    def _on_app(self, apply: t.Callable[[App], object]) -> None:
        """Apply ``apply`` to each app the blueprint is registered on, once."""

        def on_app(state: BlueprintSetupState) -> None:
            apply(state.app)

        self.record_once(on_app)

    def _app_wide(self, registry: str, f: F) -> F:
        """Add ``f`` to the app's own scope of ``registry`` on registration."""
        self._on_app(lambda app: getattr(app, registry).setdefault(None, []).append(f))
        return f

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a rule; each registration adds it to the app with its
        prefix, subdomain and name (see :meth:`BlueprintSetupState.add_url_rule`)."""
        self._check_setup_finished("add_url_rule")
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")
        if view_func and "." in getattr(view_func, "__name__", ""):
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        options["provide_automatic_options"] = provide_automatic_options
        self.record(
            lambda state: state.add_url_rule(rule, endpoint, view_func, **options)
        )

    # -- registration ---------------------------------------------------------------

    def make_setup_state(
        self, app: App, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """The state of one registration, passed to recorded functions."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one: it is registered wherever this one
        is, its name, URL prefix and subdomain inside this one's."""
        if blueprint is not self:
            self._blueprints.append((blueprint, options))
            return
        raise ValueError("Cannot register a blueprint on itself")

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        """Register on ``app`` (called by :meth:`App.register_blueprint`):
        claim the name, add the static route, copy the registries, replay
        the recorded functions, attach the CLI group, then register the
        nested blueprints."""
        own_name = options.get("name", self.name)
        name = dotted(options.get("name_prefix", ""), own_name)
        refuse_taken_name(app, self, name, own_name)
        first = all(known is not self for known in app.blueprints.values())
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first)
        if self.has_static_folder:
            files = self.send_static_file  # type: ignore[attr-defined]
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>", "static", files
            )
        copy_registries(self, app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        attach_commands(self, app, name, options)
        for child, child_options in self._blueprints:
            child.register(app, nested_options(state, name, child, child_options))

    # -- registrations on the app as a whole ------------------------------------------

    @setupmethod
    def app_template_filter(self, name: str | None = None) -> Decorator[FilterT]:
        """Decorate a Jinja filter of the app."""
        return _named_decorator(self.add_app_template_filter, name)

    @setupmethod
    def add_app_template_filter(
        self, f: TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register a Jinja filter of the app."""
        self._on_app(lambda app: app.add_template_filter(f, name=name))

    @setupmethod
    def app_template_test(self, name: str | None = None) -> Decorator[TestT]:
        """Decorate a Jinja test of the app."""
        return _named_decorator(self.add_app_template_test, name)

    @setupmethod
    def add_app_template_test(
        self, f: TemplateTestCallable, name: str | None = None
    ) -> None:
        """Register a Jinja test of the app."""
        self._on_app(lambda app: app.add_template_test(f, name=name))

    @setupmethod
    def app_template_global(self, name: str | None = None) -> Decorator[GlobalT]:
        """Decorate a Jinja global of the app."""
        return _named_decorator(self.add_app_template_global, name)

    @setupmethod
    def add_app_template_global(
        self, f: TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register a Jinja global of the app."""
        self._on_app(lambda app: app.add_template_global(f, name=name))

    @setupmethod
    def before_app_request(self, f: BeforeT) -> BeforeT:
        """:meth:`before_request` for every request of the app."""
        return self._app_wide("before_request_funcs", f)

    @setupmethod
    def after_app_request(self, f: AfterT) -> AfterT:
        """:meth:`after_request` for every request of the app."""
        return self._app_wide("after_request_funcs", f)

    @setupmethod
    def teardown_app_request(self, f: TeardownT) -> TeardownT:
        """:meth:`teardown_request` for every request of the app."""
        return self._app_wide("teardown_request_funcs", f)

    @setupmethod
    def before_app_websocket(self, f: F) -> F:
        """:meth:`before_websocket` for every WebSocket of the app."""
        return self._app_wide("before_websocket_funcs", f)

    @setupmethod
    def after_app_websocket(self, f: F) -> F:
        """:meth:`after_websocket` for every WebSocket of the app."""
        return self._app_wide("after_websocket_funcs", f)

    @setupmethod
    def app_context_processor(self, f: ContextProcessorT) -> ContextProcessorT:
        """:meth:`context_processor` for every template the app renders."""
        return self._app_wide("template_context_processors", f)

    @setupmethod
    def app_url_value_preprocessor(self, f: URLValueT) -> URLValueT:
        """:meth:`url_value_preprocessor` for every request of the app."""
        return self._app_wide("url_value_preprocessors", f)

    @setupmethod
    def app_url_defaults(self, f: URLDefaultsT) -> URLDefaultsT:
        """:meth:`url_defaults` for every URL the app builds."""
        return self._app_wide("url_default_functions", f)

    @setupmethod
    def app_errorhandler(self, code: type[Exception] | int) -> Decorator[ErrorHandlerT]:
        """:meth:`errorhandler` for errors of every request of the app."""

        def register(handler: ErrorHandlerT) -> ErrorHandlerT:
            self._on_app(lambda app: app.register_error_handler(code, handler))
            return handler

        return register
