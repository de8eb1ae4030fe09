"""The ``flask`` command line, built on Click.

The entry point is :func:`main` (the ``flask`` console script and
``python -m flask``). :class:`FlaskGroup` finds the application named by
``--app`` / ``FLASK_APP`` (or ``wsgi.py`` / ``app.py`` in the working
directory), loads ``.env`` / ``.flaskenv`` files, and exposes the built-in
``run``, ``shell`` and ``routes`` commands together with the commands of
``app.cli`` and of installed ``flask.commands`` plugins.

This module must not import :mod:`flask.app` at import time, because the
application classes import :class:`AppGroup` from here.
"""

from __future__ import annotations

import ast
import collections.abc as cabc
import functools
import importlib
import importlib.metadata
import inspect
import os
import platform
import re
import sys
import traceback
import typing as t

import click
from click.core import ParameterSource

from .globals import current_app

if t.TYPE_CHECKING:  # pragma: no cover
    import ssl

    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIEnvironment

    from .app import Flask

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: Names looked up, in order, for an application object in a module.
_APP_NAMES = ("app", "application")
#: Names looked up, in order, for an application factory in a module.
_FACTORY_NAMES = ("create_app", "make_app")
#: Files tried in the working directory when no import path is given.
_DEFAULT_APP_FILES = ("wsgi.py", "app.py")
#: The dotenv files loaded by default, lowest precedence first.
_DEFAULT_ENV_FILES = (".flaskenv", ".env")

_NO_APP_MESSAGE = (
    "Could not locate a Flask application. Use the 'flask --app' option,"
    " 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in"
    " the current directory."
)


class NoAppException(click.UsageError):
    """The application could not be found or created.

    It is a :class:`click.UsageError`, so Click prints its message with the
    usage line and exits with status 2.
    """


# --------------------------------------------------------------------------
# Finding the application
# --------------------------------------------------------------------------


def _flask_class() -> type[Flask]:
    """Return :class:`flask.app.Flask`, imported lazily to avoid a cycle."""
    from .app import Flask

    return Flask


def _call_factory(
    factory: t.Callable[..., t.Any],
    args: cabc.Sequence[t.Any],
    kwargs: cabc.Mapping[str, t.Any],
) -> tuple[bool, t.Any]:
    """Call ``factory`` if its signature accepts the arguments.

    Returns ``(False, None)`` without calling it when the arguments cannot be
    bound, and ``(True, result)`` otherwise. A :exc:`TypeError` raised while
    the factory runs propagates unchanged.
    """
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except TypeError:
        return False, None
    except ValueError:  # pragma: no cover - no signature available
        pass
    return True, factory(*args, **kwargs)


def find_best_app(module: t.Any) -> Flask:
    """Find the application in ``module`` without being told its name.

    Tried in order: an attribute named ``app`` or ``application``; the single
    :class:`~flask.Flask` instance among the module's attributes; a factory
    named ``create_app`` or ``make_app`` that can be called with no arguments.

    :raises NoAppException: when nothing fits, when several applications are
        found, or when a factory needs arguments.
    """
    flask_cls = _flask_class()
    mod_name = module.__name__

    for name in _APP_NAMES:
        candidate = getattr(module, name, None)
        if isinstance(candidate, flask_cls):
            return candidate

    found = [v for v in vars(module).values() if isinstance(v, flask_cls)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise NoAppException(
            f"Detected multiple Flask applications in module '{mod_name}'."
            f" Use '{mod_name}:name' to specify the correct one."
        )

    for name in _FACTORY_NAMES:
        factory = getattr(module, name, None)
        if not inspect.isfunction(factory):
            continue
        called, result = _call_factory(factory, (), {})
        if not called:
            raise NoAppException(
                f"Detected factory '{name}' in module '{mod_name}', but could"
                " not call it without arguments. Use"
                f" '{mod_name}:{name}(args)' to specify arguments."
            )
        if isinstance(result, flask_cls):
            return result

    raise NoAppException(
        "Failed to find Flask application or factory in module"
        f" '{mod_name}'. Use '{mod_name}:name' to specify one."
    )


def _parse_app_expression(
    expression: str,
) -> tuple[str, list[t.Any], dict[str, t.Any], bool]:
    """Parse ``name`` or ``name(literal, key=literal)``.

    Returns ``(name, args, kwargs, is_call)``.

    :raises NoAppException: if the text is neither form or an argument is
        not a Python literal.
    """
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Failed to parse {expression!r} as an attribute name or function call."
        ) from None

    if isinstance(node, ast.Name):
        return node.id, [], {}, False
    if not isinstance(node, ast.Call):
        raise NoAppException(
            f"Failed to parse {expression!r} as an attribute name or function call."
        )
    if not isinstance(node.func, ast.Name):
        raise NoAppException(
            f"Function reference must be a simple name: {expression!r}."
        )
    try:
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {
            kw.arg: ast.literal_eval(kw.value)
            for kw in node.keywords
            if kw.arg is not None
        }
    except ValueError:
        raise NoAppException(
            f"Failed to parse arguments as literal values: {expression!r}."
        ) from None
    return node.func.id, args, kwargs, True


