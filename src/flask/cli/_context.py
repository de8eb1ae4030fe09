"""What a command knows about its application, and how it enters its context.

:class:`ScriptInfo` is the Click context object of one ``flask`` invocation:
it knows where the application is (an import path or a factory) and loads it
once. :func:`with_appcontext` and :class:`AppGroup` give commands an
application context through it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import typing as t

import click
from click.core import ParameterSource

from ..globals import current_app
from ..helpers import get_debug_flag
from ..helpers import get_load_dotenv
from ._discovery import locate_app
from ._discovery import NoAppException
from ._discovery import prepare_import
from ._discovery import split_reference

if t.TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
#: A ``create_app`` argument: called without arguments, it returns the app.
AppFactory: t.TypeAlias = "t.Callable[..., Flask]"

#: Tried in the working folder, in order, when no application is named.
DEFAULT_MODULE_FILES = ("wsgi.py", "app.py")

NO_APP_HINT = (
    "Could not locate a Flask application. Use the 'flask --app' option,"
    " 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in"
    " the current directory."
)


def _from_reference(reference: str) -> Flask:
    module_part, name = split_reference(reference)
    return locate_app(prepare_import(module_part), name)


def _from_default_files() -> Flask | None:
    for filename in DEFAULT_MODULE_FILES:
        found = locate_app(prepare_import(filename), None, raise_if_not_found=False)
        if found is not None:
            return found
    return None


@dataclasses.dataclass(eq=False)
class ScriptInfo:
    """Where the application of this invocation comes from.

    :param app_import_path: ``module``, ``module:name`` or
        ``module:factory(args)``, where module may be a file path.
    :param create_app: a callable without arguments returning the
        application; it wins over ``app_import_path``.
    :param set_debug_flag: on load, set ``app.debug`` from ``FLASK_DEBUG``.
    :param load_dotenv_defaults: read ``.env`` and ``.flaskenv``, unless
        ``FLASK_SKIP_DOTENV`` says not to.
    """

    app_import_path: str | None = None
    create_app: AppFactory | None = None
    set_debug_flag: bool = True
    load_dotenv_defaults: bool = True
    #: Free-form storage for the commands of one invocation.
    data: dict[t.Any, t.Any] = dataclasses.field(default_factory=dict, init=False)
    _app: Flask | None = dataclasses.field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.load_dotenv_defaults = get_load_dotenv(self.load_dotenv_defaults)

    @property
    def loaded_app(self) -> Flask | None:
        """The application if :meth:`load_app` already loaded it."""
        return self._app

    def _find(self) -> Flask | None:
        if self.create_app is not None:
            return self.create_app()
        if self.app_import_path:
            return _from_reference(self.app_import_path)
        return _from_default_files()

    def load_app(self) -> Flask:
        """Return the application, loading it on the first call.

        :raises NoAppException: when there is nothing to load.
        """
        if self._app is None:
            app = self._find()
            if app is None:
                raise NoAppException(NO_APP_HINT)
            if self.set_debug_flag:
                # Set before any command sees the app: ``run`` reads it.
                app.debug = get_debug_flag()
            self._app = app
        return self._app


def _export_debug(
    ctx: click.Context, param: click.Parameter, value: bool | None
) -> bool | None:
    chosen = ctx.get_parameter_source(param.name or "debug") not in (
        ParameterSource.DEFAULT,
        ParameterSource.DEFAULT_MAP,
    )
    if value is None or not chosen:
        return None
    # Through the environment: get_debug_flag() reads it when the app is
    # loaded, and the reloader's child process inherits it.
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
    return value


def debug_option() -> click.Option:
    """``--debug/--no-debug``, accepted by the group and by ``run``
    (``flask --debug run`` and ``flask run --debug`` are the same).
    """
    # FLASK_DEBUG is interpreted by get_debug_flag(), not by Click, so the
    # option does not read it.
    return click.Option(
        ["--debug/--no-debug"],
        default=None,
        help="Set debug mode.",
        expose_value=False,
        allow_from_autoenv=False,
        callback=_export_debug,
    )


#: Decorator passing the invocation's :class:`ScriptInfo` as first argument.
pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def enter_app_context(ctx: click.Context, app: Flask) -> None:
    """Push ``app``'s context for the rest of ``ctx``, unless it is the
    current application already.
    """
    if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
        ctx.with_resource(app.app_context())


def with_appcontext(f: F) -> F:
    """Make the decorated Click callback run in an application context.

    When no application is current, the one of the invocation's
    :class:`ScriptInfo` is loaded and its context kept for the rest of the
    Click context.
    """

    @functools.wraps(f)
    def in_app_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        if not current_app:
            ctx = click.get_current_context()
            enter_app_context(ctx, ctx.ensure_object(ScriptInfo).load_app())
        return f(*args, **kwargs)

    return t.cast(F, in_app_context)


class AppGroup(click.Group):
    """The Click group of ``app.cli`` and ``blueprint.cli``.

    Its :meth:`command` runs callbacks in an application context (pass
    ``with_appcontext=False`` to opt out) and its :meth:`group` makes nested
    :class:`AppGroup` instances. :class:`FlaskGroup`, the ``flask`` command
    itself, builds on it.
    """

    @t.overload
    def command(self, __func: t.Callable[..., t.Any]) -> click.Command: ...

    @t.overload
    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command]: ...

    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> click.Command | t.Callable[[t.Callable[..., t.Any]], click.Command]:
        """Register a command, as :meth:`click.Group.command` does."""
        needs_app = kwargs.pop("with_appcontext", True)
        register = super().command
        if len(args) == 1 and not kwargs and callable(args[0]):
            bare = args[0]
            return register()(with_appcontext(bare) if needs_app else bare)

        def register_with(f: t.Callable[..., t.Any]) -> click.Command:
            command = register(*args, **kwargs)(with_appcontext(f) if needs_app else f)
            return t.cast(click.Command, command)

        return register_with

    @t.overload
    def group(self, __func: t.Callable[..., t.Any]) -> click.Group: ...

    @t.overload
    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]: ...

    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> click.Group | t.Callable[[t.Callable[..., t.Any]], click.Group]:
        """Register a subgroup, an :class:`AppGroup` unless ``cls`` says
        otherwise.
        """
        if len(args) == 1 and not kwargs and callable(args[0]):
            return super().group(cls=AppGroup)(args[0])
        return super().group(*args, **{"cls": AppGroup, **kwargs})  # type: ignore[no-any-return]
