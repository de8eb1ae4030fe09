""":class:`FlaskGroup`, the group behind the ``flask`` command.

A command name is looked up in three places, in order: the group's own
commands (``run``, ``shell``, ``routes``), the ``flask.commands`` entry
points of installed distributions, and ``app.cli`` of the application. Only
the last one needs the application, so ``flask run --help`` works even when
the application cannot be imported.

The group options are processed before anything else: ``--env-file`` first
(the files may set ``FLASK_APP``), then ``--app``, both eagerly, so that
``flask --app x --help`` lists the commands of ``x``.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import traceback
import typing as t

import click

from ._context import AppFactory
from ._context import AppGroup
from ._context import debug_option
from ._context import enter_app_context
from ._context import ScriptInfo
from ._discovery import NoAppException
from ._dotenv import dotenv_available
from ._dotenv import load_dotenv
from ._inspect import routes_command
from ._inspect import shell_command
from ._serve import run_command

#: The entry-point group plugins register their commands in.
PLUGIN_GROUP = "flask.commands"


def get_version(ctx: click.Context, param: click.Parameter, value: t.Any) -> None:
    """The ``--version`` callback: print the versions that matter and exit."""
    if not value or ctx.resilient_parsing:
        return
    version = importlib.metadata.version
    report = (
        f"Python {platform.python_version()}\n"
        f"Flask {version('flask')} (clean-room implementation)\n"
        f"Werkzeug {version('werkzeug')}"
    )
    click.echo(report, color=ctx.color)
    ctx.exit()


def _eager(
    flags: list[str], callback: t.Callable[..., t.Any], help: str, **more: t.Any
) -> click.Option:
    """An option handled before the others and not passed to the callback."""
    return click.Option(
        flags, callback=callback, help=help, is_eager=True, expose_value=False, **more
    )


def _version_option() -> click.Option:
    return _eager(
        ["--version"],
        get_version,
        "Show the Flask version.",
        is_flag=True,
        allow_from_autoenv=False,
    )


#: The ``--version`` option of the ``flask`` command.
version_option = _version_option()


def _read_env_files(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    info = ctx.ensure_object(ScriptInfo)
    if value is not None and not dotenv_available():
        raise click.BadParameter(
            "python-dotenv must be installed to load an env file.", ctx, param
        )
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    return value


def _remember_app(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


_ENV_FILE_HELP = (
    "A dotenv file to load; its variables win over those of '.env' and"
    " '.flaskenv', and lose to the real environment. Needs python-dotenv."
)
_APP_HELP = (
    "The application to load, as 'module:name': module is a dotted name or a"
    " file path; name may be omitted for 'app', 'application', 'create_app'"
    " or 'make_app', and may be a call 'factory(args)'."
)
#: The eager options that locate the application, in processing order.
_LOCATING = ("env_file", "app")


def _group_options(with_version: bool) -> list[click.Parameter]:
    """The options of a :class:`FlaskGroup`, in processing order."""
    env_file = click.Path(exists=True, dir_okay=False)
    options: list[click.Parameter] = [
        _eager(["-e", "--env-file"], _read_env_files, _ENV_FILE_HELP, type=env_file),
        _eager(["-A", "--app"], _remember_app, _APP_HELP, metavar="IMPORT"),
        debug_option(),
    ]
    return [*options, _version_option()] if with_version else options


def _report_load_failure(error: BaseException) -> None:
    if isinstance(error, NoAppException):
        click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
    else:
        click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")


class _InvocationContext(click.Context):
    """The context of a :class:`FlaskGroup`: unless given an ``obj``, it
    starts with a new :class:`ScriptInfo` made from the group's settings.
    """

    def __init__(
        self,
        command: click.Command,
        parent: click.Context | None = None,
        info_name: str | None = None,
        obj: t.Any = None,
        **settings: t.Any,
    ) -> None:
        # app.run() called during a command must not start a second server.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        if obj is None and isinstance(command, FlaskGroup):
            obj = ScriptInfo(
                create_app=command.create_app,
                set_debug_flag=command.set_debug_flag,
                load_dotenv_defaults=command.load_dotenv,
            )
        super().__init__(command, parent, info_name, obj, **settings)


class FlaskGroup(AppGroup):
    """A group for the commands of a Flask application.

    Use it for a custom script around one application (``create_app``), or
    through the ``flask`` command. Options read ``FLASK_*`` environment
    variables (``FLASK_APP``, ``FLASK_RUN_PORT`` ...).

    :param add_default_commands: add ``run``, ``shell`` and ``routes``.
    :param create_app: a callable without arguments returning the app,
        instead of ``--app``.
    :param add_version_option: add ``--version``.
    :param load_dotenv: read the nearest ``.env`` and ``.flaskenv`` files.
    :param set_debug_flag: set ``app.debug`` from ``FLASK_DEBUG`` on load.
    """

    context_class = _InvocationContext

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: AppFactory | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **group_settings: t.Any,
    ) -> None:
        given_params = group_settings.pop("params", None) or ()
        given_context = group_settings.pop("context_settings", None) or {}
        super().__init__(
            params=[*given_params, *_group_options(add_version_option)],
            context_settings={"auto_envvar_prefix": "FLASK", **given_context},
            **group_settings,
        )
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        self._plugins_added = False
        if add_default_commands:
            for command in (run_command, shell_command, routes_command):
                self.add_command(command)

    def _add_plugins(self) -> None:
        """Add the commands of the ``flask.commands`` entry points, once."""
        if self._plugins_added:
            return
        self._plugins_added = True
        for entry_point in importlib.metadata.entry_points(group=PLUGIN_GROUP):
            self.add_command(entry_point.load(), entry_point.name)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command of the group or a plugin, else one of ``app.cli``.

        If the application cannot be found, the reason is printed and the
        command is reported missing.
        """
        self._add_plugins()
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as error:
            _report_load_failure(error)
            return None
        return app.cli.get_command(ctx, name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the subcommand; if that loaded the application, push its
        context for the rest of ``ctx``, so that the subcommand's parameter
        callbacks already have ``current_app``.
        """
        # Not in get_command: help output calls that outside of the
        # ``with ctx`` block that would pop the context again.
        found = super().resolve_command(ctx, args)
        app = ctx.ensure_object(ScriptInfo).loaded_app
        if app is not None:
            enter_app_context(ctx, app)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The names of all commands; a failure to load the application is
        printed, and the other commands are still listed.
        """
        self._add_plugins()
        names = set(super().list_commands(ctx))
        # Help may be printed before the eager options had their turn, as
        # for a bare ``flask`` or ``flask --help``: give it to them now.
        for param in self.params:
            if param.name in _LOCATING and ctx.get_parameter_source(param.name) is None:
                param.handle_parse_result(ctx, {}, [])
        try:
            names.update(
                ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx)
            )
        except Exception as error:
            _report_load_failure(error)
        return sorted(names)