def find_app_by_string(module: t.Any, app_name: str) -> Flask:
    """Get the application named by ``app_name`` from ``module``.

    ``app_name`` is an attribute name (``app``) or a call of a module-level
    function with literal arguments (``create_app('dev', debug=True)``). A
    plain function name is called without arguments.

    :raises NoAppException: if the text cannot be parsed, the attribute is
        missing, the factory rejects the arguments, or the result is not a
        :class:`~flask.Flask` instance.
    """
    flask_cls = _flask_class()
    mod_name = module.__name__
    name, args, kwargs, _ = _parse_app_expression(app_name)

    try:
        attr = getattr(module, name)
    except AttributeError as e:
        raise NoAppException(
            f"Failed to find attribute {name!r} in {mod_name!r}."
        ) from e

    if inspect.isfunction(attr):
        called, app = _call_factory(attr, args, kwargs)
        if not called:
            raise NoAppException(
                f"The factory {app_name!r} in module {mod_name!r} could not"
                " be called with the specified arguments."
            )
    else:
        app = attr

    if isinstance(app, flask_cls):
        return app

    raise NoAppException(
        f"A valid Flask application was not obtained from '{mod_name}:{app_name}'."
    )


def prepare_import(path: str | os.PathLike[str]) -> str:
    """Turn a file or module path into an importable dotted name.

    The directory that holds the outermost package (the first parent without
    an ``__init__.py``) is put at the front of :data:`sys.path`. A ``.py``
    suffix and a trailing ``__init__`` are dropped.
    """
    path = os.path.realpath(path)
    stem, ext = os.path.splitext(path)
    if ext == ".py":
        path = stem
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)

    parts: list[str] = []
    while True:
        path, name = os.path.split(path)
        parts.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break

    if not sys.path or sys.path[0] != path:
        sys.path.insert(0, path)

    return ".".join(reversed(parts))


def _is_missing_module(exc: ImportError, module_name: str) -> bool:
    """Whether ``exc`` says ``module_name`` (or a parent package) is absent.

    Any other import error was raised by code inside the module.
    """
    if not isinstance(exc, ModuleNotFoundError) or exc.name is None:
        return False
    return module_name == exc.name or module_name.startswith(exc.name + ".")


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> Flask: ...


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = ...
) -> Flask | None: ...


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Flask | None:
    """Import ``module_name`` and find the application in it.

    With ``app_name`` the lookup uses :func:`find_app_by_string`, otherwise
    :func:`find_best_app`. If the module does not exist, returns ``None``
    when ``raise_if_not_found`` is false. An import error raised *inside*
    the module is always reported, with its traceback.

    :raises NoAppException: if the module or the application is not found.
    """
    try:
        importlib.import_module(module_name)
    except ImportError as e:
        if not _is_missing_module(e, module_name):
            raise NoAppException(
                f"While importing {module_name!r}, an ImportError was"
                f" raised:\n\n{traceback.format_exc()}"
            ) from None
        if raise_if_not_found:
            raise NoAppException(f"Could not import {module_name!r}.") from None
        return None

    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


def _split_import_path(value: str) -> tuple[str, str | None]:
    """Split ``path:name`` into its parts.

    A colon followed by a slash or backslash belongs to a Windows drive
    (``C:\\app.py``), not to the separator.
    """
    parts = re.split(r":(?![\\/])", value, maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1]
    return parts[0], None


# --------------------------------------------------------------------------
# Script info and the application context
# --------------------------------------------------------------------------


class ScriptInfo:
    """What the CLI knows about the application to load.

    :class:`FlaskGroup` creates one per invocation and makes it the Click
    context object; commands get it with :func:`pass_script_info`.

    :param app_import_path: ``module``, ``module:name``, ``module:factory(...)``
        or a file path, optionally with ``:name``.
    :param create_app: a callable taking no arguments that returns the app;
        used instead of ``app_import_path`` when given.
    :param set_debug_flag: set ``app.debug`` from ``FLASK_DEBUG`` on load.
    :param load_dotenv_defaults: load ``.env`` and ``.flaskenv``; ignored
        when ``FLASK_SKIP_DOTENV`` is set.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Flask] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        from .helpers import get_load_dotenv

        #: The import path of the application, if known.
        self.app_import_path = app_import_path
        #: A callable that returns the application, if given.
        self.create_app = create_app
        #: Arbitrary data shared by the commands of one invocation.
        self.data: dict[t.Any, t.Any] = {}
        self.set_debug_flag = set_debug_flag
        #: Whether the default dotenv files are loaded.
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self._loaded_app: Flask | None = None

    def _find_app(self) -> Flask | None:
        """Create or import the application, or return ``None``."""
        if self.create_app is not None:
            return self.create_app()

        if self.app_import_path:
            path, name = _split_import_path(self.app_import_path)
            return locate_app(prepare_import(path), name)

        for filename in _DEFAULT_APP_FILES:
            app = locate_app(prepare_import(filename), None, raise_if_not_found=False)
            if app is not None:
                return app
        return None

    def load_app(self) -> Flask:
        """Load the application once and return it.

        Later calls return the same object.

        :raises NoAppException: if no application can be found.
        """
        if self._loaded_app is not None:
            return self._loaded_app

        app = self._find_app()
        if app is None:
            raise NoAppException(_NO_APP_MESSAGE)

        if self.set_debug_flag:
            from .helpers import get_debug_flag

            # Commands such as run need the flag; set it before they see the app.
            app.debug = get_debug_flag()

        self._loaded_app = app
        return app


#: Decorator passing the current :class:`ScriptInfo` as first argument.
pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def _active_app() -> Flask | None:
    """Return the application whose context is pushed, if any."""
    if not current_app:
        return None
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def with_appcontext(f: F) -> F:
    """Run the decorated Click callback inside an application context.

    If no context is active, the application is loaded through the
    :class:`ScriptInfo` of the current Click context and its app context is
    pushed for the rest of that Click context.
    """

    @functools.wraps(f)
    def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
        if not current_app:
            ctx = click.get_current_context()
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return f(*args, **kwargs)

    return t.cast(F, decorator)


class AppGroup(click.Group):
    """A Click group whose :meth:`command` wraps callbacks in
    :func:`with_appcontext` and whose :meth:`group` creates
    :class:`AppGroup` instances.

    Not to be confused with :class:`FlaskGroup`.
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
        """Like :meth:`click.Group.command`, but the callback runs in an app
        context unless ``with_appcontext=False`` is passed.
        """
        wrap = kwargs.pop("with_appcontext", True)
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.command()(args[0])

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap:
                f = with_appcontext(f)
            command = super(AppGroup, self).command(*args, **kwargs)(f)
            return t.cast(click.Command, command)

        return decorator

    @t.overload
    def group(self, __func: t.Callable[..., t.Any]) -> click.Group: ...

    @t.overload
    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]: ...

    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> click.Group | t.Callable[[t.Callable[..., t.Any]], click.Group]:
        """Like :meth:`click.Group.group`, but the class defaults to
        :class:`AppGroup`.
        """
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.group()(args[0])
        kwargs.setdefault("cls", AppGroup)
        return super().group(*args, **kwargs)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------
# Group options
# --------------------------------------------------------------------------


def get_version(ctx: click.Context, param: click.Parameter, value: t.Any) -> None:
    """``--version`` callback: print the Python, Flask and Werkzeug versions
    and exit.
    """
    if not value or ctx.resilient_parsing:
        return
    lines = (
        f"Python {platform.python_version()}",
        f"Flask {importlib.metadata.version('flask')}",
        f"Werkzeug {importlib.metadata.version('werkzeug')}",
    )
    click.echo("\n".join(lines), color=ctx.color)
    ctx.exit()


version_option = click.Option(
    ["--version"],
    help="Show the Flask version.",
    expose_value=False,
    callback=get_version,
    is_flag=True,
    is_eager=True,
    allow_from_autoenv=False,
)


def _set_app(ctx: click.Context, param: click.Option, value: str | None) -> str | None:
    """``--app`` callback: record the import path on the :class:`ScriptInfo`."""
    if value is None:
        return None
    ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


# Eager, so that ``flask --app x --help`` sees the app's commands.
_app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    help=(
        "The Flask application or factory function to load, in the form"
        " 'module:name'. Module can be a dotted import or file path. Name is"
        " not required if it is 'app', 'application', 'create_app', or"
        " 'make_app', and can be 'name(args)' to pass arguments."
    ),
    is_eager=True,
    expose_value=False,
    callback=_set_app,
)


def _set_debug(
    ctx: click.Context, param: click.Option, value: bool | None
) -> bool | None:
    """``--debug`` callback: export an explicit choice as ``FLASK_DEBUG``."""
    source = ctx.get_parameter_source(param.name or "debug")
    if value is None or source not in (
        ParameterSource.COMMANDLINE,
        ParameterSource.ENVIRONMENT,
        ParameterSource.PROMPT,
    ):
        return None
    # Exported so the value also reaches the reloader's child process.
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
    return value


# FLASK_DEBUG is read by get_debug_flag(), not through Click, so values
# Click cannot parse as booleans are not an error.
_debug_option = click.Option(
    ["--debug/--no-debug"],
    help="Set debug mode.",
    default=None,
    expose_value=False,
    allow_from_autoenv=False,
    callback=_set_debug,
)


def _load_env_file(
    ctx: click.Context, param: click.Option, value: str | None
) -> str | None:
    """``--env-file`` callback: load the given file and the default files."""
    try:
        import dotenv  # noqa: F401
    except ImportError:
        if value is not None:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file.",
                ctx=ctx,
                param=param,
            ) from None

    defaults = ctx.ensure_object(ScriptInfo).load_dotenv_defaults
    if value is not None or defaults:
        load_dotenv(value, load_defaults=defaults)
    return value


# Eager and declared first, so variables from the files are in place before
# --app and --debug read the environment.
_env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    help=(
        "Load environment variables from this file, taking precedence over"
        " those set by '.env' and '.flaskenv'. Variables set directly in the"
        " environment take highest precedence. python-dotenv must be installed."
    ),
    is_eager=True,
    expose_value=False,
    callback=_load_env_file,
)


def _print_load_error(exc: BaseException) -> None:
    """Report on stderr why the application could not be loaded."""
    if isinstance(exc, NoAppException):
        click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
    else:
        click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")


class FlaskGroup(AppGroup):
    """The group behind the ``flask`` command.

    Adds ``--env-file``, ``--app`` and ``--debug`` (and ``--version``), and
    looks up commands on the loaded application's ``cli`` after its own
    commands and the ``flask.commands`` entry-point plugins. Option defaults
    are read from ``FLASK_<OPTION>`` environment variables.

    :param add_default_commands: add the ``run``, ``shell`` and ``routes``
        commands.
    :param create_app: a callable with no arguments that returns the app;
        used instead of ``--app``.
    :param add_version_option: add the ``--version`` option.
    :param load_dotenv: load the nearest ``.env`` and ``.flaskenv`` files.
    :param set_debug_flag: set ``app.debug`` from ``FLASK_DEBUG``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., Flask] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params: list[click.Parameter] = list(extra.pop("params", None) or ())
        params.extend((_env_file_option, _app_option, _debug_option))
        if add_version_option:
            params.append(version_option)

        settings = dict(extra.pop("context_settings", None) or {})
        settings.setdefault("auto_envvar_prefix", "FLASK")

        super().__init__(params=params, context_settings=settings, **extra)

        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag

        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)

        self._loaded_plugin_commands = False

    def _load_plugin_commands(self) -> None:
        """Add the commands of the ``flask.commands`` entry points, once."""
        if self._loaded_plugin_commands:
            return
        for ep in importlib.metadata.entry_points(group="flask.commands"):
            self.add_command(ep.load(), ep.name)
        self._loaded_plugin_commands = True

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """Find a built-in or plugin command, else one on ``app.cli``.

        A failure to load the app is printed and the command reported as
        missing.
        """
        self._load_plugin_commands()
        rv = super().get_command(ctx, name)
        if rv is not None:
            return rv

        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as e:
            _print_load_error(e)
            return None
        return app.cli.get_command(ctx, name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve the subcommand to invoke, then push the app context if the
        lookup loaded the application.

        The context stays for the rest of this Click context, so the
        subcommand's parameter callbacks already see ``current_app``. It is
        pushed here rather than in :meth:`get_command`, which help output
        also calls outside of any ``with ctx`` block that would pop it.
        """
        rv = super().resolve_command(ctx, args)
        app = ctx.ensure_object(ScriptInfo)._loaded_app
        if app is not None and _active_app() is not app:
            ctx.with_resource(app.app_context())
        return rv

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List the built-in, plugin and application commands.

        If the application cannot be loaded the reason is printed on stderr
        and the other commands are still listed.
        """
        self._load_plugin_commands()
        names = set(super().list_commands(ctx))
        try:
            names.update(
                ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx)
            )
        except Exception as e:
            _print_load_error(e)
        return sorted(names)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """Create the context with a fresh :class:`ScriptInfo` as its object,
        unless one is given.
        """
        # Tells app.run() not to start a second server from inside a command.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"

        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Resolve ``--env-file`` and ``--app`` from the environment before
        help is shown for ``flask`` or ``flask --help``, so the help lists the
        application's commands.
        """
        help_names = set(ctx.help_option_names)
        bare_help = all(arg in help_names for arg in args)
        if not ctx.resilient_parsing and bare_help and (args or self.no_args_is_help):
            for option in (_env_file_option, _app_option):
                option.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)


# --------------------------------------------------------------------------
# Dotenv
# --------------------------------------------------------------------------


def _env_files_present(path: str | os.PathLike[str] | None) -> bool:
    """Whether any dotenv file would be loaded (checked without python-dotenv)."""
    if path is not None and os.path.isfile(path):
        return True
    return any(os.path.isfile(name) for name in _DEFAULT_ENV_FILES)


def load_dotenv(
    path: str | os.PathLike[str] | None = None, load_defaults: bool = True
) -> bool:
    """Load environment variables from dotenv files.

    Precedence, highest first: variables already in the environment, the
    file at ``path``, ``.env``, ``.flaskenv``. The default files are the
    nearest ones found from the working directory upwards, and are only read
    when ``load_defaults`` is true. Files are read as UTF-8. The working
    directory is not changed.

    Without python-dotenv installed nothing is loaded, and a tip is printed
    if there are files it would have read.

    :return: ``True`` if at least one variable was read from a file.
    """
    try:
        import dotenv
    except ImportError:
        if _env_files_present(path):
            click.secho(
                " * Tip: There are .env files present. Install python-dotenv"
                " to use them.",
                fg="yellow",
                err=True,
            )
        return False

    data: dict[str, str | None] = {}
    if load_defaults:
        for name in _DEFAULT_ENV_FILES:
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                data.update(dotenv.dotenv_values(found, encoding="utf-8"))

    if path is not None and os.path.isfile(path):
        data.update(dotenv.dotenv_values(path, encoding="utf-8"))

    for key, value in data.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value

    return bool(data)


# --------------------------------------------------------------------------
# The run command
# --------------------------------------------------------------------------


def show_server_banner(debug: bool | None, app_import_path: str | None) -> None:
    """Print the app being served and the debug mode.

    Nothing is printed in the reloader's child process, since the parent
    already printed it.
    """
    from werkzeug.serving import is_running_from_reloader

    if is_running_from_reloader():
        return
    if app_import_path is not None:
        click.echo(f" * Serving Flask app '{app_import_path}'")
    if debug is not None:
        click.echo(f" * Debug mode: {'on' if debug else 'off'}")


class CertParamType(click.ParamType):  # type: ignore[type-arg]
    """The ``--cert`` value: an existing file, ``adhoc``, or the import path
    of an :class:`ssl.SSLContext`.
    """

    name = "path"

    def __init__(self) -> None:
        self.path_type = click.Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        """Return the resolved file path, ``"adhoc"``, or the SSL context."""
        try:
            import ssl
        except ImportError:
            raise click.BadParameter(
                'Using "--cert" requires Python to be compiled with SSL support.',
                ctx,
                param,
            ) from None

        try:
            return self.path_type(value, param, ctx)
        except click.BadParameter:
            pass

        text = click.STRING(value, param, ctx)
        if text.lower() == "adhoc":
            return self._adhoc(param, ctx)

        from werkzeug.utils import import_string

        obj = import_string(text, silent=True)
        if isinstance(obj, ssl.SSLContext):
            return obj

        self.fail(
            f"{text!r} is not an existing file, 'adhoc', or the import path"
            " of an ssl.SSLContext object.",
            param,
            ctx,
        )

    def _adhoc(self, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Accept ``adhoc`` if the cryptography library is importable."""
        try:
            importlib.import_module("cryptography")
        except ImportError:
            raise click.BadParameter(
                "Using ad-hoc certificates requires the cryptography library.",
                ctx,
                param,
            ) from None
        return "adhoc"


def _cert_value(ctx: click.Context) -> str | ssl.SSLContext | None:
    """The already converted ``--cert`` value, or ``None`` if not given."""
    value = ctx.params.get("cert")
    if isinstance(value, str):
        return value
    try:
        import ssl
    except ImportError:  # pragma: no cover - --cert would have failed
        return None
    return value if isinstance(value, ssl.SSLContext) else None


def _validate_key(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """``--key`` callback: check it fits ``--cert`` and combine the two.

    With a certificate file, ``cert`` becomes the ``(cert, key)`` pair that
    :func:`~werkzeug.serving.run_simple` takes as ``ssl_context``.
    """
    cert = _cert_value(ctx)
    is_adhoc = cert == "adhoc"
    is_context = cert is not None and not isinstance(cert, str)

    if value is not None:
        if is_adhoc:
            raise click.BadParameter(
                'When "--cert" is "adhoc", "--key" is not used.', ctx, param
            )
        if is_context:
            raise click.BadParameter(
                'When "--cert" is an SSLContext object, "--key" is not used.',
                ctx,
                param,
            )
        if cert is None:
            raise click.BadParameter('"--cert" must also be specified.', ctx, param)
        ctx.params["cert"] = (cert, value)
    elif cert is not None and not (is_adhoc or is_context):
        raise click.BadParameter('Required when using "--cert".', ctx, param)

    return value


class SeparatedPathType(click.Path):
    """A list of paths separated by :data:`os.pathsep` (``:`` or ``;``);
    each item is checked like a :class:`click.Path`.
    """

    def convert(  # type: ignore[override]
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> list[t.Any]:
        """Split the value and convert every item."""
        if isinstance(value, (list, tuple)):
            items: cabc.Iterable[t.Any] = value
        else:
            items = self.split_envvar_value(value)
        return [
            super(SeparatedPathType, self).convert(item, param, ctx) for item in items
        ]


def _failing_app(
    exc: BaseException,
) -> t.Callable[[WSGIEnvironment, StartResponse], t.Any]:
    """A WSGI app raising ``exc`` on every request.

    Used in the reloader's child process so a broken app shows its error in
    the browser while the reloader waits for a fix.
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        raise exc from None

    return app


@click.command("run", short_help="Run a development server.")
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option("--port", "-p", default=5000, help="The port to bind to.")
@click.option(
    "--cert",
    type=CertParamType(),
    is_eager=True,
    help="Specify a certificate file to use HTTPS.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_key,
    expose_value=False,
    help="The key file to use when specifying a certificate.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Enable or disable the reloader. By default the reloader is active"
    " if debug is enabled.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Enable or disable the debugger. By default the debugger is active"
    " if debug is enabled.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    help="Enable or disable multithreading.",
)
@click.option(
    "--extra-files",
    default=None,
    type=SeparatedPathType(),
    help=(
        "Extra files that trigger a reload on change. Multiple paths are"
        f" separated by {os.path.pathsep!r}."
    ),
)
@click.option(
    "--exclude-patterns",
    default=None,
    type=SeparatedPathType(),
    help=(
        "Files matching these fnmatch patterns will not trigger a reload on"
        " change. Multiple patterns are separated by"
        f" {os.path.pathsep!r}."
    ),
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    cert: t.Any,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Run a local development server.

    This server is for development purposes only. It does not provide
    the stability, security, or performance of production WSGI servers.

    The reloader and debugger are enabled by default with the '--debug'
    option.
    """
    from werkzeug import serving

    from .helpers import get_debug_flag

    os.environ["FLASK_RUN_FROM_CLI"] = "true"
    app: t.Any
    try:
        app = info.load_app()
    except Exception as e:
        if not serving.is_running_from_reloader():
            raise
        # In the reloader's child: show the error now, keep serving so a
        # fix to the code triggers a reload.
        traceback.print_exc()
        app = _failing_app(e)

    debug = get_debug_flag()
    if reload is None:
        reload = debug
    if debugger is None:
        debugger = debug

    show_server_banner(debug, info.app_import_path)

    serving.run_simple(
        host,
        port,
        app,
        use_reloader=reload,
        use_debugger=debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


# --------------------------------------------------------------------------
# The shell and routes commands
# --------------------------------------------------------------------------


def _run_startup_file(namespace: dict[str, t.Any]) -> None:
    """Execute the ``PYTHONSTARTUP`` file, as the plain REPL would."""
    startup = os.environ.get("PYTHONSTARTUP")
    if not startup or not os.path.isfile(startup):
        return
    with open(startup, encoding="utf-8") as f:
        source = f.read()
    exec(compile(source, startup, "exec"), namespace)


def _enable_interactive_hook(namespace: dict[str, t.Any]) -> None:
    """Run ``sys.__interactivehook__`` (readline and history) if there is
    one, with tab completion over ``namespace``.
    """
    hook = getattr(sys, "__interactivehook__", None)
    if hook is None:
        return
    try:
        import readline
        from rlcompleter import Completer
    except ImportError:
        pass
    else:
        readline.set_completer(Completer(namespace).complete)
    hook()


@click.command("shell", short_help="Run a shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the context of a given
    Flask application. The application will populate the default
    namespace of this shell according to its configuration.

    This is useful for executing small snippets of management code
    without having to manually configure the application.
    """
    import code

    app = current_app
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    namespace: dict[str, t.Any] = {}
    _run_startup_file(namespace)
    namespace.update(app.make_shell_context())
    _enable_interactive_hook(namespace)
    code.interact(banner=banner, local=namespace)


_ROUTE_SORTS = ("endpoint", "methods", "domain", "rule", "match")


def _route_rows(
    rules: list[t.Any], all_methods: bool, domain_attr: str | None
) -> list[list[str]]:
    """One row of text per rule: endpoint, methods, [domain], rule."""
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    rows = []
    for rule in rules:
        row = [rule.endpoint, ", ".join(sorted((rule.methods or set()) - hidden))]
        if domain_attr is not None:
            row.append(getattr(rule, domain_attr) or "")
        row.append(rule.rule)
        rows.append(row)
    return rows


def _format_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned columns under a header and a dashed rule."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, ["-" * w for w in widths], *rows]:
        lines.append(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        )
    return lines


@click.command("routes", short_help="Show the routes for the app.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(_ROUTE_SORTS),
    default="endpoint",
    help=(
        "Method to sort routes by. 'match' is the order that Flask will match"
        " routes when dispatching a request."
    ),
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS methods.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show all registered routes with endpoints and methods."""
    url_map = current_app.url_map
    rules = list(url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return

    attr = "host" if url_map.host_matching else "subdomain"
    domain_attr = attr if any(getattr(rule, attr) for rule in rules) else None

    headers = ["Endpoint", "Methods"]
    if domain_attr is not None:
        headers.append("Host" if domain_attr == "host" else "Subdomain")
    headers.append("Rule")

    rows = _route_rows(rules, all_methods, domain_attr)
    columns = ["endpoint", "methods"] + (["domain"] if domain_attr else []) + ["rule"]
    if sort in columns:
        index = columns.index(sort)
        rows.sort(key=lambda row: row[index])

    for line in _format_table(headers, rows):
        click.echo(line)


# --------------------------------------------------------------------------
# The flask command
# --------------------------------------------------------------------------

cli = FlaskGroup(
    name="flask",
    help="""\
A general utility script for Flask applications.

An application to load must be given with the '--app' option,
'FLASK_APP' environment variable, or with a 'wsgi.py' or 'app.py' file
in the current directory.
""",
)


def main() -> None:
    """Entry point of the ``flask`` console script."""
    cli.main()


if __name__ == "__main__":  # pragma: no cover
    main()
